//! Agreement with KTAB v1.4, layer by layer, on the five scenarios generated for concord:
//! utilities for turns 0–1, every bargain with its queue probabilities, the number of turns,
//! every position and ideal per turn, and the printed outcome probabilities.

use std::collections::BTreeMap;
use std::path::PathBuf;

use concord_smp::input::parse_file;
use concord_smp::{Run, RunOptions, Scenario, run_with};

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn read(name: &str, file: &str) -> String {
    std::fs::read_to_string(dir(name).join(file)).unwrap()
}

fn scenario(name: &str) -> Scenario {
    let file = if name.ends_with("variant") {
        format!("{name}.xml")
    } else {
        format!("{name}.csv")
    };
    parse_file(&read(name, &file), &file).unwrap()
}

/// Rows of a CSV file without quoted fields, header dropped.
fn rows(name: &str, file: &str) -> Vec<Vec<String>> {
    read(name, file)
        .lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

fn run_scenario(name: &str, record_utilities: bool) -> Run {
    let s = scenario(name);
    run_with(
        &s,
        &RunOptions {
            record_utilities,
            ..RunOptions::default()
        },
    )
    .unwrap()
}

fn actor_index(run: &Run, name: &str) -> usize {
    run.actors
        .iter()
        .position(|a| a == name)
        .unwrap_or_else(|| panic!("unknown actor {name}"))
}

fn check_utilities(name: &str, run: &Run) {
    let n = run.actors.len();
    let mut max = 0.0f64;
    let mut count = 0;
    for r in rows(name, "posutil_turns01.csv") {
        let t: usize = r[0].parse().unwrap();
        let h = actor_index(run, &r[1]);
        let i = actor_index(run, &r[2]);
        let j = actor_index(run, &r[3]);
        let want: f64 = r[4].parse().unwrap();
        let u = run.turns[t].utilities.as_ref().unwrap();
        let got = u[(h * n + i) * n + j];
        max = max.max((got - want).abs());
        count += 1;
    }
    assert_eq!(
        count,
        2 * n * n * n,
        "{name}: every U^h_ij for turns 0 and 1"
    );
    assert!(max < 1e-9, "{name}: utilities differ by up to {max:e}");
}

type BargainKey = (usize, usize, usize);
type BargainRow = (f64, bool, Option<f64>, Option<bool>);
/// A bargain in one actor's queue: which, its probability there, whether the actor chose it.
type QueueEntry = (BargainKey, f64, bool);

fn check_bargains(name: &str, run: &Run) {
    let mut want: BTreeMap<BargainKey, BargainRow> = BTreeMap::new();
    for r in rows(name, "bargains.csv") {
        let key = (
            r[0].parse().unwrap(),
            actor_index(run, &r[2]),
            actor_index(run, &r[3]),
        );
        let rp = (!r[6].is_empty()).then(|| r[6].parse().unwrap());
        let rs = (!r[7].is_empty()).then(|| r[7] == "1");
        let prev = want.insert(key, (r[4].parse().unwrap(), r[5] == "1", rp, rs));
        assert!(
            prev.is_none(),
            "{name}: one bargain per (turn, initiator, receiver)"
        );
    }
    let mut got: BTreeMap<BargainKey, BargainRow> = BTreeMap::new();
    for t in &run.turns {
        for b in &t.bargains {
            got.insert(
                (t.turn, b.initiator, b.receiver),
                (
                    b.initiator_prob,
                    b.initiator_selected,
                    b.receiver_prob,
                    b.receiver_selected,
                ),
            );
        }
    }
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "{name}: the same bargains in the same turns"
    );
    // Each actor's queue as KTAB reported it: (turn, actor) -> [(bargain, prob, selected)].
    let mut queues: BTreeMap<(usize, usize), Vec<QueueEntry>> = BTreeMap::new();
    for (k, w) in &want {
        queues.entry((k.0, k.1)).or_default().push((*k, w.0, w.1));
        if let (Some(p), Some(sel)) = (w.2, w.3) {
            queues.entry((k.0, k.2)).or_default().push((*k, p, sel));
        }
    }
    // KTAB's queues fill in thread order, so when two bargains tie exactly the one it picks
    // varies from run to run (trap 7). A different pick is accepted only for such a tie.
    let mut ties = 0;
    for ((t, actor), q) in &queues {
        let ktab = q
            .iter()
            .find(|x| x.2)
            .expect("each actor selects one bargain");
        let mine = q
            .iter()
            .find(|x| {
                let g = got[&x.0];
                if x.0.1 == *actor {
                    g.1
                } else {
                    g.3 == Some(true)
                }
            })
            .expect("concord selects one bargain");
        if mine.0 != ktab.0 {
            assert_eq!(
                mine.1, ktab.1,
                "{name} t{t}: actor {actor} chose {:?}, KTAB {:?}",
                mine.0, ktab.0
            );
            ties += 1;
        }
    }
    if ties > 0 {
        eprintln!(
            "{name}: {ties} exact ties in a queue broken differently from KTAB's thread order"
        );
    }
    let mut max = 0.0f64;
    for (k, w) in &want {
        let g = got[k];
        assert_eq!(g.2.is_some(), w.2.is_some());
        max = max.max((g.0 - w.0).abs());
        if let (Some(a), Some(b)) = (g.2, w.2) {
            max = max.max((a - b).abs());
        }
    }
    assert!(
        max < 1e-9,
        "{name}: bargain probabilities differ by up to {max:e}"
    );
}

fn check_positions(name: &str, run: &Run) {
    let rows = rows(name, "positions_full.csv");
    let last_turn = rows
        .iter()
        .map(|r| r[0].parse::<usize>().unwrap())
        .max()
        .unwrap();
    assert_eq!(run.num_turns(), last_turn, "{name}: number of turns");
    let mut max = 0.0f64;
    for r in &rows {
        let t: usize = r[0].parse().unwrap();
        let i = actor_index(run, &r[1]);
        let d: usize = r[2].parse().unwrap();
        let pos: f64 = r[3].parse().unwrap();
        let idl: f64 = r[4].parse().unwrap();
        max = max.max((run.turns[t].positions[i][d] * 100.0 - pos).abs());
        max = max.max((run.turns[t].ideals[i][d] * 100.0 - idl).abs());
    }
    assert_eq!(
        rows.len(),
        run.turns.len() * run.actors.len() * run.dimensions.len()
    );
    assert!(max < 1e-9, "{name}: positions differ by up to {max:e}");
}

fn check_printed_histories(name: &str, run: &Run) {
    let mut mismatches = Vec::new();
    for r in rows(name, "outcome_prob_by_turn.csv") {
        let i = actor_index(run, &r[0]);
        assert_eq!(
            r.len() - 1,
            run.turns.len(),
            "{name}: a probability per turn"
        );
        for (t, want) in r[1..].iter().enumerate() {
            let got = format!("{:.4}", run.turns[t].outcome_prob[i]);
            if &got != want {
                mismatches.push(format!("{} t{t}: {got} vs KTAB {want}", r[0]));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{name}: outcome probabilities: {mismatches:?}"
    );
    for r in rows(name, "positions_by_turn.csv") {
        let i = actor_index(run, &r[0]);
        let d = run.dimensions.iter().position(|x| *x == r[1]).unwrap();
        for (t, want) in r[2..].iter().enumerate() {
            // KTAB prints with "%5.1f"
            let got = format!("{:.1}", run.turns[t].positions[i][d] * 100.0);
            assert_eq!(
                &got,
                want.trim(),
                "{name}: printed position of {} at t{t}",
                r[0]
            );
        }
    }
}

fn check_all(name: &str) {
    let with_utils = dir(name).join("posutil_turns01.csv").exists();
    let run = run_scenario(name, with_utils);
    if with_utils {
        check_utilities(name, &run);
    }
    check_bargains(name, &run);
    check_positions(name, &run);
    check_printed_histories(name, &run);
}

#[test]
fn gen_a007_d3_matches_ktab() {
    check_all("gen-a007-d3");
}

#[test]
fn gen_a013_d2_matches_ktab() {
    check_all("gen-a013-d2");
}

#[test]
fn gen_a013_d2_variant_matches_ktab() {
    check_all("gen-a013-d2-variant");
}

#[test]
fn gen_a040_d1_matches_ktab() {
    check_all("gen-a040-d1");
}

#[test]
fn gen_a080_d1_matches_ktab() {
    check_all("gen-a080-d1");
}

/// The same numbers, bit for bit, on one thread and on two.
#[test]
fn results_do_not_depend_on_thread_count() {
    for name in ["gen-a013-d2-variant", "gen-a040-d1"] {
        let s = scenario(name);
        let on = |threads: usize| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| run_with(&s, &RunOptions::default()).unwrap())
        };
        let (a, b) = (on(1), on(2));
        assert_eq!(a.turns.len(), b.turns.len());
        for (x, y) in a.turns.iter().zip(&b.turns) {
            let bits =
                |v: &[Vec<f64>]| -> Vec<u64> { v.iter().flatten().map(|z| z.to_bits()).collect() };
            assert_eq!(bits(&x.positions), bits(&y.positions), "{name} t{}", x.turn);
            let pb = |v: &[f64]| -> Vec<u64> { v.iter().map(|z| z.to_bits()).collect() };
            assert_eq!(
                pb(&x.outcome_prob),
                pb(&y.outcome_prob),
                "{name} t{}",
                x.turn
            );
            assert_eq!(pb(&x.risk), pb(&y.risk), "{name} t{}", x.turn);
            let bp: Vec<u64> = x
                .bargains
                .iter()
                .map(|b| b.initiator_prob.to_bits())
                .collect();
            let bq: Vec<u64> = y
                .bargains
                .iter()
                .map(|b| b.initiator_prob.to_bits())
                .collect();
            assert_eq!(bp, bq, "{name} t{}", x.turn);
        }
    }
}
