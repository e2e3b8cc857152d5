//! Prints the forecast of the bundled NATO 2024 fixture (a quick look while developing).

use concord_forecast::{ForecastInput, Params, RunConfig, forecast, render};

fn main() {
    let input: ForecastInput =
        serde_json::from_str(include_str!("../tests/fixtures/nato-2024-04-04.json"))
            .expect("fixture parses");
    let params = Params::v1();
    let config = RunConfig::from_params(&params);
    let t = std::time::Instant::now();
    let f = forecast(&input, &params, &config).expect("valid input");
    eprintln!("{:?}", t.elapsed());
    print!("{}", render::forecast_text(&f));
}
