//! `concord bargain` driven as a user types it: the spatial model on a KTAB file, and on an
//! `[[issue]]` of a contest — the bundled NATO scenario, a scenario file, a contest in the store.

use std::path::Path;
use std::process::{Command, Output};

fn concord(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .env("CONCORD_DATABASE", dir.join("concord.sqlite"))
        .env("CONCORD_AUTHOR", "test")
        .current_dir(dir)
        .output()
        .expect("concord runs")
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = concord(dir, args);
    assert!(
        out.status.success(),
        "concord {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn the_nato_issue_reports_where_the_holdouts_end_up() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = ok(
        dir.path(),
        &[
            "bargain",
            "nato-sg-2024",
            "--issue",
            "hungary-ukraine",
            "--format",
            "json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert!(v["turns"].as_u64().expect("turns") >= 1);
    assert_eq!(v["actors"].as_array().expect("actors").len(), 32);
    assert!(
        v["issue"]["provenance"]
            .as_str()
            .expect("provenance")
            .contains("32 of 32")
    );
    let holdouts = v["holdouts"].as_array().expect("holdouts");
    let codes: Vec<&str> = holdouts
        .iter()
        .map(|h| h["member"].as_str().expect("member"))
        .collect();
    assert_eq!(codes, ["HUN", "ROU", "SVK"]);
    for h in holdouts {
        for key in ["initial", "final"] {
            let x = h[key].as_f64().expect(key);
            assert!((0.0..=100.0).contains(&x), "{h}");
        }
    }
    assert_eq!(
        holdouts[0]["initial"].as_f64(),
        Some(80.0),
        "Hungary starts where the file puts it"
    );
    let expected = v["expected_outcome"][0].as_f64().expect("expected outcome");
    assert!((0.0..=100.0).contains(&expected));

    let table = ok(
        dir.path(),
        &["bargain", "nato-sg-2024", "--issue", "hungary-ukraine"],
    );
    assert!(table.contains("Where the holdouts end up"), "{table}");
    assert!(table.contains("analyst's estimate"), "{table}");
    assert!(
        table
            .lines()
            .any(|l| l.trim_start().starts_with("HUN Hungary")),
        "{table}"
    );
}

#[test]
fn an_unknown_issue_or_contest_is_named_with_its_near_miss() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = concord(
        dir.path(),
        &["bargain", "nato-sg-2024", "--issue", "hungary-ukrain"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown issue 'hungary-ukrain'"), "{err}");
    assert!(err.contains("did you mean 'hungary-ukraine'"), "{err}");

    let out = concord(dir.path(), &["bargain", "nato-sg-2042", "--issue", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean 'nato-sg-2024'"), "{err}");
}

const MINI: &str = r#"
[contest]
id = "mini"
title = "Mini"
rule = { kind = "consensus" }
[organisation]
id = "o"
name = "O"
[office]
title = "Chair"
term_end = "2030-01-01"
reversion = "extension"
[[member]]
code = "AAA"
name = "A"
joined = "2000-01-01"
attributes = { weight = 50.0 }
[[member]]
code = "BBB"
name = "B"
joined = "2000-01-01"
attributes = { weight = 30.0 }
[[member]]
code = "CCC"
name = "C"
joined = "2000-01-01"
attributes = { weight = 20.0 }
[[member]]
code = "DDD"
name = "D"
joined = "2000-01-01"
attributes = { weight = 60.0 }
[[event]]
date = "2024-01-01"
type = "candidate"
candidate = "x"
name = "X"
source = "test"
[[event]]
date = "2024-01-02"
type = "stance"
member = "CCC"
candidate = "x"
stance = "objects"
source = "test"
[[issue]]
id = "budget"
label = "Budget"
scale_low = "0: none"
scale_high = "100: all"
capability = { attribute = "weight" }
[[issue.position]]
member = "AAA"
position = 10.0
salience = 80.0
source = "test"
[[issue.position]]
member = "BBB"
position = 50.0
salience = 40.0
source = "test"
[[issue.position]]
member = "CCC"
position = 90.0
salience = 90.0
source = "test"
[[issue.position]]
member = "DDD"
position = 70.0
salience = 30.0
source = "test"
"#;

#[test]
fn an_issue_runs_from_a_scenario_file_and_from_a_contest_in_the_store() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("mini.toml"), MINI).expect("write");
    let from_file = ok(
        dir.path(),
        &[
            "bargain",
            "mini.toml",
            "--issue",
            "budget",
            "--format",
            "json",
        ],
    );
    ok(dir.path(), &["import", "mini.toml"]);
    let from_store = ok(
        dir.path(),
        &["bargain", "mini", "--issue", "budget", "--format", "json"],
    );
    assert_eq!(from_file, from_store, "the same contest gives the same run");
    let v: serde_json::Value = serde_json::from_str(&from_store).expect("json");
    assert_eq!(v["holdouts"][0]["member"], "CCC");
    assert_eq!(v["holdouts"][0]["initial"].as_f64(), Some(90.0));
}

#[test]
fn a_ktab_file_still_runs_as_before() {
    let dir = tempfile::tempdir().expect("temp dir");
    let csv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../concord-smp/tests/data/gen-a007-d3/gen-a007-d3.csv");
    let out = ok(dir.path(), &["bargain", csv.to_str().expect("utf-8 path")]);
    assert!(out.contains("Turns: 6 (7 states)"), "{out}");
}
