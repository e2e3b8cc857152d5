//! Every case of the corpus (`cases/*.json` at the repository's root) is checked as data: it
//! parses, its events are in chronological order, every event names a source, the winner is
//! one of the candidates, and the corpus holds what the forecast is fitted on.

use std::path::PathBuf;

use concord_domain::interchange::{self, case_date};
use jiff::civil::Date;
use serde_json::Value;

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../cases")
}

fn cases() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = std::fs::read_dir(corpus_dir())
        .expect("the corpus folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("readable case");
            (p.file_name().unwrap().to_string_lossy().into_owned(), text)
        })
        .collect();
    out.sort();
    out
}

/// The first and last day a case date may stand for (a month-only date spans its month).
fn span(text: &str) -> (Date, Date) {
    let last = case_date(text).unwrap_or_else(|| panic!("'{text}' is a date"));
    let first = if text.len() == 7 {
        last.first_of_month()
    } else {
        last
    };
    (first, last)
}

#[test]
fn every_case_parses() {
    let mut failures = Vec::new();
    for (name, text) in cases() {
        match interchange::parse(&name, &text) {
            Ok(case) => assert!(
                case.outcome.is_some(),
                "{name}: a corpus case is decided and says by whom"
            ),
            Err(problems) => failures.push(format!("{problems}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn events_are_in_order_and_sourced() {
    for (name, text) in cases() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let events = doc["events"].as_array().expect("events");
        let mut previous: Option<(Date, Date)> = None;
        for (i, e) in events.iter().enumerate() {
            let date = e["date"].as_str().expect("a date");
            let here = span(date);
            if let Some((first, _)) = previous {
                // Out of order only when this event surely comes before the previous one.
                assert!(
                    here.1 >= first,
                    "{name}: events[{i}] ({date}) comes before the event above it"
                );
            }
            previous = Some(here);
            let source = e["source"].as_str().unwrap_or_default();
            assert!(
                source.trim().len() >= 8,
                "{name}: events[{i}] has no source"
            );
            if date.len() == 7 {
                assert_eq!(
                    e["approx"].as_bool(),
                    Some(true),
                    "{name}: events[{i}] has a month-only date without approx"
                );
            }
        }
    }
}

#[test]
fn the_winner_is_a_candidate_and_a_decision_is_recorded() {
    for (name, text) in cases() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let winner = doc["outcome"]["winner"].as_str().expect("a winner");
        let candidates: Vec<&str> = doc["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            candidates.contains(&winner),
            "{name}: the winner '{winner}' is not among the candidates"
        );
        let decided = doc["outcome"]["decision_date"].as_str().unwrap();
        assert!(case_date(decided).is_some(), "{name}: decision date");
    }
}

#[test]
fn the_corpus_holds_forty_contests_most_by_consensus() {
    let rules: Vec<String> = cases()
        .iter()
        .map(|(_, text)| {
            let doc: Value = serde_json::from_str(text).unwrap();
            doc["decision_rule"].as_str().unwrap().to_owned()
        })
        .collect();
    let consensus = rules
        .iter()
        .filter(|r| *r == "consensus" || *r == "unanimity")
        .count();
    assert!(rules.len() >= 40, "{} contests", rules.len());
    assert!(
        consensus >= 25,
        "{consensus} decided by consensus or unanimity"
    );
    assert!(
        rules.len() - consensus >= 10,
        "the rest are decided by votes"
    );
}

#[test]
fn reserved_contests_are_not_in_the_corpus() {
    // Kept for an independent check of the forecast (cases/SOURCES.md).
    const RESERVED: [&str; 15] = [
        "nato-sg-1995",
        "nato-sg-2009",
        "nato-sg-2023",
        "osce-sg-2017",
        "osce-sg-2020",
        "osce-sg-2024",
        "imf-md-2000",
        "imf-md-2011",
        "wto-dg-1999",
        "wto-dg-2020",
        "unsg-2006",
        "oecd-sg-2021",
        "commonwealth-sg-2024",
        "fao-dg-2019",
        "coe-sg-2019",
    ];
    for (name, text) in cases() {
        let doc: Value = serde_json::from_str(&text).unwrap();
        let id = doc["id"].as_str().unwrap();
        assert!(!RESERVED.contains(&id), "{name}: {id} is reserved");
        let year = doc["outcome"]["decision_date"].as_str().unwrap()[..4].to_owned();
        let eu_top_job = id.starts_with("eu-commission-president")
            || id.starts_with("european-council-president");
        assert!(
            !(eu_top_job && ["2004", "2009", "2014", "2024"].contains(&year.as_str())),
            "{name}: EU top jobs of {year} are reserved"
        );
    }
}

#[test]
fn every_case_passes_the_guard_every_write_passes() {
    // What `concord import` appends: the case's events, checked as any write is, at a clock
    // long after every contest of the corpus.
    let now: jiff::Timestamp = "2030-01-01T00:00:00Z".parse().unwrap();
    let mut failures = Vec::new();
    for (name, text) in cases() {
        let case = interchange::parse(&name, &text).expect("parses");
        let events = case.scenario.into_events("corpus-test");
        if let Err(refusals) = concord_domain::guard::Guard::create(&events, now) {
            failures.push(format!("{name}: {refusals}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
