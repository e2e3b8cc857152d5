//! Properties of the model beyond KTAB's test vectors: every parameter value runs, stochastic
//! runs are reproducible from their seed, ideals lag under accommodation, errors are explicit.

use concord_smp::input::parse_csv;
use concord_smp::params::*;
use concord_smp::{Actor, Scenario, SmpError, run};

fn small() -> Scenario {
    let text = include_str!("data/gen-a007-d3/gen-a007-d3.csv");
    parse_csv(text, "gen-a007-d3.csv").unwrap()
}

fn check(s: &Scenario) {
    let r = run(s).unwrap_or_else(|e| panic!("{:?}: {e}", s.params));
    assert!(r.num_turns() >= 1 && r.num_turns() <= 100);
    for t in &r.turns {
        let total: f64 = t.classes.iter().map(|c| c.probability).sum();
        assert!(
            (total - 1.0).abs() < 1e-6,
            "{:?} t{}: {total}",
            s.params,
            t.turn
        );
        for p in t.positions.iter().flatten() {
            assert!((0.0..=1.0).contains(p));
        }
    }
}

#[test]
fn every_parameter_value_runs() {
    macro_rules! each {
        ($field:ident, $ty:ty) => {
            for v in <$ty>::ALL {
                let mut s = small();
                s.params.$field = *v;
                check(&s);
            }
        };
    }
    each!(victory_prob_model, VictoryProbModel);
    each!(pce_model, PceModel);
    each!(state_transitions, StateTransitions);
    each!(voting_rule, VotingRule);
    each!(big_r_adjust, BigRAdjust);
    each!(big_r_range, BigRRange);
    each!(third_party_commit, ThirdPartyCommit);
    each!(inter_vec_brgn, InterVecBrgn);
    each!(bargn_model, BargnModel);
}

#[test]
fn stochastic_runs_repeat_with_their_seed() {
    let mut s = small();
    s.params.state_transitions = StateTransitions::Stochastic;
    s.seed = 42;
    let a = run(&s).unwrap();
    let b = run(&s).unwrap();
    assert_eq!(a.turns.len(), b.turns.len());
    for (x, y) in a.turns.iter().zip(&b.turns) {
        assert_eq!(x.positions, y.positions);
    }
}

#[test]
fn init_rcvr_interp_queues_two_bargains_per_challenge() {
    let mut s = small();
    s.params.bargn_model = BargnModel::InitRcvrInterp;
    let r = run(&s).unwrap();
    let t0 = &r.turns[0];
    let proposals = t0
        .bargains
        .iter()
        .filter(|b| b.initiator != b.receiver)
        .count();
    assert!(proposals > 0 && proposals % 2 == 0);
}

#[test]
fn ideals_lag_positions_under_accommodation() {
    let mut s = small();
    let n = s.actors.len();
    s.accommodation = Some(
        (0..n)
            .map(|i| (0..n).map(|j| if i == j { 0.87 } else { 0.0 }).collect())
            .collect(),
    );
    let r = run(&s).unwrap();
    let t1 = &r.turns[1];
    let moved = (0..n)
        .find(|&i| r.turns[0].positions[i] != t1.positions[i])
        .unwrap();
    for d in 0..s.dimensions.len() {
        let want = 0.87 * t1.positions[moved][d] + (1.0 - 0.87) * r.turns[0].ideals[moved][d];
        assert!((t1.ideals[moved][d] - want).abs() < 1e-12);
    }
}

#[test]
fn one_shared_position_is_an_explicit_error() {
    let actor = |name: &str, cap: f64| Actor {
        name: name.into(),
        description: String::new(),
        capability: cap,
        position: vec![50.0],
        salience: vec![60.0],
    };
    let s = Scenario::new(
        "flat",
        vec!["X".into()],
        vec![actor("A", 1.0), actor("B", 2.0), actor("C", 3.0)],
    );
    assert_eq!(
        run(&s).unwrap_err(),
        SmpError::UndefinedRiskAttitudes { turn: 0 }
    );
}

#[test]
fn invalid_scenarios_report_every_problem() {
    let mut s = small();
    s.actors[0].capability = -1.0;
    s.actors[1].salience = vec![90.0, 90.0, 0.0];
    s.actors[2].position.pop();
    let Err(SmpError::InvalidScenario { problems }) = run(&s) else {
        panic!("should fail")
    };
    assert_eq!(problems.len(), 3, "{problems:?}");
    assert!(problems[0].contains("actor 1 ('G001'): expected a positive capability"));
}
