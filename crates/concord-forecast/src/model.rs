//! The compiled model: an input and its parameters turned into flat arrays the trial loop
//! reads without allocating, and the clock that maps calendar days to "pressure time".
//!
//! Every hazard in model v1 is `base × state factor × pressure(t)`, with one `pressure(t)`
//! common to all holds and withdrawals. In the operational time `u = ∫ pressure`, every rate
//! is therefore constant between events, so event times are sampled exactly by inverting the
//! cumulative hazard: a unit exponential clock per hold, spent at a constant rate in `u`, and
//! `u` mapped back to days through a table of the integral (pressure is constant per day).

use crate::input::{Candidacy, ForecastInput, HoldKind, InputError, MilestoneKind};
use crate::params::Params;
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
    /// Base rate in operational time (per unit of pressure-day), conditions included.
    pub rate: f64,
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
    /// Pressure per day, `horizon` entries.
    pub pressure: Vec<f64>,
    /// Operational time at the start of each day, `horizon + 1` entries.
    pub cum: Vec<f64>,
    /// Holds with a clock of their own.
    pub holds: Vec<HoldM>,
    pub statics: Vec<StaticGroup>,
    pub cands: Vec<CandM>,
    pub any_declared: bool,
    pub isolation: f64,
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
        input.validate()?;
        let term_day = days_between(input.as_of, input.term_end);
        let horizon =
            (term_day.max(0) + i64::from(params.run.horizon_days_after_term_end)).max(1) as usize;

        // Pressure: the upcoming milestone that presses most, plus the early bump.
        let pp = &params.pressure;
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
        let mut cum = Vec::with_capacity(horizon + 1);
        let mut acc = 0.0;
        cum.push(acc);
        for p in &pressure {
            acc += p;
            cum.push(acc);
        }

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
                let weak = f64::from(c.supporters) / members < params.withdrawal.share_threshold;
                CandM {
                    declared,
                    withdraw_rate: if declared && weak {
                        params.withdrawal.rate
                    } else {
                        0.0
                    },
                    withdraw_slot: slot_key(&["withdraw", &c.name]),
                }
            })
            .collect();

        let h = &params.hazard;
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
                            * (1.0
                                + params.conditions.met_boost * f64::from(*met)
                                    / f64::from(*total)),
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
                hm.rate > 0.0 || hm.sensitive || hm.leader != Leader::None || is_leader(i)
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
            pressure,
            cum,
            holds,
            statics,
            any_declared: cands.iter().any(|c| c.declared),
            cands,
            isolation: params.isolation.factor,
            follow_p: params.follow.p,
            follow_lag_mean: params.follow.lag_mean_days,
            lag_min: params.decision.lag_min_days,
            lag_mean: params.decision.lag_mean_days,
            fresh_from,
            fresh_p: params.fresh.p,
            fresh_mean: params.fresh.delay_mean_days,
            entry_mean: params.fresh.entry_delay_mean_days,
            term_day,
            hard_day,
            lag_slot: slot_key(&["decision-lag"]),
            fresh_coin_slot: slot_key(&["fresh-coin"]),
            fresh_delay_slot: slot_key(&["fresh-delay"]),
        })
    }

    /// Operational time at calendar day `t` (days since `as_of`).
    #[inline]
    pub fn t_to_u(&self, t: f64) -> f64 {
        let h = self.horizon as f64;
        if t >= h {
            return self.cum[self.horizon] + (t - h);
        }
        let d = t as usize;
        self.cum[d] + (t - d as f64) * self.pressure[d]
    }

    /// Calendar day at operational time `u`.
    #[inline]
    pub fn u_to_t(&self, u: f64) -> f64 {
        let end = self.cum[self.horizon];
        if u >= end {
            return self.horizon as f64 + (u - end);
        }
        // The last day whose start is at or before u.
        let d = self.cum.partition_point(|&c| c <= u) - 1;
        d as f64 + (u - self.cum[d]) / self.pressure[d]
    }

    /// Operational time at the horizon.
    #[inline]
    pub fn u_horizon(&self) -> f64 {
        self.cum[self.horizon]
    }
}
