//! The ballot model: a forecast for contests decided by votes in rounds (straw polls, ballot
//! rounds, a board's or a council's vote), where model v2's clocks of holds say little because no
//! member can block alone.
//!
//! Two parts, both read off the latest round known on the forecast's date and both estimated by
//! penalised maximum likelihood on the corpus's vote-decided contests, replayed from every date
//! something became known (landmarks, as in `fit.rs`):
//!
//! - **When** — a daily hazard of the decision, `1 − exp(−exp(β·x(day)))`, whose covariates are
//!   the meeting schedule (a known meeting that day: the election; the three days after it, for
//!   sessions that run on), the deadline
//!   effect (a hard deadline or the known term end within 30 days; one passed undecided), whether
//!   the leader of the latest round already has the votes the rule needs without a veto, whether
//!   any round has been held, the Security Council's veto rule, and the first week after the
//!   forecast's date. Summed over the days it is a per-round hazard with the meeting schedule
//!   (a binary regression with the complementary log-log link on the landmark days).
//! - **Who** — a conditional logit over the field on the forecast's date (declared candidates,
//!   floated names, and "another", not yet named): latest-round share of the members, leading
//!   the round, the drift since the candidate's previous round, floated only. A candidate a
//!   permanent member discouraged in the latest colour-coded straw poll is excluded (the veto as
//!   a hard constraint: in a formal vote it would be vetoed); when every named candidate is, only
//!   "another" remains. Withdrawals after poor showings are not simulated round by round: a
//!   withdrawn candidate leaves the field at the next landmark, and the share and drift terms
//!   carry what a poor showing says about the chances.
//!
//! What is in-sample: nothing scored by `backtest` — each contest is scored with coefficients
//! refitted without it (leave-one-contest-out). The bundled `params/ballot.toml` is fitted on
//! every vote-decided contest of the corpus, so a forecast of one of those contests with the
//! bundled file is in-sample.

use std::collections::BTreeMap;

use concord_domain::rules::DecisionRule;
use concord_domain::state::ContestState;
use jiff::civil::Date;
use nalgebra::{DMatrix, DVector};
use serde::{Deserialize, Serialize};

use crate::backtest::{self, BacktestConfig, BacktestReport, Question, ScoredPoint};
use crate::fit::Replay;
use crate::input::{Candidacy, ForecastInput, MilestoneInput, MilestoneKind, RuleFamily};

/// Number of coefficients: the hazard's, then the choice's.
pub const COUNT: usize = 15;

/// The coefficients, by index.
pub mod coef {
    pub const INTERCEPT: usize = 0;
    pub const MEETING_DAY: usize = 1;
    pub const DEADLINE_MONTH: usize = 2;
    pub const OVERDUE: usize = 3;
    pub const LEADER_PASSES: usize = 4;
    pub const ROUNDS_HELD: usize = 5;
    pub const FIRST_WEEK: usize = 6;
    pub const VETO_RULE: usize = 7;
    pub const SHARE: usize = 8;
    pub const LEADER: usize = 9;
    pub const DRIFT: usize = 10;
    pub const POTENTIAL: usize = 11;
    pub const ANOTHER: usize = 12;
    pub const MEETING_AFTER: usize = 13;
    pub const DEADLINE_DAY: usize = 14;

    /// Names in the parameter file, index-aligned.
    pub const NAMES: [&str; super::COUNT] = [
        "hazard.intercept",
        "hazard.meeting_day",
        "hazard.deadline_month",
        "hazard.overdue",
        "hazard.leader_passes",
        "hazard.rounds_held",
        "hazard.first_week",
        "hazard.veto_rule",
        "choose.share",
        "choose.leader",
        "choose.drift",
        "choose.potential",
        "choose.another",
        "hazard.meeting_after",
        "hazard.deadline_day",
    ];
}

/// Days a forecast runs past the known term end (or in all, when none is known).
const AFTER_TERM_END: i64 = 180;
const UNKNOWN_TERM_END: i64 = 730;
/// The prior: each β ~ Normal(0, PRIOR_SD), the intercept centred on a rate of once a year.
const PRIOR_SD: f64 = 2.0;
const PRIOR_INTERCEPT: f64 = -5.9;

/// A candidate as the ballot model sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallotCandidate {
    pub name: String,
    /// Floated, never declared.
    pub potential: bool,
    /// Votes or encouragements in the latest round (supporters on record when none was held),
    /// as a share of the members.
    pub share: f64,
    /// The change in share since the candidate's previous round (0 without two rounds).
    pub drift: f64,
    /// The share comes from a round, not from stances.
    pub from_round: bool,
    /// Permanent members' discouragements in the latest colour-coded straw poll: any is a veto.
    pub vetoes: u32,
}

impl BallotCandidate {
    pub fn vetoed(&self) -> bool {
        self.vetoes > 0
    }
}

/// Everything the ballot model reads about a contest on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallotInput {
    pub as_of: Date,
    pub members: u32,
    pub veto_rule: bool,
    /// The members who hold a veto (the Security Council's permanent five).
    pub veto_holders: Vec<String>,
    /// The share of the members a round's winner needs.
    pub needed_share: f64,
    pub rounds_held: u32,
    pub candidates: Vec<BallotCandidate>,
    pub milestones: Vec<MilestoneInput>,
    pub term_end: Date,
    pub term_end_known: bool,
}

impl BallotInput {
    /// The ballot input of a contest state (any rule; the model is fitted on vote-decided
    /// contests only).
    pub fn from_state(state: &ContestState, as_of: Date) -> BallotInput {
        let base = ForecastInput::v2_from_state(state, as_of);
        let members = base.members_count.max(1);
        let (veto_rule, veto_holders, rule_needed) = match &state.definition.rule {
            DecisionRule::VetoMajority {
                yes_needed,
                veto_holders,
            } => (
                true,
                veto_holders.clone(),
                *yes_needed as f64 / f64::from(members),
            ),
            DecisionRule::Majority { threshold, .. } => (false, Vec::new(), *threshold),
            DecisionRule::QualifiedMajority { member_share, .. } => {
                (false, Vec::new(), *member_share)
            }
            DecisionRule::Weighted { threshold } => (false, Vec::new(), *threshold),
            _ => (false, Vec::new(), 1.0),
        };
        // The latest ballot's own threshold, where it says one.
        let needed_share = state
            .ballots
            .iter()
            .filter(|b| b.date <= as_of)
            .max_by_key(|b| (b.date, b.round))
            .and_then(|b| Some(f64::from(b.needed?) / f64::from(b.voters.unwrap_or(members))))
            .unwrap_or(rule_needed);
        let rounds_held = (state.straw_polls.iter().filter(|p| p.date <= as_of).count()
            + state.ballots.iter().filter(|b| b.date <= as_of).count())
            as u32;
        let id_of = |name: &str| {
            state
                .candidates
                .iter()
                .find(|c| c.profile.name == name)
                .map(|c| c.profile.id.clone())
        };
        let candidates = base
            .candidates
            .iter()
            .map(|c| {
                let history = id_of(&c.name)
                    .map(|id| history(state, &id, as_of))
                    .unwrap_or_default();
                let share = |v: u32| f64::from(v) / f64::from(members);
                let (drift, from_round, vetoes) = match history.as_slice() {
                    [.., (a, _), (b, red)] => (share(*b) - share(*a), true, *red),
                    [(_, red)] => (0.0, true, *red),
                    [] => (0.0, false, 0),
                };
                BallotCandidate {
                    name: c.name.clone(),
                    potential: c.candidacy == Candidacy::Potential,
                    share: share(c.supporters).min(1.0),
                    drift,
                    from_round,
                    vetoes,
                }
            })
            .collect();
        BallotInput {
            as_of,
            members,
            veto_rule,
            veto_holders,
            needed_share,
            rounds_held,
            candidates,
            milestones: base.milestones,
            term_end: base.term_end,
            term_end_known: base.term_end_known,
        }
    }

    /// Days simulated after `as_of`.
    pub fn horizon(&self) -> i64 {
        if self.term_end_known {
            days(self.as_of, self.term_end).max(0) + AFTER_TERM_END
        } else {
            UNKNOWN_TERM_END
        }
        .max(1)
    }

    /// The leader of the latest round has the share the rule needs, and no veto.
    fn leader_passes(&self) -> bool {
        self.leaders().iter().any(|&k| {
            let c = &self.candidates[k];
            c.from_round && !c.vetoed() && c.share + 1e-9 >= self.needed_share
        })
    }

    /// The declared candidates with the largest share.
    fn leaders(&self) -> Vec<usize> {
        let top = self
            .candidates
            .iter()
            .filter(|c| !c.potential)
            .map(|c| c.share)
            .fold(f64::NEG_INFINITY, f64::max);
        (0..self.candidates.len())
            .filter(|&k| !self.candidates[k].potential && self.candidates[k].share >= top)
            .filter(|_| top > 0.0)
            .collect()
    }

    /// The hazard's covariates on day `day` (1 = the day after `as_of`).
    fn hazard_x(&self, day: i64) -> [f64; COUNT] {
        let date = self.as_of.saturating_add(jiff::Span::new().days(day));
        let mut x = [0.0; COUNT];
        x[coef::INTERCEPT] = 1.0;
        // The meeting that elects (a nomination deadline is a hard deadline, not a vote), and
        // the next three days: sessions last several days, and a vote may fall on any.
        let meetings = || {
            self.milestones
                .iter()
                .filter(|m| m.kind == MilestoneKind::Meeting)
                .map(|m| m.date)
        };
        x[coef::MEETING_DAY] = one(meetings().any(|d| d == date));
        x[coef::MEETING_AFTER] = one(meetings().any(|d| d < date && days(d, date) <= 3));
        let deadlines = || {
            self.milestones
                .iter()
                .filter(|m| m.kind == MilestoneKind::HardDeadline)
                .map(|m| m.date)
                .chain(self.term_end_known.then_some(self.term_end))
        };
        x[coef::DEADLINE_MONTH] = one(deadlines().any(|d| d >= date && days(date, d) <= 30));
        x[coef::OVERDUE] = one(deadlines().any(|d| d < date));
        x[coef::DEADLINE_DAY] = one(deadlines().any(|d| d == date)
            || self
                .milestones
                .iter()
                .any(|m| m.kind == MilestoneKind::Target && m.date == date));
        x[coef::LEADER_PASSES] = one(self.leader_passes());
        x[coef::ROUNDS_HELD] = one(self.rounds_held > 0);
        x[coef::FIRST_WEEK] = one(day <= 7);
        x[coef::VETO_RULE] = one(self.veto_rule);
        x
    }

    /// The choice's options: each candidate not vetoed (index into `candidates`), then
    /// "another" (`None`).
    fn options(&self) -> Vec<(Option<usize>, [f64; COUNT])> {
        let leaders = self.leaders();
        let mut out: Vec<(Option<usize>, [f64; COUNT])> = self
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| !c.vetoed())
            .map(|(k, c)| {
                let mut x = [0.0; COUNT];
                x[coef::SHARE] = c.share;
                x[coef::LEADER] = one(leaders.contains(&k));
                x[coef::DRIFT] = c.drift;
                x[coef::POTENTIAL] = one(c.potential);
                (Some(k), x)
            })
            .collect();
        let mut another = [0.0; COUNT];
        another[coef::ANOTHER] = 1.0;
        out.push((None, another));
        out
    }
}

/// A candidate's rounds up to `as_of`, in order: (votes or encouragements, red discouragements
/// in a colour-coded poll).
fn history(state: &ContestState, id: &str, as_of: Date) -> Vec<(u32, u32)> {
    let mut rounds: Vec<(Date, u32, u32, u32)> = Vec::new();
    for p in state.straw_polls.iter().filter(|p| p.date <= as_of) {
        if let Some(r) = p.results.iter().find(|r| r.candidate == id) {
            let red = if p.colour_coded {
                r.p5_discourage.unwrap_or(0)
            } else {
                0
            };
            rounds.push((p.date, p.round, r.encourage, red));
        }
    }
    for b in state.ballots.iter().filter(|b| b.date <= as_of) {
        if let Some(v) = b.votes.iter().find(|v| v.candidate == id) {
            rounds.push((b.date, b.round, v.votes, 0));
        }
    }
    rounds.sort_by_key(|r| (r.0, r.1));
    rounds.into_iter().map(|r| (r.2, r.3)).collect()
}

fn one(b: bool) -> f64 {
    f64::from(u8::from(b))
}

fn days(from: Date, to: Date) -> i64 {
    from.until((jiff::Unit::Day, to))
        .map_or(0, |s| i64::from(s.get_days()))
}

fn eta(x: &[f64; COUNT], beta: &[f64]) -> f64 {
    x.iter().zip(beta).map(|(a, b)| a * b).sum()
}

/// The model's coefficients, with what they were fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BallotParams {
    pub beta: Vec<f64>,
    pub se: Vec<f64>,
    pub contests: Vec<String>,
    pub log_likelihood: f64,
}

impl BallotParams {
    /// The bundled coefficients (`params/ballot.toml`), fitted on every vote-decided contest
    /// of the corpus.
    pub fn bundled() -> BallotParams {
        BallotParams::from_toml_str(include_str!("../params/ballot.toml"))
            .expect("the bundled ballot parameters parse")
    }

    pub fn from_toml_str(text: &str) -> Result<BallotParams, String> {
        #[derive(Deserialize)]
        struct File {
            fit: Fit,
            coef: BTreeMap<String, [f64; 2]>,
        }
        #[derive(Deserialize)]
        struct Fit {
            contests: Vec<String>,
            log_likelihood: f64,
        }
        let file: File = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut beta = Vec::with_capacity(COUNT);
        let mut se = Vec::with_capacity(COUNT);
        for name in coef::NAMES {
            let [b, s] = file
                .coef
                .get(name)
                .ok_or_else(|| format!("[coef] has no '{name}'"))?;
            beta.push(*b);
            se.push(*s);
        }
        Ok(BallotParams {
            beta,
            se,
            contests: file.fit.contests,
            log_likelihood: file.fit.log_likelihood,
        })
    }

    /// The parameter file's text.
    pub fn to_toml_string(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::from(HEADER);
        let _ = writeln!(out, "[fit]");
        let _ = writeln!(out, "log_likelihood = {:.4}", self.log_likelihood);
        let _ = writeln!(out, "contests = [");
        for c in &self.contests {
            let _ = writeln!(out, "  \"{c}\",");
        }
        let _ = writeln!(out, "]\n\n[coef]\n# name = [β, standard error]");
        for (i, name) in coef::NAMES.iter().enumerate() {
            let _ = writeln!(out, "\"{name}\" = [{:.6}, {:.6}]", self.beta[i], self.se[i]);
        }
        out
    }
}

const HEADER: &str = "\
# concord forecast — the ballot model's coefficients (contests decided by votes in rounds).
#
# Written by `concord backtest cases --model ballot --write-params crates/concord-forecast/params/ballot.toml`:
# do not edit by hand, refit. Penalised maximum likelihood (each β ~ Normal(0, 2), the hazard's
# intercept centred on once a year) on every vote-decided contest listed in [fit], replayed from
# every date something became known. See crates/concord-forecast/src/ballot.rs.
#
# hazard.*  the daily hazard of the decision, 1 - exp(-exp(β·x)): intercept, meeting_day (a known
#           meeting that day), meeting_after (one to three days after one), deadline_month (a hard deadline or the known term
#           end within 30 days), deadline_day (a hard deadline, the term end or a target that
#           day), overdue (one has passed), leader_passes (the latest round's
#           leader has the votes the rule needs and no veto), rounds_held, first_week (the week
#           after the forecast's date), veto_rule (the Security Council).
# choose.*  who wins, a conditional logit over the field: share (of the members in the latest
#           round, or supporters on record), leader, drift (change in share since the previous
#           round), potential (floated only), another (not yet named). A candidate vetoed in the
#           latest colour-coded straw poll is no option.
#
# A forecast of a contest listed in [fit] with this file is in-sample; `concord backtest cases
# --model ballot` scores each contest with coefficients refitted without it.

";

/// One contest's part of the likelihood.
#[derive(Debug, Clone, Default)]
pub struct Design {
    /// (covariates, exposure days, events), merged where the covariates are identical.
    rows: BTreeMap<[u64; COUNT], ([f64; COUNT], f64, f64)>,
    /// (options, chosen).
    choices: Vec<(Vec<[f64; COUNT]>, usize)>,
}

impl Design {
    fn add(&mut self, x: [f64; COUNT], events: f64) {
        let row = self
            .rows
            .entry(x.map(f64::to_bits))
            .or_insert((x, 0.0, 0.0));
        row.1 += 1.0;
        row.2 += events;
    }
}

/// Whether the ballot model applies: the contest is decided by a vote.
pub fn applies(replay: &Replay) -> bool {
    replay.rule != RuleFamily::Consensus
}

/// Every landmark's hazard days and choice of one contest.
pub fn design_of(replay: &Replay) -> Design {
    let mut design = Design::default();
    for &as_of in replay.dates.iter().filter(|d| **d < replay.decision_date) {
        let state = replay.state(as_of);
        if state.decision.is_some() {
            continue;
        }
        let input = BallotInput::from_state(&state, as_of);
        let last = days(as_of, replay.decision_date).max(1);
        for day in 1..=last.min(input.horizon()) {
            design.add(input.hazard_x(day), one(day == last));
        }
        let options = input.options();
        let chosen = options
            .iter()
            .position(|(k, _)| k.is_some_and(|k| input.candidates[k].name == replay.winner_name))
            .unwrap_or(options.len() - 1);
        design
            .choices
            .push((options.into_iter().map(|(_, x)| x).collect(), chosen));
    }
    design
}

/// The log-likelihood, score and information of some designs.
fn contributions(designs: &[&Design], beta: &[f64]) -> (f64, DVector<f64>, DMatrix<f64>) {
    let mut ll = 0.0;
    let mut score = DVector::<f64>::zeros(COUNT);
    let mut info = DMatrix::<f64>::zeros(COUNT, COUNT);
    for d in designs {
        // Each day is a yes/no outcome with P(decided that day) = 1 − exp(−μ), μ = exp(β·x)
        // (the complementary log-log link): on an election day the probability is large, where
        // a Poisson approximation would understate it.
        for (x, days, events) in d.rows.values() {
            let mu = eta(x, beta).exp();
            let (yes, no) = (*events, days - events);
            let em1 = mu.exp_m1().max(1e-300);
            ll += yes * (-(-mu).exp_m1()).max(1e-300).ln() - no * mu;
            let d1 = yes * mu / em1 - no * mu;
            let d2 = no * mu - yes * mu * (em1 - mu * (em1 + 1.0)) / (em1 * em1);
            for a in 0..COUNT {
                if x[a] == 0.0 {
                    continue;
                }
                score[a] += d1 * x[a];
                for b in 0..COUNT {
                    info[(a, b)] += d2 * x[a] * x[b];
                }
            }
        }
        for (options, chosen) in &d.choices {
            let etas: Vec<f64> = options.iter().map(|x| eta(x, beta)).collect();
            let top = etas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let w: Vec<f64> = etas.iter().map(|e| (e - top).exp()).collect();
            let total: f64 = w.iter().sum();
            ll += etas[*chosen] - top - total.ln();
            let mut mean = [0.0; COUNT];
            for (x, wi) in options.iter().zip(&w) {
                for a in 0..COUNT {
                    mean[a] += wi / total * x[a];
                }
            }
            for a in 0..COUNT {
                score[a] += options[*chosen][a] - mean[a];
            }
            for (x, wi) in options.iter().zip(&w) {
                for a in 0..COUNT {
                    for b in 0..COUNT {
                        info[(a, b)] += wi / total * (x[a] - mean[a]) * (x[b] - mean[b]);
                    }
                }
            }
        }
    }
    (ll, score, info)
}

/// Fits the model on `designs` (named `contests`) by Newton's method on the penalised
/// log-likelihood; standard errors from the penalised information.
pub fn estimate(designs: &[&Design], contests: Vec<String>) -> Option<BallotParams> {
    let precision = 1.0 / (PRIOR_SD * PRIOR_SD);
    let prior: Vec<f64> = (0..COUNT)
        .map(|i| {
            if i == coef::INTERCEPT {
                PRIOR_INTERCEPT
            } else {
                0.0
            }
        })
        .collect();
    let penalised = |beta: &[f64]| {
        let (ll, mut score, mut info) = contributions(designs, beta);
        let mut pen = 0.0;
        for a in 0..COUNT {
            let d = beta[a] - prior[a];
            pen += d * d * precision / 2.0;
            score[a] -= d * precision;
            info[(a, a)] += precision;
        }
        (ll - pen, score, info)
    };
    let mut beta = prior.clone();
    let (mut value, mut score, mut info) = penalised(&beta);
    for _ in 0..100 {
        let step = info.clone().cholesky()?.solve(&score);
        let mut scale = 1.0;
        let next = loop {
            let next: Vec<f64> = beta
                .iter()
                .zip(step.iter())
                .map(|(b, s)| b + scale * s)
                .collect();
            let (v, sc, inf) = penalised(&next);
            if v >= value - 1e-12 || scale < 1e-6 {
                value = v;
                score = sc;
                info = inf;
                break next;
            }
            scale /= 2.0;
        };
        let largest = step.iter().fold(0.0_f64, |m, s| m.max((scale * s).abs()));
        beta = next;
        if largest < 1e-9 {
            break;
        }
    }
    let inverse = info.cholesky()?.inverse();
    let (log_likelihood, _, _) = contributions(designs, &beta);
    Some(BallotParams {
        se: (0..COUNT)
            .map(|i| inverse[(i, i)].max(0.0).sqrt())
            .collect(),
        beta,
        contests,
        log_likelihood,
    })
}

/// Fits on every vote-decided contest of `replays`.
pub fn fit(replays: &[Replay]) -> Option<BallotParams> {
    let chosen: Vec<&Replay> = replays.iter().filter(|r| applies(r)).collect();
    let designs: Vec<Design> = chosen.iter().map(|r| design_of(r)).collect();
    estimate(
        &designs.iter().collect::<Vec<_>>(),
        chosen.iter().map(|r| r.id.clone()).collect(),
    )
}

/// A candidate's chance.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallotWinner {
    pub name: String,
    /// P(this candidate is the one chosen, when the contest is decided).
    pub p: f64,
    pub share: f64,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub vetoed: bool,
}

/// P(decided by a milestone).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallotMilestone {
    pub date: Date,
    pub label: String,
    pub kind: MilestoneKind,
    pub p: f64,
}

/// The ballot model's forecast.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BallotForecast {
    pub model: &'static str,
    pub as_of: Date,
    pub rounds_held: u32,
    /// The share a round's winner needs.
    pub needed_share: f64,
    pub leader_passes: bool,
    pub milestones: Vec<BallotMilestone>,
    /// P(decided within 30, 90, 180 days).
    pub within: Vec<(i64, f64)>,
    /// P(decided by the horizon).
    pub by_horizon: f64,
    pub horizon: Date,
    /// The median date, if within the horizon.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub median: Option<Date>,
    /// Best first.
    pub winners: Vec<BallotWinner>,
    pub another: f64,
    /// P(decided by day d after `as_of`), d = 0..=horizon.
    #[serde(skip)]
    pub curve: Vec<f64>,
}

impl BallotForecast {
    /// P(decided on or before `by`).
    pub fn decided_by(&self, by: Date) -> f64 {
        let d = days(self.as_of, by);
        if d < 0 {
            return 0.0;
        }
        self.curve
            .get(d as usize)
            .or(self.curve.last())
            .copied()
            .unwrap_or(0.0)
    }

    /// P(the winner is `name`); "another" for a name not in the field.
    pub fn wins(&self, name: &str) -> f64 {
        self.winners
            .iter()
            .find(|w| w.name == name)
            .map_or(self.another, |w| w.p)
    }
}

/// The forecast: exact (no simulation), so it costs microseconds.
pub fn forecast(input: &BallotInput, params: &BallotParams) -> BallotForecast {
    let horizon = input.horizon();
    let mut curve = Vec::with_capacity(horizon as usize + 1);
    curve.push(0.0);
    let mut survive = 1.0;
    for day in 1..=horizon {
        let rate = eta(&input.hazard_x(day), &params.beta).exp();
        survive *= (-rate).exp();
        curve.push(1.0 - survive);
    }
    let at = |d: Date| {
        let k = days(input.as_of, d).clamp(0, horizon) as usize;
        curve[k]
    };
    let options = input.options();
    let etas: Vec<f64> = options.iter().map(|(_, x)| eta(x, &params.beta)).collect();
    let top = etas.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let w: Vec<f64> = etas.iter().map(|e| (e - top).exp()).collect();
    let total: f64 = w.iter().sum();
    let mut winners: Vec<BallotWinner> = input
        .candidates
        .iter()
        .enumerate()
        .map(|(k, c)| BallotWinner {
            name: c.name.clone(),
            p: options
                .iter()
                .position(|(o, _)| *o == Some(k))
                .map_or(0.0, |i| w[i] / total),
            share: c.share,
            vetoed: c.vetoed(),
        })
        .collect();
    winners.sort_by(|a, b| b.p.total_cmp(&a.p));
    let another = w[w.len() - 1] / total;
    let mut milestones: Vec<BallotMilestone> = input
        .milestones
        .iter()
        .filter(|m| m.date > input.as_of)
        .map(|m| BallotMilestone {
            date: m.date,
            label: m.label.clone(),
            kind: m.kind,
            p: at(m.date),
        })
        .collect();
    if input.term_end_known
        && input.term_end > input.as_of
        && !milestones.iter().any(|m| m.date == input.term_end)
    {
        milestones.push(BallotMilestone {
            date: input.term_end,
            label: "term end".into(),
            kind: MilestoneKind::TermEnd,
            p: at(input.term_end),
        });
        milestones.sort_by_key(|m| m.date);
    }
    let median = curve
        .iter()
        .position(|p| *p >= 0.5)
        .map(|d| input.as_of.saturating_add(jiff::Span::new().days(d as i64)));
    BallotForecast {
        model: "ballot",
        as_of: input.as_of,
        rounds_held: input.rounds_held,
        needed_share: input.needed_share,
        leader_passes: input.leader_passes(),
        milestones,
        within: [30, 90, 180]
            .into_iter()
            .map(|d| (d, curve[(d.min(horizon)) as usize]))
            .collect(),
        by_horizon: curve[horizon as usize],
        horizon: input.as_of.saturating_add(jiff::Span::new().days(horizon)),
        median,
        winners,
        another,
        curve,
    }
}

/// One edit of a ballot what-if.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "edit")]
pub enum BallotEdit {
    /// A permanent member stops discouraging `candidate` (or every candidate): one red
    /// discouragement fewer.
    Lift {
        member: String,
        candidate: Option<String>,
    },
    Withdraw {
        candidate: String,
    },
    MoveDeadline {
        kind: MilestoneKind,
        to: Date,
    },
}

impl BallotInput {
    /// The input with `edit` applied, or why it cannot be.
    pub fn apply(&self, edit: &BallotEdit) -> Result<BallotInput, String> {
        let mut out = self.clone();
        match edit {
            BallotEdit::Lift { member, candidate } => {
                if !self.veto_holders.contains(member) {
                    return Err(if self.veto_holders.is_empty() {
                        format!(
                            "no member holds a veto under this rule: {member}'s discouragement blocks nobody"
                        )
                    } else {
                        format!(
                            "{member} holds no veto (the veto holders: {}): its discouragement blocks nobody",
                            self.veto_holders.join(", ")
                        )
                    });
                }
                let mut lifted = 0;
                for c in out
                    .candidates
                    .iter_mut()
                    .filter(|c| c.vetoes > 0 && candidate.as_ref().is_none_or(|n| *n == c.name))
                {
                    c.vetoes -= 1;
                    lifted += 1;
                }
                if lifted == 0 {
                    return Err(format!(
                        "no red discouragement {}in the latest colour-coded straw poll to lift",
                        candidate
                            .as_ref()
                            .map(|c| format!("of {c} "))
                            .unwrap_or_default()
                    ));
                }
            }
            BallotEdit::Withdraw { candidate } => {
                let before = out.candidates.len();
                out.candidates.retain(|c| c.name != *candidate);
                if out.candidates.len() == before {
                    return Err(format!("no candidate '{candidate}'"));
                }
            }
            BallotEdit::MoveDeadline { kind, to } => {
                let mut found = false;
                for m in out.milestones.iter_mut().filter(|m| m.kind == *kind) {
                    m.date = *to;
                    found = true;
                }
                if *kind == MilestoneKind::TermEnd {
                    out.term_end = *to;
                    found = true;
                }
                if !found {
                    return Err(format!("no milestone of kind {}", kind.as_str()));
                }
                out.milestones.sort_by_key(|m| m.date);
            }
        }
        Ok(out)
    }
}

/// Scores one contest with `params` (fitted without it), as `backtest` scores model v2.
fn score_contest(replay: &Replay, params: &BallotParams) -> Vec<ScoredPoint> {
    let mut points = Vec::new();
    for &as_of in replay.dates.iter().filter(|d| **d < replay.decision_date) {
        let state = replay.state(as_of);
        if state.decision.is_some() {
            continue;
        }
        let input = BallotInput::from_state(&state, as_of);
        let base = ForecastInput::v2_from_state(&state, as_of);
        let f = forecast(&input, params);
        let favourite_by = backtest::focal_deadline(&base);
        let mut push = |question: Question, by: Option<Date>, probability: f64, outcome: bool| {
            let favourite = match (question, by) {
                (Question::Winner, _) => {
                    let best = base
                        .candidates
                        .iter()
                        .filter(|c| c.candidacy == Candidacy::Declared)
                        .max_by_key(|c| c.supporters);
                    one(best.is_some_and(|c| c.name == replay.winner_name))
                }
                (_, Some(by)) => one(favourite_by.is_some_and(|h| by >= h)),
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
        if let Some(next) = backtest::next_milestone(&base) {
            push(
                Question::NextMilestone,
                Some(next),
                f.decided_by(next),
                replay.decision_date <= next,
            );
        }
        for (q, d) in [
            (Question::Within30Days, 30),
            (Question::Within90Days, 90),
            (Question::Within180Days, 180),
        ] {
            let by = as_of.saturating_add(jiff::Span::new().days(d));
            push(q, Some(by), f.decided_by(by), replay.decision_date <= by);
        }
        push(Question::Winner, None, f.wins(&replay.winner_name), true);
    }
    points
}

/// The leave-one-contest-out back-test of the ballot model on the vote-decided contests of
/// `replays`: the same questions, scores, baselines (computed over the same contests), intervals
/// and reliability as model v2's.
pub fn backtest(replays: &[Replay], config: &BacktestConfig) -> BacktestReport {
    use rayon::prelude::*;
    let chosen: Vec<Replay> = replays.iter().filter(|r| applies(r)).cloned().collect();
    let designs: Vec<Design> = chosen.par_iter().map(design_of).collect();
    let per_contest: Vec<(Vec<ScoredPoint>, usize)> = chosen
        .par_iter()
        .enumerate()
        .map(|(k, replay)| {
            let kept: Vec<&Design> = designs
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, d)| d)
                .collect();
            let names = chosen
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != k)
                .map(|(_, r)| r.id.clone())
                .collect();
            let Some(params) = estimate(&kept, names) else {
                return (Vec::new(), 0);
            };
            let fitted_on = params.contests.len();
            let mut points = score_contest(replay, &params);
            for p in points.iter_mut().filter(|p| p.question == Question::Winner) {
                let input = ForecastInput::v2_from_state(&replay.state(p.as_of), p.as_of);
                let declared = input
                    .candidates
                    .iter()
                    .filter(|c| c.candidacy == Candidacy::Declared)
                    .count();
                p.base_rate = 1.0 / (input.candidates.len() + 1) as f64;
                p.declared_base_rate = Some(1.0 / (declared + 1) as f64);
            }
            (points, fitted_on)
        })
        .collect();
    backtest::assemble("ballot", true, &chosen, per_contest, config)
}
