//! Prints the forecast of the bundled NATO 2024 scenario as of a date (default 2024-04-04),
//! built through the domain's fold — a quick look while developing.

use concord_domain::event::seal_all;
use concord_domain::state::ContestState;
use concord_forecast::{ForecastInput, Params, RunConfig, forecast, render};

fn main() {
    let as_of: jiff::civil::Date = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "2024-04-04".into())
        .parse()
        .expect("a date");
    let text = include_str!("../../../scenarios/nato-sg-2024.toml");
    let scenario = concord_domain::scenario::parse("nato-sg-2024.toml", text, "example")
        .expect("bundled scenario parses");
    let events = seal_all(
        scenario.into_events("example"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let state = ContestState::fold(&events, as_of).expect("folds");
    let input = ForecastInput::from_state(&state, as_of);
    if std::env::var_os("SHOW_INPUT").is_some() {
        eprintln!("{}", serde_json::to_string(&input).expect("serialises"));
    }
    let params = Params::v1();
    let config = RunConfig::from_params(&params);
    let t = std::time::Instant::now();
    let f = forecast(&input, &params, &config).expect("valid input");
    eprintln!("{:?}", t.elapsed());
    print!("{}", render::forecast_text(&f));
}
