//! Quality gates in headless Chromium: axe-core over every page of the dashboard for every
//! role (no serious or critical violation), and keyboard-only walkthroughs (Tab to move, Enter
//! to act, typing only into fields) of recording a report and of breaking silence.
//!
//! axe-core comes from the npm registry into `tools/axe/` (`npm ci` there; CI's `.ci/run` does
//! it). Where it is missing the axe test says so and passes; nothing is fetched at test time.

mod common;

use std::path::PathBuf;

use common::browser::*;
use concord_domain::event::{EventKind, NewEvent};
use fantoccini::key::Key;
use fantoccini::{Client, Locator};

fn axe_source() -> Option<String> {
    let path = std::env::var_os("CONCORD_AXE").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../tools/axe/node_modules/axe-core/axe.min.js")
        },
        PathBuf::from,
    );
    std::fs::read_to_string(path).ok()
}

/// An open silence procedure, so the silence page shows its roster, countdown and forms.
async fn circulate(server: &Server) {
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
                    deadline: "2024-06-21T18:00[Europe/Brussels]".parse().unwrap(),
                },
            }],
            "2024-06-20T08:00:00Z".parse().unwrap(),
        )
        .await
        .unwrap();
}

/// axe's serious and critical violations on the current page, one line each.
async fn violations(c: &Client, axe: &str) -> Vec<String> {
    c.execute(&format!("{axe}\n;return true;"), vec![])
        .await
        .expect("axe-core loads");
    let found = c
        .execute_async(
            r#"const done = arguments[arguments.length - 1];
               axe.run(document, { resultTypes: ["violations"] }).then(function (r) {
                 done(r.violations
                   .filter(function (v) { return v.impact === "serious" || v.impact === "critical"; })
                   .map(function (v) {
                     return v.impact + " " + v.id + ": " + v.help + " at " +
                       v.nodes.slice(0, 3).map(function (n) { return n.target.join(" "); }).join(", ");
                   }));
               }).catch(function (e) { done(["axe failed: " + e]); });"#,
            vec![],
        )
        .await
        .expect("axe-core runs");
    found
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_page_for_every_role_has_no_serious_accessibility_violation() {
    let Some(axe) = axe_source() else {
        println!("skipped: axe-core not installed (run `npm ci` in tools/axe; CI's .ci/run does)");
        return;
    };
    with_browser!(server, driver, {
        circulate(&server).await;
        let c = CONTEST;
        let common = [
            "/".to_owned(),
            "/contests".to_owned(),
            format!("/contests/{c}?as_of=2024-04-02"),
            format!("/contests/{c}/cell/HUN/rutte?as_of=2024-04-02"),
            format!("/contests/{c}/timeline?as_of=2024-04-02"),
            format!("/contests/{c}/forecast?as_of=2024-04-02"),
            format!("/contests/{c}/whatif?as_of=2024-04-02"),
            format!("/contests/{c}/silence"),
        ];
        let writer = [
            format!("/contests/{c}/record"),
            format!("/contests/{c}/record/condition"),
            format!("/contests/{c}/record/commitment"),
            format!("/contests/{c}/review"),
        ];
        let mut failures = Vec::new();
        let mut pages = 0;
        for role in [
            None,
            Some("observer"),
            Some("analyst"),
            Some("chair"),
            Some("delegation:HUN"),
        ] {
            let name = role.unwrap_or("anonymous").replace(':', "-");
            let b = browser(&driver, &format!("axe-{name}")).await;
            let mut paths: Vec<String> = common.to_vec();
            match role {
                None => paths.push("/sign-in".to_owned()),
                Some("analyst") => {
                    paths.extend(writer.iter().cloned());
                    paths.push(format!("/contests/{c}/import"));
                }
                Some("chair") => {
                    paths.extend(writer.iter().cloned());
                    paths.push(format!("/contests/{c}/import"));
                    paths.push("/import".to_owned());
                }
                Some("delegation:HUN") => {
                    paths.push(format!("/contests/{c}/position"));
                    paths.push(format!("/contests/{c}/import"));
                }
                _ => {}
            }
            if let Some(r) = role {
                sign_in(&b, &server.base, r).await;
            }
            for path in &paths {
                b.goto(&format!("{}{path}", server.base)).await.unwrap();
                for v in violations(&b, &axe).await {
                    failures.push(format!("{name} {path}: {v}"));
                }
                pages += 1;
            }
            // A form showing its refusals is a page too.
            if role == Some("analyst") {
                b.goto(&format!("{}/contests/{c}/record", server.base))
                    .await
                    .unwrap();
                b.execute(
                    "document.getElementById('f-date').value = '2034-01-01';\
                     document.getElementById('f-source').value = 'x';\
                     document.querySelector('#record-form').submit();",
                    vec![],
                )
                .await
                .unwrap();
                b.wait()
                    .for_element(Locator::Css(".error-summary"))
                    .await
                    .unwrap();
                for v in violations(&b, &axe).await {
                    failures.push(format!("{name} record (refused): {v}"));
                }
                pages += 1;
            }
            b.close().await.unwrap();
        }
        println!("axe-core: {pages} pages checked");
        assert!(
            failures.is_empty(),
            "{} serious or critical violations:\n{}",
            failures.len(),
            failures.join("\n")
        );
    });
}

/// Presses Tab until the focused element matches `css` (at most `limit` times).
async fn tab_to(c: &Client, css: &str, limit: usize) {
    for _ in 0..limit {
        let active = c.active_element().await.unwrap();
        let hit = c
            .execute(
                "return document.activeElement && document.activeElement.matches(arguments[0]);",
                vec![css.into()],
            )
            .await
            .unwrap()
            .as_bool()
            .unwrap_or(false);
        if hit {
            return;
        }
        active.send_keys(&Key::Tab.to_string()).await.unwrap();
    }
    panic!("{css} not reached with {limit} presses of Tab");
}

async fn type_here(c: &Client, text: &str) {
    c.active_element()
        .await
        .unwrap()
        .send_keys(text)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_records_a_report_with_the_keyboard_only() {
    with_browser!(server, driver, {
        let c = browser(&driver, "keyboard-analyst").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!(
            "{}/contests/{CONTEST}?as_of=2024-04-02",
            server.base
        ))
        .await
        .unwrap();
        tab_to(&c, "header nav a[href$='/record']", 30).await;
        type_here(&c, &Key::Enter.to_string()).await;
        c.wait()
            .for_element(Locator::Css("form#record-form"))
            .await
            .unwrap();
        let before = server.ledger.events(CONTEST).await.unwrap().len();
        tab_to(&c, "#f-member", 40).await;
        type_here(&c, "Portugal").await;
        tab_to(&c, "#f-candidate", 3).await;
        type_here(&c, "Mark").await;
        tab_to(&c, "#f-stance", 3).await;
        type_here(&c, "supports").await;
        tab_to(&c, "#f-source", 3).await;
        type_here(&c, "https://example.org/portugal").await;
        tab_to(&c, "#f-date", 6).await;
        // A date field takes its digits in the locale's order (en-US: month, day, year).
        type_here(&c, "06192024").await;
        tab_to(&c, "#record-form button[type=submit]", 12).await;
        type_here(&c, &Key::Enter.to_string()).await;
        let flash = c
            .wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("recorded with the keyboard")
            .text()
            .await
            .unwrap();
        assert!(
            flash.contains("Portugal supports Mark Rutte on 19 Jun 2024"),
            "{flash}"
        );
        assert_eq!(
            server.ledger.events(CONTEST).await.unwrap().len(),
            before + 1
        );
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_breaks_silence_with_the_keyboard_only() {
    with_browser!(server, driver, {
        circulate(&server).await;
        let c = browser(&driver, "keyboard-hun").await;
        sign_in(&c, &server.base, "delegation:HUN").await;
        c.goto(&format!("{}/contests/{CONTEST}", server.base))
            .await
            .unwrap();
        tab_to(&c, "header nav a[href$='/silence']", 30).await;
        type_here(&c, &Key::Enter.to_string()).await;
        c.wait()
            .for_element(Locator::Css("article[data-procedure=sp-1]"))
            .await
            .unwrap();
        tab_to(&c, "form.break textarea", 40).await;
        type_here(&c, "Hungary needs more time.").await;
        tab_to(&c, "form.break button", 3).await;
        type_here(&c, &Key::Enter.to_string()).await;
        c.wait()
            .for_element(Locator::Css("article.confirm"))
            .await
            .expect("the confirmation step");
        tab_to(&c, "form.break-confirm button", 40).await;
        type_here(&c, &Key::Enter.to_string()).await;
        c.wait()
            .for_element(Locator::Css(
                "article[data-procedure=sp-1][data-status=broken]",
            ))
            .await
            .expect("silence broken with the keyboard");
        c.close().await.unwrap();
    });
}
