//! Estimating model v2 from the corpus. Every clock of the simulation — a hold releasing, a
//! candidate withdrawing, the contest being decided — is a piecewise-exponential survival
//! process whose log-rate is linear in its covariates and in the contest's pressure indicators
//! of the day; who wins when the contest is decided is a conditional logit over those then in
//! contention. Each contest is replayed from every *landmark* (a date something became known,
//! before the decision) with what was known then frozen, exactly as the simulation freezes it,
//! and every clock is followed from the landmark to when it fired or stopped being at risk
//! (van Houwelingen, "Dynamic prediction by landmarking", Scand. J. Stat. 2007). The
//! log-likelihood of the clocks is that of a Poisson regression with the exposure as offset
//! (Holford 1980; Laird & Olivier 1981); with the choices' it is maximised by Newton's method
//! under a weak normal prior on each coefficient. Standard errors are clustered by contest,
//! since a contest replayed from twenty dates is still one contest.
//!
//! The covariates are computed by the same functions the simulation uses (`model::…`), so the
//! simulation runs exactly the clocks that were estimated.

use std::collections::{BTreeMap, HashMap};

use concord_domain::event::{Event, EventKind, seal_all};
use concord_domain::interchange::Case;
use concord_domain::state::ContestState;
use jiff::civil::Date;
use nalgebra::{DMatrix, DVector};

use crate::input::{Candidacy, ForecastInput, Hold, HoldKind, RuleFamily};
use crate::model::{
    CandidateCovariates, ContestCovariates, HoldCovariates, LeaderState, Pressing, days_between,
};
use crate::params::{FitInfo, StructureParams, coef};

/// A contest replayed for fitting and scoring: its events sealed into a log, the dates at which
/// something became known, and what happened.
#[derive(Debug, Clone)]
pub struct Replay {
    pub id: String,
    pub rule: RuleFamily,
    pub events: Vec<Event>,
    /// Every distinct date an event became known, up to and including the decision.
    pub dates: Vec<Date>,
    pub decision_date: Date,
    /// The winner's name as the contest lists it.
    pub winner_name: String,
}

impl Replay {
    /// Replays a case that has an outcome; `None` for a contest still open.
    pub fn of(id: &str, case: &Case) -> Option<Replay> {
        let outcome = case.outcome.as_ref()?;
        let events = seal_all(
            case.scenario.clone().into_events("backtest"),
            None,
            jiff::Timestamp::UNIX_EPOCH,
        );
        let mut dates: Vec<Date> = events
            .iter()
            .map(|e| e.valid)
            .filter(|d| *d <= outcome.decision_date)
            .collect();
        dates.push(outcome.decision_date);
        dates.sort();
        dates.dedup();
        let state = ContestState::fold(&events, Date::MAX).ok()?;
        let rule = ForecastInput::v2_from_state(&state, state.as_of).rule;
        let winner_name = state
            .candidate(&outcome.winner)
            .map_or_else(|| outcome.winner_text.clone(), |c| c.profile.name.clone());
        Some(Replay {
            id: id.to_owned(),
            rule,
            events,
            dates,
            decision_date: outcome.decision_date,
            winner_name,
        })
    }

    /// The state known on `date`.
    pub fn state(&self, date: Date) -> ContestState {
        ContestState::fold(&self.events, date).expect("a replayed log starts with its opening")
    }

    /// Candidates (by name) whose withdrawal is recorded on `date`.
    fn withdrawn_on(&self, date: Date) -> Vec<String> {
        let state = self.state(date);
        self.events
            .iter()
            .filter(|e| e.valid == date)
            .filter_map(|e| match &e.kind {
                EventKind::CandidateWithdrew { candidate, .. } => {
                    state.candidate(candidate).map(|c| c.profile.name.clone())
                }
                _ => None,
            })
            .collect()
    }
}

/// One row of the clocks' likelihood: covariates (with the pressure of the day), exposure in
/// days, events.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub x: [f64; coef::COUNT],
    pub exposure: f64,
    pub events: f64,
}

/// One choice of the winner: the covariates of every option and which was chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub options: Vec<[f64; coef::COUNT]>,
    pub chosen: usize,
}

/// A contest's part of the likelihood: clock rows (merged where the covariates are identical)
/// and choices.
#[derive(Debug, Clone, Default)]
pub struct Design {
    rows: HashMap<[u64; coef::COUNT], Row>,
    choices: Vec<Choice>,
    /// Clocks followed, for the record.
    pub clocks: u64,
}

impl Design {
    fn add(&mut self, x: [f64; coef::COUNT], exposure: f64, events: f64) {
        let row = self.rows.entry(x.map(f64::to_bits)).or_insert(Row {
            x,
            exposure: 0.0,
            events: 0.0,
        });
        row.exposure += exposure;
        row.events += events;
    }

    /// The merged rows, in a stable order.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows: Vec<(&[u64; coef::COUNT], &Row)> = self.rows.iter().collect();
        rows.sort_by(|a, b| a.0.cmp(b.0));
        rows.into_iter().map(|(_, r)| r.clone()).collect()
    }

    pub fn choices(&self) -> &[Choice] {
        &self.choices
    }

    pub fn merge(&mut self, other: &Design) {
        for row in other.rows.values() {
            self.add(row.x, row.exposure, row.events);
        }
        self.choices.extend(other.choices.iter().cloned());
        self.clocks += other.clocks;
    }
}

fn with_pressure(mut x: [f64; coef::COUNT], flags: [f64; 10]) -> [f64; coef::COUNT] {
    for (i, f) in coef::PRESSURE.iter().zip(flags) {
        x[*i] = f;
    }
    x
}

fn one(flag: bool) -> f64 {
    f64::from(u8::from(flag))
}

fn hold_x(h: &HoldCovariates, alone: bool) -> [f64; coef::COUNT] {
    let mut x = [0.0; coef::COUNT];
    x[h.kind] = 1.0;
    x[coef::HOLD_GREAT_POWER] = one(h.great_power);
    x[coef::HOLD_CONDITIONS_MET] = h.conditions_met;
    x[coef::HOLD_LAST] = one(alone);
    x
}

fn decide_x(rule: RuleFamily, c: &ContestCovariates, leader: LeaderState) -> [f64; coef::COUNT] {
    let mut x = [0.0; coef::COUNT];
    x[match rule {
        RuleFamily::Consensus => coef::DECIDE_CONSENSUS,
        RuleFamily::Vote | RuleFamily::VetoVote => coef::DECIDE_VOTE,
    }] = 1.0;
    x[coef::DECIDE_LEADER_SUPPORT] = c.leader_support;
    x[coef::DECIDE_LEADER_HELD] = one(leader == LeaderState::Held);
    x[coef::DECIDE_LEADER_RELEASED] = one(leader == LeaderState::Released);
    x[coef::DECIDE_UNDECLARED] = c.undeclared_share;
    x[coef::DECIDE_NO_DECLARED] = one(c.no_declared);
    x[coef::DECIDE_DECLARED_COUNT] = c.declared_count;
    x[coef::DECIDE_RECENT] = c.recent_events;
    x
}

fn choose_x(c: &CandidateCovariates, held: bool) -> [f64; coef::COUNT] {
    let mut x = [0.0; coef::COUNT];
    x[coef::CHOOSE_SUPPORT] = c.support_share;
    x[coef::CHOOSE_LEADER] = one(c.leader);
    x[coef::CHOOSE_HELD] = one(held);
    x[coef::CHOOSE_VETOED] = one(c.vetoed);
    x[coef::CHOOSE_POTENTIAL] = one(c.potential);
    x
}

fn fresh_x(leader_held: bool) -> [f64; coef::COUNT] {
    let mut x = [0.0; coef::COUNT];
    x[coef::CHOOSE_FRESH] = 1.0;
    x[coef::CHOOSE_FRESH_LEADER_HELD] = one(leader_held);
    x
}

fn withdraw_x(c: &CandidateCovariates) -> [f64; coef::COUNT] {
    let mut x = [0.0; coef::COUNT];
    x[coef::WITHDRAW_INTERCEPT] = 1.0;
    x[coef::WITHDRAW_SUPPORT] = c.support_share;
    x[coef::WITHDRAW_LEADER] = one(c.leader);
    x
}

/// How a clock started at a landmark ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// It fired on this date.
    Fired(Date),
    /// It stopped being at risk on this date without firing.
    Censored(Date),
}

impl End {
    fn date(self) -> Date {
        match self {
            End::Fired(d) | End::Censored(d) => d,
        }
    }

    /// Still at risk on `date`: a clock that fires on a day has given way by the end of it; one
    /// censored by the decision still stands on the decision's day.
    fn active_on(self, date: Date) -> bool {
        match self {
            End::Fired(d) => date < d,
            End::Censored(d) => date <= d,
        }
    }
}

/// What happens after one landmark: the dates that follow, with their inputs.
struct Landmark<'a> {
    replay: &'a Replay,
    /// The inputs at every date of the contest, index-aligned with `replay.dates`.
    inputs: &'a [ForecastInput],
    at: usize,
    s: &'a StructureParams,
}

impl Landmark<'_> {
    fn input(&self) -> &ForecastInput {
        &self.inputs[self.at]
    }

    fn later(&self) -> impl Iterator<Item = (Date, &ForecastInput)> {
        self.replay.dates[self.at + 1..]
            .iter()
            .copied()
            .zip(&self.inputs[self.at + 1..])
    }

    /// When `candidate` (by name) withdrew after the landmark, if it did.
    fn withdrawal(&self, candidate: &str) -> Option<Date> {
        self.later()
            .find(|(d, _)| self.replay.withdrawn_on(*d).iter().any(|w| w == candidate))
            .map(|(d, _)| d)
    }

    fn date_of(&self, day: i64) -> Date {
        self.input()
            .as_of
            .saturating_add(jiff::Span::new().days(day))
    }

    /// Adds a clock at risk from the landmark to `end`, with covariates `x(day, pressing)` (day
    /// 1 is the day after the landmark), firing on its last day if it did. A clock that fired
    /// on the landmark's own day counts one day at risk.
    fn add(&self, design: &mut Design, end: End, x: &dyn Fn(i64, &Pressing) -> [f64; coef::COUNT]) {
        let pressing = Pressing::of(self.input());
        let last = days_between(self.input().as_of, end.date()).max(1);
        design.clocks += 1;
        for day in 1..=last {
            let fired = one(day == last && matches!(end, End::Fired(_)));
            design.add(
                with_pressure(x(day, &pressing), pressing.flags(day, self.s)),
                1.0,
                fired,
            );
        }
    }
}

/// Every clock and choice of a contest, from every landmark.
pub fn design_of(replay: &Replay, s: &StructureParams) -> Design {
    let mut design = Design::default();
    let great = |m: &str| s.great_powers.iter().any(|g| g == m);
    let inputs: Vec<ForecastInput> = replay
        .dates
        .iter()
        .map(|d| ForecastInput::v2_from_state(&replay.state(*d), *d))
        .collect();
    let decision = replay.decision_date;
    let won = |name: &str| name == replay.winner_name;
    for at in 0..replay.dates.len() {
        if replay.dates[at] >= decision {
            break;
        }
        let lm = Landmark {
            replay,
            inputs: &inputs,
            at,
            s,
        };
        let now = lm.input();

        // Holds: each ends when its member no longer holds its candidate (fired), when the
        // candidate withdraws or another is agreed (censored), or with the decision for its own
        // candidate (fired: it gave way).
        let holds: Vec<(&Hold, HoldCovariates, End)> = now
            .holds
            .iter()
            .filter_map(|h| {
                let x = HoldCovariates::of(h, great(&h.member))?;
                // A hold ends without giving way when its candidate withdraws, and an
                // own-national hold when the member's own national does (the simulation
                // releases those with the withdrawal).
                let national = match h.kind {
                    HoldKind::OwnNational => now
                        .national_candidate(&h.member)
                        .and_then(|c| lm.withdrawal(&c.name)),
                    _ => None,
                };
                let withdrew = match (lm.withdrawal(&h.candidate), national) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let gone = lm
                    .later()
                    .find(|(_, input)| {
                        !input
                            .holds
                            .iter()
                            .any(|n| n.member == h.member && n.candidate == h.candidate)
                    })
                    .map(|(d, _)| d);
                // A hold that goes on the decision's own day goes *with* the decision (the
                // holdout gives way at the meeting that agrees): the decision swept it.
                let end = match (gone, withdrew) {
                    (_, Some(w)) if gone.is_none_or(|g| w <= g) => End::Censored(w),
                    (Some(g), _) if g < decision => End::Fired(g),
                    _ => End::Censored(decision),
                };
                Some((h, x, end))
            })
            .collect();
        for (h, x, end) in &holds {
            let others: Vec<End> = holds
                .iter()
                .filter(|(o, _, _)| o.candidate == h.candidate && !std::ptr::eq(*o, *h))
                .map(|(_, _, e)| *e)
                .collect();
            lm.add(&mut design, *end, &|day, _| {
                let date = lm.date_of(day);
                hold_x(x, others.iter().all(|e| !e.active_on(date)))
            });
        }
        let held_on = |name: &str, date: Date| {
            holds
                .iter()
                .any(|(h, _, e)| h.candidate == name && e.active_on(date))
        };

        // Withdrawals of the declared candidates.
        let covariates = CandidateCovariates::of(now);
        let declared: Vec<usize> = (0..now.candidates.len())
            .filter(|k| now.candidates[*k].candidacy == Candidacy::Declared)
            .collect();
        if declared.len() >= 2 {
            for &k in &declared {
                let end = match lm.withdrawal(&now.candidates[k].name) {
                    Some(w) => End::Fired(w),
                    None => End::Censored(decision),
                };
                let x = covariates[k];
                lm.add(&mut design, end, &|_, _| withdraw_x(&x));
            }
        }

        // The decision clock, with the leader's state day by day.
        let leader = covariates.iter().position(|c| c.leader);
        let leader_name = leader.map(|l| now.candidates[l].name.clone());
        let leader_withdrew = leader_name.as_deref().and_then(|n| lm.withdrawal(n));
        let leader_had_holds = leader_name
            .as_deref()
            .is_some_and(|n| held_on(n, now.as_of));
        let state_on = |date: Date| -> LeaderState {
            match &leader_name {
                Some(_) if leader_withdrew.is_some_and(|w| w <= date) => LeaderState::Free,
                Some(n) if held_on(n, date) => LeaderState::Held,
                Some(_) if leader_had_holds => LeaderState::Released,
                _ => LeaderState::Free,
            }
        };
        let contest = ContestCovariates::of(now);
        lm.add(&mut design, End::Fired(decision), &|day, pressing| {
            let mut x = decide_x(now.rule, &contest, state_on(lm.date_of(day)));
            for (i, f) in coef::DECIDE_DAY.iter().zip(pressing.decision_flags(day)) {
                x[*i] = f;
            }
            x
        });

        // Who was chosen, among those in contention when the contest was decided.
        let mut options = Vec::new();
        let mut chosen = None;
        for (k, c) in now.candidates.iter().enumerate() {
            let withdrew = lm.withdrawal(&c.name).is_some_and(|w| w < decision);
            if c.candidacy == Candidacy::Declared && withdrew {
                continue;
            }
            if won(&c.name) {
                chosen = Some(options.len());
            }
            let held = held_on(&c.name, decision);
            options.push(choose_x(&covariates[k], held));
        }
        let leader_held_at_decision = state_on(decision) == LeaderState::Held;
        options.push(fresh_x(leader_held_at_decision));
        let chosen = chosen.unwrap_or(options.len() - 1);
        design.choices.push(Choice { options, chosen });
    }
    design
}

/// The estimates and their standard errors.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimates {
    pub beta: Vec<f64>,
    pub se: Vec<f64>,
    pub info: FitInfo,
}

/// Why a fit failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FitError {
    #[error("nothing to fit: no contest has a clock at risk")]
    Empty,
    #[error("the information matrix is not positive definite after {0} iterations")]
    Singular(u32),
}

/// The prior's mean for a coefficient: the clocks' intercepts at a rate of about once a year,
/// the rest at 0.
fn prior_mean(i: usize, s: &StructureParams) -> f64 {
    if coef::INTERCEPTS.contains(&i) {
        s.prior_intercept_mean
    } else {
        0.0
    }
}

fn eta(x: &[f64; coef::COUNT], beta: &[f64]) -> f64 {
    x.iter().zip(beta).map(|(x, b)| x * b).sum()
}

/// The log-likelihood of one contest's design, its score and its information.
fn contributions(
    rows: &[Row],
    choices: &[Choice],
    beta: &[f64],
    want_information: bool,
) -> (f64, DVector<f64>, DMatrix<f64>) {
    let p = coef::COUNT;
    let mut ll = 0.0;
    let mut score = DVector::<f64>::zeros(p);
    let mut info = DMatrix::<f64>::zeros(if want_information { p } else { 0 }, p);
    for r in rows {
        let e = eta(&r.x, beta);
        let mu = r.exposure * e.exp();
        ll += r.events * e - mu;
        for a in (0..p).filter(|a| r.x[*a] != 0.0) {
            score[a] += (r.events - mu) * r.x[a];
            if want_information {
                for b in (0..p).filter(|b| r.x[*b] != 0.0) {
                    info[(a, b)] += mu * r.x[a] * r.x[b];
                }
            }
        }
    }
    for c in choices {
        let etas: Vec<f64> = c.options.iter().map(|x| eta(x, beta)).collect();
        let top = etas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let weights: Vec<f64> = etas.iter().map(|e| (e - top).exp()).collect();
        let total: f64 = weights.iter().sum();
        ll += etas[c.chosen] - top - total.ln();
        let probs: Vec<f64> = weights.iter().map(|w| w / total).collect();
        let mut mean = DVector::<f64>::zeros(p);
        for (x, pr) in c.options.iter().zip(&probs) {
            for a in 0..p {
                mean[a] += pr * x[a];
            }
        }
        for a in 0..p {
            score[a] += c.options[c.chosen][a] - mean[a];
        }
        if want_information {
            for (x, pr) in c.options.iter().zip(&probs) {
                for a in 0..p {
                    let da = x[a] - mean[a];
                    if da == 0.0 {
                        continue;
                    }
                    for b in 0..p {
                        info[(a, b)] += pr * da * (x[b] - mean[b]);
                    }
                }
            }
        }
    }
    (ll, score, info)
}

/// Maximises the penalised log-likelihood of the contests' designs by Newton's method, with
/// standard errors clustered by contest (a sandwich estimator: Lin & Wei, JASA 1989), never
/// below the model-based ones.
pub fn estimate(
    designs: &[&Design],
    contests: Vec<String>,
    s: &StructureParams,
) -> Result<Estimates, FitError> {
    let mut merged = Design::default();
    for d in designs {
        merged.merge(d);
    }
    let rows = merged.rows();
    if rows.is_empty() {
        return Err(FitError::Empty);
    }
    let p = coef::COUNT;
    let precision = 1.0 / (s.prior_sd * s.prior_sd);
    let mean: Vec<f64> = (0..p).map(|i| prior_mean(i, s)).collect();
    let penalised = |beta: &[f64], want: bool| {
        let (ll, mut score, mut info) = contributions(&rows, &merged.choices, beta, want);
        let penalty: f64 = beta
            .iter()
            .zip(&mean)
            .map(|(b, m)| (b - m) * (b - m))
            .sum::<f64>()
            * precision
            / 2.0;
        for a in 0..p {
            score[a] -= (beta[a] - mean[a]) * precision;
            if want {
                info[(a, a)] += precision;
            }
        }
        (ll - penalty, score, info)
    };
    let mut beta = mean.clone();
    let (mut value, _, _) = penalised(&beta, false);
    let mut iterations = 0;
    loop {
        iterations += 1;
        let (_, score, info) = penalised(&beta, true);
        let Some(cholesky) = info.cholesky() else {
            return Err(FitError::Singular(iterations));
        };
        let step = cholesky.solve(&score);
        // Step-halving keeps every iteration an ascent (the objective is concave).
        let mut scale = 1.0;
        let mut next;
        loop {
            next = beta
                .iter()
                .zip(step.iter())
                .map(|(b, d)| b + scale * d)
                .collect::<Vec<f64>>();
            let (v, _, _) = penalised(&next, false);
            if v >= value - 1e-12 || scale < 1e-6 {
                value = v;
                break;
            }
            scale /= 2.0;
        }
        let largest = step.iter().fold(0.0_f64, |m, d| m.max((scale * d).abs()));
        beta = next;
        if largest < 1e-9 || iterations >= 100 {
            break;
        }
    }
    let (_, _, information) = penalised(&beta, true);
    let bread = information
        .cholesky()
        .ok_or(FitError::Singular(iterations))?
        .inverse();
    let mut meat = DMatrix::<f64>::zeros(p, p);
    for d in designs {
        let (_, score, _) = contributions(&d.rows(), &d.choices, &beta, false);
        meat += &score * score.transpose();
    }
    let sandwich = &bread * meat * &bread;
    // Where the data say little the sandwich says little too (a coefficient no contest moves
    // has a score of 0 everywhere): never report less than the model-based error.
    let se = (0..p)
        .map(|i| sandwich[(i, i)].max(bread[(i, i)]).max(0.0).sqrt())
        .collect();
    let (log_likelihood, _, _) = contributions(&rows, &merged.choices, &beta, false);
    Ok(Estimates {
        beta,
        se,
        info: FitInfo {
            contests,
            rows: rows.len() as u64,
            events: rows.iter().map(|r| r.events).sum::<f64>() as u64,
            exposure_days: rows.iter().map(|r| r.exposure).sum(),
            log_likelihood,
            iterations,
        },
    })
}

/// Fits model v2 on `replays`.
pub fn fit(replays: &[&Replay], s: &StructureParams) -> Result<Estimates, FitError> {
    let designs: Vec<Design> = replays.iter().map(|r| design_of(r, s)).collect();
    estimate(
        &designs.iter().collect::<Vec<_>>(),
        replays.iter().map(|r| r.id.clone()).collect(),
        s,
    )
}

/// The designs of many contests, computed once and reused for every leave-one-out fit.
pub fn designs(replays: &[Replay], s: &StructureParams) -> BTreeMap<String, Design> {
    use rayon::prelude::*;
    replays
        .par_iter()
        .map(|r| (r.id.clone(), design_of(r, s)))
        .collect()
}

/// Fits on every contest's design but `exclude`'s.
pub fn fit_without(
    designs: &BTreeMap<String, Design>,
    exclude: Option<&str>,
    s: &StructureParams,
) -> Result<Estimates, FitError> {
    let kept: Vec<(&String, &Design)> = designs
        .iter()
        .filter(|(id, _)| Some(id.as_str()) != exclude)
        .collect();
    estimate(
        &kept.iter().map(|(_, d)| *d).collect::<Vec<_>>(),
        kept.iter().map(|(id, _)| (*id).clone()).collect(),
        s,
    )
}

/// A v2 parameter file holding `est`, with `template`'s structure, run and follow settings.
pub fn params_text(template: &crate::params::Params, est: &Estimates) -> String {
    let mut params = template.clone();
    if let crate::params::ModelParams::V2(v2) = &template.model {
        params.model = crate::params::ModelParams::V2(crate::params::V2Params {
            structure: v2.structure.clone(),
            fit: est.info.clone(),
            beta: est.beta.clone(),
            se: est.se.clone(),
        });
    }
    params.to_toml_string(V2_HEADER)
}

/// What a v2 parameter file says about itself.
const V2_HEADER: &str = "\
# concord forecast — model v2 parameters.
#
# Written by `concord backtest cases --write-params crates/concord-forecast/params/v2.toml`: do not
# edit the [coef] values by hand, refit them. Each [coef] entry is one coefficient β with its
# standard error (clustered by contest), estimated by penalised maximum likelihood from the
# contests listed in [fit]: every clock of the simulation as a piecewise-exponential survival
# process followed from every landmark (a date something became known), with censoring, and the
# choice of the winner as a conditional logit. See crates/concord-forecast/src/fit.rs.
# A clock's rate per day is exp(β·x) in the operational time of the contest's pressure.
#
# [coef.hold]      a hold releasing: an intercept per kind (withholds, objects, own_national — the
#                  member's own national is a rival —, pending_conditions), plus great_power (the
#                  member is in [structure].great_powers), conditions_met (share of its conditions
#                  the candidate's commitments meet) and last_hold (it is the last block on its
#                  candidate). A hold still standing when the contest is decided gives way with
#                  the decision (it is censored there, not counted as a release).
# [coef.decide]    the contest being decided (when): an intercept for consensus and one for votes,
#                  plus leader_support (the best-supported candidate's share of the members, of
#                  the latest round's votes under a voting rule), leader_held / leader_released
#                  (the leader is held now / was held and every hold has gone), undeclared_share
#                  (members who have said nothing), no_declared, declared_count (ln), recent_events
#                  (ln of 1 + the facts of the last 30 days), and its own days: meeting_day (a
#                  known meeting that day), vote_meeting_day (that meeting of a vote-decided
#                  contest: its election).
# [coef.choose]    who is agreed when it is decided (log-odds against a declared candidate with no
#                  support): support_share, leader, held (still held at the decision), vetoed (a
#                  permanent member discouraged it in the latest straw poll), potential (floated,
#                  never declared), fresh (\"another candidate\", not yet named) and
#                  fresh_leader_held.
# [coef.withdraw]  a declared candidate withdrawing: intercept, support_share, leader.
# [coef.pressure]  common to every clock of a contest, by day: meeting_day, meeting_week (a meeting
#                  within [structure].meeting_window_days), deadline_month (the next hard deadline
#                  or known term end within [structure].deadline_window_days), overdue (one has
#                  passed undecided), deadline_day (that very day), target_week (a soft target
#                  within the week), and days_1_2, days_3_7, days_8_30, days_31_90 after the
#                  forecast's date (the near future of a day on which something happened is busier
#                  than the far future).
#
# [structure] holds the choices made by hand before any fit: the windows, the great-power list,
# the horizon when no term end is known, and the prior (each β ~ Normal(0, prior_sd), the clocks'
# intercepts centred on prior_intercept_mean, a rate of about once a year). [follow] keeps model
# v1's judgement for members that move with another (no contest in the corpus records one).
# No value here cites a contest: the back-test refits all of them without each contest it scores.

";
