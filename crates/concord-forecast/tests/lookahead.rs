//! No look-ahead: a forecast as of a date may depend only on what was known on that date. For
//! every case of the corpus (`cases/`) and many dates, the forecast input read from the whole
//! case equals the one read from the case with everything after the date deleted — the events
//! known later, the candidates only those events mention, and the outcome.

use std::collections::BTreeSet;
use std::path::PathBuf;

use concord_domain::event::seal_all;
use concord_domain::interchange::{self, case_date};
use concord_domain::state::ContestState;
use concord_forecast::{ForecastInput, Params};
use jiff::civil::Date;
use serde_json::Value;

fn corpus() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../cases");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(dir)
        .expect("the corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable");
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                serde_json::from_str(&text).expect("JSON"),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The date an event of the file became known: its date (a month counts as its last day) or
/// its source's publication, whichever is later.
fn known(event: &Value) -> Date {
    let date = case_date(event["date"].as_str().expect("a date")).expect("a valid date");
    let published = event["published"].as_str().and_then(case_date);
    published.map_or(date, |p| p.max(date))
}

/// Every candidate an event mentions.
fn mentioned(event: &Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    if let Some(c) = event["candidate"].as_str() {
        names.insert(c.to_owned());
    }
    for field in ["tally", "votes"] {
        if let Some(map) = event[field].as_object() {
            names.extend(map.keys().cloned());
        }
    }
    for field in ["eliminated", "advanced"] {
        if let Some(list) = event[field].as_array() {
            names.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
        }
    }
    names
}

/// The case as it could have been written on `on`.
fn truncated(case: &Value, on: Date) -> Value {
    let mut cut = case.clone();
    let events: Vec<Value> = case["events"].as_array().unwrap().clone();
    let (kept, dropped): (Vec<Value>, Vec<Value>) =
        events.into_iter().partition(|e| known(e) <= on);
    let seen: BTreeSet<String> = kept.iter().flat_map(mentioned).collect();
    let later: BTreeSet<String> = dropped.iter().flat_map(mentioned).collect();
    let candidates: Vec<Value> = case["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            let name = c.as_str().unwrap_or_default();
            seen.contains(name) || !later.contains(name)
        })
        .cloned()
        .collect();
    cut["events"] = Value::Array(kept);
    cut["candidates"] = Value::Array(candidates);
    cut.as_object_mut().unwrap().remove("outcome");
    cut
}

fn input_of(name: &str, case: &Value, on: Date, params: &Params) -> ForecastInput {
    let parsed = interchange::parse(name, &case.to_string())
        .unwrap_or_else(|e| panic!("{name} as of {on}: {e}"));
    let events = seal_all(
        parsed.scenario.into_events("test"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let state = ContestState::fold(&events, on).expect("folds");
    ForecastInput::from_state_with(&state, on, params)
}

/// Every date something became known, the day before each, and the midpoints between them.
fn dates_of(case: &Value) -> Vec<Date> {
    let mut known: Vec<Date> = case["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(known)
        .collect();
    known.sort();
    known.dedup();
    let mut dates = known.clone();
    for pair in known.windows(2) {
        let days = pair[0]
            .until((jiff::Unit::Day, pair[1]))
            .unwrap()
            .get_days();
        dates.push(pair[0].saturating_add(jiff::Span::new().days(days / 2)));
        dates.push(pair[1].saturating_sub(jiff::Span::new().days(1)));
    }
    let first = known[0];
    dates.retain(|d| *d >= first);
    dates.sort();
    dates.dedup();
    dates
}

#[test]
fn the_forecast_input_as_of_a_date_ignores_everything_after_it() {
    let models = [Params::v1(), Params::v2()];
    let mut checked = 0;
    for (name, case) in corpus() {
        for on in dates_of(&case) {
            for params in &models {
                let whole = input_of(&name, &case, on, params);
                let known_then = input_of(&name, &truncated(&case, on), on, params);
                assert_eq!(
                    serde_json::to_value(&whole).unwrap(),
                    serde_json::to_value(&known_then).unwrap(),
                    "{name} as of {on} (model {}): the input depends on what came later",
                    params.version
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked} inputs compared");
}
