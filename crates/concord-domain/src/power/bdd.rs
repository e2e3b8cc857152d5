//! Power indices by an ordered binary decision diagram of the game.
//!
//! Members are decided one per level, heaviest first. A node stands for "what the members still
//! to vote can make of a coalition that so far has `k` members weighing `s`". For a fixed level
//! and `k`, the sub-games grow monotonically with `s`, so the values of `s` that lead to the same
//! sub-game form an interval; each node is built once with its interval (Bolus's method, 2011),
//! and a lookup by `s` finds it. The diagram's size therefore depends on how many genuinely
//! different situations the game has, not on the size of the weights: populations in the
//! hundreds of millions cost no more than votes in the tens. (Two values of `k` with the same
//! future may get two nodes: merging them would take a hash of every node and saves less than it
//! costs; counting is the same on either diagram.)
//!
//! On the diagram, with `paths(v)` the coalitions of the members above `v` that lead to it and
//! `wins(v)` the winning completions below it, the member deciding at `v` swings
//! `paths(v) × (wins(yes) − wins(no))` coalitions. Kept by coalition size, the same sums give
//! the Shapley–Shubik index.

use super::{Game, MAX_BDD_CELLS, Method, PowerError, PowerIndices, assemble, shapley_weight};

const FALSE: u32 = 0;
const TRUE: u32 = 1;
/// Stand-ins for ±∞ in interval bounds; weights add up to at most 2⁶⁰, so they never meet real
/// sums, and subtracting a weight from them cannot overflow.
const NEG: i64 = -(1 << 62);
const POS: i64 = 1 << 62;

#[derive(Debug, Clone, Copy)]
struct Node {
    level: usize,
    yes: u32,
    no: u32,
}

struct Builder<'g> {
    game: &'g Game,
    /// Weight of the member decided at each level.
    weights: Vec<i64>,
    /// `k` saturates here: more members than this change nothing.
    cap: usize,
    nodes: Vec<Node>,
    /// memo[level][k]: the intervals found so far, sorted by start: (start, end, node).
    memo: Vec<Vec<Vec<(i64, i64, u32)>>>,
    max_nodes: usize,
}

impl Builder<'_> {
    fn terminal(&self, k: usize, s: i64) -> (u32, i64, i64) {
        let g = self.game;
        if k < g.min_count {
            (FALSE, NEG, POS)
        } else if g.count_alone.is_some_and(|c| k >= c) {
            (TRUE, NEG, POS)
        } else {
            let q = g.quota as i64;
            if s >= q {
                (TRUE, q, POS)
            } else {
                (FALSE, NEG, q - 1)
            }
        }
    }

    fn build(&mut self, level: usize, k: usize, s: i64) -> Result<(u32, i64, i64), PowerError> {
        let n = self.weights.len();
        if level == n {
            return Ok(self.terminal(k, s));
        }
        let known = &self.memo[level][k];
        // The first interval starting after `s`; the one before it may hold `s`.
        let at = known.partition_point(|&(lo, _, _)| lo <= s);
        if at > 0 {
            let (lo, hi, id) = known[at - 1];
            if s <= hi {
                return Ok((id, lo, hi));
            }
        }
        let w = self.weights[level];
        let (yes, ylo, yhi) = self.build(level + 1, (k + 1).min(self.cap), s + w)?;
        let (no, nlo, nhi) = self.build(level + 1, k, s)?;
        let lo = (ylo - w).max(nlo);
        let hi = (yhi - w).min(nhi);
        if self.nodes.len() >= self.max_nodes {
            return Err(PowerError::TooComplex {
                max: self.max_nodes,
            });
        }
        let id = self.nodes.len() as u32;
        self.nodes.push(Node { level, yes, no });
        let known = &mut self.memo[level][k];
        let at = known.partition_point(|&(start, _, _)| start < lo);
        known.insert(at, (lo, hi, id));
        Ok((id, lo, hi))
    }
}

/// The indices of any game of the shape [`Game`] describes.
pub fn indices(game: &Game, with_shapley: bool) -> Result<PowerIndices, PowerError> {
    let n = game.len();
    // Heaviest first keeps the diagram small; ties keep the members' order.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| game.weights[b].cmp(&game.weights[a]));
    let cap = game.min_count.max(game.count_alone.unwrap_or(0)).min(n);
    let max_nodes = MAX_BDD_CELLS / (n + 2);
    let mut b = Builder {
        game,
        weights: order.iter().map(|&i| game.weights[i] as i64).collect(),
        cap,
        nodes: vec![
            Node {
                level: n,
                yes: FALSE,
                no: FALSE,
            },
            Node {
                level: n,
                yes: TRUE,
                no: TRUE,
            },
        ],
        memo: vec![vec![Vec::new(); cap + 1]; n],
        max_nodes,
    };
    let (root, _, _) = b.build(0, 0, 0)?;
    let nodes = b.nodes;

    // Nodes are created children first, so creation order is a bottom-up order.
    let mut wins = vec![0u128; nodes.len()];
    wins[TRUE as usize] = 1;
    for (v, node) in nodes.iter().enumerate().skip(2) {
        wins[v] = wins[node.yes as usize] + wins[node.no as usize];
    }
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); n + 1];
    for (v, node) in nodes.iter().enumerate() {
        by_level[node.level].push(v);
    }
    let mut paths = vec![0u128; nodes.len()];
    paths[root as usize] = 1;
    let mut swings = vec![0u128; n];
    let mut winning_with = vec![0u128; n];
    for (level, at_level) in by_level.iter().enumerate().take(n) {
        let member = order[level];
        for &v in at_level {
            let Node { yes, no, .. } = nodes[v];
            let p = paths[v];
            if p == 0 {
                continue;
            }
            swings[member] += p * (wins[yes as usize] - wins[no as usize]);
            winning_with[member] += p * wins[yes as usize];
            paths[yes as usize] += p;
            paths[no as usize] += p;
        }
    }
    let shapley = with_shapley.then(|| shapley_shubik(&nodes, &by_level, &order, root, n));
    Ok(assemble(
        game,
        swings,
        winning_with,
        shapley,
        wins[root as usize],
        Method::DecisionDiagram,
        nodes.len(),
    ))
}

/// Shapley–Shubik indices from counts by coalition size: `below[v][b]` winning completions with
/// `b` more members, `above[v][a]` ways to reach `v` with `a` members.
fn shapley_shubik(
    nodes: &[Node],
    by_level: &[Vec<usize>],
    order: &[usize],
    root: u32,
    n: usize,
) -> Vec<f64> {
    let mut below: Vec<Vec<u128>> = nodes
        .iter()
        .map(|node| vec![0u128; n - node.level + 1])
        .collect();
    below[TRUE as usize][0] = 1;
    for v in 2..nodes.len() {
        let Node { yes, no, .. } = nodes[v];
        let mut row = std::mem::take(&mut below[v]);
        for (b, cell) in row.iter_mut().enumerate() {
            let from_no = below[no as usize].get(b).copied().unwrap_or(0);
            let from_yes = if b > 0 {
                below[yes as usize].get(b - 1).copied().unwrap_or(0)
            } else {
                0
            };
            *cell = from_no + from_yes;
        }
        below[v] = row;
    }
    let mut above: Vec<Vec<u128>> = nodes
        .iter()
        .map(|node| vec![0u128; node.level + 1])
        .collect();
    above[root as usize][0] = 1;
    let mut shapley = vec![0.0; n];
    for (level, at_level) in by_level.iter().enumerate().take(n) {
        let member = order[level];
        let mut pivots = vec![0u128; n];
        for &v in at_level {
            let Node { yes, no, .. } = nodes[v];
            let row = std::mem::take(&mut above[v]);
            let (wy, wn) = (&below[yes as usize], &below[no as usize]);
            for (a, &p) in row.iter().enumerate() {
                if p == 0 {
                    continue;
                }
                for b in 0..wy.len() {
                    let d = wy[b] - wn[b];
                    if d != 0 {
                        pivots[a + b] += p * d;
                    }
                }
                above[yes as usize][a + 1] += p;
                above[no as usize][a] += p;
            }
        }
        shapley[member] = pivots
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(|(m, &c)| c as f64 * shapley_weight(n, m))
            .sum();
    }
    shapley
}
