//! KTAB's arithmetic: votes, coalitions, victory probabilities, the PCE variants and utilities.
//!
//! Every function here performs its floating-point operations in the same order as KTAB v1.4
//! (`kmodel.cpp`, `smp.cpp`), because the model is path dependent: a last-bit difference can flip
//! an argmax and change every later turn. Keep expressions as written when editing.

use crate::params::{PceModel, VictoryProbModel, VotingRule};

/// Minimum coalition strength in the PCEs, so that no ratio is 0/0.
pub(crate) const MIN_COALITION: f64 = 1e-8;

/// The influence an actor of weight `w` puts behind option a (utility `ua`) over b (`ub`).
#[inline]
pub fn vote(vr: VotingRule, w: f64, ua: f64, ub: f64) -> f64 {
    let du = ua - ub;
    match vr {
        VotingRule::Prop => w * du,
        VotingRule::Binary => w * binary_response(du),
        VotingRule::PropBin => {
            // 0.2 makes both side slopes 0.8, and the jump at 0 twice that (KTAB's comment).
            const RBP: f64 = 0.2;
            w * ((1.0 - RBP) * du + RBP * binary_response(du))
        }
        VotingRule::PropCbc => {
            const RPC: f64 = 0.5;
            w * ((1.0 - RPC) * du + RPC * (du * du * du))
        }
        VotingRule::Cubic => w * (du * du * du),
        VotingRule::ASymProsp => {
            if du < 0.0 {
                w * du
            } else if du > 0.0 {
                (2.0 * w * du) / 3.0
            } else {
                0.0
            }
        }
    }
}

#[inline]
fn binary_response(du: f64) -> f64 {
    const S_TOL: f64 = 1e-8;
    (du / S_TOL).clamp(-1.0, 1.0)
}

/// Probability that a side of strength `s1` beats one of strength `s2`, and the reverse.
#[inline]
pub fn victory_prob(vpm: VictoryProbModel, s1: f64, s2: f64) -> (f64, f64) {
    let (x1, x2) = match vpm {
        VictoryProbModel::Linear => (s1, s2),
        VictoryProbModel::Square => (s1 * s1, s2 * s2),
        VictoryProbModel::Quartic => (s1 * s1 * s1 * s1, s2 * s2 * s2 * s2),
        VictoryProbModel::Octic => {
            let q1 = s1 * s1 * s1 * s1;
            let q2 = s2 * s2 * s2 * s2;
            (q1 * q1, q2 * q2)
        }
        VictoryProbModel::Binary => {
            // 10 % more strength wins for certain; linear in s1/(s1+s2) in between.
            const THRESH: f64 = 1.10;
            const MIN_X: f64 = 1e-6;
            if s1 >= THRESH * s2 {
                (1.0, MIN_X)
            } else if s2 >= THRESH * s1 {
                (MIN_X, 1.0)
            } else {
                let r12 = s1 / (s1 + s2);
                let p12 = (r12 * (THRESH + 1.0) - 1.0) / (THRESH - 1.0);
                (p12, 1.0 - p12)
            }
        }
    };
    (x1 / (x1 + x2), x2 / (x1 + x2))
}

/// Coalition strengths c(a,b) over `nopt` options, from `nact` voters with weights `w` and
/// utilities `u[k * nopt + a]`. Row-major `nopt × nopt`.
pub fn coalitions(vr: VotingRule, w: &[f64], u: &[f64], nact: usize, nopt: usize) -> Vec<f64> {
    let mut c = vec![0.0; nopt * nopt];
    for i in 0..nopt {
        for j in 0..i {
            let mut cij = MIN_COALITION;
            let mut cji = MIN_COALITION;
            for k in 0..nact {
                let v = vote(vr, w[k], u[k * nopt + i], u[k * nopt + j]);
                if v > 0.0 {
                    cij += v;
                }
                if v < 0.0 {
                    cji -= v;
                }
            }
            c[i * nopt + j] = cij;
            c[j * nopt + i] = cji;
        }
        c[i * nopt + i] = MIN_COALITION;
    }
    c
}

/// The matrix V(a,b) = P[a beats b] from coalition strengths.
pub fn victory_matrix(vpm: VictoryProbModel, c: &[f64], nopt: usize) -> Vec<f64> {
    let mut p = vec![0.0; nopt * nopt];
    for i in 0..nopt {
        for j in 0..i {
            let (pij, pji) = victory_prob(vpm, c[i * nopt + j], c[j * nopt + i]);
            p[i * nopt + j] = pij;
            p[j * nopt + i] = pji;
        }
        p[i * nopt + i] = 0.5;
    }
    p
}

/// Why a PCE could not produce a distribution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PceFailure {
    /// A Markov PCE did not settle within 1000 iterations.
    NoConvergence,
}

/// The probability distribution over options from coalition strengths (KTAB's `probCE2`).
pub fn pce(
    pcem: PceModel,
    vpm: VictoryProbModel,
    c: &[f64],
    nopt: usize,
) -> Result<Vec<f64>, PceFailure> {
    let v = victory_matrix(vpm, c, nopt);
    match pcem {
        PceModel::Conditional => Ok(conditional_pce(&v, nopt)),
        PceModel::MarkovUniform => markov_uniform_pce(&v, nopt),
        PceModel::MarkovIncentive => markov_incentive_pce(c, &v, nopt),
    }
}

/// Votes of `nact` actors over `nopt` options, then the PCE (KTAB's `scalarPCE`).
#[allow(clippy::too_many_arguments)]
pub fn scalar_pce(
    vr: VotingRule,
    vpm: VictoryProbModel,
    pcem: PceModel,
    w: &[f64],
    u: &[f64],
    nact: usize,
    nopt: usize,
) -> Result<Vec<f64>, PceFailure> {
    let c = coalitions(vr, w, u, nact, nopt);
    pce(pcem, vpm, &c, nopt)
}

fn conditional_pce(v: &[f64], n: usize) -> Vec<f64> {
    let mut p: Vec<f64> = (0..n)
        .map(|i| v[i * n..(i + 1) * n].iter().fold(1.0, |acc, x| acc * x))
        .collect();
    let total = sum(&p);
    for x in &mut p {
        *x /= total;
    }
    p
}

const MARKOV_MAX_ITER: usize = 1000;

fn markov_uniform_pce(v: &[f64], n: usize) -> Result<Vec<f64>, PceFailure> {
    const P_TOL: f64 = 1e-6;
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut change = 1.0;
    let mut iter = 0;
    while P_TOL < change {
        change = 0.0;
        for i in 0..n {
            let mut pi = 0.0;
            for j in 0..n {
                pi += v[i * n + j] * (p[i] + p[j]);
            }
            q[i] = pi / n as f64;
            let c = (q[i] - p[i]).abs();
            change = if c > change { c } else { change };
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
        iter += 1;
        if iter >= MARKOV_MAX_ITER {
            return Err(PceFailure::NoConvergence);
        }
    }
    Ok(p)
}

/// Wise's "Markov voting with incentives": challenges are drawn in proportion to the
/// incentive (strength × victory probability) to make them.
fn markov_incentive_pce(c: &[f64], v: &[f64], n: usize) -> Result<Vec<f64>, PceFailure> {
    const P_TOL: f64 = 1e-8;
    const EPS_SUPPORT: f64 = 1e-10;
    let mut inctv = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            let mut x = c[i * n + j] * v[i * n + j];
            if i == j {
                x += EPS_SUPPORT;
            }
            inctv[i * n + j] = x;
        }
    }
    // chlg[i][j] = P[i challenges j | j is the favourite]
    let mut col_sum = vec![0.0; n];
    for (j, s) in col_sum.iter_mut().enumerate() {
        for k in 0..n {
            *s += inctv[k * n + j];
        }
    }
    let mut chlg = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..n {
            chlg[i * n + j] = inctv[i * n + j] / col_sum[j];
        }
    }
    let mut p = vec![1.0 / n as f64; n];
    let mut q = p.clone();
    let mut ct = vec![0.0; n * n];
    let mut change = 1.0;
    let mut iter = 0;
    while P_TOL < change {
        for i in 0..n {
            for j in 0..n {
                ct[i * n + j] = p[i] * chlg[j * n + i];
            }
        }
        change = 0.0;
        for i in 0..n {
            let mut qi = 0.0;
            for j in 0..n {
                qi += v[i * n + j] * (ct[i * n + j] + ct[j * n + i]);
            }
            q[i] = qi;
            let d = (q[i] - p[i]).abs();
            change = if d > change { d } else { change };
        }
        for i in 0..n {
            p[i] = (p[i] + q[i]) / 2.0;
        }
        iter += 1;
        if iter >= MARKOV_MAX_ITER {
            return Err(PceFailure::NoConvergence);
        }
    }
    Ok(p)
}

/// Left-to-right sum, as KTAB's `sum(KMatrix)`.
#[inline]
pub fn sum(xs: &[f64]) -> f64 {
    xs.iter().fold(0.0, |s, x| s + x)
}

/// Salience-weighted distance between an ideal and a position (KTAB's `bvDiff`), in [0, 1].
/// The weights are normalised, so in one dimension salience has no effect here.
#[inline]
pub fn weighted_distance(ideal: &[f64], pos: &[f64], sal: &[f64]) -> f64 {
    let mut ds_sqr = 0.0;
    let mut ss_sqr = 0.0;
    for d in 0..ideal.len() {
        let ds = (ideal[d] - pos[d]) * sal[d];
        ds_sqr += ds * ds;
        ss_sqr += sal[d] * sal[d];
    }
    (ds_sqr / ss_sqr).sqrt()
}

/// Utility of a position at distance `d` for risk attitude `r` (KTAB's `bsUtil`).
#[inline]
pub fn utility(d: f64, r: f64) -> f64 {
    if d <= 1.0 {
        (1.0 - d) * (1.0 + d * r)
    } else {
        // rounding can push d slightly above 1
        (1.0 - d) * (1.0 + r)
    }
}

/// Euclidean norm of a difference, unweighted (KTAB's `norm(a - b)`).
#[inline]
pub fn norm_diff(a: &[f64], b: &[f64]) -> f64 {
    let mut s = 0.0;
    for d in 0..a.len() {
        let x = a[d] - b[d];
        s += x * x;
    }
    s.sqrt()
}

/// Index of the first largest absolute value (KTAB's `ndxMaxAbs`).
pub fn index_of_max(p: &[f64]) -> usize {
    let mut best = 0;
    let mut max = -1.0;
    for (i, x) in p.iter().enumerate() {
        let a = x.abs();
        if max < a {
            max = a;
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utility_shapes() {
        assert_eq!(utility(0.0, 1.0), 1.0);
        assert!((utility(0.5, 1.0) - 0.75).abs() < 1e-15);
        assert!((utility(0.5, -1.0) - 0.25).abs() < 1e-15);
        assert!((utility(0.5, 0.0) - 0.5).abs() < 1e-15);
    }

    #[test]
    fn pces_sum_to_one() {
        let w = [1.0, 2.0, 3.0];
        let u = [1.0, 0.2, 0.5, 0.3, 1.0, 0.4, 0.6, 0.1, 1.0];
        for pcem in PceModel::ALL {
            for vpm in VictoryProbModel::ALL {
                let p = scalar_pce(VotingRule::Prop, *vpm, *pcem, &w, &u, 3, 3).unwrap();
                assert!((sum(&p) - 1.0).abs() < 1e-8, "{pcem} {vpm}: {p:?}");
            }
        }
    }

    #[test]
    fn votes_have_the_sign_of_the_preference() {
        for vr in VotingRule::ALL {
            assert!(vote(*vr, 2.0, 0.7, 0.2) > 0.0, "{vr}");
            assert!(vote(*vr, 2.0, 0.2, 0.7) < 0.0, "{vr}");
            assert_eq!(vote(*vr, 2.0, 0.5, 0.5), 0.0, "{vr}");
        }
    }
}
