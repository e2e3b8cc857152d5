//! Scenario files: a human-editable TOML description of an organisation, an office, a contest
//! and its dated, sourced events. Parsing validates everything and reports every problem with
//! its line and column; a scenario with any problem yields no events at all.
//!
//! The format is documented in `docs/scenario-format.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean, line_column};
use crate::event::{ConditionRef, EventKind, NewEvent, StanceReport, StrawPollResult};
use crate::guard::Guard;
use crate::model::{
    Attribution, CandidateProfile, Capability, ContestDefinition, IssueDimension, IssuePosition,
    Member, Milestone, MilestoneKind, Office, Organisation, Report, Reversion, Stance, Visibility,
};
use crate::rules::DecisionRule;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    contest: RawContest,
    organisation: RawOrganisation,
    office: RawOffice,
    #[serde(default)]
    member: Vec<RawMember>,
    #[serde(default)]
    event: Vec<Spanned<RawEvent>>,
    #[serde(default)]
    issue: Vec<Spanned<RawIssue>>,
    /// A package's posts, decided together.
    #[serde(default)]
    post: Vec<RawPost>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPost {
    id: Spanned<String>,
    title: String,
}

/// One `[[issue]]`: a dimension for the spatial model, with its `[[issue.position]]` tables.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssue {
    id: Spanned<String>,
    label: String,
    #[serde(default)]
    description: Option<String>,
    scale_low: String,
    scale_high: String,
    capability: Capability,
    #[serde(default)]
    position: Vec<RawIssuePosition>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIssuePosition {
    member: Spanned<String>,
    position: Spanned<f64>,
    salience: Spanned<f64>,
    #[serde(default)]
    capability: Option<Spanned<f64>>,
    source: Spanned<String>,
    #[serde(default)]
    attribution: Option<Attribution>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContest {
    id: Spanned<String>,
    title: String,
    rule: Spanned<DecisionRule>,
    #[serde(default)]
    opened: Option<Spanned<String>>,
    #[serde(default)]
    featured_date: Option<Spanned<String>>,
    #[serde(default)]
    description: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOrganisation {
    id: String,
    name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffice {
    title: String,
    #[serde(default)]
    incumbent: Option<String>,
    term_end: Spanned<String>,
    /// The term end is a stand-in, not a known date: the forecast does not press towards it.
    #[serde(default)]
    term_end_assumed: bool,
    reversion: Reversion,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    code: Spanned<String>,
    name: String,
    joined: Spanned<String>,
    #[serde(default)]
    left: Option<Spanned<String>>,
    #[serde(default)]
    attributes: BTreeMap<String, f64>,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum RawEventType {
    Candidate,
    Withdraw,
    Stance,
    Condition,
    Commitment,
    Milestone,
    StrawPoll,
    Consultation,
    Vote,
    Decision,
    Extension,
}

/// One `[[event]]`: the fields any type may use; each type checks the ones it needs.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    date: Spanned<String>,
    #[serde(rename = "type")]
    kind: RawEventType,
    source: Spanned<String>,
    #[serde(default)]
    attribution: Option<Attribution>,
    #[serde(default)]
    confidence: Option<Spanned<f64>>,
    #[serde(default)]
    speaker: Option<String>,
    #[serde(default)]
    published: Option<Spanned<String>>,
    #[serde(default)]
    author: Option<String>,
    // stance, condition
    #[serde(default)]
    member: Option<Spanned<String>>,
    #[serde(default)]
    members: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    candidate: Option<Spanned<String>>,
    #[serde(default)]
    stance: Option<Stance>,
    #[serde(default)]
    reasons: Vec<String>,
    #[serde(default)]
    conditions: Vec<Spanned<String>>,
    #[serde(default)]
    follows: Option<Spanned<String>>,
    #[serde(default)]
    linked_to: Option<Spanned<String>>,
    #[serde(default)]
    visibility: Option<Visibility>,
    // candidate
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    nationality: Option<Spanned<String>>,
    #[serde(default)]
    status: Option<Spanned<String>>,
    #[serde(default)]
    profile: BTreeMap<String, String>,
    #[serde(default)]
    post: Option<Spanned<String>>,
    // condition, commitment
    #[serde(default)]
    condition: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    meets: Vec<Spanned<String>>,
    // milestone
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    label: Option<String>,
    #[serde(default)]
    on: Option<Spanned<String>>,
    #[serde(default)]
    milestone: Option<MilestoneKind>,
    // straw poll, vote
    #[serde(default)]
    round: Option<u32>,
    #[serde(default)]
    results: Vec<RawPollResult>,
    #[serde(default)]
    colour_coded: Option<bool>,
    // consultation
    #[serde(default)]
    advanced: Vec<Spanned<String>>,
    #[serde(default)]
    eliminated: Vec<Spanned<String>>,
    #[serde(default)]
    in_favour: Option<u32>,
    #[serde(default)]
    against: Option<u32>,
    #[serde(default)]
    abstentions: Option<u32>,
    // extension
    #[serde(default)]
    new_term_end: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPollResult {
    candidate: Spanned<String>,
    encourage: Spanned<u32>,
    discourage: Spanned<u32>,
    no_opinion: Spanned<u32>,
    #[serde(default)]
    p5_discourage: Option<Spanned<u32>>,
}

/// A parsed, validated scenario: the definition and the events that follow the opening.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub definition: ContestDefinition,
    /// The date the contest opens (the `contest_opened` event's valid time).
    pub opened: Date,
    pub events: Vec<NewEvent>,
    /// Every other contest a stance is linked to, where the file says so: the store must hold
    /// it (checked where the scenario is imported, since only the store knows).
    pub links: Vec<LinkRef>,
}

/// A stance's link to another contest, as written in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkRef {
    pub contest: String,
    pub location: Location,
}

impl Scenario {
    /// Every event to append to a new contest's log, starting with `contest_opened`.
    pub fn into_events(self, author: &str) -> Vec<NewEvent> {
        let mut all = Vec::with_capacity(self.events.len() + 1);
        all.push(NewEvent {
            valid: self.opened,
            author: author.to_owned(),
            kind: EventKind::ContestOpened {
                contest: self.definition,
            },
        });
        all.extend(self.events);
        all
    }
}

/// The confidence given to a report when the file gives none.
pub fn default_confidence(attribution: Attribution) -> f64 {
    match attribution {
        Attribution::Official => 0.95,
        Attribution::OnRecord => 0.9,
        Attribution::Anonymous => 0.7,
        Attribution::Inferred => 0.5,
    }
}

/// Parses and validates a scenario, with no clock: every check but "not in the future", which
/// [`parse_at`] adds (and the ledger makes again before appending). `file` names the input in
/// diagnostics.
pub fn parse(file: &str, text: &str, author: &str) -> Result<Scenario, Diagnostics> {
    parse_at(file, text, author, Timestamp::MAX)
}

/// Parses and validates a scenario as of `now`: the shape of every value, then every event
/// through the domain's [`Guard`] (dates within the contest's life and not beyond tomorrow,
/// stances on candidates in the race, the rule's parameters…), each problem at its line and
/// column.
pub fn parse_at(
    file: &str,
    text: &str,
    author: &str,
    now: Timestamp,
) -> Result<Scenario, Diagnostics> {
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let (line, column) = e
            .span()
            .map(|s| line_column(text, s.start))
            .unwrap_or((1, 1));
        Diagnostics(vec![Diagnostic::new(
            Location::Text {
                file: file.to_owned(),
                line,
                column,
            },
            e.message().trim().to_owned(),
        )])
    })?;
    let contest_spans = ContestSpans {
        id: raw.contest.id.span(),
        rule: raw.contest.rule.span(),
        opened: raw
            .contest
            .opened
            .as_ref()
            .map_or(raw.contest.id.span(), Spanned::span),
    };
    let mut v = Validator {
        file,
        text,
        problems: Diagnostics::default(),
    };
    let scenario = v.scenario(raw, author);
    let problems = v.problems;
    if !problems.is_empty() {
        return Err(problems);
    }
    let (scenario, spans) = scenario.expect("no problems, so a scenario");
    // The same gate every write passes, with each refusal at the event (or field) it names.
    let all = scenario.clone().into_events(author);
    match Guard::create(&all, now) {
        Ok(_) => Ok(scenario),
        Err(refusals) => {
            let at = |offset: usize| {
                let (line, column) = line_column(text, offset);
                Location::Text {
                    file: file.to_owned(),
                    line,
                    column,
                }
            };
            let mut problems = Diagnostics::default();
            for r in &refusals.0 {
                let offset = match r.event {
                    0 => match r.field.as_str() {
                        "id" => contest_spans.id.start,
                        "opened" => contest_spans.opened.start,
                        f => {
                            // Point at the parameter inside the rule when it is written there.
                            let rule = &text[contest_spans.rule.clone()];
                            let name = f.strip_prefix("rule.").unwrap_or(f);
                            rule.find(name)
                                .map_or(contest_spans.rule.start, |k| contest_spans.rule.start + k)
                        }
                    },
                    n => spans
                        .get(n - 1)
                        .map_or(0, |s| field_offset(text, s, &r.field)),
                };
                problems.push(r.locate(at(offset)));
            }
            Err(problems)
        }
    }
}

/// Where the contest's own fields are, for refusals of the opening.
struct ContestSpans {
    id: Range<usize>,
    rule: Range<usize>,
    opened: Range<usize>,
}

/// The offset of `field` (`date`, `candidate`, `conditions[1]`…) inside an `[[event]]` table's
/// span, or the table's start when it is not written there (a default).
fn field_offset(text: &str, span: &Range<usize>, field: &str) -> usize {
    let name = field.split(['[', '.']).next().unwrap_or(field);
    // The table runs from its header to the next header (a span may cover the header only).
    let rest = text.get(span.start..).unwrap_or("");
    let end = rest
        .get(1..)
        .and_then(|r| r.find("\n["))
        .map_or(rest.len(), |k| k + 1)
        .max(span.end.saturating_sub(span.start).min(rest.len()));
    let table = &rest[..end];
    let Some(key) = table
        .match_indices(name)
        .find(|(k, _)| {
            // A key at the start of a line (or of an inline table entry), not a word in a value.
            let before = table[..*k].trim_end_matches([' ', '\t']);
            before.is_empty() || before.ends_with(['\n', '{', ','])
        })
        .map(|(k, _)| k)
    else {
        return span.start;
    };
    // `results[2].encourage`: the third element of the array written after the key.
    let index = field
        .strip_prefix(name)
        .and_then(|f| f.strip_prefix('['))
        .and_then(|f| f.split(']').next())
        .and_then(|k| k.parse::<usize>().ok());
    match index.and_then(|k| array_element(&table[key..], k)) {
        Some(at) => span.start + key + at,
        None => span.start + key,
    }
}

/// The offset of the `k`-th element of the first array in `text` (after `key = `).
fn array_element(text: &str, k: usize) -> Option<usize> {
    let open = text.find('[')?;
    let mut depth = 0usize;
    let mut in_string = false;
    let mut element = 0usize;
    let mut start = None;
    for (i, c) in text[open..].char_indices() {
        let at = open + i;
        if in_string {
            in_string = c != '"';
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                if depth == 1 && start.is_none() {
                    start = Some(at);
                }
            }
            '[' | '{' => {
                if depth == 1 && start.is_none() {
                    start = Some(at);
                }
                depth += 1;
            }
            ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return None;
                }
            }
            ',' if depth == 1 && start.is_some() => {
                element += 1;
                start = None;
            }
            c if depth == 1 && !c.is_whitespace() && start.is_none() && c != '#' && c != ',' => {
                start = Some(at);
            }
            _ => {}
        }
        if element == k
            && let Some(s) = start
        {
            return Some(s);
        }
    }
    None
}

struct Validator<'a> {
    file: &'a str,
    text: &'a str,
    problems: Diagnostics,
}

impl Validator<'_> {
    fn at(&self, span: Range<usize>) -> Location {
        let (line, column) = line_column(self.text, span.start);
        Location::Text {
            file: self.file.to_owned(),
            line,
            column,
        }
    }

    fn problem(&mut self, span: Range<usize>, message: impl Into<String>) -> &mut Diagnostic {
        let d = Diagnostic::new(self.at(span), message);
        self.problems.push(d);
        self.problems.0.last_mut().expect("just pushed")
    }

    fn date(&mut self, value: &Spanned<String>) -> Option<Date> {
        match value.get_ref().parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                self.problem(value.span(), format!("'{}' is not a date", value.get_ref()))
                    .expected = Some("a date as YYYY-MM-DD".to_owned());
                None
            }
        }
    }

    fn scenario(
        &mut self,
        raw: RawScenario,
        author: &str,
    ) -> Option<(Scenario, Vec<Range<usize>>)> {
        let term_end = self.date(&raw.office.term_end);
        let featured = raw
            .contest
            .featured_date
            .as_ref()
            .and_then(|d| self.date(d));
        let opened = raw.contest.opened.as_ref().and_then(|d| self.date(d));
        if raw.contest.id.get_ref().trim().is_empty()
            || !raw
                .contest
                .id
                .get_ref()
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            self.problem(raw.contest.id.span(), "invalid contest id")
                .expected = Some("letters, digits, '-' or '_'".to_owned());
        }

        let mut members = Vec::new();
        let mut seen = BTreeSet::new();
        for m in &raw.member {
            let code = m.code.get_ref();
            if code.len() != 3 || !code.chars().all(|c| c.is_ascii_uppercase()) {
                self.problem(m.code.span(), format!("'{code}' is not a member code"))
                    .expected = Some("ISO 3166-1 alpha-3 in capitals, e.g. HUN".to_owned());
            }
            if !seen.insert(code.clone()) {
                self.problem(m.code.span(), format!("member '{code}' is listed twice"));
            }
            let joined = self.date(&m.joined);
            let left = m.left.as_ref().and_then(|d| self.date(d));
            if let Some(joined) = joined {
                members.push(Member {
                    code: code.clone(),
                    name: m.name.clone(),
                    joined,
                    left,
                    attributes: m.attributes.clone(),
                    tags: m.tags.clone(),
                });
            }
        }
        if raw.member.is_empty() {
            self.problems.push(
                Diagnostic::new(
                    Location::Text {
                        file: self.file.to_owned(),
                        line: 1,
                        column: 1,
                    },
                    "the organisation has no members",
                )
                .expected("at least one [[member]] table"),
            );
        }

        let mut posts: Vec<crate::model::Post> = Vec::new();
        let mut post_spans: BTreeMap<String, Range<usize>> = BTreeMap::new();
        for p in &raw.post {
            let id = p.id.get_ref();
            if let Some(first) = post_spans.get(id) {
                let (line, _) = line_column(self.text, first.start);
                self.problem(p.id.span(), format!("the package names post '{id}' twice"))
                    .expected = Some(format!("each post once (first named on line {line})"));
                continue;
            }
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.problem(p.id.span(), format!("invalid post id '{id}'"))
                    .expected = Some("letters, digits, '-' or '_'".to_owned());
            }
            post_spans.insert(id.clone(), p.id.span());
            posts.push(crate::model::Post {
                id: id.clone(),
                title: p.title.clone(),
            });
        }
        if posts.len() == 1 {
            self.problem(raw.post[0].id.span(), "a package of one post")
                .expected =
                Some("two or more [[post]] tables, or none for a single office".to_owned());
        }

        let mut cx = EventContext {
            posts: posts.iter().map(|p| p.id.clone()).collect(),
            contest: raw.contest.id.get_ref().clone(),
            ..EventContext::default()
        };
        let mut events: Vec<(NewEvent, Range<usize>)> = Vec::new();
        for raw_event in &raw.event {
            if let Some(news) = self.event(raw_event, &members, &mut cx, author) {
                events.extend(news.into_iter().map(|e| (e, raw_event.span())));
            }
        }
        // Check forward references once every candidate and condition is known.
        for (name, span) in std::mem::take(&mut cx.candidate_refs) {
            if !cx.candidates.contains(&name) {
                let suggestion = did_you_mean(&name, cx.candidates.iter().map(String::as_str));
                self.problem(span, format!("unknown candidate '{name}'"))
                    .expected =
                    Some("the id of a candidate entered by a `candidate` event".to_owned());
                self.problems.0.last_mut().expect("pushed").did_you_mean = suggestion;
            }
        }
        // A round cannot count a candidate who had not yet entered.
        for (name, round, on, span) in std::mem::take(&mut cx.round_refs) {
            if let Some(&entered) = cx.entered.get(&name)
                && entered > on
            {
                self.problem(
                    span,
                    crate::guard::round_before_entry(round, on, &name, entered),
                )
                .expected = Some(format!(
                    "a round dated on or after {entered}, or the candidate's entry on or before {on}"
                ));
            }
        }
        for (reference, span) in std::mem::take(&mut cx.condition_refs) {
            if !cx.conditions.contains(&reference) {
                let known: Vec<String> = cx
                    .conditions
                    .iter()
                    .map(|c| format!("{}:{}", c.member, c.condition))
                    .collect();
                let shown = format!("{}:{}", reference.member, reference.condition);
                let suggestion = did_you_mean(&shown, known.iter().map(String::as_str));
                self.problem(span, format!("unknown condition '{shown}'"))
                    .expected = Some("MEMBER:condition-id of a `condition` event".to_owned());
                self.problems.0.last_mut().expect("pushed").did_you_mean = suggestion;
            }
        }

        let issues = self.issues(&raw.issue, &members);

        let term_end = term_end?;
        let first_event = events.iter().map(|(e, _)| e.valid).min();
        let opened = opened.or(first_event).unwrap_or(term_end);
        // Chronological log order reads best in a history; equal dates keep file order.
        events.sort_by_key(|(e, _)| e.valid);
        let (events, spans): (Vec<NewEvent>, Vec<Range<usize>>) = events.into_iter().unzip();
        let scenario = Scenario {
            definition: ContestDefinition {
                id: raw.contest.id.into_inner(),
                title: raw.contest.title,
                organisation: Organisation {
                    id: raw.organisation.id,
                    name: raw.organisation.name,
                    members,
                },
                office: Office {
                    title: raw.office.title,
                    incumbent: raw.office.incumbent,
                    term_end,
                    term_end_assumed: raw.office.term_end_assumed,
                    reversion: raw.office.reversion,
                },
                rule: raw.contest.rule.into_inner(),
                featured_date: featured,
                description: raw.contest.description,
                issues,
                posts,
            },
            opened,
            events,
            links: std::mem::take(&mut cx.links),
        };
        Some((scenario, spans))
    }

    fn issues(&mut self, raw: &[Spanned<RawIssue>], members: &[Member]) -> Vec<IssueDimension> {
        let mut out = Vec::new();
        let mut ids = BTreeSet::new();
        for spanned in raw {
            let i = spanned.get_ref();
            let id = i.id.get_ref();
            if id.is_empty()
                || !id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                self.problem(i.id.span(), format!("invalid issue id '{id}'"))
                    .expected = Some("letters, digits, '-' or '_'".to_owned());
            }
            if !ids.insert(id.clone()) {
                self.problem(i.id.span(), format!("issue '{id}' is declared twice"));
            }
            if i.position.is_empty() {
                self.problem(spanned.span(), format!("issue '{id}' has no positions"))
                    .expected = Some("[[issue.position]] tables, one per member".to_owned());
            }
            let mut seen = BTreeSet::new();
            let mut positions = Vec::new();
            for p in &i.position {
                let code = p.member.get_ref();
                if !self.member_ref(&p.member, members, None) {
                    continue;
                }
                if !seen.insert(code.clone()) {
                    self.problem(
                        p.member.span(),
                        format!("member '{code}' has two positions on issue '{id}'"),
                    );
                }
                for (field, value) in [("position", &p.position), ("salience", &p.salience)] {
                    if !(0.0..=100.0).contains(value.get_ref()) {
                        self.problem(
                            value.span(),
                            format!("{field} {} is out of range", value.get_ref()),
                        )
                        .expected = Some("a number from 0 to 100".to_owned());
                    }
                }
                if p.source.get_ref().trim().is_empty() {
                    self.problem(p.source.span(), "empty source").expected = Some(
                        "a URL or a citation; for an inferred position, what it rests on"
                            .to_owned(),
                    );
                }
                // The model needs a positive capability for every actor, so check it here
                // where the problem can be located, not when `concord bargain` runs.
                match (&i.capability, &p.capability) {
                    (Capability::Given, None) => {
                        self.problem(p.member.span(), format!("no capability for {code}"))
                            .expected = Some(
                            "`capability = NUMBER`: the issue says capability is given".to_owned(),
                        );
                    }
                    (Capability::Given, Some(c))
                        if !(c.get_ref().is_finite() && *c.get_ref() > 0.0) =>
                    {
                        self.problem(
                            c.span(),
                            format!("capability {} is not positive", c.get_ref()),
                        )
                        .expected = Some("a number above 0".to_owned());
                    }
                    (Capability::Attribute(name), Some(c)) => {
                        self.problem(
                            c.span(),
                            format!("capability given here, but issue '{id}' takes it from attribute '{name}'"),
                        )
                        .expected = Some("no `capability`, or `capability = \"given\"` on the issue".to_owned());
                    }
                    (Capability::Attribute(name), None) => {
                        let m = members
                            .iter()
                            .find(|m| m.code == *code)
                            .expect("checked above");
                        match m.attributes.get(name) {
                            Some(v) if v.is_finite() && *v > 0.0 => {}
                            Some(v) => {
                                self.problem(
                                    p.member.span(),
                                    format!("{code}'s attribute '{name}' is {v}, not a positive capability"),
                                );
                            }
                            None => {
                                let suggestion =
                                    did_you_mean(name, m.attributes.keys().map(String::as_str));
                                let d = self.problem(
                                    p.member.span(),
                                    format!("{code} has no attribute '{name}' for the capability on issue '{id}'"),
                                );
                                d.expected =
                                    Some(format!("`{name} = NUMBER` in {code}'s attributes"));
                                d.did_you_mean = suggestion;
                            }
                        }
                    }
                    (Capability::Given, Some(_)) => {}
                }
                positions.push(IssuePosition {
                    member: code.clone(),
                    position: *p.position.get_ref(),
                    salience: *p.salience.get_ref(),
                    capability: p.capability.as_ref().map(|c| *c.get_ref()),
                    source: p.source.get_ref().clone(),
                    attribution: p.attribution.unwrap_or(Attribution::Inferred),
                });
            }
            out.push(IssueDimension {
                id: id.clone(),
                label: i.label.clone(),
                description: i.description.clone(),
                scale_low: i.scale_low.clone(),
                scale_high: i.scale_high.clone(),
                capability: i.capability.clone(),
                positions,
            });
        }
        out
    }

    fn member_ref(&mut self, code: &Spanned<String>, members: &[Member], on: Option<Date>) -> bool {
        let name = code.get_ref();
        match members.iter().find(|m| m.code == *name) {
            Some(m) => {
                if let Some(date) = on
                    && !m.is_member_on(date)
                {
                    self.problem(
                        code.span(),
                        format!("{name} was not a member on {date} (joined {})", m.joined),
                    );
                    return false;
                }
                true
            }
            None => {
                let suggestion = did_you_mean(name, members.iter().map(|m| m.code.as_str()));
                let d = self.problem(code.span(), format!("unknown member '{name}'"));
                d.expected = Some("the code of a [[member]]".to_owned());
                d.did_you_mean = suggestion;
                false
            }
        }
    }

    fn required<'r, T>(
        &mut self,
        value: &'r Option<T>,
        field: &str,
        kind: RawEventType,
        span: Range<usize>,
    ) -> Option<&'r T> {
        if value.is_none() {
            self.problem(
                span,
                format!("a `{}` event needs `{field}`", type_name(kind)),
            );
        }
        value.as_ref()
    }

    fn event(
        &mut self,
        spanned: &Spanned<RawEvent>,
        members: &[Member],
        cx: &mut EventContext,
        default_author: &str,
    ) -> Option<Vec<NewEvent>> {
        let span = spanned.span();
        let e = spanned.get_ref();
        let date = self.date(&e.date);
        if e.source.get_ref().trim().is_empty() {
            self.problem(e.source.span(), "empty source").expected =
                Some("a URL or a citation: every claim needs a source".to_owned());
        }
        let attribution = e.attribution.unwrap_or(Attribution::Inferred);
        let confidence = match &e.confidence {
            Some(c) if !(0.0..=1.0).contains(c.get_ref()) => {
                self.problem(
                    c.span(),
                    format!("confidence {} is out of range", c.get_ref()),
                )
                .expected = Some("a number from 0 to 1".to_owned());
                0.0
            }
            Some(c) => *c.get_ref(),
            None => default_confidence(attribution),
        };
        let published = e.published.as_ref().and_then(|d| self.date(d));
        let report = Report {
            source: e.source.get_ref().clone(),
            attribution,
            confidence,
            speaker: e.speaker.clone(),
            published,
        };
        let author = e
            .author
            .clone()
            .unwrap_or_else(|| default_author.to_owned());
        let candidate_ref = |cx: &mut EventContext, c: &Spanned<String>| {
            cx.candidate_refs.push((c.get_ref().clone(), c.span()));
            c.get_ref().clone()
        };
        let kinds: Vec<EventKind> = match e.kind {
            RawEventType::Candidate => {
                let id = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                let name = self.required(&e.name, "name", e.kind, span.clone())?;
                if let Some(n) = &e.nationality {
                    self.member_ref(n, members, None);
                }
                let declared = match e.status.as_ref().map(|s| s.get_ref().as_str()) {
                    None | Some("declared") => true,
                    Some("potential") => false,
                    Some(other) => {
                        let s = e.status.as_ref().expect("matched Some");
                        let suggestion = did_you_mean(other, ["declared", "potential"]);
                        let d =
                            self.problem(s.span(), format!("unknown candidate status '{other}'"));
                        d.expected = Some("declared or potential".to_owned());
                        d.did_you_mean = suggestion;
                        return None;
                    }
                };
                match (&e.post, cx.posts.is_empty()) {
                    (Some(p), true) => {
                        self.problem(p.span(), "a post, but the contest is not a package")
                            .expected = Some(
                            "no `post`, or [[post]] tables declaring the package's posts"
                                .to_owned(),
                        );
                    }
                    (None, false) => {
                        self.problem(
                            span.clone(),
                            format!("candidate '{}' stands for no post", id.get_ref()),
                        )
                        .expected = Some(format!("`post = ` one of {}", cx.posts.join(", ")));
                    }
                    (Some(p), false) if !cx.posts.contains(p.get_ref()) => {
                        let suggestion =
                            did_you_mean(p.get_ref(), cx.posts.iter().map(String::as_str));
                        let d = self.problem(p.span(), format!("unknown post '{}'", p.get_ref()));
                        d.expected = Some(format!(
                            "one of the package's posts: {}",
                            cx.posts.join(", ")
                        ));
                        d.did_you_mean = suggestion;
                    }
                    _ => {}
                }
                cx.candidates.insert(id.get_ref().clone());
                if let Some(d) = date {
                    let first = cx.entered.entry(id.get_ref().clone()).or_insert(d);
                    *first = (*first).min(d);
                }
                vec![EventKind::CandidateEntered {
                    candidate: CandidateProfile {
                        id: id.get_ref().clone(),
                        name: name.clone(),
                        nationality: e.nationality.as_ref().map(|n| n.get_ref().clone()),
                        profile: e.profile.clone(),
                        post: e.post.as_ref().map(|p| p.get_ref().clone()),
                    },
                    declared,
                    report,
                }]
            }
            RawEventType::Withdraw => {
                let c = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                vec![EventKind::CandidateWithdrew {
                    candidate: candidate_ref(cx, c),
                    report,
                }]
            }
            RawEventType::Decision => {
                let c = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                vec![EventKind::DecisionRecorded {
                    candidate: candidate_ref(cx, c),
                    report,
                }]
            }
            RawEventType::Stance => {
                let c = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                let stance = *self.required(&e.stance, "stance", e.kind, span.clone())?;
                let candidate = candidate_ref(cx, c);
                let who: Vec<&Spanned<String>> = match (&e.member, &e.members) {
                    (Some(m), None) => vec![m],
                    (None, Some(ms)) if !ms.is_empty() => ms.iter().collect(),
                    _ => {
                        self.problem(
                            span,
                            "a `stance` event needs `member` or `members` (not both)",
                        );
                        return None;
                    }
                };
                if let Some(f) = &e.follows {
                    self.member_ref(f, members, None);
                }
                if let Some(l) = &e.linked_to {
                    if *l.get_ref() == cx.contest {
                        self.problem(
                            l.span(),
                            format!("a stance of '{}' linked to itself", cx.contest),
                        )
                        .expected = Some("the id of another contest".to_owned());
                    } else {
                        let location = self.at(l.span());
                        cx.links.push(LinkRef {
                            contest: l.get_ref().clone(),
                            location,
                        });
                    }
                }
                let mut out = Vec::new();
                for m in who {
                    if !self.member_ref(m, members, date) {
                        continue;
                    }
                    for c in &e.conditions {
                        cx.condition_refs.push((
                            ConditionRef {
                                member: m.get_ref().clone(),
                                condition: c.get_ref().clone(),
                            },
                            c.span(),
                        ));
                    }
                    out.push(EventKind::StanceReported(StanceReport {
                        member: m.get_ref().clone(),
                        candidate: candidate.clone(),
                        stance,
                        reasons: e.reasons.clone(),
                        conditions: e.conditions.iter().map(|c| c.get_ref().clone()).collect(),
                        follows: e.follows.as_ref().map(|f| f.get_ref().clone()),
                        linked_to: e.linked_to.as_ref().map(|l| l.get_ref().clone()),
                        visibility: e.visibility.unwrap_or_default(),
                        report: report.clone(),
                    }));
                }
                out
            }
            RawEventType::Condition => {
                let m = self.required(&e.member, "member", e.kind, span.clone())?;
                let condition = self.required(&e.condition, "condition", e.kind, span.clone())?;
                let text = self.required(&e.text, "text", e.kind, span.clone())?;
                self.member_ref(m, members, date);
                let candidate = e.candidate.as_ref().map(|c| candidate_ref(cx, c));
                cx.conditions.insert(ConditionRef {
                    member: m.get_ref().clone(),
                    condition: condition.clone(),
                });
                vec![EventKind::ConditionSet {
                    member: m.get_ref().clone(),
                    candidate,
                    condition: condition.clone(),
                    text: text.clone(),
                    report,
                }]
            }
            RawEventType::Commitment => {
                let c = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                let text = self.required(&e.text, "text", e.kind, span.clone())?;
                let mut meets = Vec::new();
                for m in &e.meets {
                    match m.get_ref().split_once(':') {
                        Some((member, condition)) => {
                            let r = ConditionRef {
                                member: member.to_owned(),
                                condition: condition.to_owned(),
                            };
                            cx.condition_refs.push((r.clone(), m.span()));
                            meets.push(r);
                        }
                        None => {
                            self.problem(m.span(), format!("'{}' names no member", m.get_ref()))
                                .expected =
                                Some("MEMBER:condition-id, e.g. EST:russia-focus".to_owned());
                        }
                    }
                }
                vec![EventKind::CommitmentMade {
                    candidate: candidate_ref(cx, c),
                    text: text.clone(),
                    meets,
                    report,
                }]
            }
            RawEventType::Milestone => {
                let id = self.required(&e.id, "id", e.kind, span.clone())?;
                let label = self.required(&e.label, "label", e.kind, span.clone())?;
                let on = self.required(&e.on, "on", e.kind, span.clone())?;
                let kind = *self.required(&e.milestone, "milestone", e.kind, span.clone())?;
                let on = self.date(on)?;
                vec![EventKind::MilestoneSet {
                    milestone: Milestone {
                        id: id.clone(),
                        label: label.clone(),
                        date: on,
                        kind,
                    },
                    report,
                }]
            }
            RawEventType::StrawPoll => {
                let round = *self.required(&e.round, "round", e.kind, span.clone())?;
                let seats = date.map_or(members.len(), |d| {
                    members.iter().filter(|m| m.is_member_on(d)).count()
                });
                let mut results = Vec::new();
                for r in &e.results {
                    let (en, dis, none) = (
                        *r.encourage.get_ref(),
                        *r.discourage.get_ref(),
                        *r.no_opinion.get_ref(),
                    );
                    // The rule is the guard's; here each problem gets the span it is about.
                    for (field, message, expected) in crate::guard::tally_problems(
                        round,
                        r.candidate.get_ref(),
                        [en, dis, none],
                        r.p5_discourage.as_ref().map(|p| *p.get_ref()),
                        seats,
                    ) {
                        let span = match (field, &r.p5_discourage) {
                            ("p5_discourage", Some(p5)) => p5.span(),
                            _ => r.encourage.span().start..r.no_opinion.span().end,
                        };
                        self.problem(span, message).expected = Some(expected);
                    }
                    if let Some(d) = date {
                        cx.round_refs.push((
                            r.candidate.get_ref().clone(),
                            round,
                            d,
                            r.candidate.span(),
                        ));
                    }
                    results.push(StrawPollResult {
                        candidate: candidate_ref(cx, &r.candidate),
                        encourage: en,
                        discourage: dis,
                        no_opinion: none,
                        p5_discourage: r.p5_discourage.as_ref().map(|p| *p.get_ref()),
                    });
                }
                vec![EventKind::StrawPollRecorded {
                    round,
                    results,
                    colour_coded: e.colour_coded.unwrap_or(false),
                    report,
                }]
            }
            RawEventType::Consultation => {
                let round = *self.required(&e.round, "round", e.kind, span.clone())?;
                if e.advanced.is_empty() && e.eliminated.is_empty() {
                    self.problem(span.clone(), "a `consultation` event names no candidate")
                        .expected =
                        Some("`advanced` and/or `eliminated`: lists of candidate ids".to_owned());
                }
                let mut seen = BTreeSet::new();
                for c in e.advanced.iter().chain(&e.eliminated) {
                    if !seen.insert(c.get_ref().clone()) {
                        self.problem(c.span(), crate::guard::named_twice(round, c.get_ref()))
                            .expected =
                            Some("each candidate either advanced or eliminated, once".to_owned());
                    }
                    if let Some(d) = date {
                        cx.round_refs
                            .push((c.get_ref().clone(), round, d, c.span()));
                    }
                }
                vec![EventKind::ConsultationRound {
                    round,
                    advanced: e.advanced.iter().map(|c| candidate_ref(cx, c)).collect(),
                    eliminated: e.eliminated.iter().map(|c| candidate_ref(cx, c)).collect(),
                    report,
                }]
            }
            RawEventType::Vote => {
                let c = self.required(&e.candidate, "candidate", e.kind, span.clone())?;
                vec![EventKind::VoteRecorded {
                    candidate: candidate_ref(cx, c),
                    in_favour: e.in_favour.unwrap_or(0),
                    against: e.against.unwrap_or(0),
                    abstentions: e.abstentions.unwrap_or(0),
                    report,
                }]
            }
            RawEventType::Extension => {
                let end = self.required(&e.new_term_end, "new_term_end", e.kind, span.clone())?;
                let new_term_end = self.date(end)?;
                vec![EventKind::TermExtended {
                    new_term_end,
                    report,
                }]
            }
        };
        let valid = date?;
        Some(
            kinds
                .into_iter()
                .map(|kind| NewEvent {
                    valid,
                    author: author.clone(),
                    kind,
                })
                .collect(),
        )
    }
}

#[derive(Default)]
struct EventContext {
    /// This contest's id (a stance may not link to it).
    contest: String,
    /// The package's posts (empty for a single office).
    posts: Vec<String>,
    links: Vec<LinkRef>,
    candidates: BTreeSet<String>,
    /// When each candidate first entered (declared or potential).
    entered: BTreeMap<String, Date>,
    /// Candidates named in a round: (candidate, round, the round's date, where).
    round_refs: Vec<(String, u32, Date, Range<usize>)>,
    conditions: BTreeSet<ConditionRef>,
    candidate_refs: Vec<(String, Range<usize>)>,
    condition_refs: Vec<(ConditionRef, Range<usize>)>,
}

fn type_name(kind: RawEventType) -> &'static str {
    match kind {
        RawEventType::Candidate => "candidate",
        RawEventType::Withdraw => "withdraw",
        RawEventType::Stance => "stance",
        RawEventType::Condition => "condition",
        RawEventType::Commitment => "commitment",
        RawEventType::Milestone => "milestone",
        RawEventType::StrawPoll => "straw_poll",
        RawEventType::Consultation => "consultation",
        RawEventType::Vote => "vote",
        RawEventType::Decision => "decision",
        RawEventType::Extension => "extension",
    }
}
