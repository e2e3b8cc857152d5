//! The state of a contest at a date: a fold over the events whose valid time is on or before it.
//! Nothing here is stored; everything is derived from the log.

use std::collections::BTreeMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::event::{BallotVotes, ConditionRef, Event, EventKind, StanceReport, StrawPollResult};
use crate::model::{
    CandidateId, CandidateProfile, CandidateStatus, ContestDefinition, Member, MemberCode,
    Milestone,
};

/// A candidate as known at a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateState {
    #[serde(flatten)]
    pub profile: CandidateProfile,
    pub status: CandidateStatus,
    /// When the candidate entered (as potential or declared).
    pub since: Date,
    pub source: String,
    /// The round after which the candidate was eliminated (consultations or ballots).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eliminated_after: Option<u32>,
    /// When the candidate withdrew or was eliminated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_since: Option<Date>,
}

/// A condition a member has set.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionState {
    pub member: MemberCode,
    pub candidate: Option<CandidateId>,
    pub id: String,
    pub text: String,
    pub set_on: Date,
    pub source: String,
}

/// A candidate's commitment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CommitmentState {
    pub candidate: CandidateId,
    pub text: String,
    pub meets: Vec<ConditionRef>,
    pub made_on: Date,
    pub source: String,
}

/// A reported stance with the event it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StanceEntry {
    pub seq: u64,
    pub valid: Date,
    #[serde(flatten)]
    pub stance: StanceReport,
}

/// A silence procedure as far as the events go (the clock decides the rest; see `procedure`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceState {
    pub procedure: String,
    pub candidate: CandidateId,
    pub draft: String,
    pub deadline: jiff::ZonedDateTime,
    pub opened_seq: u64,
    pub opened_at: jiff::Timestamp,
    pub breaks: Vec<SilenceBreak>,
    pub withdrawn: Option<String>,
}

/// A member breaking silence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SilenceBreak {
    pub member: MemberCode,
    pub statement: String,
    pub recorded_at: jiff::Timestamp,
}

/// A recorded straw poll.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StrawPoll {
    pub round: u32,
    pub date: Date,
    pub results: Vec<StrawPollResult>,
    pub colour_coded: bool,
    pub source: String,
}

/// A recorded round of consultations: who went through, who was asked to withdraw.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Consultation {
    pub round: u32,
    pub date: Date,
    pub advanced: Vec<CandidateId>,
    pub eliminated: Vec<CandidateId>,
    pub source: String,
}

/// A recorded ballot round.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ballot {
    pub round: u32,
    pub date: Date,
    pub votes: Vec<BallotVotes>,
    pub needed: Option<u32>,
    pub voters: Option<u32>,
    pub eliminated: Vec<CandidateId>,
    pub source: String,
}

/// A recorded formal decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub candidate: CandidateId,
    pub date: Date,
    pub source: String,
}

/// Everything known about a contest on a date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContestState {
    pub as_of: Date,
    /// The valid date of the contest's opening event.
    pub opened: Date,
    pub definition: ContestDefinition,
    /// Every member ever recorded; use [`ContestState::current_members`] for those counted on `as_of`.
    pub members: Vec<Member>,
    pub candidates: Vec<CandidateState>,
    /// Every stance report, oldest first, by (member, candidate).
    pub reports: BTreeMap<(MemberCode, CandidateId), Vec<StanceEntry>>,
    pub conditions: Vec<ConditionState>,
    pub commitments: Vec<CommitmentState>,
    pub milestones: Vec<Milestone>,
    /// The latest term end known on `as_of`: the office's, moved by a `term_end` milestone or
    /// an extension.
    pub term_end: Date,
    /// Whether `term_end` is a known date rather than the definition's stand-in for an unknown
    /// one (see [`crate::model::Office::term_end_assumed`]).
    pub term_end_known: bool,
    pub procedures: Vec<SilenceState>,
    pub straw_polls: Vec<StrawPoll>,
    pub ballots: Vec<Ballot>,
    pub consultations: Vec<Consultation>,
    /// The contest's decision; for a package, set only once every post is decided (nothing is
    /// agreed until everything is).
    pub decision: Option<Decision>,
    /// A package's decisions so far, one per post.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_decisions: Vec<Decision>,
    /// Number of events folded.
    pub events_seen: u64,
}

/// Why a log cannot be folded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FoldError {
    #[error("the log is empty: a contest starts with a contest_opened event")]
    Empty,
    #[error("event {seq}: a contest starts with contest_opened, found {found}")]
    NotOpened { seq: u64, found: &'static str },
    #[error("event {seq}: contest_opened may appear only once")]
    OpenedTwice { seq: u64 },
}

impl ContestState {
    /// Folds the events with valid time on or before `as_of`. Events must be in log order.
    pub fn fold(events: &[Event], as_of: Date) -> Result<ContestState, FoldError> {
        let first = events.first().ok_or(FoldError::Empty)?;
        let EventKind::ContestOpened { contest } = &first.kind else {
            return Err(FoldError::NotOpened {
                seq: first.seq,
                found: first.kind.name(),
            });
        };
        let mut state = ContestState {
            as_of,
            opened: first.valid,
            members: contest.organisation.members.clone(),
            term_end: contest.office.term_end,
            term_end_known: !contest.office.term_end_assumed,
            definition: contest.clone(),
            candidates: Vec::new(),
            reports: BTreeMap::new(),
            conditions: Vec::new(),
            commitments: Vec::new(),
            milestones: Vec::new(),
            procedures: Vec::new(),
            straw_polls: Vec::new(),
            ballots: Vec::new(),
            consultations: Vec::new(),
            decision: None,
            post_decisions: Vec::new(),
            events_seen: 1,
        };
        // Valid time orders the world; the log order breaks ties, so we fold in (valid, seq) order.
        let mut rest: Vec<&Event> = events[1..].iter().filter(|e| e.valid <= as_of).collect();
        rest.sort_by_key(|e| (e.valid, e.seq));
        for event in rest {
            state.apply(event)?;
        }
        Ok(state)
    }

    fn apply(&mut self, event: &Event) -> Result<(), FoldError> {
        self.events_seen += 1;
        let date = event.valid;
        match &event.kind {
            EventKind::ContestOpened { .. } => {
                return Err(FoldError::OpenedTwice { seq: event.seq });
            }
            EventKind::MemberJoined { member, .. } => {
                self.members.retain(|m| m.code != member.code);
                self.members.push(member.clone());
            }
            EventKind::CandidateEntered {
                candidate,
                declared,
                report,
            } => {
                let status = if *declared {
                    CandidateStatus::Declared
                } else {
                    CandidateStatus::Potential
                };
                match self
                    .candidates
                    .iter_mut()
                    .find(|c| c.profile.id == candidate.id)
                {
                    // A potential candidate who declares keeps the date first floated.
                    Some(existing) => {
                        if *declared {
                            existing.status = CandidateStatus::Declared;
                            existing.source = report.source.clone();
                        }
                        existing.profile = candidate.clone();
                    }
                    None => self.candidates.push(CandidateState {
                        profile: candidate.clone(),
                        status,
                        since: date,
                        source: report.source.clone(),
                        eliminated_after: None,
                        out_since: None,
                    }),
                }
            }
            EventKind::CandidateWithdrew { candidate, .. } => {
                if let Some(c) = self.candidate_mut(candidate) {
                    c.status = CandidateStatus::Withdrawn;
                    c.out_since.get_or_insert(date);
                }
            }
            EventKind::StanceReported(report) => {
                self.reports
                    .entry((report.member.clone(), report.candidate.clone()))
                    .or_default()
                    .push(StanceEntry {
                        seq: event.seq,
                        valid: date,
                        stance: report.clone(),
                    });
            }
            EventKind::ConditionSet {
                member,
                candidate,
                condition,
                text,
                report,
            } => {
                self.conditions
                    .retain(|c| !(c.member == *member && c.id == *condition));
                self.conditions.push(ConditionState {
                    member: member.clone(),
                    candidate: candidate.clone(),
                    id: condition.clone(),
                    text: text.clone(),
                    set_on: date,
                    source: report.source.clone(),
                });
            }
            EventKind::CommitmentMade {
                candidate,
                text,
                meets,
                report,
            } => self.commitments.push(CommitmentState {
                candidate: candidate.clone(),
                text: text.clone(),
                meets: meets.clone(),
                made_on: date,
                source: report.source.clone(),
            }),
            EventKind::MilestoneSet { milestone, .. } => {
                // A term end learnt later replaces the one known before (a resignation brings
                // it forward; a stated date replaces an assumed one).
                if milestone.kind == crate::model::MilestoneKind::TermEnd {
                    self.term_end = milestone.date;
                    self.term_end_known = true;
                }
                self.milestones.retain(|m| m.id != milestone.id);
                self.milestones.push(milestone.clone());
                self.milestones.sort_by_key(|m| (m.date, m.kind));
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
                opened_seq: event.seq,
                opened_at: event.recorded_at,
                breaks: Vec::new(),
                withdrawn: None,
            }),
            EventKind::SilenceBroken {
                procedure,
                member,
                statement,
            } => {
                if let Some(p) = self
                    .procedures
                    .iter_mut()
                    .find(|p| p.procedure == *procedure)
                {
                    p.breaks.push(SilenceBreak {
                        member: member.clone(),
                        statement: statement.clone(),
                        recorded_at: event.recorded_at,
                    });
                }
            }
            EventKind::SilenceWithdrawn { procedure, reason } => {
                if let Some(p) = self
                    .procedures
                    .iter_mut()
                    .find(|p| p.procedure == *procedure)
                {
                    p.withdrawn = Some(reason.clone());
                }
            }
            EventKind::StrawPollRecorded {
                round,
                results,
                colour_coded,
                report,
            } => self.straw_polls.push(StrawPoll {
                round: *round,
                date,
                results: results.clone(),
                colour_coded: *colour_coded,
                source: report.source.clone(),
            }),
            EventKind::ConsultationRound {
                round,
                advanced,
                eliminated,
                report,
            } => {
                self.eliminate(eliminated, *round, date);
                self.consultations.push(Consultation {
                    round: *round,
                    date,
                    advanced: advanced.clone(),
                    eliminated: eliminated.clone(),
                    source: report.source.clone(),
                });
            }
            EventKind::VoteRecorded { .. } => {}
            EventKind::BallotRecorded {
                round,
                votes,
                needed,
                voters,
                eliminated,
                report,
            } => {
                self.eliminate(eliminated, *round, date);
                self.ballots.push(Ballot {
                    round: *round,
                    date,
                    votes: votes.clone(),
                    needed: *needed,
                    voters: *voters,
                    eliminated: eliminated.clone(),
                    source: report.source.clone(),
                });
            }
            EventKind::DecisionRecorded { candidate, report } => {
                if let Some(c) = self.candidate_mut(candidate) {
                    c.status = CandidateStatus::Appointed;
                }
                let decision = Decision {
                    candidate: candidate.clone(),
                    date,
                    source: report.source.clone(),
                };
                if self.definition.is_package() {
                    self.post_decisions.push(decision.clone());
                    let decided = |post: &str| {
                        self.post_decisions.iter().any(|d| {
                            self.candidate(&d.candidate)
                                .and_then(|c| c.profile.post.as_deref())
                                == Some(post)
                        })
                    };
                    if self.definition.posts.iter().all(|p| decided(&p.id)) {
                        self.decision = Some(decision);
                    }
                } else {
                    self.decision = Some(decision);
                }
            }
            EventKind::TermExtended { new_term_end, .. } => {
                self.term_end = *new_term_end;
                self.term_end_known = true;
            }
        }
        Ok(())
    }

    /// Candidates dropped after a round are out of the race from its date.
    fn eliminate(&mut self, eliminated: &[CandidateId], round: u32, date: Date) {
        for id in eliminated {
            if let Some(c) = self.candidate_mut(id)
                && c.status != CandidateStatus::Appointed
            {
                c.status = CandidateStatus::Withdrawn;
                c.eliminated_after = Some(round);
                c.out_since.get_or_insert(date);
            }
        }
    }

    fn candidate_mut(&mut self, id: &str) -> Option<&mut CandidateState> {
        self.candidates.iter_mut().find(|c| c.profile.id == id)
    }

    pub fn candidate(&self, id: &str) -> Option<&CandidateState> {
        self.candidates.iter().find(|c| c.profile.id == id)
    }

    pub fn member(&self, code: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.code == code)
    }

    /// The members counted on `as_of`, in the order the organisation lists them.
    pub fn current_members(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(|m| m.is_member_on(self.as_of))
    }

    /// Candidates in the race (declared, or appointed).
    pub fn declared_candidates(&self) -> impl Iterator<Item = &CandidateState> {
        self.candidates.iter().filter(|c| {
            matches!(
                c.status,
                CandidateStatus::Declared | CandidateStatus::Appointed
            )
        })
    }

    /// Reports on (member, candidate), oldest first.
    pub fn reports_on(&self, member: &str, candidate: &str) -> &[StanceEntry] {
        self.reports
            .get(&(member.to_owned(), candidate.to_owned()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Whether a condition has been met by a commitment of `candidate`.
    pub fn condition_met(&self, member: &str, condition: &str, candidate: &str) -> bool {
        self.commitments.iter().any(|c| {
            c.candidate == candidate
                && c.meets
                    .iter()
                    .any(|r| r.member == member && r.condition == condition)
        })
    }

    /// The conditions a member has set on a candidate (those naming it, and those asked of all).
    pub fn conditions_of<'a>(
        &'a self,
        member: &'a str,
        candidate: &'a str,
    ) -> impl Iterator<Item = &'a ConditionState> + 'a {
        self.conditions.iter().filter(move |c| {
            c.member == member && c.candidate.as_deref().is_none_or(|id| id == candidate)
        })
    }

    /// The post a candidate stands for, in a package.
    pub fn post_of(&self, candidate: &str) -> Option<&str> {
        self.candidate(candidate)
            .and_then(|c| c.profile.post.as_deref())
    }

    /// Milestones on or after `as_of`.
    pub fn upcoming_milestones(&self) -> impl Iterator<Item = &Milestone> {
        self.milestones.iter().filter(|m| m.date >= self.as_of)
    }

    /// The first hard deadline still ahead, else the term end.
    pub fn focal_deadline(&self) -> Option<&Milestone> {
        self.upcoming_milestones()
            .find(|m| m.kind == crate::model::MilestoneKind::HardDeadline)
            .or_else(|| {
                self.upcoming_milestones()
                    .find(|m| m.kind == crate::model::MilestoneKind::TermEnd)
            })
    }
}
