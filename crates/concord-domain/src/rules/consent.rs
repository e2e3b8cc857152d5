//! Rules where any single member can stand in the way: consensus and unanimity.

use super::{
    Ballot, Criterion, DecisionRule, Evaluation, Flip, Margin, Position, Status, Tally, Unit,
    holds, pending, persuadable,
};

/// Consensus: no member withholds, objects or backs a rival. Silence is consent, so undeclared,
/// leaning and pending members do not block; pending members are listed so "clear" is not read
/// as "agreed".
pub(super) fn consensus(rule: &DecisionRule, ballots: &[Ballot]) -> Evaluation {
    let blockers = holds(ballots, false);
    let status = if blockers.is_empty() {
        Status::Clear
    } else {
        Status::Blocked
    };
    let flip = if blockers.is_empty() {
        // Any one member breaking silence would block it.
        Flip::Block {
            count: 1,
            members: Vec::new(),
            exact: true,
        }
    } else {
        Flip::Release {
            members: blockers.iter().map(|b| b.member.clone()).collect(),
            then_join: 0,
        }
    };
    Evaluation {
        rule: rule.clone(),
        status,
        tally: Tally::of(ballots),
        margins: vec![Margin::ceiling(Criterion::Holds, blockers.len(), 0)],
        blockers,
        pending: pending(ballots),
        flip,
    }
}

/// Unanimity: every member in favour. Abstaining or absent members count as consenting unless
/// `abstention_blocks` (the EU Council's rule is that abstention does not prevent unanimity).
/// Explicit opponents make it `blocked`; members who have simply not come over yet make it `short`.
pub(super) fn unanimity(
    rule: &DecisionRule,
    ballots: &[Ballot],
    abstention_blocks: bool,
) -> Evaluation {
    let blockers = holds(ballots, abstention_blocks);
    let excused =
        |p: &Position| !abstention_blocks && matches!(p, Position::Abstains | Position::Absent);
    let undecided: Vec<String> = persuadable(ballots)
        .into_iter()
        .filter(|b| !excused(&b.position) && !blockers.iter().any(|x| x.member == b.member))
        .map(|b| b.member.clone())
        .collect();
    let tally = Tally::of(ballots);
    let needed = ballots.iter().filter(|b| !excused(&b.position)).count();
    let status = if !blockers.is_empty() {
        Status::Blocked
    } else if !undecided.is_empty() {
        Status::Short
    } else {
        Status::Adopted
    };
    let flip = match status {
        Status::Blocked => Flip::Release {
            members: blockers.iter().map(|b| b.member.clone()).collect(),
            then_join: undecided.len(),
        },
        Status::Short => Flip::Join {
            count: undecided.len(),
            members: undecided,
            exact: true,
        },
        _ => Flip::Block {
            count: 1,
            members: Vec::new(),
            exact: true,
        },
    };
    let margins = vec![
        Margin::floor(
            Criterion::Members,
            Unit::Count,
            tally.yes() as f64,
            needed as f64,
            status == Status::Adopted,
        ),
        Margin::ceiling(Criterion::Holds, blockers.len(), 0),
    ];
    Evaluation {
        rule: rule.clone(),
        status,
        tally,
        margins,
        blockers,
        pending: pending(ballots),
        flip,
    }
}
