//! Load generator for `concord serve`, on loopback, bounded in time: board reads/s with p99,
//! durable report writes/s with p99 against the raw SQLite one-row-per-transaction rate
//! measured in the same run, zero errors, and a count afterwards that every acknowledged write
//! is in the store. Not a test: run it with `scripts/load.sh` (release build).
//!
//! `cargo run --release -p concord-server --example load -- [sqlite|postgres://…] [seconds] [writers]`

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use concord_ledger::Ledger;
use concord_server::{AppState, ServerSettings, SystemClock};
use concord_store::Store;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sqlx::{ConnectOptions, Connection};

const CONTEST: &str = "nato-sg-2024";
const SCENARIO: &str = include_str!("../../../scenarios/nato-sg-2024.toml");
const READERS: usize = 32;
/// Concurrent writers by default; by Little's law their count over the write rate is the mean
/// latency, so the third argument trades throughput for p99.
const WRITERS: usize = 64;

struct Outcome {
    ok: u64,
    errors: u64,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

fn summarise(mut latencies: Vec<Duration>, errors: u64, elapsed: Duration) -> Outcome {
    latencies.sort();
    let at = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    Outcome {
        ok: latencies.len() as u64,
        errors,
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

/// Raw SQLite on this disk: WAL, synchronous = FULL, one INSERT per transaction.
async fn raw_sqlite_rate(dir: &std::path::Path, run: Duration) -> f64 {
    let mut conn = SqliteConnectOptions::new()
        .filename(dir.join("raw.db"))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .connect()
        .await
        .expect("raw sqlite");
    sqlx::query("CREATE TABLE rows (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)")
        .execute(&mut conn)
        .await
        .unwrap();
    let payload = "x".repeat(400);
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < run {
        sqlx::query("INSERT INTO rows (payload) VALUES (?)")
            .bind(&payload)
            .execute(&mut conn)
            .await
            .unwrap();
        n += 1;
    }
    let rate = n as f64 / start.elapsed().as_secs_f64();
    conn.close().await.unwrap();
    rate
}

/// Runs one statement on the PostgreSQL server `admin` names.
async fn pg_admin(admin: &str, sql: &str) {
    let options: sqlx::postgres::PgConnectOptions = admin.parse().expect("postgres URL");
    let mut conn = options.connect().await.expect("connect to PostgreSQL");
    sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut conn)
        .await
        .expect(sql);
    conn.close().await.expect("close");
}

/// `tasks` workers send requests until `run` has passed; latencies of the 2xx ones.
async fn hammer<F, Fut>(tasks: usize, run: Duration, make: F) -> Outcome
where
    F: Fn(u64) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..tasks {
        let make = make.clone();
        let counter = counter.clone();
        handles.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0;
            while start.elapsed() < run {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                if make(i).await {
                    lat.push(t.elapsed());
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (lat, e) = h.await.unwrap();
        all.extend(lat);
        errors += e;
    }
    summarise(all, errors, start.elapsed())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let database = args.first().cloned().unwrap_or_else(|| "sqlite".to_owned());
    let seconds: u64 = args
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5)
        .clamp(1, 60);
    let run = Duration::from_secs(seconds);
    let writers: usize = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(WRITERS)
        .clamp(1, 512);
    // Two workers: the targets are stated for two cores, and client and server share them.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async move {
        let dir = tempfile::tempdir().unwrap();
        // PostgreSQL: a database of its own, dropped at the end, so runs never share a store
        // (or its signing key) with each other or with anything else on the server.
        let fresh_pg = database.starts_with("postgres").then(|| {
            let name = format!("concord_load_{}", std::process::id());
            let base = database.rsplit_once('/').map_or(database.as_str(), |(b, _)| b).to_owned();
            (name.clone(), format!("{base}/{name}"))
        });
        if let Some((name, _)) = &fresh_pg {
            pg_admin(&database, &format!("CREATE DATABASE {name}")).await;
        }
        let store: Arc<dyn Store> = if let Some((_, url)) = &fresh_pg {
            Arc::new(concord_store_postgres::PostgresStore::connect(url).await.expect("postgres"))
        } else {
            Arc::new(concord_store_sqlite::SqliteStore::open(&dir.path().join("load.sqlite")).await.unwrap())
        };
        let ledger = Ledger::with_signer(store.clone(), concord_ledger::SigningKey::generate().unwrap());
        let contest = format!("{CONTEST}-load-{}", std::process::id());
        let mut scenario = concord_domain::scenario::parse("nato.toml", SCENARIO, "load").unwrap();
        scenario.definition.id = contest.clone();
        ledger.create(&contest, scenario.into_events("load"), jiff::Timestamp::now()).await.unwrap();
        let (analyst, hash) = concord_server::auth::new_token();
        store.create_token(&hash, "analyst", "load", "2024-01-01T00:00:00Z").await.unwrap();
        let state = AppState::new(ledger.clone(), Arc::new(SystemClock), ServerSettings::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(concord_server::serve(listener, state, std::future::pending()));
        let client = reqwest::Client::builder().pool_max_idle_per_host(256).build().unwrap();

        println!("store: {}; {seconds} s per phase; {READERS} readers, {writers} writers", if database.starts_with("postgres") { "PostgreSQL" } else { "SQLite" });
        let raw = raw_sqlite_rate(dir.path(), run).await;
        println!("raw SQLite (WAL, synchronous=FULL, 1 row/txn): {raw:.0} rows/s");

        let url = format!("{base}/api/contests/{contest}/status?as_of=2024-06-20");
        let (c, t, u) = (client.clone(), analyst.clone(), url.clone());
        let reads = hammer(READERS, run, move |_| {
            let (c, t, u) = (c.clone(), t.clone(), u.clone());
            async move {
                match c.get(&u).bearer_auth(&t).send().await {
                    Ok(r) if r.status() == 200 => r.bytes().await.is_ok(),
                    _ => false,
                }
            }
        })
        .await;
        println!(
            "board reads: {:.0}/s, p50 {:.2} ms, p99 {:.2} ms, {} ok, {} errors",
            reads.per_second, reads.p50.as_secs_f64() * 1e3, reads.p99.as_secs_f64() * 1e3, reads.ok, reads.errors
        );

        let before = ledger.events(&contest).await.unwrap().len() as u64;
        let url = format!("{base}/api/contests/{contest}/reports");
        let members = ["USA", "DEU", "FRA", "ITA", "ESP", "POL", "TUR", "GBR"];
        let (c, t) = (client.clone(), analyst.clone());
        let writes = hammer(writers, run, move |i| {
            let (c, t, u) = (c.clone(), t.clone(), url.clone());
            let body = serde_json::json!({"member": members[i as usize % members.len()], "candidate": "rutte",
                "stance": "supports", "date": "2024-06-20", "attribution": "anonymous",
                "source": format!("https://example.org/load/{i}")});
            async move {
                matches!(c.post(&u).bearer_auth(&t).json(&body).send().await, Ok(r) if r.status() == 201)
            }
        })
        .await;
        let ratio = writes.per_second / raw * 100.0;
        println!(
            "report writes: {:.0}/s ({ratio:.0} % of raw SQLite), p50 {:.2} ms, p99 {:.2} ms, {} ok, {} errors",
            writes.per_second, writes.p50.as_secs_f64() * 1e3, writes.p99.as_secs_f64() * 1e3, writes.ok, writes.errors
        );
        // Count from the store itself, through a fresh ledger (no cache).
        let stored = Ledger::new(store.clone()).events(&contest).await.unwrap().len() as u64;
        let present = stored - before;
        println!("acknowledged writes: {}; present in the store: {present}", writes.ok);
        let reads_ok = reads.per_second >= 20_000.0 && reads.p99 < Duration::from_millis(10) && reads.errors == 0;
        let writes_ok = ratio >= 40.0 && writes.p99 < Duration::from_millis(20) && writes.errors == 0;
        println!(
            "targets: reads {} (≥ 20000/s, p99 < 10 ms), writes {} (≥ 40 % of raw, p99 < 20 ms), durability {}",
            if reads_ok { "met" } else { "MISSED" },
            if writes_ok { "met" } else { "MISSED" },
            if present == writes.ok { "every acknowledged write present" } else { "MISSING WRITES" }
        );
        if let Some((name, _)) = &fresh_pg {
            drop(store);
            pg_admin(&database, &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
        }
        if present != writes.ok {
            std::process::exit(1);
        }
    });
}
