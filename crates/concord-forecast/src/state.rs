//! From the domain's board to the forecast's input: which (member, candidate) pairs are holds,
//! and of what kind.
//!
//! The rules follow `design/domain.md`: an explicit `withholds`/`objects` is a hold; backing a
//! rival is an implicit hold; a `conditional` stance with unmet conditions is a pending hold;
//! and a hold by a member whose own national is a rival declared candidate is an own-national
//! hold (it goes when that candidate withdraws), whatever its stated stance.

use concord_domain::board::{Basis, Board};
use concord_domain::model::{CandidateStatus, MilestoneKind as DomainKind, Stance};
use concord_domain::rules::DecisionRule;
use concord_domain::state::ContestState;
use jiff::civil::Date;

use crate::input::{
    Candidacy, CandidateInput, ConditionProgress, ForecastInput, Hold, HoldKind, MilestoneInput,
    MilestoneKind, RuleFamily,
};
use crate::params::{ModelParams, Params};

/// The pseudo-member of the consultation hold (the undeclared majority).
pub const CONSULTATION_MEMBER: &str = "*undeclared";

impl ForecastInput {
    /// The forecast input of a contest state for the bundled model.
    pub fn from_state(state: &ContestState, as_of: Date) -> ForecastInput {
        ForecastInput::from_state_with(state, as_of, &Params::bundled())
    }

    /// The forecast input of a contest state: `as_of` is day 0 of the simulation (normally
    /// `state.as_of`). Model v1 adds a consultation hold on weakly backed candidates (its
    /// `from_state` parameters); model v2 reads the silent members as a count instead, and
    /// under a voting rule takes support from the latest ballot or straw poll and no member's
    /// block but a veto holder's.
    pub fn from_state_with(state: &ContestState, as_of: Date, params: &Params) -> ForecastInput {
        match &params.model {
            ModelParams::V1(v1) => {
                ForecastInput::build(state, as_of, Some(v1.from_state.consultation_share))
            }
            ModelParams::V2(_) => ForecastInput::build(state, as_of, None),
        }
    }

    /// The input model v2 reads (it does not depend on the fitted coefficients, so the fit
    /// reads it too).
    pub fn v2_from_state(state: &ContestState, as_of: Date) -> ForecastInput {
        ForecastInput::build(state, as_of, None)
    }

    /// `v1_consultation_share`: model v1's rule for the consultation pseudo-hold; `None` for v2.
    fn build(
        state: &ContestState,
        as_of: Date,
        v1_consultation_share: Option<f64>,
    ) -> ForecastInput {
        let board = Board::of(state);
        let rule = match &state.definition.rule {
            DecisionRule::Consensus | DecisionRule::Unanimity { .. } => RuleFamily::Consensus,
            DecisionRule::VetoMajority { .. } => RuleFamily::VetoVote,
            _ => RuleFamily::Vote,
        };
        // Under model v1 every rule is read as consensus (its scope).
        let rule = if v1_consultation_share.is_some() {
            RuleFamily::Consensus
        } else {
            rule
        };
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
                let on_board = board
                    .column(id)
                    .filter(|cell| cell.effective == Stance::Supports)
                    .count() as u32;
                let (supporters, vetoed) = match rule {
                    RuleFamily::Consensus => (on_board, false),
                    RuleFamily::Vote | RuleFamily::VetoVote => latest_round(state, id)
                        .map_or((on_board, false), |(votes, vetoed)| (votes, vetoed)),
                };
                CandidateInput {
                    name: name_of(id),
                    candidacy: Candidacy::Declared,
                    nationality: c.and_then(|c| c.profile.nationality.clone()),
                    supporters,
                    vetoed,
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
                    vetoed: false,
                }),
        );

        let national_rival = |member: &str, candidate: &str| {
            state.declared_candidates().any(|c| {
                c.profile.id != candidate && c.profile.nationality.as_deref() == Some(member)
            })
        };
        let veto_holders: &[String] = match &state.definition.rule {
            DecisionRule::VetoMajority { veto_holders, .. } => veto_holders,
            _ => &[],
        };
        let mut holds = Vec::new();
        for cell in &board.cells {
            // Under a vote no member blocks alone; a veto holder's objection is a hold.
            let counts = match rule {
                RuleFamily::Consensus => true,
                RuleFamily::Vote => false,
                RuleFamily::VetoVote => {
                    cell.effective == Stance::Objects && veto_holders.contains(&cell.member)
                }
            };
            let kind = if !counts || !(cell.holds() || cell.pending()) {
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
            // Conditions a blocking member has set, and how many commitments meet.
            let conditions = matches!(kind, HoldKind::Objects | HoldKind::Withholds)
                .then(|| {
                    let set: Vec<_> = state.conditions_of(&cell.member, &cell.candidate).collect();
                    let met = set
                        .iter()
                        .filter(|c| state.condition_met(&cell.member, &c.id, &cell.candidate))
                        .count() as u32;
                    (!set.is_empty()).then_some(ConditionProgress {
                        met,
                        total: set.len() as u32,
                    })
                })
                .flatten();
            holds.push(Hold {
                member: cell.member.clone(),
                candidate: name_of(&cell.candidate),
                kind,
                follows: cell.follows.clone(),
                conditions,
            });
        }
        // Model v1: too few declared backers, so the undeclared majority still has to be
        // consulted (a pseudo-hold).
        if let Some(share) = v1_consultation_share {
            let needed = share * f64::from(members_count);
            for c in &candidates {
                if c.candidacy == Candidacy::Declared && f64::from(c.supporters) < needed {
                    holds.push(Hold {
                        member: CONSULTATION_MEMBER.to_owned(),
                        candidate: c.name.clone(),
                        kind: HoldKind::Consultation,
                        follows: None,
                        conditions: None,
                    });
                }
            }
        }
        // Silent members: no stance on any candidate, stated or derived.
        let declared_members: std::collections::BTreeSet<&str> = board
            .cells
            .iter()
            .filter(|c| c.basis != Basis::Default || c.effective != Stance::Undeclared)
            .map(|c| c.member.as_str())
            .collect();
        let undeclared = board
            .members
            .iter()
            .filter(|m| !declared_members.contains(m.as_str()))
            .count() as u32;

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
            opened: if v1_consultation_share.is_some() {
                // v1's early bump decays from the first candidacy.
                state.candidates.iter().map(|c| c.since).min()
            } else {
                Some(state.opened)
            },
            members_count,
            candidates,
            holds,
            milestones,
            term_end: state.term_end,
            term_end_known: state.term_end_known,
            reversion,
            rule,
            undeclared,
            recent_events: recent_events(state, as_of),
        }
    }
}

/// Facts dated in the 30 days up to `as_of`.
fn recent_events(state: &ContestState, as_of: Date) -> u32 {
    let from = as_of.saturating_sub(jiff::Span::new().days(29));
    let recent = |d: Date| from <= d && d <= as_of;
    let stances = state
        .reports
        .values()
        .flatten()
        .filter(|e| recent(e.valid))
        .count();
    let candidacies = state.candidates.iter().filter(|c| recent(c.since)).count();
    let conditions = state.conditions.iter().filter(|c| recent(c.set_on)).count();
    let commitments = state
        .commitments
        .iter()
        .filter(|c| recent(c.made_on))
        .count();
    let rounds = state.straw_polls.iter().filter(|p| recent(p.date)).count()
        + state.ballots.iter().filter(|b| recent(b.date)).count();
    (stances + candidacies + conditions + commitments + rounds) as u32
}

/// A candidate's support in the latest ballot or straw poll on or before the state's date, and
/// whether a permanent member discouraged it there.
fn latest_round(state: &ContestState, candidate: &str) -> Option<(u32, bool)> {
    let ballot = state
        .ballots
        .iter()
        .filter(|b| b.votes.iter().any(|v| v.candidate == candidate))
        .max_by_key(|b| (b.date, b.round))
        .map(|b| {
            let votes = b
                .votes
                .iter()
                .find(|v| v.candidate == candidate)
                .map_or(0, |v| v.votes);
            (b.date, votes, false)
        });
    let poll = state
        .straw_polls
        .iter()
        .filter(|p| p.results.iter().any(|r| r.candidate == candidate))
        .max_by_key(|p| (p.date, p.round))
        .and_then(|p| {
            let r = p.results.iter().find(|r| r.candidate == candidate)?;
            Some((p.date, r.encourage, r.p5_discourage.is_some_and(|d| d > 0)))
        });
    match (ballot, poll) {
        (Some(b), Some(p)) if p.0 > b.0 => Some((p.1, p.2)),
        (Some(b), _) => Some((b.1, b.2)),
        (None, Some(p)) => Some((p.1, p.2)),
        (None, None) => None,
    }
}
