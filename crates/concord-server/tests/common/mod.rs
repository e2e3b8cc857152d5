//! Test harness: an app over a fresh store holding the bundled NATO 2024 scenario, a settable
//! clock, one token per role, and helpers to call the router with `oneshot` or to run it on a
//! real port (`spawn`), on SQLite or, where `CONCORD_TEST_POSTGRES_URL` names a server, on a
//! fresh uniquely named PostgreSQL database, dropped when the test ends.

#![allow(dead_code)]

/// The headless-Chromium harness of the browser tests.
pub mod browser;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::http::{Request, StatusCode};
use concord_ledger::Ledger;
use concord_server::{AppState, ManualClock, ServerSettings};
use concord_store::Store;
use serde_json::Value;
use tower::ServiceExt;

pub const CONTEST: &str = "nato-sg-2024";
pub const SCENARIO: &str = include_str!("../../../../scenarios/nato-sg-2024.toml");
/// The contest the NATO scenario's Hungarian hold is linked to: a store holding the NATO
/// contest holds it too (a link must name a contest of the store).
pub const LINKED: &str = include_str!("../../../../scenarios/eu-top-jobs-2024.toml");
pub const PG_URL: &str = "CONCORD_TEST_POSTGRES_URL";

/// 20 June 2024, before the decision of the 26th.
pub fn start() -> jiff::Timestamp {
    "2024-06-20T10:00:00Z".parse().unwrap()
}

/// When the bundled scenario is recorded: after its last event (the decision of 26 June), as
/// the domain's guard refuses events dated more than a day ahead of their recording.
pub fn seeded_at() -> jiff::Timestamp {
    "2024-07-01T00:00:00Z".parse().unwrap()
}

pub struct App {
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    pub tokens: HashMap<&'static str, String>,
    pub store: Arc<dyn Store>,
    pub _dir: Option<tempfile::TempDir>,
}

pub const ROLES: [&str; 5] = [
    "chair",
    "delegation:HUN",
    "delegation:ROU",
    "analyst",
    "observer",
];

pub async fn sqlite_store() -> (Arc<dyn Store>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = concord_store_sqlite::SqliteStore::open(&dir.path().join("t.sqlite"))
        .await
        .unwrap();
    (Arc::new(store), dir)
}

/// A fresh PostgreSQL database, dropped again when this guard is: a test leaves no
/// `concord_srv_*` database behind, even when it fails.
pub struct PgDatabase {
    /// The URL of the fresh database.
    pub url: String,
    /// The URL named by `CONCORD_TEST_POSTGRES_URL`, to drop the database from.
    admin: String,
    name: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, name) = (self.admin.clone(), self.name.clone());
        // Drop cannot await, and the test's runtime may be the one dropping us: the drop runs
        // on a thread of its own with a runtime of its own. FORCE ends the connections the
        // test's pools and listeners may still hold.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(async {
                use sqlx::Connection;
                let options = concord_store_postgres::PgConnectOptions::from_str(&admin)
                    .map_err(|e| e.to_string())?;
                let mut conn = sqlx::PgConnection::connect_with(&options)
                    .await
                    .map_err(|e| e.to_string())?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await
                .map_err(|e| e.to_string())?;
                Ok::<_, String>(())
            })
        })
        .join();
        match done {
            Ok(Ok(())) => {}
            Ok(Err(e)) => eprintln!("could not drop the test database {}: {e}", self.name),
            Err(_) => eprintln!("could not drop the test database {}: panicked", self.name),
        }
    }
}

/// A fresh PostgreSQL database (dropped with the guard), or `None` (with the reason printed)
/// when no server is named.
pub async fn pg_database() -> Option<PgDatabase> {
    let Ok(url) = std::env::var(PG_URL) else {
        println!("skipped: {PG_URL} not set (the PostgreSQL API tests need a server)");
        return None;
    };
    use sqlx::Connection;
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let name = format!(
        "concord_srv_{}_{}_{}",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::Relaxed)
    );
    let admin = concord_store_postgres::PgConnectOptions::from_str(&url).unwrap();
    let mut conn = sqlx::PgConnection::connect_with(&admin).await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .unwrap();
    let base = url
        .rsplit_once('/')
        .map_or(url.as_str(), |(b, _)| b)
        .to_owned();
    Some(PgDatabase {
        url: format!("{base}/{name}"),
        admin: url,
        name,
    })
}

pub async fn pg_store(url: &str) -> Arc<dyn Store> {
    Arc::new(
        concord_store_postgres::PostgresStore::connect(url)
            .await
            .unwrap(),
    )
}

impl App {
    pub async fn new() -> App {
        let (store, dir) = sqlite_store().await;
        App::over(store, Some(dir), true, false).await
    }

    pub async fn with_public_read() -> App {
        let (store, dir) = sqlite_store().await;
        App::over(store, Some(dir), true, true).await
    }

    /// An app over `store`; `seed` loads the scenario and creates one token per role.
    pub async fn over(
        store: Arc<dyn Store>,
        dir: Option<tempfile::TempDir>,
        seed: bool,
        public_read: bool,
    ) -> App {
        // One key for every instance on a store, as a deployment shares its key file.
        let ledger = Ledger::with_signer(
            store.clone(),
            concord_ledger::SigningKey::from_seed([7; 32]),
        );
        let clock = Arc::new(ManualClock::new(start()));
        let mut tokens = HashMap::new();
        if seed {
            let linked = concord_domain::scenario::parse("eu.toml", LINKED, "test").unwrap();
            ledger
                .create("eu-top-jobs-2024", linked.into_events("test"), start())
                .await
                .unwrap();
            let scenario = concord_domain::scenario::parse("nato.toml", SCENARIO, "test").unwrap();
            ledger
                .create(CONTEST, scenario.into_events("test"), seeded_at())
                .await
                .unwrap();
            for role in ROLES {
                let (token, hash) = concord_server::auth::new_token();
                store
                    .create_token(&hash, role, "test", "2024-06-01T00:00:00Z")
                    .await
                    .unwrap();
                tokens.insert(role, token);
            }
        }
        let settings = ServerSettings {
            public_read,
            ..ServerSettings::default()
        };
        let state = AppState::new(ledger, clock.clone(), settings);
        App {
            state,
            clock,
            tokens,
            store,
            _dir: dir,
        }
    }

    pub fn token(&self, role: &str) -> Option<&str> {
        self.tokens.get(role).map(String::as_str)
    }

    /// One request through the router (no network): (status, JSON body or the text as a string).
    pub async fn call(
        &self,
        method: &str,
        path: &str,
        role: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(r) = role {
            req = req.header(
                "authorization",
                format!("Bearer {}", self.token(r).expect("a role with a token")),
            );
        }
        let req = match body {
            Some(b) => req
                .header("content-type", "application/json")
                .body(Body::from(serde_json::to_vec(&b).unwrap())),
            None => req.body(Body::empty()),
        }
        .unwrap();
        let resp = concord_server::router(self.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// One request with a text body (an imported file) of the given media type.
    pub async fn call_text(
        &self,
        path: &str,
        role: Option<&str>,
        content_type: &str,
        text: &str,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder()
            .method("POST")
            .uri(path)
            .header("content-type", content_type);
        if let Some(r) = role {
            req = req.header(
                "authorization",
                format!("Bearer {}", self.token(r).expect("a role with a token")),
            );
        }
        let req = req.body(Body::from(text.to_owned())).unwrap();
        let resp = concord_server::router(self.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .unwrap();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, value)
    }

    /// The ids of every contest in the store.
    pub async fn contests(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .state
            .ledger
            .contests()
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.id)
            .collect();
        ids.sort();
        ids
    }

    pub async fn events(&self) -> u64 {
        self.state.ledger.events(CONTEST).await.unwrap().len() as u64
    }
}

/// Runs `state` on 127.0.0.1:0; returns the base URL.
pub async fn spawn(state: AppState) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(concord_server::serve(
        listener,
        state,
        std::future::pending(),
    ));
    format!("http://{addr}")
}

/// The bundled scenario under another contest id, as known on the test clock's first day:
/// its events dated after 21 June 2024 are left out, since an import refuses events dated more
/// than a day ahead of the clock.
pub fn scenario_as(id: &str) -> String {
    let original = format!("id = \"{CONTEST}\"");
    assert!(SCENARIO.contains(&original));
    let renamed = SCENARIO.replacen(&original, &format!("id = \"{id}\""), 1);
    let mut blocks = renamed.split("\n[[event]]");
    let mut out = blocks.next().unwrap().to_owned();
    for block in blocks {
        let date = block
            .lines()
            .find_map(|l| l.strip_prefix("date = \""))
            .map(|d| &d[..10])
            .unwrap_or("0000-00-00");
        if date <= "2024-06-21" {
            out.push_str("\n[[event]]");
            out.push_str(block);
        }
    }
    out
}

/// A CSV of reports: the header `import` requires, then `rows`.
pub fn reports_csv(rows: &[&str]) -> String {
    let mut text = "date,member,candidate,stance,source,attribution,visibility\n".to_owned();
    for r in rows {
        text.push_str(r);
        text.push('\n');
    }
    text
}

/// A valid stance report body.
pub fn report(member: &str, candidate: &str, stance: &str) -> Value {
    serde_json::json!({
        "member": member, "candidate": candidate, "stance": stance,
        "source": "https://example.org/test", "date": "2024-06-20", "attribution": "official"
    })
}
