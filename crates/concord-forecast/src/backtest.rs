//! Back-testing: replay real contests, forecast as of each date something became known with
//! only what was known then, and score against what happened, beside two baselines.
//!
//! Leave-one-contest-out: model v2 is refitted without the contest it scores (its coefficients
//! never saw that contest); model v1's values are judgement and are not refitted. Every scored
//! point is kept (contest, as-of, question, probability, outcome), so calibration can be seen:
//! a reliability table and diagram per question, and intervals by resampling contests.
//!
//! Questions: decided by the next known milestone; decided within 30, 90 and 180 days; the
//! winner. Scores (lower is better): Brier for the yes/no questions, log loss for the winner.
//! Baselines: the *base rate* (the share of the other contests' points where the answer was
//! yes; the winner uniform over the declared candidates and "another") and the *favourite by
//! the hard deadline* (yes iff the question's date is on or after the first hard deadline still
//! ahead, or the known term end; the best-supported declared candidate wins).

use std::collections::BTreeMap;

use jiff::civil::Date;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::fit::{self, Replay};
use crate::input::{Candidacy, ForecastInput, MilestoneKind, RuleFamily};
use crate::params::{ModelParams, Params, V2Params};
use crate::rng::{TrialStream, slot_key};
use crate::run::{Forecast, RunConfig, forecast};

/// Probabilities are floored here before the logarithm, for the model and the baselines
/// alike: one "impossible" outcome then costs ln(1000) ≈ 6.9 nats instead of infinity.
pub const LOG_LOSS_FLOOR: f64 = 1e-3;

/// What a point is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Question {
    /// Decided on or before the next milestone known on the date.
    NextMilestone,
    Within30Days,
    Within90Days,
    Within180Days,
    /// Who is agreed (scored by log loss).
    Winner,
}

impl Question {
    pub const BINARY: [Question; 4] = [
        Question::NextMilestone,
        Question::Within30Days,
        Question::Within90Days,
        Question::Within180Days,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Question::NextMilestone => "decided by the next milestone",
            Question::Within30Days => "decided within 30 days",
            Question::Within90Days => "decided within 90 days",
            Question::Within180Days => "decided within 180 days",
            Question::Winner => "the winner",
        }
    }

    fn days(self) -> Option<i64> {
        match self {
            Question::Within30Days => Some(30),
            Question::Within90Days => Some(90),
            Question::Within180Days => Some(180),
            Question::NextMilestone | Question::Winner => None,
        }
    }
}

/// One scored forecast: what was asked on a date, what the model and the baselines said, what
/// happened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredPoint {
    pub contest: String,
    pub rule: RuleFamily,
    pub as_of: Date,
    pub question: Question,
    /// The date the question asks about (none for the winner).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Date>,
    /// The model's probability of the outcome "yes" (for the winner: of the actual winner).
    pub probability: f64,
    pub outcome: bool,
    pub base_rate: f64,
    pub favourite: f64,
    /// For the winner: model v1's narrower base rate, uniform over the *declared* candidates
    /// and "another" (which then includes every floated name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_base_rate: Option<f64>,
}

impl ScoredPoint {
    fn loss(&self, p: f64) -> f64 {
        match self.question {
            Question::Winner => -p.max(LOG_LOSS_FLOOR).ln(),
            _ => (p - f64::from(u8::from(self.outcome))).powi(2),
        }
    }

    /// The model's score on this point (Brier or log loss).
    pub fn model_loss(&self) -> f64 {
        self.loss(self.probability)
    }

    pub fn base_loss(&self) -> f64 {
        self.loss(self.base_rate)
    }

    pub fn favourite_loss(&self) -> f64 {
        self.loss(self.favourite)
    }
}

/// A mean and its interval from resampling contests.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Interval {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

/// The scores on one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSummary {
    pub question: Question,
    pub points: usize,
    pub contests: usize,
    /// Share of points whose answer was yes (binary questions).
    pub yes_share: f64,
    pub model: Interval,
    pub base_rate: Interval,
    pub favourite: Interval,
    /// Model minus base rate: below 0 is better than the base rate.
    pub model_minus_base: Interval,
}

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub points: usize,
    pub mean_probability: f64,
    pub observed: f64,
}

/// Whether forecasts of p came true a share p of the time, for one question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reliability {
    pub question: Question,
    pub bins: Vec<ReliabilityBin>,
}

/// The scores of one contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContestScores {
    pub id: String,
    pub rule: RuleFamily,
    pub points: usize,
    /// Mean Brier over the yes/no questions' points of this contest.
    pub model_brier: f64,
    pub base_brier: f64,
    pub favourite_brier: f64,
    /// Mean log loss of the winner.
    pub model_log_loss: f64,
    pub base_log_loss: f64,
    pub favourite_log_loss: f64,
    /// What the model was fitted on to score this contest.
    pub fitted_on: usize,
}

/// The whole back-test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BacktestReport {
    pub model: String,
    pub refit: bool,
    pub trials: u64,
    pub seed: u64,
    pub contests: Vec<ContestScores>,
    pub questions: Vec<QuestionSummary>,
    /// The same, on the contests decided by consensus or unanimity only, and on the votes.
    pub consensus: Vec<QuestionSummary>,
    pub votes: Vec<QuestionSummary>,
    pub reliability: Vec<Reliability>,
    pub points: Vec<ScoredPoint>,
}

/// How to run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BacktestConfig {
    pub trials: u64,
    pub seed: u64,
    /// Resamples of the contests for the intervals.
    pub resamples: u32,
    /// Refit model v2 without each contest it scores (leave-one-contest-out). Off, every
    /// contest is scored with the parameters as given: in-sample if they were fitted on it.
    pub refit: bool,
}

impl Default for BacktestConfig {
    fn default() -> BacktestConfig {
        BacktestConfig {
            trials: 20_000,
            seed: 20240404,
            resamples: 2000,
            refit: true,
        }
    }
}

/// The parameters that score `replays[k]`: model v2 refitted on the other contests, or the
/// fixed parameters of any other model.
fn params_for(
    params: &Params,
    designs: Option<&BTreeMap<String, fit::Design>>,
    exclude: &str,
) -> (Params, usize) {
    match (&params.model, designs) {
        (ModelParams::V2(v2), Some(designs)) => {
            match fit::fit_without(designs, Some(exclude), &v2.structure) {
                Ok(est) => {
                    let fitted_on = est.info.contests.len();
                    let mut p = params.clone();
                    p.model = ModelParams::V2(V2Params {
                        structure: v2.structure.clone(),
                        fit: est.info,
                        beta: est.beta,
                        se: est.se,
                    });
                    (p, fitted_on)
                }
                Err(_) => (params.clone(), 0),
            }
        }
        _ => (params.clone(), 0),
    }
}

/// The probability of decided-by-`by` from a forecast's cumulative curve.
fn decided_by(f: &Forecast, by: Date) -> f64 {
    let day = f
        .as_of
        .until((jiff::Unit::Day, by))
        .map_or(0, |s| i64::from(s.get_days()));
    if day < 0 {
        return 0.0;
    }
    f.curve
        .get(day as usize)
        .or(f.curve.last())
        .map_or(0.0, |c| c.p)
}

/// The next milestone after `as_of` known in `input` (the known term end included).
pub(crate) fn next_milestone(input: &ForecastInput) -> Option<Date> {
    input
        .milestones
        .iter()
        .filter(|m| m.date > input.as_of)
        .map(|m| m.date)
        .chain((input.term_end_known && input.term_end > input.as_of).then_some(input.term_end))
        .min()
}

/// The first hard deadline still ahead, else the known term end.
pub(crate) fn focal_deadline(input: &ForecastInput) -> Option<Date> {
    input
        .milestones
        .iter()
        .filter(|m| m.kind == MilestoneKind::HardDeadline && m.date >= input.as_of)
        .map(|m| m.date)
        .min()
        .or((input.term_end_known && input.term_end >= input.as_of).then_some(input.term_end))
}

/// The raw points of a contest (base rates filled in later, from the other contests).
fn score_contest(replay: &Replay, params: &Params, config: &BacktestConfig) -> Vec<ScoredPoint> {
    let run = RunConfig {
        trials: config.trials,
        seed: config.seed,
        sensitivity_trials: 0,
    };
    let mut points = Vec::new();
    for &as_of in replay.dates.iter().filter(|d| **d < replay.decision_date) {
        let state = replay.state(as_of);
        if state.decision.is_some() {
            continue;
        }
        let input = ForecastInput::from_state_with(&state, as_of, params);
        let Ok(f) = forecast(&input, params, &run) else {
            continue;
        };
        let focal = focal_deadline(&input);
        let favourite_says = |by: Date| f64::from(u8::from(focal.is_some_and(|h| by >= h)));
        let mut push = |question: Question, by: Option<Date>, probability: f64, outcome: bool| {
            let favourite = match (question, by) {
                (Question::Winner, _) => {
                    let best = input
                        .candidates
                        .iter()
                        .filter(|c| c.candidacy == Candidacy::Declared)
                        .max_by_key(|c| c.supporters);
                    f64::from(u8::from(best.is_some_and(|c| c.name == replay.winner_name)))
                }
                (_, Some(by)) => favourite_says(by),
                (_, None) => 0.0,
            };
            points.push(ScoredPoint {
                contest: replay.id.clone(),
                rule: replay.rule,
                as_of,
                question,
                by,
                probability,
                outcome,
                base_rate: 0.0,
                favourite,
                declared_base_rate: None,
            });
        };
        if let Some(next) = next_milestone(&input) {
            push(
                Question::NextMilestone,
                Some(next),
                decided_by(&f, next),
                replay.decision_date <= next,
            );
        }
        for q in [
            Question::Within30Days,
            Question::Within90Days,
            Question::Within180Days,
        ] {
            let by = as_of.saturating_add(jiff::Span::new().days(q.days().unwrap_or(0)));
            push(q, Some(by), decided_by(&f, by), replay.decision_date <= by);
        }
        let winner = f
            .candidates
            .iter()
            .find(|c| c.name == replay.winner_name)
            .map_or(f.another_candidate.p, |c| c.wins.p);
        push(Question::Winner, None, winner, true);
    }
    points
}

/// The winner's base rates on a point: uniform over the candidates named by then (declared or
/// floated) and "another"; and, narrower, over the declared ones and "another".
fn winner_base_rates(replay: &Replay, as_of: Date, params: &Params) -> (f64, f64) {
    let input = ForecastInput::from_state_with(&replay.state(as_of), as_of, params);
    let declared = input
        .candidates
        .iter()
        .filter(|c| c.candidacy == Candidacy::Declared)
        .count();
    (
        1.0 / (input.candidates.len() + 1) as f64,
        1.0 / (declared + 1) as f64,
    )
}

/// Runs the leave-one-contest-out back-test. `progress(done, total)` is called per contest.
pub fn backtest(
    replays: &[Replay],
    params: &Params,
    config: &BacktestConfig,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> BacktestReport {
    let designs = match &params.model {
        ModelParams::V2(v2) if config.refit => Some(fit::designs(replays, &v2.structure)),
        _ => None,
    };
    let done = std::sync::atomic::AtomicUsize::new(0);
    let per_contest: Vec<(Vec<ScoredPoint>, usize)> = replays
        .par_iter()
        .map(|replay| {
            let (p, fitted_on) = params_for(params, designs.as_ref(), &replay.id);
            let mut points = score_contest(replay, &p, config);
            for point in points
                .iter_mut()
                .filter(|pt| pt.question == Question::Winner)
            {
                let (named, declared) = winner_base_rates(replay, point.as_of, &p);
                point.base_rate = named;
                point.declared_base_rate = Some(declared);
            }
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            progress(n, replays.len());
            (points, fitted_on)
        })
        .collect();
    assemble(
        &params.version,
        designs.is_some(),
        replays,
        per_contest,
        config,
    )
}

/// The report from every contest's points (and what it was fitted on): the yes/no questions'
/// base rates from the other contests, the summaries with intervals, the reliability tables.
pub(crate) fn assemble(
    model: &str,
    refit: bool,
    replays: &[Replay],
    per_contest: Vec<(Vec<ScoredPoint>, usize)>,
    config: &BacktestConfig,
) -> BacktestReport {
    // Base rates of the yes/no questions: the other contests' share of yes.
    let mut yes: BTreeMap<(String, Question), (f64, f64)> = BTreeMap::new();
    for (points, _) in &per_contest {
        for p in points.iter().filter(|p| p.question != Question::Winner) {
            let e = yes.entry((p.contest.clone(), p.question)).or_default();
            e.0 += f64::from(u8::from(p.outcome));
            e.1 += 1.0;
        }
    }
    let mut totals: BTreeMap<Question, (f64, f64)> = BTreeMap::new();
    for ((_, q), (y, n)) in &yes {
        let t = totals.entry(*q).or_default();
        t.0 += y;
        t.1 += n;
    }
    let mut points: Vec<ScoredPoint> = Vec::new();
    let mut contests = Vec::new();
    for (replay, (mut ps, fitted_on)) in replays.iter().zip(per_contest) {
        for p in ps.iter_mut().filter(|p| p.question != Question::Winner) {
            let own = yes
                .get(&(p.contest.clone(), p.question))
                .copied()
                .unwrap_or_default();
            let all = totals.get(&p.question).copied().unwrap_or_default();
            let n = all.1 - own.1;
            p.base_rate = if n > 0.0 { (all.0 - own.0) / n } else { 0.5 };
        }
        contests.push(contest_scores(replay, &ps, fitted_on));
        points.extend(ps);
    }
    let ids: Vec<String> = replays.iter().map(|r| r.id.clone()).collect();
    let summaries = |filter: &dyn Fn(&ScoredPoint) -> bool| -> Vec<QuestionSummary> {
        Question::BINARY
            .into_iter()
            .chain([Question::Winner])
            .map(|q| {
                let chosen: Vec<&ScoredPoint> = points
                    .iter()
                    .filter(|p| p.question == q && filter(p))
                    .collect();
                summarise(q, &chosen, &ids, config)
            })
            .collect()
    };
    let questions = summaries(&|_| true);
    let consensus = summaries(&|p| p.rule == RuleFamily::Consensus);
    let votes = summaries(&|p| p.rule != RuleFamily::Consensus);
    let reliability = Question::BINARY
        .into_iter()
        .map(|q| reliability(q, &points))
        .collect();
    BacktestReport {
        model: model.to_owned(),
        refit,
        trials: config.trials,
        seed: config.seed,
        contests,
        questions,
        consensus,
        votes,
        reliability,
        points,
    }
}

fn mean(values: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    if n == 0 { f64::NAN } else { sum / n as f64 }
}

fn contest_scores(replay: &Replay, points: &[ScoredPoint], fitted_on: usize) -> ContestScores {
    let binary = || points.iter().filter(|p| p.question != Question::Winner);
    let winner = || points.iter().filter(|p| p.question == Question::Winner);
    ContestScores {
        id: replay.id.clone(),
        rule: replay.rule,
        points: winner().count(),
        model_brier: mean(binary().map(ScoredPoint::model_loss)),
        base_brier: mean(binary().map(ScoredPoint::base_loss)),
        favourite_brier: mean(binary().map(ScoredPoint::favourite_loss)),
        model_log_loss: mean(winner().map(ScoredPoint::model_loss)),
        base_log_loss: mean(winner().map(ScoredPoint::base_loss)),
        favourite_log_loss: mean(winner().map(ScoredPoint::favourite_loss)),
        fitted_on,
    }
}

/// Means over the points and their 95 % intervals from resampling whole contests.
fn summarise(
    question: Question,
    points: &[&ScoredPoint],
    ids: &[String],
    config: &BacktestConfig,
) -> QuestionSummary {
    let by_contest: Vec<Vec<&ScoredPoint>> = ids
        .iter()
        .map(|id| {
            points
                .iter()
                .copied()
                .filter(|p| &p.contest == id)
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect();
    let losses = |pts: &mut dyn Iterator<Item = &&ScoredPoint>| -> [f64; 4] {
        let mut sum = [0.0; 4];
        let mut n = 0.0;
        for p in pts {
            let (m, b, f) = (p.model_loss(), p.base_loss(), p.favourite_loss());
            sum[0] += m;
            sum[1] += b;
            sum[2] += f;
            sum[3] += m - b;
            n += 1.0;
        }
        sum.map(|s| if n > 0.0 { s / n } else { f64::NAN })
    };
    let full = losses(&mut points.iter());
    // Resample contests with replacement, each draw addressed by (seed, resample, slot).
    let k = by_contest.len();
    let mut draws: Vec<[f64; 4]> = (0..config.resamples)
        .map(|r| {
            let rng = TrialStream::new(config.seed ^ slot_key(&["bootstrap"]), u64::from(r));
            let mut chosen = Vec::new();
            for slot in 0..k {
                let pick = ((rng.uniform(slot as u64) * k as f64) as usize).min(k - 1);
                chosen.extend(by_contest[pick].iter().copied());
            }
            losses(&mut chosen.iter())
        })
        .collect();
    let interval = |i: usize, draws: &mut Vec<[f64; 4]>| -> Interval {
        draws.sort_by(|a, b| a[i].total_cmp(&b[i]));
        let at = |q: f64| {
            if draws.is_empty() {
                f64::NAN
            } else {
                draws[((q * draws.len() as f64) as usize).min(draws.len() - 1)][i]
            }
        };
        Interval {
            mean: full[i],
            low: at(0.025),
            high: at(0.975),
        }
    };
    QuestionSummary {
        question,
        points: points.len(),
        contests: k,
        yes_share: mean(points.iter().map(|p| f64::from(u8::from(p.outcome)))),
        model: interval(0, &mut draws),
        base_rate: interval(1, &mut draws),
        favourite: interval(2, &mut draws),
        model_minus_base: interval(3, &mut draws),
    }
}

/// Ten equal bins of the forecast probability.
fn reliability(question: Question, points: &[ScoredPoint]) -> Reliability {
    let bins = (0..10)
        .map(|b| {
            let (low, high) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
            let inside: Vec<&ScoredPoint> = points
                .iter()
                .filter(|p| p.question == question)
                .filter(|p| {
                    p.probability >= low
                        && (p.probability < high || (b == 9 && p.probability <= 1.0))
                })
                .collect();
            ReliabilityBin {
                low,
                high,
                points: inside.len(),
                mean_probability: mean(inside.iter().map(|p| p.probability)),
                observed: mean(inside.iter().map(|p| f64::from(u8::from(p.outcome)))),
            }
        })
        .collect();
    Reliability { question, bins }
}

/// The back-test as text: scores per question with intervals, per contest, and reliability.
pub fn report_text(r: &BacktestReport) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Back-test, model {} ({}; {})",
        r.model,
        if r.refit {
            "leave-one-contest-out: refitted without each contest it scores"
        } else {
            "fixed parameters, not refitted"
        },
        if r.trials == 0 {
            // The ballot model's probabilities are exact: no simulation, no seed but the
            // resampling's.
            format!("exact probabilities, resampling seed {}", r.seed)
        } else {
            format!("{} trials per forecast, seed {}", r.trials, r.seed)
        }
    );
    let _ = writeln!(
        out,
        "{} contests, {} forecast dates. Brier for yes/no, log loss for the winner; lower is better;",
        r.contests.len(),
        r.contests.iter().map(|c| c.points).sum::<usize>()
    );
    let _ = writeln!(out, "[95 % interval from resampling contests]\n");
    for (title, rows) in [
        ("All contests", &r.questions),
        ("Decided by consensus or unanimity", &r.consensus),
        ("Decided by votes", &r.votes),
    ] {
        let _ = writeln!(out, "{title}");
        let _ = writeln!(
            out,
            "  {:<30} {:>5}  {:>21}  {:>21}  {:>21}",
            "question", "pts", "model", "base rate", "favourite"
        );
        for q in rows.iter() {
            let cell = |i: &Interval| format!("{:.3} [{:.3}–{:.3}]", i.mean, i.low, i.high);
            let _ = writeln!(
                out,
                "  {:<30} {:>5}  {:>21}  {:>21}  {:>21}",
                q.question.label(),
                q.points,
                cell(&q.model),
                cell(&q.base_rate),
                cell(&q.favourite)
            );
        }
        let _ = writeln!(out);
    }
    let _ = writeln!(
        out,
        "Reliability (forecast bin: points, mean forecast → share that came true)"
    );
    for rel in &r.reliability {
        let _ = writeln!(out, "  {}", rel.question.label());
        for b in rel.bins.iter().filter(|b| b.points > 0) {
            let flag = if b.points >= 20 && (b.observed - b.mean_probability).abs() > 0.1 {
                "  off by more than 0.1"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "    {:.1}–{:.1}  {:>4}  {:.2} → {:.2}{flag}",
                b.low, b.high, b.points, b.mean_probability, b.observed
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{:<30} {:<10} {:>4}  {:>17}  {:>17}  {:>17}",
        "contest", "rule", "pts", "model B / LL", "base B / LL", "fav. B / LL"
    );
    for c in &r.contests {
        let cell = |b: f64, ll: f64| format!("{b:.3} / {ll:.2}");
        let _ = writeln!(
            out,
            "{:<30} {:<10} {:>4}  {:>17}  {:>17}  {:>17}",
            c.id,
            match c.rule {
                RuleFamily::Consensus => "consensus",
                RuleFamily::Vote => "vote",
                RuleFamily::VetoVote => "veto vote",
            },
            c.points,
            cell(c.model_brier, c.model_log_loss),
            cell(c.base_brier, c.base_log_loss),
            cell(c.favourite_brier, c.favourite_log_loss)
        );
    }
    out
}
