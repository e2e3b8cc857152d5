//! The forecast's own plain input: candidates, holds and milestones at one date.
//!
//! It is deliberately independent of the domain's board type so the engine can be tested on
//! hand-made inputs; `ForecastInput::from_state` (in `state`) builds one from the domain.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Whether a candidate is in the race.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Candidacy {
    /// In the race: can be agreed.
    Declared,
    /// Floated only: listed, never agreed by the simulation (a fresh candidate covers them).
    Potential,
}

/// A candidate as the forecast sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateInput {
    pub name: String,
    pub candidacy: Candidacy,
    /// The member the candidate is a national of, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Members that support the candidate (explicitly or as its own nation); under a voting
    /// rule, the votes or encouragements of the latest round.
    pub supporters: u32,
    /// A permanent member discouraged the candidate in the latest straw poll (a veto threat).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vetoed: bool,
}

/// What kind of block a hold is; the kind sets its base release rate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum HoldKind {
    /// Declines to join consensus for now.
    Withholds,
    /// Formal opposition.
    Objects,
    /// The member's own national is a rival declared candidate; released at once if that
    /// candidate withdraws.
    OwnNational,
    /// The member backs a rival (`backs`); released at once if that rival withdraws.
    Implicit { backs: String },
    /// A conditional stance with `met` of `total` conditions met by commitments.
    PendingConditions { met: u32, total: u32 },
    /// The undeclared majority still to be consulted (a pseudo-member, e.g. `*`).
    Consultation,
}

impl HoldKind {
    /// A short label for tables.
    pub fn label(&self) -> String {
        match self {
            HoldKind::Withholds => "withholds".into(),
            HoldKind::Objects => "objects".into(),
            HoldKind::OwnNational => "own national".into(),
            HoldKind::Implicit { backs } => format!("prefers {backs}"),
            HoldKind::PendingConditions { met, total } => {
                format!("conditions {met}/{total} met")
            }
            HoldKind::Consultation => "consultations".into(),
        }
    }
}

/// A member's block on a candidate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hold {
    pub member: String,
    pub candidate: String,
    #[serde(flatten)]
    pub kind: HoldKind,
    /// Another member whose hold on the same candidate this one moves with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<String>,
    /// For an explicit hold whose member has set conditions: how many the candidate's
    /// commitments meet, of how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<ConditionProgress>,
}

/// Conditions met of conditions set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConditionProgress {
    pub met: u32,
    pub total: u32,
}

/// How the contest is decided, as far as the forecast's structure goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleFamily {
    /// Consensus or unanimity: every hold must go.
    #[default]
    Consensus,
    /// A vote (majority, qualified majority, weighted): no member can block alone.
    Vote,
    /// A vote in which some members hold a veto (the UN Security Council).
    VetoVote,
}

/// The kinds of dated milestone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MilestoneKind {
    Target,
    Meeting,
    HardDeadline,
    TermEnd,
}

impl MilestoneKind {
    pub fn as_str(self) -> &'static str {
        match self {
            MilestoneKind::Target => "target",
            MilestoneKind::Meeting => "meeting",
            MilestoneKind::HardDeadline => "hard_deadline",
            MilestoneKind::TermEnd => "term_end",
        }
    }
}

/// A dated milestone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MilestoneInput {
    pub date: Date,
    pub kind: MilestoneKind,
    pub label: String,
}

/// Everything the simulation needs about one contest at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastInput {
    /// The date the forecast is made: day 0 of every trial.
    pub as_of: Date,
    /// When the contest opened (the early-deal bump decays from here); `as_of` if unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opened: Option<Date>,
    pub members_count: u32,
    pub candidates: Vec<CandidateInput>,
    pub holds: Vec<Hold>,
    pub milestones: Vec<MilestoneInput>,
    pub term_end: Date,
    /// Whether the term end is a known date (an assumed one does not press).
    #[serde(default = "known", skip_serializing_if = "Clone::clone")]
    pub term_end_known: bool,
    /// What happens at the term end with no one agreed ("extension of the incumbent").
    pub reversion: String,
    #[serde(default, skip_serializing_if = "is_consensus")]
    pub rule: RuleFamily,
    /// Members with no stance on any candidate: the silent, who still have to be heard.
    #[serde(default)]
    pub undeclared: u32,
    /// Facts dated in the 30 days up to `as_of` (stances, candidacies, conditions,
    /// commitments, rounds): how busy the contest is.
    #[serde(default)]
    pub recent_events: u32,
}

fn known() -> bool {
    true
}

fn is_consensus(rule: &RuleFamily) -> bool {
    *rule == RuleFamily::Consensus
}

/// An input the engine cannot simulate; every problem is listed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid forecast input: {}", .problems.join("; "))]
pub struct InputError {
    pub problems: Vec<String>,
}

impl ForecastInput {
    pub fn candidate(&self, name: &str) -> Option<&CandidateInput> {
        self.candidates.iter().find(|c| c.name == name)
    }

    /// The declared candidate that is `member`'s national, if any.
    pub fn national_candidate(&self, member: &str) -> Option<&CandidateInput> {
        self.candidates.iter().find(|c| {
            c.candidacy == Candidacy::Declared && c.nationality.as_deref() == Some(member)
        })
    }

    /// Checks the references between candidates, holds and milestones.
    pub fn validate(&self) -> Result<(), InputError> {
        let mut problems = Vec::new();
        if self.members_count == 0 {
            problems.push("members_count must be at least 1".to_owned());
        }
        for (i, c) in self.candidates.iter().enumerate() {
            if self.candidates[..i].iter().any(|o| o.name == c.name) {
                problems.push(format!("candidate '{}' is listed twice", c.name));
            }
        }
        for (i, h) in self.holds.iter().enumerate() {
            let at = format!("holds[{i}] ({} on {})", h.member, h.candidate);
            if self.candidate(&h.candidate).is_none() {
                problems.push(format!("{at}: unknown candidate '{}'", h.candidate));
            }
            if self.holds[..i]
                .iter()
                .any(|o| o.member == h.member && o.candidate == h.candidate)
            {
                problems.push(format!("{at}: a member holds a candidate at most once"));
            }
            match &h.kind {
                HoldKind::Implicit { backs } => {
                    if self.candidate(backs).is_none() {
                        problems.push(format!("{at}: backs unknown candidate '{backs}'"));
                    } else if backs == &h.candidate {
                        problems.push(format!("{at}: a member cannot hold the candidate it backs"));
                    }
                }
                HoldKind::OwnNational => match self.national_candidate(&h.member) {
                    None => problems.push(format!(
                        "{at}: own-national hold, but no declared candidate is a national of {}",
                        h.member
                    )),
                    Some(c) if c.name == h.candidate => problems.push(format!(
                        "{at}: a member's own national cannot be held on its own account"
                    )),
                    Some(_) => {}
                },
                HoldKind::PendingConditions { met, total } => {
                    if *total == 0 || met > total {
                        problems.push(format!(
                            "{at}: conditions met {met} of {total}: need 0 <= met <= total, total >= 1"
                        ));
                    }
                }
                HoldKind::Withholds | HoldKind::Objects | HoldKind::Consultation => {}
            }
            // A leader with no hold on the candidate counts as released at day 0: the
            // follower then follows from the start (what lifting the leader means).
            if h.follows.as_deref() == Some(h.member.as_str()) {
                problems.push(format!("{at}: a member cannot follow itself"));
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(InputError { problems })
        }
    }
}

/// One edit of a what-if.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "edit")]
pub enum Edit {
    /// Lift the holds of `member` (on `candidate`, or on every candidate).
    Lift {
        member: String,
        #[serde(default)]
        candidate: Option<String>,
    },
    /// The candidate withdraws: its backers' implicit and own-national holds on rivals go.
    Withdraw { candidate: String },
    /// The candidate commits to `count` more of `member`'s conditions (all met → hold lifted).
    Commit {
        candidate: String,
        member: String,
        count: u32,
    },
    /// Move every milestone of `kind` to `to` (the term end too, for `term_end`).
    MoveDeadline { kind: MilestoneKind, to: Date },
}

/// An edit that names something the input does not have.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum EditError {
    #[error("no hold by {member}{} to lift", .candidate.as_ref().map(|c| format!(" on {c}")).unwrap_or_default())]
    NoSuchHold {
        member: String,
        candidate: Option<String>,
    },
    #[error("no declared candidate '{0}'")]
    NoSuchCandidate(String),
    #[error("{member} has no pending conditions on {candidate}")]
    NoPendingConditions { member: String, candidate: String },
    #[error("no milestone of kind {0}")]
    NoSuchMilestone(&'static str),
}

impl ForecastInput {
    /// The same input with `edit` applied.
    pub fn apply(&self, edit: &Edit) -> Result<ForecastInput, EditError> {
        let mut out = self.clone();
        match edit {
            Edit::Lift { member, candidate } => {
                let before = out.holds.len();
                out.holds.retain(|h| {
                    !(&h.member == member && candidate.as_ref().is_none_or(|c| &h.candidate == c))
                });
                if out.holds.len() == before {
                    return Err(EditError::NoSuchHold {
                        member: member.clone(),
                        candidate: candidate.clone(),
                    });
                }
            }
            Edit::Withdraw { candidate } => {
                let idx = out
                    .candidates
                    .iter()
                    .position(|c| &c.name == candidate && c.candidacy == Candidacy::Declared)
                    .ok_or_else(|| EditError::NoSuchCandidate(candidate.clone()))?;
                let nationality = out.candidates[idx].nationality.clone();
                out.candidates.remove(idx);
                out.holds.retain(|h| {
                    let on_withdrawn = &h.candidate == candidate;
                    let released = match &h.kind {
                        HoldKind::Implicit { backs } => backs == candidate,
                        HoldKind::OwnNational => nationality.as_deref() == Some(&h.member),
                        _ => false,
                    };
                    !(on_withdrawn || released)
                });
            }
            Edit::Commit {
                candidate,
                member,
                count,
            } => {
                let pos = out
                    .holds
                    .iter()
                    .position(|h| {
                        &h.member == member
                            && &h.candidate == candidate
                            && matches!(h.kind, HoldKind::PendingConditions { .. })
                    })
                    .ok_or_else(|| EditError::NoPendingConditions {
                        member: member.clone(),
                        candidate: candidate.clone(),
                    })?;
                if let HoldKind::PendingConditions { met, total } = out.holds[pos].kind {
                    let met = met.saturating_add(*count).min(total);
                    if met == total {
                        // A conditional stance with every condition met counts as support.
                        out.holds.remove(pos);
                    } else {
                        out.holds[pos].kind = HoldKind::PendingConditions { met, total };
                    }
                }
            }
            Edit::MoveDeadline { kind, to } => {
                let mut found = false;
                for m in out.milestones.iter_mut().filter(|m| m.kind == *kind) {
                    m.date = *to;
                    found = true;
                }
                if *kind == MilestoneKind::TermEnd {
                    out.term_end = *to;
                    found = true;
                }
                if !found {
                    return Err(EditError::NoSuchMilestone(kind.as_str()));
                }
                out.milestones.sort_by_key(|m| m.date);
            }
        }
        Ok(out)
    }
}
