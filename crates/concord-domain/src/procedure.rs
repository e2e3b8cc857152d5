//! The silence procedure, derived from its events and the clock: a draft decision circulates
//! with a deadline; any member may break silence before it; with no break it is adopted at the
//! deadline. Nothing depends on a timer having fired, so the answer is right after a restart.

use jiff::Timestamp;
use serde::Serialize;

use crate::model::MemberCode;
use crate::state::SilenceState;

/// Where a silence procedure stands at an instant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SilenceStatus {
    /// Silence holds and the deadline is ahead.
    Open { seconds_left: i64 },
    /// Adopted at the deadline: nobody broke silence in time.
    Adopted,
    /// Silence was broken before the deadline: the draft fails.
    Broken { by: Vec<MemberCode> },
    /// The chair withdrew the draft.
    Withdrawn { reason: String },
}

impl SilenceState {
    /// The status at `now`. Breaks recorded at or after the deadline do not count.
    pub fn status_at(&self, now: Timestamp) -> SilenceStatus {
        let deadline = self.deadline.timestamp();
        let breakers: Vec<MemberCode> = self
            .breaks
            .iter()
            .filter(|b| b.recorded_at < deadline)
            .map(|b| b.member.clone())
            .collect();
        if !breakers.is_empty() {
            return SilenceStatus::Broken { by: breakers };
        }
        if let Some(reason) = &self.withdrawn {
            return SilenceStatus::Withdrawn {
                reason: reason.clone(),
            };
        }
        if now < deadline {
            SilenceStatus::Open {
                seconds_left: deadline.as_second() - now.as_second(),
            }
        } else {
            SilenceStatus::Adopted
        }
    }

    /// Whether a member may still break silence at `now`.
    pub fn accepts_break_at(&self, now: Timestamp) -> bool {
        matches!(self.status_at(now), SilenceStatus::Open { .. })
    }
}

impl crate::state::ContestState {
    /// Reads a silence procedure adopted by `now` (deadline on or before `as_of`) as the
    /// decision it takes: the candidate is appointed. Derived from the events and the clock on
    /// every read, so it is right after a restart and needs no timer and no extra event; the
    /// CLI, the API and the dashboard all call this, so they agree on every contest's status.
    pub fn apply_adopted_procedures(&mut self, now: Timestamp) {
        if self.decision.is_some() {
            return;
        }
        let adopted = self
            .procedures
            .iter()
            .filter(|p| p.deadline.date() <= self.as_of)
            .filter(|p| p.status_at(now) == SilenceStatus::Adopted)
            .min_by_key(|p| p.deadline.timestamp())
            .map(|p| (p.candidate.clone(), p.deadline.date(), p.procedure.clone()));
        if let Some((candidate, date, procedure)) = adopted {
            if let Some(c) = self
                .candidates
                .iter_mut()
                .find(|c| c.profile.id == candidate)
            {
                c.status = crate::model::CandidateStatus::Appointed;
            }
            self.decision = Some(crate::state::Decision {
                candidate,
                date,
                source: format!("silence procedure {procedure}: adopted at the deadline"),
            });
        }
    }

    /// The first instant after `now` at which an open procedure's status changes on its own
    /// (its deadline): until then, anything derived from this state stays right.
    pub fn next_procedure_change(&self, now: Timestamp) -> Option<Timestamp> {
        self.procedures
            .iter()
            .filter(|p| matches!(p.status_at(now), SilenceStatus::Open { .. }))
            .map(|p| p.deadline.timestamp())
            .min()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::SilenceBreak;

    fn procedure(deadline: &str) -> SilenceState {
        SilenceState {
            procedure: "sp-1".into(),
            candidate: "rutte".into(),
            draft: "appoint Mark Rutte as Secretary General from 1 October 2024".into(),
            deadline: deadline.parse().unwrap(),
            opened_seq: 2,
            opened_at: "2024-06-24T10:00:00Z".parse().unwrap(),
            breaks: Vec::new(),
            withdrawn: None,
        }
    }

    #[test]
    fn adopted_at_the_deadline_with_no_break() {
        let p = procedure("2024-06-26T12:00:00+02:00[Europe/Brussels]");
        let before: Timestamp = "2024-06-26T09:59:59Z".parse().unwrap();
        let at: Timestamp = "2024-06-26T10:00:00Z".parse().unwrap();
        assert_eq!(p.status_at(before), SilenceStatus::Open { seconds_left: 1 });
        assert_eq!(p.status_at(at), SilenceStatus::Adopted);
    }

    #[test]
    fn a_break_before_the_deadline_fails_the_draft_and_a_late_one_does_not() {
        let mut p = procedure("2024-06-26T12:00:00+02:00[Europe/Brussels]");
        p.breaks.push(SilenceBreak {
            member: "TUR".into(),
            statement: "late".into(),
            recorded_at: "2024-06-26T10:00:01Z".parse().unwrap(),
        });
        let after: Timestamp = "2024-06-27T00:00:00Z".parse().unwrap();
        assert_eq!(p.status_at(after), SilenceStatus::Adopted);
        p.breaks.push(SilenceBreak {
            member: "HUN".into(),
            statement: "Hungary cannot join consensus".into(),
            recorded_at: "2024-06-26T09:00:00Z".parse().unwrap(),
        });
        assert_eq!(
            p.status_at(after),
            SilenceStatus::Broken {
                by: vec!["HUN".into()]
            }
        );
    }
}
