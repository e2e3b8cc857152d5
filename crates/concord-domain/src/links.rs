//! Linked contests: a stance bargained against another contest (`linked_to`), followed both
//! ways. A contest's board shows the holds it links elsewhere, with how that other contest
//! stands, and the stances elsewhere that link to it.
//!
//! Links are references: an import refuses one naming no contest the store holds
//! ([`unknown_links`]); the faces fold the linked contests and hand them to [`LinkView::build`].

use jiff::civil::Date;
use serde::Serialize;

use crate::board::{Board, ContestStatus, Verdict};
use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{CandidateId, MemberCode, Stance};
use crate::scenario::LinkRef;
use crate::state::ContestState;

/// The most contests a board reads to find the links to it: the cost of a board is bounded
/// however many contests the store holds.
pub const MAX_LINKED_CONTESTS: usize = 200;

/// The scenarios bundled with concord (`scenarios/`, compiled into the binary): a link may name
/// one before it is imported, since any store can import it by name. The binary's tests check
/// this list against its bundle.
pub const BUNDLED_CONTESTS: &[&str] = &["nato-sg-2024", "unsg-2016", "eu-top-jobs-2024"];

/// How a linked contest stands on the board's date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkedContest {
    pub id: String,
    pub title: String,
    /// `None` when the contest cannot be evaluated (its rule lacks data).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ContestStatus>,
    /// The decision and its date, once taken.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided: Option<(String, Date)>,
}

/// A stance on this board linked to another contest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutgoingLink {
    pub member: MemberCode,
    pub candidate: CandidateId,
    pub stance: Stance,
    pub holds: bool,
    /// The contest linked to; `None` fields when the store does not hold it.
    pub contest: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked: Option<LinkedContest>,
}

/// A standing stance in another contest linked to this one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncomingLink {
    pub from: LinkedContest,
    pub member: MemberCode,
    pub candidate: CandidateId,
    pub candidate_name: String,
    pub stance: Stance,
    pub date: Date,
}

/// Links from and to a contest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LinkView {
    pub outgoing: Vec<OutgoingLink>,
    pub incoming: Vec<IncomingLink>,
}

fn summary(state: &ContestState) -> LinkedContest {
    let status = Verdict::of(state, &Board::of(state)).ok().map(|v| v.status);
    LinkedContest {
        id: state.definition.id.clone(),
        title: state.definition.title.clone(),
        status,
        decided: state.decision.as_ref().map(|d| {
            let name = state
                .candidate(&d.candidate)
                .map_or(d.candidate.clone(), |c| c.profile.name.clone());
            (name, d.date)
        }),
    }
}

/// The ids of every contest a contest's standing stances link to.
pub fn linked_ids(state: &ContestState) -> Vec<String> {
    let mut ids: Vec<String> = state
        .reports
        .values()
        .filter_map(|entries| crate::board::standing_report(entries))
        .filter_map(|e| e.stance.linked_to.clone())
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

impl LinkView {
    /// `others`: the other contests of the store folded on the same date (at most
    /// [`MAX_LINKED_CONTESTS`] are read). `None` when there is no link either way.
    pub fn build(state: &ContestState, board: &Board, others: &[ContestState]) -> Option<LinkView> {
        let this = state.definition.id.as_str();
        let find = |id: &str| others.iter().find(|o| o.definition.id == id);
        let outgoing: Vec<OutgoingLink> = board
            .cells
            .iter()
            .filter_map(|cell| {
                let contest = cell.linked_to.clone()?;
                Some(OutgoingLink {
                    member: cell.member.clone(),
                    candidate: cell.candidate.clone(),
                    stance: cell.effective,
                    holds: cell.holds(),
                    linked: find(&contest).map(summary),
                    contest,
                })
            })
            .collect();
        let mut incoming = Vec::new();
        for other in others.iter().take(MAX_LINKED_CONTESTS) {
            if other.definition.id == this {
                continue;
            }
            for ((member, candidate), entries) in &other.reports {
                let Some(standing) = crate::board::standing_report(entries) else {
                    continue;
                };
                if standing.stance.linked_to.as_deref() == Some(this) {
                    incoming.push(IncomingLink {
                        from: summary(other),
                        member: member.clone(),
                        candidate: candidate.clone(),
                        candidate_name: other
                            .candidate(candidate)
                            .map_or(candidate.clone(), |c| c.profile.name.clone()),
                        stance: standing.stance.stance,
                        date: standing.valid,
                    });
                }
            }
        }
        (!outgoing.is_empty() || !incoming.is_empty()).then_some(LinkView { outgoing, incoming })
    }
}

/// The links of a scenario naming neither a contest in `known` (the store's contest ids) nor a
/// bundled scenario, each located in the file with the nearest id.
pub fn unknown_links(links: &[LinkRef], known: &[String]) -> Diagnostics {
    let mut problems = Diagnostics::default();
    let mut candidates: Vec<&str> = known.iter().map(String::as_str).collect();
    candidates.extend(BUNDLED_CONTESTS);
    for link in links {
        if candidates.contains(&link.contest.as_str()) {
            continue;
        }
        problems.push(
            Diagnostic::new(
                link.location.clone(),
                format!("linked_to: no contest '{}' in the store", link.contest),
            )
            .expected("the id of a contest already imported (import the linked contest first)")
            .suggest(did_you_mean(
                &link.contest,
                known.iter().map(String::as_str),
            )),
        );
    }
    problems
}
