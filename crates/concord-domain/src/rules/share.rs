//! Rules that weigh members: the EU double majority (members and population) and weighted votes.
//!
//! The smallest coalition that could block (or pass) is exact, not a heuristic: every
//! criterion other than the weighed one depends only on how many members move, so for any
//! size k the k heaviest movers are at least as good as any other k; scanning k upwards with
//! the heaviest first finds the minimum.

use super::{
    Ballot, Criterion, DecisionRule, Evaluation, Flip, Margin, Status, Tally, Unit, VoteClass,
    holds, pending, reaches,
};

/// Supporters (or non-supporters) heaviest first; ties closest to supporting, then ballot order.
fn heaviest(ballots: &[Ballot], yes: bool, weight: impl Fn(&Ballot) -> f64) -> Vec<&Ballot> {
    let mut out: Vec<&Ballot> = ballots
        .iter()
        .filter(|b| (b.position.class() == VoteClass::Yes) == yes)
        .collect();
    out.sort_by(|a, b| {
        weight(b)
            .total_cmp(&weight(a))
            .then(a.position.distance().cmp(&b.position.distance()))
    });
    out
}

/// Scans coalitions of the `movers`, heaviest first, for the smallest whose moving makes
/// `done(k, moved_weight)` true.
fn smallest(
    movers: &[&Ballot],
    weight: impl Fn(&Ballot) -> f64,
    done: impl Fn(usize, f64) -> bool,
) -> Vec<String> {
    let mut moved = 0.0;
    let mut members = Vec::new();
    for b in movers {
        if done(members.len(), moved) {
            break;
        }
        moved += weight(b);
        members.push(b.member.clone());
    }
    members
}

pub(super) fn qualified_majority(
    rule: &DecisionRule,
    ballots: &[Ballot],
    member_share: f64,
    population_share: f64,
    min_blocking_members: usize,
) -> Evaluation {
    let tally = Tally::of(ballots);
    // Validation guarantees every ballot has a population.
    let pop = |b: &Ballot| b.population.unwrap_or(0) as f64;
    let n = ballots.len();
    let total: f64 = ballots.iter().map(pop).sum();
    let yes = tally.yes();
    let yes_pop: f64 = ballots
        .iter()
        .filter(|b| b.position.class() == VoteClass::Yes)
        .map(pop)
        .sum();
    let members_ok = |y: usize| reaches(y as f64, member_share, n as f64);
    // Fewer than `min_blocking_members` members not in favour cannot block on population.
    let population_ok = |p: f64, not_yes: usize| {
        reaches(p, population_share, total) || not_yes < min_blocking_members
    };
    let adopted = members_ok(yes) && population_ok(yes_pop, n - yes);

    let flip = if adopted {
        let movers = heaviest(ballots, true, pop);
        let members = smallest(&movers, pop, |k, moved| {
            !(members_ok(yes - k) && population_ok(yes_pop - moved, n - yes + k))
        });
        Flip::Block {
            count: members.len(),
            members,
            exact: true,
        }
    } else {
        let movers = heaviest(ballots, false, pop);
        let members = smallest(&movers, pop, |k, moved| {
            members_ok(yes + k) && population_ok(yes_pop + moved, n - yes - k)
        });
        Flip::Join {
            count: members.len(),
            members,
            exact: true,
        }
    };

    let percent = |part: f64, whole: f64| {
        if whole > 0.0 {
            100.0 * part / whole
        } else {
            0.0
        }
    };
    let margins = vec![
        Margin::floor(
            Criterion::Members,
            Unit::Percent,
            percent(yes as f64, n as f64),
            member_share * 100.0,
            members_ok(yes),
        ),
        Margin::floor(
            Criterion::Population,
            Unit::Percent,
            percent(yes_pop, total),
            population_share * 100.0,
            population_ok(yes_pop, n - yes),
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
        blockers: if adopted {
            Vec::new()
        } else {
            holds(ballots, false)
        },
        pending: pending(ballots),
        flip,
    }
}

pub(super) fn weighted(rule: &DecisionRule, ballots: &[Ballot], threshold: f64) -> Evaluation {
    let tally = Tally::of(ballots);
    // Validation guarantees every ballot has a finite, non-negative weight.
    let weight = |b: &Ballot| b.weight.unwrap_or(0.0);
    let total: f64 = ballots.iter().map(weight).sum();
    let yes_weight: f64 = ballots
        .iter()
        .filter(|b| b.position.class() == VoteClass::Yes)
        .map(weight)
        .sum();
    let yes = tally.yes();
    // As for majorities, nothing passes without a single supporter.
    let passes = |y: usize, w: f64| y > 0 && reaches(w, threshold, total);
    let adopted = passes(yes, yes_weight);

    let flip = if adopted {
        let movers = heaviest(ballots, true, weight);
        let members = smallest(&movers, weight, |k, moved| {
            !passes(yes - k, yes_weight - moved)
        });
        Flip::Block {
            count: members.len(),
            members,
            exact: true,
        }
    } else {
        let movers = heaviest(ballots, false, weight);
        let members = smallest(&movers, weight, |k, moved| {
            passes(yes + k, yes_weight + moved)
        });
        Flip::Join {
            count: members.len(),
            members,
            exact: true,
        }
    };
    let share = if total > 0.0 {
        100.0 * yes_weight / total
    } else {
        0.0
    };
    Evaluation {
        rule: rule.clone(),
        status: if adopted {
            Status::Adopted
        } else {
            Status::Short
        },
        tally,
        margins: vec![Margin::floor(
            Criterion::Weight,
            Unit::Percent,
            share,
            threshold * 100.0,
            adopted,
        )],
        blockers: if adopted {
            Vec::new()
        } else {
            holds(ballots, false)
        },
        pending: pending(ballots),
        flip,
    }
}
