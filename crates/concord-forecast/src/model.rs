//! The compiled model: an input and its parameters turned into flat arrays the trial loop
//! reads without allocating, and the clock that maps calendar days to "pressure time".
//!
//! Every hazard in model v1 is `base × state factor × pressure(t)`, with one `pressure(t)`
//! common to all holds and withdrawals. In the operational time `u = ∫ pressure`, every rate
//! is therefore constant between events, so event times are sampled exactly by inverting the
//! cumulative hazard: a unit exponential clock per hold, spent at a constant rate in `u`, and
//! `u` mapped back to days through a table of the integral (pressure is constant per day).

use crate::input::{Candidacy, ForecastInput, HoldKind, InputError, MilestoneKind};
use crate::input::{Hold, RuleFamily};
use crate::params::{ModelParams, Params, StructureParams, V1Params, V2Params, coef};
use crate::rng::slot_key;

/// Which hold a follower moves with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leader {
    None,
    /// The leader holds no block on the candidate: it counts as released at day 0.
    AtStart,
    Hold(u16),
}

/// A hold, compiled.
#[derive(Debug, Clone)]
pub(crate) struct HoldM {
    /// Its index in `ForecastInput::holds`.
    pub input_index: usize,
    pub cand: u16,
    /// Rate in operational time (per unit of pressure-day) while other holds remain on its
    /// candidate, conditions included.
    pub rate: f64,
    /// Rate when it is the last hold on its candidate (v1: `rate` × the isolation factor).
    pub rate_alone: f64,
    /// The candidate whose withdrawal releases this hold at once.
    pub release_on: Option<u16>,
    pub leader: Leader,
    pub clock_slot: u64,
    pub coin_slot: u64,
    pub lag_slot: u64,
    /// Whether the hold is reported in the sensitivities (implicit holds are not: lifting one
    /// of 28 identical backers changes nothing).
    pub sensitive: bool,
}

/// Holds that never release on their own (rate 0, nobody follows them, no sensitivity):
/// only their number matters, and the withdrawal that releases them all at once. The 28
/// implicit holds on a long-shot cost nothing per trial this way.
#[derive(Debug, Clone)]
pub(crate) struct StaticGroup {
    pub cand: u16,
    pub release_on: Option<u16>,
    pub count: u32,
}

/// A candidate, compiled.
#[derive(Debug, Clone)]
pub(crate) struct CandM {
    pub declared: bool,
    /// Withdrawal rate in operational time; 0 for well-supported or potential candidates.
    pub withdraw_rate: f64,
    pub withdraw_slot: u64,
}

/// Everything a trial reads.
#[derive(Debug, Clone)]
pub(crate) struct Model {
    /// Days simulated from `as_of` (exclusive end).
    pub horizon: usize,
    /// The pressure per day and its integral: the operational time every clock but model v2's
    /// decision clock runs in.
    pub time: TimeScale,
    /// Holds with a clock of their own.
    pub holds: Vec<HoldM>,
    pub statics: Vec<StaticGroup>,
    pub cands: Vec<CandM>,
    pub any_declared: bool,
    /// The fresh candidate's index in `cands` (model v2), past the input's candidates.
    pub fresh_cand: Option<u16>,
    /// Model v2's decision clock and choice of the winner; `None` under v1, where a candidate
    /// is agreed as soon as nothing holds it.
    pub decision: Option<DecisionClock>,
    pub follow_p: f64,
    pub follow_lag_mean: f64,
    pub lag_min: f64,
    pub lag_mean: f64,
    /// Day from which a stalemate lets a fresh candidate in.
    pub fresh_from: f64,
    pub fresh_p: f64,
    pub fresh_mean: f64,
    pub entry_mean: f64,
    /// Day of the term end relative to `as_of` (negative if already past).
    pub term_day: i64,
    /// Day of the deadline the sensitivities are measured against.
    pub hard_day: i64,
    pub lag_slot: u64,
    pub fresh_coin_slot: u64,
    pub fresh_delay_slot: u64,
}

/// Days from `from` to `to` (negative if `to` is earlier).
pub(crate) fn days_between(from: jiff::civil::Date, to: jiff::civil::Date) -> i64 {
    // Civil dates between year -9999 and 9999: the span in days always fits.
    i64::from(
        from.until((jiff::Unit::Day, to))
            .expect("civil dates are in range")
            .get_days(),
    )
}

impl Model {
    pub fn compile(input: &ForecastInput, params: &Params) -> Result<Model, InputError> {
        match &params.model {
            ModelParams::V1(v1) => Model::compile_v1(input, params, v1),
            ModelParams::V2(v2) => Model::compile_v2(input, params, v2),
        }
    }

    fn compile_v1(
        input: &ForecastInput,
        params: &Params,
        v1: &V1Params,
    ) -> Result<Model, InputError> {
        input.validate()?;
        let term_day = days_between(input.as_of, input.term_end);
        let horizon =
            (term_day.max(0) + i64::from(params.run.horizon_days_after_term_end)).max(1) as usize;

        // Pressure: the upcoming milestone that presses most, plus the early bump.
        let pp = &v1.pressure;
        let mut pressing: Vec<(i64, f64)> = input
            .milestones
            .iter()
            .map(|m| {
                let a = match m.kind {
                    MilestoneKind::Target => pp.target,
                    MilestoneKind::Meeting => pp.meeting,
                    MilestoneKind::HardDeadline => pp.hard_deadline,
                    MilestoneKind::TermEnd => pp.term_end,
                };
                (days_between(input.as_of, m.date), a)
            })
            .collect();
        pressing.push((term_day, pp.term_end));
        let opened_days = input
            .opened
            .map_or(0, |o| days_between(o, input.as_of).max(0));
        let pressure: Vec<f64> = (0..horizon as i64)
            .map(|d| {
                let deadline = pressing
                    .iter()
                    .filter(|(day, _)| *day >= d)
                    .map(|(day, a)| a * (-((day - d) as f64) / pp.tau_days).exp())
                    .fold(0.0, f64::max);
                let early = pp.early * (-((d + opened_days) as f64) / pp.early_tau_days).exp();
                1.0 + deadline + early
            })
            .collect();

        let cand_index = |name: &str| -> u16 {
            // Validated above: every referenced candidate exists; few candidates.
            input
                .candidates
                .iter()
                .position(|c| c.name == name)
                .expect("validated candidate") as u16
        };
        let members = f64::from(input.members_count);
        let cands: Vec<CandM> = input
            .candidates
            .iter()
            .map(|c| {
                let declared = c.candidacy == Candidacy::Declared;
                let weak = f64::from(c.supporters) / members < v1.withdrawal.share_threshold;
                CandM {
                    declared,
                    withdraw_rate: if declared && weak {
                        v1.withdrawal.rate
                    } else {
                        0.0
                    },
                    withdraw_slot: slot_key(&["withdraw", &c.name]),
                }
            })
            .collect();

        let h = &v1.hazard;
        let all: Vec<HoldM> = input
            .holds
            .iter()
            .enumerate()
            .map(|(input_index, hold)| {
                let cand = cand_index(&hold.candidate);
                let (rate, release_on, sensitive) = match &hold.kind {
                    HoldKind::Withholds => (h.withholds, None, true),
                    HoldKind::Objects => (h.objects, None, true),
                    HoldKind::OwnNational => {
                        let national = input
                            .national_candidate(&hold.member)
                            .map(|c| cand_index(&c.name));
                        (h.own_national, national, true)
                    }
                    HoldKind::Implicit { backs } => (h.implicit, Some(cand_index(backs)), false),
                    HoldKind::PendingConditions { met, total } => (
                        h.pending_conditions
                            * (1.0 + v1.conditions.met_boost * f64::from(*met) / f64::from(*total)),
                        None,
                        true,
                    ),
                    HoldKind::Consultation => (h.consultation, None, true),
                };
                let leader = match &hold.follows {
                    None => Leader::None,
                    Some(leader) => input
                        .holds
                        .iter()
                        .position(|o| &o.member == leader && o.candidate == hold.candidate)
                        .map_or(Leader::AtStart, |i| Leader::Hold(i as u16)),
                };
                HoldM {
                    input_index,
                    cand,
                    rate,
                    rate_alone: rate * v1.isolation.factor,
                    release_on,
                    leader,
                    clock_slot: slot_key(&["hold", &hold.member, &hold.candidate]),
                    coin_slot: slot_key(&["follow", &hold.member, &hold.candidate]),
                    lag_slot: slot_key(&["follow-lag", &hold.member, &hold.candidate]),
                    sensitive,
                }
            })
            .collect();
        let is_leader = |i: usize| all.iter().any(|o| o.leader == Leader::Hold(i as u16));
        let dynamic: Vec<bool> = all
            .iter()
            .enumerate()
            .map(|(i, hm)| {
                hm.rate > 0.0
                    || hm.rate_alone > 0.0
                    || hm.sensitive
                    || hm.leader != Leader::None
                    || is_leader(i)
            })
            .collect();
        // A candidate blocked by a static hold that nothing can release can never be agreed:
        // its holds need no clocks, no sensitivities, no random draws.
        let can_clear: Vec<bool> = (0..cands.len())
            .map(|c| {
                cands[c].declared
                    && all.iter().enumerate().all(|(i, hm)| {
                        hm.cand as usize != c
                            || dynamic[i]
                            || hm.release_on.is_some_and(|w| {
                                w as usize != c && cands[w as usize].withdraw_rate > 0.0
                            })
                    })
            })
            .collect();
        let dynamic: Vec<bool> = dynamic
            .iter()
            .zip(&all)
            .map(|(&d, hm)| d && can_clear[hm.cand as usize])
            .collect();
        let new_index: Vec<Option<u16>> = {
            let mut next = 0u16;
            dynamic
                .iter()
                .map(|&d| {
                    d.then(|| {
                        next += 1;
                        next - 1
                    })
                })
                .collect()
        };
        let mut holds = Vec::new();
        let mut statics: Vec<StaticGroup> = Vec::new();
        for (i, mut hm) in all.into_iter().enumerate() {
            if dynamic[i] {
                if let Leader::Hold(l) = hm.leader {
                    // A leader is dynamic by construction (is_leader above), on the same
                    // candidate as its follower, so it stays dynamic with it.
                    hm.leader = Leader::Hold(new_index[l as usize].expect("leaders are dynamic"));
                }
                holds.push(hm);
            } else if let Some(g) = statics
                .iter_mut()
                .find(|g| g.cand == hm.cand && g.release_on == hm.release_on)
            {
                g.count += 1;
            } else {
                statics.push(StaticGroup {
                    cand: hm.cand,
                    release_on: hm.release_on,
                    count: 1,
                });
            }
        }

        let first_upcoming = |kind: MilestoneKind| {
            input
                .milestones
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| days_between(input.as_of, m.date))
                .filter(|d| *d >= 0)
                .min()
        };
        let hard_day = first_upcoming(MilestoneKind::HardDeadline)
            .or((term_day >= 0).then_some(term_day))
            .unwrap_or(horizon as i64 - 1);
        let fresh_from = first_upcoming(MilestoneKind::HardDeadline)
            .or((term_day >= 0).then_some(term_day))
            .unwrap_or(0) as f64;

        Ok(Model {
            horizon,
            time: TimeScale::new(pressure),
            holds,
            statics,
            any_declared: cands.iter().any(|c| c.declared),
            cands,
            fresh_cand: None,
            decision: None,
            follow_p: params.follow.p,
            follow_lag_mean: params.follow.lag_mean_days,
            lag_min: v1.decision.lag_min_days,
            lag_mean: v1.decision.lag_mean_days,
            fresh_from,
            fresh_p: v1.fresh.p,
            fresh_mean: v1.fresh.delay_mean_days,
            entry_mean: v1.fresh.entry_delay_mean_days,
            term_day,
            hard_day,
            lag_slot: slot_key(&["decision-lag"]),
            fresh_coin_slot: slot_key(&["fresh-coin"]),
            fresh_delay_slot: slot_key(&["fresh-delay"]),
        })
    }

    /// Model v2: every rate is `exp(β·x)` with the coefficients estimated from the corpus
    /// (`fit`), in the operational time of a contest-wide pressure `exp(γ·p(day))`. Holds and
    /// withdrawals run their own clocks; a decision clock, whose rate depends on whether the
    /// leading candidate is held, decides *when*; a choice among the candidates then in
    /// contention decides *who*.
    fn compile_v2(
        input: &ForecastInput,
        params: &Params,
        v2: &V2Params,
    ) -> Result<Model, InputError> {
        input.validate()?;
        let b = |i: usize| v2.beta(i);
        let structure = &v2.structure;
        let term_day = days_between(input.as_of, input.term_end);
        let horizon = if input.term_end_known {
            term_day.max(0) + i64::from(params.run.horizon_days_after_term_end)
        } else {
            i64::from(structure.horizon_days_unknown_term_end)
        }
        .max(1) as usize;

        let pressing = Pressing::of(input);
        let log_pressure: Vec<f64> = (0..horizon as i64)
            .map(|d| {
                let flags = pressing.flags(d + 1, structure);
                coef::PRESSURE
                    .iter()
                    .zip(flags)
                    .map(|(i, f)| b(*i) * f)
                    .sum::<f64>()
            })
            .collect();
        let pressure: Vec<f64> = log_pressure.iter().map(|l| l.exp()).collect();
        // The decision clock also feels the days of meetings, where decisions are taken.
        let decision_time = TimeScale::new(
            log_pressure
                .iter()
                .enumerate()
                .map(|(d, l)| {
                    let flags = pressing.decision_flags(d as i64 + 1);
                    (l + coef::DECIDE_DAY
                        .iter()
                        .zip(flags)
                        .map(|(i, f)| b(*i) * f)
                        .sum::<f64>())
                    .exp()
                })
                .collect(),
        );

        let cand_index = |name: &str| -> u16 {
            input
                .candidates
                .iter()
                .position(|c| c.name == name)
                .expect("validated candidate") as u16
        };
        let covariates = CandidateCovariates::of(input);
        let mut cands: Vec<CandM> = input
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| CandM {
                declared: c.candidacy == Candidacy::Declared,
                withdraw_rate: withdraw_rate(v2, &covariates[i]),
                withdraw_slot: slot_key(&["withdraw", &c.name]),
            })
            .collect();
        // "Another candidate", not named yet: only ever a choice at the decision.
        let fresh = cands.len() as u16;
        cands.push(CandM {
            declared: false,
            withdraw_rate: 0.0,
            withdraw_slot: 0,
        });

        let great = |member: &str| structure.great_powers.iter().any(|g| g == member);
        let mut holds: Vec<HoldM> = Vec::new();
        for (input_index, hold) in input.holds.iter().enumerate() {
            // Model v2 reads a rival's backers through the choice (support shares), not as
            // holds: they give way together, with the decision, not one by one.
            let Some(x) = HoldCovariates::of(hold, great(&hold.member)) else {
                continue;
            };
            let (rate, rate_alone) = hold_rates(v2, &x);
            let release_on = match &hold.kind {
                HoldKind::OwnNational => input
                    .national_candidate(&hold.member)
                    .map(|c| cand_index(&c.name)),
                _ => None,
            };
            let leader = match &hold.follows {
                None => Leader::None,
                Some(leader) => input
                    .holds
                    .iter()
                    .position(|o| &o.member == leader && o.candidate == hold.candidate)
                    .map_or(Leader::AtStart, |i| Leader::Hold(i as u16)),
            };
            holds.push(HoldM {
                input_index,
                cand: cand_index(&hold.candidate),
                rate,
                rate_alone,
                release_on,
                leader,
                clock_slot: slot_key(&["hold", &hold.member, &hold.candidate]),
                coin_slot: slot_key(&["follow", &hold.member, &hold.candidate]),
                lag_slot: slot_key(&["follow-lag", &hold.member, &hold.candidate]),
                sensitive: true,
            });
        }
        // Followers point at input indices; map them to the kept holds.
        let position_of: Vec<Option<u16>> = (0..input.holds.len())
            .map(|i| {
                holds
                    .iter()
                    .position(|h| h.input_index == i)
                    .map(|p| p as u16)
            })
            .collect();
        for h in &mut holds {
            if let Leader::Hold(l) = h.leader {
                h.leader = position_of[l as usize].map_or(Leader::AtStart, Leader::Hold);
            }
        }

        let contest = ContestCovariates::of(input);
        let leader = covariates.iter().position(|c| c.leader).map(|l| l as u16);
        let leader_had_holds = leader.is_some_and(|l| holds.iter().any(|h| h.cand == l));
        let decide = |state: LeaderState| decide_rate(v2, input.rule, &contest, state);
        let mut weight: Vec<f64> = covariates
            .iter()
            .map(|x| choose_weight(v2, x, false))
            .collect();
        weight.push(0.0);
        let decision = DecisionClock {
            rate_free: decide(LeaderState::Free),
            rate_held: decide(LeaderState::Held),
            rate_released: decide(LeaderState::Released),
            leader,
            leader_had_holds,
            weight,
            // Under a vote only a veto holder's objection is a hold (see `from_state`).
            held_factor: b(coef::CHOOSE_HELD).exp(),
            fresh_free: b(coef::CHOOSE_FRESH).exp(),
            fresh_held: (b(coef::CHOOSE_FRESH) + b(coef::CHOOSE_FRESH_LEADER_HELD)).exp(),
            time: decision_time,
            clock_slot: slot_key(&["decide"]),
            choice_slot: slot_key(&["choose"]),
        };

        let first_upcoming = |kind: MilestoneKind| {
            input
                .milestones
                .iter()
                .filter(|m| m.kind == kind)
                .map(|m| days_between(input.as_of, m.date))
                .filter(|d| *d >= 0)
                .min()
        };
        let hard_day = first_upcoming(MilestoneKind::HardDeadline)
            .or((input.term_end_known && term_day >= 0).then_some(term_day))
            .unwrap_or(horizon as i64 - 1);
        Ok(Model {
            horizon,
            time: TimeScale::new(pressure),
            holds,
            statics: Vec::new(),
            any_declared: cands.iter().any(|c| c.declared),
            cands,
            fresh_cand: Some(fresh),
            decision: Some(decision),
            follow_p: params.follow.p,
            follow_lag_mean: params.follow.lag_mean_days,
            // The fit counts a day's events at its end: a decision clock firing at t is a
            // decision on the next calendar day.
            lag_min: 1.0,
            lag_mean: 0.0,
            fresh_from: 0.0,
            fresh_p: 0.0,
            fresh_mean: 0.0,
            entry_mean: 0.0,
            term_day: if input.term_end_known {
                term_day
            } else {
                i64::MAX / 4
            },
            hard_day,
            lag_slot: slot_key(&["decision-lag"]),
            fresh_coin_slot: slot_key(&["fresh-coin"]),
            fresh_delay_slot: slot_key(&["fresh-delay"]),
        })
    }

    /// Operational time at calendar day `t` (days since `as_of`).
    #[inline]
    pub fn t_to_u(&self, t: f64) -> f64 {
        self.time.t_to_u(t)
    }

    /// Calendar day at operational time `u`.
    #[inline]
    pub fn u_to_t(&self, u: f64) -> f64 {
        self.time.u_to_t(u)
    }

    /// Operational time at the horizon.
    #[inline]
    pub fn u_horizon(&self) -> f64 {
        self.time.end()
    }
}

/// The dated milestones that press, in days since `as_of`.
#[derive(Debug, Clone)]
pub(crate) struct Pressing {
    meetings: Vec<i64>,
    deadlines: Vec<i64>,
    targets: Vec<i64>,
    vote: bool,
}

impl Pressing {
    pub(crate) fn of(input: &ForecastInput) -> Pressing {
        let day = |d| days_between(input.as_of, d);
        let meetings = input
            .milestones
            .iter()
            .filter(|m| m.kind == MilestoneKind::Meeting)
            .map(|m| day(m.date))
            .collect();
        let mut deadlines: Vec<i64> = input
            .milestones
            .iter()
            .filter(|m| {
                m.kind == MilestoneKind::HardDeadline
                    || (m.kind == MilestoneKind::TermEnd && input.term_end_known)
            })
            .map(|m| day(m.date))
            .collect();
        if input.term_end_known {
            deadlines.push(day(input.term_end));
        }
        let targets = input
            .milestones
            .iter()
            .filter(|m| m.kind == MilestoneKind::Target)
            .map(|m| day(m.date))
            .collect();
        Pressing {
            meetings,
            deadlines,
            targets,
            vote: input.rule != RuleFamily::Consensus,
        }
    }

    /// The pressure indicators on calendar day `day` (days since `as_of`), in the order of
    /// [`coef::PRESSURE`]: a meeting that day, a meeting within the week, a hard deadline or
    /// known term end within the month, one already missed, one that very day, a soft target
    /// within the week (its day included), and how far the day is from the
    /// forecast's date (days 1–2, 3–7, 8–30, 31–90: the near future of a date on which something
    /// happened is busier than the far future).
    pub(crate) fn flags(&self, day: i64, s: &StructureParams) -> [f64; 10] {
        let within = |list: &[i64], from: i64, window: u32| {
            list.iter()
                .any(|m| (from..i64::from(window)).contains(&(m - day)))
        };
        let meeting_day = self.meetings.contains(&day);
        let meeting_week = within(&self.meetings, 1, s.meeting_window_days);
        let deadline = within(&self.deadlines, 0, s.deadline_window_days);
        let overdue = self.deadlines.iter().any(|m| *m < day);
        let deadline_day = self.deadlines.contains(&day);
        let target_week = within(&self.targets, 0, s.meeting_window_days);
        [
            meeting_day,
            meeting_week,
            deadline,
            overdue,
            deadline_day,
            target_week,
            day <= 2,
            (3..=7).contains(&day),
            (8..=30).contains(&day),
            (31..=90).contains(&day),
        ]
        .map(|f| f64::from(u8::from(f)))
    }

    /// The decision clock's own indicators on `day`, in the order of [`coef::DECIDE_DAY`]: a
    /// meeting that day (where decisions are taken), and the same for a vote-decided contest
    /// (its election).
    pub(crate) fn decision_flags(&self, day: i64) -> [f64; 2] {
        let meeting_day = self.meetings.contains(&day);
        [meeting_day, self.vote && meeting_day].map(|f| f64::from(u8::from(f)))
    }
}

/// A time scale: a rate per day that is piecewise constant by calendar day, and its integral,
/// so that clocks with a constant rate in the scale's own time are sampled exactly by
/// inverting it.
#[derive(Debug, Clone)]
pub(crate) struct TimeScale {
    /// Per day, `horizon` entries.
    pub pressure: Vec<f64>,
    /// The integral at the start of each day, `horizon + 1` entries.
    pub cum: Vec<f64>,
}

impl TimeScale {
    pub(crate) fn new(pressure: Vec<f64>) -> TimeScale {
        let mut cum = Vec::with_capacity(pressure.len() + 1);
        let mut acc = 0.0;
        cum.push(acc);
        for p in &pressure {
            acc += p;
            cum.push(acc);
        }
        TimeScale { pressure, cum }
    }

    fn horizon(&self) -> usize {
        self.pressure.len()
    }

    /// The scale's time at calendar day `t` (days since `as_of`); past the horizon it runs at
    /// rate 1.
    #[inline]
    pub fn t_to_u(&self, t: f64) -> f64 {
        let h = self.horizon();
        if t >= h as f64 {
            return self.cum[h] + (t - h as f64);
        }
        let d = t as usize;
        self.cum[d] + (t - d as f64) * self.pressure[d]
    }

    /// The calendar day at the scale's time `u`.
    #[inline]
    pub fn u_to_t(&self, u: f64) -> f64 {
        let h = self.horizon();
        let end = self.cum[h];
        if u >= end {
            return h as f64 + (u - end);
        }
        // The last day whose start is at or before u.
        let d = self.cum.partition_point(|&c| c <= u) - 1;
        d as f64 + (u - self.cum[d]) / self.pressure[d]
    }

    #[inline]
    pub fn end(&self) -> f64 {
        self.cum[self.horizon()]
    }
}

/// Model v2's decision clock: its rate in operational time by the leading candidate's state,
/// and the weights of the choice among those in contention when it fires.
#[derive(Debug, Clone)]
pub(crate) struct DecisionClock {
    /// The leader was never held.
    pub rate_free: f64,
    /// The leader is held.
    pub rate_held: f64,
    /// The leader was held and every hold has gone.
    pub rate_released: f64,
    /// The best-supported declared candidate at the start.
    pub leader: Option<u16>,
    pub leader_had_holds: bool,
    /// The choice weight of each candidate (`exp(α·x)`), the fresh candidate's slot last (0:
    /// see `fresh_free`/`fresh_held`).
    pub weight: Vec<f64>,
    /// Factor on the weight of a candidate still held when the clock fires.
    pub held_factor: f64,
    /// The weight of "another candidate" while the leader is free, and while it is held.
    pub fresh_free: f64,
    pub fresh_held: f64,
    /// The decision clock's own time: the common pressure and the days of meetings.
    pub time: TimeScale,
    pub clock_slot: u64,
    pub choice_slot: u64,
}

/// Where the leading candidate stands, for the decision clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LeaderState {
    /// Not held at the start (or no leader).
    Free,
    Held,
    /// Held at the start, every hold gone since.
    Released,
}

/// What a candidate's weight in the choice and its withdrawal rate depend on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct CandidateCovariates {
    /// Share of the members backing it (of the votes, under a voting rule).
    pub support_share: f64,
    /// The best-supported declared candidate.
    pub leader: bool,
    /// A permanent member discouraged it in the latest straw poll.
    pub vetoed: bool,
    /// Floated, not (yet) in the race.
    pub potential: bool,
}

impl CandidateCovariates {
    /// Per input candidate.
    pub(crate) fn of(input: &ForecastInput) -> Vec<CandidateCovariates> {
        let members = f64::from(input.members_count.max(1));
        let leader = input
            .candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.candidacy == Candidacy::Declared)
            .max_by_key(|(i, c)| (c.supporters, std::cmp::Reverse(*i)))
            .map(|(i, _)| i);
        input
            .candidates
            .iter()
            .enumerate()
            .map(|(i, c)| CandidateCovariates {
                support_share: (f64::from(c.supporters) / members).min(1.0),
                leader: Some(i) == leader && c.supporters > 0,
                vetoed: c.vetoed,
                potential: c.candidacy == Candidacy::Potential,
            })
            .collect()
    }
}

/// What the decision clock's rate depends on, besides the leader's state and the pressure.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ContestCovariates {
    pub leader_support: f64,
    pub undeclared_share: f64,
    pub no_declared: bool,
    /// ln(declared candidates), 0 with one or none.
    pub declared_count: f64,
    /// ln(1 + events in the 30 days up to the forecast's date).
    pub recent_events: f64,
}

impl ContestCovariates {
    pub(crate) fn of(input: &ForecastInput) -> ContestCovariates {
        let covariates = CandidateCovariates::of(input);
        let declared = input
            .candidates
            .iter()
            .filter(|c| c.candidacy == Candidacy::Declared)
            .count();
        ContestCovariates {
            leader_support: covariates
                .iter()
                .find(|c| c.leader)
                .map_or(0.0, |c| c.support_share),
            undeclared_share: f64::from(input.undeclared) / f64::from(input.members_count.max(1)),
            no_declared: declared == 0,
            declared_count: (declared.max(1) as f64).ln(),
            recent_events: f64::from(input.recent_events).ln_1p(),
        }
    }
}

/// What a hold's release rate depends on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HoldCovariates {
    /// The coefficient index of the hold's kind.
    pub kind: usize,
    pub great_power: bool,
    /// Share of the member's conditions the candidate's commitments meet.
    pub conditions_met: f64,
}

impl HoldCovariates {
    /// `None` for an implicit hold (backing a rival), which model v2 does not clock.
    pub(crate) fn of(hold: &Hold, great_power: bool) -> Option<HoldCovariates> {
        let (kind, conditions_met) = match &hold.kind {
            HoldKind::Withholds | HoldKind::Consultation => (coef::HOLD_WITHHOLDS, None),
            HoldKind::Objects => (coef::HOLD_OBJECTS, None),
            HoldKind::OwnNational => (coef::HOLD_OWN_NATIONAL, None),
            HoldKind::Implicit { .. } => return None,
            HoldKind::PendingConditions { met, total } => (
                coef::HOLD_PENDING,
                Some(f64::from(*met) / f64::from((*total).max(1))),
            ),
        };
        let conditions_met = conditions_met.unwrap_or_else(|| {
            hold.conditions
                .map_or(0.0, |c| f64::from(c.met) / f64::from(c.total.max(1)))
        });
        Some(HoldCovariates {
            kind,
            great_power,
            conditions_met,
        })
    }
}

/// A hold's release rates (shared, alone).
pub(crate) fn hold_rates(v2: &V2Params, x: &HoldCovariates) -> (f64, f64) {
    let eta = v2.beta(x.kind)
        + v2.beta(coef::HOLD_GREAT_POWER) * f64::from(u8::from(x.great_power))
        + v2.beta(coef::HOLD_CONDITIONS_MET) * x.conditions_met;
    (eta.exp(), (eta + v2.beta(coef::HOLD_LAST)).exp())
}

/// The decision clock's rate.
pub(crate) fn decide_rate(
    v2: &V2Params,
    rule: RuleFamily,
    x: &ContestCovariates,
    leader: LeaderState,
) -> f64 {
    let intercept = match rule {
        RuleFamily::Consensus => coef::DECIDE_CONSENSUS,
        RuleFamily::Vote | RuleFamily::VetoVote => coef::DECIDE_VOTE,
    };
    (v2.beta(intercept)
        + v2.beta(coef::DECIDE_LEADER_SUPPORT) * x.leader_support
        + v2.beta(coef::DECIDE_LEADER_HELD) * f64::from(u8::from(leader == LeaderState::Held))
        + v2.beta(coef::DECIDE_LEADER_RELEASED)
            * f64::from(u8::from(leader == LeaderState::Released))
        + v2.beta(coef::DECIDE_UNDECLARED) * x.undeclared_share
        + v2.beta(coef::DECIDE_NO_DECLARED) * f64::from(u8::from(x.no_declared))
        + v2.beta(coef::DECIDE_DECLARED_COUNT) * x.declared_count
        + v2.beta(coef::DECIDE_RECENT) * x.recent_events)
        .exp()
}

/// A candidate's weight in the choice of the winner (before the held factor).
pub(crate) fn choose_weight(v2: &V2Params, x: &CandidateCovariates, held: bool) -> f64 {
    (v2.beta(coef::CHOOSE_SUPPORT) * x.support_share
        + v2.beta(coef::CHOOSE_LEADER) * f64::from(u8::from(x.leader))
        + v2.beta(coef::CHOOSE_HELD) * f64::from(u8::from(held))
        + v2.beta(coef::CHOOSE_VETOED) * f64::from(u8::from(x.vetoed))
        + v2.beta(coef::CHOOSE_POTENTIAL) * f64::from(u8::from(x.potential)))
    .exp()
}

/// A declared candidate's withdrawal rate.
pub(crate) fn withdraw_rate(v2: &V2Params, x: &CandidateCovariates) -> f64 {
    (v2.beta(coef::WITHDRAW_INTERCEPT)
        + v2.beta(coef::WITHDRAW_SUPPORT) * x.support_share
        + v2.beta(coef::WITHDRAW_LEADER) * f64::from(u8::from(x.leader)))
    .exp()
}
