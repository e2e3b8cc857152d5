//! Browser tests of the dashboard's reading pages (issue 11, the read side): the board with its
//! whip count, cells that say how we know, what changed and the calendar; the timeline over
//! the contest's span; the forecast's headline; phones at 390 px; the slider and live
//! updates that keep the reader's focus and draft. Real headless Chromium through
//! chromedriver, against the real server on a loopback port (`common::spawn`).
//!
//! Screenshots at 390 and 1366 px go to `target/browser-artifacts/` (or `$CONCORD_ARTIFACTS`).
//! Where chromedriver is missing the tests say so and pass.

mod common;

use std::time::Duration;

use common::browser::{browser_sized, chromedriver, driver, shot};
use common::{App, CONTEST};
use concord_domain::event::{EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, Report, Stance, Visibility};
use fantoccini::{Client, Locator};
use serde_json::json;

/// One browser at a time: two cores cannot host several Chromiums quickly.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Signs in through the cookie the sign-in form sets.
async fn sign_in(client: &Client, base: &str, token: &str) {
    client.goto(&format!("{base}/sign-in")).await.unwrap();
    client
        .find(Locator::Id("token"))
        .await
        .unwrap()
        .send_keys(token)
        .await
        .unwrap();
    client
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .wait()
        .for_element(Locator::Css(".who form[action='/sign-out']"))
        .await
        .unwrap();
}

async fn js(client: &Client, script: &str) -> serde_json::Value {
    client.execute(script, vec![]).await.expect(script)
}

async fn text(client: &Client, css: &str) -> String {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css}"))
        .text()
        .await
        .unwrap()
}

/// A stance report as the tests record it.
fn stance(
    member: &str,
    candidate: &str,
    stance: Stance,
    source: &str,
    visibility: Visibility,
) -> EventKind {
    EventKind::StanceReported(StanceReport {
        member: member.into(),
        candidate: candidate.into(),
        stance,
        reasons: vec![],
        conditions: vec![],
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
    })
}

async fn append(app: &App, valid: &str, kind: EventKind) {
    app.state
        .ledger
        .append(
            CONTEST,
            vec![NewEvent {
                valid: valid.parse().unwrap(),
                author: "test".into(),
                kind,
            }],
            "2024-07-02T00:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
}

macro_rules! with_browser {
    ($app:ident, $base:ident, $driver:ident, $body:block) => {{
        let Some(path) = chromedriver() else {
            println!("skipped: chromedriver not found (install chromium-driver)");
            return;
        };
        let _turn = ONE_AT_A_TIME.lock().await;
        let $app = App::with_public_read().await;
        let $base = common::spawn($app.state.clone()).await;
        let $driver = driver(&path).await;
        $body
    }};
}

/// The widest element's right edge against the viewport's width: no sideways scroll.
const OVERFLOW: &str = "return [document.documentElement.scrollWidth, window.innerWidth];";

/// The smallest type in the page's chart as rendered: the SVG's font sizes times the ratio
/// of its drawn width to its own.
const CHART_TYPE: &str = r#"
const img = document.querySelector(arguments[0]);
const done = arguments[arguments.length - 1];
fetch(img.currentSrc).then(r => r.text()).then(svg => {
  const width = Number(/<svg[^>]*width="(\d+)"/.exec(svg)[1]);
  const sizes = [...svg.matchAll(/font-size="([\d.]+)/g)].map(m => Number(m[1]));
  done([Math.min(...sizes) * img.getBoundingClientRect().width / width, img.currentSrc]);
});
"#;

async fn chart_type(client: &Client, css: &str) -> (f64, String) {
    let v = client
        .execute_async(CHART_TYPE, vec![json!(css)])
        .await
        .expect("chart type");
    (
        v[0].as_f64().expect("a size"),
        v[1].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_board_says_who_holds_out_how_we_know_and_what_changed() {
    with_browser!(app, base, driver, {
        // A source citing a page of this site: every URL in a source is a link.
        append(
            &app,
            "2024-04-01",
            stance(
                "GRC",
                "rutte",
                Stance::Supports,
                "Athens confirms; see /contests/nato-sg-2024/cell/HUN/rutte?as_of=2024-04-02 for Hungary's trail",
                Visibility::Public,
            ),
        )
        .await;
        let c = browser_sized(&driver, "board", 1366, 900).await;
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();

        // The whip count, with the threshold and the holdouts named and linked.
        let whip = text(&c, ".whip-line").await;
        assert!(
            whip.contains(
                "consensus needs 32 of 32 · 28 ✓ · 3 block (HUN, ROU, SVK) · 1 conditional (TUR)"
            ),
            "{whip}"
        );
        c.find(Locator::Css(".wbar .threshold")).await.unwrap();
        let hun = c
            .find(Locator::Css(".whip .holdouts a[href='#m-HUN']"))
            .await
            .unwrap();
        assert_eq!(hun.attr("title").await.unwrap().as_deref(), Some("Hungary"));

        // Holdouts first: the three blocking, then Türkiye's conditions.
        let mut order = Vec::new();
        for r in c
            .find_all(Locator::Css("table#board tbody tr"))
            .await
            .unwrap()
            .iter()
            .take(4)
        {
            order.push(r.attr("data-member").await.unwrap().unwrap());
        }
        let mut first3 = order[..3].to_vec();
        first3.sort();
        assert_eq!(first3, ["HUN", "ROU", "SVK"], "{order:?}");
        assert_eq!(order[3], "TUR", "{order:?}");

        // Sources are links: the text is the outlet and date, the address the URL alone. On
        // 2 April every blocker's standing report is the article itself, which has no address;
        // the next day Hungary's is TASS's.
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-03"))
            .await
            .unwrap();
        let link = c.find(Locator::Css(".blocker .src a.ext")).await.unwrap();
        assert_eq!(link.text().await.unwrap(), "TASS, 2024-04-03");
        let href = link.attr("href").await.unwrap().unwrap();
        assert!(
            href.starts_with("https://tass.com/") && !href.contains(' '),
            "{href}"
        );
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        let local = c
            .find(Locator::Css(
                "tr[data-member=GRC] td[data-candidate=rutte] .trail a[href^='/contests/']",
            ))
            .await
            .expect("a relative URL in a source is a link");
        assert_eq!(
            local.attr("href").await.unwrap().as_deref(),
            Some("/contests/nato-sg-2024/cell/HUN/rutte?as_of=2024-04-02")
        );

        // A withholding member has its own symbol, not the objection's.
        let mut symbols = Vec::new();
        for b in c
            .find_all(Locator::Css(".cand[data-candidate=rutte] .blocker .stance"))
            .await
            .unwrap()
        {
            symbols.push(b.text().await.unwrap());
        }
        assert!(
            symbols.contains(&"⊘ Hungary objects".to_owned()),
            "{symbols:?}"
        );
        assert!(
            symbols.contains(&"✕ Romania withholds".to_owned()),
            "{symbols:?}"
        );

        // "In the race since" is the entry (declared 22 Feb), not first floated (Oct 2023).
        let counts = text(&c, ".cand[data-candidate=rutte] .counts").await;
        assert!(counts.contains("in the race since 2024-02-22"), "{counts}");

        // Every reported cell says when and how we know.
        let known: Vec<String> = serde_json::from_value(
            js(
                &c,
                "return [...document.querySelectorAll('#board td .known')].map(e => e.textContent);",
            )
            .await,
        )
        .unwrap();
        assert_eq!(known.len(), 64);
        let gbr = text(&c, "tr[data-member=GBR] td[data-candidate=rutte] .known").await;
        assert_eq!(gbr, "22 Feb · on record");
        let dated = regex_like_date_attribution(&known);
        assert!(dated >= 30, "{known:?}");

        // What changed, dated, newest first; the calendar counts down in words.
        let first_event = text(&c, ".events li").await;
        assert!(first_event.starts_with("2 Apr · "), "{first_event}");
        let calendar = text(&c, ".calendar").await;
        assert!(calendar.contains("in 1 day"), "{calendar}");

        // No internal notation and no broken plurals anywhere a reader looks.
        let body = js(&c, "return document.body.innerText;").await;
        let body = body.as_str().unwrap();
        for raw in [
            "[A]",
            "delegation:",
            "sp-1",
            "russia-focus",
            "1 days",
            "1 candidates",
            " on rutte",
        ] {
            assert!(!body.contains(raw), "the page shows {raw:?}");
        }
        shot(&c, "board-1366").await;

        // Filters: by stance, and by how the stance is known.
        c.goto(&format!(
            "{base}/contests/{CONTEST}?as_of=2024-04-02&stance=blocks"
        ))
        .await
        .unwrap();
        let rows = c
            .find_all(Locator::Css("table#board tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 3);
        c.goto(&format!(
            "{base}/contests/{CONTEST}?as_of=2024-04-02&known=official"
        ))
        .await
        .unwrap();
        let rows: Vec<String> = serde_json::from_value(
            js(
                &c,
                "return [...document.querySelectorAll('#board tbody tr')].map(r => [...r.querySelectorAll('.known')].map(k => k.textContent).join('|'));",
            )
            .await,
        )
        .unwrap();
        assert!(!rows.is_empty() && rows.len() < 32, "{rows:?}");
        assert!(rows.iter().all(|r| r.contains("· official")), "{rows:?}");

        // "Since a date": only what happened from then on.
        c.goto(&format!(
            "{base}/contests/{CONTEST}?as_of=2024-04-02&since=2024-03-31"
        ))
        .await
        .unwrap();
        let dates: Vec<String> = serde_json::from_value(
            js(
                &c,
                "return [...document.querySelectorAll('.events li time')].map(e => e.getAttribute('datetime'));",
            )
            .await,
        )
        .unwrap();
        assert!(!dates.is_empty());
        assert!(
            dates.iter().all(|d| d.as_str() >= "2024-03-31"),
            "{dates:?}"
        );
        c.close().await.unwrap();
    });
}

/// How many of `known` read "22 Feb · official" (a date, then an attribution).
fn regex_like_date_attribution(known: &[String]) -> usize {
    known
        .iter()
        .filter(|k| {
            let Some((date, how)) = k.split_once(" · ") else {
                return false;
            };
            let mut parts = date.split(' ');
            let day_ok = parts
                .next()
                .is_some_and(|d| d.parse::<u32>().is_ok_and(|d| (1..=31).contains(&d)));
            let month_ok = parts.next().is_some_and(|m| m.len() == 3);
            day_ok && month_ok && ["official", "on record", "anonymous", "inferred"].contains(&how)
        })
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_phone_nothing_scrolls_sideways_the_first_blocker_shows_and_charts_read() {
    with_browser!(app, base, driver, {
        let _ = &app;
        let c = browser_sized(&driver, "phone", 390, 844).await;
        for page in ["", "/timeline", "/forecast", "/whatif", "/cell/HUN/rutte"] {
            c.goto(&format!("{base}/contests/{CONTEST}{page}?as_of=2024-04-02"))
                .await
                .unwrap();
            let v = js(&c, OVERFLOW).await;
            let (scroll, inner) = (v[0].as_i64().unwrap(), v[1].as_i64().unwrap());
            assert!(
                scroll <= inner,
                "{page}: the page is {scroll} px wide at {inner} px"
            );
            let name = if page.is_empty() { "board" } else { &page[1..] };
            shot(&c, &format!("{}-390", name.replace('/', "-"))).await;
        }
        c.goto(&format!(
            "{base}/contests/{CONTEST}/whatif?as_of=2024-04-02"
        ))
        .await
        .unwrap();
        let form = js(
            &c,
            "return document.querySelector('form.whatif').getBoundingClientRect().right;",
        )
        .await;
        assert!(form.as_f64().unwrap() <= 390.0, "what-if form: {form}");

        // The first blocker sits within the first screen.
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        let top = js(
            &c,
            "return [document.querySelector('.blocker').getBoundingClientRect().top, window.innerHeight];",
        )
        .await;
        assert!(
            top[0].as_f64().unwrap() + 20.0 < top[1].as_f64().unwrap(),
            "first blocker at {top}"
        );

        // Chart text stays readable: at least 11 px as drawn.
        for (page, css) in [
            ("timeline", ".timeline-chart img"),
            ("forecast", "figure.chart img"),
        ] {
            c.goto(&format!(
                "{base}/contests/{CONTEST}/{page}?as_of=2024-04-02"
            ))
            .await
            .unwrap();
            c.wait().for_element(Locator::Css(css)).await.unwrap();
            let (px, src) = chart_type(&c, css).await;
            assert!(px >= 11.0, "{page}: chart text {px:.1} px ({src})");
        }
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeline_spans_the_contest_and_marks_the_date_and_the_decision() {
    with_browser!(app, base, driver, {
        let _ = &app;
        let c = browser_sized(&driver, "timeline", 1366, 900).await;
        c.goto(&format!(
            "{base}/contests/{CONTEST}/timeline?as_of=2024-04-02"
        ))
        .await
        .unwrap();
        let svg: String = serde_json::from_value(
            c.execute_async(
                "const d = arguments[arguments.length - 1]; fetch(document.querySelector('.timeline-chart img').currentSrc).then(r => r.text()).then(d);",
                vec![],
            )
            .await
            .unwrap(),
        )
        .unwrap();
        // The axis ends with the contest (the decision of June 2024 and the summit it beat),
        // not today (2026).
        assert!(
            !svg.contains("2026") && !svg.contains("2025"),
            "the axis runs past the contest"
        );
        assert!(svg.contains("shown: 2 Apr"), "the chosen date is marked");
        assert!(
            svg.contains("decided: Mark Rutte, 26 Jun"),
            "the decision is marked"
        );
        // Milestone labels do not overlap: texts on one line of the label band are apart.
        let labels = label_boxes(&svg);
        for (i, a) in labels.iter().enumerate() {
            for b in &labels[i + 1..] {
                let same_line = (a.1 - b.1).abs() < 8.0;
                let apart = a.0 + a.2 <= b.0 || b.0 + b.2 <= a.0;
                assert!(!same_line || apart, "labels overlap: {a:?} {b:?}");
            }
        }
        // The legend dashes the holds as the chart does.
        let dashed = c
            .find(Locator::Css(".legend-chart line[stroke-dasharray]"))
            .await
            .expect("a dashed key");
        let key = dashed
            .find(Locator::XPath("./ancestor::span[1]"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(key.ends_with("holds"), "{key}");
        shot(&c, "timeline-1366").await;

        // The board's slider spans the contest too.
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        let help = text(&c, "#as_of_help").await;
        assert_eq!(help, "2023-07-04 to 2024-07-09");
        c.close().await.unwrap();
    });
}

/// The label band's texts: (x, y, estimated width) from the SVG, for `text` elements above
/// the plot (the band's y is small).
fn label_boxes(svg: &str) -> Vec<(f64, f64, f64)> {
    let mut out = Vec::new();
    for part in svg.split("<text").skip(1) {
        let attr = |name: &str| {
            part.split(&format!(" {name}=\""))
                .nth(1)
                .and_then(|r| r.split('"').next())
                .and_then(|v| v.parse::<f64>().ok())
        };
        let (Some(x), Some(y), Some(size)) = (attr("x"), attr("y"), attr("font-size")) else {
            continue;
        };
        let content = part
            .split('>')
            .nth(1)
            .unwrap_or("")
            .split('<')
            .next()
            .unwrap_or("");
        if y > 60.0 || content.is_empty() {
            continue;
        }
        out.push((x, y, content.chars().count() as f64 * size * 0.5));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_slider_keeps_focus_and_a_live_update_keeps_what_the_reader_typed() {
    with_browser!(app, base, driver, {
        let c = browser_sized(&driver, "slider", 1366, 900).await;
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("main[data-live-ready='1']"))
            .await
            .unwrap();
        js(&c, "window.__still_here = 1; return null;").await;
        let slider = c.find(Locator::Id("day")).await.unwrap();
        js(&c, "document.getElementById('day').focus(); return null;").await;
        // Three arrow keys in quick succession: no page load per key, the focus stays.
        let before: i64 = serde_json::from_value(
            js(&c, "return Number(document.getElementById('day').value);").await,
        )
        .unwrap();
        for _ in 0..3 {
            slider.send_keys("\u{E014}").await.unwrap();
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let state = js(
            &c,
            "return [window.__still_here || 0, document.activeElement && document.activeElement.id, Number(document.getElementById('day').value), location.search, document.querySelector('.status').textContent];",
        )
        .await;
        assert_eq!(state[0], json!(1), "the page was reloaded: {state}");
        assert_eq!(state[1], json!("day"), "the slider lost the focus: {state}");
        assert_eq!(state[2].as_i64().unwrap(), before + 3, "{state}");
        assert!(
            state[3].as_str().unwrap().contains("as_of=2024-04-05"),
            "the address follows the slider: {state}"
        );
        assert!(state[4].as_str().unwrap().contains("5 Apr"), "{state}");

        // A half-typed date in the feed's form, the focus in it; then the log grows.
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("main[data-live-ready='1']"))
            .await
            .unwrap();
        js(&c, "window.__still_here = 2; const s = document.querySelector('#f-known'); s.focus(); return null;").await;
        let filter = c.find(Locator::Id("f-known")).await.unwrap();
        filter.select_by_value("inferred").await.unwrap();
        js(
            &c,
            "document.querySelector('#f-known').focus(); return null;",
        )
        .await;
        // Dated the board's day: the same day's later report stands.
        append(
            &app,
            "2024-04-02",
            stance(
                "SVK",
                "rutte",
                Stance::Supports,
                "Bratislava relents (test)",
                Visibility::Public,
            ),
        )
        .await;
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css("main[data-updated]"))
            .await
            .expect("the live update arrives");
        let after = js(
            &c,
            "return [window.__still_here || 0, document.activeElement && document.activeElement.id, document.getElementById('f-known').value, document.querySelector('.whip-line').textContent];",
        )
        .await;
        assert_eq!(after[0], json!(2), "the page was reloaded: {after}");
        assert_eq!(after[1], json!("f-known"), "the focus was lost: {after}");
        assert_eq!(after[2], json!("inferred"), "the choice was wiped: {after}");
        assert!(
            after[3]
                .as_str()
                .unwrap()
                .contains("29 ✓ · 2 block (HUN, ROU)"),
            "the whip count follows the log: {after}"
        );
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chairs_board_says_it_holds_confidential_reports_and_locks_them() {
    with_browser!(app, base, driver, {
        append(
            &app,
            "2024-04-01",
            stance(
                "TUR",
                "rutte",
                Stance::Supports,
                "told to the chair",
                Visibility::ChairOnly,
            ),
        )
        .await;
        let chair = browser_sized(&driver, "chair", 1366, 900).await;
        sign_in(&chair, &base, app.token("chair").unwrap()).await;
        chair
            .goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        let notice = text(&chair, ".notice.chair").await;
        assert!(
            notice.contains("includes 1 report told to the chair in confidence"),
            "{notice}"
        );
        chair
            .find(Locator::Css(
                "tr[data-member=TUR] td[data-candidate=rutte] summary .lock",
            ))
            .await
            .expect("a lock on the confidential cell");
        shot(&chair, "board-chair-1366").await;
        chair.close().await.unwrap();

        let hun = browser_sized(&driver, "hun", 1366, 900).await;
        sign_in(&hun, &base, app.token("delegation:HUN").unwrap()).await;
        hun.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-04-02"))
            .await
            .unwrap();
        let html = hun.source().await.unwrap();
        assert!(!html.contains("notice chair") && !html.contains("class=\"lock\""));
        // The delegation is named, not coded.
        let role = text(&hun, ".who .role").await;
        assert!(role.starts_with("Hungary's delegation"), "{role}");
        hun.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_forecast_has_a_headline_with_its_trend_and_a_decided_contest_its_outcome() {
    with_browser!(app, base, driver, {
        let _ = &app;
        let c = browser_sized(&driver, "forecast", 1366, 900).await;
        c.goto(&format!(
            "{base}/contests/{CONTEST}/forecast?as_of=2024-04-02"
        ))
        .await
        .unwrap();
        let head = text(&c, "#fc-headline").await;
        assert!(
            head.contains("before the Washington summit (9 Jul)"),
            "{head}"
        );
        assert!(head.contains("most likely"), "{head}");
        assert!(head.contains("(80 %: "), "{head}");
        assert!(head.contains("is the last to release in"), "{head}");
        c.find(Locator::Css("#fc-headline svg.spark polyline"))
            .await
            .expect("a sparkline");
        let explain = text(&c, "details.explain").await;
        assert!(explain.contains("what is this?"), "{explain}");
        shot(&c, "forecast-1366").await;

        // A what-if's rows sit beside the baseline's, with the change in points.
        c.goto(&format!(
            "{base}/contests/{CONTEST}/whatif?as_of=2024-04-02&edit=lift&hold=HUN%7CMark+Rutte"
        ))
        .await
        .unwrap();
        let rows: Vec<Vec<String>> = serde_json::from_value(
            js(
                &c,
                "return [...document.querySelectorAll('.whatif-rows tbody tr')].map(r => [...r.children].map(x => x.textContent));",
            )
            .await,
        )
        .unwrap();
        assert!(rows.len() >= 8, "{rows:?}");
        assert!(rows.iter().all(|r| r.len() == 4), "{rows:?}");
        assert!(
            rows[0][0].starts_with("Decided by the hard deadline"),
            "{rows:?}"
        );
        assert!(rows[0][3].starts_with('+'), "{rows:?}");
        assert!(
            rows.iter().any(|r| r[0] == "Another candidate agreed"),
            "{rows:?}"
        );

        // Decided the day before: the outcome, not a forecast of what already happened.
        for page in ["forecast", "whatif"] {
            c.goto(&format!(
                "{base}/contests/{CONTEST}/{page}?as_of=2024-06-27"
            ))
            .await
            .unwrap();
            let outcome = text(&c, ".decided-outcome").await;
            assert!(
                outcome.contains("Mark Rutte appointed"),
                "{page}: {outcome}"
            );
            assert!(c.find(Locator::Css(".p-deadline")).await.is_err(), "{page}");
        }
        c.goto(&format!("{base}/contests/{CONTEST}?as_of=2024-06-27"))
            .await
            .unwrap();
        let status = text(&c, ".status").await;
        assert!(
            status.contains("Mark Rutte appointed on 26 Jun"),
            "{status}"
        );
        c.close().await.unwrap();
    });
}
