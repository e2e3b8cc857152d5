//! Against real servers on 127.0.0.1:0: the SSE stream (an observer never receives a
//! `chair_only` event), graceful shutdown, and — when `CONCORD_TEST_POSTGRES_URL` names a
//! server — a smoke run on PostgreSQL and two instances on one database, where an event
//! appended through one reaches an SSE client of the other.

mod common;

use std::time::Duration;

use common::{App, CONTEST, report, spawn};
use futures::StreamExt;
use serde_json::json;

/// Reads an SSE response until `until` appears in what was received (or the time is up).
async fn read_sse(resp: reqwest::Response, until: &str, within: Duration) -> String {
    let mut body = resp.bytes_stream();
    let mut seen = String::new();
    let _ = tokio::time::timeout(within, async {
        while let Some(Ok(chunk)) = body.next().await {
            seen.push_str(&String::from_utf8_lossy(&chunk));
            if seen.contains(until) {
                break;
            }
        }
    })
    .await;
    seen
}

async fn subscribe(base: &str, app: &App, role: &str) -> reqwest::Response {
    let resp = reqwest::Client::new()
        .get(format!("{base}/api/contests/{CONTEST}/events/stream"))
        .bearer_auth(app.token(role).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    resp
}

async fn post(base: &str, app: &App, role: &str, path: &str, body: serde_json::Value) -> u16 {
    reqwest::Client::new()
        .post(format!("{base}{path}"))
        .bearer_auth(app.token(role).unwrap())
        .json(&body)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// Observer and chair subscribe; the chair records a confidential stance, then a public one.
async fn sse_filters_by_role(base_write: &str, base_read: &str, writer: &App, reader: &App) {
    let observer = subscribe(base_read, reader, "observer").await;
    let chair = subscribe(base_read, reader, "chair").await;
    let secret = json!({"member": "FRA", "candidate": "rutte", "stance": "objects", "date": "2024-06-20",
        "source": "SECRET-SSE", "visibility": "chair_only"});
    let path = format!("/api/contests/{CONTEST}/reports");
    assert_eq!(post(base_write, writer, "chair", &path, secret).await, 201);
    let mut public = report("ITA", "rutte", "supports");
    public["source"] = json!("PUBLIC-SSE");
    assert_eq!(
        post(base_write, writer, "analyst", &path, public).await,
        201
    );
    let seen_by_observer = read_sse(observer, "PUBLIC-SSE", Duration::from_secs(10)).await;
    let seen_by_chair = read_sse(chair, "PUBLIC-SSE", Duration::from_secs(10)).await;
    assert!(
        seen_by_observer.contains("PUBLIC-SSE"),
        "observer got: {seen_by_observer}"
    );
    assert!(seen_by_observer.contains("event: stance_reported"));
    assert!(
        !seen_by_observer.contains("SECRET-SSE"),
        "observer got a chair_only event"
    );
    assert!(
        seen_by_chair.contains("SECRET-SSE") && seen_by_chair.contains("PUBLIC-SSE"),
        "chair got: {seen_by_chair}"
    );
}

#[tokio::test]
async fn sse_sends_new_events_and_never_a_chair_only_one_to_an_observer() {
    let app = App::new().await;
    let base = spawn(app.state.clone()).await;
    sse_filters_by_role(&base, &base, &app, &app).await;
}

#[tokio::test]
async fn sse_resumes_after_last_event_id() {
    let app = App::new().await;
    let base = spawn(app.state.clone()).await;
    let resp = reqwest::Client::new()
        .get(format!(
            "{base}/api/contests/{CONTEST}/events/stream?after=88"
        ))
        .bearer_auth(app.token("observer").unwrap())
        .send()
        .await
        .unwrap();
    let seen = read_sse(resp, "id: 90", Duration::from_secs(5)).await;
    assert!(
        seen.contains("id: 89") && seen.contains("id: 90") && !seen.contains("id: 88"),
        "{seen}"
    );
}

#[tokio::test]
async fn graceful_shutdown_finishes_and_ends_streams() {
    let app = App::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(concord_server::serve(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    let stream = subscribe(&base, &app, "observer").await;
    stop.send(()).unwrap();
    // The open SSE stream ends, so the server stops instead of waiting for the client.
    let _ = read_sse(stream, "never", Duration::from_secs(5)).await;
    tokio::time::timeout(Duration::from_secs(5), server)
        .await
        .expect("server stopped")
        .unwrap()
        .unwrap();
}

#[tokio::test]
async fn shutdown_ends_live_dashboard_and_api_streams_within_a_second() {
    let app = App::new().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(concord_server::serve(listener, app.state.clone(), async {
        let _ = stopped.await;
    }));
    // A dashboard page's live client and an API client, both holding their streams open and
    // reading nothing: clients that never hang up.
    let live = reqwest::Client::new()
        .get(format!("{base}/contests/{CONTEST}/live"))
        .header(
            "cookie",
            format!("concord_token={}", app.token("observer").unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(live.status(), 200);
    assert!(
        live.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/event-stream")
    );
    let api = subscribe(&base, &app, "chair").await;
    let asked = std::time::Instant::now();
    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(1), server)
        .await
        .expect("the server stopped within a second of being asked, live clients and all")
        .unwrap()
        .unwrap();
    assert!(asked.elapsed() < Duration::from_secs(1));
    drop((live, api));
}

#[tokio::test]
async fn postgres_smoke_roles_and_silence() {
    // Declared first, so dropped last: after the app's pools are gone.
    let Some(db) = common::pg_database().await else {
        return;
    };
    let app = App::over(common::pg_store(&db.url).await, None, true, false).await;
    let path = format!("/api/contests/{CONTEST}/reports");
    let (s, _) = app
        .call(
            "POST",
            &path,
            Some("delegation:HUN"),
            Some(report("ROU", "rutte", "supports")),
        )
        .await;
    assert_eq!(s.as_u16(), 403);
    let (s, _) = app
        .call(
            "POST",
            &path,
            Some("delegation:HUN"),
            Some(report("HUN", "rutte", "supports")),
        )
        .await;
    assert_eq!(s.as_u16(), 201);
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status?as_of=2024-06-20"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 200, "{v}");
    let (s, _) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status"),
            None,
            None,
        )
        .await;
    assert_eq!(s.as_u16(), 401);
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures"),
            Some("chair"),
            Some(json!({
            "procedure": "sp-pg", "candidate": "rutte", "draft": "appoint Mark Rutte",
            "deadline": "2024-06-20T12:01:00+02:00[Europe/Brussels]"})),
        )
        .await;
    assert_eq!(s.as_u16(), 201, "{v}");
    app.clock.advance(Duration::from_secs(61));
    let (_, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/procedures/sp-pg"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(v["status"], "adopted");
}

#[tokio::test]
async fn two_instances_on_one_postgres_database_share_the_stream() {
    // Declared first, so dropped last: after the app's pools are gone.
    let Some(db) = common::pg_database().await else {
        return;
    };
    let first = App::over(common::pg_store(&db.url).await, None, true, false).await;
    let mut second = App::over(common::pg_store(&db.url).await, None, false, false).await;
    second.tokens = first.tokens.clone();
    let base_first = spawn(first.state.clone()).await;
    let base_second = spawn(second.state.clone()).await;
    // Written through the first instance, streamed by the second.
    sse_filters_by_role(&base_first, &base_second, &first, &second).await;
}
