//! Whole runs of the generated 40- and 80-actor scenarios (KTAB v1.4 -O2 on a 2-core machine:
//! 5.18 s and 111.5 s; the goal is at least 20× faster, ≤ 0.26 s and ≤ 5.6 s).
//!
//! `CARGO_TARGET_DIR=/work/target-smp cargo bench -p concord-smp`

use concord_smp::input::parse_csv;
use concord_smp::{Scenario, run};

fn main() {
    divan::main();
}

fn scenario(text: &str, file: &str) -> Scenario {
    parse_csv(text, file).expect("test vector parses")
}

#[divan::bench(sample_count = 10)]
fn gen_a007_d3(bencher: divan::Bencher) {
    let s = scenario(
        include_str!("../tests/data/gen-a007-d3/gen-a007-d3.csv"),
        "gen-a007-d3.csv",
    );
    bencher.bench(|| run(divan::black_box(&s)).unwrap());
}

#[divan::bench(sample_count = 10)]
fn gen_a040_d1(bencher: divan::Bencher) {
    let s = scenario(
        include_str!("../tests/data/gen-a040-d1/gen-a040-d1.csv"),
        "gen-a040-d1.csv",
    );
    bencher.bench(|| run(divan::black_box(&s)).unwrap());
}

#[divan::bench(sample_count = 10)]
fn gen_a080_d1(bencher: divan::Bencher) {
    let s = scenario(
        include_str!("../tests/data/gen-a080-d1/gen-a080-d1.csv"),
        "gen-a080-d1.csv",
    );
    bencher.bench(|| run(divan::black_box(&s)).unwrap());
}

/// The same run on one thread, to show what the second core buys.
#[divan::bench(sample_count = 10)]
fn gen_a080_d1_one_thread(bencher: divan::Bencher) {
    let s = scenario(
        include_str!("../tests/data/gen-a080-d1/gen-a080-d1.csv"),
        "gen-a080-d1.csv",
    );
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    bencher.bench(|| pool.install(|| run(divan::black_box(&s)).unwrap()));
}
