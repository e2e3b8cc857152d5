//! One trial: competing release clocks in operational time, event by event.
//!
//! The loop visits only events (a release, a withdrawal, a follower catching up), never days.
//! Each hold owns a unit exponential clock spent at its current rate; when the state changes
//! (a hold becomes the last one on its candidate) only the rate changes and the unspent part
//! of the clock carries over — the "modified next reaction method" (Anderson, J. Chem. Phys.
//! 2007). Because clocks are addressed by identity, the same trial with one hold lifted uses
//! the same clocks for every other hold: that is what makes the sensitivities and the
//! monotonicity test pathwise.

use crate::model::{DecisionClock, Leader, Model};
use crate::rng::TrialStream;

/// Who was agreed in a trial.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Winner {
    Candidate(u16),
    /// A fresh candidate entered after a stalemate (or, with none declared, the first to emerge).
    Fresh,
    /// Nothing by the horizon.
    Nobody,
}

/// What one trial produced.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Outcome {
    /// Decision day since `as_of` (infinite when nobody was agreed by the horizon).
    pub decision: f64,
    pub winner: Winner,
    /// The hold whose release cleared the winner.
    pub binding: Option<u16>,
}

/// Per-thread working memory, allocated once per rayon job, reused by every trial.
#[derive(Debug, Clone)]
pub(crate) struct Scratch {
    remaining: Vec<f64>,
    sched_u: Vec<f64>,
    follow_lag: Vec<f64>,
    eff_rate: Vec<f64>,
    active: Vec<bool>,
    /// Active holds per candidate (statics included): under v1 a candidate is clear at 0.
    count: Vec<u32>,
    /// Model v2: what is left of the decision clock's unit exponential.
    decision_remaining: f64,
    /// Model v2: the decision clock's rate since the last event (in its own time).
    decision_rate: f64,
    /// Model v2: the decision clock's own time at the last event.
    decision_u: f64,
    alive: Vec<bool>,
    withdraw_u: Vec<f64>,
    last_released: Vec<Option<u16>>,
    /// Per hold, a day it is released on whatever its own clock says (a hold linked to
    /// another contest releases when that contest is decided); infinite for none.
    pub forced: Vec<f64>,
    /// Random draws made, for the cost accounting.
    pub draws: u64,
}

impl Scratch {
    pub fn new(model: &Model) -> Scratch {
        let (nh, nc) = (model.holds.len(), model.cands.len());
        Scratch {
            remaining: vec![0.0; nh],
            sched_u: vec![0.0; nh],
            follow_lag: vec![0.0; nh],
            eff_rate: vec![0.0; nh],
            active: vec![false; nh],
            count: vec![0; nc],
            decision_remaining: 0.0,
            decision_rate: 0.0,
            decision_u: 0.0,
            alive: vec![false; nc],
            withdraw_u: vec![0.0; nc],
            last_released: vec![None; nc],
            forced: vec![f64::INFINITY; nh],
            draws: 0,
        }
    }
}

/// The next thing to happen.
#[derive(Debug, Clone, Copy)]
enum Next {
    Release(usize),
    Withdraw(usize),
    /// Model v2's decision clock fires.
    Decide,
}

impl Scratch {
    #[inline]
    fn exp1(&mut self, rng: &TrialStream, slot: u64) -> f64 {
        self.draws += 1;
        rng.exp1(slot)
    }

    #[inline]
    fn uniform(&mut self, rng: &TrialStream, slot: u64) -> f64 {
        self.draws += 1;
        rng.uniform(slot)
    }

    /// Activates hold `h` (at the start, or when its candidate declares).
    #[inline]
    fn activate(&mut self, model: &Model, rng: &TrialStream, h: usize) {
        let hold = &model.holds[h];
        self.active[h] = true;
        self.count[hold.cand as usize] += 1;
        self.remaining[h] = if hold.rate > 0.0 || hold.rate_alone > 0.0 {
            self.exp1(rng, hold.clock_slot)
        } else {
            f64::INFINITY
        };
    }

    /// Releases hold `h` at operational time `u`; returns whether its candidate is now clear.
    #[inline]
    fn release(&mut self, model: &Model, h: usize, u: f64) -> bool {
        self.active[h] = false;
        let c = model.holds[h].cand as usize;
        self.count[c] -= 1;
        self.last_released[c] = Some(h as u16);
        // Followers that drew "follow" catch up a lag after their leader.
        let mut t_now = None;
        for f in 0..model.holds.len() {
            if self.active[f]
                && model.holds[f].leader == Leader::Hold(h as u16)
                && self.follow_lag[f].is_finite()
            {
                let t = *t_now.get_or_insert_with(|| model.u_to_t(u));
                let at = model.t_to_u(t + self.follow_lag[f]);
                if at < self.sched_u[f] {
                    self.sched_u[f] = at;
                }
            }
        }
        self.count[c] == 0 && self.alive[c]
    }
}

/// Runs one trial. `lifted` is a hold released before day 0 (for the sensitivities).
pub(crate) fn simulate(
    model: &Model,
    rng: &TrialStream,
    lifted: Option<usize>,
    s: &mut Scratch,
) -> Outcome {
    let nh = model.holds.len();
    let nc = model.cands.len();
    let mut alive_count = 0usize;
    for c in 0..nc {
        s.count[c] = 0;
        s.last_released[c] = None;
        s.alive[c] = model.cands[c].declared;
        alive_count += usize::from(s.alive[c]);
        let rate = model.cands[c].withdraw_rate;
        s.withdraw_u[c] = if s.alive[c] && rate > 0.0 {
            s.exp1(rng, model.cands[c].withdraw_slot) / rate
        } else {
            f64::INFINITY
        };
    }
    for g in &model.statics {
        s.count[g.cand as usize] += g.count;
    }
    for h in 0..nh {
        let hold = &model.holds[h];
        s.active[h] = false;
        s.sched_u[h] = f64::INFINITY;
        s.follow_lag[h] = f64::INFINITY;
        if lifted == Some(h) {
            continue;
        }
        s.activate(model, rng, h);
        if s.forced[h].is_finite() {
            // Released with the contest it is linked to, not on a clock of its own.
            s.remaining[h] = f64::INFINITY;
            s.sched_u[h] = model.t_to_u(s.forced[h]);
            continue;
        }
        if hold.leader != Leader::None && s.uniform(rng, hold.coin_slot) < model.follow_p {
            s.follow_lag[h] = model.follow_lag_mean * s.exp1(rng, hold.lag_slot);
            let leader_gone = match hold.leader {
                Leader::AtStart => true,
                Leader::Hold(l) => lifted == Some(l as usize),
                Leader::None => false,
            };
            if leader_gone {
                s.sched_u[h] = model.t_to_u(s.follow_lag[h]);
            }
        }
    }

    // Model v1: the first declared candidate with no hold is clear at once. Model v2: the
    // decision clock decides when.
    let mut clear: Option<(usize, f64)> = match &model.decision {
        None => (0..nc)
            .find(|&c| s.alive[c] && s.count[c] == 0)
            .map(|c| (c, 0.0)),
        Some(d) => {
            s.decision_remaining = s.exp1(rng, d.clock_slot);
            s.decision_u = 0.0;
            None
        }
    };
    let u_end = model.u_horizon();
    let mut u = 0.0;
    while clear.is_none() {
        let mut best = f64::INFINITY;
        let mut next = None;
        for h in 0..nh {
            if !s.active[h] {
                continue;
            }
            let c = model.holds[h].cand as usize;
            let rate = if s.count[c] == 1 {
                model.holds[h].rate_alone
            } else {
                model.holds[h].rate
            };
            s.eff_rate[h] = rate;
            let fire = if rate > 0.0 {
                u + s.remaining[h] / rate
            } else {
                f64::INFINITY
            };
            let at = fire.min(s.sched_u[h]);
            if at < best {
                best = at;
                next = Some(Next::Release(h));
            }
        }
        // The last declared candidate standing does not withdraw: there is no one to yield to.
        if alive_count >= 2 {
            for c in 0..nc {
                if s.alive[c] && s.withdraw_u[c] < best {
                    best = s.withdraw_u[c];
                    next = Some(Next::Withdraw(c));
                }
            }
        }
        if let Some(d) = &model.decision {
            s.decision_rate = decision_rate(d, &s.alive, &s.count);
            if s.decision_rate > 0.0 {
                // The clock runs in its own time: map its firing back to the common one.
                let t = d
                    .time
                    .u_to_t(s.decision_u + s.decision_remaining / s.decision_rate);
                let fire = model.t_to_u(t);
                if fire < best {
                    best = fire;
                    next = Some(Next::Decide);
                }
            }
        }
        let Some(next) = next else { break };
        if best >= u_end {
            break;
        }
        let du = best - u;
        for h in 0..nh {
            if s.active[h] && s.eff_rate[h] > 0.0 {
                s.remaining[h] -= s.eff_rate[h] * du;
            }
        }
        u = best;
        if let Some(d) = &model.decision {
            let now = d.time.t_to_u(model.u_to_t(u));
            s.decision_remaining -= s.decision_rate * (now - s.decision_u);
            s.decision_u = now;
        }
        match next {
            Next::Release(h) => {
                if s.release(model, h, u) && model.decision.is_none() {
                    clear = Some((model.holds[h].cand as usize, u));
                }
            }
            Next::Withdraw(w) => {
                s.alive[w] = false;
                alive_count -= 1;
                for h in 0..nh {
                    if !s.active[h] {
                        continue;
                    }
                    if model.holds[h].cand as usize == w {
                        // Holds on a withdrawn candidate no longer matter.
                        s.active[h] = false;
                    } else if model.holds[h].release_on == Some(w as u16) {
                        s.release(model, h, u);
                    }
                }
                for g in &model.statics {
                    if g.release_on == Some(w as u16) && g.cand as usize != w {
                        s.count[g.cand as usize] -= g.count;
                    }
                }
                if model.decision.is_none() {
                    clear = (0..nc)
                        .find(|&c| s.alive[c] && s.count[c] == 0)
                        .map(|c| (c, u));
                }
            }
            Next::Decide => {
                let d = model
                    .decision
                    .as_ref()
                    .expect("only model v2 decides by a clock");
                let draw = s.uniform(rng, d.choice_slot);
                let winner = choose(model, d, &s.alive, &s.count, draw);
                // Holds still standing give way with the decision; the binding one is the
                // hold that would have held out longest.
                let swept = (0..nh)
                    .filter(|&h| s.active[h] && model.holds[h].cand as usize == winner)
                    .max_by(|&a, &b| {
                        let left = |h: usize| s.remaining[h] / s.eff_rate[h].max(f64::MIN_POSITIVE);
                        left(a).total_cmp(&left(b))
                    });
                if let Some(h) = swept {
                    s.last_released[winner] = Some(h as u16);
                }
                clear = Some((winner, u));
            }
        }
    }

    let (mut decision, mut winner, mut binding) = match clear {
        Some((c, u_clear)) => {
            let lag = model.lag_min + model.lag_mean * s.exp1(rng, model.lag_slot);
            let who = if model.fresh_cand == Some(c as u16) {
                Winner::Fresh
            } else {
                Winner::Candidate(c as u16)
            };
            (model.u_to_t(u_clear) + lag, who, s.last_released[c])
        }
        None => (f64::INFINITY, Winner::Nobody, None),
    };
    // Model v2's fresh candidate is a choice at the decision; v1's comes by a coin after the
    // hard deadline.
    if model.decision.is_some() {
        return finish(model, decision, winner, binding);
    }
    // A stalemate past the hard deadline may bring a fresh candidate; with nobody declared at
    // all, the first candidate to emerge is agreed after the entry delay.
    if !model.any_declared {
        let fresh = model.entry_mean * s.exp1(rng, model.fresh_delay_slot);
        if fresh < decision {
            (decision, winner, binding) = (fresh, Winner::Fresh, None);
        }
    } else if decision > model.fresh_from && s.uniform(rng, model.fresh_coin_slot) < model.fresh_p {
        let fresh = model.fresh_from + model.fresh_mean * s.exp1(rng, model.fresh_delay_slot);
        if fresh < decision {
            (decision, winner, binding) = (fresh, Winner::Fresh, None);
        }
    }
    finish(model, decision, winner, binding)
}

/// The trial's outcome, with nothing past the horizon.
#[inline]
fn finish(model: &Model, decision: f64, winner: Winner, binding: Option<u16>) -> Outcome {
    if decision >= model.horizon as f64 {
        return Outcome {
            decision: f64::INFINITY,
            winner: Winner::Nobody,
            binding: None,
        };
    }
    Outcome {
        decision,
        winner,
        binding,
    }
}

/// The decision clock's rate given where the leading candidate stands now.
#[inline]
fn decision_rate(d: &DecisionClock, alive: &[bool], count: &[u32]) -> f64 {
    match d.leader.map(usize::from) {
        Some(l) if alive[l] && count[l] > 0 => d.rate_held,
        Some(l) if alive[l] && d.leader_had_holds => d.rate_released,
        _ => d.rate_free,
    }
}

/// The winner when the decision clock fires: among the declared candidates still in the race
/// (a held one with its weight cut by `held_factor`), the floated ones and "another
/// candidate", in proportion to their weights. `draw` is uniform in [0, 1).
fn choose(model: &Model, d: &DecisionClock, alive: &[bool], count: &[u32], draw: f64) -> usize {
    let leader_held = d
        .leader
        .map(usize::from)
        .is_some_and(|l| alive[l] && count[l] > 0);
    let weight = |c: usize| -> f64 {
        if Some(c as u16) == model.fresh_cand {
            if leader_held {
                d.fresh_held
            } else {
                d.fresh_free
            }
        } else if alive[c] {
            d.weight[c] * if count[c] > 0 { d.held_factor } else { 1.0 }
        } else if model.cands[c].declared {
            // Withdrew.
            0.0
        } else {
            // Floated, never in the race: it can still be the one agreed.
            d.weight[c]
        }
    };
    let total: f64 = (0..model.cands.len()).map(weight).sum();
    let mut left = draw * total;
    for c in 0..model.cands.len() {
        left -= weight(c);
        if left < 0.0 {
            return c;
        }
    }
    model.cands.len() - 1
}
