//! The status of a contest on a date, as one serialisable value: what `concord status --format
//! json` prints and what the API's board endpoint returns. Its JSON shape is documented in
//! `docs/json.md` and is stable: fields are added, never renamed or removed.

use jiff::civil::Date;
use serde::Serialize;

use crate::board::{Board, Cell, Verdict};
use crate::links::LinkView;
use crate::model::{CandidateStatus, MilestoneKind, Reversion, Stance};
use crate::rounds::RoundsView;
use crate::rules::{DecisionRule, RuleError};
use crate::state::ContestState;

/// The version of the JSON shape below.
pub const STATUS_FORMAT_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusView {
    pub format_version: u32,
    pub contest: ContestHeader,
    pub as_of: Date,
    pub verdict: Verdict,
    pub candidates: Vec<CandidateColumn>,
    pub potential_candidates: Vec<PotentialCandidate>,
    pub milestones: Vec<MilestoneView>,
    pub board: Board,
    /// Straw polls, consultation rounds and ballot rounds, for a contest decided in rounds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<RoundsView>,
    /// Stances linked to other contests, and stances elsewhere linked to this one (set by
    /// [`StatusView::with_links`]: only the face knows the other contests).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub links: Option<LinkView>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContestHeader {
    pub id: String,
    pub title: String,
    pub organisation: String,
    pub office: String,
    pub incumbent: Option<String>,
    pub term_end: Date,
    pub reversion: Reversion,
    pub rule: DecisionRule,
    pub members: usize,
    pub events_seen: u64,
    /// Once the contest is decided: who takes over from the incumbent at `term_end`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub successor: Option<Successor>,
}

/// The candidate appointed, and when.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Successor {
    pub candidate: String,
    pub name: String,
    pub appointed: Date,
}

/// A candidate's column, grouped the way a reader asks: who backs, who blocks, who is pending.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateColumn {
    pub id: String,
    pub name: String,
    pub nationality: Option<String>,
    pub status: CandidateStatus,
    pub since: Date,
    pub supporters: Vec<String>,
    /// The supporters whose support rests on an analyst's inference (the standing report is
    /// `inferred`), not on a report of their own.
    pub supporters_inferred: Vec<String>,
    /// The supporters that count as such because the candidate met their conditions, with
    /// each condition and the commitment that met it.
    pub supporters_on_conditions: Vec<Cell>,
    pub leaning: Vec<String>,
    /// Explicit holds (`withholds`, `objects`), with reasons and sources.
    pub blockers: Vec<Cell>,
    /// Members holding only because they back a rival.
    pub implicit_holds: Vec<String>,
    /// Supports this candidate had, each replaced by the member's later support for a rival
    /// (one candidate at a time): kept to say why the member no longer counts here.
    pub superseded: Vec<Cell>,
    /// Conditional with conditions unmet.
    pub pending: Vec<Cell>,
    pub undeclared: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PotentialCandidate {
    pub id: String,
    pub name: String,
    pub nationality: Option<String>,
    pub since: Date,
    pub source: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MilestoneView {
    pub id: String,
    pub label: String,
    pub date: Date,
    pub kind: MilestoneKind,
    /// Days from `as_of`; negative once passed.
    pub days_left: i32,
}

impl StatusView {
    pub fn build(state: &ContestState) -> Result<StatusView, RuleError> {
        let board = Board::of(state);
        let verdict = Verdict::of(state, &board)?;
        let def = &state.definition;
        let candidates = board
            .candidates
            .iter()
            .filter_map(|id| state.candidate(id))
            .map(|c| {
                let id = c.profile.id.as_str();
                let column: Vec<&Cell> = board.column(id).collect();
                let codes = |pred: &dyn Fn(&Cell) -> bool| -> Vec<String> {
                    column
                        .iter()
                        .filter(|c| pred(c))
                        .map(|c| c.member.clone())
                        .collect()
                };
                CandidateColumn {
                    id: id.to_owned(),
                    name: c.profile.name.clone(),
                    nationality: c.profile.nationality.clone(),
                    status: c.status,
                    since: c.since,
                    supporters: codes(&|c| c.effective == Stance::Supports),
                    supporters_inferred: codes(&|c| {
                        c.effective == Stance::Supports
                            && c.attribution == Some(crate::model::Attribution::Inferred)
                    }),
                    supporters_on_conditions: column
                        .iter()
                        .filter(|c| {
                            c.effective == Stance::Supports
                                && c.basis == crate::board::Basis::ConditionsMet
                        })
                        .map(|c| (*c).clone())
                        .collect(),
                    leaning: codes(&|c| c.effective == Stance::Leans && c.prefers.is_none()),
                    blockers: column
                        .iter()
                        .filter(|c| c.effective.blocks())
                        .map(|c| (*c).clone())
                        .collect(),
                    implicit_holds: codes(&|c| !c.effective.blocks() && c.prefers.is_some()),
                    superseded: column
                        .iter()
                        .filter(|c| c.basis == crate::board::Basis::Superseded)
                        .map(|c| (*c).clone())
                        .collect(),
                    pending: column
                        .iter()
                        .filter(|c| c.pending() && c.prefers.is_none())
                        .map(|c| (*c).clone())
                        .collect(),
                    undeclared: codes(&|c| {
                        c.effective == Stance::Undeclared && c.prefers.is_none()
                    }),
                }
            })
            .collect();
        Ok(StatusView {
            format_version: STATUS_FORMAT_VERSION,
            contest: ContestHeader {
                id: def.id.clone(),
                title: def.title.clone(),
                organisation: def.organisation.name.clone(),
                office: def.office.title.clone(),
                incumbent: def.office.incumbent.clone(),
                term_end: state.term_end,
                reversion: def.office.reversion,
                rule: def.rule.clone(),
                members: board.members.len(),
                events_seen: state.events_seen,
                successor: state.decision.as_ref().map(|d| Successor {
                    candidate: d.candidate.clone(),
                    name: state
                        .candidate(&d.candidate)
                        .map_or_else(|| d.candidate.clone(), |c| c.profile.name.clone()),
                    appointed: d.date,
                }),
            },
            as_of: state.as_of,
            verdict,
            candidates,
            // Once the contest is decided nobody is floated any more.
            potential_candidates: state
                .candidates
                .iter()
                .filter(|c| c.status == CandidateStatus::Potential && state.decision.is_none())
                .map(|c| PotentialCandidate {
                    id: c.profile.id.clone(),
                    name: c.profile.name.clone(),
                    nationality: c.profile.nationality.clone(),
                    since: c.since,
                    source: c.source.clone(),
                })
                .collect(),
            milestones: state
                .milestones
                .iter()
                .map(|m| MilestoneView {
                    id: m.id.clone(),
                    label: m.label.clone(),
                    date: m.date,
                    kind: m.kind,
                    days_left: (m.date - state.as_of).get_days(),
                })
                .collect(),
            board,
            rounds: RoundsView::build(state),
            links: None,
        })
    }

    /// Adds the links to and from the other contests of the store (folded on the same date).
    pub fn with_links(mut self, state: &ContestState, others: &[ContestState]) -> StatusView {
        self.links = LinkView::build(state, &self.board, others);
        self
    }
}
