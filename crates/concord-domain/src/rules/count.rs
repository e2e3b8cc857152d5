//! Rules that count heads: majority (of all members or of those present and voting) and
//! veto majority (UN Security Council).

use super::{
    Ballot, Blocker, Comparison, Criterion, DecisionRule, Evaluation, Flip, Hold, MajorityBase,
    Margin, Position, Status, Tally, Unit, VoteClass, exceeds, holds, pending, persuadable,
    reaches,
};

struct Majority {
    threshold: f64,
    base: MajorityBase,
    comparison: Comparison,
    members: usize,
}

impl Majority {
    fn base(&self, yes: usize, no: usize) -> usize {
        match self.base {
            MajorityBase::AllMembers => self.members,
            MajorityBase::PresentAndVoting => yes + no,
        }
    }

    fn passes(&self, yes: usize, no: usize) -> bool {
        let base = self.base(yes, no) as f64;
        // Zero yes never carries a motion, even when nobody votes at all.
        yes > 0
            && match self.comparison {
                Comparison::MoreThan => exceeds(yes as f64, self.threshold, base),
                Comparison::AtLeast => reaches(yes as f64, self.threshold, base),
            }
    }
}

pub(super) fn majority(
    rule: &DecisionRule,
    ballots: &[Ballot],
    threshold: f64,
    base: MajorityBase,
    comparison: Comparison,
) -> Evaluation {
    let tally = Tally::of(ballots);
    let m = Majority {
        threshold,
        base,
        comparison,
        members: ballots.len(),
    };
    let (yes, no) = (tally.yes(), tally.no());
    let adopted = m.passes(yes, no);

    let flip = if adopted {
        // Each supporter turning to a no costs one yes and, present-and-voting, keeps the base.
        let (mut y, mut n, mut count) = (yes, no, 0);
        while y > 0 && m.passes(y, n) {
            y -= 1;
            n += 1;
            count += 1;
        }
        Flip::Block {
            count,
            members: Vec::new(),
            exact: true,
        }
    } else {
        // Present and voting, converting a no (+1 yes, same base) beats bringing in an
        // abstainer (+1 yes, +1 base), so nos go first; otherwise the closest to supporting.
        let mut order = persuadable(ballots);
        if base == MajorityBase::PresentAndVoting {
            order.sort_by_key(|b| b.position.class() != VoteClass::No);
        }
        let (mut y, mut n) = (yes, no);
        let mut members = Vec::new();
        for b in order {
            if m.passes(y, n) {
                break;
            }
            y += 1;
            if b.position.class() == VoteClass::No {
                n -= 1;
            }
            members.push(b.member.clone());
        }
        Flip::Join {
            count: members.len(),
            members,
            exact: true,
        }
    };

    let counted = m.base(yes, no);
    let share = if counted == 0 {
        0.0
    } else {
        100.0 * yes as f64 / counted as f64
    };
    let spare = match &flip {
        Flip::Block { count, .. } => *count as f64 - 1.0,
        Flip::Join { count, .. } => -(*count as f64),
        Flip::Release { .. } => 0.0,
    };
    let margins = vec![
        Margin::floor(
            Criterion::Votes,
            Unit::Count,
            yes as f64,
            yes as f64 - spare,
            adopted,
        ),
        Margin::floor(
            Criterion::Share,
            Unit::Percent,
            share,
            threshold * 100.0,
            adopted,
        ),
    ];
    Evaluation {
        rule: rule.clone(),
        status: if adopted {
            Status::Adopted
        } else {
            Status::Short
        },
        tally,
        margins,
        // Short of a majority, the nos are who stands in the way.
        blockers: if adopted {
            Vec::new()
        } else {
            holds(ballots, false)
        },
        pending: pending(ballots),
        flip,
    }
}

/// Only `Objects` from a veto holder is a veto: a permanent member abstaining or backing a
/// rival does not veto (in UN practice an abstention is not a veto).
pub(super) fn veto_majority(
    rule: &DecisionRule,
    ballots: &[Ballot],
    yes_needed: usize,
    veto_holders: &[String],
) -> Evaluation {
    let tally = Tally::of(ballots);
    let holds_veto = |b: &Ballot| veto_holders.contains(&b.member);
    let vetoes: Vec<Blocker> = ballots
        .iter()
        .filter(|b| b.position == Position::Objects && holds_veto(b))
        .map(|b| Blocker {
            member: b.member.clone(),
            hold: Hold::Veto,
        })
        .collect();
    let yes = tally.yes();
    let short_by = yes_needed.saturating_sub(yes);
    let status = if !vetoes.is_empty() {
        Status::Blocked
    } else if short_by > 0 {
        Status::Short
    } else {
        Status::Adopted
    };
    let flip = match status {
        Status::Blocked => Flip::Release {
            members: vetoes.iter().map(|b| b.member.clone()).collect(),
            then_join: short_by,
        },
        Status::Short => Flip::Join {
            count: short_by,
            members: persuadable(ballots)
                .into_iter()
                .take(short_by)
                .map(|b| b.member.clone())
                .collect(),
            exact: true,
        },
        _ => match ballots.iter().find(|b| holds_veto(b)) {
            // One veto is always the smallest blocking coalition.
            Some(holder) => Flip::Block {
                count: 1,
                members: vec![holder.member.clone()],
                exact: true,
            },
            None => Flip::Block {
                count: yes + 1 - yes_needed,
                members: Vec::new(),
                exact: true,
            },
        },
    };
    let margins = vec![
        Margin::floor(
            Criterion::Votes,
            Unit::Count,
            yes as f64,
            yes_needed as f64,
            short_by == 0,
        ),
        Margin::ceiling(Criterion::Vetoes, vetoes.len(), 0),
    ];
    Evaluation {
        rule: rule.clone(),
        status,
        tally,
        margins,
        blockers: vetoes,
        pending: pending(ballots),
        flip,
    }
}
