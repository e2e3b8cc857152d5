//! The interchange format for historical contests (`cases/*.json`, documented in
//! `cases/README.md`): one real leadership selection as a dated event log. Any contest in the
//! format is read into a contest definition and domain events, so it can be replayed, shown and
//! back-tested like any other.
//!
//! Reading rules, chosen so that a forecast as of a date depends only on what was known then:
//! - An event is placed at the date it became *known*: its `date` (a month-only `YYYY-MM`
//!   counts as the last day of its month), or its source's `published` date when later.
//! - The office's term end is the one known at the opening; a `term_end` deadline learnt later
//!   moves it then. With none known at the opening, a stand-in a year after the opening is used
//!   and marked as assumed.
//! - Members enter as `unnamed-001…` placeholders, `members_count` of them. A member named by
//!   `actor_code(s)` (or by country names in `actor`) takes the place of a placeholder on the
//!   day it is first named, so the count never changes and nothing about a member is known
//!   before it is named. A group ("about two-thirds of allies", `actor_count`, "the European
//!   Union") gives its stance to that many members.
//! - A listed candidate enters with the first event that names it (`floated`: as a potential
//!   candidate; anything else: declared); one no event names (only tallies or the `candidates`
//!   list) enters at the opening.
//! - Nothing is dropped silently: every event the domain cannot use is listed in
//!   [`Case::unused`] with why; anything malformed, out of bounds or naming an unknown candidate
//!   rejects the file with a located diagnostic.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use jiff::ToSpan;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::countries;
use crate::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use crate::event::{BallotVotes, ConditionRef, EventKind, NewEvent, StanceReport, StrawPollResult};
use crate::model::{
    Attribution, CandidateProfile, ContestDefinition, Member, Milestone, MilestoneKind, Office,
    Organisation, Report, Reversion, Stance, Visibility,
};
use crate::rules::{DecisionRule, MajorityBase};
use crate::scenario::Scenario;

/// The most members a contest may have (the largest bodies that fill such offices have a few
/// hundred: the UN General Assembly, the Parliamentary Assembly of the Council of Europe).
pub const MAX_MEMBERS: u64 = 1000;
/// The most candidates a case may list.
pub const MAX_CANDIDATES: usize = 200;
/// The most events a case may hold.
pub const MAX_EVENTS: usize = 10_000;
/// The largest count a vote or tally may carry.
pub const MAX_COUNT: u64 = 1_000_000;

#[derive(Debug, Deserialize)]
struct RawCase {
    id: String,
    organisation: String,
    office: String,
    decision_rule: String,
    members_count: u64,
    candidates: Vec<String>,
    events: Vec<Value>,
    /// Absent for a contest still open.
    #[serde(default)]
    outcome: Option<RawOutcome>,
    #[serde(default)]
    reversion_kind: Option<String>,
}

#[derive(Debug, Deserialize)]
struct RawOutcome {
    winner: String,
    decision_date: String,
}

#[derive(Debug, Deserialize)]
struct RawCaseEvent {
    date: String,
    kind: String,
    actor: String,
    candidate: Option<String>,
    #[serde(default)]
    detail: String,
    source: String,
    #[serde(default)]
    published: Option<String>,
    #[serde(default)]
    approx: bool,
    #[serde(default)]
    uncertain: bool,
    #[serde(default)]
    actor_code: Option<String>,
    #[serde(default)]
    actor_codes: Vec<String>,
    #[serde(default)]
    actor_count: Option<u64>,
    #[serde(default)]
    attribution: Option<String>,
    #[serde(default)]
    conditions: Vec<String>,
    #[serde(default)]
    meets_conditions_of: Option<String>,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    milestone_kind: Option<String>,
    #[serde(default)]
    deadline_date: Option<String>,
    #[serde(default)]
    tally: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    votes: Option<BTreeMap<String, Value>>,
    #[serde(default)]
    vote: Option<Value>,
    #[serde(default)]
    needed: Option<u64>,
    #[serde(default)]
    voters: Option<u64>,
    #[serde(default)]
    eliminated: Vec<String>,
    #[serde(default)]
    advanced: Vec<String>,
    #[serde(default)]
    round: Option<Value>,
    /// The UN files number straw polls as `poll`.
    #[serde(default)]
    poll: Option<Value>,
    #[serde(default)]
    colour_coded: bool,
    #[serde(default)]
    new_term_end: Option<String>,
}

/// What happened in the end: for scoring only, never for forecasting.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The winner's candidate id.
    pub winner: String,
    /// The winner as the file writes it.
    pub winner_text: String,
    pub decision_date: Date,
}

/// An event of the file the domain cannot use, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unused {
    /// `$.events[3]`.
    pub path: String,
    /// The event's kind in the file.
    pub kind: String,
    pub reason: String,
}

impl fmt::Display for Unused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}): {}", self.path, self.kind, self.reason)
    }
}

/// A historical contest read from the interchange format.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub scenario: Scenario,
    /// `None` for a contest still open.
    pub outcome: Option<Outcome>,
    /// Events (or parts of events) the domain cannot use, with why.
    pub unused: Vec<Unused>,
}

/// A candidate id from a name: lower-case ASCII letters and digits joined by '-'.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for word in name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if !out.is_empty() {
            out.push('-');
        }
        out.extend(
            word.chars()
                .flat_map(char::to_lowercase)
                .filter(char::is_ascii_alphanumeric),
        );
    }
    out
}

/// Reads a case's date: `YYYY-MM-DD`, or `YYYY-MM` taken as the last day of the month.
pub fn case_date(s: &str) -> Option<Date> {
    if let Ok(d) = s.parse::<Date>() {
        return Some(d);
    }
    let (y, m) = s.split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let first = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
    first.last_of_month().into()
}

/// The kinds of event that can still follow the decision: a later meeting or vote confirming
/// it, a term extension, taking office.
const AFTER_DECISION_KINDS: [&str; 5] =
    ["deadline", "vote", "extension", "decision", "took_office"];

/// The kinds of event that put a floated candidate in the race: members act on it.
const PARTICIPATING_KINDS: [&str; 6] = [
    "endorse",
    "withhold",
    "object",
    "condition",
    "commitment",
    "decision",
];

const KINDS: [&str; 14] = [
    "candidacy",
    "floated",
    "endorse",
    "withhold",
    "object",
    "condition",
    "commitment",
    "withdraw",
    "straw_poll",
    "vote",
    "decision",
    "deadline",
    "took_office",
    "extension",
];

/// The placeholder code of the `n`-th (1-based) unnamed member.
pub fn placeholder(n: usize) -> String {
    format!("unnamed-{n:03}")
}

/// Cuts a label at a word boundary so it fits `max` characters.
fn label(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    for word in text.split_whitespace() {
        if out.chars().count() + word.chars().count() + 2 > max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.push('…');
    out
}

/// How many members a group actor stands for, read from its description: "about 50
/// delegations", "two-thirds of allies", "21 allies". `None` when it gives no count.
pub fn group_size(actor: &str, members_count: u64) -> Option<(u64, bool)> {
    let text = actor.to_lowercase();
    let approx = [
        "about",
        "around",
        "some ",
        "nearly",
        "roughly",
        "more than",
        "over ",
    ]
    .iter()
    .any(|w| text.contains(w));
    let fractions: [(&str, f64); 6] = [
        ("two-thirds", 2.0 / 3.0),
        ("two thirds", 2.0 / 3.0),
        ("three-quarters", 0.75),
        ("three quarters", 0.75),
        ("half", 0.5),
        ("a third", 1.0 / 3.0),
    ];
    for (phrase, share) in fractions {
        if text.contains(phrase) {
            return Some(((share * members_count as f64).round() as u64, true));
        }
    }
    const WORDS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    for word in text.split(|c: char| !c.is_alphanumeric()) {
        if let Ok(n) = word.parse::<u64>() {
            return Some((n, approx));
        }
        if let Some(n) = WORDS.iter().position(|w| *w == word).filter(|n| *n >= 2) {
            return Some((n as u64, approx));
        }
    }
    None
}

/// Whether an actor names the European Union's members as a bloc.
fn is_eu_bloc(actor: &str) -> bool {
    let mut plain = String::new();
    let mut depth = 0usize;
    for ch in actor.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => plain.push(ch),
            _ => {}
        }
    }
    let words: Vec<String> = plain
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let names_eu = words.iter().any(|w| w == "eu")
        || words
            .windows(2)
            .any(|w| w[0] == "european" && w[1] == "union");
    let allowed = [
        "the",
        "eu",
        "european",
        "union",
        "s",
        "member",
        "members",
        "states",
        "state",
        "its",
        "all",
        "countries",
        "governments",
    ];
    names_eu
        && words
            .iter()
            .all(|w| allowed.contains(&w.as_str()) || w.parse::<u32>().is_ok())
}

/// Who acts in an event.
#[derive(Debug, Clone, PartialEq)]
enum Actors {
    Named(Vec<String>),
    /// A group of this many members not named individually.
    Count(u64),
    Nobody,
}

/// One event as read, with the date it became known.
struct Read {
    index: usize,
    e: RawCaseEvent,
    known: Date,
}

/// The reader's running picture of the members, so that named members and groups map onto
/// the fixed number of seats without knowing the future.
struct Seats {
    /// Member code → whether it is a placeholder still seated.
    named: BTreeSet<String>,
    /// Placeholders still seated, by number.
    free: BTreeSet<usize>,
    /// Each member's latest stance per candidate.
    stances: HashMap<(String, String), Stance>,
}

impl Seats {
    fn has_stance(&self, member: &str) -> bool {
        self.stances.keys().any(|(m, _)| m == member)
    }

    /// The placeholder a newly named member replaces: one that has the same stance on the same
    /// candidate (the group it was counted in), else the highest-numbered one without a stance,
    /// else the highest-numbered.
    fn seat_for(&self, first_stance: Option<(&str, Stance)>) -> Option<usize> {
        if let Some((candidate, stance)) = first_stance
            && let Some(n) = self.free.iter().rev().find(|n| {
                self.stances.get(&(placeholder(**n), candidate.to_owned())) == Some(&stance)
            })
        {
            return Some(*n);
        }
        self.free
            .iter()
            .rev()
            .find(|n| !self.has_stance(&placeholder(**n)))
            .or_else(|| self.free.iter().next_back())
            .copied()
    }
}

fn loc(file: &str, path: impl Into<String>) -> Location {
    Location::Json {
        file: file.to_owned(),
        path: path.into(),
    }
}

/// Parses one case file. `file` names it in diagnostics (with JSON paths).
pub fn parse(file: &str, text: &str) -> Result<Case, Diagnostics> {
    let raw: RawCase = serde_json::from_str(text).map_err(|e| {
        Diagnostics(vec![Diagnostic::new(
            Location::Text {
                file: file.to_owned(),
                line: e.line(),
                column: e.column(),
            },
            e.to_string(),
        )])
    })?;
    let mut problems = Diagnostics::default();
    let at = |path: &str| loc(file, path);

    if raw.members_count == 0 || raw.members_count > MAX_MEMBERS {
        problems.push(
            Diagnostic::new(
                at("$.members_count"),
                format!("{} members is out of bounds", raw.members_count),
            )
            .expected(format!("between 1 and {MAX_MEMBERS}")),
        );
        // Nothing else can be read sensibly with an absurd membership.
        return Err(problems);
    }
    if raw.candidates.len() > MAX_CANDIDATES {
        problems.push(
            Diagnostic::new(
                at("$.candidates"),
                format!("{} candidates", raw.candidates.len()),
            )
            .expected(format!("at most {MAX_CANDIDATES}")),
        );
    }
    if raw.events.len() > MAX_EVENTS {
        problems.push(
            Diagnostic::new(at("$.events"), format!("{} events", raw.events.len()))
                .expected(format!("at most {MAX_EVENTS}")),
        );
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let members_count = raw.members_count as usize;
    let rule = match raw.decision_rule.as_str() {
        "consensus" => DecisionRule::Consensus,
        "unanimity" => DecisionRule::Unanimity {
            abstention_blocks: false,
        },
        "majority" => DecisionRule::Majority {
            threshold: 0.5,
            base: MajorityBase::AllMembers,
            comparison: Default::default(),
        },
        // A case's seats carry no population, so only the qualified majority's member
        // criterion can be counted: 55 % of the members.
        "qualified_majority" => DecisionRule::Majority {
            threshold: 0.55,
            base: MajorityBase::AllMembers,
            comparison: crate::rules::Comparison::AtLeast,
        },
        "unsc_veto_majority" => DecisionRule::un_security_council(),
        other => {
            problems.push(
                Diagnostic::new(at("$.decision_rule"), format!("unknown rule '{other}'"))
                    .expected(
                        "consensus, unanimity, majority, qualified_majority or unsc_veto_majority",
                    )
                    .suggest(did_you_mean(
                        other,
                        [
                            "consensus",
                            "unanimity",
                            "majority",
                            "qualified_majority",
                            "unsc_veto_majority",
                        ],
                    )),
            );
            DecisionRule::Consensus
        }
    };
    let reversion = match raw.reversion_kind.as_deref() {
        None | Some("extension") => Reversion::Extension,
        Some("interim") => Reversion::Interim,
        Some("vacant") => Reversion::Vacant,
        Some(other) => {
            problems.push(
                Diagnostic::new(
                    at("$.reversion_kind"),
                    format!("unknown reversion '{other}'"),
                )
                .expected("extension, interim or vacant"),
            );
            Reversion::Extension
        }
    };

    // Candidates: names → ids, each id once.
    let mut ids: BTreeMap<String, String> = BTreeMap::new();
    let mut seen_ids: BTreeMap<String, usize> = BTreeMap::new();
    for (i, name) in raw.candidates.iter().enumerate() {
        let id = slug(name);
        if id.is_empty() {
            problems.push(Diagnostic::new(
                at(&format!("$.candidates[{i}]")),
                format!("'{name}' gives no usable id"),
            ));
        } else if let Some(j) = seen_ids.insert(id.clone(), i) {
            problems.push(Diagnostic::new(
                at(&format!("$.candidates[{i}]")),
                format!("'{name}' is listed twice (also $.candidates[{j}])"),
            ));
        }
        ids.insert(name.clone(), id);
    }
    let candidate_names: Vec<&str> = raw.candidates.iter().map(String::as_str).collect();
    let unknown_candidate = |path: String, name: &str| {
        Diagnostic::new(
            loc(file, path),
            format!("'{name}' is not among the listed candidates"),
        )
        .expected("a name exactly as written in $.candidates")
        .suggest(did_you_mean(name, candidate_names.iter().copied()))
    };

    // Read every event and the date it became known.
    let mut reads: Vec<Read> = Vec::new();
    for (index, value) in raw.events.iter().enumerate() {
        let path = format!("$.events[{index}]");
        let e: RawCaseEvent = match serde_json::from_value(value.clone()) {
            Ok(e) => e,
            Err(err) => {
                problems.push(Diagnostic::new(at(&path), err.to_string()));
                continue;
            }
        };
        let Some(date) = case_date(&e.date) else {
            problems.push(
                Diagnostic::new(
                    at(&format!("{path}.date")),
                    format!("'{}' is not a date", e.date),
                )
                .expected("YYYY-MM-DD or YYYY-MM"),
            );
            continue;
        };
        let published = match e.published.as_deref() {
            None => None,
            Some(p) => match case_date(p) {
                Some(p) => Some(p),
                None => {
                    problems.push(
                        Diagnostic::new(
                            at(&format!("{path}.published")),
                            format!("'{p}' is not a date"),
                        )
                        .expected("YYYY-MM-DD or YYYY-MM"),
                    );
                    continue;
                }
            },
        };
        if let Some(name) = &e.candidate
            && !ids.contains_key(name)
        {
            problems.push(unknown_candidate(format!("{path}.candidate"), name));
        }
        for code in e.actor_code.iter().chain(&e.actor_codes) {
            if !(code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase())) {
                problems.push(
                    Diagnostic::new(
                        at(&format!("{path}.actor_code")),
                        format!("'{code}' is not a member code"),
                    )
                    .expected("ISO 3166-1 alpha-3, upper case (HUN)"),
                );
            }
        }
        if e.actor_count == Some(0) {
            problems.push(
                Diagnostic::new(at(&format!("{path}.actor_count")), "a group of 0")
                    .expected("a group of at least 1"),
            );
        }
        if !KINDS.contains(&e.kind.as_str()) {
            problems.push(
                Diagnostic::new(
                    at(&format!("{path}.kind")),
                    format!("unknown event kind '{}'", e.kind),
                )
                .expected(KINDS.join(", "))
                .suggest(did_you_mean(&e.kind, KINDS)),
            );
        }
        let known = published.map_or(date, |p| p.max(date));
        reads.push(Read { index, e, known });
    }
    // Placed at the date each became known; the file's order breaks ties.
    reads.sort_by_key(|r| (r.known, r.index));
    let Some(opened) = reads.first().map(|r| r.known) else {
        if problems.is_empty() {
            problems
                .push(Diagnostic::new(at("$.events"), "no events").expected("at least one event"));
        }
        return Err(problems);
    };

    // When each candidate enters, and as what: with the first event that mentions it (as its
    // candidate, in a tally, in a ballot), floated or declared.
    let mut entry: BTreeMap<String, (usize, bool)> = BTreeMap::new();
    for (pos, r) in reads.iter().enumerate() {
        let mentioned =
            r.e.candidate
                .iter()
                .chain(r.e.tally.iter().flat_map(|t| t.keys()))
                .chain(r.e.votes.iter().flat_map(|v| v.keys()))
                .chain(&r.e.eliminated)
                .chain(&r.e.advanced);
        for name in mentioned {
            if let Some(id) = ids.get(name) {
                let floated = r.e.kind == "floated" && r.e.candidate.as_ref() == Some(name);
                entry.entry(id.clone()).or_insert((pos, floated));
            }
        }
    }
    let mut entering: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (id, (pos, _)) in &entry {
        entering.entry(*pos).or_default().push(id.clone());
    }

    let mut events: Vec<NewEvent> = Vec::new();
    let mut unused: Vec<Unused> = Vec::new();
    let author = format!("interchange:{}", raw.id);
    let report_of = |r: &Read| -> Report {
        let attribution =
            r.e.attribution
                .as_deref()
                .and_then(Attribution::parse)
                .unwrap_or(Attribution::Anonymous);
        // Approximate or disputed facts are worth less than firm ones.
        let confidence = crate::scenario::default_confidence(attribution)
            * if r.e.uncertain { 0.7 } else { 1.0 }
            * if r.e.approx { 0.9 } else { 1.0 };
        Report {
            source: r.e.source.clone(),
            attribution,
            confidence,
            speaker: (attribution == Attribution::OnRecord).then(|| r.e.actor.clone()),
            published: (r.known > case_date(&r.e.date).unwrap_or(r.known)).then_some(r.known),
        }
    };
    for r in &reads {
        if let Some(a) = r.e.attribution.as_deref()
            && Attribution::parse(a).is_none()
        {
            problems.push(
                Diagnostic::new(
                    at(&format!("$.events[{}].attribution", r.index)),
                    format!("unknown attribution '{a}'"),
                )
                .expected("official, on_record or anonymous"),
            );
        }
    }

    // Candidates no event names are in the race from the opening.
    let mut entered: BTreeSet<String> = BTreeSet::new();
    let opening_report = Report {
        source: format!("{file}: listed among the candidates"),
        attribution: Attribution::Inferred,
        confidence: 0.5,
        speaker: None,
        published: None,
    };
    for name in &raw.candidates {
        let id = &ids[name];
        if !entry.contains_key(id) && entered.insert(id.clone()) {
            events.push(NewEvent {
                valid: opened,
                author: author.clone(),
                kind: EventKind::CandidateEntered {
                    candidate: CandidateProfile {
                        id: id.clone(),
                        name: name.clone(),
                        nationality: None,
                        profile: Default::default(),
                        post: None,
                    },
                    declared: true,
                    report: opening_report.clone(),
                },
            });
        }
    }

    let mut seats = Seats {
        named: BTreeSet::new(),
        free: (1..=members_count).collect(),
        stances: HashMap::new(),
    };
    let mut conditions_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut term_end_at_opening: Option<Date> = None;
    // Candidates floated and not (yet) in the race, and candidates who withdrew or were
    // eliminated.
    let mut floated: BTreeSet<String> = BTreeSet::new();
    let mut withdrawn: BTreeSet<String> = BTreeSet::new();
    // When the file's own decision became known: what only became known later cannot change
    // the contest (it is listed as unused). The file's decision event, not its outcome, so a
    // forecast never reads the outcome.
    let decided_on: Option<Date> = reads
        .iter()
        .find(|r| {
            r.e.kind == "decision" && r.e.candidate.as_ref().is_some_and(|n| ids.contains_key(n))
        })
        .map(|r| r.known);

    for (pos, r) in reads.iter().enumerate() {
        let e = &r.e;
        let path = format!("$.events[{}]", r.index);
        let date = r.known;
        if decided_on.is_some_and(|d| date > d) && !AFTER_DECISION_KINDS.contains(&e.kind.as_str())
        {
            unused.push(Unused {
                path,
                kind: e.kind.clone(),
                reason: format!(
                    "known only on {date}, after the decision: it cannot change the contest"
                ),
            });
            continue;
        }
        let report = report_of(r);
        let candidate: Option<String> = e.candidate.as_ref().and_then(|n| ids.get(n)).cloned();
        let mut push = |kind: EventKind| {
            events.push(NewEvent {
                valid: date,
                author: author.clone(),
                kind,
            });
        };
        // Candidates enter with the first event that mentions them.
        let mut introduced_here = false;
        for id in entering.get(&pos).into_iter().flatten() {
            if !entered.insert(id.clone()) {
                continue;
            }
            let is_floated = entry[id].1;
            if is_floated {
                floated.insert(id.clone());
            }
            let name = raw
                .candidates
                .iter()
                .find(|n| ids[*n] == *id)
                .cloned()
                .unwrap_or_default();
            let own_event = candidate.as_deref() == Some(id.as_str());
            introduced_here |= own_event;
            push(EventKind::CandidateEntered {
                candidate: CandidateProfile {
                    id: id.clone(),
                    name,
                    nationality: (own_event && (e.kind == "candidacy" || is_floated))
                        .then(|| e.actor_code.clone())
                        .flatten(),
                    profile: Default::default(),
                    post: None,
                },
                declared: !is_floated,
                report: report.clone(),
            });
        }
        if introduced_here && (e.kind == "candidacy" || e.kind == "floated") {
            continue;
        }
        // A floated candidate whom members back, hold, set conditions for or vote on is in the
        // race from then on, declared or not; so is a withdrawn or eliminated one who is back.
        let acted_on = candidate
            .iter()
            .filter(|_| PARTICIPATING_KINDS.contains(&e.kind.as_str()))
            .cloned()
            .chain(
                e.votes
                    .iter()
                    .flat_map(|v| v.keys())
                    .chain(e.tally.iter().flat_map(|t| t.keys()))
                    .chain(&e.advanced)
                    .filter_map(|n| ids.get(n).cloned()),
            )
            .collect::<BTreeSet<String>>();
        for id in acted_on {
            if !(floated.remove(&id) | withdrawn.remove(&id)) {
                continue;
            }
            let name = raw
                .candidates
                .iter()
                .find(|n| ids[*n] == id)
                .cloned()
                .unwrap_or_default();
            push(EventKind::CandidateEntered {
                candidate: CandidateProfile {
                    id,
                    name,
                    nationality: None,
                    profile: Default::default(),
                    post: None,
                },
                declared: true,
                report: report.clone(),
            });
        }
        for name in &e.eliminated {
            if let Some(id) = ids.get(name) {
                withdrawn.insert(id.clone());
            }
        }

        // Who acts: named members, a group, or nobody.
        let stance_kind = matches!(e.kind.as_str(), "endorse" | "withhold" | "object");
        let mut codes: Vec<String> = e.actor_code.iter().chain(&e.actor_codes).cloned().collect();
        let actors = if !codes.is_empty() {
            Actors::Named(codes.clone())
        } else if let Some(n) = e.actor_count {
            if n > raw.members_count {
                // A bloc of a wider membership (the EU's 27 behind a candidate before a
                // 24-seat board): who of the deciding body it includes is not known.
                unused.push(Unused {
                    path: path.clone(),
                    kind: e.kind.clone(),
                    reason: format!(
                        "a group of {n} is larger than the {} members who decide: not counted",
                        raw.members_count
                    ),
                });
                continue;
            }
            Actors::Count(n)
        } else if !(stance_kind || e.kind == "condition") {
            Actors::Nobody
        } else if let Some(listed) = countries::codes_in_list(&e.actor) {
            codes = listed.iter().map(|c| (*c).to_owned()).collect();
            Actors::Named(codes.clone())
        } else if is_eu_bloc(&e.actor) {
            codes = countries::eu_members_on(date)
                .iter()
                .map(|c| (*c).to_owned())
                .collect();
            Actors::Named(codes.clone())
        } else if let Some((n, _)) = group_size(&e.actor, raw.members_count) {
            Actors::Count(n.min(raw.members_count))
        } else {
            Actors::Nobody
        };
        let stance = match e.kind.as_str() {
            "endorse" => Some(Stance::Supports),
            "withhold" => Some(Stance::Withholds),
            "object" => Some(Stance::Objects),
            "condition" if candidate.is_some() => Some(Stance::Conditional),
            _ => None,
        };

        // Members named for the first time take a placeholder's seat.
        if let Actors::Named(named) = &actors {
            for code in named {
                if seats.named.contains(code) {
                    continue;
                }
                seats.named.insert(code.clone());
                let first = candidate.as_deref().zip(stance);
                let name = country_name(code);
                push(EventKind::MemberJoined {
                    member: Member {
                        code: code.clone(),
                        name,
                        joined: opened,
                        left: None,
                        attributes: Default::default(),
                        tags: if ["CHN", "FRA", "GBR", "RUS", "USA"].contains(&code.as_str()) {
                            vec!["p5".to_owned()]
                        } else {
                            Vec::new()
                        },
                    },
                    report: report.clone(),
                });
                match seats.seat_for(first) {
                    Some(n) => {
                        seats.free.remove(&n);
                        push(EventKind::MemberJoined {
                            member: Member {
                                code: placeholder(n),
                                name: "unnamed member".to_owned(),
                                joined: opened,
                                left: Some(date),
                                attributes: Default::default(),
                                tags: Vec::new(),
                            },
                            report: report.clone(),
                        });
                    }
                    None => unused.push(Unused {
                        path: path.clone(),
                        kind: e.kind.clone(),
                        reason: format!(
                            "{code} is named but all {members_count} seats are taken: members_count is too small"
                        ),
                    }),
                }
            }
        }

        let stance_event = |member: &str, stance: Stance, conditions: Vec<String>| {
            EventKind::StanceReported(StanceReport {
                member: member.to_owned(),
                candidate: candidate.clone().unwrap_or_default(),
                stance,
                reasons: e.reason.iter().cloned().collect(),
                conditions,
                follows: None,
                linked_to: None,
                visibility: Visibility::Public,
                report: report.clone(),
            })
        };
        match e.kind.as_str() {
            "candidacy" | "floated" => {
                // Already entered: a floated candidate who now declares.
                if let Some(id) = &candidate
                    && e.kind == "candidacy"
                {
                    floated.remove(id);
                    withdrawn.remove(id);
                    push(EventKind::CandidateEntered {
                        candidate: CandidateProfile {
                            id: id.clone(),
                            name: e.candidate.clone().unwrap_or_default(),
                            nationality: e.actor_code.clone(),
                            profile: Default::default(),
                            post: None,
                        },
                        declared: true,
                        report,
                    });
                } else if candidate.is_none() {
                    unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: "names no candidate".into(),
                    });
                }
            }
            "endorse" | "withhold" | "object" => {
                let (Some(c), Some(stance)) = (&candidate, stance) else {
                    unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: "names no candidate".into(),
                    });
                    continue;
                };
                match &actors {
                    Actors::Named(named) => {
                        for m in named {
                            seats.stances.insert((m.clone(), c.clone()), stance);
                            push(stance_event(m, stance, Vec::new()));
                        }
                    }
                    Actors::Count(n) => {
                        // The group brings the number of members with this stance up to n.
                        let have = seats
                            .stances
                            .iter()
                            .filter(|((_, cand), s)| cand == c && **s == stance)
                            .count() as u64;
                        let mut need = n.saturating_sub(have);
                        let seats_free: Vec<usize> = seats
                            .free
                            .iter()
                            .copied()
                            .filter(|k| !seats.stances.contains_key(&(placeholder(*k), c.clone())))
                            .collect();
                        for k in seats_free {
                            if need == 0 {
                                break;
                            }
                            need -= 1;
                            seats.stances.insert((placeholder(k), c.clone()), stance);
                            push(stance_event(&placeholder(k), stance, Vec::new()));
                        }
                        if need > 0 {
                            unused.push(Unused {
                                path,
                                kind: e.kind.clone(),
                                reason: format!(
                                    "the group of {n} exceeds the unnamed members left: {need} not counted"
                                ),
                            });
                        }
                    }
                    Actors::Nobody => unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: format!(
                            "'{}' names no member and no count (add actor_code(s) or actor_count)",
                            e.actor
                        ),
                    }),
                }
            }
            "condition" => {
                let Actors::Named(named) = &actors else {
                    unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: format!("condition by '{}', not by a named member", e.actor),
                    });
                    continue;
                };
                for m in named {
                    let list = conditions_of.entry(m.clone()).or_default();
                    let mut set = Vec::new();
                    for text in &e.conditions {
                        let id = format!("c{}", list.len() + 1);
                        list.push(id.clone());
                        set.push(id.clone());
                        push(EventKind::ConditionSet {
                            member: m.clone(),
                            candidate: candidate.clone(),
                            condition: id,
                            text: text.clone(),
                            report: report.clone(),
                        });
                    }
                    if let Some(c) = &candidate {
                        seats
                            .stances
                            .insert((m.clone(), c.clone()), Stance::Conditional);
                        push(stance_event(m, Stance::Conditional, set));
                    }
                }
            }
            "commitment" => {
                let Some(of) = &e.meets_conditions_of else {
                    unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: "meets nobody's conditions (no meets_conditions_of)".into(),
                    });
                    continue;
                };
                let meets: Vec<ConditionRef> = conditions_of
                    .get(of)
                    .into_iter()
                    .flatten()
                    .map(|c| ConditionRef {
                        member: of.clone(),
                        condition: c.clone(),
                    })
                    .collect();
                // A commitment no candidate makes (a deal struck by a third party) is made for
                // every candidate in the race by then.
                let for_candidates: Vec<String> = match &candidate {
                    Some(c) => vec![c.clone()],
                    None => entered.iter().cloned().collect(),
                };
                for c in for_candidates {
                    push(EventKind::CommitmentMade {
                        candidate: c,
                        text: e.detail.clone(),
                        meets: meets.clone(),
                        report: report.clone(),
                    });
                }
            }
            "withdraw" => match candidate {
                Some(c) => {
                    withdrawn.insert(c.clone());
                    push(EventKind::CandidateWithdrew {
                        candidate: c,
                        report,
                    });
                }
                None => unused.push(Unused {
                    path,
                    kind: e.kind.clone(),
                    reason: "names no candidate".into(),
                }),
            },
            "decision" => match candidate {
                Some(c) => push(EventKind::DecisionRecorded {
                    candidate: c,
                    report,
                }),
                None => unused.push(Unused {
                    path,
                    kind: e.kind.clone(),
                    reason: "a procedural decision that appoints no candidate".into(),
                }),
            },
            "deadline" => {
                let kind = match e.milestone_kind.as_deref() {
                    Some("target") => MilestoneKind::Target,
                    Some("meeting") => MilestoneKind::Meeting,
                    Some("hard_deadline") => MilestoneKind::HardDeadline,
                    Some("term_end") => MilestoneKind::TermEnd,
                    other => {
                        problems.push(
                            Diagnostic::new(
                                at(&format!("{path}.milestone_kind")),
                                format!("unknown milestone kind {other:?}"),
                            )
                            .expected("target, meeting, hard_deadline or term_end"),
                        );
                        continue;
                    }
                };
                // Without `deadline_date` the deadline is the event's own date (a meeting
                // held, a nomination period closing on the day it is reported).
                let on = match e.deadline_date.as_deref() {
                    None => case_date(&e.date).unwrap_or(date),
                    Some(text) => match case_date(text) {
                        Some(on) => on,
                        None => {
                            problems.push(
                                Diagnostic::new(
                                    at(&format!("{path}.deadline_date")),
                                    format!("'{text}' is not a date"),
                                )
                                .expected("YYYY-MM-DD or YYYY-MM"),
                            );
                            continue;
                        }
                    },
                };
                if kind == MilestoneKind::TermEnd && date == opened {
                    term_end_at_opening = Some(term_end_at_opening.map_or(on, |t| t.min(on)));
                }
                push(EventKind::MilestoneSet {
                    milestone: Milestone {
                        id: format!("{}-{on}", kind.as_str()),
                        label: label(&e.detail, 80),
                        date: on,
                        kind,
                    },
                    report,
                });
            }
            "straw_poll" => {
                let mut results = Vec::new();
                let round = e
                    .round
                    .as_ref()
                    .or(e.poll.as_ref())
                    .and_then(Value::as_u64)
                    .unwrap_or(0)
                    .min(u64::from(u32::MAX)) as u32;
                for (name, t) in e.tally.iter().flatten() {
                    let Some(id) = ids.get(name) else {
                        problems.push(unknown_candidate(format!("{path}.tally"), name));
                        continue;
                    };
                    let get = |k: &str| t.get(k).and_then(Value::as_u64);
                    match (get("encourage"), get("discourage")) {
                        (Some(en), Some(dis)) => {
                            let none = get("no_opinion").unwrap_or(0);
                            let p5 = get("p5_discourage");
                            let count = |v: u64| v.min(u64::from(u32::MAX)) as u32;
                            let found = crate::guard::tally_problems(
                                round,
                                name,
                                [count(en), count(dis), count(none)],
                                p5.map(count),
                                raw.members_count as usize,
                            );
                            for (_, message, expected) in &found {
                                problems.push(
                                    Diagnostic::new(at(&format!("{path}.tally")), message.clone())
                                        .expected(expected.clone()),
                                );
                            }
                            if found.is_empty() {
                                results.push(StrawPollResult {
                                    candidate: id.clone(),
                                    encourage: en as u32,
                                    discourage: dis as u32,
                                    no_opinion: none as u32,
                                    p5_discourage: p5.map(|v| v as u32),
                                });
                            }
                        }
                        _ => unused.push(Unused {
                            path: format!("{path}.tally"),
                            kind: e.kind.clone(),
                            reason: format!("{name}: counts not known"),
                        }),
                    }
                }
                let mut cut = |names: &[String], field: &str| -> Vec<String> {
                    names
                        .iter()
                        .filter_map(|name| match ids.get(name) {
                            Some(id) => Some(id.clone()),
                            None => {
                                problems.push(unknown_candidate(format!("{path}.{field}"), name));
                                None
                            }
                        })
                        .collect()
                };
                let advanced = cut(&e.advanced, "advanced");
                let eliminated = cut(&e.eliminated, "eliminated");
                if !results.is_empty() || (advanced.is_empty() && eliminated.is_empty()) {
                    push(EventKind::StrawPollRecorded {
                        round,
                        results,
                        colour_coded: e.colour_coded,
                        report: report.clone(),
                    });
                }
                if !advanced.is_empty() || !eliminated.is_empty() {
                    push(EventKind::ConsultationRound {
                        round,
                        advanced,
                        eliminated,
                        report,
                    });
                }
            }
            "vote" => {
                if let Some(votes) = &e.votes {
                    let mut list = Vec::new();
                    for (name, v) in votes {
                        let Some(id) = ids.get(name) else {
                            problems.push(unknown_candidate(format!("{path}.votes"), name));
                            continue;
                        };
                        match v.as_u64() {
                            Some(n) if n <= MAX_COUNT => list.push(BallotVotes {
                                candidate: id.clone(),
                                votes: n as u32,
                            }),
                            _ => problems.push(
                                Diagnostic::new(
                                    at(&format!("{path}.votes")),
                                    format!("{name}: {v} is not a count"),
                                )
                                .expected(format!("a whole number up to {MAX_COUNT}")),
                            ),
                        }
                    }
                    let mut eliminated = Vec::new();
                    for name in &e.eliminated {
                        match ids.get(name) {
                            Some(id) => eliminated.push(id.clone()),
                            None => {
                                problems.push(unknown_candidate(format!("{path}.eliminated"), name))
                            }
                        }
                    }
                    let bounded = |v: Option<u64>| v.map(|v| v.min(MAX_COUNT) as u32);
                    let round = e.round.as_ref().and_then(Value::as_u64).unwrap_or(0);
                    push(EventKind::BallotRecorded {
                        round: round.min(u64::from(u32::MAX)) as u32,
                        votes: list,
                        needed: bounded(e.needed),
                        voters: bounded(e.voters),
                        eliminated,
                        report,
                    });
                } else if let (Some(c), Some(tally)) = (&candidate, &e.vote) {
                    let get = |k: &str| {
                        tally
                            .get(k)
                            .and_then(Value::as_u64)
                            .unwrap_or(0)
                            .min(MAX_COUNT) as u32
                    };
                    push(EventKind::VoteRecorded {
                        candidate: c.clone(),
                        in_favour: get("for"),
                        against: get("against"),
                        abstentions: get("abstain"),
                        report,
                    });
                } else {
                    unused.push(Unused {
                        path,
                        kind: e.kind.clone(),
                        reason: "no per-candidate votes and no tally for a candidate".into(),
                    });
                }
            }
            "extension" => match e.new_term_end.as_deref() {
                Some(text) => match case_date(text) {
                    Some(end) => push(EventKind::TermExtended {
                        new_term_end: end,
                        report,
                    }),
                    None => problems.push(
                        Diagnostic::new(
                            at(&format!("{path}.new_term_end")),
                            format!("'{text}' is not a date"),
                        )
                        .expected("YYYY-MM-DD or YYYY-MM"),
                    ),
                },
                None => unused.push(Unused {
                    path,
                    kind: e.kind.clone(),
                    reason: "an extension with no end date (until a successor is found)".into(),
                }),
            },
            "took_office" => unused.push(Unused {
                path,
                kind: e.kind.clone(),
                reason: "taking office follows the decision: nothing to forecast".into(),
            }),
            _ => {} // reported above as an unknown kind
        }
    }

    let outcome = match &raw.outcome {
        None => None,
        Some(o) => {
            let decision_date = case_date(&o.decision_date);
            if decision_date.is_none() {
                problems.push(
                    Diagnostic::new(at("$.outcome.decision_date"), "not a date")
                        .expected("YYYY-MM-DD"),
                );
            }
            let winner = winner_id(&o.winner, &raw.candidates, &ids);
            if winner.is_none() {
                problems.push(
                    Diagnostic::new(
                        at("$.outcome.winner"),
                        format!("'{}' names no listed candidate", o.winner),
                    )
                    .expected("a name as written in $.candidates")
                    .suggest(did_you_mean(&o.winner, candidate_names.iter().copied())),
                );
            }
            decision_date.zip(winner).map(|(d, w)| Outcome {
                winner: w,
                winner_text: o.winner.clone(),
                decision_date: d,
            })
        }
    };
    if !problems.is_empty() {
        return Err(problems);
    }

    let (term_end, term_end_assumed) = match term_end_at_opening {
        Some(t) => (t, false),
        None => (opened.saturating_add(1.year()), true),
    };
    let members: Vec<Member> = (1..=members_count)
        .map(|n| Member {
            code: placeholder(n),
            name: "unnamed member".to_owned(),
            joined: opened,
            left: None,
            attributes: Default::default(),
            tags: Vec::new(),
        })
        .collect();
    Ok(Case {
        scenario: Scenario {
            definition: ContestDefinition {
                id: raw.id.clone(),
                title: format!("{} {}", raw.organisation, raw.office),
                organisation: Organisation {
                    id: slug(&raw.organisation),
                    name: raw.organisation,
                    members,
                },
                office: Office {
                    title: raw.office,
                    incumbent: None,
                    term_end,
                    term_end_assumed,
                    reversion,
                },
                rule,
                featured_date: None,
                description: None,
                issues: Vec::new(),
                posts: Vec::new(),
            },
            opened,
            events,
            links: Vec::new(),
        },
        outcome,
        unused,
    })
}

/// A country's English name from its code, or the code itself.
fn country_name(code: &str) -> String {
    countries::name_of(code).unwrap_or(code).to_owned()
}

/// The candidate a winner names: exactly as listed, or the one listed candidate whose every
/// name part appears in it (a free-text winner such as "Ursula von der Leyen (package deal)").
fn winner_id(
    winner: &str,
    candidates: &[String],
    ids: &BTreeMap<String, String>,
) -> Option<String> {
    if let Some(id) = ids.get(winner) {
        return Some(id.clone());
    }
    let words: BTreeSet<String> = slug(winner).split('-').map(str::to_owned).collect();
    let mut matching = candidates.iter().filter(|c| {
        let parts: Vec<String> = slug(c).split('-').map(str::to_owned).collect();
        parts.iter().all(|p| words.contains(p))
    });
    match (matching.next(), matching.next()) {
        (Some(only), None) => ids.get(only).cloned(),
        _ => None,
    }
}
