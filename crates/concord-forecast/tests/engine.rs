//! The forecast's correctness checks: determinism, the exact oracle, pathwise monotonicity,
//! degenerate cases, what-if consistency and a snapshot of the NATO forecast.

use concord_forecast::{
    Candidacy, CandidateInput, Edit, ForecastInput, Hold, HoldKind, MilestoneInput, MilestoneKind,
    Params, RunConfig, Simulator, forecast, render, whatif,
};
use jiff::civil::date;
use proptest::prelude::*;

fn nato() -> ForecastInput {
    serde_json::from_str(include_str!("fixtures/nato-2024-04-04.json")).expect("fixture parses")
}

/// Parameters with every coupling switched off: constant hazards, no pressure, no lag, no
/// withdrawals, no fresh candidate.
fn uncoupled() -> Params {
    let mut p = Params::v1();
    v1(&mut p).pressure.target = 0.0;
    v1(&mut p).pressure.meeting = 0.0;
    v1(&mut p).pressure.hard_deadline = 0.0;
    v1(&mut p).pressure.term_end = 0.0;
    v1(&mut p).pressure.early = 0.0;
    v1(&mut p).isolation.factor = 1.0;
    v1(&mut p).withdrawal.rate = 0.0;
    v1(&mut p).fresh.p = 0.0;
    v1(&mut p).decision.lag_min_days = 0.0;
    v1(&mut p).decision.lag_mean_days = 0.0;
    p
}

/// Model v1's own parameters, to edit.
fn v1(p: &mut Params) -> &mut concord_forecast::params::V1Params {
    p.as_v1_mut().expect("model v1")
}

fn one_candidate(holds: Vec<Hold>) -> ForecastInput {
    let as_of = date(2024, 1, 1);
    ForecastInput {
        as_of,
        opened: None,
        members_count: 10,
        candidates: vec![CandidateInput {
            name: "A".into(),
            candidacy: Candidacy::Declared,
            nationality: None,
            supporters: 6,
            vetoed: false,
        }],
        holds,
        milestones: vec![MilestoneInput {
            date: date(2024, 6, 1),
            kind: MilestoneKind::HardDeadline,
            label: "summit".into(),
        }],
        term_end: date(2024, 10, 1),
        term_end_known: true,
        reversion: "extension".into(),
        rule: Default::default(),
        undeclared: 0,
        recent_events: 0,
    }
}

fn hold(member: &str, kind: HoldKind) -> Hold {
    Hold {
        member: member.into(),
        candidate: "A".into(),
        kind,
        follows: None,
        conditions: None,
    }
}

fn config(trials: u64, sensitivity_trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 42,
        sensitivity_trials,
    }
}

#[test]
fn bundled_parameters_parse_and_bad_ones_are_refused() {
    let p = Params::v1();
    assert_eq!(p.version, "v1");
    let bad = concord_forecast::params::V1_TOML.replace("factor = 1.5", "factor = -1.0");
    let err = Params::from_toml_str(&bad).unwrap_err().to_string();
    assert!(err.contains("isolation.factor"), "{err}");
    let unknown = format!("{}\n[extra]\nx = 1\n", concord_forecast::params::V1_TOML);
    assert!(Params::from_toml_str(&unknown).is_err());
}

#[test]
fn same_seed_same_forecast_at_any_thread_count() {
    let (input, params) = (nato(), Params::v1());
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| forecast(&input, &params, &config(60_000, 20_000)).expect("runs"))
    };
    let one = run(1);
    let two = run(2);
    assert_eq!(one, two);
    assert_ne!(
        one,
        forecast(
            &input,
            &params,
            &RunConfig {
                seed: 43,
                ..config(60_000, 20_000)
            }
        )
        .expect("runs")
    );
}

#[test]
fn constant_hazards_match_the_exact_oracle_within_four_standard_errors() {
    let mut p = uncoupled();
    let holds = vec![
        hold("OBJ", HoldKind::Objects),
        hold("WIT", HoldKind::Withholds),
        hold("CON", HoldKind::PendingConditions { met: 1, total: 2 }),
        hold("NAT", HoldKind::Consultation),
    ];
    let own = v1(&mut p);
    let rates = [
        own.hazard.objects,
        own.hazard.withholds,
        own.hazard.pending_conditions * (1.0 + own.conditions.met_boost * 0.5),
        own.hazard.consultation,
    ];
    let input = one_candidate(holds);
    let f = forecast(&input, &p, &config(200_000, 0)).expect("runs");
    for day in [10usize, 30, 60, 120, 200, 300, 400] {
        // "Decided by the end of day d" means all released by t = d + 1.
        let t = (day + 1) as f64;
        let exact: f64 = rates.iter().map(|r| 1.0 - (-r * t).exp()).product();
        let point = &f.curve[day];
        let se = (exact * (1.0 - exact) / f.trials as f64).sqrt();
        assert!(
            (point.p - exact).abs() <= 4.0 * se,
            "day {day}: simulated {} vs exact {exact} (se {se})",
            point.p
        );
    }
}

#[test]
fn no_holds_means_a_decision_right_after_the_lag() {
    let mut p = uncoupled();
    v1(&mut p).decision.lag_min_days = 3.0;
    let f = forecast(&one_candidate(vec![]), &p, &config(10_000, 0)).expect("runs");
    assert_eq!(f.curve[2].p, 0.0);
    assert_eq!(f.curve[3].p, 1.0);
    assert_eq!(f.candidates[0].wins.p, 1.0);
    assert_eq!(f.median, Some(date(2024, 1, 4)));
}

#[test]
fn a_zero_hazard_never_releases() {
    let mut p = uncoupled();
    v1(&mut p).hazard.objects = 0.0;
    let input = one_candidate(vec![
        hold("OBJ", HoldKind::Objects),
        hold("WIT", HoldKind::Withholds),
    ]);
    let f = forecast(&input, &p, &config(10_000, 1_000)).expect("runs");
    assert_eq!(f.none_by_horizon.p, 1.0);
    assert_eq!(f.reversion_first.p, 1.0);
    assert_eq!(f.median, None);
    assert!(f.curve.iter().all(|c| c.p == 0.0));
}

#[test]
fn the_whatif_difference_is_the_paired_sensitivity() {
    let (input, params) = (nato(), Params::v1());
    let n = 50_000;
    let base = forecast(&input, &params, &config(n, n)).expect("runs");
    let w = whatif(
        &input,
        &[Edit::Lift {
            member: "HUN".into(),
            candidate: Some("Mark Rutte".into()),
        }],
        &params,
        &config(n, 0),
    )
    .expect("runs");
    let hun = base
        .sensitivity
        .iter()
        .find(|s| s.member == "HUN")
        .expect("HUN's hold is in the sensitivities");
    assert_eq!(hun.lifted.p, w.scenario.decided_by_hard_deadline.p);
    assert!(hun.delta.p > 0.0);
    assert_eq!(
        w.baseline.decided_by_hard_deadline,
        base.decided_by_hard_deadline
    );
}

#[test]
fn whatif_edits_that_name_nothing_are_refused() {
    let input = nato();
    assert!(
        input
            .apply(&Edit::Lift {
                member: "XXX".into(),
                candidate: None
            })
            .is_err()
    );
    assert!(
        input
            .apply(&Edit::Withdraw {
                candidate: "Nobody".into()
            })
            .is_err()
    );
    let moved = input
        .apply(&Edit::MoveDeadline {
            kind: MilestoneKind::HardDeadline,
            to: date(2024, 9, 1),
        })
        .expect("moves");
    assert!(moved.milestones.iter().any(|m| m.date == date(2024, 9, 1)));
    // Türkiye's two conditions both met: its hold goes.
    let committed = input
        .apply(&Edit::Commit {
            candidate: "Mark Rutte".into(),
            member: "TUR".into(),
            count: 2,
        })
        .expect("commits");
    assert!(!committed.holds.iter().any(|h| h.member == "TUR"));
    // Iohannis withdraws: Romania's own-national hold on Rutte goes with him.
    let withdrawn = input
        .apply(&Edit::Withdraw {
            candidate: "Klaus Iohannis".into(),
        })
        .expect("withdraws");
    assert!(!withdrawn.holds.iter().any(|h| h.member == "ROU"));
}

#[test]
fn invalid_input_lists_every_problem() {
    let mut input = nato();
    input.holds.push(Hold {
        member: "XXX".into(),
        candidate: "Nobody".into(),
        kind: HoldKind::Withholds,
        follows: None,
        conditions: None,
    });
    input.holds.push(Hold {
        member: "NLD".into(),
        candidate: "Mark Rutte".into(),
        kind: HoldKind::PendingConditions { met: 3, total: 2 },
        follows: Some("NLD".into()),
        conditions: None,
    });
    let err = forecast(&input, &Params::v1(), &config(10, 0)).unwrap_err();
    assert_eq!(err.problems.len(), 3, "{err}");
}

#[test]
fn nato_forecast_snapshot() {
    let f = forecast(&nato(), &Params::v1(), &config(100_000, 20_000)).expect("runs");
    insta::assert_snapshot!(render::forecast_text(&f));
}

/// A small random contest: two declared candidates, holds of every kind, some followers.
fn arb_contest() -> impl Strategy<Value = (ForecastInput, Params)> {
    let kinds = prop_oneof![
        Just(HoldKind::Withholds),
        Just(HoldKind::Objects),
        Just(HoldKind::OwnNational),
        Just(HoldKind::Implicit { backs: "B".into() }),
        (0u32..3).prop_map(|met| HoldKind::PendingConditions { met, total: 3 }),
        Just(HoldKind::Consultation),
    ];
    let holds = prop::collection::vec((0usize..6, kinds, prop::option::of(0usize..6)), 1..7);
    let params = (1.0f64..4.0, 0.0f64..10.0, 0.0f64..0.05, 0.0f64..1.0);
    (holds, params, 5u32..20, 1u32..15).prop_map(|(raw, (iso, amp, wrate, fresh), a_sup, b_sup)| {
        let members = ["M0", "M1", "M2", "M3", "M4", "BNAT"];
        let mut holds: Vec<Hold> = Vec::new();
        for (m, kind, follows) in raw {
            let member = members[m].to_owned();
            let kind = match kind {
                // Only B's nation can hold A on its own account.
                HoldKind::OwnNational if member != "BNAT" => HoldKind::Withholds,
                k => k,
            };
            if holds.iter().any(|h| h.member == member) {
                continue;
            }
            let follows = follows
                .map(|f| members[f].to_owned())
                .filter(|f| f != &member);
            holds.push(Hold {
                member,
                candidate: "A".into(),
                kind,
                follows,
                conditions: None,
            });
        }
        let mut input = one_candidate(holds);
        input.candidates.push(CandidateInput {
            name: "B".into(),
            candidacy: Candidacy::Declared,
            nationality: Some("BNAT".into()),
            supporters: b_sup,
            vetoed: false,
        });
        input.candidates[0].supporters = a_sup;
        input.holds.push(Hold {
            member: "M0".into(),
            candidate: "B".into(),
            kind: HoldKind::Implicit { backs: "A".into() },
            follows: None,
            conditions: None,
        });
        let mut p = Params::v1();
        v1(&mut p).isolation.factor = iso;
        v1(&mut p).pressure.hard_deadline = amp;
        v1(&mut p).withdrawal.rate = wrate;
        v1(&mut p).fresh.p = fresh;
        (input, p)
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Lifting a hold never delays the decision, trial by trial (same seeds).
    #[test]
    fn lifting_a_hold_never_delays_a_decision(
        (input, params) in arb_contest(),
        pick in 0usize..8,
        seed in 0u64..1000,
    ) {
        let target = &input.holds[pick % input.holds.len()];
        let lifted = input
            .apply(&Edit::Lift { member: target.member.clone(), candidate: Some(target.candidate.clone()) })
            .expect("the hold exists");
        let mut base = Simulator::new(&input, &params).expect("valid");
        let mut edit = Simulator::new(&lifted, &params).expect("valid");
        for trial in 0..200 {
            let b = base.decision_day(seed, trial).unwrap_or(f64::INFINITY);
            let e = edit.decision_day(seed, trial).unwrap_or(f64::INFINITY);
            prop_assert!(e <= b + 1e-9, "trial {trial}: lifted {e} > base {b}");
        }
    }
}

#[test]
fn the_bundled_scenario_yields_the_articles_holds() {
    use concord_domain::event::seal_all;
    use concord_domain::state::ContestState;
    let text = include_str!("../../../scenarios/nato-sg-2024.toml");
    let scenario =
        concord_domain::scenario::parse("nato-sg-2024.toml", text, "test").expect("parses");
    let events = seal_all(
        scenario.into_events("test"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let as_of = date(2024, 4, 4);
    let state = ContestState::fold(&events, as_of).expect("folds");
    let input = ForecastInput::from_state(&state, as_of);
    let on_rutte: Vec<(String, HoldKind, Option<String>)> = input
        .holds
        .iter()
        .filter(|h| h.candidate == "Mark Rutte")
        .map(|h| (h.member.clone(), h.kind.clone(), h.follows.clone()))
        .collect();
    for expected in [
        ("HUN", HoldKind::Objects, None),
        ("ROU", HoldKind::OwnNational, None),
        ("SVK", HoldKind::Withholds, Some("HUN")),
        (
            "TUR",
            HoldKind::PendingConditions { met: 0, total: 2 },
            None,
        ),
    ] {
        let expected = (
            expected.0.to_owned(),
            expected.1,
            expected.2.map(str::to_owned),
        );
        assert!(on_rutte.contains(&expected), "{expected:?} in {on_rutte:?}");
    }
    assert_eq!(on_rutte.len(), 4);
    assert_eq!(input.members_count, 32);
    assert_eq!(input.candidates[0].name, "Mark Rutte");
    let f = forecast(&input, &Params::v1(), &config(20_000, 0)).expect("runs");
    assert!(f.candidates[0].wins.p > 0.5);
}

/// The `(x, y, text)` of every `<text>` element of a plotters SVG.
fn svg_texts(svg: &str) -> Vec<(i32, i32, String)> {
    let attr = |tag: &str, name: &str| -> i32 {
        // Split on "<text ", so the first attribute has lost its leading space.
        let tag = format!(" {tag}");
        let at = tag.find(&format!(" {name}=\"")).expect("attribute") + name.len() + 3;
        let v = tag[at..].split('"').next().unwrap_or_default();
        v.parse().unwrap_or_else(|_| panic!("{name}={v} in {tag}"))
    };
    svg.split("<text ")
        .skip(1)
        .map(|chunk| {
            let (tag, rest) = chunk.split_once('>').expect("closed tag");
            let text = rest.split("</text>").next().unwrap_or_default().trim();
            (attr(tag, "x"), attr(tag, "y"), text.to_owned())
        })
        .collect()
}

/// The `(x, y, width, height)` of every `<rect>` of a plotters SVG.
fn svg_rects(svg: &str) -> Vec<(i32, i32, i32, i32)> {
    svg.split("<rect ")
        .skip(1)
        .map(|chunk| {
            let tag = chunk.split('>').next().unwrap_or_default();
            let attr = |name: &str| -> i32 {
                let at = tag.find(&format!("{name}=\"")).expect("attribute") + name.len() + 2;
                tag[at..]
                    .split('"')
                    .next()
                    .unwrap_or_default()
                    .parse()
                    .expect("a number")
            };
            (attr("x"), attr("y"), attr("width"), attr("height"))
        })
        .collect()
}

/// What a reader checks first: each outcome's name sits level with its own bar, to its left,
/// with its value just past the bar's end; rows run top to bottom in the table's order; and
/// the milestones are named, with their probability, not just dated.
#[test]
fn the_chart_reads_at_a_glance() {
    let f = forecast(&nato(), &Params::v1(), &config(5_000, 0)).expect("runs");
    let svg = concord_forecast::chart::svg(&f).expect("draws");
    assert!(svg.starts_with("<svg"), "{}", &svg[..80]);
    let texts = svg_texts(&svg);
    let rects = svg_rects(&svg);
    let mut rows: Vec<(String, f64)> = f
        .candidates
        .iter()
        .map(|c| (c.name.clone(), c.wins.p))
        .collect();
    rows.push(("another candidate".into(), f.another_candidate.p));
    rows.push(("nobody by the horizon".into(), f.none_by_horizon.p));
    let mut last_y = i32::MIN;
    for (name, p) in &rows {
        let &(lx, ly, _) = texts
            .iter()
            .find(|(_, _, t)| t == name)
            .unwrap_or_else(|| panic!("no label '{name}'"));
        assert!(ly > last_y, "'{name}' is not below the row before it");
        last_y = ly;
        // Its bar: the rectangle starting just right of the label whose middle is the
        // label's y (the track is drawn first, then the bar, so take the last such).
        let &(bx, _, bw, _) = rects
            .iter()
            .rev()
            .find(|(x, y, _, h)| {
                *x > lx && *x - lx < 20 && *y < ly && ly < y + h && (y + h / 2 - ly).abs() <= 1
            })
            .unwrap_or_else(|| panic!("no bar level with '{name}' at y={ly}"));
        let value = format!("{:.1} %", 100.0 * p);
        let &(vx, _, _) = texts
            .iter()
            .find(|(_, y, t)| *t == value && *y == ly)
            .unwrap_or_else(|| panic!("no value '{value}' level with '{name}'"));
        assert!(
            vx >= bx + bw && vx - (bx + bw) < 20,
            "'{value}' is not at the end of its bar"
        );
    }
    // The summit is named as the hard deadline, with its probability.
    let summit = f
        .milestones
        .iter()
        .find(|m| m.date.to_string() == "2024-07-09")
        .expect("summit");
    let value = format!("hard deadline, 9 Jul: {:.1} %", 100.0 * summit.decided_by.p);
    let name = texts
        .iter()
        .find(|(_, _, t)| t == "Washington summit")
        .expect("the summit is named");
    assert!(
        texts
            .iter()
            .any(|(x, y, t)| *t == value && *x == name.0 && *y > name.1),
        "no '{value}' under the summit's name in {:?}",
        texts.iter().map(|t| &t.2).collect::<Vec<_>>()
    );
}
