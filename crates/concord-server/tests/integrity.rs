//! A contest whose stored log was edited behind concord's back: the server checks what it
//! loads, answers reads and writes with a clear error naming the first bad event (500,
//! `log_broken`, never a panic or the store's internals), appends nothing, and the chair's
//! verify endpoint names the cause.

mod common;

use axum::http::StatusCode;
use common::{App, CONTEST, report};
use concord_ledger::Ledger;
use concord_server::{AppState, ServerSettings};

/// Edits event 40's author in the app's SQLite file, as someone holding the file would.
async fn tamper(app: &App) {
    use sqlx::ConnectOptions as _;
    let dir = app._dir.as_ref().expect("a SQLite app");
    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(dir.path().join("t.sqlite"))
        .connect()
        .await
        .expect("open");
    sqlx::raw_sql(
        "DROP TRIGGER events_are_append_only_update;
         UPDATE events SET author = 'mallory' WHERE seq = 40;",
    )
    .execute(&mut conn)
    .await
    .expect("tamper");
}

#[tokio::test]
async fn a_tampered_contest_is_refused_with_the_first_bad_event_and_nothing_is_written() {
    let mut app = App::new().await;
    tamper(&app).await;
    // A server started on the tampered store: nothing is cached, everything is checked.
    app.state = AppState::new(
        Ledger::with_signer(
            app.store.clone(),
            concord_ledger::SigningKey::from_seed([7; 32]),
        ),
        app.clock.clone(),
        ServerSettings::default(),
    );
    let url = format!("/api/contests/{CONTEST}/status?as_of=2024-06-20");
    for role in ["chair", "observer"] {
        let (status, body) = app.call("GET", &url, Some(role), None).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
        assert_eq!(body["error"]["code"], "log_broken", "{body}");
        let message = body["error"]["message"].as_str().expect("message");
        assert!(
            message.contains("fails its integrity check at event 40"),
            "{message}"
        );
        assert!(!message.contains("mallory"), "{message}");
    }
    let path = format!("/api/contests/{CONTEST}/reports");
    let (status, body) = app
        .call(
            "POST",
            &path,
            Some("chair"),
            Some(report("HUN", "rutte", "supports")),
        )
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "{body}");
    assert_eq!(body["error"]["code"], "log_broken", "{body}");
    let rows = app.store.read(CONTEST, 0).await.expect("read");
    assert_eq!(rows.len(), 91, "nothing was appended onto the broken chain");

    let (status, body) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/verify"),
            Some("chair"),
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["intact"], false);
    assert_eq!(body["first_bad"], 40);
    assert!(
        body["message"]
            .as_str()
            .is_some_and(|m| m.contains("event 40 was altered after it was sealed")),
        "{body}"
    );
    // The dashboard refuses too, without a panic.
    let (status, page) = app
        .call("GET", &format!("/contests/{CONTEST}"), Some("chair"), None)
        .await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    let page = page.as_str().expect("an HTML page");
    assert!(
        page.contains("fails its integrity check at event 40"),
        "{page}"
    );
}
