//! Append throughput: raw SQLite one-row commits versus the store's group commit from 64 tasks.
//!
//! (a) `raw_sqlite_one_row_per_commit`: one INSERT per transaction on a bare connection with
//!     the store's settings (WAL, `synchronous = FULL`): the rate at which this disk commits.
//! (b) `store_append_64_tasks`: 64 tasks each appending one event at a time to their own stream
//!     through `SqliteStore`, so the writer batches them (group commit).
//!
//! divan reports both as items (rows) per second. After divan, a fixed-duration run prints
//! rows/s for both, their ratio (the server's target is ≥ 40 %) and the store's p99 latency.
//! Run with `cargo bench -p concord-store-sqlite --bench append`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use concord_store::{NewEvent, Store};
use concord_store_sqlite::SqliteStore;
use divan::Bencher;
use divan::counter::ItemsCount;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, SqliteConnection};
use tokio::runtime::Runtime;

/// Concurrent writers in (b).
const TASKS: usize = 64;
/// Appends per task per divan iteration of (b).
const PER_TASK: usize = 8;
/// Length of each timed run in the summary.
const SUMMARY_RUN: Duration = Duration::from_secs(3);

fn main() {
    divan::main();
    // `cargo test --benches` runs this binary with `--test`: check it runs, time nothing.
    if !std::env::args().any(|a| a == "--test" || a == "--list") {
        summary();
    }
}

/// Two workers, like the 2-core machines the server's targets are stated for.
fn runtime() -> Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// A report-sized payload, so rows weigh what the server's writes weigh.
fn report(task: usize, i: usize) -> NewEvent {
    NewEvent {
        valid_date: "2024-04-03".to_owned(),
        recorded_at: "2024-04-03T09:30:00Z".to_owned(),
        author: format!("delegation:{task}"),
        kind: "report".to_owned(),
        payload: format!(
            r#"{{"member":"M{task:02}","candidate":"RUTTE","stance":"support","source":"https://example.org/{i}","confidence":"high","attribution":"official"}}"#
        ),
        prev_hash: "0".repeat(64),
        hash: format!("{:064x}", task * 1_000_000 + i),
    }
}

async fn raw_connection(dir: &std::path::Path) -> SqliteConnection {
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .expect("raw connection");
    sqlx::query("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .expect("create table");
    conn
}

/// One row, one (autocommit) transaction, one fsync.
async fn raw_insert(conn: &mut SqliteConnection, payload: &str) {
    sqlx::query("INSERT INTO rows (payload) VALUES (?)")
        .bind(payload)
        .execute(conn)
        .await
        .expect("insert");
}

#[divan::bench(sample_count = 10, sample_size = 20)]
fn raw_sqlite_one_row_per_commit(bencher: Bencher) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut conn = rt.block_on(raw_connection(dir.path()));
    let payload = report(0, 0).payload;
    bencher
        .counter(ItemsCount::new(1usize))
        .bench_local(|| rt.block_on(raw_insert(&mut conn, &payload)));
}

/// 64 tasks, each appending `PER_TASK` single events to a stream of its own named by `round`.
async fn store_round(store: &Arc<SqliteStore>, round: usize) {
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let store = Arc::clone(store);
            tokio::spawn(async move {
                let stream = format!("r{round}-t{t}");
                for i in 0..PER_TASK {
                    store
                        .append(&stream, i as u64, vec![report(t, i)])
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("task");
    }
}

#[divan::bench(sample_count = 10, sample_size = 1)]
fn store_append_64_tasks(bencher: Bencher) {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");
    let store = Arc::new(
        rt.block_on(SqliteStore::open(dir.path().join("store.db")))
            .expect("open"),
    );
    let mut round = 0;
    bencher
        .counter(ItemsCount::new(TASKS * PER_TASK))
        .bench_local(|| {
            round += 1;
            rt.block_on(store_round(&store, round));
        });
}

/// Rows/s for (a) and (b) over fixed-length runs, the ratio, and (b)'s latency percentiles.
fn summary() {
    let rt = runtime();
    let dir = tempfile::tempdir().expect("temp dir");

    let raw_rate = rt.block_on(async {
        let mut conn = raw_connection(dir.path()).await;
        let payload = report(0, 0).payload;
        let start = Instant::now();
        let mut rows = 0u64;
        while start.elapsed() < SUMMARY_RUN {
            raw_insert(&mut conn, &payload).await;
            rows += 1;
        }
        rows as f64 / start.elapsed().as_secs_f64()
    });

    let (store_rate, mut latencies) = rt.block_on(async {
        let store = Arc::new(
            SqliteStore::open(dir.path().join("store.db"))
                .await
                .expect("open"),
        );
        let start = Instant::now();
        let tasks: Vec<_> = (0..TASKS)
            .map(|t| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let stream = format!("summary-t{t}");
                    let mut latencies = vec![];
                    let mut i = 0;
                    while start.elapsed() < SUMMARY_RUN {
                        let began = Instant::now();
                        store
                            .append(&stream, i, vec![report(t, i as usize)])
                            .await
                            .expect("append");
                        latencies.push(began.elapsed());
                        i += 1;
                    }
                    latencies
                })
            })
            .collect();
        let mut latencies = vec![];
        for task in tasks {
            latencies.extend(task.await.expect("task"));
        }
        let elapsed = start.elapsed().as_secs_f64();
        // Every acknowledged append must be there: count them.
        let stored: u64 = store
            .streams()
            .await
            .expect("streams")
            .iter()
            .map(|s| s.events)
            .sum();
        assert_eq!(
            stored,
            latencies.len() as u64,
            "acknowledged appends all present"
        );
        (latencies.len() as f64 / elapsed, latencies)
    });

    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!();
    println!("summary over {SUMMARY_RUN:?} each:");
    println!(
        "  (a) raw SQLite, one row per commit (WAL, synchronous=FULL): {raw_rate:>9.0} rows/s"
    );
    println!(
        "  (b) SqliteStore group commit, {TASKS} tasks:                  {store_rate:>9.0} rows/s"
    );
    println!(
        "  (b)/(a) = {:.0} % (target >= 40 %)",
        100.0 * store_rate / raw_rate
    );
    println!(
        "  (b) append latency: p50 {:?}, p99 {:?}, max {:?} ({} appends, all present)",
        pct(0.50),
        pct(0.99),
        latencies.last().expect("some appends"),
        latencies.len()
    );
}
