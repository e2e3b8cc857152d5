//! The one gate every write passes: new events checked against the contest they would join,
//! before anything is appended. The CLI (`record`, `import`), every API endpoint, every
//! dashboard form and the ledger's append path call the same [`Guard`], so no way in can skip a
//! check, and a refusal reads the same whichever face it came through.
//!
//! A refusal names the event of the batch and the *field* that is wrong (`date`, `candidate`,
//! `conditions[1]`, `draft`…); each face turns the field into its own location — a JSON path, a
//! command-line flag, a CSV column, a form field, a TOML span — with [`Refusal::locate`].
//!
//! What is checked, beyond the shape of each value:
//! - dates lie within the contest's life: not before it opened, not more than a day ahead of
//!   the clock, and not after its decision (a recorded decision, or a silence procedure adopted
//!   at its deadline) unless the kind still makes sense then (a milestone, a vote, a term
//!   extension, the confirming decision);
//! - members exist and belong to the organisation on the date; stances, conditions,
//!   commitments, decisions and withdrawals name a candidate *in the race on that date* —
//!   entered (declared or potential) by then and not withdrawn;
//! - ids (contest, candidate, condition, procedure, milestone) are 1–64 ASCII letters, digits,
//!   `-` or `_`, and procedure ids are unique;
//! - a silence procedure has a draft and a deadline still ahead; silence is broken or a draft
//!   withdrawn only while the procedure is open;
//! - a contest's rule has parameters its rule can count with (a threshold is a fraction…).
//!
//! Time is a parameter (`now`): the guard never reads a clock.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};

use crate::diagnostic::{Diagnostic, Location, did_you_mean};
use crate::event::{Event, EventKind, NewEvent};
use crate::model::{ContestDefinition, Member, Report};
use crate::procedure::SilenceStatus;
use crate::state::{SilenceBreak, SilenceState};

/// The longest id (contest, candidate, condition, procedure, milestone) accepted.
pub const MAX_ID_LEN: usize = 64;

/// How far ahead of the clock an event's date may be: a day, for the time zones ahead of UTC.
pub const FUTURE_SLACK_DAYS: i64 = 1;

/// One problem with one new event, at one field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// Which event of the batch (0-based).
    pub event: usize,
    /// The field at fault, named as the API's JSON, the CSV's columns and the CLI's flags name
    /// it: `date`, `member`, `candidate`, `conditions[0]`, `meets[1]`, `procedure`, `draft`…
    pub field: String,
    pub message: String,
    pub expected: Option<String>,
    pub did_you_mean: Option<String>,
    /// Why, in one stable word: `bad_input` for a wrong value; `procedure_closed` and
    /// `exists` when the value was fine but the contest has moved on (a face may answer those
    /// as a conflict rather than as bad input).
    pub code: &'static str,
}

impl Refusal {
    pub(crate) fn new(
        event: usize,
        field: impl Into<String>,
        message: impl Into<String>,
    ) -> Refusal {
        Refusal {
            event,
            field: field.into(),
            message: message.into(),
            expected: None,
            did_you_mean: None,
            code: "bad_input",
        }
    }

    fn code(mut self, code: &'static str) -> Refusal {
        self.code = code;
        self
    }

    fn expected(mut self, expected: impl Into<String>) -> Refusal {
        self.expected = Some(expected.into());
        self
    }

    fn suggest(mut self, suggestion: Option<String>) -> Refusal {
        self.did_you_mean = suggestion;
        self
    }

    /// The refusal as a diagnostic at `location` (the face's name for the field).
    pub fn locate(&self, location: Location) -> Diagnostic {
        Diagnostic {
            location,
            message: self.message.clone(),
            expected: self.expected.clone(),
            did_you_mean: self.did_you_mean.clone(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)?;
        if let Some(e) = &self.expected {
            write!(f, " (expected {e})")?;
        }
        if let Some(s) = &self.did_you_mean {
            write!(f, " — did you mean '{s}'?")?;
        }
        Ok(())
    }
}

/// Every problem with a batch of new events; a batch with any is refused whole.
#[derive(Debug, Clone, PartialEq, Eq, Default, thiserror::Error)]
pub struct Refusals(pub Vec<Refusal>);

impl fmt::Display for Refusals {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{r}")?;
        }
        Ok(())
    }
}

impl Refusals {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn into_result<T>(self, value: T) -> Result<T, Refusals> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

/// Checks an id: 1–64 ASCII letters, digits, `-` or `_`. `what` names it in the message.
pub fn check_id(what: &str, id: &str) -> Result<(), (String, String)> {
    let ok = !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err((
            format!("'{}' is not a valid {what} id", clip(id)),
            format!("1 to {MAX_ID_LEN} ASCII letters, digits, '-' or '_'"),
        ))
    }
}

/// The day `now` falls on in UTC.
pub fn today(now: Timestamp) -> Date {
    now.to_zoned_datetime(TimeZone::UTC).date()
}

/// A candidate's standing over time, as the log has it.
#[derive(Debug, Clone)]
struct Candidacy {
    name: String,
    /// (valid date, order, in the race after this change?) in log order.
    changes: Vec<(Date, u64, bool)>,
}

impl Candidacy {
    /// In the race on `date`: entered by then, and the last change on or before it an entry.
    /// For reports, a withdrawal counts from the next day: on the day itself, reports on the
    /// candidate (the reactions to the withdrawal) still belong to the race. For acts on the
    /// candidacy (a draft under silence, a decision) it counts on the day (`acts`).
    fn in_race_on(&self, date: Date, acts: bool) -> Option<bool> {
        self.changes
            .iter()
            .filter(|(d, _, in_race)| *d < date || ((*in_race || acts) && *d == date))
            .max_by_key(|(d, order, _)| (*d, *order))
            .map(|(_, _, in_race)| *in_race)
    }

    fn entered(&self) -> Option<Date> {
        self.changes
            .iter()
            .filter(|(_, _, in_race)| *in_race)
            .map(|(d, _, _)| *d)
            .min()
    }
}

/// What the checks need to know of a contest: its life, members, candidates over time,
/// conditions, procedures and decision. Built from the log in one pass and kept up to date
/// event by event, so a batch's later events see its earlier ones.
#[derive(Debug, Clone)]
pub struct Guard {
    contest: String,
    opened: Date,
    members: Vec<Member>,
    candidates: BTreeMap<String, Candidacy>,
    conditions: BTreeSet<(String, String)>,
    /// Conditions set by the batch being checked.
    batch_conditions: BTreeSet<(String, String)>,
    procedures: Vec<SilenceState>,
    /// The first recorded decision: date and candidate.
    decision: Option<(Date, String)>,
    /// The package's posts (empty for a single office).
    posts: Vec<String>,
    /// Candidates named in a round: (candidate, round, the round's date), so that a candidacy
    /// dated after a round that counted it is refused whichever comes first in a batch.
    round_refs: Vec<(String, u32, Date)>,
    /// Orders changes made on the same valid date: the later in the log wins.
    order: u64,
}

impl Guard {
    /// The guard of a contest whose log is `events` (starting with `contest_opened`).
    /// `None` for an empty log or one that does not start with the opening.
    pub fn of(events: &[Event]) -> Option<Guard> {
        let first = events.first()?;
        let EventKind::ContestOpened { contest } = &first.kind else {
            return None;
        };
        let mut guard = Guard::opening(contest, first.valid);
        for e in &events[1..] {
            guard.apply(e.valid, &e.kind, e.recorded_at);
        }
        Some(guard)
    }

    fn opening(contest: &ContestDefinition, opened: Date) -> Guard {
        Guard {
            contest: contest.id.clone(),
            opened,
            members: contest.organisation.members.clone(),
            candidates: BTreeMap::new(),
            conditions: BTreeSet::new(),
            batch_conditions: BTreeSet::new(),
            procedures: Vec::new(),
            decision: None,
            posts: contest.posts.iter().map(|p| p.id.clone()).collect(),
            round_refs: Vec::new(),
            order: 0,
        }
    }

    /// Checks a new contest: its opening event first, then the rest, as [`Guard::admit`] does.
    pub fn create(news: &[NewEvent], now: Timestamp) -> Result<Guard, Refusals> {
        let Some(first) = news.first() else {
            return Err(Refusals(vec![Refusal::new(
                0,
                "type",
                "a contest starts with its opening",
            )]));
        };
        let EventKind::ContestOpened { contest } = &first.kind else {
            return Err(Refusals(vec![Refusal::new(
                0,
                "type",
                format!(
                    "a contest starts with contest_opened, not {}",
                    first.kind.name()
                ),
            )]));
        };
        let mut problems = Refusals(check_definition(contest, first.valid, now));
        let mut guard = Guard::opening(contest, first.valid);
        if let Err(mut more) = guard.admit_from(&news[1..], now, 1) {
            problems.0.append(&mut more.0);
        }
        problems.into_result(guard)
    }

    /// Takes in events recorded since the guard was built (the log's tail, in log order).
    pub fn follow(&mut self, events: &[Event]) {
        for e in events {
            self.apply(e.valid, &e.kind, e.recorded_at);
        }
    }

    /// The id of the contest guarded.
    pub fn contest(&self) -> &str {
        &self.contest
    }

    /// The date the contest opened.
    pub fn opened(&self) -> Date {
        self.opened
    }

    /// When the contest was decided as of `now`: the first recorded decision, or a silence
    /// procedure adopted at its deadline by `now` (whichever comes first).
    pub fn decided(&self, now: Timestamp) -> Option<(Date, String, String)> {
        let recorded = self
            .decision
            .as_ref()
            .map(|(d, c)| (*d, c.clone(), "by a recorded decision".to_owned()));
        let adopted = self
            .procedures
            .iter()
            .filter(|p| p.status_at(now) == SilenceStatus::Adopted)
            .min_by_key(|p| p.deadline.timestamp())
            .map(|p| {
                (
                    p.deadline.date(),
                    p.candidate.clone(),
                    format!("by silence procedure {}", p.procedure),
                )
            });
        match (recorded, adopted) {
            (Some(r), Some(a)) => Some(if a.0 < r.0 { a } else { r }),
            (r, a) => r.or(a),
        }
    }

    /// Checks `news` against the contest and, when every event passes, takes them in (so the
    /// guard stays current). All or nothing: on any refusal the guard is unchanged.
    pub fn admit(&mut self, news: &[NewEvent], now: Timestamp) -> Result<(), Refusals> {
        self.admit_from(news, now, 0)
    }

    /// Checks `news` without taking them in.
    pub fn check(&self, news: &[NewEvent], now: Timestamp) -> Result<(), Refusals> {
        match news {
            // One event sees only the contest as it is: no copy of the guard is needed (the
            // common case: every command, every row of a file).
            [one] => {
                let mut problems = Vec::new();
                self.check_one(0, one, now, &mut problems);
                Refusals(problems).into_result(())
            }
            _ => self.clone().admit(news, now),
        }
    }

    fn admit_from(
        &mut self,
        news: &[NewEvent],
        now: Timestamp,
        offset: usize,
    ) -> Result<(), Refusals> {
        let mut next = self.clone();
        // A condition set anywhere in the batch may be referred to by any of its events: a
        // file lists them in its own order, and valid time, not file order, relates them.
        for new in news {
            if let EventKind::ConditionSet {
                member, condition, ..
            } = &new.kind
            {
                next.batch_conditions
                    .insert((member.clone(), condition.clone()));
            }
        }
        let mut problems = Vec::new();
        for (i, new) in news.iter().enumerate() {
            next.check_one(i + offset, new, now, &mut problems);
            // Taken in even when refused: the batch is then refused whole anyway, and its later
            // events are checked as if it stood, so one bad candidacy does not bury the file's
            // other problems under "unknown candidate" for every event that names it.
            next.apply(new.valid, &new.kind, now);
        }
        if problems.is_empty() {
            next.batch_conditions.clear();
            *self = next;
            Ok(())
        } else {
            Err(Refusals(problems))
        }
    }

    /// Takes an (already checked, or already recorded) event in.
    fn apply(&mut self, valid: Date, kind: &EventKind, recorded_at: Timestamp) {
        self.order += 1;
        let order = self.order;
        match kind {
            EventKind::MemberJoined { member, .. } => {
                self.members.retain(|m| m.code != member.code);
                self.members.push(member.clone());
            }
            EventKind::CandidateEntered { candidate, .. } => {
                let c = self
                    .candidates
                    .entry(candidate.id.clone())
                    .or_insert_with(|| Candidacy {
                        name: candidate.name.clone(),
                        changes: Vec::new(),
                    });
                c.name = candidate.name.clone();
                c.changes.push((valid, order, true));
            }
            EventKind::CandidateWithdrew { candidate, .. } => {
                if let Some(c) = self.candidates.get_mut(candidate) {
                    c.changes.push((valid, order, false));
                }
            }
            EventKind::ConditionSet {
                member, condition, ..
            } => {
                self.conditions.insert((member.clone(), condition.clone()));
            }
            EventKind::SilenceOpened {
                procedure,
                candidate,
                draft,
                deadline,
            } => self.procedures.push(SilenceState {
                procedure: procedure.clone(),
                candidate: candidate.clone(),
                draft: draft.clone(),
                deadline: deadline.clone(),
                opened_seq: 0,
                opened_at: recorded_at,
                breaks: Vec::new(),
                withdrawn: None,
            }),
            EventKind::SilenceBroken {
                procedure,
                member,
                statement,
            } => {
                if let Some(p) = self.procedure_mut(procedure) {
                    p.breaks.push(SilenceBreak {
                        member: member.clone(),
                        statement: statement.clone(),
                        recorded_at,
                    });
                }
            }
            EventKind::SilenceWithdrawn { procedure, reason } => {
                if let Some(p) = self.procedure_mut(procedure) {
                    p.withdrawn = Some(reason.clone());
                }
            }
            // Eliminated in a round: out of the race from the round's date, as a withdrawal.
            EventKind::ConsultationRound {
                round, eliminated, ..
            }
            | EventKind::BallotRecorded {
                round, eliminated, ..
            } => {
                for id in round_names(kind) {
                    self.round_refs.push((id.to_owned(), *round, valid));
                }
                for id in eliminated {
                    if let Some(c) = self.candidates.get_mut(id) {
                        c.changes.push((valid, order, false));
                    }
                }
            }
            EventKind::StrawPollRecorded { round, .. } => {
                for id in round_names(kind) {
                    self.round_refs.push((id.to_owned(), *round, valid));
                }
            }
            EventKind::DecisionRecorded { candidate, .. } => match &self.decision {
                Some((d, _)) if *d <= valid => {}
                _ => self.decision = Some((valid, candidate.clone())),
            },
            EventKind::ContestOpened { .. }
            | EventKind::StanceReported(_)
            | EventKind::CommitmentMade { .. }
            | EventKind::MilestoneSet { .. }
            | EventKind::VoteRecorded { .. }
            | EventKind::TermExtended { .. } => {}
        }
    }

    /// The next free `sp-N` procedure id.
    pub fn next_procedure_id(&self) -> String {
        let highest = self
            .procedures
            .iter()
            .filter_map(|p| p.procedure.strip_prefix("sp-")?.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        format!("sp-{}", highest.max(self.procedures.len() as u64) + 1)
    }

    fn procedure_mut(&mut self, id: &str) -> Option<&mut SilenceState> {
        self.procedures.iter_mut().find(|p| p.procedure == id)
    }

    fn check_one(&self, i: usize, new: &NewEvent, now: Timestamp, out: &mut Vec<Refusal>) {
        let date = new.valid;
        let mut problem = |r: Refusal| out.push(r);
        // The contest's life.
        if date < self.opened {
            problem(
                Refusal::new(
                    i,
                    "date",
                    format!(
                        "{date} is before {} opened on {}",
                        self.contest, self.opened
                    ),
                )
                .expected(format!("a date from {} on", self.opened)),
            );
        }
        let latest = today(now).saturating_add(FUTURE_SLACK_DAYS.days());
        if date > latest {
            problem(
                Refusal::new(i, "date", format!("{date} is in the future"))
                    .expected(format!("a date on or before {latest}")),
            );
        }
        if let Some((decided, candidate, how)) = self.decided(now)
            && date > decided
            && !allowed_after_decision(&new.kind, &candidate)
        {
            problem(
                Refusal::new(
                    i,
                    "date",
                    format!(
                        "{date} is after {} was decided on {decided} ({candidate} appointed {how}): a {} cannot follow the decision",
                        self.contest,
                        new.kind.name().replace('_', " ")
                    ),
                )
                .expected(format!("a date on or before {decided}")),
            );
        }
        if let Some(report) = new.kind.report() {
            check_report(i, report, out);
        }
        let mut problem = |r: Refusal| out.push(r);
        match &new.kind {
            EventKind::ContestOpened { .. } => problem(Refusal::new(
                i,
                "type",
                format!(
                    "{} is already open: contest_opened comes once",
                    self.contest
                ),
            )),
            EventKind::MemberJoined { member, .. } => {
                if let Err((m, e)) = check_member_code(&member.code) {
                    problem(Refusal::new(i, "member", m).expected(e));
                }
            }
            EventKind::CandidateEntered { candidate, .. } => {
                if let Err((m, e)) = check_id("candidate", &candidate.id) {
                    problem(Refusal::new(i, "candidate", m).expected(e));
                }
                if candidate.name.trim().is_empty() {
                    problem(Refusal::new(i, "name", "empty name").expected("the candidate's name"));
                }
                // A candidate's nationality need not be a member's (nor yet one): only its shape
                // is checked.
                if let Some(n) = &candidate.nationality
                    && let Err((m, e)) = check_member_code(n)
                {
                    out.push(Refusal::new(i, "nationality", m).expected(e));
                }
                if let Some(post) = &candidate.post
                    && !self.posts.contains(post)
                {
                    out.push(
                        Refusal::new(
                            i,
                            "post",
                            format!("no post '{}' in {}", clip(post), self.contest),
                        )
                        .expected(if self.posts.is_empty() {
                            format!("no post: {} is a single office", self.contest)
                        } else {
                            format!("one of {}", self.posts.join(", "))
                        })
                        .suggest(did_you_mean(post, self.posts.iter().map(String::as_str))),
                    );
                }
                // A round that counted the candidate before this entry, with no earlier entry.
                let entered_before = |d: Date| {
                    self.candidates
                        .get(&candidate.id)
                        .and_then(Candidacy::entered)
                        .is_some_and(|e| e <= d)
                };
                if let Some((_, round, on)) = self
                    .round_refs
                    .iter()
                    .filter(|(id, _, on)| *id == candidate.id && *on < date && !entered_before(*on))
                    .min_by_key(|(_, _, on)| *on)
                {
                    out.push(
                        Refusal::new(
                            i,
                            "date",
                            round_before_entry(*round, *on, &candidate.id, date),
                        )
                        .expected(format!(
                            "the candidate's entry on or before {on}, or the round dated on or after {date}"
                        )),
                    );
                }
            }
            // A second report of the same withdrawal (the announcement, then the official
            // act) is harmless; withdrawing someone who never entered is not.
            EventKind::CandidateWithdrew { candidate, .. } => {
                match self.candidates.get(candidate.as_str()) {
                    Some(c) if c.entered().is_some_and(|d| d <= date) => {}
                    _ => self.in_race(i, "candidate", candidate, date, out),
                }
            }
            EventKind::StanceReported(s) => {
                self.member_on(i, "member", &s.member, date, out);
                self.in_race(i, "candidate", &s.candidate, date, out);
                for (k, c) in s.conditions.iter().enumerate() {
                    self.condition_exists(i, &format!("conditions[{k}]"), &s.member, c, out);
                }
                if let Some(f) = &s.follows {
                    if *f == s.member {
                        out.push(Refusal::new(
                            i,
                            "follows",
                            format!("{f} cannot follow itself"),
                        ));
                    } else {
                        self.member_exists(i, "follows", f, out);
                    }
                }
            }
            EventKind::ConditionSet {
                member,
                candidate,
                condition,
                text,
                ..
            } => {
                self.member_on(i, "member", member, date, out);
                if let Some(c) = candidate {
                    self.in_race(i, "candidate", c, date, out);
                }
                if let Err((m, e)) = check_id("condition", condition) {
                    out.push(Refusal::new(i, "condition", m).expected(e));
                }
                if text.trim().is_empty() {
                    out.push(
                        Refusal::new(i, "text", "empty text").expected("what the member asks"),
                    );
                }
            }
            EventKind::CommitmentMade {
                candidate,
                text,
                meets,
                ..
            } => {
                self.in_race(i, "candidate", candidate, date, out);
                if text.trim().is_empty() {
                    out.push(
                        Refusal::new(i, "text", "empty text")
                            .expected("what the candidate commits to"),
                    );
                }
                for (k, m) in meets.iter().enumerate() {
                    if self.member(&m.member).is_none() {
                        self.member_exists(i, &format!("meets[{k}].member"), &m.member, out);
                    } else {
                        self.condition_exists(
                            i,
                            &format!("meets[{k}].condition"),
                            &m.member,
                            &m.condition,
                            out,
                        );
                    }
                }
            }
            EventKind::MilestoneSet { milestone, .. } => {
                if let Err((m, e)) = check_id("milestone", &milestone.id) {
                    problem(Refusal::new(i, "id", m).expected(e));
                }
            }
            EventKind::SilenceOpened {
                procedure,
                candidate,
                draft,
                deadline,
            } => {
                if let Err((m, e)) = check_id("procedure", procedure) {
                    out.push(Refusal::new(i, "procedure", m).expected(e));
                } else if self.procedures.iter().any(|p| p.procedure == *procedure) {
                    out.push(
                        Refusal::new(
                            i,
                            "procedure",
                            format!("a silence procedure '{procedure}' already exists"),
                        )
                        .expected("a new procedure id (or none: the next free one is taken)")
                        .code("exists"),
                    );
                }
                self.in_race_to_act(i, "candidate", candidate, date, out);
                if draft.trim().is_empty() {
                    out.push(
                        Refusal::new(i, "draft", "empty draft")
                            .expected("the text of the decision circulated"),
                    );
                }
                if deadline.timestamp() <= now {
                    out.push(
                        Refusal::new(
                            i,
                            "deadline",
                            format!(
                                "the deadline {} has passed (now {now})",
                                deadline.strftime("%Y-%m-%d %H:%M %Z")
                            ),
                        )
                        .expected("a date and time still ahead"),
                    );
                }
            }
            EventKind::SilenceBroken {
                procedure,
                member,
                statement,
            } => {
                self.open_procedure(i, procedure, now, out);
                self.member_on(i, "member", member, date, out);
                if statement.trim().is_empty() {
                    out.push(
                        Refusal::new(i, "statement", "empty statement")
                            .expected("why the member breaks silence"),
                    );
                }
            }
            EventKind::SilenceWithdrawn { procedure, reason } => {
                self.open_procedure(i, procedure, now, out);
                if reason.trim().is_empty() {
                    out.push(
                        Refusal::new(i, "reason", "empty reason")
                            .expected("why the draft is withdrawn"),
                    );
                }
            }
            // A round's tally or cut may name people who never formally entered (a historical
            // case lists them only there); it is a record of the round, not a stance on them.
            // But it counts at most one ballot per member, names each candidate once, and cannot
            // count a candidate who entered only after it.
            EventKind::StrawPollRecorded { round, results, .. } => {
                let seats = self.seats_on(date);
                for (k, r) in results.iter().enumerate() {
                    for (field, message, expected) in tally_problems(
                        *round,
                        &r.candidate,
                        [r.encourage, r.discourage, r.no_opinion],
                        r.p5_discourage,
                        seats,
                    ) {
                        out.push(
                            Refusal::new(i, format!("results[{k}].{field}"), message)
                                .expected(expected),
                        );
                    }
                }
                self.round_names_checked(i, new, "results", out);
            }
            EventKind::BallotRecorded {
                round,
                votes,
                voters,
                ..
            } => {
                let seats = self.seats_on(date) as u64;
                // Members may vote for several names in a round (an elimination ballot, the
                // Council's 1981 rounds), so only each candidate's count is bounded.
                for (k, v) in votes.iter().enumerate() {
                    if u64::from(v.votes) > seats {
                        out.push(
                            Refusal::new(
                                i,
                                format!("votes[{k}].votes"),
                                format!(
                                    "round {round}, {}: {} votes, more than the {seats} members",
                                    v.candidate, v.votes
                                ),
                            )
                            .expected("at most one vote per member"),
                        );
                    }
                }
                if let Some(v) = voters
                    && u64::from(*v) > seats
                {
                    out.push(
                        Refusal::new(
                            i,
                            "voters",
                            format!("round {round}: {v} voters, more than the {seats} members"),
                        )
                        .expected("at most one vote per member"),
                    );
                }
                self.round_names_checked(i, new, "votes", out);
            }
            EventKind::ConsultationRound { .. } => {
                self.round_names_checked(i, new, "advanced", out);
            }
            EventKind::VoteRecorded { candidate, .. } => {
                self.candidate_known(i, "candidate", candidate, out);
            }
            EventKind::DecisionRecorded { candidate, .. } => {
                match self.decision.as_ref() {
                    Some((d, c)) if c != candidate => out.push(Refusal::new(
                        i,
                        "candidate",
                        format!("{} was already decided on {d} for {c}", self.contest),
                    )),
                    // Confirming the decision (a second body, a formal vote) names the same
                    // candidate, who is by then appointed rather than in the race.
                    Some(_) => {}
                    None => self.in_race_to_act(i, "candidate", candidate, date, out),
                }
            }
            EventKind::TermExtended { .. } => {}
        }
    }

    /// Members of the organisation on `date`: the most ballots a round can count.
    fn seats_on(&self, date: Date) -> usize {
        self.members.iter().filter(|m| m.is_member_on(date)).count()
    }

    /// A round names each candidate once, and none who entered only after it.
    fn round_names_checked(&self, i: usize, new: &NewEvent, field: &str, out: &mut Vec<Refusal>) {
        let round = match &new.kind {
            EventKind::StrawPollRecorded { round, .. }
            | EventKind::BallotRecorded { round, .. }
            | EventKind::ConsultationRound { round, .. } => *round,
            _ => return,
        };
        let mut seen = BTreeSet::new();
        for (k, id) in round_names(&new.kind).enumerate() {
            let at = match &new.kind {
                EventKind::StrawPollRecorded { .. } => format!("results[{k}].candidate"),
                EventKind::BallotRecorded { .. } => format!("votes[{k}].candidate"),
                EventKind::ConsultationRound { advanced, .. } if k < advanced.len() => {
                    format!("advanced[{k}]")
                }
                EventKind::ConsultationRound { advanced, .. } => {
                    format!("eliminated[{}]", k - advanced.len())
                }
                _ => field.to_owned(),
            };
            if !seen.insert(id) {
                out.push(
                    Refusal::new(i, at.clone(), named_twice(round, id))
                        .expected("each candidate once in a round"),
                );
            }
            if let Some(entered) = self.candidates.get(id).and_then(Candidacy::entered)
                && entered > new.valid
            {
                out.push(
                    Refusal::new(i, at, round_before_entry(round, new.valid, id, entered))
                        .expected(format!(
                            "a round dated on or after {entered}, or the candidate's entry on or before {}",
                            new.valid
                        )),
                );
            }
        }
    }

    fn member(&self, code: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.code == code)
    }

    fn unknown_member(&self, i: usize, field: &str, code: &str) -> Refusal {
        Refusal::new(i, field, format!("unknown member '{}'", clip(code)))
            .expected(format!("a member of {}", self.contest))
            .suggest(did_you_mean(
                code,
                self.members.iter().map(|m| m.code.as_str()),
            ))
    }

    fn member_exists(&self, i: usize, field: &str, code: &str, out: &mut Vec<Refusal>) {
        if self.member(code).is_none() {
            out.push(self.unknown_member(i, field, code));
        }
    }

    fn member_on(&self, i: usize, field: &str, code: &str, date: Date, out: &mut Vec<Refusal>) {
        match self.member(code) {
            None => out.push(self.unknown_member(i, field, code)),
            Some(m) if !m.is_member_on(date) => out.push(Refusal::new(
                i,
                field,
                match m.left {
                    Some(left) if date >= left => {
                        format!("{code} was not a member on {date} (left {left})")
                    }
                    _ => format!("{code} was not a member on {date} (joined {})", m.joined),
                },
            )),
            Some(_) => {}
        }
    }

    fn unknown_candidate(&self, i: usize, field: &str, id: &str) -> Refusal {
        let known: Vec<&str> = self.candidates.keys().map(String::as_str).collect();
        Refusal::new(i, field, format!("unknown candidate '{}'", clip(id)))
            .expected(if known.is_empty() {
                format!("a candidate of {} (none has entered yet)", self.contest)
            } else {
                format!("one of {}", known.join(", "))
            })
            .suggest(did_you_mean(id, known))
    }

    fn candidate_known(&self, i: usize, field: &str, id: &str, out: &mut Vec<Refusal>) {
        if !self.candidates.contains_key(id) {
            out.push(self.unknown_candidate(i, field, id));
        }
    }

    /// The candidate is in the race on `date`: entered (declared or potential) by then and
    /// not withdrawn.
    fn in_race(&self, i: usize, field: &str, id: &str, date: Date, out: &mut Vec<Refusal>) {
        self.in_race_for(i, field, id, date, false, out);
    }

    /// As [`Guard::in_race`], for an act on the candidacy: a withdrawal counts on its day.
    fn in_race_to_act(&self, i: usize, field: &str, id: &str, date: Date, out: &mut Vec<Refusal>) {
        self.in_race_for(i, field, id, date, true, out);
    }

    fn in_race_for(
        &self,
        i: usize,
        field: &str,
        id: &str,
        date: Date,
        acts: bool,
        out: &mut Vec<Refusal>,
    ) {
        let Some(c) = self.candidates.get(id) else {
            out.push(self.unknown_candidate(i, field, id));
            return;
        };
        match c.in_race_on(date, acts) {
            Some(true) => {}
            Some(false) => out.push(
                Refusal::new(
                    i,
                    field,
                    format!("{} ({id}) had withdrawn by {date}", c.name),
                )
                .expected("a candidate in the race on that date"),
            ),
            None => out.push(
                Refusal::new(
                    i,
                    field,
                    match c.entered() {
                        Some(entered) => {
                            format!(
                                "{} ({id}) had not entered the race by {date} (entered {entered})",
                                c.name
                            )
                        }
                        None => format!("{} ({id}) is not in the race", c.name),
                    },
                )
                .expected("a candidate in the race on that date"),
            ),
        }
    }

    fn condition_exists(
        &self,
        i: usize,
        field: &str,
        member: &str,
        condition: &str,
        out: &mut Vec<Refusal>,
    ) {
        let key = (member.to_owned(), condition.to_owned());
        if !self.conditions.contains(&key) && !self.batch_conditions.contains(&key) {
            let known: Vec<&str> = self
                .conditions
                .iter()
                .filter(|(m, _)| m == member)
                .map(|(_, c)| c.as_str())
                .collect();
            out.push(
                Refusal::new(
                    i,
                    field,
                    format!(
                        "{} has set no condition '{}'",
                        clip(member),
                        clip(condition)
                    ),
                )
                .suggest(did_you_mean(condition, known)),
            );
        }
    }

    fn open_procedure(&self, i: usize, id: &str, now: Timestamp, out: &mut Vec<Refusal>) {
        let Some(p) = self.procedures.iter().find(|p| p.procedure == id) else {
            out.push(
                Refusal::new(
                    i,
                    "procedure",
                    format!("no silence procedure '{}' in {}", clip(id), self.contest),
                )
                .suggest(did_you_mean(
                    id,
                    self.procedures.iter().map(|p| p.procedure.as_str()),
                ))
                .code("not_found"),
            );
            return;
        };
        let why = match p.status_at(now) {
            SilenceStatus::Open { .. } => return,
            SilenceStatus::Adopted => format!(
                "was adopted at its deadline {}",
                p.deadline.strftime("%Y-%m-%d %H:%M %Z")
            ),
            SilenceStatus::Broken { by } => {
                format!("has already failed (silence broken by {})", by.join(", "))
            }
            SilenceStatus::Withdrawn { reason } => format!("was withdrawn ({reason})"),
        };
        out.push(
            Refusal::new(i, "procedure", format!("silence procedure '{id}' {why}"))
                .expected("an open silence procedure")
                .code("procedure_closed"),
        );
    }
}

/// Every candidate a round names: a straw poll's tally, a ballot's votes (then the eliminated
/// not among them), a consultation's advanced then eliminated.
fn round_names(kind: &EventKind) -> Box<dyn Iterator<Item = &str> + '_> {
    match kind {
        EventKind::StrawPollRecorded { results, .. } => {
            Box::new(results.iter().map(|r| r.candidate.as_str()))
        }
        EventKind::BallotRecorded { votes, .. } => {
            Box::new(votes.iter().map(|v| v.candidate.as_str()))
        }
        EventKind::ConsultationRound {
            advanced,
            eliminated,
            ..
        } => Box::new(advanced.iter().chain(eliminated).map(String::as_str)),
        _ => Box::new(std::iter::empty()),
    }
}

/// What is wrong with one candidate's line of a straw poll: (field, message, expected) for more
/// ballots than the `seats` members, and for more permanent members' discouragements than
/// discouragements. The one statement of the rule: the guard, the scenario reader and the
/// interchange reader all call it, each placing the problem in its own terms.
pub fn tally_problems(
    round: u32,
    candidate: &str,
    [encourage, discourage, no_opinion]: [u32; 3],
    p5_discourage: Option<u32>,
    seats: usize,
) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let ballots = u64::from(encourage) + u64::from(discourage) + u64::from(no_opinion);
    if ballots > seats as u64 {
        out.push((
            "encourage",
            format!(
                "round {round}, {candidate}: {encourage} encourage + {discourage} discourage + {no_opinion} no opinion = {ballots} ballots, more than the {seats} members"
            ),
            "at most one ballot per member".to_owned(),
        ));
    }
    if let Some(p5) = p5_discourage
        && p5 > discourage
    {
        out.push((
            "p5_discourage",
            format!(
                "round {round}, {candidate}: {p5} permanent members' discouragements out of {discourage} discouragements"
            ),
            "p5_discourage at most discourage".to_owned(),
        ));
    }
    out
}

/// The message for a round that counts a candidate who entered only later.
pub fn round_before_entry(round: u32, on: Date, candidate: &str, entered: Date) -> String {
    format!("round {round} on {on} counts '{candidate}', who entered only on {entered}")
}

/// The message for a round that names a candidate twice.
pub fn named_twice(round: u32, candidate: &str) -> String {
    format!("round {round} names candidate '{candidate}' twice")
}

/// Kinds that still make sense after the decision: milestones (the new term), a member
/// joining, a formal vote, ballot or confirming decision for the appointed candidate, a term
/// extension until they take office.
fn allowed_after_decision(kind: &EventKind, appointed: &str) -> bool {
    match kind {
        EventKind::MilestoneSet { .. }
        | EventKind::TermExtended { .. }
        | EventKind::MemberJoined { .. }
        | EventKind::BallotRecorded { .. } => true,
        EventKind::VoteRecorded { candidate, .. }
        | EventKind::DecisionRecorded { candidate, .. } => candidate == appointed,
        _ => false,
    }
}

/// A member code: 1–16 ASCII capitals, digits or `-` (ISO 3166-1 alpha-3 in a scenario;
/// placeholders such as `member-001` in a historical case).
fn check_member_code(code: &str) -> Result<(), (String, String)> {
    let ok = !code.is_empty()
        && code.len() <= 16
        && code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    if ok {
        Ok(())
    } else {
        Err((
            format!("'{}' is not a member code", clip(code)),
            "ISO 3166-1 alpha-3 in capitals, e.g. HUN".to_owned(),
        ))
    }
}

fn check_report(i: usize, report: &Report, out: &mut Vec<Refusal>) {
    if report.source.trim().is_empty() {
        out.push(
            Refusal::new(i, "source", "empty source")
                .expected("a URL or a citation: every claim needs a source"),
        );
    }
    if !(0.0..=1.0).contains(&report.confidence) {
        out.push(
            Refusal::new(
                i,
                "confidence",
                format!("confidence {} is out of range", report.confidence),
            )
            .expected("a number from 0 to 1"),
        );
    }
}

/// The opening's own checks: the contest id, its members, its rule's parameters.
fn check_definition(contest: &ContestDefinition, opened: Date, now: Timestamp) -> Vec<Refusal> {
    let mut out = Vec::new();
    if let Err((m, e)) = check_id("contest", &contest.id) {
        out.push(Refusal::new(0, "id", m).expected(e));
    }
    let latest = today(now).saturating_add(FUTURE_SLACK_DAYS.days());
    if opened > latest {
        out.push(
            Refusal::new(0, "opened", format!("{opened} is in the future"))
                .expected(format!("a date on or before {latest}")),
        );
    }
    let members = &contest.organisation.members;
    if members.is_empty() {
        out.push(
            Refusal::new(0, "members", "the organisation has no members")
                .expected("at least one member"),
        );
    }
    let mut seen = BTreeSet::new();
    for (k, m) in members.iter().enumerate() {
        if let Err((msg, e)) = check_member_code(&m.code) {
            out.push(Refusal::new(0, format!("members[{k}].code"), msg).expected(e));
        }
        if !seen.insert(m.code.as_str()) {
            out.push(Refusal::new(
                0,
                format!("members[{k}].code"),
                format!("member '{}' is listed twice", m.code),
            ));
        }
    }
    let mut posts = BTreeSet::new();
    for (k, p) in contest.posts.iter().enumerate() {
        if let Err((m, e)) = check_id("post", &p.id) {
            out.push(Refusal::new(0, format!("posts[{k}].id"), m).expected(e));
        }
        if !posts.insert(p.id.as_str()) {
            out.push(
                Refusal::new(
                    0,
                    format!("posts[{k}].id"),
                    format!("the package names post '{}' twice", p.id),
                )
                .expected("each post once"),
            );
        }
    }
    if contest.posts.len() == 1 {
        out.push(
            Refusal::new(0, "posts", "a package of one post")
                .expected("two or more posts, or none for a single office"),
        );
    }
    for (field, message, expected) in crate::rules::check_parameters(&contest.rule, members) {
        out.push(Refusal::new(0, format!("rule.{field}"), message).expected(expected));
    }
    out
}

/// Long input shown in a message is cut, so a refusal never echoes a whole body back.
fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
