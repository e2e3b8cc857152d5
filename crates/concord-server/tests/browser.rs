//! Browser tests of the dashboard in real headless Chromium (Debian's `chromium` and
//! `chromium-driver`), driven over WebDriver by fantoccini against the real server on a free
//! loopback port with a temporary SQLite store holding the bundled NATO 2024 scenario.
//!
//! Each test keeps screenshots in `target/browser-artifacts/` (or `$CONCORD_ARTIFACTS`). Where
//! chromedriver is missing the tests say so and pass: CI's `.ci/run` installs it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::browser::{browser, chromedriver, driver, shot};
use concord_domain::event::{EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, Report, Stance, Visibility};
use concord_ledger::Ledger;
use concord_server::{AppState, ManualClock, ServerSettings};
use fantoccini::{Client, Locator};
use jiff::Timestamp;

const CONTEST: &str = "nato-sg-2024";
const CHAIR_TOKEN: &str = "cc_chairtoken0000000000000000000000000000000000000000000000000000000";
const HUN_TOKEN: &str = "cc_hungarytoken00000000000000000000000000000000000000000000000000000";

/// One browser test at a time: two cores cannot host several Chromiums quickly.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The server under test, its ledger, and the store's directory (kept alive with it).
struct Server {
    base: String,
    ledger: Ledger,
    _dir: tempfile::TempDir,
}

async fn server() -> Server {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = concord_store_sqlite::SqliteStore::open(dir.path().join("concord.db"))
        .await
        .expect("sqlite store");
    let ledger = Ledger::with_signer(
        Arc::new(store),
        concord_ledger::SigningKey::from_seed([7; 32]),
    );
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../scenarios/nato-sg-2024.toml"
    ))
    .expect("bundled scenario");
    let scenario = concord_domain::scenario::parse("nato-sg-2024.toml", &text, "test")
        .expect("scenario parses");
    let now: Timestamp = "2024-06-20T08:00:00Z".parse().expect("instant");
    ledger
        .create(
            CONTEST,
            scenario.into_events("test"),
            "2024-07-01T00:00:00Z".parse().expect("instant"),
        )
        .await
        .expect("contest created");
    for (token, role) in [(CHAIR_TOKEN, "chair"), (HUN_TOKEN, "delegation:HUN")] {
        ledger
            .store()
            .create_token(
                &concord_server::auth::hash_token(token),
                role,
                role,
                "2024-06-20T08:00:00Z",
            )
            .await
            .expect("token");
    }
    let settings = ServerSettings {
        public_read: true,
        ..ServerSettings::default()
    };
    let state = AppState::new(ledger.clone(), Arc::new(ManualClock::new(now)), settings);
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
        _dir: dir,
    }
}

async fn sign_in(client: &Client, base: &str, token: &str) {
    client
        .goto(&format!("{base}/sign-in"))
        .await
        .expect("sign-in page");
    client
        .find(Locator::Id("token"))
        .await
        .expect("token field")
        .send_keys(token)
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
macro_rules! with_browser {
    ($server:ident, $driver:ident, $body:block) => {{
        let Some(path) = chromedriver() else {
            println!("skipped: chromedriver not found (install chromium-driver)");
            return;
        };
        let _turn = ONE_AT_A_TIME.lock().await;
        let $server = server().await;
        let $driver = driver(&path).await;
        $body
    }};
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nato_board_shows_32_members_and_the_three_blockers() {
    with_browser!(server, driver, {
        let c = browser(&driver, "board").await;
        c.goto(&format!(
            "{}/contests/{CONTEST}?as_of=2024-04-02",
            server.base
        ))
        .await
        .unwrap();
        let rows = c
            .find_all(Locator::Css("table#board tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 32, "every ally has a row");
        let mut blockers = Vec::new();
        for cell in c
            .find_all(Locator::Css("td.blocks[data-candidate=rutte]"))
            .await
            .unwrap()
        {
            let row = cell.find(Locator::XPath("./ancestor::tr")).await.unwrap();
            blockers.push(row.attr("data-member").await.unwrap().unwrap());
            // Colour is never the only signal: the cell says what it is.
            let text = cell.text().await.unwrap();
            assert!(
                text.contains("withholds") || text.contains("objects"),
                "{text}"
            );
        }
        blockers.sort();
        assert_eq!(blockers, ["HUN", "ROU", "SVK"]);
        let page = c.source().await.unwrap();
        assert!(
            page.contains("Who blocks Mark Rutte"),
            "the blockers are summarised with reasons"
        );
        // A cell opens its trail of reports with sources and attributions.
        let hun = c
            .find(Locator::Css(
                "tr[data-member=HUN] td[data-candidate=rutte] summary",
            ))
            .await
            .unwrap();
        hun.click().await.unwrap();
        let trail = c
            .find(Locator::Css(
                "tr[data-member=HUN] td[data-candidate=rutte] .trail",
            ))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(trail.contains("According to"), "{trail}");
        shot(&c, "board-cell-open").await;
        c.refresh().await.unwrap();
        shot(&c, "board-laptop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        shot(&c, "board-phone").await;
        c.set_window_size(1366, 900).await.unwrap();
        for page in ["timeline", "forecast"] {
            c.goto(&format!(
                "{}/contests/{CONTEST}/{page}?as_of=2024-04-02",
                server.base
            ))
            .await
            .unwrap();
            c.wait()
                .for_element(Locator::Css("figure.chart img"))
                .await
                .unwrap();
            shot(&c, &format!("{page}-laptop")).await;
        }
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_what_if_changes_the_forecast_shown() {
    with_browser!(server, driver, {
        let c = browser(&driver, "whatif").await;
        c.goto(&format!(
            "{}/contests/{CONTEST}/whatif?as_of=2024-04-02",
            server.base
        ))
        .await
        .unwrap();
        let baseline = c
            .find(Locator::Css(".p-deadline"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        c.find(Locator::Css("input[name=edit][value=lift]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.find(Locator::Css("select[name=hold]"))
            .await
            .unwrap()
            .select_by_value("HUN|Mark Rutte")
            .await
            .unwrap();
        let started = std::time::Instant::now();
        c.find(Locator::Id("run-whatif"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        c.wait().for_element(Locator::Id("delta")).await.unwrap();
        let took = started.elapsed();
        let shown: Vec<String> = {
            let mut v = Vec::new();
            for e in c.find_all(Locator::Css(".p-deadline")).await.unwrap() {
                v.push(e.text().await.unwrap());
            }
            v
        };
        assert_eq!(shown.len(), 2, "the scenario sits beside the baseline");
        assert_eq!(shown[0], baseline, "the baseline is unchanged");
        assert_ne!(
            shown[1], baseline,
            "lifting Hungary's hold changes the forecast"
        );
        let delta = c
            .find(Locator::Id("delta"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            delta.starts_with('+'),
            "lifting a hold cannot slow a decision: {delta}"
        );
        println!("what-if answered in {took:?}");
        shot(&c, "whatif-laptop").await;
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        shot(&c, "whatif-phone").await;
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_breaks_silence_and_the_chairs_page_updates_live() {
    with_browser!(server, driver, {
        let deadline: jiff::ZonedDateTime = "2024-06-21T18:00[Europe/Brussels]".parse().unwrap();
        server
            .ledger
            .append(
                CONTEST,
                vec![NewEvent {
                    valid: "2024-06-20".parse().unwrap(),
                    author: "test".into(),
                    kind: EventKind::SilenceOpened {
                        procedure: "sp-1".into(),
                        candidate: "rutte".into(),
                        draft: "Appoint Mark Rutte as Secretary General from 1 October 2024".into(),
                        deadline,
                    },
                }],
                "2024-06-20T08:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        let chair = browser(&driver, "chair").await;
        sign_in(&chair, &server.base, CHAIR_TOKEN).await;
        chair
            .goto(&format!("{}/contests/{CONTEST}/silence", server.base))
            .await
            .unwrap();
        chair
            .wait()
            .for_element(Locator::Css("article[data-status=open]"))
            .await
            .unwrap();
        chair
            .wait()
            .for_element(Locator::Css("main[data-live-ready='1']"))
            .await
            .unwrap();
        shot(&chair, "silence-chair-before").await;

        let hun = browser(&driver, "hun").await;
        sign_in(&hun, &server.base, HUN_TOKEN).await;
        hun.goto(&format!("{}/contests/{CONTEST}/silence", server.base))
            .await
            .unwrap();
        hun.find(Locator::Css("textarea[name=statement]"))
            .await
            .unwrap()
            .send_keys("Hungary asks for more time on the Ukraine commitments.")
            .await
            .unwrap();
        hun.find(Locator::Css("form.break button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // Breaking silence asks for a confirmation first.
        hun.wait()
            .for_element(Locator::Css("form.break-confirm button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        hun.wait()
            .for_element(Locator::Css("article[data-status=broken]"))
            .await
            .unwrap();
        shot(&hun, "silence-delegation-after").await;

        // The chair never reloads: the SSE stream brings the change.
        chair
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("article[data-status=broken]"))
            .await
            .expect("the chair's page shows the break without a reload");
        let text = chair
            .find(Locator::Css("article[data-procedure=sp-1]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            text.contains("Hungary") && text.contains("more time"),
            "{text}"
        );
        shot(&chair, "silence-chair-after").await;
        hun.close().await.unwrap();
        chair.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_observers_page_holds_no_chair_only_stance() {
    with_browser!(server, driver, {
        const MARKER: &str = "CONFIDENTIAL-CONSULTATION-MARKER";
        server
            .ledger
            .append(
                CONTEST,
                vec![NewEvent {
                    valid: "2024-06-19".parse().unwrap(),
                    author: "api:chair#1".into(),
                    kind: EventKind::StanceReported(StanceReport {
                        member: "TUR".into(),
                        candidate: "iohannis".into(),
                        stance: Stance::Objects,
                        reasons: vec![format!("{MARKER}: told to the chair only")],
                        conditions: vec![],
                        follows: None,
                        linked_to: None,
                        visibility: Visibility::ChairOnly,
                        report: Report {
                            source: format!("{MARKER} consultation note"),
                            attribution: Attribution::Anonymous,
                            confidence: 0.6,
                            speaker: None,
                            published: None,
                        },
                    }),
                }],
                "2024-06-20T08:00:00Z".parse().unwrap(),
            )
            .await
            .unwrap();
        // The chair sees it, so the marker would show if the observer's view leaked it.
        let chair = browser(&driver, "chair").await;
        sign_in(&chair, &server.base, CHAIR_TOKEN).await;
        chair
            .goto(&format!(
                "{}/contests/{CONTEST}?as_of=2024-06-19",
                server.base
            ))
            .await
            .unwrap();
        assert!(
            chair.source().await.unwrap().contains(MARKER),
            "the chair sees the confidential stance"
        );
        chair.close().await.unwrap();

        let observer = browser(&driver, "observer").await;
        for page in [
            "?as_of=2024-06-19",
            "/cell/TUR/iohannis?as_of=2024-06-19",
            "/timeline",
            "/silence",
        ] {
            observer
                .goto(&format!("{}/contests/{CONTEST}{page}", server.base))
                .await
                .unwrap();
            let html = observer.source().await.unwrap();
            assert!(!html.contains(MARKER), "{page} leaks a chair_only stance");
            assert!(
                html.contains("Observer (public view)"),
                "{page} is the observer's view"
            );
        }
        observer
            .goto(&format!(
                "{}/contests/{CONTEST}?as_of=2024-06-19",
                server.base
            ))
            .await
            .unwrap();
        let tur = observer
            .find(Locator::Css(
                "tr[data-member=TUR] td[data-candidate=iohannis]",
            ))
            .await
            .unwrap()
            .attr("data-stance")
            .await
            .unwrap();
        assert_ne!(tur.as_deref(), Some("objects"));
        shot(&observer, "board-observer").await;
        observer.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_reads_an_article_on_the_review_page_and_accepts_a_proposal() {
    with_browser!(server, driver, {
        let chair = browser(&driver, "chair").await;
        sign_in(&chair, &server.base, CHAIR_TOKEN).await;
        chair
            .goto(&format!("{}/contests/{CONTEST}/review", server.base))
            .await
            .unwrap();
        chair
            .find(Locator::Id("article-text"))
            .await
            .unwrap()
            .send_keys("NATO allies met in Brussels. Portugal backs Mark Rutte, its foreign minister said.")
            .await
            .unwrap();
        let date = chair.find(Locator::Id("article-published")).await.unwrap();
        date.clear().await.unwrap();
        // A date input takes the digits in the browser's locale order (en-US: month, day, year).
        date.send_keys("06202024").await.unwrap();
        chair
            .find(Locator::Css("#ingest button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let proposal = chair
            .wait()
            .for_element(Locator::Css("article.proposal[data-kind=stance]"))
            .await
            .expect("a stance proposal is listed");
        let heading = proposal
            .find(Locator::Css("h2"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(heading.contains("PRT supports Mark Rutte"), "{heading}");
        let mark = proposal
            .find(Locator::Css("blockquote mark"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert_eq!(mark, "backs");
        shot(&chair, "review-pending").await;
        proposal
            .find(Locator::Css("form.accept button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        chair
            .wait()
            .for_element(Locator::XPath(
                "//p[contains(., 'No proposals are pending.')]",
            ))
            .await
            .expect("the queue is empty once accepted");
        let events = server.ledger.events(CONTEST).await.unwrap();
        assert!(
            matches!(&events.last().unwrap().kind, EventKind::StanceReported(s) if s.member == "PRT" && s.candidate == "rutte"),
            "the accepted report is the last event"
        );
        chair.close().await.unwrap();
    })
}
