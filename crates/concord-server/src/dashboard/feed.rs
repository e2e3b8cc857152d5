//! What changed: the contest's events as dated lines a reader scans ("18 Jun · HUN objects →
//! conditional · on record"), newest first, from the events the caller's view may see.

use std::collections::HashMap;

use concord_domain::event::{Event, EventKind};
use concord_domain::model::Stance;
use jiff::civil::Date;
use serde::Serialize;

use super::text::short_date;

/// One line of the feed.
#[derive(Serialize)]
pub(super) struct FeedItem {
    pub seq: u64,
    pub date: String,
    pub day: Date,
    /// Who, in the member's or candidate's own words where known.
    pub text: String,
    pub attribution: Option<String>,
    /// The member and candidate of a stance change, to link its cell.
    pub cell: Option<(String, String)>,
    pub chair_only: bool,
    /// A block or a release: what a reader scans for first.
    pub kind: &'static str,
}

/// The feed of `events` (already filtered to the caller's view) up to `as_of`, newest first.
pub(super) fn feed(
    events: &[Event],
    as_of: Date,
    member_name: &dyn Fn(&str) -> String,
    candidate_name: &dyn Fn(&str) -> String,
) -> Vec<FeedItem> {
    let mut last: HashMap<(String, String), Stance> = HashMap::new();
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.valid <= as_of) {
        let date = short_date(e.valid, as_of);
        let item = |text: String, attribution: Option<&str>, kind: &'static str| FeedItem {
            seq: e.seq,
            date: date.clone(),
            day: e.valid,
            text,
            attribution: attribution.map(|a| a.replace('_', " ")),
            cell: None,
            chair_only: false,
            kind,
        };
        let line = match &e.kind {
            EventKind::StanceReported(r) => {
                let key = (r.member.clone(), r.candidate.clone());
                let before = last.insert(key, r.stance);
                if before == Some(r.stance) {
                    // A second source for the same stance: no change to report.
                    continue;
                }
                let change = match before {
                    Some(b) => format!("{} → {}", b.as_str(), r.stance.as_str()),
                    None => r.stance.as_str().to_owned(),
                };
                let kind = if r.stance.blocks() {
                    "block"
                } else if before.is_some_and(Stance::blocks) {
                    "release"
                } else {
                    "stance"
                };
                let mut i = item(
                    format!(
                        "{} on {}: {change}",
                        member_name(&r.member),
                        candidate_name(&r.candidate)
                    ),
                    Some(r.report.attribution.as_str()),
                    kind,
                );
                i.cell = Some((r.member.clone(), r.candidate.clone()));
                i.chair_only = !r.visibility.is_public();
                i
            }
            EventKind::CandidateEntered {
                candidate,
                declared,
                report,
            } => item(
                format!(
                    "{} {}",
                    candidate.name,
                    if *declared {
                        "enters the race"
                    } else {
                        "is floated"
                    }
                ),
                Some(report.attribution.as_str()),
                "candidate",
            ),
            EventKind::CandidateWithdrew { candidate, report } => item(
                format!("{} withdraws", candidate_name(candidate)),
                Some(report.attribution.as_str()),
                "release",
            ),
            EventKind::ConditionSet {
                member,
                candidate,
                text,
                report,
                ..
            } => item(
                format!(
                    "{} sets a condition{}: {text}",
                    member_name(member),
                    candidate
                        .as_deref()
                        .map(|c| format!(" for {}", candidate_name(c)))
                        .unwrap_or_default()
                ),
                Some(report.attribution.as_str()),
                "condition",
            ),
            EventKind::CommitmentMade {
                candidate,
                text,
                report,
                ..
            } => item(
                format!("{} commits: {text}", candidate_name(candidate)),
                Some(report.attribution.as_str()),
                "commitment",
            ),
            EventKind::MilestoneSet { milestone, report } => item(
                format!(
                    "milestone: {} on {}",
                    milestone.label,
                    short_date(milestone.date, as_of)
                ),
                Some(report.attribution.as_str()),
                "milestone",
            ),
            EventKind::SilenceOpened { candidate, .. } => item(
                format!("silence procedure opened on {}", candidate_name(candidate)),
                None,
                "silence",
            ),
            EventKind::SilenceBroken { member, .. } => item(
                format!("{} breaks silence", member_name(member)),
                None,
                "block",
            ),
            EventKind::SilenceWithdrawn { .. } => item(
                "the chair withdraws a silence draft".into(),
                None,
                "silence",
            ),
            EventKind::DecisionRecorded { candidate, report } => item(
                format!("decision: {} appointed", candidate_name(candidate)),
                Some(report.attribution.as_str()),
                "decision",
            ),
            EventKind::TermExtended {
                new_term_end,
                report,
            } => item(
                format!("term extended to {}", short_date(*new_term_end, as_of)),
                Some(report.attribution.as_str()),
                "milestone",
            ),
            EventKind::MemberJoined { member, .. } => {
                item(format!("{} joins", member.name), None, "member")
            }
            EventKind::ContestOpened { .. } => item("the contest opens".into(), None, "milestone"),
            EventKind::StrawPollRecorded { round, .. } => {
                item(format!("straw poll, round {round}"), None, "round")
            }
            EventKind::ConsultationRound { round, .. } => {
                item(format!("consultation round {round}"), None, "round")
            }
            EventKind::VoteRecorded { candidate, .. } => item(
                format!("vote on {}", candidate_name(candidate)),
                None,
                "round",
            ),
            EventKind::BallotRecorded { round, .. } => {
                item(format!("ballot, round {round}"), None, "round")
            }
        };
        out.push(line);
    }
    out.reverse();
    out
}
