//! The silence procedure as a proposal page, in headless Chromium: a countdown in words, a
//! roster of who is silent and who broke silence, a confirmation before breaking it, the chair
//! withdrawing and re-circulating a draft, and the outcome arriving live at the deadline on a
//! page nobody reloads — never "open" beside a passed deadline.

mod common;

use std::time::Duration;

use common::browser::*;
use concord_domain::event::{EventKind, NewEvent};
use fantoccini::{Client, Locator};

/// Circulates `procedure` on Rutte with a deadline of 21 June 2024, 18:00 in Brussels (16:00
/// UTC): 1 day 8 hours after the harness's clock.
async fn circulate(server: &Server, procedure: &str) {
    server
        .ledger
        .append(
            CONTEST,
            vec![NewEvent {
                valid: "2024-06-20".parse().unwrap(),
                author: "test".into(),
                kind: EventKind::SilenceOpened {
                    procedure: procedure.into(),
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

async fn article(c: &Client, procedure: &str) -> String {
    c.find(Locator::Css(&format!(
        "article[data-procedure={procedure}]"
    )))
    .await
    .unwrap()
    .text()
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_confirms_before_breaking_silence_and_the_roster_says_who() {
    with_browser!(server, driver, {
        circulate(&server, "sp-1").await;
        let hun = browser(&driver, "hun").await;
        sign_in(&hun, &server.base, "delegation:HUN").await;
        hun.goto(&format!("{}/contests/{CONTEST}/silence", server.base))
            .await
            .unwrap();
        let text = article(&hun, "sp-1").await;
        assert!(text.contains("1 day 8 hours left"), "{text}");
        assert!(!text.contains("seconds"), "{text}");
        assert!(text.contains("Broke silence (0)"), "{text}");
        assert!(text.contains("Silent so far (32 of 32)"), "{text}");
        shots_at_both_widths(&hun, "silence-open").await;
        let before = server.ledger.events(CONTEST).await.unwrap().len();
        hun.find(Locator::Css("textarea[name=statement]"))
            .await
            .unwrap()
            .send_keys("Hungary needs guarantees on the Ukraine mission first.")
            .await
            .unwrap();
        hun.find(Locator::Css("form.break button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        // The confirmation step: what breaking does, the statement, nothing written yet.
        let confirm = hun
            .wait()
            .for_element(Locator::Css("article.confirm"))
            .await
            .expect("a confirmation step")
            .text()
            .await
            .unwrap();
        assert!(confirm.contains("makes the draft fail"), "{confirm}");
        assert!(
            confirm.contains("guarantees on the Ukraine mission"),
            "{confirm}"
        );
        assert_eq!(
            server.ledger.events(CONTEST).await.unwrap().len(),
            before,
            "nothing is written before the confirmation"
        );
        shots_at_both_widths(&hun, "silence-confirm").await;
        hun.find(Locator::Css("form.break-confirm button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        hun.wait()
            .for_element(Locator::Css("article[data-status=broken]"))
            .await
            .unwrap();
        let text = article(&hun, "sp-1").await;
        assert!(text.contains("Failed: silence broken by Hungary"), "{text}");
        assert!(text.contains("Broke silence (1)"), "{text}");
        assert!(text.contains("Kept silence (31 of 32)"), "{text}");
        assert!(
            !text.contains("left"),
            "no countdown on a failed draft: {text}"
        );
        assert!(
            hun.find(Locator::Css("form.break")).await.is_err(),
            "nothing left to break"
        );
        shots_at_both_widths(&hun, "silence-broken").await;
        hun.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chair_withdraws_a_draft_and_circulates_it_again() {
    with_browser!(server, driver, {
        circulate(&server, "sp-1").await;
        let chair = browser(&driver, "chair").await;
        sign_in(&chair, &server.base, "chair").await;
        chair
            .goto(&format!("{}/contests/{CONTEST}/silence", server.base))
            .await
            .unwrap();
        chair
            .find(Locator::Css("form.withdraw input[name=reason]"))
            .await
            .expect("the chair can withdraw an open draft")
            .send_keys("Consultations continue")
            .await
            .unwrap();
        chair
            .find(Locator::Css("form.withdraw button"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        chair
            .wait()
            .for_element(Locator::Css("article[data-status=withdrawn]"))
            .await
            .unwrap();
        let text = article(&chair, "sp-1").await;
        assert!(text.contains("Withdrawn by the chair"), "{text}");
        assert!(text.contains("Consultations continue"), "{text}");
        // The form is filled from the withdrawn draft, ready to circulate again.
        let draft = chair
            .find(Locator::Id("sp-draft"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(draft.starts_with("Appoint Mark Rutte"), "{draft}");
        chair
            .execute(
                "document.getElementById('sp-deadline').value = '2024-06-24T12:00';",
                vec![],
            )
            .await
            .unwrap();
        chair
            .find(Locator::Css("#circulate button[type=submit]"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        chair
            .wait()
            .for_element(Locator::Css(
                "article[data-procedure=sp-2][data-status=open]",
            ))
            .await
            .expect("the draft circulates again as sp-2");
        shots_at_both_widths(&chair, "silence-recirculated").await;
        chair.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outcome_arrives_live_at_the_deadline() {
    with_browser!(server, driver, {
        circulate(&server, "sp-1").await;
        let c = browser(&driver, "observer").await;
        c.goto(&format!("{}/contests/{CONTEST}/silence", server.base))
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("main[data-live-ready='1']"))
            .await
            .unwrap();
        c.find(Locator::Css(
            "article[data-procedure=sp-1][data-status=open]",
        ))
        .await
        .unwrap();
        // The deadline passes on the server's clock; nobody reloads.
        server.clock.set("2024-06-21T16:00:01Z".parse().unwrap());
        c.wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(
                "article[data-procedure=sp-1][data-status=adopted]",
            ))
            .await
            .expect("the outcome arrives without a reload");
        let text = article(&c, "sp-1").await;
        assert!(text.contains("Adopted: nobody broke silence"), "{text}");
        assert!(text.contains("Mark Rutte is appointed"), "{text}");
        assert!(text.contains("Kept silence (32 of 32)"), "{text}");
        for contradiction in ["Open", "left", "deadline reached", "reload"] {
            assert!(
                !text.contains(contradiction),
                "'{contradiction}' beside the outcome: {text}"
            );
        }
        shots_at_both_widths(&c, "silence-adopted").await;
        c.close().await.unwrap();
    });
}
