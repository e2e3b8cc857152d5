//! Voting power: exact Banzhaf and Shapley–Shubik indices of the members under a decision rule.
//!
//! Every rule concord evaluates is, once abstention is set aside, a *simple game*: a coalition
//! of members voting yes either carries the decision or does not. All of them fit one shape,
//! [`Game`]:
//!
//! > a coalition wins when it has at least `min_count` members **and** either its weight
//! > reaches `quota` or it has at least `count_alone` members.
//!
//! - weighted votes (IMF-style): weight = votes, `min_count` 1;
//! - the EU double majority: weight = population, `min_count` = 55 % (or 72 %) of the members,
//!   `count_alone` = the members minus the blocking minority plus one (with fewer than four
//!   members against, the population criterion is deemed met);
//! - the UN Security Council: weight 1 for a permanent member and 0 for the others, `quota` =
//!   the five, `min_count` = 9;
//! - majorities, unanimity and consensus: no weight, `min_count` = the votes needed (every member,
//!   for unanimity and consensus: there, every member is pivotal in exactly one coalition).
//!
//! A member is *pivotal* (a swing) in a winning coalition when leaving it would make it lose.
//! The Banzhaf (Penrose) index is the share of the coalitions of the others in which the
//! member's vote decides: swings / 2ⁿ⁻¹; normalised, the swings over everyone's swings. The
//! Shapley–Shubik index is the chance that the member casts the deciding vote when members join
//! in a random order.
//!
//! Nothing here enumerates the 2ⁿ coalitions. Two exact methods, chosen per game:
//! - [`gf`]: generating functions over the weights (pseudo-polynomial: n × quota), for weighted
//!   games whose quota is small enough (votes in the thousands);
//! - [`bdd`]: an ordered binary decision diagram built with Bolus's interval
//!   method, whose size does not depend on the size of the weights, for everything else
//!   (populations in the hundreds of millions).
//!
//! Counts are exact 128-bit integers, so games have at most [`MAX_MEMBERS`] members; a rule
//! that treats every member alike (majorities, unanimity, consensus) gives each the same power
//! whatever the size, and larger ones are answered by symmetry (see [`symmetric_share`]).

pub mod bdd;
pub mod gf;

use std::fmt;

use serde::Serialize;

use crate::rules::{Ballot, Comparison, DecisionRule};

/// The most members whose coalitions 128-bit counts hold exactly (2¹²⁷ coalitions).
pub const MAX_MEMBERS: usize = 127;

/// The most `nodes × (members + 2)` a decision diagram may grow to (its Shapley–Shubik counts
/// by coalition size take that many 128-bit cells): the cost of one request is bounded whoever
/// sends it.
pub const MAX_BDD_CELLS: usize = 8_000_000;

/// The largest `members × quota` the generating functions take on (their Shapley–Shubik table
/// holds that many 128-bit counts: 64 MB at most).
pub const MAX_GF_CELLS: u64 = 4_000_000;

/// A monotone simple game: see the module documentation for the shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Game {
    /// Member codes, in the order the indices are reported.
    pub members: Vec<String>,
    /// Whole-number weights (0 for a member whose weight does not count).
    pub weights: Vec<u64>,
    /// The weight a winning coalition reaches (unless `count_alone` members suffice).
    pub quota: u64,
    pub min_count: usize,
    /// This many members win whatever their weight.
    pub count_alone: Option<usize>,
    /// What the weights are, for explanations: `population`, `votes`, `veto`.
    pub weight_name: Option<String>,
}

/// Why the power of a rule's members cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PowerError {
    #[error("no members: the rule has no one to give power to")]
    NoMembers,
    #[error(
        "{members} members: exact counts are computed for at most {max} members (2^{max} coalitions)"
    )]
    TooManyMembers { members: usize, max: usize },
    #[error("member '{member}' has no {what} (the rule needs one for every member)")]
    MissingWeight { member: String, what: &'static str },
    #[error(
        "member '{member}' has {what} {value}: expected a whole number ≥ 0 (or one with at most 6 decimals)"
    )]
    BadWeight {
        member: String,
        what: &'static str,
        value: f64,
    },
    #[error("the weights add up to {total}, more than the {max} the exact counts allow")]
    WeightTooLarge { total: u128, max: u64 },
    #[error("the rule's {parameter} is {value}: expected a fraction in (0, 1]")]
    BadThreshold { parameter: &'static str, value: f64 },
    #[error(
        "the game is too intricate to count exactly: its decision diagram would pass {max} nodes"
    )]
    TooComplex { max: usize },
}

/// How the indices were computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    GeneratingFunctions,
    DecisionDiagram,
}

/// One member's power.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberPower {
    pub member: String,
    /// The member's weight in the game (population, votes, 1 for a veto holder…).
    pub weight: u64,
    /// Winning coalitions the member is pivotal in.
    pub swings: u128,
    /// Winning coalitions the member belongs to.
    pub winning_with: u128,
    /// Banzhaf (Penrose) index: swings / 2ⁿ⁻¹, the chance that the member's vote decides when
    /// every other member votes yes or no at random.
    pub banzhaf: f64,
    /// The member's share of everyone's swings (normalised Banzhaf index).
    pub banzhaf_share: f64,
    /// Shapley–Shubik index: the chance of casting the deciding vote when members join in a
    /// random order; the indices of all members add up to 1. `None` when only Banzhaf was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley_shubik: Option<f64>,
}

/// The indices of every member of a game.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerIndices {
    pub members: Vec<MemberPower>,
    /// 2ⁿ.
    pub coalitions: u128,
    /// Coalitions that win.
    pub winning: u128,
    pub method: Method,
    /// Nodes of the decision diagram, or cells of the generating functions.
    pub size: usize,
}

impl PowerIndices {
    pub fn member(&self, code: &str) -> Option<&MemberPower> {
        self.members.iter().find(|m| m.member == code)
    }
}

impl MemberPower {
    /// The member's power in words: "pivotal in 2,515,856 of the 4,194,304 winning coalitions
    /// it belongs to (60 %): …".
    pub fn explain(&self) -> String {
        let share = if self.winning_with == 0 {
            0.0
        } else {
            100.0 * self.swings as f64 / self.winning_with as f64
        };
        let mut text = format!(
            "pivotal in {} of the {} winning coalitions it belongs to ({share:.0} %): its vote \
             decides {:.1} % of the time when the others vote yes or no at random (Banzhaf)",
            thousands(self.swings),
            thousands(self.winning_with),
            100.0 * self.banzhaf,
        );
        if let Some(ss) = self.shapley_shubik {
            text.push_str(&format!(
                ", and it casts the deciding vote {:.1} % of the time when members join in a \
                 random order (Shapley–Shubik)",
                100.0 * ss
            ));
        }
        text
    }
}

/// "12,345,678".
pub fn thousands(n: u128) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl Game {
    /// A weighted game: wins when the weight reaches `quota` (IMF-style votes).
    pub fn weighted(members: Vec<String>, weights: Vec<u64>, quota: u64) -> Game {
        Game {
            members,
            weights,
            quota,
            min_count: 1,
            count_alone: None,
            weight_name: Some("weight".to_owned()),
        }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// Whether the coalition of members marked `true` wins.
    pub fn wins(&self, coalition: &[bool]) -> bool {
        let count = coalition.iter().filter(|&&x| x).count();
        let weight: u128 = coalition
            .iter()
            .zip(&self.weights)
            .filter(|(x, _)| **x)
            .map(|(_, w)| u128::from(*w))
            .sum();
        self.wins_with(count, weight)
    }

    /// Whether `count` members weighing `weight` win.
    pub fn wins_with(&self, count: usize, weight: u128) -> bool {
        count >= self.min_count
            && (weight >= u128::from(self.quota) || self.count_alone.is_some_and(|c| count >= c))
    }

    /// Whether every member has the same power (weights play no part).
    pub fn is_symmetric(&self) -> bool {
        self.quota == 0 || self.weights.windows(2).all(|w| w[0] == w[1])
    }

    /// The game a rule plays among the members of `ballots` (their populations or weights as
    /// the rule needs them). Abstention is set aside: every member votes yes or no.
    pub fn of_rule(rule: &DecisionRule, ballots: &[Ballot]) -> Result<Game, PowerError> {
        let n = ballots.len();
        if n == 0 {
            return Err(PowerError::NoMembers);
        }
        let members: Vec<String> = ballots.iter().map(|b| b.member.clone()).collect();
        let counted = |min_count: usize| Game {
            members: members.clone(),
            weights: vec![0; n],
            quota: 0,
            min_count,
            count_alone: None,
            weight_name: None,
        };
        match rule {
            DecisionRule::Consensus | DecisionRule::Unanimity { .. } => Ok(counted(n)),
            DecisionRule::Majority {
                threshold,
                base: _,
                comparison,
            } => {
                fraction("threshold", *threshold)?;
                // Present and voting, with everyone voting the base is every member.
                let passes = |yes: usize| match comparison {
                    Comparison::MoreThan => crate::rules::exceeds(yes as f64, *threshold, n as f64),
                    Comparison::AtLeast => crate::rules::reaches(yes as f64, *threshold, n as f64),
                };
                let needed = (1..=n).find(|&y| passes(y)).unwrap_or(n + 1);
                Ok(counted(needed))
            }
            DecisionRule::VetoMajority {
                yes_needed,
                veto_holders,
            } => {
                let weights: Vec<u64> = members
                    .iter()
                    .map(|m| u64::from(veto_holders.contains(m)))
                    .collect();
                let quota = weights.iter().sum();
                Ok(Game {
                    members,
                    weights,
                    quota,
                    min_count: (*yes_needed).clamp(1, n + 1),
                    count_alone: None,
                    weight_name: Some("veto".to_owned()),
                })
            }
            DecisionRule::QualifiedMajority {
                member_share,
                population_share,
                min_blocking_members,
            } => {
                fraction("member_share", *member_share)?;
                fraction("population_share", *population_share)?;
                let populations = ballots
                    .iter()
                    .map(|b| {
                        b.population.ok_or_else(|| PowerError::MissingWeight {
                            member: b.member.clone(),
                            what: "population",
                        })
                    })
                    .collect::<Result<Vec<u64>, _>>()?;
                let total = checked_total(&populations)?;
                let quota = smallest_reaching(*population_share, total);
                let min_count = (1..=n)
                    .find(|&k| crate::rules::reaches(k as f64, *member_share, n as f64))
                    .unwrap_or(n);
                let count_alone = (*min_blocking_members > 0)
                    .then(|| (n + 1).saturating_sub(*min_blocking_members).max(min_count));
                Ok(Game {
                    members,
                    weights: populations,
                    quota,
                    min_count,
                    count_alone,
                    weight_name: Some("population".to_owned()),
                })
            }
            DecisionRule::Weighted { threshold } => {
                fraction("threshold", *threshold)?;
                let raw: Vec<(String, f64)> = ballots
                    .iter()
                    .map(|b| {
                        b.weight.map(|w| (b.member.clone(), w)).ok_or_else(|| {
                            PowerError::MissingWeight {
                                member: b.member.clone(),
                                what: "weight (votes)",
                            }
                        })
                    })
                    .collect::<Result<_, _>>()?;
                let weights = whole_weights(&raw)?;
                let total = checked_total(&weights)?;
                let quota = smallest_reaching(*threshold, total).max(1);
                Ok(Game {
                    members,
                    weights,
                    quota,
                    min_count: 1,
                    count_alone: None,
                    weight_name: Some("votes".to_owned()),
                })
            }
        }
    }
}

fn fraction(parameter: &'static str, value: f64) -> Result<(), PowerError> {
    if value.is_finite() && value > 0.0 && value <= 1.0 {
        Ok(())
    } else {
        Err(PowerError::BadThreshold { parameter, value })
    }
}

/// Sums weights, refusing totals the counts cannot hold in an `i64` interval arithmetic.
fn checked_total(weights: &[u64]) -> Result<u64, PowerError> {
    let total: u128 = weights.iter().map(|&w| u128::from(w)).sum();
    const MAX: u64 = 1 << 60;
    if total > u128::from(MAX) {
        return Err(PowerError::WeightTooLarge { total, max: MAX });
    }
    Ok(total as u64)
}

/// The smallest whole weight that reaches `fraction` of `total` under the rules' own test.
fn smallest_reaching(fraction: f64, total: u64) -> u64 {
    let estimate = (fraction * total as f64).floor() as u64;
    let mut q = estimate.saturating_sub(2);
    while q <= total && !crate::rules::reaches(q as f64, fraction, total as f64) {
        q += 1;
    }
    q
}

/// Whole-number weights: as given when they are whole, else scaled by the smallest power of ten
/// (up to 10⁶) that makes every one whole.
fn whole_weights(raw: &[(String, f64)]) -> Result<Vec<u64>, PowerError> {
    for (member, w) in raw {
        if !w.is_finite() || *w < 0.0 {
            return Err(PowerError::BadWeight {
                member: member.clone(),
                what: "weight",
                value: *w,
            });
        }
    }
    let mut scale = 1.0_f64;
    for _ in 0..=6 {
        let whole = raw.iter().all(|(_, w)| {
            let x = w * scale;
            (x - x.round()).abs() <= 1e-9 * x.max(1.0)
        });
        if whole {
            return Ok(raw
                .iter()
                .map(|(_, w)| (w * scale).round() as u64)
                .collect());
        }
        scale *= 10.0;
    }
    let (member, value) = raw
        .iter()
        .find(|(_, w)| {
            let x = w * 1e6;
            (x - x.round()).abs() > 1e-9 * x.max(1.0)
        })
        .cloned()
        .unwrap_or_default();
    Err(PowerError::BadWeight {
        member,
        what: "weight",
        value,
    })
}

/// Each member's share of the power in a game where every member counts alike (1/n), for any n.
pub fn symmetric_share(members: usize) -> f64 {
    if members == 0 {
        0.0
    } else {
        1.0 / members as f64
    }
}

/// Exact Banzhaf and Shapley–Shubik indices of every member, by the cheaper exact method.
pub fn indices(game: &Game) -> Result<PowerIndices, PowerError> {
    compute(game, true)
}

/// Exact Banzhaf indices only (Shapley–Shubik costs a factor of the members more).
pub fn banzhaf(game: &Game) -> Result<PowerIndices, PowerError> {
    compute(game, false)
}

fn compute(game: &Game, with_shapley: bool) -> Result<PowerIndices, PowerError> {
    let n = game.len();
    if n == 0 {
        return Err(PowerError::NoMembers);
    }
    if n > MAX_MEMBERS {
        return Err(PowerError::TooManyMembers {
            members: n,
            max: MAX_MEMBERS,
        });
    }
    checked_total(&game.weights)?;
    let pure_weighted = game.min_count <= 1 && game.count_alone.is_none() && game.quota >= 1;
    if pure_weighted && (n as u64).saturating_mul(game.quota) <= MAX_GF_CELLS {
        Ok(gf::indices(game, with_shapley))
    } else {
        bdd::indices(game, with_shapley)
    }
}

/// Shapley–Shubik weight of a pivot in a coalition of `m` others among `n` members:
/// m! (n−1−m)! / n! = 1 / (n × C(n−1, m)).
pub(crate) fn shapley_weight(n: usize, m: usize) -> f64 {
    let mut c = 1.0_f64;
    let k = m.min(n - 1 - m);
    for j in 0..k {
        c = c * (n - 1 - j) as f64 / (j + 1) as f64;
    }
    1.0 / (n as f64 * c)
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::GeneratingFunctions => "generating functions",
            Method::DecisionDiagram => "a binary decision diagram",
        })
    }
}

/// Assembles the indices from per-member swing counts, winning-coalition counts and Shapley
/// sums (shared by both methods).
pub(crate) fn assemble(
    game: &Game,
    swings: Vec<u128>,
    winning_with: Vec<u128>,
    shapley: Option<Vec<f64>>,
    winning: u128,
    method: Method,
    size: usize,
) -> PowerIndices {
    let n = game.len();
    let half = (1u128 << (n - 1)) as f64;
    let total_swings: u128 = swings.iter().sum();
    let members = (0..n)
        .map(|i| MemberPower {
            member: game.members[i].clone(),
            weight: game.weights[i],
            swings: swings[i],
            winning_with: winning_with[i],
            banzhaf: swings[i] as f64 / half,
            banzhaf_share: if total_swings == 0 {
                0.0
            } else {
                swings[i] as f64 / total_swings as f64
            },
            shapley_shubik: shapley.as_ref().map(|s| s[i]),
        })
        .collect();
    PowerIndices {
        members,
        coalitions: 1u128 << n,
        winning,
        method,
        size,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every coalition, counted by hand: the oracle for small games.
    fn brute(game: &Game) -> (Vec<u128>, Vec<u128>, Vec<f64>, u128) {
        let n = game.len();
        let mut swings = vec![0u128; n];
        let mut with = vec![0u128; n];
        let mut ss = vec![0.0; n];
        let mut winning = 0;
        for mask in 0u64..(1 << n) {
            let c: Vec<bool> = (0..n).map(|i| mask >> i & 1 == 1).collect();
            if !game.wins(&c) {
                continue;
            }
            winning += 1;
            for i in 0..n {
                if c[i] {
                    with[i] += 1;
                    let mut without = c.clone();
                    without[i] = false;
                    if !game.wins(&without) {
                        swings[i] += 1;
                        let m = c.iter().filter(|&&x| x).count() - 1;
                        ss[i] += shapley_weight(n, m);
                    }
                }
            }
        }
        (swings, with, ss, winning)
    }

    fn check(game: &Game) {
        let (swings, with, ss, winning) = brute(game);
        let mut answers = vec![
            bdd::indices(game, true).unwrap(),
            bdd::indices(game, false).unwrap(),
        ];
        if game.min_count <= 1 && game.count_alone.is_none() && game.quota >= 1 {
            answers.push(gf::indices(game, true));
            answers.push(gf::indices(game, false));
        }
        for got in answers {
            assert_eq!(got.winning, winning, "{game:?}");
            for i in 0..game.len() {
                let m = &got.members[i];
                assert_eq!(m.swings, swings[i], "swings of {i} in {game:?}");
                assert_eq!(m.winning_with, with[i], "winning_with of {i} in {game:?}");
                if let Some(got) = m.shapley_shubik {
                    assert!((got - ss[i]).abs() < 1e-12, "ss of {i}");
                }
            }
        }
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("M{i:02}")).collect()
    }

    #[test]
    fn small_games_match_enumeration() {
        check(&Game::weighted(names(4), vec![4, 3, 2, 1], 6));
        check(&Game::weighted(names(5), vec![9, 9, 7, 3, 1], 20));
        check(&Game::weighted(names(6), vec![0, 1, 1, 2, 5, 5], 7));
        check(&Game {
            members: names(7),
            weights: vec![50, 30, 12, 4, 2, 1, 1],
            quota: 65,
            min_count: 4,
            count_alone: Some(6),
            weight_name: None,
        });
        check(&Game {
            members: names(8),
            weights: vec![1, 1, 1, 0, 0, 0, 0, 0],
            quota: 3,
            min_count: 5,
            count_alone: None,
            weight_name: None,
        });
        check(&Game {
            members: names(5),
            weights: vec![0; 5],
            quota: 0,
            min_count: 5,
            count_alone: None,
            weight_name: None,
        });
    }

    #[test]
    fn pseudo_random_games_match_enumeration() {
        // A fixed linear congruential sequence: reproducible without a dependency.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |m: u64| {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (x >> 33) % m
        };
        for _ in 0..200 {
            let n = 1 + next(11) as usize;
            let weights: Vec<u64> = (0..n).map(|_| next(40)).collect();
            let total: u64 = weights.iter().sum();
            let quota = 1 + next(total.max(1) + 1);
            let min_count = next(n as u64 + 1) as usize;
            let count_alone = (next(2) == 0).then(|| next(n as u64 + 2) as usize);
            check(&Game {
                members: names(n),
                weights: weights.clone(),
                quota,
                min_count,
                count_alone,
                weight_name: None,
            });
            check(&Game::weighted(names(n), weights, quota));
        }
    }

    #[test]
    fn security_council_shapley_is_the_textbook_value() {
        // Each permanent member ≈ 0.19627, each elected member ≈ 0.001865 (Shapley & Shubik).
        let members: Vec<String> = ["CHN", "FRA", "GBR", "RUS", "USA"]
            .into_iter()
            .map(String::from)
            .chain((0..10).map(|i| format!("E{i:02}")))
            .collect();
        let ballots: Vec<Ballot> = members
            .iter()
            .map(|m| Ballot::new(m.clone(), crate::rules::Position::Undeclared))
            .collect();
        let game = Game::of_rule(&DecisionRule::un_security_council(), &ballots).unwrap();
        let p = indices(&game).unwrap();
        assert!((p.members[0].shapley_shubik.unwrap() - 0.196_270_396).abs() < 1e-8);
        assert!((p.members[14].shapley_shubik.unwrap() - 0.001_864_802).abs() < 1e-8);
        // An elected member is pivotal when it is the fourth elected yes with all five: C(9,3).
        assert_eq!(p.members[14].swings, 84);
    }

    #[test]
    fn thousands_groups_digits() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(67_108_864), "67,108,864");
    }
}

/// The power of a contest's members under its rule on a date: what `concord power` prints and
/// the board's section shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PowerView {
    pub contest: String,
    pub as_of: jiff::civil::Date,
    pub rule: DecisionRule,
    pub game: Game,
    /// The rule in words: when a coalition wins.
    pub winning_rule: String,
    /// `None` when every member counts alike and there are too many members for exact counts:
    /// `equal_share` then says it all.
    pub indices: Option<PowerIndices>,
    /// Set when every member has the same power.
    pub equal_share: Option<f64>,
}

impl Game {
    /// When a coalition wins, in words.
    pub fn describe(&self) -> String {
        let n = self.len();
        let what = self.weight_name.as_deref().unwrap_or("weight");
        if self.quota == 0 || self.weights.iter().all(|&w| w == 0) {
            return if self.min_count >= n {
                format!("a decision needs all {n} members: each one can block it alone")
            } else {
                format!(
                    "a coalition wins with at least {} of the {n} members",
                    self.min_count
                )
            };
        }
        if what == "veto" {
            let holders = self.weights.iter().filter(|&&w| w > 0).count();
            return format!(
                "a coalition wins with at least {} of the {n} members, all {holders} veto holders among them",
                self.min_count
            );
        }
        let total: u64 = self.weights.iter().sum();
        let mut text = if self.min_count > 1 {
            format!(
                "a coalition wins with at least {} of the {n} members and {} % of the {what} ({} of {})",
                self.min_count,
                percent(self.quota, total),
                thousands(u128::from(self.quota)),
                thousands(u128::from(total))
            )
        } else {
            format!(
                "a coalition wins with {} % of the {what} ({} of {})",
                percent(self.quota, total),
                thousands(u128::from(self.quota)),
                thousands(u128::from(total))
            )
        };
        if let Some(c) = self.count_alone {
            text.push_str(&format!(", or with {c} members whatever their {what}"));
        }
        text
    }
}

fn percent(part: u64, whole: u64) -> String {
    let p = 100.0 * part as f64 / whole.max(1) as f64;
    let rounded = (p * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.2}")
    }
}

/// The power of the members counted on `state.as_of` under the contest's rule.
pub fn of_state(state: &crate::state::ContestState) -> Result<PowerView, PowerError> {
    let ballots: Vec<Ballot> = state
        .current_members()
        .map(|m| Ballot {
            member: m.code.clone(),
            position: crate::rules::Position::Undeclared,
            population: m.attributes.get("population").map(|p| *p as u64),
            weight: m.attributes.get("votes").copied(),
        })
        .collect();
    let rule = state.definition.rule.clone();
    let game = Game::of_rule(&rule, &ballots)?;
    let symmetric = game.is_symmetric();
    let indices = match indices(&game) {
        Ok(found) => Some(found),
        Err(PowerError::TooManyMembers { .. }) if symmetric => None,
        Err(e) => return Err(e),
    };
    Ok(PowerView {
        contest: state.definition.id.clone(),
        as_of: state.as_of,
        winning_rule: game.describe(),
        equal_share: symmetric.then(|| symmetric_share(game.len())),
        rule,
        game,
        indices,
    })
}

impl PowerView {
    /// Members from the most to the least powerful (by Banzhaf; ties in member order).
    pub fn ranked(&self) -> Vec<&MemberPower> {
        let mut out: Vec<&MemberPower> =
            self.indices.iter().flat_map(|p| p.members.iter()).collect();
        out.sort_by_key(|m| std::cmp::Reverse(m.swings));
        out
    }
}
