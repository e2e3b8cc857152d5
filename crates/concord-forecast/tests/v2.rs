//! Model v2 against exact answers: with the coefficients set by hand, the simulation's
//! probabilities must equal what the rates imply in closed form, within Monte Carlo error.

use concord_forecast::params::{ModelParams, coef};
use concord_forecast::{
    Candidacy, CandidateInput, ForecastInput, Hold, HoldKind, MilestoneInput, MilestoneKind,
    Params, RunConfig, forecast,
};
use jiff::civil::date;

/// Model v2 with every coefficient 0 but those given (log-rates per day).
fn v2_with(set: &[(usize, f64)]) -> Params {
    let mut p = Params::v2();
    let ModelParams::V2(v2) = &mut p.model else {
        unreachable!("bundled v2")
    };
    v2.beta.iter_mut().for_each(|b| *b = 0.0);
    // Withdrawals off unless asked for.
    v2.beta[coef::WITHDRAW_INTERCEPT] = -50.0;
    for (i, value) in set {
        v2.beta[*i] = *value;
    }
    p
}

fn input(candidates: usize, holds: Vec<Hold>, meeting_in_days: Option<i64>) -> ForecastInput {
    let as_of = date(2024, 1, 1);
    ForecastInput {
        as_of,
        opened: Some(as_of),
        members_count: 10,
        candidates: (0..candidates)
            .map(|i| CandidateInput {
                name: format!("C{i}"),
                candidacy: Candidacy::Declared,
                nationality: None,
                supporters: if i == 0 { 6 } else { 2 },
                vetoed: false,
            })
            .collect(),
        holds,
        milestones: meeting_in_days
            .map(|d| MilestoneInput {
                date: as_of.saturating_add(jiff::Span::new().days(d)),
                kind: MilestoneKind::Meeting,
                label: "meeting".into(),
            })
            .into_iter()
            .collect(),
        term_end: date(2025, 1, 1),
        term_end_known: true,
        reversion: "extension".into(),
        rule: Default::default(),
        undeclared: 0,
        recent_events: 0,
    }
}

fn p_by(f: &concord_forecast::Forecast, day: usize) -> f64 {
    f.curve[day].p
}

fn within(sim: f64, exact: f64, se: f64, what: &str) {
    assert!(
        (sim - exact).abs() <= 4.0 * se.max(1e-4),
        "{what}: simulated {sim:.4}, exact {exact:.4} (se {se:.4})"
    );
}

#[test]
fn decision_clock_alone_is_exponential_shifted_by_a_day() {
    // Leader support 0.6 with coefficient 0: rate e^-3 per day from the intercept.
    let params = v2_with(&[(coef::DECIDE_CONSENSUS, -3.0)]);
    let f = forecast(
        &input(1, vec![], None),
        &params,
        &RunConfig {
            trials: 200_000,
            seed: 1,
            sensitivity_trials: 0,
        },
    )
    .unwrap();
    let rate = (-3.0f64).exp();
    for day in [1usize, 10, 60] {
        // A clock firing at t is a decision on day floor(t) + 1.
        let exact = 1.0 - (-rate * (day as f64)).exp();
        within(p_by(&f, day), exact, f.curve[day].se, &format!("day {day}"));
    }
    assert_eq!(
        p_by(&f, 0),
        0.0,
        "nothing is decided on the forecast's own day"
    );
}

#[test]
fn a_meeting_day_multiplies_the_decision_rate_that_day() {
    let params = v2_with(&[
        (coef::DECIDE_CONSENSUS, -4.0),
        (coef::DECIDE_MEETING_DAY, 3.0),
    ]);
    let f = forecast(
        &input(1, vec![], Some(5)),
        &params,
        &RunConfig {
            trials: 200_000,
            seed: 2,
            sensitivity_trials: 0,
        },
    )
    .unwrap();
    let r = (-4.0f64).exp();
    let hazard_to = |day: usize| -> f64 {
        (1..=day)
            .map(|d| if d == 5 { r * 3.0f64.exp() } else { r })
            .sum()
    };
    for day in [4usize, 5, 6, 30] {
        let exact = 1.0 - (-hazard_to(day)).exp();
        within(p_by(&f, day), exact, f.curve[day].se, &format!("day {day}"));
    }
}

#[test]
fn a_held_leader_waits_for_its_hold_then_decides_at_the_released_rate() {
    // The hold releases at rate a (alone); the decision clock runs at h while the leader is
    // held and at r once released: P(decided by t) has a closed form.
    let (a, h, r) = (0.05f64, 0.0f64, 0.2f64);
    let params = v2_with(&[
        (coef::HOLD_OBJECTS, a.ln()),
        (coef::DECIDE_CONSENSUS, r.ln()),
        (coef::DECIDE_LEADER_HELD, -60.0),
        (coef::DECIDE_LEADER_RELEASED, 0.0),
    ]);
    let holds = vec![Hold {
        member: "HUN".into(),
        candidate: "C0".into(),
        kind: HoldKind::Objects,
        follows: None,
        conditions: None,
    }];
    let f = forecast(
        &input(1, holds, None),
        &params,
        &RunConfig {
            trials: 200_000,
            seed: 3,
            sensitivity_trials: 0,
        },
    )
    .unwrap();
    let _ = h;
    for day in [5usize, 20, 60] {
        // The clock's time t = day - 1 (the day's lag); hypoexponential(a, r).
        let t = day as f64;
        let exact = 1.0 - (r * (-a * t).exp() - a * (-r * t).exp()) / (r - a);
        within(p_by(&f, day), exact, f.curve[day].se, &format!("day {day}"));
    }
}

#[test]
fn the_choice_follows_the_weights() {
    // Two declared candidates, the leader with weight e^1 over the other's e^0 (leader
    // coefficient 1), plus "another" at e^-1: shares e / (e + 1 + e^-1)…
    let params = v2_with(&[
        (coef::DECIDE_CONSENSUS, -2.0),
        (coef::CHOOSE_LEADER, 1.0),
        (coef::CHOOSE_FRESH, -1.0),
    ]);
    let f = forecast(
        &input(2, vec![], None),
        &params,
        &RunConfig {
            trials: 200_000,
            seed: 4,
            sensitivity_trials: 0,
        },
    )
    .unwrap();
    let (e, one, fresh) = (1.0f64.exp(), 1.0, (-1.0f64).exp());
    let total = e + one + fresh;
    within(
        f.candidates[0].wins.p,
        e / total,
        f.candidates[0].wins.se,
        "leader",
    );
    within(
        f.candidates[1].wins.p,
        one / total,
        f.candidates[1].wins.se,
        "other",
    );
    within(
        f.another_candidate.p,
        fresh / total,
        f.another_candidate.se,
        "another",
    );
}
