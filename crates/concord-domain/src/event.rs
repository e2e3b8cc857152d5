//! The event log: what happened, when it happened in the world (valid time), when and by whom
//! it was recorded, and a hash chaining each event to the one before it (sealed and checked in
//! [`crate::chain`]).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::{EventText, seal_hash};
use crate::model::{
    CandidateId, CandidateProfile, ContestDefinition, Member, MemberCode, Milestone, Report,
    Stance, Visibility,
};

/// The hash the first event of every stream chains to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened. Serialised with a `type` tag; the names are part of the stable JSON format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    ContestOpened {
        contest: ContestDefinition,
    },
    MemberJoined {
        member: Member,
        report: Report,
    },
    CandidateEntered {
        candidate: CandidateProfile,
        /// `potential` when floated, `declared` when in the race.
        declared: bool,
        report: Report,
    },
    CandidateWithdrew {
        candidate: CandidateId,
        report: Report,
    },
    StanceReported(StanceReport),
    ConditionSet {
        member: MemberCode,
        /// The candidate asked; `None` when asked of every candidate.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        candidate: Option<CandidateId>,
        /// Short identifier, unique per member (`russia-focus`).
        condition: String,
        text: String,
        report: Report,
    },
    CommitmentMade {
        candidate: CandidateId,
        text: String,
        /// The conditions this commitment meets, as (member, condition id).
        meets: Vec<ConditionRef>,
        report: Report,
    },
    MilestoneSet {
        milestone: Milestone,
        report: Report,
    },
    SilenceOpened {
        procedure: String,
        candidate: CandidateId,
        draft: String,
        /// A date-time with its time zone (NATO works on Brussels time).
        deadline: jiff::ZonedDateTime,
    },
    SilenceBroken {
        procedure: String,
        member: MemberCode,
        statement: String,
    },
    /// The chair withdraws a draft before its deadline.
    SilenceWithdrawn {
        procedure: String,
        reason: String,
    },
    StrawPollRecorded {
        round: u32,
        results: Vec<StrawPollResult>,
        /// The permanent members cast ballots of their own colour (UN practice from the sixth
        /// poll of 2016): their discouragements are told apart, and one of them is a veto.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        colour_coded: bool,
        report: Report,
    },
    /// A round of consultations in which members state preferences to facilitators who then cut
    /// the field (WTO practice: 9 → 5 → 2 → 1); no counts are published, only who went through.
    ConsultationRound {
        round: u32,
        advanced: Vec<CandidateId>,
        /// Candidates asked to withdraw after this round: out of the race from its date.
        eliminated: Vec<CandidateId>,
        report: Report,
    },
    VoteRecorded {
        candidate: CandidateId,
        in_favour: u32,
        against: u32,
        abstentions: u32,
        report: Report,
    },
    /// One round of a ballot among several candidates (an executive board's rounds, a
    /// council's vote): the votes each candidate received.
    BallotRecorded {
        round: u32,
        votes: Vec<BallotVotes>,
        /// The votes a candidate needed to be elected in this round, where known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        needed: Option<u32>,
        /// How many voted, where known.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        voters: Option<u32>,
        /// Candidates dropped after this round.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        eliminated: Vec<CandidateId>,
        report: Report,
    },
    DecisionRecorded {
        candidate: CandidateId,
        report: Report,
    },
    TermExtended {
        new_term_end: Date,
        report: Report,
    },
}

/// A reported stance of one member on one candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StanceReport {
    pub member: MemberCode,
    pub candidate: CandidateId,
    pub stance: Stance,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Condition ids (set with `condition_set`) a conditional stance depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<String>,
    /// The member moves with another member.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows: Option<MemberCode>,
    /// Another contest this stance is bargained against.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    #[serde(default, skip_serializing_if = "Visibility::is_public")]
    pub visibility: Visibility,
    pub report: Report,
}

/// A reference to one member's condition.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConditionRef {
    pub member: MemberCode,
    pub condition: String,
}

/// One candidate's result in a straw poll (UN Security Council style).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StrawPollResult {
    pub candidate: CandidateId,
    pub encourage: u32,
    pub discourage: u32,
    pub no_opinion: u32,
    /// Discouragements from permanent members, where the poll was colour-coded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p5_discourage: Option<u32>,
}

/// One candidate's votes in a ballot round.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallotVotes {
    pub candidate: CandidateId,
    pub votes: u32,
}

/// An event before it is sequenced: what a command proposes to append.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewEvent {
    /// The date it happened in the world.
    pub valid: Date,
    pub author: String,
    #[serde(flatten)]
    pub kind: EventKind,
}

/// A sequenced, recorded, chained event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// 1-based, dense within a contest.
    pub seq: u64,
    pub valid: Date,
    pub recorded_at: Timestamp,
    pub author: String,
    pub kind: EventKind,
    pub prev_hash: String,
    pub hash: String,
}

impl EventKind {
    /// The stable name of the kind (the `type` tag).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::ContestOpened { .. } => "contest_opened",
            EventKind::MemberJoined { .. } => "member_joined",
            EventKind::CandidateEntered { .. } => "candidate_entered",
            EventKind::CandidateWithdrew { .. } => "candidate_withdrew",
            EventKind::StanceReported(_) => "stance_reported",
            EventKind::ConditionSet { .. } => "condition_set",
            EventKind::CommitmentMade { .. } => "commitment_made",
            EventKind::MilestoneSet { .. } => "milestone_set",
            EventKind::SilenceOpened { .. } => "silence_opened",
            EventKind::SilenceBroken { .. } => "silence_broken",
            EventKind::SilenceWithdrawn { .. } => "silence_withdrawn",
            EventKind::StrawPollRecorded { .. } => "straw_poll_recorded",
            EventKind::VoteRecorded { .. } => "vote_recorded",
            EventKind::BallotRecorded { .. } => "ballot_recorded",
            EventKind::ConsultationRound { .. } => "consultation_round",
            EventKind::DecisionRecorded { .. } => "decision_recorded",
            EventKind::TermExtended { .. } => "term_extended",
        }
    }

    /// Only the chair may see this event.
    pub fn is_chair_only(&self) -> bool {
        matches!(self, EventKind::StanceReported(s) if s.visibility == Visibility::ChairOnly)
    }

    /// The report behind the event, where it has one.
    pub fn report(&self) -> Option<&Report> {
        match self {
            EventKind::MemberJoined { report, .. }
            | EventKind::CandidateEntered { report, .. }
            | EventKind::CandidateWithdrew { report, .. }
            | EventKind::ConditionSet { report, .. }
            | EventKind::CommitmentMade { report, .. }
            | EventKind::MilestoneSet { report, .. }
            | EventKind::StrawPollRecorded { report, .. }
            | EventKind::VoteRecorded { report, .. }
            | EventKind::BallotRecorded { report, .. }
            | EventKind::ConsultationRound { report, .. }
            | EventKind::DecisionRecorded { report, .. }
            | EventKind::TermExtended { report, .. } => Some(report),
            EventKind::StanceReported(s) => Some(&s.report),
            EventKind::ContestOpened { .. }
            | EventKind::SilenceOpened { .. }
            | EventKind::SilenceBroken { .. }
            | EventKind::SilenceWithdrawn { .. } => None,
        }
    }
}

/// The part of an event the legacy (scheme 1) hash covers, in a fixed field order.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: u64,
    valid: Date,
    recorded_at: Timestamp,
    author: &'a str,
    kind: &'a EventKind,
    prev_hash: &'a str,
}

/// The legacy (scheme 1) hash: SHA-256 over a JSON re-serialisation of the decoded event. Kept
/// only to check chains written before scheme 2 (see [`crate::chain`]); never used to seal.
pub fn legacy_event_hash(
    seq: u64,
    valid: Date,
    recorded_at: Timestamp,
    author: &str,
    kind: &EventKind,
    prev_hash: &str,
) -> String {
    let hashed = Hashed {
        seq,
        valid,
        recorded_at,
        author,
        kind,
        prev_hash,
    };
    let bytes = serde_json::to_vec(&hashed).expect("events always serialise");
    hex::encode(Sha256::digest(&bytes))
}

impl Event {
    /// Seals a new event onto a chain whose last event has `prev` (or none): its hash is the
    /// scheme-2 seal of the exact text it will be stored as.
    pub fn seal(new: NewEvent, prev: Option<(u64, &str)>, recorded_at: Timestamp) -> Event {
        let (seq, prev_hash) = match prev {
            Some((seq, hash)) => (seq + 1, hash.to_owned()),
            None => (1, GENESIS_HASH.to_owned()),
        };
        let text = EventText::of(new.valid, recorded_at, &new.author, &new.kind);
        let hash = seal_hash(seq, &text, &prev_hash);
        Event {
            seq,
            valid: new.valid,
            recorded_at,
            author: new.author,
            kind: new.kind,
            prev_hash,
            hash,
        }
    }

    /// The text this event is stored as (what its seal covers).
    pub fn text(&self) -> EventText {
        EventText::of(self.valid, self.recorded_at, &self.author, &self.kind)
    }
}

/// Seals a batch of new events onto a chain, in order.
pub fn seal_all(
    news: Vec<NewEvent>,
    prev: Option<(u64, String)>,
    recorded_at: Timestamp,
) -> Vec<Event> {
    let mut out: Vec<Event> = Vec::with_capacity(news.len());
    let mut last = prev;
    for new in news {
        let event = Event::seal(
            new,
            last.as_ref().map(|(s, h)| (*s, h.as_str())),
            recorded_at,
        );
        last = Some((event.seq, event.hash.clone()));
        out.push(event);
    }
    out
}
