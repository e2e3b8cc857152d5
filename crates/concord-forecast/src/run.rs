//! Running many trials in parallel and turning the tallies into the forecast's outputs.
//!
//! Trials are cut into fixed chunks folded by rayon, each job with its own scratch and tally
//! (no allocation per trial). Tallies are integer counts, so their sum does not depend on how
//! rayon split the work: the same seed gives the same forecast at any thread count.

use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::input::{Edit, EditError, ForecastInput, InputError, MilestoneKind};
use crate::model::{Model, days_between};
use crate::params::Params;
use crate::rng::TrialStream;
use crate::sim::{Outcome, Scratch, Winner, simulate};

/// Trials per unit of parallel work: large enough to amortise scheduling, small enough to
/// balance two cores and to report progress smoothly.
const CHUNK: u64 = 8192;

/// How many trials, from which seed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunConfig {
    pub trials: u64,
    pub seed: u64,
    /// Trials (the first ones, same seeds) re-run with each hold lifted; 0 skips them.
    pub sensitivity_trials: u64,
}

impl RunConfig {
    /// The defaults of a parameter file.
    pub fn from_params(params: &Params) -> RunConfig {
        RunConfig {
            trials: params.run.trials,
            seed: params.run.seed,
            sensitivity_trials: params.run.sensitivity_trials,
        }
    }
}

/// A probability and its Monte Carlo standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    pub p: f64,
    pub se: f64,
}

impl Estimate {
    /// The share `k / n` with its binomial standard error.
    pub fn share(k: u64, n: u64) -> Estimate {
        if n == 0 {
            return Estimate { p: 0.0, se: 0.0 };
        }
        let p = k as f64 / n as f64;
        Estimate {
            p,
            se: (p * (1.0 - p) / n as f64).sqrt(),
        }
    }
}

/// P(decision by a milestone).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MilestoneForecast {
    pub date: Date,
    pub kind: MilestoneKind,
    pub label: String,
    /// Already past at `as_of` (its probability is then 0: the forecast starts at `as_of`).
    pub passed: bool,
    pub decided_by: Estimate,
}

/// One point of the cumulative curve: P(decision on or before `date`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    pub date: Date,
    pub p: f64,
    pub se: f64,
}

/// P(a candidate is agreed by the horizon).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateForecast {
    pub name: String,
    pub wins: Estimate,
}

/// How often a hold was the last to go before its candidate was agreed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BindingHold {
    pub member: String,
    pub candidate: String,
    pub kind: String,
    pub binding: Estimate,
}

/// The effect of lifting one hold now on P(decision by the hard deadline).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    pub member: String,
    pub candidate: String,
    pub kind: String,
    /// P(decision by the hard deadline) with the hold lifted.
    pub lifted: Estimate,
    /// The change against the same trials unlifted (paired: common random numbers).
    pub delta: Estimate,
}

/// Everything model v1 says about one contest at one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub as_of: Date,
    pub params_version: String,
    pub trials: u64,
    pub seed: u64,
    pub horizon: Date,
    /// The deadline the sensitivities refer to (the first upcoming hard deadline, else the
    /// term end).
    pub hard_deadline: Date,
    pub milestones: Vec<MilestoneForecast>,
    pub curve: Vec<CurvePoint>,
    pub candidates: Vec<CandidateForecast>,
    /// A fresh candidate (not yet in the race) is agreed.
    pub another_candidate: Estimate,
    pub reversion: String,
    /// The term end passes with nobody agreed (the reversion happens first).
    pub reversion_first: Estimate,
    pub none_by_horizon: Estimate,
    pub decided_by_hard_deadline: Estimate,
    /// Median decision date; `None` when P(decision by the horizon) < 1/2.
    pub median: Option<Date>,
    /// 10th and 90th percentiles of the decision date (`None`: beyond the horizon).
    pub interval80: (Option<Date>, Option<Date>),
    pub binding: Vec<BindingHold>,
    pub sensitivity_trials: u64,
    pub sensitivity: Vec<Sensitivity>,
    /// Mean random draws per trial (the cost floor of a trial).
    pub draws_per_trial: f64,
}

/// Integer tallies of a batch of trials; merging is addition.
#[derive(Debug, Clone)]
struct Tally {
    trials: u64,
    by_day: Vec<u64>,
    wins: Vec<u64>,
    fresh: u64,
    reversion: u64,
    binding: Vec<u64>,
    sens_n: u64,
    sens_base: u64,
    sens_up: Vec<u64>,
    sens_down: Vec<u64>,
    draws: u64,
}

impl Tally {
    fn new(model: &Model) -> Tally {
        let nh = model.holds.len();
        Tally {
            trials: 0,
            by_day: vec![0; model.horizon],
            wins: vec![0; model.cands.len()],
            fresh: 0,
            reversion: 0,
            binding: vec![0; nh],
            sens_n: 0,
            sens_base: 0,
            sens_up: vec![0; nh],
            sens_down: vec![0; nh],
            draws: 0,
        }
    }

    fn merge(mut self, other: Tally) -> Tally {
        fn add(a: &mut [u64], b: &[u64]) {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.trials += other.trials;
        add(&mut self.by_day, &other.by_day);
        add(&mut self.wins, &other.wins);
        self.fresh += other.fresh;
        self.reversion += other.reversion;
        add(&mut self.binding, &other.binding);
        self.sens_n += other.sens_n;
        self.sens_base += other.sens_base;
        add(&mut self.sens_up, &other.sens_up);
        add(&mut self.sens_down, &other.sens_down);
        self.draws += other.draws;
        self
    }

    #[inline]
    fn record(&mut self, model: &Model, o: &Outcome) {
        self.trials += 1;
        if o.decision.is_finite() {
            self.by_day[o.decision as usize] += 1;
        }
        // The reversion happens if the term end arrives with nobody agreed before it.
        if model.term_day < 0 || o.decision >= model.term_day as f64 {
            self.reversion += 1;
        }
        match o.winner {
            Winner::Candidate(c) => self.wins[c as usize] += 1,
            Winner::Fresh => self.fresh += 1,
            Winner::Nobody => {}
        }
        if let Some(h) = o.binding {
            self.binding[h as usize] += 1;
        }
    }
}

/// Decided on or before day `day` (the whole of that day counts).
#[inline]
fn by_day(o: &Outcome, day: i64) -> bool {
    day >= 0 && o.decision < (day + 1) as f64
}

/// Runs the forecast.
pub fn forecast(
    input: &ForecastInput,
    params: &Params,
    config: &RunConfig,
) -> Result<Forecast, InputError> {
    forecast_with_progress(input, params, config, &|_| {})
}

/// Runs the forecast, calling `progress(trials_done_in_this_chunk)` after each chunk.
pub fn forecast_with_progress(
    input: &ForecastInput,
    params: &Params,
    config: &RunConfig,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<Forecast, InputError> {
    let model = Model::compile(input, params)?;
    let tally = run_tally(&model, config, progress);
    Ok(summarise(input, params, config, &model, &tally))
}

fn run_tally(model: &Model, config: &RunConfig, progress: &(dyn Fn(u64) + Sync)) -> Tally {
    let n = config.trials;
    let sens_n = config.sensitivity_trials.min(n);
    let sensitive: Vec<usize> = (0..model.holds.len())
        .filter(|&h| model.holds[h].sensitive)
        .collect();
    let chunks = n.div_ceil(CHUNK);
    (0..chunks)
        .into_par_iter()
        .fold(
            || (Scratch::new(model), Tally::new(model)),
            |(mut scratch, mut tally), chunk| {
                let start = chunk * CHUNK;
                let end = (start + CHUNK).min(n);
                for trial in start..end {
                    let rng = TrialStream::new(config.seed, trial);
                    let before = scratch.draws;
                    let base = simulate(model, &rng, None, &mut scratch);
                    // Draws of the base trials only: the sensitivities are extra runs.
                    tally.draws += scratch.draws - before;
                    tally.record(model, &base);
                    if trial < sens_n {
                        let base_in = by_day(&base, model.hard_day);
                        tally.sens_n += 1;
                        tally.sens_base += u64::from(base_in);
                        for &h in &sensitive {
                            let lifted = simulate(model, &rng, Some(h), &mut scratch);
                            match (by_day(&lifted, model.hard_day), base_in) {
                                (true, false) => tally.sens_up[h] += 1,
                                (false, true) => tally.sens_down[h] += 1,
                                _ => {}
                            }
                        }
                    }
                }
                progress(end - start);
                (scratch, tally)
            },
        )
        .map(|(_, tally)| tally)
        .reduce(|| Tally::new(model), Tally::merge)
}

fn summarise(
    input: &ForecastInput,
    params: &Params,
    config: &RunConfig,
    model: &Model,
    t: &Tally,
) -> Forecast {
    let n = t.trials;
    let date_at = |day: i64| {
        input
            .as_of
            .checked_add(jiff::Span::new().days(day))
            .unwrap_or(input.as_of)
    };
    let mut cumulative = Vec::with_capacity(model.horizon);
    let mut acc = 0u64;
    for &k in &t.by_day {
        acc += k;
        cumulative.push(acc);
    }
    let decided_by = |day: i64| -> u64 {
        if day < 0 {
            0
        } else {
            cumulative[(day as usize).min(model.horizon - 1)]
        }
    };
    let quantile = |q: f64| -> Option<Date> {
        let need = (q * n as f64).ceil() as u64;
        cumulative
            .iter()
            .position(|&c| c >= need.max(1))
            .map(|d| date_at(d as i64))
    };
    let mut milestones: Vec<MilestoneForecast> = input
        .milestones
        .iter()
        .map(|m| {
            let day = days_between(input.as_of, m.date);
            MilestoneForecast {
                date: m.date,
                kind: m.kind,
                label: m.label.clone(),
                passed: day < 0,
                decided_by: Estimate::share(decided_by(day), n),
            }
        })
        .collect();
    milestones.sort_by_key(|m| m.date);
    let curve = cumulative
        .iter()
        .enumerate()
        .map(|(d, &k)| {
            let e = Estimate::share(k, n);
            CurvePoint {
                date: date_at(d as i64),
                p: e.p,
                se: e.se,
            }
        })
        .collect();
    let candidates = input
        .candidates
        .iter()
        .zip(&t.wins)
        .map(|(c, &k)| CandidateForecast {
            name: c.name.clone(),
            wins: Estimate::share(k, n),
        })
        .collect();
    let mut binding: Vec<BindingHold> = model
        .holds
        .iter()
        .zip(&t.binding)
        .filter(|(_, k)| **k > 0)
        .map(|(hm, &k)| (&input.holds[hm.input_index], k))
        .map(|(h, k)| BindingHold {
            member: h.member.clone(),
            candidate: h.candidate.clone(),
            kind: h.kind.label(),
            binding: Estimate::share(k, n),
        })
        .collect();
    binding.sort_by(|a, b| b.binding.p.total_cmp(&a.binding.p));
    let sn = t.sens_n;
    let mut sensitivity: Vec<Sensitivity> = if sn == 0 {
        Vec::new()
    } else {
        model
            .holds
            .iter()
            .enumerate()
            .filter(|(_, hm)| hm.sensitive)
            .map(|(h, hm)| {
                let hold = &input.holds[hm.input_index];
                let (up, down) = (t.sens_up[h], t.sens_down[h]);
                let delta = (up as f64 - down as f64) / sn as f64;
                // Paired differences take values in {−1, 0, 1}: E[d²] = (up + down) / n.
                let second = (up + down) as f64 / sn as f64;
                let se = ((second - delta * delta).max(0.0) / sn as f64).sqrt();
                Sensitivity {
                    member: hold.member.clone(),
                    candidate: hold.candidate.clone(),
                    kind: hold.kind.label(),
                    lifted: Estimate::share(t.sens_base + up - down, sn),
                    delta: Estimate { p: delta, se },
                }
            })
            .collect()
    };
    sensitivity.sort_by(|a, b| b.delta.p.total_cmp(&a.delta.p));
    let decided_total = acc;
    Forecast {
        as_of: input.as_of,
        params_version: params.version.clone(),
        trials: n,
        seed: config.seed,
        horizon: date_at(model.horizon as i64 - 1),
        hard_deadline: date_at(model.hard_day),
        milestones,
        curve,
        candidates,
        another_candidate: Estimate::share(t.fresh, n),
        reversion: input.reversion.clone(),
        reversion_first: Estimate::share(t.reversion, n),
        none_by_horizon: Estimate::share(n - decided_total, n),
        decided_by_hard_deadline: Estimate::share(decided_by(model.hard_day), n),
        median: quantile(0.5),
        interval80: (quantile(0.1), quantile(0.9)),
        binding,
        sensitivity_trials: sn,
        sensitivity,
        draws_per_trial: if n == 0 {
            0.0
        } else {
            t.draws as f64 / n as f64
        },
    }
}

/// A baseline and an edited scenario, run on the same seeds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WhatIf {
    pub edits: Vec<Edit>,
    pub baseline: Forecast,
    pub scenario: Forecast,
}

/// A what-if that could not be run.
#[derive(Debug, Error)]
pub enum WhatIfError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Input(#[from] InputError),
}

/// Runs the input and the input with `edits` applied, with the same seeds (common random
/// numbers: the difference is the edit's effect, not noise).
pub fn whatif(
    input: &ForecastInput,
    edits: &[Edit],
    params: &Params,
    config: &RunConfig,
) -> Result<WhatIf, WhatIfError> {
    let mut edited = input.clone();
    for edit in edits {
        edited = edited.apply(edit)?;
    }
    let (baseline, scenario) = rayon::join(
        || forecast(input, params, config),
        || forecast(&edited, params, config),
    );
    Ok(WhatIf {
        edits: edits.to_vec(),
        baseline: baseline?,
        scenario: scenario?,
    })
}

/// Single trials on demand, for tests and for explaining one path: the same model and the
/// same random streams as [`forecast`].
#[derive(Debug, Clone)]
pub struct Simulator {
    model: Model,
    scratch: Scratch,
}

impl Simulator {
    pub fn new(input: &ForecastInput, params: &Params) -> Result<Simulator, InputError> {
        let model = Model::compile(input, params)?;
        let scratch = Scratch::new(&model);
        Ok(Simulator { model, scratch })
    }

    /// One trial's decision day and winner (the index of the candidate in the input, or
    /// `None` for a fresh candidate or nobody), with the holds of `forced` — (index in the
    /// input's holds, day) — released on those days whatever their own clocks say. A hold the
    /// model keeps without a clock of its own (an implicit hold) cannot be forced: it is
    /// returned in the error.
    pub fn trial_forced(
        &mut self,
        seed: u64,
        trial: u64,
        forced: &[(usize, f64)],
    ) -> Result<(Option<f64>, Option<usize>), usize> {
        for slot in self.scratch.forced.iter_mut() {
            *slot = f64::INFINITY;
        }
        for &(input_index, day) in forced {
            let h = self
                .model
                .holds
                .iter()
                .position(|h| h.input_index == input_index)
                .ok_or(input_index)?;
            self.scratch.forced[h] = day;
        }
        let rng = TrialStream::new(seed, trial);
        let o = simulate(&self.model, &rng, None, &mut self.scratch);
        let winner = match o.winner {
            Winner::Candidate(c) => Some(c as usize),
            Winner::Fresh | Winner::Nobody => None,
        };
        Ok((o.decision.is_finite().then_some(o.decision), winner))
    }

    /// The decision day (days after `as_of`, fractional) of `trial` under `seed`, or `None`
    /// if nobody is agreed by the horizon.
    pub fn decision_day(&mut self, seed: u64, trial: u64) -> Option<f64> {
        self.trial_forced(seed, trial, &[])
            .expect("no hold is forced")
            .0
    }
}
