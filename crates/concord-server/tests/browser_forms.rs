//! Working in the dashboard, in headless Chromium: an analyst records a report, a condition
//! and a commitment; a delegation states its own position (and cannot state another's); CSV
//! and scenario imports show each problem under its line and write nothing; every refusal
//! keeps what was typed; a form whose anti-forgery token does not match is refused.

mod common;

use common::browser::*;
use concord_domain::event::EventKind;
use fantoccini::{Client, Locator};

async fn events(server: &Server) -> usize {
    server.ledger.events(CONTEST).await.unwrap().len()
}

async fn text_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} on the page"))
        .text()
        .await
        .unwrap()
}

async fn value_of(c: &Client, css: &str) -> String {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|_| panic!("{css} on the page"))
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default()
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c.find(Locator::Css(css)).await.unwrap();
    e.clear().await.unwrap();
    e.send_keys(text).await.unwrap();
}

/// Sets a field's value by script: a date input takes typed digits in the locale's order.
async fn set(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![id.into(), value.into()],
    )
    .await
    .unwrap();
}

async fn select(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .select_by_value(value)
        .await
        .unwrap();
}

/// The heading of the error page the last submission led to (waiting for it to load: the
/// form's own page has a heading too).
async fn error_heading(c: &Client) -> String {
    c.wait()
        .for_element(Locator::XPath("//h1[starts-with(., 'Error')]"))
        .await
        .expect("an error page")
        .text()
        .await
        .unwrap()
}

async fn submit(c: &Client, form: &str) {
    c.find(Locator::Css(&format!("{form} button[type=submit]")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_records_a_report_the_guard_refuses_then_accepts() {
    with_browser!(server, driver, {
        let c = browser(&driver, "analyst").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!("{}/contests/{CONTEST}", server.base))
            .await
            .unwrap();
        // The contest's navigation leads to the form.
        c.find(Locator::Css("header nav a[href$='/record']"))
            .await
            .expect("a Record tab for the analyst")
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("form#record-form"))
            .await
            .unwrap();
        // Every field has a label.
        for id in [
            "f-member",
            "f-candidate",
            "f-stance",
            "f-source",
            "f-attribution",
            "f-date",
        ] {
            c.find(Locator::Css(&format!("label[for={id}]")))
                .await
                .unwrap_or_else(|_| panic!("a label for {id}"));
        }
        assert!(
            c.find(Locator::Css("input[name=visibility]"))
                .await
                .is_err(),
            "an analyst records public reports only: no visibility choice"
        );
        let before = events(&server).await;
        select(&c, "#f-member", "PRT").await;
        select(&c, "#f-candidate", "rutte").await;
        select(&c, "#f-stance", "supports").await;
        fill(&c, "#f-source", "https://example.org/portugal-backs-rutte").await;
        fill(&c, "#f-speaker", "Portugal's foreign minister").await;
        // Ten years ahead of the server's clock: only the domain's guard knows that is wrong.
        set(&c, "f-date", "2034-06-19").await;
        submit(&c, "#record-form").await;
        c.wait()
            .for_element(Locator::Css(".error-summary"))
            .await
            .expect("the refusal is shown");
        assert_eq!(events(&server).await, before, "nothing was written");
        let beside = text_of(&c, ".field.invalid #f-date-error").await;
        assert!(
            beside.contains("date"),
            "the problem sits by the date: {beside}"
        );
        assert_eq!(
            c.find(Locator::Css("#f-date"))
                .await
                .unwrap()
                .attr("aria-invalid")
                .await
                .unwrap()
                .as_deref(),
            Some("true")
        );
        // What was typed is kept.
        assert_eq!(value_of(&c, "#f-member").await, "PRT");
        assert_eq!(value_of(&c, "#f-candidate").await, "rutte");
        assert_eq!(
            value_of(&c, "#f-source").await,
            "https://example.org/portugal-backs-rutte"
        );
        assert_eq!(
            value_of(&c, "#f-speaker").await,
            "Portugal's foreign minister"
        );
        assert_eq!(value_of(&c, "#f-date").await, "2034-06-19");
        // The summary links to the field at fault.
        c.find(Locator::Css(".error-summary a[href='#f-date']"))
            .await
            .expect("the summary links to the date");
        shots_at_both_widths(&c, "record-report-refused").await;

        set(&c, "f-date", "2024-06-19").await;
        submit(&c, "#record-form").await;
        c.wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("a confirmation");
        let flash = text_of(&c, ".flash").await;
        assert!(
            flash.contains("Recorded: Portugal supports Mark Rutte on 19 Jun 2024"),
            "{flash}"
        );
        // POST-redirect-GET: the page is the form's own address, ready for the next report.
        assert!(
            c.current_url().await.unwrap().path().ends_with("/record"),
            "redirected after the post"
        );
        let all = server.ledger.events(CONTEST).await.unwrap();
        assert_eq!(all.len(), before + 1);
        let last = all.last().unwrap();
        assert!(
            matches!(&last.kind, EventKind::StanceReported(s)
                if s.member == "PRT" && s.candidate == "rutte"
                && s.report.speaker.as_deref() == Some("Portugal's foreign minister")),
            "{:?}",
            last.kind
        );
        assert!(last.author.starts_with("api:analyst"), "{}", last.author);
        shot(&c, "record-report-done-laptop").await;
        // The confirmation is said once: a reload does not repeat it.
        c.refresh().await.unwrap();
        assert!(c.find(Locator::Css(".flash")).await.is_err());
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_analyst_adds_a_condition_then_a_commitment_that_meets_it() {
    with_browser!(server, driver, {
        let c = browser(&driver, "analyst-cond").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!(
            "{}/contests/{CONTEST}/record/condition",
            server.base
        ))
        .await
        .unwrap();
        select(&c, "#f-member", "SVK").await;
        select(&c, "#f-candidate", "rutte").await;
        fill(&c, "#f-text", "no Slovak troops in Ukraine").await;
        fill(&c, "#f-condition", "no-troops").await;
        fill(&c, "#f-source", "https://example.org/svk").await;
        set(&c, "f-date", "2024-06-18").await;
        submit(&c, "#record-form").await;
        let flash = c
            .wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("confirmed")
            .text()
            .await
            .unwrap();
        assert!(flash.contains("Slovakia"), "{flash}");
        shots_at_both_widths(&c, "record-condition").await;

        c.goto(&format!(
            "{}/contests/{CONTEST}/record/commitment",
            server.base
        ))
        .await
        .unwrap();
        select(&c, "#f-candidate", "rutte").await;
        fill(
            &c,
            "#f-text",
            "no NATO mission puts Slovak troops in Ukraine",
        )
        .await;
        fill(&c, "#f-source", "https://example.org/rutte-svk").await;
        set(&c, "f-date", "2024-06-19").await;
        c.find(Locator::Css("input[type=checkbox][value='SVK/no-troops']"))
            .await
            .expect("the new condition is offered")
            .click()
            .await
            .unwrap();
        submit(&c, "#record-form").await;
        c.wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("confirmed");
        let last = server.ledger.events(CONTEST).await.unwrap();
        let last = last.last().unwrap();
        assert!(
            matches!(&last.kind, EventKind::CommitmentMade { meets, .. }
                if meets.iter().any(|m| m.member == "SVK" && m.condition == "no-troops")),
            "{:?}",
            last.kind
        );
        shots_at_both_widths(&c, "record-commitment").await;
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delegation_states_its_own_position_and_no_other() {
    with_browser!(server, driver, {
        let c = browser(&driver, "hun-position").await;
        sign_in(&c, &server.base, "delegation:HUN").await;
        c.goto(&format!("{}/contests/{CONTEST}", server.base))
            .await
            .unwrap();
        c.find(Locator::Css("header nav a[href$='/position']"))
            .await
            .expect("an Our position tab for a delegation")
            .click()
            .await
            .unwrap();
        c.wait()
            .for_element(Locator::Css("form#record-form"))
            .await
            .unwrap();
        let aside = text_of(&c, "aside.positions").await;
        assert!(
            aside.contains("Hungary") && aside.contains("Mark Rutte"),
            "{aside}"
        );
        assert!(
            c.find(Locator::Css("select[name=member]")).await.is_err(),
            "a delegation chooses no member"
        );
        select(&c, "#f-candidate", "rutte").await;
        select(&c, "#f-stance", "supports").await;
        fill(&c, "#f-source", "Note verbale to the Secretariat").await;
        set(&c, "f-date", "2024-06-20").await;
        submit(&c, "#record-form").await;
        let flash = c
            .wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("confirmed")
            .text()
            .await
            .unwrap();
        assert!(flash.contains("Hungary supports Mark Rutte"), "{flash}");
        let all = server.ledger.events(CONTEST).await.unwrap();
        assert!(
            matches!(&all.last().unwrap().kind, EventKind::StanceReported(s)
            if s.member == "HUN" && s.candidate == "rutte")
        );
        shots_at_both_widths(&c, "position").await;

        // An edited form cannot speak for Romania: the application layer's role check, as the API's.
        let before = all.len();
        c.execute(
            "document.querySelector('input[name=member]').value = 'ROU';",
            vec![],
        )
        .await
        .unwrap();
        select(&c, "#f-candidate", "rutte").await;
        select(&c, "#f-stance", "objects").await;
        fill(&c, "#f-source", "forged").await;
        submit(&c, "#record-form").await;
        assert_eq!(error_heading(&c).await, "Error 403");
        let page = c.source().await.unwrap();
        assert!(page.contains("for HUN only"), "{page}");
        assert_eq!(events(&server).await, before, "nothing was written");
        c.close().await.unwrap();

        // The analyst has no delegation page, and an observer no record page.
        let a = browser(&driver, "analyst-position").await;
        sign_in(&a, &server.base, "analyst").await;
        a.goto(&format!("{}/contests/{CONTEST}/position", server.base))
            .await
            .unwrap();
        assert_eq!(text_of(&a, "h1").await, "Error 403");
        a.close().await.unwrap();
        let o = browser(&driver, "observer-record").await;
        sign_in(&o, &server.base, "observer").await;
        o.goto(&format!("{}/contests/{CONTEST}/record", server.base))
            .await
            .unwrap();
        assert_eq!(text_of(&o, "h1").await, "Error 403");
        assert!(
            o.find(Locator::Css("header nav a[href$='/record']"))
                .await
                .is_err()
        );
        o.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_show_each_problem_under_its_line_and_write_nothing() {
    with_browser!(server, driver, {
        let c = browser(&driver, "analyst-import").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!("{}/contests/{CONTEST}/import", server.base))
            .await
            .unwrap();
        let csv = "date,member,candidate,stance,source,attribution,visibility\n\
                   2024-06-19,PRT,rutte,supports,https://example.org/a,official,public\n\
                   2024-06-19,ESP,rutte,suports,https://example.org/b,official,public\n";
        fill(&c, "#import-text", csv).await;
        let before = events(&server).await;
        submit(&c, "#import-form").await;
        let bad = c
            .wait()
            .for_element(Locator::Css("ol.lines li.bad"))
            .await
            .expect("the bad line is shown with its problem")
            .text()
            .await
            .unwrap();
        assert!(
            bad.contains("ESP") && bad.contains("Line 3") && bad.contains("supports"),
            "the problem under its line, with the near miss: {bad}"
        );
        assert_eq!(events(&server).await, before, "nothing was written");
        assert_eq!(
            value_of(&c, "#import-text").await.trim(),
            csv.trim(),
            "the text is kept"
        );
        shots_at_both_widths(&c, "import-refused").await;
        fill(&c, "#import-text", &csv.replace("suports", "supports")).await;
        submit(&c, "#import-form").await;
        let flash = c
            .wait()
            .for_element(Locator::Css(".flash"))
            .await
            .expect("confirmed")
            .text()
            .await
            .unwrap();
        assert!(flash.contains("Imported 2 reports"), "{flash}");
        assert_eq!(events(&server).await, before + 2);
        c.close().await.unwrap();

        // The chair creates a contest from a scenario; a wrong line is shown in place.
        let chair = browser(&driver, "chair-import").await;
        sign_in(&chair, &server.base, "chair").await;
        chair
            .goto(&format!("{}/import", server.base))
            .await
            .unwrap();
        let scenario = include_str!("../../../scenarios/nato-sg-2024.toml").replacen(
            "id = \"nato-sg-2024\"",
            "id = \"nato-copy\"",
            1,
        );
        let broken = scenario.replacen("stance = \"objects\"", "stance = \"objets\"", 1);
        set(&chair, "import-text", &broken).await;
        submit(&chair, "#import-form").await;
        let bad = chair
            .wait()
            .for_element(Locator::Css("ol.lines li.bad"))
            .await
            .expect("the bad line is shown")
            .text()
            .await
            .unwrap();
        assert!(bad.contains("objets"), "{bad}");
        assert!(
            !server
                .ledger
                .contests()
                .await
                .unwrap()
                .iter()
                .any(|c| c.id == "nato-copy"),
            "no contest was created"
        );
        shots_at_both_widths(&chair, "import-scenario-refused").await;
        chair.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_whose_anti_forgery_token_does_not_match_is_refused() {
    with_browser!(server, driver, {
        let c = browser(&driver, "analyst-csrf").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!("{}/contests/{CONTEST}/record", server.base))
            .await
            .unwrap();
        let token = c
            .find(Locator::Css("#record-form input[name=csrf]"))
            .await
            .unwrap()
            .prop("value")
            .await
            .unwrap()
            .unwrap_or_default();
        assert_eq!(token.len(), 32, "a session's form carries its token");
        let before = events(&server).await;
        // As a page on another site would post it: the right fields, no valid token.
        c.execute(
            "document.querySelector('#record-form input[name=csrf]').value = 'forged';",
            vec![],
        )
        .await
        .unwrap();
        select(&c, "#f-member", "PRT").await;
        select(&c, "#f-candidate", "rutte").await;
        select(&c, "#f-stance", "supports").await;
        fill(&c, "#f-source", "https://example.org/x").await;
        set(&c, "f-date", "2024-06-19").await;
        submit(&c, "#record-form").await;
        assert_eq!(error_heading(&c).await, "Error 403");
        assert!(c.source().await.unwrap().contains("anti-forgery"));
        assert_eq!(events(&server).await, before, "nothing was written");
        c.close().await.unwrap();
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_form_on_a_decided_contest_says_so_and_starts_on_the_decision_day() {
    with_browser!(server, driver, {
        // After the appointment of 26 June 2024.
        server.clock.set("2024-07-01T09:00:00Z".parse().unwrap());
        let c = browser(&driver, "analyst-decided").await;
        sign_in(&c, &server.base, "analyst").await;
        c.goto(&format!("{}/contests/{CONTEST}/record", server.base))
            .await
            .unwrap();
        let intro = text_of(&c, "main p.muted").await;
        assert!(
            intro.contains("decided on 26 Jun 2024 (Mark Rutte appointed)"),
            "{intro}"
        );
        assert_eq!(value_of(&c, "#f-date").await, "2024-06-26");
        c.close().await.unwrap();
    });
}
