//! The interchange format for historical contests (`cases/*.json`): one real leadership
//! selection as a dated event log. Any contest in the format is read into a contest definition
//! and domain events, so it can be replayed, shown and back-tested like any other.
//!
//! Reading rules, chosen to forecast honestly: a month-only (`YYYY-MM`) date counts as the last
//! day of its month, so nothing is known before it could have been; a listed candidate with no
//! candidacy event enters with the first event that names it (or at the opening); a commitment
//! that names no candidate (a deal struck by a third party) is made for every candidate declared
//! by then. Members are not listed in the format: those named by `actor_code` are kept, the rest
//! up to `members_count` are anonymous placeholders so that counted rules have the right base.

use std::collections::{BTreeMap, BTreeSet};

use jiff::ToSpan;
use jiff::civil::Date;
use serde::Deserialize;
use serde_json::Value;

use crate::diagnostic::{Diagnostic, Diagnostics, Location};
use crate::event::{ConditionRef, EventKind, NewEvent, StanceReport, StrawPollResult};
use crate::model::{
    Attribution, CandidateProfile, ContestDefinition, Member, Milestone, MilestoneKind, Office,
    Organisation, Report, Reversion, Stance, Visibility,
};
use crate::rules::{DecisionRule, MajorityBase};
use crate::scenario::Scenario;

#[derive(Debug, Deserialize)]
struct RawCase {
    id: String,
    organisation: String,
    office: String,
    decision_rule: String,
    members_count: usize,
    candidates: Vec<String>,
    events: Vec<Value>,
    outcome: RawOutcome,
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
    approx: bool,
    #[serde(default)]
    uncertain: bool,
    #[serde(default)]
    actor_code: Option<String>,
    #[serde(default)]
    actor_codes: Vec<String>,
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
    round: Option<Value>,
    #[serde(default)]
    new_term_end: Option<String>,
}

/// What happened in the end: for scoring only, never for forecasting.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The winner's candidate id, when the winner is one of the listed candidates.
    pub winner: Option<String>,
    pub winner_text: String,
    pub decision_date: Date,
}

/// A historical contest read from the interchange format.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    pub scenario: Scenario,
    pub outcome: Outcome,
    /// Events the domain cannot use (e.g. an endorsement by unnamed members), with why.
    pub skipped: Vec<String>,
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
    let first = Date::new(y.parse().ok()?, m.parse().ok()?, 1).ok()?;
    first.last_of_month().into()
}

/// Parses one case file. `file` names it in diagnostics (with JSON paths).
pub fn parse(file: &str, text: &str) -> Result<Case, Diagnostics> {
    let loc = |path: String| Location::Json {
        file: file.to_owned(),
        path,
    };
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
        "qualified_majority" => DecisionRule::eu_qualified_majority(),
        "unsc_veto_majority" => DecisionRule::un_security_council(),
        other => {
            problems.push(
                Diagnostic::new(
                    loc("$.decision_rule".into()),
                    format!("unknown rule '{other}'"),
                )
                .expected(
                    "consensus, unanimity, majority, qualified_majority or unsc_veto_majority",
                ),
            );
            DecisionRule::Consensus
        }
    };
    let ids: BTreeMap<String, String> = raw
        .candidates
        .iter()
        .map(|n| (n.clone(), slug(n)))
        .collect();
    let decision_date = case_date(&raw.outcome.decision_date);
    if decision_date.is_none() {
        problems.push(
            Diagnostic::new(loc("$.outcome.decision_date".into()), "not a date")
                .expected("YYYY-MM-DD"),
        );
    }

    let mut events: Vec<NewEvent> = Vec::new();
    let mut skipped = Vec::new();
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut entered: BTreeSet<String> = BTreeSet::new();
    let mut conditions_of: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut term_end: Option<Date> = None;
    let mut opened: Option<Date> = None;
    let nationality_of = |e: &RawCaseEvent| e.actor_code.clone();

    for (i, value) in raw.events.iter().enumerate() {
        let path = format!("$.events[{i}]");
        let e: RawCaseEvent = match serde_json::from_value(value.clone()) {
            Ok(e) => e,
            Err(err) => {
                problems.push(Diagnostic::new(loc(path), err.to_string()));
                continue;
            }
        };
        let Some(date) = case_date(&e.date) else {
            problems.push(
                Diagnostic::new(
                    loc(format!("{path}.date")),
                    format!("'{}' is not a date", e.date),
                )
                .expected("YYYY-MM-DD or YYYY-MM"),
            );
            continue;
        };
        opened = Some(opened.map_or(date, |o: Date| o.min(date)));
        let attribution = match e.attribution.as_deref() {
            None => Attribution::Anonymous,
            Some(a) => match Attribution::parse(a) {
                Some(a) => a,
                None => {
                    problems.push(
                        Diagnostic::new(
                            loc(format!("{path}.attribution")),
                            format!("unknown attribution '{a}'"),
                        )
                        .expected("official, on_record or anonymous"),
                    );
                    continue;
                }
            },
        };
        // Approximate or disputed facts are worth less than firm ones.
        let confidence = crate::scenario::default_confidence(attribution)
            * if e.uncertain { 0.7 } else { 1.0 }
            * if e.approx { 0.9 } else { 1.0 };
        let report = Report {
            source: e.source.clone(),
            attribution,
            confidence,
            speaker: (attribution == Attribution::OnRecord).then(|| e.actor.clone()),
            published: None,
        };
        let candidate = match &e.candidate {
            None => None,
            Some(name) => match ids.get(name) {
                Some(id) => Some(id.clone()),
                None if matches!(e.kind.as_str(), "decision" | "took_office") => None,
                None => {
                    skipped.push(format!(
                        "{path}: candidate '{name}' is not among the listed candidates"
                    ));
                    continue;
                }
            },
        };
        let mut push = |kind: EventKind| {
            events.push(NewEvent {
                valid: date,
                author: format!("interchange:{}", raw.id),
                kind,
            });
        };
        // A listed candidate enters the race with the first event that names it.
        if let Some(id) = &candidate
            && !entered.contains(id)
            && e.kind != "candidacy"
        {
            entered.insert(id.clone());
            let name = raw
                .candidates
                .iter()
                .find(|n| ids[*n] == *id)
                .cloned()
                .unwrap_or_default();
            push(EventKind::CandidateEntered {
                candidate: CandidateProfile {
                    id: id.clone(),
                    name,
                    nationality: None,
                    profile: Default::default(),
                },
                declared: true,
                report: report.clone(),
            });
        }
        let members: Vec<String> = e
            .actor_code
            .iter()
            .chain(e.actor_codes.iter())
            .cloned()
            .collect();
        codes.extend(members.iter().cloned());
        let stance_for = |stance: Stance, reasons: Vec<String>, conditions: Vec<String>| {
            members
                .iter()
                .map(|m| {
                    EventKind::StanceReported(StanceReport {
                        member: m.clone(),
                        candidate: candidate.clone().unwrap_or_default(),
                        stance,
                        reasons: reasons.clone(),
                        conditions: conditions.clone(),
                        follows: None,
                        linked_to: None,
                        visibility: Visibility::Public,
                        report: report.clone(),
                    })
                })
                .collect::<Vec<_>>()
        };
        match e.kind.as_str() {
            "candidacy" => {
                if let Some(id) = &candidate {
                    entered.insert(id.clone());
                    push(EventKind::CandidateEntered {
                        candidate: CandidateProfile {
                            id: id.clone(),
                            name: e.candidate.clone().unwrap_or_default(),
                            nationality: nationality_of(&e),
                            profile: Default::default(),
                        },
                        declared: true,
                        report,
                    });
                }
            }
            "endorse" | "withhold" | "object" => {
                if candidate.is_none() || members.is_empty() {
                    skipped.push(format!(
                        "{path}: {} by '{}' names no member or no candidate",
                        e.kind, e.actor
                    ));
                    continue;
                }
                let stance = match e.kind.as_str() {
                    "endorse" => Stance::Supports,
                    "withhold" => Stance::Withholds,
                    _ => Stance::Objects,
                };
                for k in stance_for(stance, e.reason.iter().cloned().collect(), Vec::new()) {
                    push(k);
                }
            }
            "condition" => {
                for m in &members {
                    let list = conditions_of.entry(m.clone()).or_default();
                    let mut ids_set = Vec::new();
                    for text in &e.conditions {
                        let id = format!("c{}", list.len() + 1);
                        list.push(id.clone());
                        ids_set.push(id.clone());
                        push(EventKind::ConditionSet {
                            member: m.clone(),
                            candidate: candidate.clone(),
                            condition: id,
                            text: text.clone(),
                            report: report.clone(),
                        });
                    }
                    if candidate.is_some() {
                        for k in stance_for(Stance::Conditional, Vec::new(), ids_set.clone())
                            .into_iter()
                            .filter(|k| matches!(k, EventKind::StanceReported(s) if s.member == *m))
                        {
                            push(k);
                        }
                    }
                }
                if members.is_empty() {
                    skipped.push(format!("{path}: condition by '{}' names no member", e.actor));
                }
            }
            "commitment" => {
                let Some(of) = &e.meets_conditions_of else {
                    skipped.push(format!("{path}: commitment meets nobody's conditions"));
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
            "withdraw" => {
                if let Some(c) = candidate {
                    push(EventKind::CandidateWithdrew { candidate: c, report });
                }
            }
            "decision" => match candidate {
                Some(c) => push(EventKind::DecisionRecorded { candidate: c, report }),
                None => skipped.push(format!("{path}: decision names no listed candidate")),
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
                                loc(format!("{path}.milestone_kind")),
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
                    None => date,
                    Some(text) => match case_date(text) {
                        Some(on) => on,
                        None => {
                            problems.push(
                                Diagnostic::new(
                                    loc(format!("{path}.deadline_date")),
                                    format!("'{text}' is not a date"),
                                )
                                .expected("YYYY-MM-DD or YYYY-MM"),
                            );
                            continue;
                        }
                    },
                };
                if kind == MilestoneKind::TermEnd {
                    term_end = Some(term_end.map_or(on, |t: Date| t.min(on)));
                }
                push(EventKind::MilestoneSet {
                    milestone: Milestone {
                        id: format!("{}-{on}", kind.as_str()),
                        label: e.detail.chars().take(80).collect(),
                        date: on,
                        kind,
                    },
                    report,
                });
            }
            "straw_poll" => {
                let results: Vec<StrawPollResult> = e
                    .tally
                    .iter()
                    .flatten()
                    .filter_map(|(name, t)| {
                        let get = |k: &str| t.get(k).and_then(Value::as_u64).map(|v| v as u32);
                        Some(StrawPollResult {
                            candidate: ids.get(name)?.clone(),
                            encourage: get("encourage")?,
                            discourage: get("discourage")?,
                            no_opinion: get("no_opinion").unwrap_or(0),
                            p5_discourage: get("p5_discourage"),
                        })
                    })
                    .collect();
                let round = e.round.as_ref().and_then(Value::as_u64).unwrap_or(0) as u32;
                push(EventKind::StrawPollRecorded { round, results, report });
            }
            "extension" => {
                if let Some(end) = e.new_term_end.as_deref().and_then(case_date) {
                    push(EventKind::TermExtended {
                        new_term_end: end,
                        report,
                    });
                }
            }
            "vote" | "took_office" => {}
            other => problems.push(
                Diagnostic::new(loc(format!("{path}.kind")), format!("unknown event kind '{other}'"))
                    .expected("candidacy, endorse, withhold, object, condition, commitment, withdraw, straw_poll, vote, decision, deadline, took_office or extension"),
            ),
        }
    }
    let (Some(decision_date), Some(opened)) = (decision_date, opened) else {
        if opened.is_none() {
            problems.push(
                Diagnostic::new(loc("$.events".into()), "no events").expected("at least one event"),
            );
        }
        return Err(problems);
    };
    if !problems.is_empty() {
        return Err(problems);
    }
    // Without a stated term end, a year after the opening stands in for it; never the outcome.
    let term_end = term_end.unwrap_or_else(|| opened.saturating_add(1.year()));
    let mut members: Vec<Member> = codes
        .iter()
        .map(|code| Member {
            code: code.clone(),
            name: code.clone(),
            joined: opened,
            left: None,
            attributes: Default::default(),
            tags: if ["CHN", "FRA", "GBR", "RUS", "USA"].contains(&code.as_str()) {
                vec!["p5".to_owned()]
            } else {
                Vec::new()
            },
        })
        .collect();
    for n in members.len()..raw.members_count {
        members.push(Member {
            code: format!("member-{:03}", n + 1),
            name: "unnamed member".to_owned(),
            joined: opened,
            left: None,
            attributes: Default::default(),
            tags: Vec::new(),
        });
    }
    events.sort_by_key(|e| e.valid);
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
                    reversion: Reversion::Extension,
                },
                rule,
                featured_date: None,
                description: None,
                issues: Vec::new(),
            },
            opened,
            events,
        },
        outcome: Outcome {
            winner: ids.get(&raw.outcome.winner).cloned(),
            winner_text: raw.outcome.winner,
            decision_date,
        },
        skipped,
    })
}
