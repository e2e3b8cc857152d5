//! Writes as every face receives them: text fields, before anything is known to be valid.
//! The API's JSON bodies, the dashboard's forms, the CLI's flags and the rows of a CSV of
//! reports all fill these same commands, and [`Guard::command`] turns one into the event it
//! proposes — reading each value (a stance name, a date, a deadline) and then checking the event
//! against the contest — so a refusal reads the same whichever face it came through.
//!
//! Field names are the API's JSON fields, the CSV's columns and the CLI's flags alike.

use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::Deserialize;

use crate::diagnostic::did_you_mean;
use crate::event::{ConditionRef, EventKind, NewEvent, StanceReport};
use crate::guard::{Guard, Refusal, Refusals, today};
use crate::model::{Attribution, Report, Stance, Visibility};
use crate::scenario::default_confidence;

/// A stance report: `POST /api/contests/{id}/reports`, `concord record`, a CSV row.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportStance {
    pub member: String,
    pub candidate: String,
    pub stance: String,
    pub source: String,
    /// When it happened (YYYY-MM-DD; default today).
    #[serde(default)]
    pub date: Option<String>,
    /// official, on_record, anonymous or inferred (default inferred).
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub speaker: Option<String>,
    /// When the source was published, if later (YYYY-MM-DD).
    #[serde(default)]
    pub published: Option<String>,
    #[serde(default)]
    pub reasons: Vec<String>,
    #[serde(default)]
    pub conditions: Vec<String>,
    #[serde(default)]
    pub follows: Option<String>,
    #[serde(default)]
    pub linked_to: Option<String>,
    /// public (default) or chair_only.
    #[serde(default)]
    pub visibility: Option<String>,
}

/// A condition a member sets: `POST /api/contests/{id}/conditions`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetCondition {
    pub member: String,
    /// The candidate asked; absent when asked of every candidate.
    #[serde(default)]
    pub candidate: Option<String>,
    /// A short id, unique per member (`russia-focus`).
    pub condition: String,
    pub text: String,
    pub source: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub speaker: Option<String>,
}

/// A candidate's commitment: `POST /api/contests/{id}/commitments`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeCommitment {
    pub candidate: String,
    pub text: String,
    #[serde(default)]
    pub meets: Vec<ConditionRef>,
    pub source: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
    #[serde(default)]
    pub confidence: Option<f64>,
    #[serde(default)]
    pub speaker: Option<String>,
}

/// The chair circulates a draft under the silence procedure: the API, the dashboard's form,
/// `concord silence open`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSilence {
    /// An id for the procedure; default `sp-N`, the next free number.
    #[serde(default)]
    pub procedure: Option<String>,
    pub candidate: String,
    /// "appoint X as Secretary General from 1 October 2024".
    pub draft: String,
    /// `2024-06-26T12:00:00+02:00[Europe/Brussels]`; or RFC 3339, or a local
    /// `2024-06-26T12:00`, read in `time_zone`.
    pub deadline: String,
    /// An IANA zone for a deadline given without one (default UTC).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// A member breaks silence.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakSilence {
    /// The member breaking silence (a delegation's own by default).
    #[serde(default)]
    pub member: Option<String>,
    pub statement: String,
}

/// The chair withdraws an open draft.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawSilence {
    pub reason: String,
}

/// Reads a value's text, collecting a refusal when it does not read.
struct Reader {
    problems: Vec<Refusal>,
    today: Date,
}

impl Reader {
    fn refuse(&mut self, field: &str, message: String, expected: &str, suggestion: Option<String>) {
        let mut r = Refusal::new(0, field, message);
        r.expected = Some(expected.to_owned());
        r.did_you_mean = suggestion;
        self.problems.push(r);
    }

    fn date(&mut self, field: &str, given: Option<&str>) -> Date {
        match given.map(str::trim).filter(|s| !s.is_empty()) {
            None => self.today,
            Some(text) => match text.parse::<Date>() {
                Ok(d) => d,
                Err(_) => {
                    self.refuse(
                        field,
                        format!("'{}' is not a date", clip(text)),
                        "YYYY-MM-DD",
                        None,
                    );
                    self.today
                }
            },
        }
    }

    fn report(
        &mut self,
        source: &str,
        attribution: Option<&str>,
        confidence: Option<f64>,
        speaker: Option<&str>,
        published: Option<&str>,
    ) -> Report {
        let attribution = match attribution.map(str::trim).filter(|s| !s.is_empty()) {
            None => Attribution::Inferred,
            Some(a) => Attribution::parse(a).unwrap_or_else(|| {
                self.refuse(
                    "attribution",
                    format!("unknown attribution '{}'", clip(a)),
                    "official, on_record, anonymous or inferred",
                    did_you_mean(a, Attribution::ALL.map(Attribution::as_str)),
                );
                Attribution::Inferred
            }),
        };
        let published = published
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|p| self.date("published", Some(p)));
        Report {
            source: source.to_owned(),
            attribution,
            // Out-of-range confidence is the guard's to refuse, with the value in the message.
            confidence: confidence.unwrap_or_else(|| default_confidence(attribution)),
            speaker: speaker.map(str::to_owned).filter(|s| !s.trim().is_empty()),
            published,
        }
    }
}

/// Reads a silence deadline: a zoned date-time (`…+02:00[Europe/Brussels]`), an RFC 3339
/// instant, or a local date-time (`2024-06-26T12:00`), the last two shown in `zone`.
pub fn parse_deadline(text: &str, zone: Option<&str>) -> Result<ZonedDateTime, String> {
    let text = text.trim();
    if let Ok(z) = text.parse::<ZonedDateTime>() {
        return Ok(z);
    }
    let tz = match zone.map(str::trim).filter(|z| !z.is_empty()) {
        Some(name) => jiff::tz::TimeZone::get(name)
            .map_err(|_| format!("unknown time zone '{}'", clip(name)))?,
        None => jiff::tz::TimeZone::UTC,
    };
    if let Ok(instant) = text.parse::<Timestamp>() {
        return Ok(instant.to_zoned_datetime(tz));
    }
    match text.parse::<jiff::civil::DateTime>() {
        Ok(local) => local
            .to_zoned_datetime(tz)
            .map_err(|e| format!("'{}' does not exist in that time zone: {e}", clip(text))),
        Err(_) => Err(format!("'{}' is not a date-time", clip(text))),
    }
}

impl Guard {
    /// A stance report, read and checked: the event to append, or every problem.
    pub fn report_stance(
        &self,
        c: &ReportStance,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let mut r = Reader {
            problems: Vec::new(),
            today: today(now),
        };
        let valid = r.date("date", c.date.as_deref());
        let stance = Stance::parse(c.stance.trim()).unwrap_or_else(|| {
            r.refuse(
                "stance",
                format!("unknown stance '{}'", clip(&c.stance)),
                "supports, leans, conditional, undeclared, withholds or objects",
                did_you_mean(&c.stance, Stance::ALL.map(Stance::as_str)),
            );
            Stance::Undeclared
        });
        let visibility = match c.visibility.as_deref().map(str::trim) {
            None | Some("") | Some("public") => Visibility::Public,
            Some("chair_only") => Visibility::ChairOnly,
            Some(v) => {
                r.refuse(
                    "visibility",
                    format!("unknown visibility '{}'", clip(v)),
                    "public or chair_only",
                    did_you_mean(v, ["public", "chair_only"]),
                );
                Visibility::Public
            }
        };
        let report = r.report(
            &c.source,
            c.attribution.as_deref(),
            c.confidence,
            c.speaker.as_deref(),
            c.published.as_deref(),
        );
        let event = NewEvent {
            valid,
            author: author.to_owned(),
            kind: EventKind::StanceReported(StanceReport {
                member: c.member.trim().to_owned(),
                candidate: c.candidate.trim().to_owned(),
                stance,
                reasons: c.reasons.clone(),
                conditions: c.conditions.clone(),
                follows: c.follows.clone().filter(|f| !f.trim().is_empty()),
                linked_to: c.linked_to.clone().filter(|l| !l.trim().is_empty()),
                visibility,
                report,
            }),
        };
        self.checked(r, event, now)
    }

    /// A condition, read and checked.
    pub fn set_condition(
        &self,
        c: &SetCondition,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let mut r = Reader {
            problems: Vec::new(),
            today: today(now),
        };
        let valid = r.date("date", c.date.as_deref());
        let report = r.report(
            &c.source,
            c.attribution.as_deref(),
            c.confidence,
            c.speaker.as_deref(),
            None,
        );
        let event = NewEvent {
            valid,
            author: author.to_owned(),
            kind: EventKind::ConditionSet {
                member: c.member.trim().to_owned(),
                candidate: c.candidate.clone().filter(|s| !s.trim().is_empty()),
                condition: c.condition.trim().to_owned(),
                text: c.text.clone(),
                report,
            },
        };
        self.checked(r, event, now)
    }

    /// A commitment, read and checked.
    pub fn make_commitment(
        &self,
        c: &MakeCommitment,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let mut r = Reader {
            problems: Vec::new(),
            today: today(now),
        };
        let valid = r.date("date", c.date.as_deref());
        let report = r.report(
            &c.source,
            c.attribution.as_deref(),
            c.confidence,
            c.speaker.as_deref(),
            None,
        );
        let event = NewEvent {
            valid,
            author: author.to_owned(),
            kind: EventKind::CommitmentMade {
                candidate: c.candidate.trim().to_owned(),
                text: c.text.clone(),
                meets: c.meets.clone(),
                report,
            },
        };
        self.checked(r, event, now)
    }

    /// A silence procedure opened today, read and checked. Without an id, the next free
    /// `sp-N` is taken.
    pub fn open_silence(
        &self,
        c: &OpenSilence,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let mut r = Reader {
            problems: Vec::new(),
            today: today(now),
        };
        let deadline = match parse_deadline(&c.deadline, c.time_zone.as_deref()) {
            Ok(d) => d,
            Err(message) => {
                r.refuse(
                    "deadline",
                    message,
                    "a date and time such as 2024-06-26T12:00:00+02:00[Europe/Brussels]",
                    None,
                );
                now.to_zoned_datetime(jiff::tz::TimeZone::UTC)
            }
        };
        let procedure = match c
            .procedure
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => p.to_owned(),
            None => self.next_procedure_id(),
        };
        let event = NewEvent {
            valid: r.today,
            author: author.to_owned(),
            kind: EventKind::SilenceOpened {
                procedure,
                candidate: c.candidate.trim().to_owned(),
                draft: c.draft.trim().to_owned(),
                deadline,
            },
        };
        // An unreadable deadline stands in as `now`: do not also call it "passed".
        let unreadable = !r.problems.is_empty();
        match self.checked(r, event, now) {
            Err(Refusals(mut problems)) if unreadable => {
                let mut seen_deadline = false;
                problems.retain(|p| {
                    if p.field == "deadline" {
                        let keep = !seen_deadline;
                        seen_deadline = true;
                        keep
                    } else {
                        true
                    }
                });
                Err(Refusals(problems))
            }
            other => other,
        }
    }

    /// A break of silence recorded now, by `member`, checked.
    pub fn break_silence(
        &self,
        procedure: &str,
        member: &str,
        c: &BreakSilence,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let event = NewEvent {
            valid: today(now),
            author: author.to_owned(),
            kind: EventKind::SilenceBroken {
                procedure: procedure.to_owned(),
                member: member.trim().to_owned(),
                statement: c.statement.trim().to_owned(),
            },
        };
        self.check(std::slice::from_ref(&event), now)?;
        Ok(event)
    }

    /// A withdrawal of an open draft, checked.
    pub fn withdraw_silence(
        &self,
        procedure: &str,
        c: &WithdrawSilence,
        author: &str,
        now: Timestamp,
    ) -> Result<NewEvent, Refusals> {
        let event = NewEvent {
            valid: today(now),
            author: author.to_owned(),
            kind: EventKind::SilenceWithdrawn {
                procedure: procedure.to_owned(),
                reason: c.reason.trim().to_owned(),
            },
        };
        self.check(std::slice::from_ref(&event), now)?;
        Ok(event)
    }

    /// The reading problems and the guard's, together: every problem at once.
    fn checked(&self, r: Reader, event: NewEvent, now: Timestamp) -> Result<NewEvent, Refusals> {
        let mut problems = r.problems;
        if let Err(Refusals(mut more)) = self.check(std::slice::from_ref(&event), now) {
            // A field that did not read stands in with a default; only its reading problem counts.
            more.retain(|m| !problems.iter().any(|p| p.field == m.field));
            problems.append(&mut more);
        }
        if problems.is_empty() {
            Ok(event)
        } else {
            Err(Refusals(problems))
        }
    }
}

fn clip(s: &str) -> String {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        s.to_owned()
    } else {
        let cut: String = s.chars().take(MAX).collect();
        format!("{cut}…")
    }
}
