//! The domain's guard on files: a scenario's rule parameters and event dates refused at their
//! line and column; a historical case's misspelt decision refused with the near miss; and the
//! board's rule that a member's later support supersedes its earlier one.

use concord_domain::board::Basis;
use concord_domain::model::Stance;
use concord_domain::{Board, ContestState, Event, Guard, interchange, scenario};
use jiff::Timestamp;
use jiff::civil::date;

const HEAD: &str = r#"[contest]
id = "t"
title = "T"
rule = { kind = "consensus" }
opened = "2024-01-01"
[organisation]
id = "o"
name = "O"
[office]
title = "Chair"
term_end = "2025-01-01"
reversion = "extension"
[[member]]
code = "AAA"
name = "A"
joined = "2000-01-01"
[[member]]
code = "BBB"
name = "B"
joined = "2000-01-01"
[[event]]
date = "2024-02-01"
type = "candidate"
candidate = "ann"
name = "Ann"
source = "s"
[[event]]
date = "2024-02-01"
type = "candidate"
candidate = "bob"
name = "Bob"
source = "s"
"#;

fn now() -> Timestamp {
    "2024-12-01T00:00:00Z".parse().unwrap()
}

fn problems(text: &str) -> Vec<String> {
    match scenario::parse_at("t.toml", text, "test", now()) {
        Ok(_) => Vec::new(),
        Err(d) => d.0.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn a_threshold_of_7_5_is_refused_at_its_line_and_column() {
    let text = HEAD.replace(
        r#"rule = { kind = "consensus" }"#,
        r#"rule = { kind = "majority", threshold = 7.5, base = "all_members" }"#,
    );
    let p = problems(&text);
    assert_eq!(p.len(), 1, "{p:?}");
    // Line 4, at `threshold`.
    assert!(p[0].starts_with("t.toml:4:29: threshold is 7.5"), "{p:?}");
}

#[test]
fn dates_outside_the_contest_and_stances_outside_the_race_are_refused_where_written() {
    let text = format!(
        r#"{HEAD}
[[event]]
date = "2023-12-31"
type = "stance"
member = "AAA"
candidate = "ann"
stance = "supports"
source = "s"
[[event]]
date = "2024-03-01"
type = "withdraw"
candidate = "bob"
source = "s"
[[event]]
date = "2024-03-02"
type = "stance"
member = "BBB"
candidate = "bob"
stance = "supports"
source = "s"
[[event]]
date = "2024-04-01"
type = "decision"
candidate = "ann"
source = "s"
[[event]]
date = "2024-04-02"
type = "stance"
member = "BBB"
candidate = "ann"
stance = "objects"
source = "s"
[[event]]
date = "2099-01-01"
type = "milestone"
id = "far"
label = "far"
on = "2099-01-01"
milestone = "target"
source = "s"
"#
    );
    let p = problems(&text).join("\n");
    for expected in [
        "t.toml:35:1: 2023-12-31 is before t opened on 2024-01-01",
        "t.toml:50:1: Bob (bob) had withdrawn by 2024-03-02",
        "t.toml:59:1: 2024-04-02 is after t was decided on 2024-04-01 (ann appointed by a recorded decision)",
        "t.toml:66:1: 2099-01-01 is in the future",
    ] {
        assert!(p.contains(expected), "missing {expected:?} in:\n{p}");
    }
}

#[test]
fn ids_are_bounded_in_length_and_charset() {
    let long = "x".repeat(65);
    for bad in [long.as_str(), "has space", "ünï", ""] {
        let text = HEAD.replace(r#"id = "t""#, &format!("id = {bad:?}"));
        let p = problems(&text);
        assert!(!p.is_empty(), "{bad:?} accepted");
    }
    let text = HEAD.replace(r#"candidate = "bob""#, r#"candidate = "bob/../x""#);
    assert!(
        problems(&text)
            .join(" ")
            .contains("is not a valid candidate id")
    );
}

#[test]
fn a_case_decision_naming_an_unlisted_candidate_is_refused_with_the_near_miss() {
    let text = include_str!("../../concord/tests/data/nato-sg-2014.json").replacen(
        r#""kind": "decision",
      "actor": "North Atlantic Council",
      "candidate": "Jens Stoltenberg","#,
        r#""kind": "decision",
      "actor": "North Atlantic Council",
      "candidate": "Jens Stoltenburg","#,
        1,
    );
    assert!(text.contains("Stoltenburg"));
    let case = interchange::parse("case.json", &text);
    let problems = case.expect_err("refused").to_string();
    assert!(
        problems.contains("'Jens Stoltenburg' is not among the listed candidates"),
        "{problems}"
    );
    assert!(
        problems.contains("did you mean 'Jens Stoltenberg'"),
        "{problems}"
    );
}

/// A log: the opening and candidates from [`HEAD`], then `news`, recorded in order.
fn log_with(news: Vec<concord_domain::NewEvent>) -> Vec<Event> {
    let s = scenario::parse_at("t.toml", HEAD, "test", now()).unwrap();
    let mut all = s.into_events("test");
    all.extend(news);
    Guard::create(&all, now()).expect("valid");
    concord_domain::event::seal_all(all, None, now())
}

fn support(member: &str, candidate: &str, on: jiff::civil::Date) -> concord_domain::NewEvent {
    let guard = Guard::of(&log_with(Vec::new())).unwrap();
    guard
        .report_stance(
            &concord_domain::command::ReportStance {
                member: member.into(),
                candidate: candidate.into(),
                stance: "supports".into(),
                source: "s".into(),
                date: Some(on.to_string()),
                attribution: Some("on_record".into()),
                ..Default::default()
            },
            "test",
            now(),
        )
        .unwrap()
}

#[test]
fn a_members_later_support_supersedes_the_earlier_one() {
    let log = log_with(vec![
        support("AAA", "ann", date(2024, 3, 1)),
        support("AAA", "bob", date(2024, 4, 1)),
        // Same valid date, recorded later: the later-recorded wins.
        support("BBB", "bob", date(2024, 3, 5)),
        support("BBB", "ann", date(2024, 3, 5)),
    ]);
    let state = ContestState::fold(&log, date(2024, 5, 1)).unwrap();
    let board = Board::of(&state);
    let a_ann = board.cell("AAA", "ann").unwrap();
    assert_eq!(a_ann.stated, Stance::Supports);
    assert_ne!(a_ann.effective, Stance::Supports);
    assert_eq!(a_ann.basis, Basis::Superseded);
    assert_eq!(a_ann.prefers.as_deref(), Some("bob"));
    let by = a_ann.superseded_by.as_ref().unwrap();
    assert_eq!(
        (by.candidate.as_str(), by.date),
        ("bob", Some(date(2024, 4, 1)))
    );
    assert_eq!(
        board.cell("AAA", "bob").unwrap().effective,
        Stance::Supports
    );
    assert_eq!(
        board.cell("BBB", "ann").unwrap().effective,
        Stance::Supports
    );
    assert_eq!(board.cell("BBB", "bob").unwrap().basis, Basis::Superseded);
    // Before the later support, the earlier one stood.
    let state = ContestState::fold(&log, date(2024, 3, 2)).unwrap();
    assert_eq!(
        Board::of(&state).cell("AAA", "ann").unwrap().effective,
        Stance::Supports
    );
}
