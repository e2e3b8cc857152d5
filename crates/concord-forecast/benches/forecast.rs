//! Speed of the forecast engine on the NATO 2024 input as of 2024-04-04.
//!
//! `cargo bench -p concord-forecast` prints trials per second (divan's item throughput):
//! - `nato_one_thread`: one core, the per-core figure (target ≥ 2,000,000 trials/s);
//! - `nato_all_threads`: rayon's global pool (1,000,000 trials, target ≈ 0.25 s on 2 cores);
//! - `whatif_lift_hun`: a what-if (baseline + scenario) at 100,000 trials (target < 100 ms);
//! - `draw_floor_one_thread`: only the random draws a trial needs (uniform + logarithm, as
//!   many as the mean draws per trial) — the bound the simulation cannot beat.

use concord_forecast::rng::TrialStream;
use concord_forecast::{Edit, ForecastInput, Params, RunConfig, forecast, whatif};
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

fn nato() -> ForecastInput {
    serde_json::from_str(include_str!("../tests/fixtures/nato-2024-04-04.json"))
        .expect("fixture parses")
}

fn config(trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 1,
        sensitivity_trials: 0,
    }
}

const TRIALS: u64 = 1_000_000;

#[divan::bench(sample_count = 10)]
fn nato_one_thread(bencher: divan::Bencher) {
    let (input, params) = (nato(), Params::v1());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    bencher
        .counter(ItemsCount::new(TRIALS))
        .bench(|| pool.install(|| forecast(&input, &params, &config(TRIALS)).expect("runs")));
}

#[divan::bench(sample_count = 10)]
fn nato_all_threads(bencher: divan::Bencher) {
    let (input, params) = (nato(), Params::v1());
    bencher
        .counter(ItemsCount::new(TRIALS))
        .bench(|| forecast(&input, &params, &config(TRIALS)).expect("runs"));
}

#[divan::bench(sample_count = 20)]
fn whatif_lift_hun(bencher: divan::Bencher) {
    let (input, params) = (nato(), Params::v1());
    let edits = [Edit::Lift {
        member: "HUN".into(),
        candidate: None,
    }];
    bencher.bench(|| whatif(&input, &edits, &params, &config(100_000)).expect("runs"));
}

#[divan::bench(sample_count = 10)]
fn draw_floor_one_thread(bencher: divan::Bencher) {
    let (input, params) = (nato(), Params::v1());
    let per_trial = forecast(&input, &params, &config(100_000))
        .expect("runs")
        .draws_per_trial
        .round() as u64;
    bencher.counter(ItemsCount::new(TRIALS)).bench(|| {
        let mut acc = 0.0;
        for trial in 0..TRIALS {
            let rng = TrialStream::new(1, trial);
            for slot in 0..per_trial {
                acc += rng.exp1(slot);
            }
        }
        divan::black_box(acc)
    });
}
