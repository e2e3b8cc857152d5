//! The turn loop: utilities with risk attitudes, challenges, bargains, queues, ideals, stopping.
//!
//! Cost per turn is O(N³): the target search evaluates N² challenges of O(N) each, utilities
//! U^h_ij are computed once per turn and cached (N³ numbers), and each actor's bargain queue is
//! scored in O(N²) per bargain. KTAB additionally evaluates every (h, k, i, j) challenge for its
//! SQLite tables, even with `--logmin`, which is O(N⁴); that pass changes no result and is skipped.
//!
//! Work is split over actors with rayon. Each actor's numbers are computed by one thread in a
//! fixed order and gathered by index, so results are identical bit for bit at any thread count.

use rayon::prelude::*;
use serde::Serialize;

use crate::kernel::{
    self, PceFailure, index_of_max, norm_diff, scalar_pce, utility, vote, weighted_distance,
};
use crate::params::{
    BargnModel, BigRAdjust, BigRRange, InterVecBrgn, Params, StateTransitions, ThirdPartyCommit,
};
use crate::scenario::Scenario;

/// Options that do not change the model, only what is kept and how long it may run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// KTAB stops after 100 turns whatever happens.
    pub max_turns: usize,
    /// Keep every U^h_ij for every turn (N³ numbers per turn); for tests and diagnostics.
    pub record_utilities: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_turns: 100,
            record_utilities: false,
        }
    }
}

/// Why a run failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SmpError {
    #[error("invalid scenario: {}", problems.join("; "))]
    InvalidScenario { problems: Vec<String> },
    /// All positions are equally likely, so the risk attitudes R = (p − p_min)/(p_max − p_min)
    /// are 0/0. KTAB fails here too (it carries NaNs until an index check throws).
    #[error("turn {turn}: every position is equally likely, so risk attitudes are undefined")]
    UndefinedRiskAttitudes { turn: usize },
    /// Risk attitudes change no utility (every distance is 0 or 1); KTAB throws here.
    #[error("turn {turn}: risk attitudes make no difference to any utility")]
    RiskAttitudesIrrelevant { turn: usize },
    #[error("turn {turn}: a Markov PCE did not converge in 1000 iterations")]
    NoConvergence { turn: usize },
}

/// A run: one `Turn` per state, from the initial positions (turn 0) to the last.
#[derive(Clone, Debug, Serialize)]
pub struct Run {
    pub scenario: String,
    pub dimensions: Vec<String>,
    pub actors: Vec<String>,
    pub params: Params,
    pub turns: Vec<Turn>,
}

impl Run {
    /// Number of bargaining steps (KTAB's "steps between states").
    pub fn num_turns(&self) -> usize {
        self.turns.len() - 1
    }

    /// The last state.
    pub fn last(&self) -> &Turn {
        self.turns.last().expect("a run has at least one state")
    }
}

/// One state of the model.
#[derive(Clone, Debug, Serialize)]
pub struct Turn {
    pub turn: usize,
    /// Positions per actor and dimension, on the internal [0, 1] scale.
    pub positions: Vec<Vec<f64>>,
    /// Ideals per actor and dimension, on the [0, 1] scale.
    pub ideals: Vec<Vec<f64>>,
    /// Each actor's risk attitude R_i this turn.
    pub risk: Vec<f64>,
    /// Probability that each actor's position is the outcome (actors sharing a position show
    /// the same number, so these can sum to more than 1).
    pub outcome_prob: Vec<f64>,
    /// Distinct positions (closer than 10⁻³ merged) with their outcome probabilities.
    pub classes: Vec<PositionClass>,
    /// Bargains formed in this state, which lead to the next (empty in the last state).
    pub bargains: Vec<Bargain>,
    /// Distance moved into this state / (distance moved on turn 1 + 10⁻⁴); `None` for turn 0.
    pub stop_ratio: Option<f64>,
    /// U^h_ij, flat as `[h][i][j]`, when `RunOptions::record_utilities` is set.
    #[serde(skip)]
    pub utilities: Option<Vec<f64>>,
}

/// A distinct position and the probability that it is the outcome.
#[derive(Clone, Debug, Serialize)]
pub struct PositionClass {
    /// The first actor holding it (its position is the class's position).
    pub representative: usize,
    /// Actors at it, by KTAB's first-match grouping.
    pub members: Vec<usize>,
    pub position: Vec<f64>,
    pub probability: f64,
}

/// A bargain in some actor's queue. A status-quo bargain has `initiator == receiver`.
#[derive(Clone, Debug, Serialize)]
pub struct Bargain {
    pub initiator: usize,
    pub receiver: usize,
    /// The initiator's proposed position, on the [0, 1] scale.
    pub initiator_position: Vec<f64>,
    /// The receiver's proposed position, on the [0, 1] scale.
    pub receiver_position: Vec<f64>,
    /// The probability of this bargain in the initiator's queue.
    pub initiator_prob: f64,
    pub initiator_selected: bool,
    /// The probability in the receiver's queue (`None` for a status-quo bargain).
    pub receiver_prob: Option<f64>,
    pub receiver_selected: Option<bool>,
}

impl Turn {
    /// The probability-weighted mean of the distinct positions, on the [0, 1] scale.
    pub fn expected_outcome(&self) -> Vec<f64> {
        let nd = self.positions.first().map_or(0, Vec::len);
        let mut e = vec![0.0; nd];
        for c in &self.classes {
            for (d, x) in c.position.iter().enumerate() {
                e[d] += c.probability * x;
            }
        }
        e
    }

    /// The most probable distinct position (the first, if tied).
    pub fn most_probable(&self) -> &PositionClass {
        let p: Vec<f64> = self.classes.iter().map(|c| c.probability).collect();
        &self.classes[index_of_max(&p)]
    }
}

/// Runs the model to its stopping rule.
pub fn run(scenario: &Scenario) -> Result<Run, SmpError> {
    run_with(scenario, &RunOptions::default())
}

/// Runs the model with explicit options.
pub fn run_with(scenario: &Scenario, options: &RunOptions) -> Result<Run, SmpError> {
    let problems = scenario.problems();
    if !problems.is_empty() {
        return Err(SmpError::InvalidScenario { problems });
    }
    let model = Model::new(scenario);
    let n = model.n;
    let nd = model.nd;
    // KTAB reads positions and saliences on [0, 100] and divides by 100.
    let mut pos = vec![0.0; n * nd];
    for (i, a) in scenario.actors.iter().enumerate() {
        for d in 0..nd {
            pos[i * nd + d] = a.position[d] / 100.0;
        }
    }
    let ideal = pos.clone();
    let mut rng = SplitMix64(scenario.seed);

    let mut turns: Vec<Turn> = Vec::new();
    let mut state = model.assess(0, pos, ideal)?;
    let mut prev_pos: Vec<f64> = Vec::new();
    let mut first_move = 0.0;
    loop {
        let t = state.turn;
        let stop_ratio = if t == 0 {
            None
        } else {
            let moved = state_distance(&prev_pos, &state.pos, n, nd);
            if t == 1 {
                first_move = moved;
            }
            // KTAB adds 10⁻⁴ to the first move, to guard against 0/0.
            Some(moved / (first_move + 1e-4))
        };
        let done = t >= options.max_turns || (t >= 2 && stop_ratio.is_some_and(|r| r < STOP_RATIO));
        let (bargains, next) = if done {
            (Vec::new(), None)
        } else {
            let (b, p) = model.step(&state, &mut rng).map_err(|f| match f {
                PceFailure::NoConvergence => SmpError::NoConvergence { turn: t },
            })?;
            (b, Some(p))
        };
        let record = model.record(&state, bargains, stop_ratio, options.record_utilities);
        turns.push(record);
        match next {
            None => break,
            Some(new_pos) => {
                let new_ideal = model.new_ideals(&state.ideal, &new_pos);
                prev_pos = std::mem::take(&mut state.pos);
                state = model.assess(t + 1, new_pos, new_ideal)?;
            }
        }
    }
    Ok(Run {
        scenario: scenario.name.clone(),
        dimensions: scenario.dimensions.clone(),
        actors: scenario.actors.iter().map(|a| a.name.clone()).collect(),
        params: scenario.params,
        turns,
    })
}

/// Stop when a turn moves less than 2 % of the first turn's movement.
const STOP_RATIO: f64 = 0.02;
/// Positions closer than this (Euclidean, [0, 1] scale) are the same position.
const POS_TOL: f64 = 1e-3;
/// A challenge must gain more than this to be made.
const MIN_SIG_EDU: f64 = 1e-5;

fn state_distance(a: &[f64], b: &[f64], n: usize, nd: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += norm_diff(&a[i * nd..(i + 1) * nd], &b[i * nd..(i + 1) * nd]);
    }
    s
}

/// Fixed inputs of a run on the internal scale.
struct Model {
    n: usize,
    nd: usize,
    cap: Vec<f64>,
    /// Saliences on [0, 1], `[i * nd + d]`.
    sal: Vec<f64>,
    /// Total salience S_i.
    sal_sum: Vec<f64>,
    params: Params,
    /// Accommodation matrix, `[i * n + j]`.
    acc: Vec<f64>,
}

/// A state with everything derived from its positions and ideals.
struct Assessed {
    turn: usize,
    pos: Vec<f64>,
    ideal: Vec<f64>,
    risk: Vec<f64>,
    /// U^h_ij at `[(h * n + i) * n + j]`.
    util: Vec<f64>,
    /// First-occurrence indices of distinct positions.
    unique: Vec<usize>,
    /// For each actor, the index into `unique` of its class (first match).
    class_of: Vec<usize>,
    /// Outcome probability of each distinct position.
    unique_prob: Vec<f64>,
}

/// An interpolated bargain before queue resolution.
struct Proposal {
    initiator: usize,
    receiver: usize,
    pos_init: Vec<f64>,
    pos_rcvr: Vec<f64>,
}

impl Model {
    fn new(s: &Scenario) -> Self {
        let n = s.actors.len();
        let nd = s.dimensions.len();
        let cap = s.actors.iter().map(|a| a.capability).collect();
        let mut sal = vec![0.0; n * nd];
        for (i, a) in s.actors.iter().enumerate() {
            for d in 0..nd {
                sal[i * nd + d] = a.salience[d] / 100.0;
            }
        }
        let sal_sum = (0..n)
            .map(|i| kernel::sum(&sal[i * nd..(i + 1) * nd]))
            .collect();
        let mut acc = vec![0.0; n * n];
        match &s.accommodation {
            None => (0..n).for_each(|i| acc[i * n + i] = 1.0),
            Some(a) => {
                for i in 0..n {
                    acc[i * n..(i + 1) * n].copy_from_slice(&a[i]);
                }
            }
        }
        Model {
            n,
            nd,
            cap,
            sal,
            sal_sum,
            params: s.params,
            acc,
        }
    }

    /// Distances, risk attitudes, estimated utilities and outcome probabilities of a state.
    fn assess(&self, turn: usize, pos: Vec<f64>, ideal: Vec<f64>) -> Result<Assessed, SmpError> {
        let n = self.n;
        let nd = self.nd;
        let pr = &self.params;
        // d_ij: distance from i's ideal to j's position, weighted by i's saliences
        let mut vdiff = vec![0.0; n * n];
        vdiff.par_chunks_mut(n).enumerate().for_each(|(i, row)| {
            let idl = &ideal[i * nd..(i + 1) * nd];
            let s = &self.sal[i * nd..(i + 1) * nd];
            for (j, x) in row.iter_mut().enumerate() {
                *x = weighted_distance(idl, &pos[j * nd..(j + 1) * nd], s);
            }
        });
        // Risk attitudes from a PCE over all N positions with risk-neutral utilities and
        // capability-only weights (trap 1: not c·S).
        let rn: Vec<f64> = vdiff.iter().map(|&d| utility(d, 0.0)).collect();
        let p = scalar_pce(
            pr.voting_rule,
            pr.victory_prob_model,
            pr.pce_model,
            &self.cap,
            &rn,
            n,
            n,
        )
        .map_err(|_| SmpError::NoConvergence { turn })?;
        let risk =
            big_r_from_prob(&p, pr.big_r_range).ok_or(SmpError::UndefinedRiskAttitudes { turn })?;
        let mut diff2 = 0.0;
        for i in 0..n {
            for j in 0..n {
                let x = rn[i * n + j] - utility(vdiff[i * n + j], risk[i]);
                diff2 += x * x;
            }
        }
        if diff2.sqrt() <= 1e-6 {
            return Err(SmpError::RiskAttitudesIrrelevant { turn });
        }
        // KTAB also throws when some h's estimates equal the true risk-aware utilities. With
        // BigRAdjust = Full that is always so, which makes Full unusable in KTAB; concord
        // does not reproduce that check.
        let mut util = vec![0.0; n * n * n];
        util.par_chunks_mut(n * n).enumerate().for_each(|(h, uh)| {
            for i in 0..n {
                let rhi = est_nra(risk[h], risk[i], pr.big_r_adjust);
                for j in 0..n {
                    uh[i * n + j] = utility(vdiff[i * n + j], rhi);
                }
            }
        });
        // distinct positions: KTAB's ueIndices (first match), unweighted Euclidean distance
        let mut unique: Vec<usize> = Vec::new();
        let mut class_of = Vec::with_capacity(n);
        for i in 0..n {
            let pi = &pos[i * nd..(i + 1) * nd];
            match unique
                .iter()
                .position(|&k| norm_diff(pi, &pos[k * nd..(k + 1) * nd]) < POS_TOL)
            {
                Some(c) => class_of.push(c),
                None => {
                    unique.push(i);
                    class_of.push(unique.len() - 1);
                }
            }
        }
        // outcome: each actor votes with its own estimate of its own utilities, weight c_i
        let nu = unique.len();
        let mut uu = vec![0.0; n * nu];
        for i in 0..n {
            for (c, &k) in unique.iter().enumerate() {
                uu[i * nu + c] = util[(i * n + i) * n + k];
            }
        }
        let unique_prob = scalar_pce(
            pr.voting_rule,
            pr.victory_prob_model,
            pr.pce_model,
            &self.cap,
            &uu,
            n,
            nu,
        )
        .map_err(|_| SmpError::NoConvergence { turn })?;
        Ok(Assessed {
            turn,
            pos,
            ideal,
            risk,
            util,
            unique,
            class_of,
            unique_prob,
        })
    }

    /// The report of a state.
    fn record(
        &self,
        s: &Assessed,
        bargains: Vec<Bargain>,
        stop_ratio: Option<f64>,
        keep_util: bool,
    ) -> Turn {
        let n = self.n;
        let nd = self.nd;
        let split = |v: &[f64]| -> Vec<Vec<f64>> { v.chunks(nd).map(<[f64]>::to_vec).collect() };
        // KTAB's posProb takes the *last* distinct position equivalent to the actor's, which
        // can differ from the first-match class when equivalence is not transitive.
        let outcome_prob = (0..n)
            .map(|i| {
                let pi = &s.pos[i * nd..(i + 1) * nd];
                let c = s
                    .unique
                    .iter()
                    .rposition(|&k| norm_diff(pi, &s.pos[k * nd..(k + 1) * nd]) < POS_TOL)
                    .expect("an actor's position is equivalent to itself");
                s.unique_prob[c]
            })
            .collect();
        let classes = s
            .unique
            .iter()
            .enumerate()
            .map(|(c, &k)| PositionClass {
                representative: k,
                members: (0..n).filter(|&i| s.class_of[i] == c).collect(),
                position: s.pos[k * nd..(k + 1) * nd].to_vec(),
                probability: s.unique_prob[c],
            })
            .collect();
        Turn {
            turn: s.turn,
            positions: split(&s.pos),
            ideals: split(&s.ideal),
            risk: s.risk.clone(),
            outcome_prob,
            classes,
            bargains,
            stop_ratio,
            utilities: keep_util.then(|| s.util.clone()),
        }
    }

    /// h's estimate of P[i beats j] and of the change in k's utility if i challenges j
    /// (KTAB's `probEduChlg`).
    fn prob_edu_chlg(&self, s: &Assessed, h: usize, k: usize, i: usize, j: usize) -> (f64, f64) {
        let n = self.n;
        let vr = self.params.voting_rule;
        let u = &s.util[h * n * n..(h + 1) * n * n];
        let at = |a: usize, b: usize| u[a * n + b];
        let uii = at(i, i);
        let uij = at(i, j);
        let uji = at(j, i);
        let ujj = at(j, j);
        let eu_sq = at(k, i) + at(k, j);
        let uhkij = at(k, i) + at(k, i);
        let uhkji = at(k, j) + at(k, j);
        let si = self.sal_sum[i];
        let ci = self.cap[i];
        let sj = self.sal_sum[j];
        let cj = self.cap[j];
        const MIN_CLTN: f64 = 1e-10;
        // principals vote with c·S (trap 1)
        let contrib_i = vote(vr, si * ci, uii, uij);
        let contrib_j = vote(vr, sj * cj, uji, ujj);
        let mut chij = MIN_CLTN;
        let mut chji = MIN_CLTN;
        if contrib_i > 0.0 {
            chij += contrib_i;
        }
        if contrib_i < 0.0 {
            chji -= contrib_i;
        }
        if contrib_j > 0.0 {
            chij += contrib_j;
        }
        if contrib_j < 0.0 {
            chji -= contrib_j;
        }
        let base_ij = chij;
        let base_ji = chji;
        let tpc = self.params.third_party_commit;
        for nn in 0..n {
            if nn == i || nn == j {
                continue;
            }
            let wn = self.sal_sum[nn] * self.cap[nn];
            let uni = at(nn, i);
            let unj = at(nn, j);
            let unn = at(nn, nn);
            // each third party first judges the little contest of the principals plus itself
            let c_n = vote(vr, wn, uni, unj);
            let cni = if c_n > 0.0 { base_ij + c_n } else { base_ij };
            let cnj = if c_n < 0.0 { base_ji - c_n } else { base_ji };
            let pin = cni / (cni + cnj);
            let pjn = 1.0 - pin;
            let vn = third_party_vote(vr, tpc, wn, pin, pjn, uni, unj, unn);
            if vn > 0.0 {
                chij += vn;
            }
            if vn < 0.0 {
                chji -= vn;
            }
        }
        // always the linear ratio, whatever VictoryProbModel says (trap 2)
        let phij = chij / (chij + chji);
        let phji = chji / (chij + chji);
        let eu_vict = uhkij;
        let eu_cntst = phij * uhkij + phji * uhkji;
        // j resists with probability S_j
        let eu_chlg = (1.0 - sj) * eu_vict + sj * eu_cntst;
        (phij, eu_chlg - eu_sq)
    }

    /// Targets, bargains and queue resolution: the next positions.
    fn step(
        &self,
        s: &Assessed,
        rng: &mut SplitMix64,
    ) -> Result<(Vec<Bargain>, Vec<f64>), PceFailure> {
        let n = self.n;
        let nd = self.nd;
        let pr = &self.params;
        // 1. each actor picks its best target and proposes a bargain
        let proposals: Vec<Vec<Proposal>> = (0..n)
            .into_par_iter()
            .map(|i| {
                let mut best_j = None;
                let mut p_ij = 0.0;
                let mut best_eu = -1.0;
                for j in (0..n).filter(|&j| j != i) {
                    let (p, edu) = self.prob_edu_chlg(s, i, i, i, j);
                    if MIN_SIG_EDU < edu && best_eu < edu {
                        best_j = Some(j);
                        p_ij = p;
                        best_eu = edu;
                    }
                }
                let Some(j) = best_j else { return Vec::new() };
                let iij = self.interpolate(s, i, j, p_ij, 1.0 - p_ij);
                match pr.bargn_model {
                    BargnModel::InitOnlyInterp => vec![iij],
                    BargnModel::InitRcvrInterp | BargnModel::PWCompInterp => {
                        let (p_ji, _) = self.prob_edu_chlg(s, j, i, i, j);
                        let jij = self.interpolate(s, i, j, p_ji, 1.0 - p_ji);
                        if pr.bargn_model == BargnModel::InitRcvrInterp {
                            vec![iij, jij]
                        } else {
                            // KTAB weighs j's bargain with the *initiator's* capability
                            // (`brgnJIJ->actInit->sCap`) times j's total salience.
                            let wi = self.cap[i] * self.sal_sum[i];
                            let wj = self.cap[i] * self.sal_sum[j];
                            let mix = |a: &[f64], b: &[f64]| -> Vec<f64> {
                                (0..nd)
                                    .map(|d| (wi * a[d] + wj * b[d]) / (wi + wj))
                                    .collect()
                            };
                            vec![Proposal {
                                initiator: i,
                                receiver: j,
                                pos_init: mix(&iij.pos_init, &jij.pos_init),
                                pos_rcvr: mix(&iij.pos_rcvr, &jij.pos_rcvr),
                            }]
                        }
                    }
                }
            })
            .collect();
        // 2. queues: the status quo, then the actor's own proposal(s), then those it received,
        // by initiator. KTAB fills its queues in thread order, so the order (which only matters
        // when two bargains tie exactly) varies from run to run there (trap 7); a fixed order
        // keeps concord's runs reproducible. Own-first matches the one exact tie seen in the
        // test vectors (gen-a013-d2-variant, turn 9, where both choices move H010 alike).
        let props: Vec<&Proposal> = proposals.iter().flatten().collect();
        let mut queues: Vec<Vec<Option<usize>>> = (0..n).map(|_| vec![None]).collect();
        for (b, p) in props.iter().enumerate() {
            queues[p.initiator].push(Some(b));
        }
        for (b, p) in props.iter().enumerate() {
            queues[p.receiver].push(Some(b));
        }
        // 3. each actor scores its queue and runs a PCE over it
        let probs: Vec<Vec<f64>> = queues
            .par_iter()
            .enumerate()
            .map(|(k, q)| self.queue_probs(s, k, q, &props))
            .collect::<Result<_, _>>()?;
        let chosen: Vec<usize> = match pr.state_transitions {
            StateTransitions::Deterministic => probs.iter().map(|p| index_of_max(p)).collect(),
            StateTransitions::Stochastic => probs.iter().map(|p| rng.select(p)).collect(),
        };
        // 4. each actor moves to its side of its chosen bargain, whatever its partner chose
        let mut new_pos = s.pos.clone();
        for k in 0..n {
            if let Some(b) = queues[k][chosen[k]] {
                let p = props[b];
                let src = if p.initiator == k {
                    &p.pos_init
                } else {
                    &p.pos_rcvr
                };
                new_pos[k * nd..(k + 1) * nd].copy_from_slice(src);
            }
        }
        // 5. the bargain report, in KTAB's bargains.csv shape
        let mut bargains = Vec::with_capacity(n + props.len());
        for k in 0..n {
            bargains.push(Bargain {
                initiator: k,
                receiver: k,
                initiator_position: s.pos[k * nd..(k + 1) * nd].to_vec(),
                receiver_position: s.pos[k * nd..(k + 1) * nd].to_vec(),
                initiator_prob: probs[k][0],
                initiator_selected: chosen[k] == 0,
                receiver_prob: None,
                receiver_selected: None,
            });
        }
        for (b, p) in props.iter().enumerate() {
            let slot = |k: usize| {
                queues[k]
                    .iter()
                    .position(|x| *x == Some(b))
                    .expect("queued")
            };
            let (si, sr) = (slot(p.initiator), slot(p.receiver));
            bargains.push(Bargain {
                initiator: p.initiator,
                receiver: p.receiver,
                initiator_position: p.pos_init.clone(),
                receiver_position: p.pos_rcvr.clone(),
                initiator_prob: probs[p.initiator][si],
                initiator_selected: chosen[p.initiator] == si,
                receiver_prob: Some(probs[p.receiver][sr]),
                receiver_selected: Some(chosen[p.receiver] == sr),
            });
        }
        Ok((bargains, new_pos))
    }

    /// Actor k's PCE over its queue; `None` is its status quo.
    fn queue_probs(
        &self,
        s: &Assessed,
        k: usize,
        queue: &[Option<usize>],
        props: &[&Proposal],
    ) -> Result<Vec<f64>, PceFailure> {
        let n = self.n;
        let nb = queue.len();
        let _ = k;
        let mut u = vec![0.0; n * nb];
        for a in 0..n {
            let own = &s.util[(a * n + a) * n..(a * n + a + 1) * n];
            for (m, b) in queue.iter().enumerate() {
                let mut avg = 0.0;
                match b {
                    None => {
                        for x in own {
                            avg += x;
                        }
                    }
                    Some(b) => {
                        let p = props[*b];
                        avg += self.pos_util(s, a, &p.pos_init);
                        avg += self.pos_util(s, a, &p.pos_rcvr);
                        for (x, v) in own.iter().enumerate() {
                            if x != p.initiator && x != p.receiver {
                                avg += v;
                            }
                        }
                    }
                }
                u[a * nb + m] = avg / n as f64;
            }
        }
        let pr = &self.params;
        scalar_pce(
            pr.voting_rule,
            pr.victory_prob_model,
            pr.pce_model,
            &self.cap,
            &u,
            n,
            nb,
        )
    }

    /// Actor a's utility for a position, with its own ideal, saliences and risk attitude.
    fn pos_util(&self, s: &Assessed, a: usize, y: &[f64]) -> f64 {
        let nd = self.nd;
        let d = weighted_distance(
            &s.ideal[a * nd..(a + 1) * nd],
            y,
            &self.sal[a * nd..(a + 1) * nd],
        );
        utility(d, s.risk[a])
    }

    /// The bargain between i and j interpolated with victory probabilities p_i and p_j.
    fn interpolate(&self, s: &Assessed, i: usize, j: usize, prb_i: f64, prb_j: f64) -> Proposal {
        let nd = self.nd;
        let mut bi = vec![0.0; nd];
        let mut bj = vec![0.0; nd];
        for d in 0..nd {
            let tik = s.pos[i * nd + d];
            let sik = self.sal[i * nd + d];
            let tjk = s.pos[j * nd + d];
            let sjk = self.sal[j * nd + d];
            let (x, y) = match self.params.inter_vec_brgn {
                InterVecBrgn::S1P1 => interp_snpm(1, tik, sik, prb_i, tjk, sjk, prb_j),
                InterVecBrgn::S2P2 => interp_snpm(2, tik, sik, prb_i, tjk, sjk, prb_j),
                InterVecBrgn::S2PMax => interp_s2pmax(tik, sik, prb_i, tjk, sjk, prb_j),
            };
            bi[d] = x;
            bj[d] = y;
        }
        Proposal {
            initiator: i,
            receiver: j,
            pos_init: bi,
            pos_rcvr: bj,
        }
    }

    /// Ideals move towards the new positions by the accommodation matrix (step 9).
    fn new_ideals(&self, old: &[f64], pos: &[f64]) -> Vec<f64> {
        let n = self.n;
        let nd = self.nd;
        let mut out = vec![0.0; n * nd];
        for i in 0..n {
            let mut si = 0.0;
            let mut ip = vec![0.0; nd];
            for j in 0..n {
                let a = self.acc[i * n + j];
                si += a;
                for d in 0..nd {
                    ip[d] += a * pos[j * nd + d];
                }
            }
            let si = if si > 1.0 { 1.0 } else { si };
            let lag = 1.0 - si;
            for d in 0..nd {
                out[i * nd + d] = ip[d] + lag * old[i * nd + d];
            }
        }
        out
    }
}

/// Risk attitudes from position probabilities; `None` when all are equal.
fn big_r_from_prob(p: &[f64], rr: BigRRange) -> Option<Vec<f64>> {
    let mut p_min = 1.0;
    let mut p_max = 0.0;
    for &x in p {
        p_min = if x < p_min { x } else { p_min };
        p_max = if x > p_max { x } else { p_max };
    }
    if p_max - p_min <= 0.0 {
        return None;
    }
    Some(
        p.iter()
            .map(|&x| match rr {
                BigRRange::Min => (x - p_min) / (p_max - p_min),
                BigRRange::Mid => (3.0 * x - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min)),
                BigRRange::Max => (2.0 * x - (p_max + p_min)) / (p_max - p_min),
            })
            .collect(),
    )
}

/// h's estimate of i's risk attitude.
fn est_nra(rh: f64, ri: f64, ra: BigRAdjust) -> f64 {
    match ra {
        BigRAdjust::Full => ri,
        BigRAdjust::TwoThirds => (rh + (2.0 * ri)) / 3.0,
        BigRAdjust::Half => (rh + ri) / 2.0,
        BigRAdjust::OneThird => ((2.0 * rh) + ri) / 3.0,
        BigRAdjust::None => rh,
    }
}

/// A third party's vote, comparing joining i with joining j (KTAB's `thirdPartyVoteSU`).
/// The same π is used on both sides, so under FullCommit and NoCommit the two expected values
/// are identical and the vote is zero (trap 6): only SemiCommit gives third parties influence.
#[allow(clippy::too_many_arguments)]
fn third_party_vote(
    vr: crate::params::VotingRule,
    tpc: ThirdPartyCommit,
    wk: f64,
    pik: f64,
    pjk: f64,
    uki: f64,
    ukj: f64,
    ukk: f64,
) -> f64 {
    let (u_ik_def_j, u_j_def_ik, u_i_def_jk, u_jk_def_i) = match tpc {
        ThirdPartyCommit::FullCommit => (
            uki + uki + uki,
            ukj + ukj + ukj,
            uki + uki + uki,
            ukj + ukj + ukj,
        ),
        ThirdPartyCommit::SemiCommit => (
            uki + uki + ukk,
            ukj + ukj + ukj,
            uki + uki + uki,
            ukj + ukj + ukk,
        ),
        ThirdPartyCommit::NoCommit => (
            uki + uki + ukk,
            ukj + ukj + ukk,
            uki + uki + ukk,
            ukj + ukj + ukk,
        ),
    };
    let u_ik_j = (pik * u_ik_def_j) + (pjk * u_j_def_ik);
    let u_i_jk = (pik * u_i_def_jk) + (pjk * u_jk_def_i);
    vote(vr, wk, u_ik_j, u_i_jk)
}

/// KTAB rounds bargains to 10⁻⁴ to avoid spurious asymmetry and spurious precision.
fn round4(x: f64) -> f64 {
    // C's (int) conversion truncates; x ≥ 0 here
    let y = (0.5 + x * 10000.0) as i32;
    f64::from(y) / 10000.0
}

/// S1P1 / S2P2: both sides are offered almost the same weighted compromise.
fn interp_snpm(
    n: u8,
    tik: f64,
    sik: f64,
    prb_i: f64,
    tjk: f64,
    sjk: f64,
    prb_j: f64,
) -> (f64, f64) {
    let pw = |x: f64| if n == 1 { x } else { x * x };
    let wik = pw(sik) * pw(prb_i);
    let wjk = pw(sjk) * pw(prb_j);
    // the 10⁻⁶ avoids 0/0 when neither cares; the asymmetry is intentional
    const MIN_W: f64 = 1e-6;
    let bik = round4(((wik + MIN_W) * tik + wjk * tjk) / (wik + MIN_W + wjk));
    let bjk = round4((wik * tik + (MIN_W + wjk) * tjk) / (wik + MIN_W + wjk));
    (bik, bjk)
}

/// S2PMax: the weaker side moves towards the stronger one.
fn interp_s2pmax(tik: f64, sik: f64, prb_i: f64, tjk: f64, sjk: f64, prb_j: f64) -> (f64, f64) {
    let di = if prb_j > prb_i { prb_j - prb_i } else { 0.0 };
    let dj = if prb_i > prb_j { prb_i - prb_j } else { 0.0 };
    let sik2 = sik * sik;
    let sjk2 = sjk * sjk;
    const MIN_W: f64 = 1e-6;
    let dik = (di * sjk2) / ((di * sjk2) + MIN_W + ((1.0 - di) * sik2));
    let djk = (dj * sik2) / ((dj * sik2) + MIN_W + ((1.0 - dj) * sjk2));
    (tik + dik * (tjk - tik), tjk + djk * (tik - tjk))
}

/// A small seeded generator for stochastic state transitions. KTAB's own stochastic runs are not
/// reproducible (its queues fill in thread order), so there is no sequence to match; this one
/// makes concord's stochastic runs reproducible from the seed.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Draws an index with probabilities `p` (KTAB's `probSel`).
    fn select(&mut self, p: &[f64]) -> usize {
        let x = self.uniform();
        let mut s = 0.0;
        for (i, pi) in p.iter().enumerate() {
            s += pi;
            if x <= s {
                return i;
            }
        }
        p.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round4_truncates_like_c() {
        assert_eq!(round4(0.123449), 0.1234);
        assert_eq!(round4(0.12345), 0.1235);
        assert_eq!(round4(1.0), 1.0);
    }

    #[test]
    fn risk_range_mid_spans_minus_half_to_one() {
        let r = big_r_from_prob(&[0.2, 0.3, 0.5], BigRRange::Mid).unwrap();
        assert!((r[0] + 0.5).abs() < 1e-15 && (r[2] - 1.0).abs() < 1e-15);
        assert!(big_r_from_prob(&[0.5, 0.5], BigRRange::Mid).is_none());
    }
}
