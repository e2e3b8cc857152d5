//! The silence procedure on an injected clock: adopted at the deadline with no break (and the
//! board then shows the candidate appointed), failed when one delegation breaks silence, a late
//! break refused, a delegation breaking only for its own member, and the outcome unchanged by
//! a restart (a fresh server over the same store).

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::{App, CONTEST};
use concord_ledger::Ledger;
use concord_server::AppState;
use serde_json::json;

/// Opens a procedure whose deadline is one minute after the app's clock.
async fn open_one_minute(app: &App, pid: &str) {
    let deadline = app
        .clock_now()
        .checked_add(jiff::SignedDuration::from_secs(60))
        .unwrap();
    let deadline = deadline.to_zoned_datetime(jiff::tz::TimeZone::get("Europe/Brussels").unwrap());
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures"),
            Some("chair"),
            Some(json!({
            "procedure": pid, "candidate": "rutte",
            "draft": "appoint Mark Rutte as Secretary General from 1 October 2024",
            "deadline": deadline.to_string()})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["status"], "open");
    assert_eq!(v["seconds_left"], 60);
}

async fn status_of(app: &App, pid: &str, role: &str) -> serde_json::Value {
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/procedures/{pid}"),
            Some(role),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn board(app: &App, role: &str) -> serde_json::Value {
    let (s, v) = app
        .call(
            "GET",
            &format!("/api/contests/{CONTEST}/status?as_of=2024-06-20"),
            Some(role),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    v
}

impl App {
    fn clock_now(&self) -> jiff::Timestamp {
        self.state.now()
    }
}

#[tokio::test]
async fn adopted_after_the_deadline_with_no_break_and_the_board_shows_the_appointment() {
    let app = App::new().await;
    let before = board(&app, "observer").await;
    assert_eq!(before["verdict"]["decided"], serde_json::Value::Null);
    open_one_minute(&app, "sp-rutte").await;
    app.clock.advance(Duration::from_secs(59));
    assert_eq!(
        status_of(&app, "sp-rutte", "observer").await["status"],
        "open"
    );
    assert_eq!(
        board(&app, "observer").await["verdict"]["decided"],
        serde_json::Value::Null
    );
    app.clock.advance(Duration::from_secs(1));
    assert_eq!(
        status_of(&app, "sp-rutte", "observer").await["status"],
        "adopted"
    );
    for role in ["observer", "chair"] {
        let after = board(&app, role).await;
        assert_eq!(
            after["verdict"]["decided"], "rutte",
            "{role}: {}",
            after["verdict"]
        );
        let rutte = after["candidates"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == "rutte")
            .unwrap();
        assert_eq!(rutte["status"], "appointed");
    }
    // A break after the deadline is refused, and nothing is written.
    let n = app.events().await;
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures/sp-rutte/break"),
            Some("delegation:HUN"),
            Some(json!({"statement": "too late"})),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "procedure_closed");
    assert_eq!(app.events().await, n);

    // Right after a restart: a new server over the same store, no timer, same answer.
    let restarted = AppState::new(
        Ledger::with_signer(
            app.store.clone(),
            concord_ledger::SigningKey::from_seed([7; 32]),
        ),
        app.clock.clone(),
        Default::default(),
    );
    let again = App {
        state: restarted,
        ..app
    };
    assert_eq!(
        status_of(&again, "sp-rutte", "observer").await["status"],
        "adopted"
    );
    assert_eq!(
        board(&again, "observer").await["verdict"]["decided"],
        "rutte"
    );
}

#[tokio::test]
async fn fails_when_one_delegation_breaks_silence() {
    let app = App::new().await;
    open_one_minute(&app, "sp-rutte").await;
    app.clock.advance(Duration::from_secs(30));
    // HUN may not break silence for ROU: 403, nothing written.
    let n = app.events().await;
    let (s, _) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures/sp-rutte/break"),
            Some("delegation:HUN"),
            Some(json!({"member": "ROU", "statement": "on Romania's behalf"})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    assert_eq!(app.events().await, n);
    assert_eq!(
        status_of(&app, "sp-rutte", "observer").await["status"],
        "open"
    );
    // HUN breaks silence for itself.
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures/sp-rutte/break"),
            Some("delegation:HUN"),
            Some(json!({"statement": "Hungary cannot join consensus today"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    app.clock.advance(Duration::from_secs(3600));
    let v = status_of(&app, "sp-rutte", "analyst").await;
    assert_eq!(v["status"], "broken");
    assert_eq!(v["by"], json!(["HUN"]));
    assert_eq!(
        board(&app, "observer").await["verdict"]["decided"],
        serde_json::Value::Null
    );
}

#[tokio::test]
async fn the_chair_withdraws_an_open_draft_and_bad_deadlines_are_explained() {
    let app = App::new().await;
    open_one_minute(&app, "sp-1").await;
    let (s, _) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures/sp-1/withdraw"),
            Some("chair"),
            Some(json!({"reason": "Romania asks for more time"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    app.clock.advance(Duration::from_secs(120));
    assert_eq!(
        status_of(&app, "sp-1", "observer").await["status"],
        "withdrawn"
    );
    assert_eq!(
        board(&app, "observer").await["verdict"]["decided"],
        serde_json::Value::Null
    );

    for (deadline, zone, needle) in [
        ("tomorrow noon", None, "not a date-time"),
        (
            "2024-06-19T12:00:00+02:00[Europe/Brussels]",
            None,
            "has passed",
        ),
        (
            "2024-06-26T10:00:00Z",
            Some("Europe/Brusels"),
            "unknown time zone",
        ),
    ] {
        let (s, v) = app
            .call("POST", &format!("/api/contests/{CONTEST}/procedures"), Some("chair"),
                Some(json!({"candidate": "rutte", "draft": "appoint", "deadline": deadline, "time_zone": zone})))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["problems"][0]["path"], "$.deadline");
        assert!(
            v["error"]["problems"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{v}"
        );
    }
    // RFC 3339 with a zone name is shown in that zone.
    let (s, v) = app
        .call(
            "POST",
            &format!("/api/contests/{CONTEST}/procedures"),
            Some("chair"),
            Some(
                json!({"procedure": "sp-2", "candidate": "rutte", "draft": "appoint",
                "deadline": "2024-06-26T10:00:00Z", "time_zone": "Europe/Brussels"}),
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    assert_eq!(v["deadline"], "2024-06-26T12:00:00+02:00[Europe/Brussels]");
}
