//! Power indices of a weighted game by generating functions: the number of coalitions of each
//! weight below the quota, built one member at a time (a 0/1 knapsack count), then each member
//! divided back out to count the coalitions of the others.
//!
//! Division is exact in wrapping 128-bit arithmetic: the true counts fit, so computing modulo
//! 2¹²⁸ gives them exactly even where an intermediate difference would be negative.
//! Cost: members × quota for Banzhaf; members² × quota when Shapley–Shubik is asked too (the
//! counts are then kept by coalition size).

use super::{Game, Method, PowerIndices, assemble, shapley_weight};

/// The indices of a game with `min_count ≤ 1`, no `count_alone` and a quota of at least 1:
/// a coalition wins exactly when its weight reaches the quota.
pub fn indices(game: &Game, with_shapley: bool) -> PowerIndices {
    if with_shapley {
        by_size(game)
    } else {
        banzhaf_only(game)
    }
}

fn sum(values: &[u128]) -> u128 {
    values.iter().fold(0u128, |a, &c| a.wrapping_add(c))
}

fn banzhaf_only(game: &Game) -> PowerIndices {
    let n = game.len();
    let q = game.quota as usize;
    // by_weight[s]: coalitions weighing s < q.
    let mut by_weight = vec![0u128; q];
    by_weight[0] = 1;
    for &w in &game.weights {
        let w = w as usize;
        for s in (w..q).rev() {
            by_weight[s] = by_weight[s].wrapping_add(by_weight[s - w]);
        }
    }
    let coalitions_of_others = 1u128 << (n - 1);
    let mut swings = Vec::with_capacity(n);
    let mut winning_with = Vec::with_capacity(n);
    let mut others = vec![0u128; q];
    for &w in &game.weights {
        let w = w as usize;
        for s in 0..q {
            others[s] = if w == 0 {
                // A weightless member doubles every count: c = 2 × others.
                by_weight[s] / 2
            } else if s >= w {
                by_weight[s].wrapping_sub(others[s - w])
            } else {
                by_weight[s]
            };
        }
        let low = q.saturating_sub(w);
        swings.push(sum(&others[low..]));
        winning_with.push(coalitions_of_others - sum(&others[..low]));
    }
    let winning = (1u128 << n) - sum(&by_weight);
    assemble(
        game,
        swings,
        winning_with,
        None,
        winning,
        Method::GeneratingFunctions,
        q,
    )
}

fn by_size(game: &Game) -> PowerIndices {
    let n = game.len();
    let q = game.quota as usize;
    // table[k][s]: coalitions of k members weighing s < q.
    let mut table = vec![vec![0u128; q]; n + 1];
    table[0][0] = 1;
    for (done, &w) in game.weights.iter().enumerate() {
        let w = w as usize;
        for k in (1..=done + 1).rev() {
            let (lower, upper) = table.split_at_mut(k);
            let (from, to) = (&lower[k - 1], &mut upper[0]);
            for s in (w..q).rev() {
                to[s] = to[s].wrapping_add(from[s - w]);
            }
        }
    }
    let losing = table.iter().fold(0u128, |a, row| a.wrapping_add(sum(row)));
    let coalitions_of_others = 1u128 << (n - 1);

    let mut swings = Vec::with_capacity(n);
    let mut winning_with = Vec::with_capacity(n);
    let mut shapley = Vec::with_capacity(n);
    let mut others = vec![vec![0u128; q]; n];
    for &w in &game.weights {
        let w = w as usize;
        // others[k][s] = table[k][s] − others[k−1][s−w]: the coalitions without this member.
        for k in 0..n {
            let (done, rest) = others.split_at_mut(k);
            let row = &mut rest[0];
            for s in 0..q {
                let mut v = table[k][s];
                if k > 0 && s >= w {
                    v = v.wrapping_sub(done[k - 1][s - w]);
                }
                row[s] = v;
            }
        }
        let low = q.saturating_sub(w);
        let mut member_swings = 0u128;
        let mut still_losing = 0u128;
        let mut ss = 0.0;
        for (k, row) in others.iter().enumerate() {
            let pivots = sum(&row[low..]);
            member_swings = member_swings.wrapping_add(pivots);
            still_losing = still_losing.wrapping_add(sum(&row[..low]));
            if pivots > 0 {
                ss += pivots as f64 * shapley_weight(n, k);
            }
        }
        swings.push(member_swings);
        winning_with.push(coalitions_of_others - still_losing);
        shapley.push(ss);
    }
    let winning = (1u128 << n) - losing;
    assemble(
        game,
        swings,
        winning_with,
        Some(shapley),
        winning,
        Method::GeneratingFunctions,
        (n + 1) * q,
    )
}
