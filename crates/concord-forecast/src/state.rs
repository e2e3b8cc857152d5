//! From the domain's board to the forecast's input: which (member, candidate) pairs are holds,
//! and of what kind.
//!
//! The rules follow `design/domain.md`: an explicit `withholds`/`objects` is a hold; backing a
//! rival is an implicit hold; a `conditional` stance with unmet conditions is a pending hold;
//! and a hold by a member whose own national is a rival declared candidate is an own-national
//! hold (it goes when that candidate withdraws), whatever its stated stance.

use concord_domain::board::Board;
use concord_domain::model::{CandidateStatus, MilestoneKind as DomainKind, Stance};
use concord_domain::state::ContestState;
use jiff::civil::Date;

use crate::input::{
    Candidacy, CandidateInput, ForecastInput, Hold, HoldKind, MilestoneInput, MilestoneKind,
};
use crate::params::Params;

/// The pseudo-member of the consultation hold (the undeclared majority).
pub const CONSULTATION_MEMBER: &str = "*undeclared";

impl ForecastInput {
    /// The forecast input of a contest state, with the v1 rule for consultations.
    pub fn from_state(state: &ContestState, as_of: Date) -> ForecastInput {
        ForecastInput::from_state_with(state, as_of, &Params::v1())
    }

    /// The forecast input of a contest state: `as_of` is day 0 of the simulation (normally
    /// `state.as_of`). `params.from_state` decides when a consultation hold is added.
    pub fn from_state_with(state: &ContestState, as_of: Date, params: &Params) -> ForecastInput {
        let board = Board::of(state);
        let name_of = |id: &str| {
            state
                .candidate(id)
                .map_or_else(|| id.to_owned(), |c| c.profile.name.clone())
        };
        let members_count = board.members.len().max(1) as u32;
        let mut candidates: Vec<CandidateInput> = board
            .candidates
            .iter()
            .map(|id| {
                let c = state.candidate(id);
                CandidateInput {
                    name: name_of(id),
                    candidacy: Candidacy::Declared,
                    nationality: c.and_then(|c| c.profile.nationality.clone()),
                    supporters: board
                        .column(id)
                        .filter(|cell| cell.effective == Stance::Supports)
                        .count() as u32,
                }
            })
            .collect();
        // The best-supported first: ties in a trial go to the earlier candidate.
        candidates.sort_by_key(|c| std::cmp::Reverse(c.supporters));
        candidates.extend(
            state
                .candidates
                .iter()
                .filter(|c| c.status == CandidateStatus::Potential)
                .map(|c| CandidateInput {
                    name: c.profile.name.clone(),
                    candidacy: Candidacy::Potential,
                    nationality: c.profile.nationality.clone(),
                    supporters: 0,
                }),
        );

        let national_rival = |member: &str, candidate: &str| {
            state.declared_candidates().any(|c| {
                c.profile.id != candidate && c.profile.nationality.as_deref() == Some(member)
            })
        };
        let mut holds = Vec::new();
        for cell in &board.cells {
            let kind = if !(cell.holds() || cell.pending()) {
                continue;
            } else if national_rival(&cell.member, &cell.candidate) {
                HoldKind::OwnNational
            } else if cell.effective == Stance::Objects {
                HoldKind::Objects
            } else if cell.effective == Stance::Withholds {
                HoldKind::Withholds
            } else if let Some(rival) = &cell.prefers {
                HoldKind::Implicit {
                    backs: name_of(rival),
                }
            } else {
                let total = cell.conditions.len().max(1) as u32;
                let met = cell.conditions.iter().filter(|c| c.met).count() as u32;
                HoldKind::PendingConditions {
                    met: met.min(total - 1),
                    total,
                }
            };
            holds.push(Hold {
                member: cell.member.clone(),
                candidate: name_of(&cell.candidate),
                kind,
                follows: cell.follows.clone(),
            });
        }
        // Too few declared backers: the undeclared majority still has to be consulted.
        let needed = params.from_state.consultation_share * f64::from(members_count);
        for c in &candidates {
            if c.candidacy == Candidacy::Declared && f64::from(c.supporters) < needed {
                holds.push(Hold {
                    member: CONSULTATION_MEMBER.to_owned(),
                    candidate: c.name.clone(),
                    kind: HoldKind::Consultation,
                    follows: None,
                });
            }
        }

        let mut milestones: Vec<MilestoneInput> = state
            .milestones
            .iter()
            .map(|m| MilestoneInput {
                date: m.date,
                kind: match m.kind {
                    DomainKind::Target => MilestoneKind::Target,
                    DomainKind::Meeting => MilestoneKind::Meeting,
                    DomainKind::HardDeadline => MilestoneKind::HardDeadline,
                    DomainKind::TermEnd => MilestoneKind::TermEnd,
                },
                label: m.label.clone(),
            })
            .collect();
        milestones.sort_by_key(|m| m.date);
        let office = &state.definition.office;
        let reversion = match &office.incumbent {
            Some(incumbent) => format!("{} ({incumbent})", office.reversion),
            None => office.reversion.to_string(),
        };
        ForecastInput {
            as_of,
            opened: state.candidates.iter().map(|c| c.since).min(),
            members_count,
            candidates,
            holds,
            milestones,
            term_end: state.term_end,
            reversion,
        }
    }
}
