//! What the reader proposes: stance reports with their evidence, and the candidacies,
//! withdrawals, conditions, commitments and milestones an article states. Nothing here is an
//! event: an analyst accepts, edits or rejects each proposal.

use concord_domain::model::{Attribution, MilestoneKind, Stance};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// A piece of the article: byte offsets into the (plain) text, and the text itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// A proposed stance report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceProposal {
    pub member: String,
    pub member_name: String,
    /// The candidate's id in the contest.
    pub candidate: String,
    pub candidate_name: String,
    pub stance: Stance,
    pub attribution: Attribution,
    /// "Name, role" (on the record), the institution (official), the unnamed source
    /// (anonymous), none (inferred).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub speaker: Option<String>,
    /// What the member asks of the candidate, where the stance is conditional.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// Set when the report comes from expanding a group ("Baltic states").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The sentences that support it, in text order.
    pub evidence: Vec<Span>,
    /// The cue words that decided the stance, for the reviewer ("will not back").
    pub cues: Vec<String>,
}

impl StanceProposal {
    /// The evidence as one string, pieces joined by " … " as in the annotation guide.
    pub fn evidence_text(&self) -> String {
        self.evidence
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" … ")
    }
}

/// A candidate entering the race (declared) or floated (potential).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidacyProposal {
    /// The contest's id for a known candidate; a new slug for a person not yet in the contest.
    pub candidate: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    pub declared: bool,
    pub evidence: Vec<Span>,
}

/// A candidate leaving the race.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WithdrawalProposal {
    pub candidate: String,
    pub name: String,
    pub evidence: Vec<Span>,
}

/// A condition a member sets on a candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionProposal {
    pub member: String,
    pub candidate: String,
    /// A short identifier, unique per member (`keep-our-focus-on-russia`).
    pub id: String,
    pub text: String,
    pub evidence: Vec<Span>,
}

/// A candidate's commitment meeting conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitmentProposal {
    pub candidate: String,
    pub text: String,
    /// The conditions it meets, as (member, condition id).
    pub meets: Vec<(String, String)>,
    pub evidence: Vec<Span>,
}

/// A dated point the article states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneProposal {
    pub id: String,
    pub label: String,
    pub date: Date,
    pub kind: MilestoneKind,
    pub evidence: Vec<Span>,
}

/// Everything read from one article.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub contest: String,
    /// The date the article speaks for (its publication date).
    pub published: Date,
    pub stances: Vec<StanceProposal>,
    pub candidacies: Vec<CandidacyProposal>,
    pub withdrawals: Vec<WithdrawalProposal>,
    pub conditions: Vec<ConditionProposal>,
    pub commitments: Vec<CommitmentProposal>,
    pub milestones: Vec<MilestoneProposal>,
    /// What the reader saw and set aside, and why ("superseded: had opposed … until").
    pub notes: Vec<String>,
}

impl Reading {
    pub fn is_empty(&self) -> bool {
        self.stances.is_empty()
            && self.candidacies.is_empty()
            && self.withdrawals.is_empty()
            && self.conditions.is_empty()
            && self.commitments.is_empty()
            && self.milestones.is_empty()
    }
}
