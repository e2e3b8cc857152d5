//! Speed of the forecast engine on the NATO 2024 contest as of 2024-04-04, for model v1 and
//! model v2 (the bundled scenario, folded and read by each model).
//!
//! `cargo bench -p concord-forecast` prints trials per second (divan's item throughput):
//! - `nato_one_thread`: one core, the per-core figure (target ≥ 2,000,000 trials/s);
//! - `nato_all_threads`: rayon's global pool (1,000,000 trials, target ≈ 0.25 s on 2 cores);
//! - `whatif_lift_hun`: a what-if (baseline + scenario) at 100,000 trials (target < 100 ms);
//! - `ballot_unsg_2016`: the ballot model's forecast of the 2016 Security Council race as of the
//!   first colour-coded poll, from the folded state (target < 100 ms; it is exact, no trials);
//! - `draw_floor_one_thread`: only the random draws a trial needs (uniform + logarithm, as
//!   many as the mean draws per trial) — the bound the simulation cannot beat.

use concord_domain::event::seal_all;
use concord_domain::state::ContestState;
use concord_forecast::rng::TrialStream;
use concord_forecast::{Edit, ForecastInput, Params, RunConfig, forecast, whatif};
use divan::counter::ItemsCount;

fn main() {
    divan::main();
}

const MODELS: [&str; 2] = ["v1", "v2"];

fn params(model: &str) -> Params {
    match model {
        "v1" => Params::v1(),
        _ => Params::v2(),
    }
}

/// The bundled NATO 2024 contest as of the article's date, read by `params`' model.
fn nato(params: &Params) -> ForecastInput {
    let scenario = concord_domain::scenario::parse(
        "nato-sg-2024.toml",
        include_str!("../../../scenarios/nato-sg-2024.toml"),
        "bench",
    )
    .expect("the bundled scenario parses");
    let events = seal_all(
        scenario.into_events("bench"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let as_of = jiff::civil::date(2024, 4, 4);
    let state = ContestState::fold(&events, as_of).expect("folds");
    ForecastInput::from_state_with(&state, as_of, params)
}

fn config(trials: u64) -> RunConfig {
    RunConfig {
        trials,
        seed: 1,
        sensitivity_trials: 0,
    }
}

const TRIALS: u64 = 1_000_000;

#[divan::bench(sample_count = 10, args = MODELS)]
fn nato_one_thread(bencher: divan::Bencher, model: &str) {
    let params = params(model);
    let input = nato(&params);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    bencher
        .counter(ItemsCount::new(TRIALS))
        .bench(|| pool.install(|| forecast(&input, &params, &config(TRIALS)).expect("runs")));
}

#[divan::bench(sample_count = 10, args = MODELS)]
fn nato_all_threads(bencher: divan::Bencher, model: &str) {
    let params = params(model);
    let input = nato(&params);
    bencher
        .counter(ItemsCount::new(TRIALS))
        .bench(|| forecast(&input, &params, &config(TRIALS)).expect("runs"));
}

#[divan::bench(sample_count = 20, args = MODELS)]
fn whatif_lift_hun(bencher: divan::Bencher, model: &str) {
    let params = params(model);
    let input = nato(&params);
    let edits = [Edit::Lift {
        member: "HUN".into(),
        candidate: None,
    }];
    bencher.bench(|| whatif(&input, &edits, &params, &config(100_000)).expect("runs"));
}

#[divan::bench(sample_count = 10, args = MODELS)]
fn draw_floor_one_thread(bencher: divan::Bencher, model: &str) {
    let params = params(model);
    let input = nato(&params);
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

/// The ballot model on the bundled `unsg-2016` scenario as of its sixth straw poll: reading the
/// state into the input and the exact forecast, what `concord forecast unsg-2016` does after
/// the fold.
#[divan::bench(sample_count = 20)]
fn ballot_unsg_2016(bencher: divan::Bencher) {
    use concord_forecast::ballot::{BallotInput, BallotParams, forecast};
    let scenario = concord_domain::scenario::parse(
        "unsg-2016.toml",
        include_str!("../../../scenarios/unsg-2016.toml"),
        "bench",
    )
    .expect("the bundled scenario parses");
    let events = seal_all(
        scenario.into_events("bench"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let as_of = jiff::civil::date(2016, 10, 5);
    let state = ContestState::fold(&events, as_of).expect("folds");
    let params = BallotParams::bundled();
    bencher.bench(|| forecast(&BallotInput::from_state(&state, as_of), &params));
}
