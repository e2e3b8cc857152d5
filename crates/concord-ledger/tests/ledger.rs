//! The ledger over a real SQLite store: concurrent writers to one contest are all kept, in one
//! unbroken hash chain; two ledgers on one file see each other's events; views hide what the
//! chair alone may see.

use std::sync::Arc;

use concord_domain::event::{EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, Report, Stance, Visibility};
use concord_ledger::{Ledger, LedgerError, View};
use concord_store_sqlite::SqliteStore;
use jiff::civil::date;

const SCENARIO: &str = r#"
[contest]
id = "mini"
title = "A small contest"
rule = { kind = "consensus" }

[organisation]
id = "org"
name = "Org"

[office]
title = "Head"
term_end = "2024-10-01"
reversion = "extension"

[[member]]
code = "HUN"
name = "Hungary"
joined = "1999-03-12"

[[member]]
code = "NLD"
name = "Netherlands"
joined = "1949-08-24"

[[event]]
date = "2024-03-01"
type = "candidate"
candidate = "rutte"
name = "Mark Rutte"
nationality = "NLD"
source = "test"
"#;

fn stance(member: &str, stance: Stance, visibility: Visibility, source: &str) -> NewEvent {
    NewEvent {
        valid: date(2024, 4, 1),
        author: "test".into(),
        kind: EventKind::StanceReported(StanceReport {
            member: member.into(),
            candidate: "rutte".into(),
            stance,
            reasons: Vec::new(),
            conditions: Vec::new(),
            follows: None,
            linked_to: None,
            visibility,
            report: Report {
                source: source.into(),
                attribution: Attribution::Anonymous,
                confidence: 0.7,
                speaker: None,
                published: None,
            },
        }),
    }
}

async fn ledger_on(path: &std::path::Path) -> Ledger {
    Ledger::with_signer(
        Arc::new(SqliteStore::open(path).await.expect("open")),
        concord_ledger::SigningKey::from_seed([7; 32]),
    )
}

/// When the test's events are recorded: after every date they carry (the domain's guard
/// refuses events dated more than a day ahead of their recording).
fn recorded_at() -> jiff::Timestamp {
    "2024-07-01T00:00:00Z".parse().expect("instant")
}

async fn created(dir: &tempfile::TempDir) -> Ledger {
    let ledger = ledger_on(&dir.path().join("c.sqlite")).await;
    let scenario = concord_domain::scenario::parse("mini.toml", SCENARIO, "test").expect("valid");
    ledger
        .create("mini", scenario.into_events("test"), recorded_at())
        .await
        .expect("create");
    ledger
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_appends_are_all_kept_in_one_chain() {
    let dir = tempfile::tempdir().expect("dir");
    let ledger = created(&dir).await;
    let writers: Vec<_> = (0..64)
        .map(|i| {
            let ledger = ledger.clone();
            tokio::spawn(async move {
                ledger
                    .append(
                        "mini",
                        vec![stance(
                            "HUN",
                            Stance::Withholds,
                            Visibility::Public,
                            &format!("report {i}"),
                        )],
                        recorded_at(),
                    )
                    .await
            })
        })
        .collect();
    let mut acknowledged = 0;
    for w in writers {
        w.await.expect("task").expect("append");
        acknowledged += 1;
    }
    // A fresh ledger on the same file reads from the store, not from the writer's cache.
    let reader = ledger_on(&dir.path().join("c.sqlite")).await;
    let events = reader.events("mini").await.expect("events");
    assert_eq!(
        events.len(),
        2 + acknowledged,
        "opening, candidate and every acknowledged report"
    );
    assert_eq!(
        reader
            .verify("mini")
            .await
            .expect("verify")
            .map(|found| found.events),
        Ok(events.len() as u64)
    );
}

#[tokio::test]
async fn a_second_ledger_sees_the_first_ones_appends() {
    let dir = tempfile::tempdir().expect("dir");
    let first = created(&dir).await;
    let second = ledger_on(&dir.path().join("c.sqlite")).await;
    assert_eq!(second.events("mini").await.expect("events").len(), 2);
    first
        .append(
            "mini",
            vec![stance("HUN", Stance::Objects, Visibility::Public, "s")],
            recorded_at(),
        )
        .await
        .expect("append");
    assert_eq!(second.events("mini").await.expect("events").len(), 3);
    let state = second
        .state("mini", date(2024, 4, 2), View::Public)
        .await
        .expect("state");
    assert_eq!(state.reports_on("HUN", "rutte").len(), 1);
}

#[tokio::test]
async fn only_the_chair_sees_a_confidential_stance() {
    let dir = tempfile::tempdir().expect("dir");
    let ledger = created(&dir).await;
    ledger
        .append(
            "mini",
            vec![stance(
                "HUN",
                Stance::Objects,
                Visibility::ChairOnly,
                "consultation",
            )],
            recorded_at(),
        )
        .await
        .expect("append");
    let chair = ledger
        .state("mini", date(2024, 4, 2), View::Chair)
        .await
        .expect("chair");
    let public = ledger
        .state("mini", date(2024, 4, 2), View::Public)
        .await
        .expect("public");
    assert_eq!(chair.reports_on("HUN", "rutte").len(), 1);
    assert!(public.reports_on("HUN", "rutte").is_empty());
    let visible = ledger
        .visible_events("mini", View::Public)
        .await
        .expect("events");
    assert!(visible.iter().all(|e| !e.kind.is_chair_only()));
}

#[tokio::test]
async fn creating_a_contest_twice_is_refused_and_unknown_contests_are_named() {
    let dir = tempfile::tempdir().expect("dir");
    let ledger = created(&dir).await;
    let scenario = concord_domain::scenario::parse("mini.toml", SCENARIO, "test").expect("valid");
    let again = ledger
        .create("mini", scenario.into_events("test"), recorded_at())
        .await;
    assert!(matches!(again, Err(LedgerError::ContestExists(id)) if id == "mini"));
    let unknown = ledger.events("nope").await;
    assert!(matches!(unknown, Err(LedgerError::UnknownContest(id)) if id == "nope"));
}
