//! Back-testing: replay historical contests, forecast as of each event date with only what was
//! known then, and score against what happened, beside two baselines; fit the `[fit]`
//! parameters leave-one-contest-out.
//!
//! Scores (lower is better): the Brier score of P(decision by the next milestone) and the log
//! loss of P(the actual winner). Baselines: the *base rate* (the share of training points
//! decided by their next milestone; the winner uniform over the declared candidates and
//! "another") and the *favourite by the hard deadline* (decided by the next milestone iff that
//! milestone is on or after the hard deadline; the best-supported candidate wins).

use concord_domain::event::{Event, seal_all};
use concord_domain::interchange::Case;
use concord_domain::rules::DecisionRule;
use concord_domain::state::ContestState;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::input::{Candidacy, ForecastInput, MilestoneKind};
use crate::params::Params;
use crate::run::{Forecast, RunConfig, forecast};

/// Probabilities are floored here before the logarithm, for the model and the baselines
/// alike: one "impossible" outcome then costs ln(1000) ≈ 6.9 nats instead of infinity.
const LOG_LOSS_FLOOR: f64 = 1e-3;

/// One forecast point of a contest: the input as known on a date, and what happened next.
#[derive(Debug, Clone)]
pub struct Point {
    pub input: ForecastInput,
    /// The milestone after `as_of` the Brier score asks about.
    pub next_milestone: Option<Date>,
    pub hard_deadline: Option<Date>,
    /// Whether the decision came on or before `next_milestone`.
    pub decided_by_next: bool,
    /// The winner's name if declared on that date, else `None` ("another candidate").
    pub winner: Option<String>,
}

/// A historical contest ready to replay.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub id: String,
    pub rule: String,
    /// Consensus-type contests (consensus, unanimity) are the ones model v1 describes and the
    /// only ones parameters are fit on; the others are scored, flagged as out of scope.
    pub in_scope: bool,
    pub decision_date: Date,
    pub points: Vec<Point>,
}

fn rule_name(rule: &DecisionRule) -> String {
    // The serde tag is the stable name (`consensus`, `qualified_majority`…).
    format!("{rule:?}")
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_lowercase()
}

/// Replays a case: a point at every distinct event date before the decision.
pub fn prepare(id: &str, case: &Case, params: &Params) -> Prepared {
    let rule = &case.scenario.definition.rule;
    let in_scope = matches!(
        rule,
        DecisionRule::Consensus | DecisionRule::Unanimity { .. }
    );
    let Some(outcome) = &case.outcome else {
        return Prepared {
            id: id.to_owned(),
            rule: rule_name(rule),
            in_scope,
            decision_date: Date::MAX,
            points: Vec::new(),
        };
    };
    let decision_date = outcome.decision_date;
    let events: Vec<Event> = seal_all(
        case.scenario.clone().into_events("backtest"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let mut dates: Vec<Date> = events
        .iter()
        .map(|e| e.valid)
        .filter(|d| *d < decision_date)
        .collect();
    dates.sort();
    dates.dedup();
    let points = dates
        .into_iter()
        .filter_map(|as_of| {
            let state = ContestState::fold(&events, as_of).ok()?;
            if state.decision.is_some() {
                return None;
            }
            let input = ForecastInput::from_state_with(&state, as_of, params);
            let upcoming = |kind: Option<MilestoneKind>| {
                input
                    .milestones
                    .iter()
                    .filter(|m| m.date > as_of && kind.is_none_or(|k| m.kind == k))
                    .map(|m| m.date)
                    .chain((input.term_end > as_of).then_some(input.term_end))
                    .min()
            };
            let next_milestone = upcoming(None);
            let hard_deadline = upcoming(Some(MilestoneKind::HardDeadline));
            let winner = Some(outcome.winner.as_str()).and_then(|w| {
                let name = state.candidate(w)?.profile.name.clone();
                input
                    .candidates
                    .iter()
                    .any(|c| c.name == name && c.candidacy == Candidacy::Declared)
                    .then_some(name)
            });
            Some(Point {
                decided_by_next: next_milestone.is_some_and(|n| decision_date <= n),
                next_milestone,
                hard_deadline,
                winner,
                input,
            })
        })
        .collect();
    Prepared {
        id: id.to_owned(),
        rule: rule_name(rule),
        in_scope,
        decision_date,
        points,
    }
}

/// Mean scores over a contest's points.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub brier: f64,
    pub log_loss: f64,
    /// Points with a next milestone (the Brier score's denominator).
    pub brier_points: usize,
    pub points: usize,
}

impl Scores {
    fn objective(&self) -> f64 {
        self.brier + self.log_loss
    }
}

fn log_loss(p: f64) -> f64 {
    -p.max(LOG_LOSS_FLOOR).ln()
}

fn p_next(f: &Forecast, next: Date) -> f64 {
    // The curve is cumulative by day; beyond it everything decided has been decided.
    let day = f
        .as_of
        .until((jiff::Unit::Day, next))
        .map_or(0, |s| s.get_days());
    f.curve
        .get(day.max(0) as usize)
        .or(f.curve.last())
        .map_or(0.0, |c| c.p)
}

fn p_winner(f: &Forecast, winner: Option<&str>) -> f64 {
    match winner {
        Some(w) => f
            .candidates
            .iter()
            .find(|c| c.name == w)
            .map_or(0.0, |c| c.wins.p),
        None => f.another_candidate.p,
    }
}

/// Scores the model on a contest's points.
pub fn score_model(c: &Prepared, params: &Params, config: &RunConfig) -> Scores {
    let mut s = Scores::default();
    for p in &c.points {
        let Ok(f) = forecast(&p.input, params, config) else {
            continue;
        };
        s.points += 1;
        s.log_loss += log_loss(p_winner(&f, p.winner.as_deref()));
        if let Some(next) = p.next_milestone {
            s.brier_points += 1;
            s.brier += (p_next(&f, next) - f64::from(u8::from(p.decided_by_next))).powi(2);
        }
    }
    s.finish()
}

impl Scores {
    fn finish(mut self) -> Scores {
        if self.points > 0 {
            self.log_loss /= self.points as f64;
        }
        if self.brier_points > 0 {
            self.brier /= self.brier_points as f64;
        }
        self
    }
}

/// The base rate: P(decided by the next milestone) from the training points; the winner
/// uniform over the declared candidates and "another".
pub fn score_base_rate(c: &Prepared, base_rate: f64) -> Scores {
    let mut s = Scores::default();
    for p in &c.points {
        let declared = p
            .input
            .candidates
            .iter()
            .filter(|c| c.candidacy == Candidacy::Declared)
            .count();
        s.points += 1;
        s.log_loss += log_loss(1.0 / (declared + 1) as f64);
        if p.next_milestone.is_some() {
            s.brier_points += 1;
            s.brier += (base_rate - f64::from(u8::from(p.decided_by_next))).powi(2);
        }
    }
    s.finish()
}

/// The favourite by the hard deadline.
pub fn score_favourite(c: &Prepared) -> Scores {
    let mut s = Scores::default();
    for p in &c.points {
        let favourite = p
            .input
            .candidates
            .iter()
            .filter(|c| c.candidacy == Candidacy::Declared)
            .max_by_key(|c| c.supporters)
            .map(|c| c.name.as_str());
        s.points += 1;
        let right = favourite.is_some() && favourite == p.winner.as_deref();
        s.log_loss += log_loss(if right { 1.0 } else { 0.0 });
        if let Some(next) = p.next_milestone {
            let hard = p.hard_deadline.unwrap_or(p.input.term_end);
            let says = next >= hard;
            s.brier_points += 1;
            s.brier += (f64::from(u8::from(says)) - f64::from(u8::from(p.decided_by_next))).powi(2);
        }
    }
    s.finish()
}

/// One point of the fitting grid: the values of the `[fit]` parameters.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FitChoice {
    pub consultation: f64,
    pub tau_days: f64,
    pub withdrawal_rate: f64,
}

impl FitChoice {
    pub fn apply(&self, params: &Params) -> Params {
        let mut p = params.clone();
        p.hazard.consultation = self.consultation;
        p.pressure.tau_days = self.tau_days;
        p.withdrawal.rate = self.withdrawal_rate;
        p
    }
}

/// The grid searched: each `[fit]` parameter at its v1 value and on either side.
pub fn grid(params: &Params) -> Vec<FitChoice> {
    // Halving and doubling brackets each value on a log scale: the back-test has too few
    // contests to resolve finer steps.
    const STEPS: [f64; 3] = [0.5, 1.0, 2.0];
    let mut out = Vec::new();
    for a in STEPS {
        for b in STEPS {
            for c in STEPS {
                out.push(FitChoice {
                    consultation: params.hazard.consultation * a,
                    tau_days: params.pressure.tau_days * b,
                    withdrawal_rate: params.withdrawal.rate * c,
                });
            }
        }
    }
    out
}

/// The back-test of one contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestResult {
    pub id: String,
    pub rule: String,
    pub in_scope: bool,
    pub points: usize,
    /// The parameters fit on the other in-scope contests, used to score this one.
    pub fit: FitChoice,
    pub fit_on: Vec<String>,
    pub model: Scores,
    pub base_rate: Scores,
    pub favourite: Scores,
}

/// The whole back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub params_version: String,
    pub trials: u64,
    pub fit_trials: u64,
    pub seed: u64,
    pub contests: Vec<ContestResult>,
    /// The choice fit on every in-scope contest (what a new contest would be forecast with).
    pub fit_all: FitChoice,
}

/// Runs the leave-one-contest-out back-test. `progress(done, total)` is called per step.
pub fn backtest(
    contests: &[Prepared],
    params: &Params,
    config: &RunConfig,
    fit_trials: u64,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> BacktestReport {
    let grid = grid(params);
    let fit_config = RunConfig {
        trials: fit_trials,
        seed: config.seed,
        sensitivity_trials: 0,
    };
    let score_config = RunConfig {
        sensitivity_trials: 0,
        ..*config
    };
    let total = grid.len() + contests.len();
    // objective[g][c]: the fitting objective of grid point g on contest c.
    let objective: Vec<Vec<f64>> = grid
        .iter()
        .enumerate()
        .map(|(g, choice)| {
            let p = choice.apply(params);
            let row = contests
                .iter()
                .map(|c| {
                    if c.in_scope {
                        score_model(c, &p, &fit_config).objective()
                    } else {
                        0.0
                    }
                })
                .collect();
            progress(g + 1, total);
            row
        })
        .collect();
    let best = |exclude: Option<usize>| -> FitChoice {
        let (g, _) = objective
            .iter()
            .enumerate()
            .map(|(g, row)| {
                let sum: f64 = row
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| Some(*c) != exclude && contests[*c].in_scope)
                    .map(|(_, v)| v)
                    .sum();
                (g, sum)
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .unwrap_or((0, 0.0));
        grid[g]
    };
    let results = contests
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let fit = best(Some(k));
            let fit_on: Vec<String> = contests
                .iter()
                .enumerate()
                .filter(|(j, o)| *j != k && o.in_scope)
                .map(|(_, o)| o.id.clone())
                .collect();
            let training: Vec<&Point> = contests
                .iter()
                .enumerate()
                .filter(|(j, o)| *j != k && o.in_scope)
                .flat_map(|(_, o)| o.points.iter())
                .filter(|p| p.next_milestone.is_some())
                .collect();
            let base_rate = if training.is_empty() {
                0.5
            } else {
                training.iter().filter(|p| p.decided_by_next).count() as f64 / training.len() as f64
            };
            let result = ContestResult {
                id: c.id.clone(),
                rule: c.rule.clone(),
                in_scope: c.in_scope,
                points: c.points.len(),
                fit,
                fit_on,
                model: score_model(c, &fit.apply(params), &score_config),
                base_rate: score_base_rate(c, base_rate),
                favourite: score_favourite(c),
            };
            progress(grid.len() + k + 1, total);
            result
        })
        .collect();
    BacktestReport {
        params_version: params.version.clone(),
        trials: config.trials,
        fit_trials,
        seed: config.seed,
        contests: results,
        fit_all: best(None),
    }
}

/// The back-test as a table.
pub fn report_text(r: &BacktestReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Back-test, model {} (leave-one-contest-out; scored at {} trials, fit at {} trials, seed {})",
        r.params_version, r.trials, r.fit_trials, r.seed
    );
    let _ = writeln!(
        out,
        "Brier: P(decision by the next milestone); log loss: P(the winner). Lower is better.\n"
    );
    let _ = writeln!(
        out,
        "{:<30} {:<20} {:>3}  {:>13}  {:>13}  {:>13}",
        "contest", "rule", "pts", "model B / LL", "base B / LL", "fav. B / LL"
    );
    let cell = |s: &Scores| format!("{:.3} / {:.2}", s.brier, s.log_loss);
    let mut sums = [Scores::default(); 3];
    let mut n = 0usize;
    for c in &r.contests {
        let flag = if c.in_scope { "" } else { " *" };
        let _ = writeln!(
            out,
            "{:<30} {:<20} {:>3}  {:>13}  {:>13}  {:>13}",
            format!("{}{flag}", c.id),
            c.rule,
            c.points,
            cell(&c.model),
            cell(&c.base_rate),
            cell(&c.favourite)
        );
        if c.in_scope && c.points > 0 {
            n += 1;
            for (sum, s) in sums.iter_mut().zip([&c.model, &c.base_rate, &c.favourite]) {
                sum.brier += s.brier;
                sum.log_loss += s.log_loss;
            }
        }
    }
    if n > 0 {
        let mean = |s: &Scores| format!("{:.3} / {:.2}", s.brier / n as f64, s.log_loss / n as f64);
        let _ = writeln!(
            out,
            "{:<30} {:<20} {:>3}  {:>13}  {:>13}  {:>13}",
            "mean of in-scope contests",
            "",
            "",
            mean(&sums[0]),
            mean(&sums[1]),
            mean(&sums[2])
        );
    }
    let _ = writeln!(
        out,
        "\n* outside model v1's scope (not a consensus rule): scored, never fit on."
    );
    let _ = writeln!(
        out,
        "\nFit per held-out contest (consultation / tau_days / withdrawal.rate), fit on the other in-scope contests:"
    );
    for c in &r.contests {
        let _ = writeln!(
            out,
            "  {:<30} {:.4} / {:>4.1} / {:.4}   fit on: {}",
            c.id,
            c.fit.consultation,
            c.fit.tau_days,
            c.fit.withdrawal_rate,
            c.fit_on.join(", ")
        );
    }
    let _ = writeln!(
        out,
        "Fit on all in-scope contests: {:.4} / {:.1} / {:.4}",
        r.fit_all.consultation, r.fit_all.tau_days, r.fit_all.withdrawal_rate
    );
    out
}
