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

/// Two ledgers with separate caches on one store (two processes, or two server instances on
/// PostgreSQL) writing concurrently to one contest: every valid write is kept, none is refused
/// for losing a race, and the chain and its checkpoint verify.
async fn racing_ledgers_retry_instead_of_refusing(first: Ledger, second: Ledger) {
    let scenario = concord_domain::scenario::parse("mini.toml", SCENARIO, "test").expect("valid");
    first
        .create("mini", scenario.into_events("test"), recorded_at())
        .await
        .expect("create");
    // Each task appends one after another, so the two ledgers' commits interleave many times.
    const TASKS: usize = 8;
    const ROUNDS: usize = 4;
    let mut tasks = Vec::new();
    for (who, ledger) in [("a", first.clone()), ("b", second.clone())] {
        for t in 0..TASKS {
            let ledger = ledger.clone();
            tasks.push(tokio::spawn(async move {
                for round in 0..ROUNDS {
                    ledger
                        .append(
                            "mini",
                            vec![stance(
                                "HUN",
                                Stance::Withholds,
                                Visibility::Public,
                                &format!("{who}-{t}-{round}"),
                            )],
                            recorded_at(),
                        )
                        .await?;
                }
                Ok::<_, LedgerError>(())
            }));
        }
    }
    // Meanwhile a reader with a cache of its own keeps loading: every load is checked while
    // the other two append, and none may see a breach that is only a race.
    let reader = Ledger::new(second.store().clone());
    let reading = tokio::spawn(async move {
        let mut loads = 0;
        while reader.events("mini").await?.len() < 2 + 2 * TASKS * ROUNDS {
            loads += 1;
            tokio::task::yield_now().await;
        }
        Ok::<_, LedgerError>(loads)
    });
    for task in tasks {
        task.await
            .expect("task")
            .expect("a valid write is kept, not refused as a conflict");
    }
    reading
        .await
        .expect("reader")
        .expect("a reader racing the writers sees no breach");
    let found = second
        .verify("mini")
        .await
        .expect("verify")
        .expect("intact");
    assert_eq!(found.events, 2 + (2 * TASKS * ROUNDS) as u64);
    assert_eq!(
        found.checkpoint.map(|cp| cp.size),
        Some(found.events),
        "the last append's checkpoint seals the whole log"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_ledgers_on_one_sqlite_file_retry_instead_of_refusing() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("c.sqlite");
    racing_ledgers_retry_instead_of_refusing(ledger_on(&path).await, ledger_on(&path).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_postgres_database_retry_instead_of_refusing() {
    let Ok(url) = std::env::var("CONCORD_TEST_POSTGRES_URL") else {
        println!("skipped: CONCORD_TEST_POSTGRES_URL not set");
        return;
    };
    let db = PgDatabase::new(&url).await;
    let open = || async {
        Ledger::with_signer(
            Arc::new(
                concord_store_postgres::PostgresStore::connect(&db.url)
                    .await
                    .expect("connect"),
            ),
            concord_ledger::SigningKey::from_seed([7; 32]),
        )
    };
    racing_ledgers_retry_instead_of_refusing(open().await, open().await).await;
}

/// A fresh PostgreSQL database, dropped when this guard is.
struct PgDatabase {
    url: String,
    admin: String,
    name: String,
}

impl PgDatabase {
    async fn new(admin: &str) -> PgDatabase {
        use sqlx::Connection as _;
        let name = format!(
            "concord_ledger_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("clock")
                .as_nanos()
        );
        let options = admin
            .parse::<sqlx::postgres::PgConnectOptions>()
            .expect("url");
        let mut conn = sqlx::PgConnection::connect_with(&options)
            .await
            .expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create database");
        let base = admin.rsplit_once('/').map_or(admin, |(b, _)| b);
        PgDatabase {
            url: format!("{base}/{name}"),
            admin: admin.to_owned(),
            name,
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime")
                .block_on(async {
                    use sqlx::Connection as _;
                    let options = admin.parse::<sqlx::postgres::PgConnectOptions>().ok()?;
                    let mut conn = sqlx::PgConnection::connect_with(&options).await.ok()?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut conn)
                    .await
                    .ok()
                })
        })
        .join();
        if !matches!(dropped, Ok(Some(_))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// Legacy events: sealed the way the version before hash scheme 2 did (a hash of the JSON
/// re-serialisation), stored without a checkpoint.
fn legacy_events() -> Vec<concord_store::NewEvent> {
    let scenario = concord_domain::scenario::parse("mini.toml", SCENARIO, "test").expect("valid");
    let recorded_at = recorded_at();
    let mut prev = concord_domain::event::GENESIS_HASH.to_owned();
    let mut out = Vec::new();
    for (i, new) in scenario.into_events("test").into_iter().enumerate() {
        let hash = concord_domain::event::legacy_event_hash(
            i as u64 + 1,
            new.valid,
            recorded_at,
            &new.author,
            &new.kind,
            &prev,
        );
        let text =
            concord_domain::chain::EventText::of(new.valid, recorded_at, &new.author, &new.kind);
        out.push(concord_store::NewEvent {
            valid_date: text.valid_date,
            recorded_at: text.recorded_at,
            author: text.author,
            kind: text.kind,
            payload: text.payload,
            prev_hash: prev.clone(),
            hash: hash.clone(),
        });
        prev = hash;
    }
    out
}

#[tokio::test]
async fn a_chain_written_before_scheme_2_verifies_and_the_next_append_seals_it() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("c.sqlite");
    let store = SqliteStore::open(&path).await.expect("open");
    let legacy = legacy_events();
    let n = legacy.len() as u64;
    concord_store::Store::append(&store, "mini", 0, legacy)
        .await
        .expect("append");
    drop(store);
    let ledger = ledger_on(&path).await;
    assert_eq!(
        ledger.events("mini").await.expect("legacy reads").len() as u64,
        n
    );
    let found = ledger
        .verify("mini")
        .await
        .expect("verify")
        .expect("intact");
    assert_eq!((found.events, found.checkpoint), (n, None));
    ledger
        .append(
            "mini",
            vec![stance("HUN", Stance::Objects, Visibility::Public, "s")],
            recorded_at(),
        )
        .await
        .expect("append onto a legacy chain");
    let found = ledger_on(&path)
        .await
        .verify("mini")
        .await
        .expect("verify")
        .expect("intact");
    assert_eq!(found.events, n + 1);
    assert_eq!(found.checkpoint.map(|cp| cp.size), Some(n + 1));
}

#[tokio::test]
async fn a_legacy_event_is_pinned_to_its_stored_bytes_too() {
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("c.sqlite");
    let store = SqliteStore::open(&path).await.expect("open");
    let mut legacy = legacy_events();
    // The same JSON value with other whitespace: the legacy hash (of the re-serialisation)
    // still matches, but the stored bytes are not what was written.
    legacy[1].payload = legacy[1].payload.replacen("\":", "\": ", 1);
    concord_store::Store::append(&store, "mini", 0, legacy)
        .await
        .expect("append");
    drop(store);
    let ledger = ledger_on(&path).await;
    let breach = ledger
        .verify("mini")
        .await
        .expect("verify")
        .expect_err("whitespace in a legacy payload is caught");
    assert_eq!(breach.first_bad(), Some(2), "{breach}");
    assert!(
        breach.to_string().contains("payload bytes differ"),
        "{breach}"
    );
    assert!(matches!(
        ledger.events("mini").await,
        Err(LedgerError::Broken { .. })
    ));
}

#[tokio::test]
async fn a_signing_key_that_is_not_the_stores_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    created(&dir).await;
    let store = Arc::new(
        SqliteStore::open(dir.path().join("c.sqlite"))
            .await
            .expect("open"),
    );
    let other = Ledger::with_signer(
        store.clone(),
        concord_ledger::SigningKey::from_seed([8; 32]),
    );
    assert!(matches!(
        other.events("mini").await,
        Err(LedgerError::WrongKey { .. })
    ));
    let reader = Ledger::new(store);
    assert!(matches!(
        reader
            .append(
                "mini",
                vec![stance("HUN", Stance::Objects, Visibility::Public, "s")],
                recorded_at(),
            )
            .await,
        Err(LedgerError::NoSigningKey)
    ));
    assert_eq!(
        reader.events("mini").await.expect("a reader reads").len(),
        2
    );
}
