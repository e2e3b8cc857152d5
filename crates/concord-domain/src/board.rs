//! The board: every current member against every candidate, with the effective stance, why it
//! is what it is, and the report behind it; and the verdict of the contest's rule over it.

use jiff::civil::Date;
use serde::Serialize;

use crate::model::{Attribution, CandidateId, CandidateStatus, MemberCode, Stance};
use crate::rules::{self, Ballot, DecisionRule, Evaluation, Position};
use crate::state::{ContestState, StanceEntry};

/// Reports this many days older than the standing one no longer count as a live disagreement.
const DISAGREEMENT_WINDOW_DAYS: i32 = 30;

/// Why a cell holds the stance it does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The standing report (latest by valid time, then attribution).
    Reported,
    /// No report: the member's own national is a declared candidate.
    OwnNational,
    /// A conditional stance whose conditions are all met by the candidate's commitments.
    ConditionsMet,
    /// Nothing reported.
    Default,
    /// Supported, until the member backed another candidate later: one office, one choice, so
    /// the later support stands and this one counts as a hold in favour of the rival.
    Superseded,
}

/// The later support that replaced a member's support for this candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Supersession {
    /// The candidate the member backs now.
    pub candidate: CandidateId,
    /// The report of that support (none when it is derived, e.g. conditions met).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
}

/// One condition behind a conditional stance, and whether a commitment meets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConditionStatus {
    pub id: String,
    pub text: String,
    pub met: bool,
    /// The candidate's commitment that meets it (the first made), when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met_by: Option<MetBy>,
}

/// The commitment that met a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetBy {
    pub text: String,
    pub date: Date,
    pub source: String,
}

/// A report that disagrees with the standing one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disagreement {
    pub seq: u64,
    pub date: Date,
    pub stance: Stance,
    pub attribution: Attribution,
    pub source: String,
}

/// A member's position on one candidate.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cell {
    pub member: MemberCode,
    pub candidate: CandidateId,
    /// The stance as stated (or derived when nothing was stated).
    pub stated: Stance,
    /// What counts: `conditional` with every condition met counts as `supports`.
    pub effective: Stance,
    pub basis: Basis,
    /// The rival this member backs instead: an implicit hold on this candidate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefers: Option<CandidateId>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<ConditionStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub follows: Option<MemberCode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linked_to: Option<String>,
    /// The standing report's event, date, source and attribution.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Attribution>,
    /// Number of reports on this pair, all kept and shown in the history.
    pub reports: usize,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub disagreements: Vec<Disagreement>,
    /// Set when this support was replaced by a later support for a rival.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub superseded_by: Option<Supersession>,
    /// Every condition the member has set on this candidate by `as_of` (those naming it and
    /// those asked of every candidate), met or not, whatever the stance: for a member that
    /// blocks, what would unblock it (a stance that is not `conditional` keeps its
    /// conditions here, not in `conditions`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub asked: Vec<ConditionStatus>,
}

impl Cell {
    /// Whether this member holds the candidate, explicitly or through backing a rival.
    pub fn holds(&self) -> bool {
        self.effective.blocks() || self.prefers.is_some()
    }

    /// Conditional with conditions still unmet: not a block, but pending.
    pub fn pending(&self) -> bool {
        self.effective == Stance::Conditional
    }

    fn position(&self) -> Position {
        match self.effective {
            Stance::Objects => Position::Objects,
            Stance::Withholds => Position::Withholds,
            _ if self.prefers.is_some() => Position::PrefersRival {
                rival: self.prefers.clone().unwrap_or_default(),
            },
            Stance::Supports => Position::Supports,
            Stance::Leans => Position::Leans,
            Stance::Conditional => Position::Pending {
                conditions_unmet: self.conditions.iter().filter(|c| !c.met).count().max(1),
            },
            Stance::Undeclared => Position::Undeclared,
        }
    }
}

/// The standing report among several: the latest by valid time; on the same day the better
/// attribution (`official > on_record > anonymous > inferred`); then the later in the log.
pub fn standing_report(entries: &[StanceEntry]) -> Option<&StanceEntry> {
    entries
        .iter()
        .max_by_key(|e| (e.valid, e.stance.report.attribution, e.seq))
}

/// Every current member against every candidate in the race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Board {
    pub as_of: Date,
    pub members: Vec<MemberCode>,
    pub candidates: Vec<CandidateId>,
    /// Member-major: `cells[m * candidates.len() + c]`.
    pub cells: Vec<Cell>,
}

impl Board {
    /// Builds the board of the candidates in the race (declared or appointed) at `state.as_of`.
    pub fn of(state: &ContestState) -> Board {
        let candidates: Vec<CandidateId> = state
            .declared_candidates()
            .map(|c| c.profile.id.clone())
            .collect();
        let members: Vec<MemberCode> = state.current_members().map(|m| m.code.clone()).collect();
        let mut cells = Vec::with_capacity(members.len() * candidates.len());
        for member in &members {
            let row: Vec<Cell> = candidates
                .iter()
                .map(|c| explicit_cell(state, member, c))
                .collect();
            // One office, one winner (in a package, one winner per post): a member supports
            // one candidate per post at a time. When it has backed several, the latest support
            // stands (by valid date, then the later recorded); an earlier one is superseded —
            // no longer support, but a hold in favour of the rival, kept in the cell's trail. A
            // support derived from nationality alone (no report) yields to any reported one.
            // Backing one candidate is an implicit hold on every rival for the same post.
            let standing = |post: Option<&str>| {
                row.iter()
                    .filter(|cell| {
                        cell.effective == Stance::Supports && state.post_of(&cell.candidate) == post
                    })
                    .max_by_key(|cell| support_recency(cell))
                    .map(|cell| (cell.candidate.clone(), cell.seq, cell.date))
            };
            let standing: Vec<_> = row
                .iter()
                .map(|cell| standing(state.post_of(&cell.candidate)))
                .collect();
            for (mut cell, standing) in row.into_iter().zip(standing) {
                if let Some((backed, seq, date)) = &standing
                    && cell.candidate != *backed
                {
                    if cell.effective == Stance::Supports {
                        cell.effective = Stance::Undeclared;
                        cell.basis = Basis::Superseded;
                        cell.superseded_by = Some(Supersession {
                            candidate: backed.clone(),
                            seq: *seq,
                            date: *date,
                        });
                    }
                    cell.prefers = Some(backed.clone());
                }
                cells.push(cell);
            }
        }
        Board {
            as_of: state.as_of,
            members,
            candidates,
            cells,
        }
    }

    pub fn cell(&self, member: &str, candidate: &str) -> Option<&Cell> {
        let m = self.members.iter().position(|x| x == member)?;
        let c = self.candidates.iter().position(|x| x == candidate)?;
        self.cells.get(m * self.candidates.len() + c)
    }

    /// The cells of one candidate, in member order.
    pub fn column<'a>(&'a self, candidate: &'a str) -> impl Iterator<Item = &'a Cell> + 'a {
        self.cells.iter().filter(move |c| c.candidate == candidate)
    }

    /// The ballots the decision rule counts for one candidate.
    pub fn ballots(&self, state: &ContestState, candidate: &str) -> Vec<Ballot> {
        self.column(candidate)
            .map(|cell| {
                let member = state.member(&cell.member);
                Ballot {
                    member: cell.member.clone(),
                    position: cell.position(),
                    population: member
                        .and_then(|m| m.attributes.get("population"))
                        .map(|p| *p as u64),
                    weight: member.and_then(|m| m.attributes.get("votes").copied()),
                }
            })
            .collect()
    }
}

/// How recent a support is: reported supports by (valid date, log order); a derived one
/// (own national, no report) counts as older than any report.
fn support_recency(cell: &Cell) -> (bool, Option<Date>, Option<u64>) {
    (cell.seq.is_some(), cell.date, cell.seq)
}

/// A condition of `member` on `candidate`, whether a commitment meets it, and which.
fn condition_status(
    state: &ContestState,
    member: &str,
    candidate: &str,
    condition: &crate::state::ConditionState,
) -> ConditionStatus {
    let met_by = state
        .commitments
        .iter()
        .filter(|k| {
            k.candidate == candidate
                && k.meets
                    .iter()
                    .any(|r| r.member == member && r.condition == condition.id)
        })
        .min_by_key(|k| k.made_on)
        .map(|k| MetBy {
            text: k.text.clone(),
            date: k.made_on,
            source: k.source.clone(),
        });
    ConditionStatus {
        id: condition.id.clone(),
        text: condition.text.clone(),
        met: state.condition_met(member, &condition.id, candidate),
        met_by,
    }
}

fn explicit_cell(state: &ContestState, member: &str, candidate: &str) -> Cell {
    let entries = state.reports_on(member, candidate);
    let standing = standing_report(entries);
    let own_national = state
        .candidate(candidate)
        .is_some_and(|c| c.profile.nationality.as_deref() == Some(member));
    let mut cell = Cell {
        member: member.to_owned(),
        candidate: candidate.to_owned(),
        stated: Stance::Undeclared,
        effective: Stance::Undeclared,
        basis: Basis::Default,
        prefers: None,
        reasons: Vec::new(),
        conditions: Vec::new(),
        follows: None,
        linked_to: None,
        seq: None,
        date: None,
        source: None,
        attribution: None,
        reports: entries.len(),
        disagreements: Vec::new(),
        superseded_by: None,
        asked: state
            .conditions_of(member, candidate)
            .map(|c| condition_status(state, member, candidate, c))
            .collect(),
    };
    match standing {
        Some(entry) => {
            let report = &entry.stance;
            cell.stated = report.stance;
            cell.effective = report.stance;
            cell.basis = Basis::Reported;
            cell.reasons = report.reasons.clone();
            cell.follows = report.follows.clone();
            cell.linked_to = report.linked_to.clone();
            cell.seq = Some(entry.seq);
            cell.date = Some(entry.valid);
            cell.source = Some(report.report.source.clone());
            cell.attribution = Some(report.report.attribution);
            // An on-record or official statement supersedes what came before: a change of
            // position, not a dispute. Anonymous or inferred claims leave earlier, different
            // reports standing as a live disagreement.
            let contested = report.report.attribution < Attribution::OnRecord;
            cell.disagreements = entries
                .iter()
                .filter(|e| {
                    contested
                        && e.seq != entry.seq
                        && e.stance.stance != report.stance
                        && (entry.valid - e.valid).get_days() <= DISAGREEMENT_WINDOW_DAYS
                })
                .map(|e| Disagreement {
                    seq: e.seq,
                    date: e.valid,
                    stance: e.stance.stance,
                    attribution: e.stance.report.attribution,
                    source: e.stance.report.source.clone(),
                })
                .collect();
        }
        None if own_national => {
            cell.stated = Stance::Supports;
            cell.effective = Stance::Supports;
            cell.basis = Basis::OwnNational;
            cell.reasons = vec!["own national is a candidate".to_owned()];
        }
        None => {}
    }
    if cell.stated == Stance::Conditional {
        let named = standing
            .map(|e| e.stance.conditions.as_slice())
            .unwrap_or(&[]);
        cell.conditions = state
            .conditions_of(member, candidate)
            .filter(|c| named.is_empty() || named.contains(&c.id))
            .map(|c| condition_status(state, member, candidate, c))
            .collect();
        if !cell.conditions.is_empty() && cell.conditions.iter().all(|c| c.met) {
            cell.effective = Stance::Supports;
            cell.basis = Basis::ConditionsMet;
        }
    }
    cell
}

/// The overall state of a contest on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ContestStatus {
    /// A decision has been recorded.
    Decided,
    /// Some candidate would pass now (clear under consensus, adopted under a vote).
    Clear,
    /// Every candidate in the race is blocked or short.
    Blocked,
    /// No candidate has declared.
    NoCandidates,
}

/// The verdict of the contest's rule on each candidate in the race.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Verdict {
    pub as_of: Date,
    pub status: ContestStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided: Option<CandidateId>,
    pub candidates: Vec<CandidateVerdict>,
    /// A package's posts: the package is clear only when every post is.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub posts: Vec<PostVerdict>,
}

/// One post of a package.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PostVerdict {
    pub post: String,
    pub title: String,
    pub status: ContestStatus,
    /// The candidate decided for the post, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided: Option<CandidateId>,
    /// Candidates of the post that would pass now.
    pub clear: Vec<CandidateId>,
    /// Candidates of the post in the race.
    pub candidates: Vec<CandidateId>,
}

/// One candidate's evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateVerdict {
    pub candidate: CandidateId,
    pub name: String,
    pub status: CandidateStatus,
    pub evaluation: Evaluation,
}

impl Verdict {
    /// Evaluates the contest's rule on every candidate in the race.
    pub fn of(state: &ContestState, board: &Board) -> Result<Verdict, rules::RuleError> {
        Verdict::under(state, board, &state.definition.rule)
    }

    /// Evaluates a given rule (for comparing rules over the same board).
    pub fn under(
        state: &ContestState,
        board: &Board,
        rule: &DecisionRule,
    ) -> Result<Verdict, rules::RuleError> {
        let mut candidates = Vec::new();
        for id in &board.candidates {
            let Some(candidate) = state.candidate(id) else {
                continue;
            };
            let evaluation = rules::evaluate(rule, &board.ballots(state, id))?;
            candidates.push(CandidateVerdict {
                candidate: id.clone(),
                name: candidate.profile.name.clone(),
                status: candidate.status,
                evaluation,
            });
        }
        let passes = |c: &CandidateVerdict| {
            matches!(
                c.evaluation.status,
                rules::Status::Adopted | rules::Status::Clear
            )
        };
        let posts: Vec<PostVerdict> = state
            .definition
            .posts
            .iter()
            .map(|post| {
                let of_post: Vec<&CandidateVerdict> = candidates
                    .iter()
                    .filter(|c| state.post_of(&c.candidate) == Some(post.id.as_str()))
                    .collect();
                let decided = state
                    .post_decisions
                    .iter()
                    .find(|d| state.post_of(&d.candidate) == Some(post.id.as_str()))
                    .map(|d| d.candidate.clone());
                let clear: Vec<CandidateId> = of_post
                    .iter()
                    .filter(|c| passes(c))
                    .map(|c| c.candidate.clone())
                    .collect();
                let status = if decided.is_some() {
                    ContestStatus::Decided
                } else if of_post.is_empty() {
                    ContestStatus::NoCandidates
                } else if !clear.is_empty() {
                    ContestStatus::Clear
                } else {
                    ContestStatus::Blocked
                };
                PostVerdict {
                    post: post.id.clone(),
                    title: post.title.clone(),
                    status,
                    decided,
                    clear,
                    candidates: of_post.iter().map(|c| c.candidate.clone()).collect(),
                }
            })
            .collect();
        let status = if state.decision.is_some() {
            ContestStatus::Decided
        } else if !posts.is_empty() {
            // Nothing is agreed until everything is: one post blocked or empty holds the package.
            if posts
                .iter()
                .any(|p| p.status == ContestStatus::NoCandidates)
            {
                ContestStatus::NoCandidates
            } else if posts
                .iter()
                .all(|p| matches!(p.status, ContestStatus::Clear | ContestStatus::Decided))
            {
                ContestStatus::Clear
            } else {
                ContestStatus::Blocked
            }
        } else if candidates.is_empty() {
            ContestStatus::NoCandidates
        } else if candidates.iter().any(|c| {
            matches!(
                c.evaluation.status,
                rules::Status::Adopted | rules::Status::Clear
            )
        }) {
            ContestStatus::Clear
        } else {
            ContestStatus::Blocked
        };
        Ok(Verdict {
            as_of: state.as_of,
            status,
            decided: state.decision.as_ref().map(|d| d.candidate.clone()),
            candidates,
            posts,
        })
    }
}
