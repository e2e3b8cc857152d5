//! The reproductions of issue 10 that only the server can show, each refused and writing
//! nothing: a JSON body with trailing garbage, reports dated 9999-12-31 (after which the
//! timeline must still draw), stances after the decision, the abusive forecast request,
//! `as_of` outside the contest's life on every endpoint and page that takes it, and an internal
//! error that names its request instead of its cause.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{App, CONTEST, report};
use serde_json::json;
use tower::ServiceExt;

#[tokio::test]
async fn a_body_with_trailing_garbage_is_refused_at_its_root_and_writes_nothing() {
    let app = App::new().await;
    let before = app.events().await;
    let body = format!("{} THIS IS NOT JSON", report("HUN", "rutte", "supports"));
    let req = Request::post(format!("/api/contests/{CONTEST}/reports"))
        .header(
            "authorization",
            format!("Bearer {}", app.token("chair").unwrap()),
        )
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let resp = concord_server::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(v["error"]["problems"][0]["path"], "$", "{v}");
    assert!(
        v["error"]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("more than one JSON value"),
        "{v}"
    );
    assert_eq!(app.events().await, before);
}

#[tokio::test]
async fn reports_conditions_and_commitments_dated_9999_are_refused_and_the_timeline_still_draws() {
    let app = App::new().await;
    let before = app.events().await;
    let far = "9999-12-31";
    let mut r = report("HUN", "rutte", "supports");
    r["date"] = json!(far);
    for (path, body) in [
        ("reports", r),
        (
            "conditions",
            json!({"member": "HUN", "condition": "far-future", "text": "t", "source": "s", "date": far}),
        ),
        (
            "commitments",
            json!({"candidate": "rutte", "text": "t", "source": "s", "date": far}),
        ),
    ] {
        let (s, v) = app
            .call(
                "POST",
                &format!("/api/contests/{CONTEST}/{path}"),
                Some("chair"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {v}");
        assert_eq!(v["error"]["problems"][0]["path"], "$.date", "{v}");
        assert!(
            v["error"]["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains("9999-12-31 is in the future")
        );
    }
    assert_eq!(app.events().await, before);
    let (s, _) = app
        .call(
            "GET",
            &format!("/contests/{CONTEST}/timeline"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn a_stance_after_the_decision_is_refused() {
    let app = App::new().await;
    app.clock.set("2024-07-01T10:00:00Z".parse().unwrap());
    let before = app.events().await;
    let mut r = report("HUN", "rutte", "objects");
    r["date"] = json!("2024-06-30");
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/reports"),
            Some("chair"),
            Some(r),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let message = v["error"]["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("after nato-sg-2024 was decided on 2024-06-26"),
        "{message}"
    );
    assert_eq!(app.events().await, before);
    // The board on the decision's day still reads DECIDED with nobody blocking.
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status?as_of=2024-06-30"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(v["verdict"]["status"], "decided");
}

#[tokio::test]
async fn the_abusive_forecast_request_gets_422_not_a_result_even_anonymously() {
    let app = App::with_public_read().await;
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/forecast?as_of=-009999-01-01&trials=1"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["problems"][0]["path"], "as_of");
    assert!(
        v["error"]["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("outside the life of nato-sg-2024"),
        "{v}"
    );
    assert!(
        v["error"]["problems"][0]["expected"]
            .as_str()
            .unwrap()
            .contains("from 2023-07-04"),
        "{v}"
    );
}

#[tokio::test]
async fn every_endpoint_and_page_that_takes_as_of_refuses_one_outside_the_contest() {
    let app = App::with_public_read().await;
    let mut failures = Vec::new();
    for bad in ["-009999-01-01", "2023-07-03", "9999-12-31", "yesterday"] {
        for path in [
            "/api/contests/{id}/status",
            "/api/contests/{id}/members",
            "/api/contests/{id}/candidates",
            "/api/contests/{id}/reports",
            "/api/contests/{id}/conditions",
            "/api/contests/{id}/commitments",
            "/api/contests/{id}/forecast",
            "/contests/{id}",
            "/contests/{id}/cell/HUN/rutte",
            "/contests/{id}/timeline",
            "/contests/{id}/forecast",
            "/contests/{id}/forecast.svg",
            "/contests/{id}/whatif",
        ] {
            let uri = format!("{}?as_of={bad}", path.replace("{id}", CONTEST));
            let (s, _) = app.call("GET", &uri, None, None).await;
            if s != StatusCode::UNPROCESSABLE_ENTITY {
                failures.push(format!("{uri}: {s}"));
            }
        }
        let (s, _) = app
            .call(
                "POST",
                &format!("/api/contests/{CONTEST}/whatif"),
                None,
                Some(json!({"as_of": bad, "edits": [{"edit": "lift", "member": "HUN"}]})),
            )
            .await;
        if s != StatusCode::UNPROCESSABLE_ENTITY {
            failures.push(format!("whatif as_of {bad}: {s}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Within the life, the same pages answer.
    let (s, _) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status?as_of=2023-07-04"),
            None,
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn the_dashboard_form_cannot_reuse_a_procedure_id() {
    let app = App::new().await;
    // The API opens sp-2 while no sp-1 exists; the form then takes the next free id, sp-3.
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures"),
            Some("chair"),
            Some(json!({"procedure": "sp-2", "candidate": "rutte", "draft": "appoint", "deadline": "2024-06-24T12:00:00+02:00[Europe/Brussels]"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let req = Request::post(format!("/contests/{CONTEST}/silence"))
        .header("cookie", format!("concord_token={}", app.token("chair").unwrap()))
        .header("content-type", "application/x-www-form-urlencoded")
        // A cookie session's form carries its anti-forgery token, as the page's form does.
        .body(Body::from(format!(
            "candidate=rutte&draft=appoint+Mark+Rutte&deadline=2024-06-24T12%3A00&zone=Europe%2FBrussels&csrf={}",
            concord_server::auth::csrf_token(app.token("chair").unwrap())
        )))
        .unwrap();
    let resp = concord_server::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (_, list) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/procedures"),
            Some("observer"),
            None,
        )
        .await;
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["procedure"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["sp-2", "sp-3"]);
}

#[tokio::test]
async fn an_internal_error_is_logged_and_answered_with_the_request_id_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.sqlite");
    let store = concord_store_sqlite::SqliteStore::open(&path)
        .await
        .unwrap();
    let app = App::over(std::sync::Arc::new(store), None, true, false).await;
    // Break the store behind the server's back: every read now fails inside the store.
    {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
            .await
            .unwrap();
        sqlx::query("DROP TABLE events")
            .execute(&mut conn)
            .await
            .unwrap();
    }
    for uri in [
        "/api/contests/other/status".to_owned(),
        "/contests/other".to_owned(),
    ] {
        let req = Request::get(&uri)
            .header(
                "authorization",
                format!("Bearer {}", app.token("chair").unwrap()),
            )
            .body(Body::empty())
            .unwrap();
        let resp = concord_server::router(app.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR, "{uri}");
        let id = resp.headers()["x-request-id"].to_str().unwrap().to_owned();
        let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(&id),
            "{uri}: the answer names its request id: {text}"
        );
        for internal in ["events", "sqlite", "SQL", "no such table"] {
            assert!(
                !text.contains(internal),
                "{uri}: leaks '{internal}': {text}"
            );
        }
    }
}

#[tokio::test]
async fn a_superseded_support_is_marked_in_the_cells_trail() {
    let app = App::new().await;
    // SVK backs Rutte on 18 June 2024 in the scenario; it now backs Iohannis on the 19th.
    let mut r = report("SVK", "iohannis", "supports");
    r["date"] = json!("2024-06-19");
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/reports"),
            Some("chair"),
            Some(r),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status?as_of=2024-06-19"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let cell = v["board"]["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["member"] == "SVK" && c["candidate"] == "rutte")
        .unwrap()
        .clone();
    assert_eq!(cell["basis"], "superseded", "{cell}");
    assert_eq!(cell["superseded_by"]["candidate"], "iohannis");
    let (s, page) = app
        .call(
            "GET",
            &format!("/contests/{CONTEST}/cell/SVK/rutte?as_of=2024-06-19"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(
        page.contains("superseded: Slovakia backed Klaus Iohannis on 2024-06-19"),
        "{page}"
    );
}

#[tokio::test]
async fn signing_in_never_redirects_off_the_site() {
    let app = App::new().await;
    let token = app.token("observer").unwrap().to_owned();
    for (next, to) in [
        ("/\\evil.example", "/"),
        ("//evil.example", "/"),
        ("/%5Cevil.example", "/%5Cevil.example"),
        ("https://evil.example", "/"),
        ("/contests/nato-sg-2024", "/contests/nato-sg-2024"),
    ] {
        let form = format!(
            "token={token}&next={}",
            next.replace('%', "%25")
                .replace('\\', "%5C")
                .replace('/', "%2F")
                .replace(':', "%3A")
        );
        let req = Request::post("/sign-in")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(form))
            .unwrap();
        let resp = concord_server::router(app.state.clone())
            .oneshot(req)
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{next}");
        assert_eq!(resp.headers()["location"], to, "next={next:?}");
    }
}
