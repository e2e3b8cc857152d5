//! A shared harness for the dashboard's browser tests: the real server on a free loopback port
//! over a temporary SQLite store holding the bundled NATO 2024 scenario, a settable clock, a
//! fixed token per role, chromedriver on a free port, and fresh headless Chromium sessions.
//! Screenshots go to `target/browser-artifacts/` (or `$CONCORD_ARTIFACTS`).
//!
//! Where chromedriver is missing, [`with_browser!`] says so and the test passes: CI's `.ci/run`
//! installs it. Use it from a test file with `mod common;` and `use common::browser::*;`.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use concord_ledger::Ledger;
use concord_server::{AppState, ManualClock, ServerSettings};
use fantoccini::{Client, ClientBuilder, Locator};
use jiff::Timestamp;
use serde_json::json;

pub const CONTEST: &str = "nato-sg-2024";

/// A fixed token per role: (role, token).
pub const TOKENS: [(&str, &str); 4] = [
    (
        "chair",
        "cc_chairtoken0000000000000000000000000000000000000000000000000000000",
    ),
    (
        "delegation:HUN",
        "cc_hungarytoken00000000000000000000000000000000000000000000000000000",
    ),
    (
        "analyst",
        "cc_analysttoken00000000000000000000000000000000000000000000000000000",
    ),
    (
        "observer",
        "cc_observertoken0000000000000000000000000000000000000000000000000000",
    ),
];

/// The token of `role` (one of [`TOKENS`]).
pub fn token(role: &str) -> &'static str {
    TOKENS
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, t)| *t)
        .expect("a role with a token")
}

/// One browser test at a time within a test binary: two cores cannot host several Chromiums.
pub static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub fn chromedriver() -> Option<PathBuf> {
    let path = PathBuf::from(
        std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
    );
    path.exists().then_some(path)
}

pub fn artifacts() -> PathBuf {
    let dir = std::env::var_os("CONCORD_ARTIFACTS").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-artifacts"),
        PathBuf::from,
    );
    std::fs::create_dir_all(&dir).expect("artifacts directory");
    dir
}

/// The server under test, its ledger and clock, and the store's directory (kept alive).
pub struct Server {
    pub base: String,
    pub ledger: Ledger,
    pub clock: Arc<ManualClock>,
    _dir: tempfile::TempDir,
}

/// The clock starts on 20 June 2024, 08:00 UTC: the contest open, the decision ahead.
pub fn start() -> Timestamp {
    "2024-06-20T08:00:00Z".parse().expect("instant")
}

pub async fn server() -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = concord_store_sqlite::SqliteStore::open(dir.path().join("concord.db"))
        .await
        .expect("sqlite store");
    let ledger = Ledger::with_signer(
        Arc::new(store),
        concord_ledger::SigningKey::from_seed([7; 32]),
    );
    // The NATO scenario's Hungarian hold is linked to this contest: a store holds both.
    for (id, text) in [
        (
            "eu-top-jobs-2024",
            include_str!("../../../../scenarios/eu-top-jobs-2024.toml"),
        ),
        (
            CONTEST,
            include_str!("../../../../scenarios/nato-sg-2024.toml"),
        ),
    ] {
        let scenario =
            concord_domain::scenario::parse("scenario.toml", text, "test").expect("parses");
        ledger
            .create(
                id,
                scenario.into_events("test"),
                "2024-07-01T00:00:00Z".parse().expect("instant"),
            )
            .await
            .expect("contest created");
    }
    for (role, token) in TOKENS {
        ledger
            .store()
            .create_token(
                &concord_server::auth::hash_token(token),
                role,
                role,
                "2024-06-01T00:00:00Z",
            )
            .await
            .expect("token");
    }
    let settings = ServerSettings {
        public_read: true,
        ..ServerSettings::default()
    };
    let clock = Arc::new(ManualClock::new(start()));
    let state = AppState::new(ledger.clone(), clock.clone(), settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(async move {
        axum::serve(listener, concord_server::router(state))
            .await
            .expect("serve");
    });
    Server {
        base,
        ledger,
        clock,
        _dir: dir,
    }
}

/// chromedriver on a free port, killed when dropped.
pub struct Driver {
    child: Child,
    url: String,
    profiles: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn driver(path: &PathBuf) -> Driver {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(path)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let url = format!("http://127.0.0.1:{port}");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Driver {
        child,
        url,
        profiles: tempfile::tempdir().expect("profiles dir"),
    }
}

/// A fresh browser session (its own profile, so its own cookies) at laptop size.
pub async fn browser(driver: &Driver, name: &str) -> Client {
    browser_sized(driver, name, 1366, 900).await
}

/// A fresh browser session (its own profile, so its own cookies) with a window of this size.
pub async fn browser_sized(driver: &Driver, name: &str, width: u32, height: u32) -> Client {
    let profile = driver.profiles.path().join(name);
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": "/usr/bin/chromium",
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                format!("--user-data-dir={}", profile.display()),
            ]
        }),
    );
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&driver.url)
        .await
        .expect("a Chromium session");
    client
        .set_window_size(width, height)
        .await
        .expect("window size");
    client
}

/// Saves a screenshot of the current page as `NAME.png`.
pub async fn shot(client: &Client, name: &str) {
    let png = client.screenshot().await.expect("screenshot");
    std::fs::write(artifacts().join(format!("{name}.png")), png).expect("screenshot saved");
}

/// The page's scroll width beyond the viewport's, in CSS pixels (0 = no horizontal scroll).
pub async fn overflow_x(client: &Client) -> i64 {
    client
        .execute(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
            vec![],
        )
        .await
        .expect("script runs")
        .as_i64()
        .unwrap_or(0)
}

/// Screenshots of the current page at phone (390 px) and laptop (1366 px) width, as
/// `NAME-phone.png` and `NAME-laptop.png`, asserting no horizontal scroll on the phone.
pub async fn shots_at_both_widths(client: &Client, name: &str) {
    client.set_window_size(390, 844).await.expect("phone size");
    client.refresh().await.expect("reload");
    let over = overflow_x(client).await;
    shot(client, &format!("{name}-phone")).await;
    assert!(
        over <= 0,
        "{name}: {over} px of horizontal scroll at 390 px"
    );
    client
        .set_window_size(1366, 900)
        .await
        .expect("laptop size");
    client.refresh().await.expect("reload");
    shot(client, &format!("{name}-laptop")).await;
}

/// Signs `client` in with the token of `role`.
pub async fn sign_in(client: &Client, base: &str, role: &str) {
    client
        .goto(&format!("{base}/sign-in"))
        .await
        .expect("sign-in page");
    client
        .find(Locator::Id("token"))
        .await
        .expect("token field")
        .send_keys(token(role))
        .await
        .expect("type");
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("button")
        .click()
        .await
        .expect("submit");
    client
        .wait()
        .for_element(Locator::Css(".who form[action='/sign-out']"))
        .await
        .expect("signed in");
}

/// Runs `body` with a server and a chromedriver, or says why it cannot.
#[macro_export]
macro_rules! with_browser {
    ($server:ident, $driver:ident, $body:block) => {{
        let Some(path) = $crate::common::browser::chromedriver() else {
            println!("skipped: chromedriver not found (install chromium-driver)");
            return;
        };
        let _turn = $crate::common::browser::ONE_AT_A_TIME.lock().await;
        let $server = $crate::common::browser::server().await;
        let $driver = $crate::common::browser::driver(&path).await;
        $body
    }};
}
