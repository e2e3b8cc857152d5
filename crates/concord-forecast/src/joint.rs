//! Forecasts of contests that move together, trial by trial on the same seeds:
//! - a **package** of posts is agreed when its last post is: per trial, the latest of the posts'
//!   decision days (nothing is agreed until everything is);
//! - a **linked hold** (a stance bargained against another contest) releases with the contest
//!   it is linked to: per trial, on that contest's decision day in the same trial.
//!
//! Both are joint events, so they are computed from the trials themselves, never from the
//! marginal probabilities of each part.

use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::input::{ForecastInput, InputError, MilestoneInput};
use crate::params::Params;
use crate::run::{Estimate, RunConfig, Simulator};

/// Trials per parallel job.
const CHUNK: u64 = 4096;

/// P(decided by a date) for the joint event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JointMilestone {
    pub label: String,
    pub date: Date,
    pub decided_by: Estimate,
}

/// A candidate's chance, within one part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartWinner {
    pub part: String,
    pub candidate: String,
    pub wins: Estimate,
}

/// What the trials say about a joint event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JointForecast {
    pub as_of: Date,
    pub trials: u64,
    pub seed: u64,
    pub milestones: Vec<JointMilestone>,
    /// Median day of the joint event; `None` when it is decided in fewer than half the trials.
    pub median: Option<Date>,
    pub none_by_horizon: Estimate,
    /// Each part's own P(decided by each milestone), for comparison with the joint event.
    pub parts: Vec<(String, Vec<JointMilestone>)>,
    pub winners: Vec<PartWinner>,
}

/// Per trial: each part's decision day and winner.
type TrialRow = Vec<(Option<f64>, Option<usize>)>;

fn date_at(as_of: Date, day: f64) -> Date {
    as_of
        .checked_add(jiff::Span::new().days(day.floor() as i64))
        .unwrap_or(as_of)
}

fn days(as_of: Date, to: Date) -> f64 {
    f64::from(
        as_of
            .until((jiff::Unit::Day, to))
            .map(|s| s.get_days())
            .unwrap_or(0),
    )
}

fn summarise(
    names: &[String],
    inputs: &[ForecastInput],
    milestones: &[MilestoneInput],
    rows: &[TrialRow],
    joint: impl Fn(&TrialRow) -> Option<f64>,
    config: &RunConfig,
) -> JointForecast {
    let as_of = inputs[0].as_of;
    let n = rows.len() as u64;
    let by = |day: f64, pick: &dyn Fn(&TrialRow) -> Option<f64>| {
        let k = rows
            .iter()
            .filter(|r| pick(r).is_some_and(|d| d < day + 1.0))
            .count() as u64;
        Estimate::share(k, n)
    };
    let mut upcoming: Vec<&MilestoneInput> =
        milestones.iter().filter(|m| m.date >= as_of).collect();
    upcoming.sort_by_key(|m| m.date);
    upcoming.dedup_by_key(|m| m.date);
    let table = |pick: &dyn Fn(&TrialRow) -> Option<f64>| -> Vec<JointMilestone> {
        upcoming
            .iter()
            .map(|m| JointMilestone {
                label: m.label.clone(),
                date: m.date,
                decided_by: by(days(as_of, m.date), pick),
            })
            .collect()
    };
    let mut joint_days: Vec<f64> = rows.iter().filter_map(&joint).collect();
    joint_days.sort_by(f64::total_cmp);
    let median = (joint_days.len() as u64 * 2 >= n.max(1))
        .then(|| joint_days.get(((n as usize).saturating_sub(1)) / 2))
        .flatten()
        .map(|&d| date_at(as_of, d));
    let parts = names
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), table(&|r: &TrialRow| r[i].0)))
        .collect();
    let mut winners = Vec::new();
    for (i, name) in names.iter().enumerate() {
        for (c, candidate) in inputs[i].candidates.iter().enumerate() {
            let k = rows.iter().filter(|r| r[i].1 == Some(c)).count() as u64;
            winners.push(PartWinner {
                part: name.clone(),
                candidate: candidate.name.clone(),
                wins: Estimate::share(k, n),
            });
        }
    }
    JointForecast {
        as_of,
        trials: n,
        seed: config.seed,
        milestones: table(&joint),
        median,
        none_by_horizon: Estimate::share(n - joint_days.len() as u64, n),
        parts,
        winners,
    }
}

fn run_rows(
    sims: &[Simulator],
    config: &RunConfig,
    trial: impl Fn(&mut [Simulator], u64) -> TrialRow + Sync,
) -> Vec<TrialRow> {
    let chunks = config.trials.div_ceil(CHUNK);
    let mut rows: Vec<(u64, Vec<TrialRow>)> = (0..chunks)
        .into_par_iter()
        .map(|chunk| {
            let mut local = sims.to_vec();
            let start = chunk * CHUNK;
            let end = (start + CHUNK).min(config.trials);
            (chunk, (start..end).map(|t| trial(&mut local, t)).collect())
        })
        .collect();
    rows.sort_by_key(|(c, _)| *c);
    rows.into_iter().flat_map(|(_, r)| r).collect()
}

/// The forecast of a package: `posts` are (post title, that post's forecast input), all as
/// of the same date. The package is agreed on the day its last post is.
pub fn package(
    posts: &[(String, ForecastInput)],
    params: &Params,
    config: &RunConfig,
) -> Result<JointForecast, InputError> {
    let sims = posts
        .iter()
        .map(|(_, input)| Simulator::new(input, params))
        .collect::<Result<Vec<_>, _>>()?;
    let rows = run_rows(&sims, config, |sims, t| {
        sims.iter_mut()
            .map(|s| s.trial_forced(config.seed, t, &[]).expect("nothing forced"))
            .collect()
    });
    let names: Vec<String> = posts.iter().map(|(n, _)| n.clone()).collect();
    let inputs: Vec<ForecastInput> = posts.iter().map(|(_, i)| i.clone()).collect();
    let mut milestones: Vec<MilestoneInput> =
        inputs.iter().flat_map(|i| i.milestones.clone()).collect();
    milestones.sort_by_key(|m| m.date);
    // Nothing is agreed until everything is: the latest post, and none if any post fails.
    let joint = |r: &TrialRow| {
        r.iter()
            .map(|(d, _)| *d)
            .try_fold(0.0_f64, |acc, d| d.map(|d| acc.max(d)))
    };
    Ok(summarise(
        &names,
        &inputs,
        &milestones,
        &rows,
        joint,
        config,
    ))
}

/// A hold of the main contest bargained against another contest.
#[derive(Debug, Clone)]
pub struct LinkedHold {
    /// The hold's index in the main input's `holds`.
    pub hold: usize,
    /// The forecast input of the contest it is linked to, as of the same date.
    pub linked: ForecastInput,
    pub linked_name: String,
}

/// The main contest with its linked holds released when their linked contests are decided
/// (part 0 of the result), beside the linked contests themselves (parts 1…).
pub fn linked(
    name: &str,
    main: &ForecastInput,
    holds: &[LinkedHold],
    params: &Params,
    config: &RunConfig,
) -> Result<JointForecast, LinkError> {
    let mut sims = vec![Simulator::new(main, params)?];
    for h in holds {
        sims.push(Simulator::new(&h.linked, params)?);
    }
    // Check every hold can be forced before running.
    if let Err(hold) = sims[0].clone().trial_forced(
        config.seed,
        0,
        &holds.iter().map(|h| (h.hold, 0.0)).collect::<Vec<_>>(),
    ) {
        return Err(LinkError::NoClock { hold });
    }
    let horizon = f64::MAX;
    let rows = run_rows(&sims, config, |sims, t| {
        let mut row: TrialRow = vec![(None, None); sims.len()];
        let mut forced = Vec::with_capacity(holds.len());
        for (i, h) in holds.iter().enumerate() {
            let out = sims[i + 1]
                .trial_forced(config.seed, t, &[])
                .expect("nothing forced");
            row[i + 1] = out;
            // A linked contest undecided by the horizon never releases the hold.
            forced.push((h.hold, out.0.unwrap_or(horizon)));
        }
        row[0] = sims[0]
            .trial_forced(config.seed, t, &forced)
            .expect("checked above");
        row
    });
    let mut names = vec![name.to_owned()];
    names.extend(holds.iter().map(|h| h.linked_name.clone()));
    let mut inputs = vec![main.clone()];
    inputs.extend(holds.iter().map(|h| h.linked.clone()));
    Ok(summarise(
        &names,
        &inputs,
        &main.milestones,
        &rows,
        |r: &TrialRow| r[0].0,
        config,
    ))
}

/// Why a linked forecast cannot run.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error(transparent)]
    Input(#[from] InputError),
    #[error("hold {hold} has no clock of its own to replace (an implicit hold cannot be linked)")]
    NoClock { hold: usize },
}
