//! Runs the back-test over a directory of interchange-format cases (default: the shared cases).

use concord_forecast::backtest::{backtest, prepare, report_text};
use concord_forecast::{Params, RunConfig};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "../shared/data/cases".into());
    let params = Params::v1();
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("a directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut contests = Vec::new();
    for path in paths {
        let text = std::fs::read_to_string(&path).expect("readable");
        let name = path.display().to_string();
        match concord_domain::interchange::parse(&name, &text) {
            Ok(case) => {
                let id = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                contests.push(prepare(&id, &case, &params));
            }
            Err(d) => eprintln!("skipping {name}: {d}"),
        }
    }
    let config = RunConfig {
        trials: 20_000,
        seed: params.run.seed,
        sensitivity_trials: 0,
    };
    let t = std::time::Instant::now();
    let r = backtest(&contests, &params, &config, 4_000, &|_, _| {});
    eprintln!("{:?}", t.elapsed());
    print!("{}", report_text(&r));
}
