//! The API through the router (`oneshot`): every role against every endpoint, validation with
//! JSON paths and near misses, confidentiality of `chair_only` stances, the silence procedure
//! on an injected clock, limits, and the OpenAPI document matching the routes.

mod common;

use axum::http::StatusCode;
use common::{App, CONTEST, report, reports_csv, scenario_as};
use serde_json::{Value, json};

const ANON: &str = "anonymous";
/// The matrix's columns.
const WHO: [&str; 6] = [
    ANON,
    "chair",
    "delegation:HUN",
    "delegation:ROU",
    "analyst",
    "observer",
];
const READ: [u16; 6] = [401, 200, 200, 200, 200, 200];

fn c(path: &str) -> String {
    path.replace("{id}", CONTEST)
}

fn open_body(pid: &str) -> Value {
    json!({"procedure": pid, "candidate": "rutte",
        "draft": "appoint Mark Rutte as Secretary General from 1 October 2024",
        "deadline": "2024-06-26T12:00:00+02:00[Europe/Brussels]"})
}

#[tokio::test]
async fn every_role_against_every_endpoint() {
    let app = App::new().await;
    let (s, _) = app
        .call(
            "POST",
            &c("/api/contests/{id}/procedures"),
            Some("chair"),
            Some(open_body("fixture")),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // (method, path, body, expected status per column of WHO). `{fresh}` is a procedure opened
    // just before the call, so that each role meets an open one. A string body is an imported
    // file, sent as text: CSV to `reports.csv`, else TOML.
    let rows: Vec<(&str, &str, Option<Value>, [u16; 6])> = vec![
        ("GET", "/api/openapi.json", None, [200; 6]),
        ("GET", "/api/me", None, READ),
        ("GET", "/api/contests", None, READ),
        (
            "POST",
            "/api/contests",
            Some(Value::String(scenario_as("imported-{role}"))),
            [401, 201, 403, 403, 403, 403],
        ),
        (
            "GET",
            "/api/contests/{id}/status?as_of=2024-06-20",
            None,
            READ,
        ),
        ("GET", "/api/contests/{id}/members", None, READ),
        ("GET", "/api/contests/{id}/members/HUN/history", None, READ),
        ("GET", "/api/contests/{id}/candidates", None, READ),
        ("GET", "/api/contests/{id}/reports", None, READ),
        ("GET", "/api/contests/{id}/conditions", None, READ),
        ("GET", "/api/contests/{id}/commitments", None, READ),
        ("GET", "/api/contests/{id}/export", None, READ),
        ("GET", "/api/contests/{id}/procedures", None, READ),
        ("GET", "/api/contests/{id}/procedures/fixture", None, READ),
        ("GET", "/api/contests/{id}/events/stream", None, READ),
        (
            "GET",
            "/api/contests/{id}/forecast?as_of=2024-06-01&trials=300",
            None,
            READ,
        ),
        (
            "POST",
            "/api/contests/{id}/whatif",
            Some(json!({"as_of": "2024-06-01", "trials": 300,
                "edits": [{"edit": "withdraw", "candidate": "iohannis"}]})),
            READ,
        ),
        (
            "GET",
            "/api/contests/{id}/verify",
            None,
            [401, 200, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/reports",
            Some(report("HUN", "rutte", "supports")),
            [401, 201, 201, 403, 201, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/reports",
            Some(
                json!({"member": "HUN", "candidate": "rutte", "stance": "withholds",
            "source": "consultation", "visibility": "chair_only"}),
            ),
            [401, 201, 201, 403, 403, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/reports.csv",
            Some(Value::String(reports_csv(&[
                "2024-06-20,HUN,rutte,supports,https://example.org/csv,official,public",
            ]))),
            [401, 201, 201, 403, 201, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/reports.csv",
            Some(Value::String(reports_csv(&[
                "2024-06-20,HUN,rutte,withholds,consultation,official,",
                "2024-06-20,HUN,rutte,withholds,consultation,official,chair_only",
            ]))),
            [401, 201, 201, 403, 403, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/conditions",
            Some(json!({"member": "HUN", "condition": "no-ukraine-role",
            "text": "no Hungarian role in Ukraine support", "source": "https://example.org/c"})),
            [401, 201, 201, 403, 201, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/commitments",
            Some(json!({"candidate": "rutte",
            "text": "will not force Hungary's participation", "source": "https://example.org/k"})),
            [401, 201, 403, 403, 201, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/procedures",
            Some(open_body("{role}")),
            [401, 201, 403, 403, 403, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/ingest",
            Some(
                json!({"text": "NATO allies met. Germany backs Mark Rutte ({role}).",
                "published": "2024-06-20"}),
            ),
            [401, 201, 403, 403, 201, 403],
        ),
        (
            "GET",
            "/api/contests/{id}/proposals",
            None,
            [401, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/proposals/999/accept",
            None,
            [401, 404, 403, 403, 404, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/proposals/999/reject",
            None,
            [401, 404, 403, 403, 404, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/proposals/reject",
            Some(json!({"all": true})),
            [401, 200, 403, 403, 200, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/procedures/{fresh}/break",
            Some(json!({"member": "HUN", "statement": "not yet"})),
            [401, 201, 201, 403, 403, 403],
        ),
        (
            "POST",
            "/api/contests/{id}/procedures/{fresh}/withdraw",
            Some(json!({"reason": "more consultations"})),
            [401, 201, 403, 403, 403, 403],
        ),
    ];
    let mut fresh = 0;
    let mut failures = Vec::new();
    for (method, path, body, expected) in &rows {
        for (who, want) in WHO.iter().zip(expected) {
            let mut path = c(path);
            if path.contains("{fresh}") {
                fresh += 1;
                let pid = format!("fresh-{fresh}");
                let (s, _) = app
                    .call(
                        "POST",
                        &c("/api/contests/{id}/procedures"),
                        Some("chair"),
                        Some(open_body(&pid)),
                    )
                    .await;
                assert_eq!(s, StatusCode::CREATED);
                path = path.replace("{fresh}", &pid);
            }
            let body = body.as_ref().map(|b| {
                serde_json::from_str(&b.to_string().replace("{role}", &who.replace(':', "-")))
                    .unwrap()
            });
            let role = (*who != ANON).then_some(*who);
            let before = app.events().await;
            let contests_before = app.contests().await;
            let status = match body {
                _ if path.ends_with("/stream") => app.status_only(method, &path, role).await,
                Some(Value::String(text)) => {
                    let media_type = if path.ends_with(".csv") {
                        "text/csv"
                    } else {
                        "application/toml"
                    };
                    app.call_text(&path, role, media_type, &text).await.0
                }
                body => app.call(method, &path, role, body).await.0,
            };
            let after = app.events().await;
            if !status.is_success() && app.contests().await != contests_before {
                failures.push(format!(
                    "{method} {path} as {who}: refused but created a contest"
                ));
            }
            if status.as_u16() != *want {
                failures.push(format!(
                    "{method} {path} as {who}: got {status}, want {want}"
                ));
            }
            // A refused write writes nothing.
            if !status.is_success() && after != before {
                failures.push(format!(
                    "{method} {path} as {who}: refused but wrote {} events",
                    after - before
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[tokio::test]
async fn anonymous_reading_is_a_server_setting() {
    let app = App::with_public_read().await;
    let (s, _) = app
        .call("GET", &c("/api/contests/{id}/status"), None, None)
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            None,
            Some(report("HUN", "rutte", "supports")),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    // Refused for who it is before anything is said about the body.
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            None,
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "{v}");
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            Some("observer"),
            Some(json!({})),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{v}");
    let (s, _) = app
        .call("GET", &c("/api/contests/{id}/verify"), None, None)
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_token_is_refused_even_when_reading_is_public() {
    let app = App::with_public_read().await;
    let req = axum::http::Request::get(c("/api/contests/{id}/status"))
        .header("authorization", "Bearer nope")
        .body(axum::body::Body::empty())
        .unwrap();
    use tower::ServiceExt;
    let resp = concord_server::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_cookie_token_works_like_a_bearer_token() {
    let app = App::new().await;
    let req = axum::http::Request::get("/api/me")
        .header(
            "cookie",
            format!(
                "theme=dark; concord_token={}",
                app.token("analyst").unwrap()
            ),
        )
        .body(axum::body::Body::empty())
        .unwrap();
    use tower::ServiceExt;
    let resp = concord_server::router(app.state.clone())
        .oneshot(req)
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let v: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(v["role"], "analyst");
}

#[tokio::test]
async fn a_revoked_token_stops_working() {
    let app = App::new().await;
    let tokens = app.store.list_tokens().await.unwrap();
    let observer = tokens.iter().find(|t| t.role == "observer").unwrap();
    assert_eq!(
        app.call("GET", "/api/me", Some("observer"), None).await.0,
        StatusCode::OK
    );
    app.store
        .revoke_token(observer.id, "2024-06-20T00:00:00Z")
        .await
        .unwrap();
    app.state.forget_tokens();
    assert_eq!(
        app.call("GET", "/api/me", Some("observer"), None).await.0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn bad_reports_name_every_problem_at_its_path_with_the_near_miss() {
    let app = App::new().await;
    let before = app.events().await;
    let body = json!({"member": "HUNG", "candidate": "rute", "stance": "suports", "source": "",
        "attribution": "oficial", "confidence": 1.5, "date": "2024-13-01"});
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            Some("chair"),
            Some(body),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["code"], "bad_input");
    let problems = v["error"]["problems"].as_array().unwrap();
    let find = |path: &str| {
        problems
            .iter()
            .find(|p| p["path"] == path)
            .unwrap_or_else(|| panic!("no problem at {path}: {v}"))
    };
    assert_eq!(find("$.member")["message"], "unknown member 'HUNG'");
    assert_eq!(find("$.member")["did_you_mean"], "HUN");
    assert_eq!(find("$.candidate")["did_you_mean"], "rutte");
    assert_eq!(find("$.stance")["did_you_mean"], "supports");
    assert_eq!(find("$.attribution")["did_you_mean"], "official");
    find("$.source");
    find("$.confidence");
    find("$.date");
    assert_eq!(app.events().await, before, "nothing written");

    // A wrongly typed field is named by its path too.
    let (s, v) = app
        .call("POST", &c("/api/contests/{id}/reports"), Some("chair"),
            Some(json!({"member": "HUN", "candidate": "rutte", "stance": "supports", "source": "x", "reasons": "one"})))
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(v["error"]["problems"][0]["path"], "$.reasons", "{v}");
}

#[tokio::test]
async fn errors_share_one_shape() {
    let app = App::new().await;
    for (method, path, body, status, code) in [
        (
            "GET",
            "/api/contests/nope/status".to_owned(),
            None,
            404,
            "not_found",
        ),
        ("GET", "/api/nowhere".to_owned(), None, 404, "not_found"),
        (
            "GET",
            c("/api/contests/{id}/status?as_of=yesterday"),
            None,
            422,
            "bad_input",
        ),
        (
            "GET",
            c("/api/contests/{id}/members/HUNG/history"),
            None,
            404,
            "not_found",
        ),
        (
            "POST",
            c("/api/contests/{id}/reports"),
            Some(json!([1, 2])),
            422,
            "bad_input",
        ),
    ] {
        let (s, v) = app.call(method, &path, Some("chair"), body).await;
        assert_eq!(s.as_u16(), status, "{path}: {v}");
        assert_eq!(v["error"]["code"], code, "{path}: {v}");
        assert!(
            v["error"]["message"]
                .as_str()
                .is_some_and(|m| !m.is_empty())
        );
    }
    let (_, v) = app
        .call(
            "GET",
            &c("/api/contests/{id}/members/HUNG/history"),
            Some("chair"),
            None,
        )
        .await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("did you mean 'HUN'"),
        "{v}"
    );
}

#[tokio::test]
async fn malformed_and_oversized_bodies_are_refused_in_the_error_shape() {
    let app = App::new().await;
    use tower::ServiceExt;
    let send = |body: Vec<u8>| {
        let req = axum::http::Request::post(c("/api/contests/{id}/reports"))
            .header(
                "authorization",
                format!("Bearer {}", app.token("chair").unwrap()),
            )
            .header("content-type", "application/json")
            .body(axum::body::Body::from(body))
            .unwrap();
        concord_server::router(app.state.clone()).oneshot(req)
    };
    let resp = send(b"{not json".to_vec()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let big = serde_json::to_vec(
        &json!({"member": "HUN", "candidate": "rutte", "stance": "supports",
        "source": "x".repeat(100 * 1024)}),
    )
    .unwrap();
    let resp = send(big).await.unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    let v: Value = serde_json::from_slice(
        &axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .unwrap(),
    )
    .unwrap();
    assert_eq!(v["error"]["code"], "too_large");
}

/// Every place a stance could surface, as each role sees it.
async fn everything_visible(app: &App, role: Option<&str>) -> String {
    let mut all = String::new();
    for path in [
        "/api/contests/{id}/status?as_of=2024-06-20",
        "/api/contests/{id}/status?as_of=2024-06-20",
        "/api/contests/{id}/reports?as_of=2024-06-20",
        "/api/contests/{id}/members/FRA/history",
        "/api/contests/{id}/export",
        "/api/contests/{id}/procedures",
        "/api/contests",
    ] {
        let (s, v) = app.call("GET", &c(path), role, None).await;
        assert_eq!(s, StatusCode::OK, "{path}: {v}");
        all.push_str(&v.to_string());
    }
    all
}

#[tokio::test]
async fn chair_only_stances_reach_the_chair_and_no_one_else() {
    let app = App::with_public_read().await;
    let secret = json!({"member": "FRA", "candidate": "rutte", "stance": "objects", "date": "2024-06-20",
        "source": "SECRET-CONSULTATION-7", "reasons": ["SECRET-REASON"], "visibility": "chair_only"});
    // Warm the board caches first; what others see must not change at all.
    let before = everything_visible(&app, Some("observer")).await;
    let (s, _) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            Some("chair"),
            Some(secret),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(
        everything_visible(&app, Some("chair"))
            .await
            .contains("SECRET-CONSULTATION-7")
    );
    let (_, chair_board) = app
        .call(
            "GET",
            &c("/api/contests/{id}/status?as_of=2024-06-20"),
            Some("chair"),
            None,
        )
        .await;
    let (_, public_board) = app
        .call(
            "GET",
            &c("/api/contests/{id}/status?as_of=2024-06-20"),
            Some("observer"),
            None,
        )
        .await;
    assert_ne!(
        chair_board["board"], public_board["board"],
        "the chair's board differs"
    );
    for role in [
        None,
        Some("observer"),
        Some("analyst"),
        Some("delegation:HUN"),
        Some("delegation:ROU"),
    ] {
        let seen = everything_visible(&app, role).await;
        assert!(!seen.contains("SECRET"), "{role:?} saw a chair_only stance");
        assert!(
            seen == before,
            "{role:?} sees something new after a chair_only report"
        );
    }
}

impl App {
    /// The status of a request whose body may never end (SSE).
    async fn status_only(&self, method: &str, path: &str, role: Option<&str>) -> StatusCode {
        use tower::ServiceExt;
        let mut req = axum::http::Request::builder().method(method).uri(path);
        if let Some(r) = role {
            req = req.header(
                "authorization",
                format!("Bearer {}", self.token(r).unwrap()),
            );
        }
        let req = req.body(axum::body::Body::empty()).unwrap();
        concord_server::router(self.state.clone())
            .oneshot(req)
            .await
            .unwrap()
            .status()
    }
}

#[tokio::test]
async fn the_openapi_document_lists_exactly_the_routes() {
    let app = App::new().await;
    let (s, doc) = app.call("GET", "/api/openapi.json", None, None).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(doc["openapi"], "3.0.3");
    let mut documented = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            documented.push((method.clone(), path.clone()));
        }
    }
    let mut routed: Vec<(String, String)> = concord_server::api::route_list()
        .into_iter()
        .map(|(m, p)| (m.to_owned(), p.to_owned()))
        .collect();
    documented.sort();
    routed.sort();
    assert_eq!(documented, routed);
    // Each documented path parameter is in its path, and each path's parameters are documented.
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for op in ops.as_object().unwrap().values() {
            let params: Vec<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            let in_path: Vec<&str> = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{')?.strip_suffix('}'))
                .collect();
            assert_eq!(params, in_path, "{path}");
        }
    }
}

/// One request's status and raw body bytes: "byte-identical" means bytes, not parsed JSON.
async fn raw(
    app: &App,
    method: &str,
    path: &str,
    role: &str,
    body: Option<Value>,
) -> (u16, Vec<u8>) {
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method(method)
        .uri(c(path))
        .header(
            "authorization",
            format!("Bearer {}", app.token(role).unwrap()),
        );
    let body = match body {
        Some(b) => {
            req = req.header("content-type", "application/json");
            axum::body::Body::from(serde_json::to_vec(&b).unwrap())
        }
        None => axum::body::Body::empty(),
    };
    let resp = concord_server::router(app.state.clone())
        .oneshot(req.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
        .await
        .unwrap();
    (status, bytes.to_vec())
}

const FORECAST: &str = "/api/contests/{id}/forecast?as_of=2024-06-20&trials=1000&seed=7";

fn whatif_body() -> Value {
    json!({"as_of": "2024-06-20", "trials": 1000, "seed": 7,
        "edits": [{"edit": "move_deadline", "kind": "hard_deadline", "to": "2024-07-31"}]})
}

#[tokio::test]
async fn a_forecast_is_computed_only_from_what_the_role_may_see() {
    let app = App::new().await;
    let readers = ["observer", "analyst", "delegation:HUN", "delegation:ROU"];
    let mut before = Vec::new();
    for role in readers {
        let f = raw(&app, "GET", FORECAST, role, None).await;
        let w = raw(
            &app,
            "POST",
            "/api/contests/{id}/whatif",
            role,
            Some(whatif_body()),
        )
        .await;
        assert_eq!((f.0, w.0), (200, 200), "{role}");
        before.push((f, w));
    }
    let chair_before = raw(&app, "GET", FORECAST, "chair", None).await;
    assert_eq!(chair_before.0, 200);
    // A confidential objection from a member that publicly supports Rutte.
    let secret = json!({"member": "FRA", "candidate": "rutte", "stance": "objects",
        "date": "2024-06-20", "source": "SECRET-CONSULTATION-8", "visibility": "chair_only"});
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/reports"),
            Some("chair"),
            Some(secret),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    for (role, (f, w)) in readers.iter().zip(&before) {
        // The head moved, so these are computed afresh, not served from the cache.
        let f_after = raw(&app, "GET", FORECAST, role, None).await;
        let w_after = raw(
            &app,
            "POST",
            "/api/contests/{id}/whatif",
            role,
            Some(whatif_body()),
        )
        .await;
        assert!(
            f_after == *f,
            "{role}'s forecast changed after a chair_only report"
        );
        assert!(
            w_after == *w,
            "{role}'s what-if changed after a chair_only report"
        );
    }
    let chair_after = raw(&app, "GET", FORECAST, "chair", None).await;
    assert_eq!(chair_after.0, 200);
    assert_ne!(
        chair_after.1, chair_before.1,
        "the chair's forecast counts the objection"
    );
    let f: Value = serde_json::from_slice(&chair_after.1).unwrap();
    assert!(
        f.to_string().contains("FRA"),
        "FRA's hold is in the chair's forecast: {f}"
    );
}

/// `v` as a client reads it: through JSON text, whose parse may round the last digit of a float.
fn as_parsed(v: &impl serde::Serialize) -> Value {
    serde_json::from_slice(&serde_json::to_vec(v).unwrap()).unwrap()
}

#[tokio::test]
async fn the_forecast_and_whatif_match_the_engine_run_directly() {
    use concord_forecast::{Edit, ForecastInput, Params, RunConfig};
    let app = App::new().await;
    let as_of: jiff::civil::Date = "2024-06-01".parse().unwrap();
    let state = app
        .state
        .ledger
        .state(CONTEST, as_of, concord_ledger::View::Chair)
        .await
        .unwrap();
    let input = ForecastInput::from_state(&state, as_of);
    let params = Params::bundled();
    let config = RunConfig {
        trials: 1000,
        seed: 11,
        sensitivity_trials: params.run.sensitivity_trials,
    };
    let direct = concord_forecast::forecast(&input, &params, &config).unwrap();
    let (s, v) = app
        .call(
            "GET",
            &c("/api/contests/{id}/forecast?as_of=2024-06-01&trials=1000&seed=11"),
            Some("chair"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v, as_parsed(&direct));

    let edits = [
        Edit::Withdraw {
            candidate: "Klaus Iohannis".to_owned(),
        },
        Edit::Lift {
            member: "HUN".to_owned(),
            candidate: None,
        },
    ];
    let direct = concord_forecast::whatif(
        &input,
        &edits,
        &params,
        &RunConfig {
            sensitivity_trials: 0,
            ..config
        },
    )
    .unwrap();
    // The form keyed by the edit's name, and a candidate by id, mean the same.
    for body in [
        json!({"as_of": "2024-06-01", "trials": 1000, "seed": 11, "edits": [
            {"edit": "withdraw", "candidate": "iohannis"}, {"edit": "lift", "member": "HUN"}]}),
        json!({"as_of": "2024-06-01", "trials": 1000, "seed": 11, "edits": [
            {"withdraw": {"candidate": "Klaus Iohannis"}}, {"lift": {"member": "HUN", "candidate": null}}]}),
    ] {
        let (s, v) = app
            .call(
                "POST",
                &c("/api/contests/{id}/whatif"),
                Some("chair"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{v}");
        assert_eq!(v, as_parsed(&direct));
    }
}

#[tokio::test]
async fn bad_whatifs_name_every_problem_at_its_path_with_the_near_miss() {
    let app = App::new().await;
    let body = json!({"as_of": "2024-06-01", "trials": 0, "edits": [
        {"edit": "lift", "member": "HUNG"},
        {"withdraw": {"candidate": "iohanis"}},
        {"edit": "lfit", "member": "HUN"},
        {"edit": "move_deadline", "kind": "hard_deadlin", "to": "soon"},
        {"edit": "commit", "candidate": "rutte", "member": "TUR", "count": 0, "mebmer": "x"},
    ]});
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/whatif"),
            Some("observer"),
            Some(body),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    let problems = v["error"]["problems"].as_array().unwrap();
    let find = |path: &str| {
        problems
            .iter()
            .find(|p| p["path"] == path)
            .unwrap_or_else(|| panic!("no problem at {path}: {v}"))
    };
    assert_eq!(
        find("$.edits[0].member")["message"],
        "unknown member 'HUNG'"
    );
    assert_eq!(find("$.edits[0].member")["did_you_mean"], "HUN");
    assert_eq!(
        find("$.edits[1].withdraw.candidate")["did_you_mean"],
        "iohannis"
    );
    assert_eq!(find("$.edits[2].edit")["did_you_mean"], "lift");
    assert_eq!(find("$.edits[3].kind")["did_you_mean"], "hard_deadline");
    find("$.edits[3].to");
    find("$.edits[4].count");
    assert_eq!(find("$.edits[4].mebmer")["did_you_mean"], "member");
    find("$.trials");

    // Well-formed, but not what the contest is on that date.
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/whatif"),
            Some("observer"),
            Some(json!({"as_of": "2024-06-01", "trials": 300, "edits": [
                {"edit": "withdraw", "candidate": "iohannis"}, {"edit": "lift", "member": "NLD"}]})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["problems"][0]["path"], "$.edits[1]", "{v}");
    for (body, path) in [
        (json!({"edits": []}), "$.edits"),
        (
            json!({"edits": [{"edit": "withdraw", "candidate": "iohannis"}], "seed": -1}),
            "$.seed",
        ),
        (json!({"edits": [], "colour": "blue"}), "$.colour"),
    ] {
        let (s, v) = app
            .call(
                "POST",
                &c("/api/contests/{id}/whatif"),
                Some("observer"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert_eq!(v["error"]["problems"][0]["path"], path, "{v}");
    }

    for (query, path) in [
        ("trials=2000000", "trials"),
        ("trials=0", "trials"),
        ("seed=x", "seed"),
        ("as_of=soon", "as_of"),
    ] {
        let (s, v) = app
            .call(
                "GET",
                &c(&format!("/api/contests/{{id}}/forecast?{query}")),
                Some("observer"),
                None,
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{query}: {v}");
        assert_eq!(v["error"]["problems"][0]["path"], path, "{v}");
    }
    // Once decided there is nothing to forecast; an unknown contest is not found.
    let (s, v) = app
        .call(
            "GET",
            &c("/api/contests/{id}/forecast?as_of=2024-06-27&trials=300"),
            Some("observer"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "{v}");
    assert_eq!(v["error"]["code"], "decided");
    let (s, _) = app
        .call("GET", "/api/contests/nope/forecast", Some("observer"), None)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_scenario_is_imported_once_and_a_bad_one_names_every_problem_by_line_and_column() {
    let app = App::new().await;
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("chair"),
            "application/toml",
            &scenario_as("copy"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["id"], "copy");
    let n = body["events"].as_u64().unwrap();
    assert!(n > 0);
    assert_eq!(
        app.state.ledger.events("copy").await.unwrap().len() as u64,
        n
    );
    // Again: the id is taken, and nothing is added to the contest that holds it.
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("chair"),
            "text/plain",
            &scenario_as("copy"),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(body["error"]["code"], "contest_exists");
    assert_eq!(
        app.state.ledger.events("copy").await.unwrap().len() as u64,
        n
    );

    // Two mistakes in a fresh contest: both are reported, each at its line, and nothing is
    // created.
    let good = scenario_as("fresh");
    let hun = "member = \"HUN\"\ncandidate = \"rutte\"\nstance = \"objects\"";
    let at = good
        .find(hun)
        .expect("the scenario's first objection by HUN");
    let hung_line = good[..at].lines().count() + 1;
    let bad = good.replacen(hun, &hun.replacen("HUN", "HUNG", 1), 1);
    // A typo in a value (rather than a value of the wrong kind, which stops the TOML reader)
    // is found in the same pass as the unknown member.
    let usa = "member = \"USA\"\ncandidate = \"rutte\"";
    assert!(bad.contains(usa));
    let bad = bad.replacen(usa, "member = \"USA\"\ncandidate = \"ruttte\"", 1);
    let before = app.contests().await;
    let (s, body) = app
        .call_text("/api/contests", Some("chair"), "application/toml", &bad)
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"]["code"], "bad_input");
    let problems = body["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2, "{body}");
    let hung = problems
        .iter()
        .find(|p| p["message"] == "unknown member 'HUNG'")
        .unwrap_or_else(|| panic!("no problem for HUNG in {body}"));
    assert_eq!(hung["line"], hung_line, "{hung}");
    assert!(hung["column"].as_u64().unwrap() >= 1, "{hung}");
    assert_eq!(hung["did_you_mean"], "HUN");
    assert!(hung["expected"].is_string(), "{hung}");
    assert_eq!(hung["path"], "");
    let candidate = problems
        .iter()
        .find(|p| p["message"].as_str().unwrap().contains("ruttte"))
        .unwrap_or_else(|| panic!("no problem for the candidate in {body}"));
    assert_eq!(candidate["did_you_mean"], "rutte");
    assert!(candidate["line"].as_u64().unwrap() > 0);
    assert_eq!(app.contests().await, before);
    let (s, list) = app.call("GET", "/api/contests", Some("chair"), None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(!list.to_string().contains("fresh"), "{list}");

    // Not TOML at all: still located, still nothing written.
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("chair"),
            "application/toml",
            "[contest\nid = 1",
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["error"]["problems"][0]["line"].as_u64().unwrap() >= 1);
    // Another media type is refused before anything is read.
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("chair"),
            "application/json",
            &scenario_as("j"),
        )
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert_eq!(body["error"]["code"], "unsupported_media_type");
    assert_eq!(app.contests().await, before);
}

#[tokio::test]
async fn a_crlf_csv_names_the_line_of_its_bad_row() {
    // Browsers send a form's text with CRLF line endings, as do spreadsheets on Windows.
    let app = App::new().await;
    let path = c("/api/contests/{id}/reports.csv");
    let text = reports_csv(&[
        "2024-06-20,HUN,rutte,supports,https://example.org/a,official,public",
        "2024-06-20,ESP,rutte,suports,https://example.org/b,official,public",
    ])
    .replace('\n', "\r\n");
    let (s, body) = app.call_text(&path, Some("chair"), "text/csv", &text).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problems = body["error"]["problems"].as_array().unwrap();
    assert_eq!(problems[0]["line"], 3, "{body}");
    assert_eq!(problems[0]["column"], 4, "{body}");
}

#[tokio::test]
async fn a_csv_with_one_bad_row_imports_nothing() {
    let app = App::new().await;
    let path = c("/api/contests/{id}/reports.csv");
    let before = app.events().await;
    let text = reports_csv(&[
        "2024-06-20,HUN,rutte,supports,https://example.org/a,official,public",
        "2024-06-20,HUNG,rutte,supports,https://example.org/b,official,public",
        "2024-06-20,ROU,rutte,supports,https://example.org/c,official,public",
    ]);
    let (s, body) = app.call_text(&path, Some("chair"), "text/csv", &text).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let problems = body["error"]["problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{body}");
    assert_eq!(problems[0]["line"], 3);
    assert_eq!(problems[0]["column"], 2);
    assert_eq!(problems[0]["did_you_mean"], "HUN");
    assert_eq!(app.events().await, before);

    // Fixed, the same file goes in whole.
    let (s, body) = app
        .call_text(
            &path,
            Some("chair"),
            "text/csv; charset=utf-8",
            &text.replace("HUNG", "HUN"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{body}");
    assert_eq!(body["imported"], 3);
    assert_eq!(app.events().await, before + 3);
}

#[tokio::test]
async fn who_may_import_which_rows() {
    let app = App::new().await;
    let path = c("/api/contests/{id}/reports.csv");
    let public = "2024-06-20,HUN,rutte,supports,https://example.org/a,official,public";
    let secret = "2024-06-20,HUN,rutte,withholds,consultation,official,chair_only";
    let romanian = "2024-06-20,ROU,rutte,supports,https://example.org/r,official,public";
    let before = app.events().await;
    let refused = [
        ("observer", vec![public]),
        ("analyst", vec![public, secret]),
        ("delegation:HUN", vec![public, romanian]),
        ("delegation:ROU", vec![public]),
    ];
    for (role, rows) in refused {
        let (s, body) = app
            .call_text(&path, Some(role), "text/csv", &reports_csv(&rows))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{role}: {body}");
        assert_eq!(body["error"]["code"], "forbidden");
        assert_eq!(app.events().await, before, "{role} wrote");
    }
    let (s, _) = app
        .call_text(&path, None, "text/csv", &reports_csv(&[public]))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, body) = app
        .call_text(
            "/api/contests",
            Some("observer"),
            "application/toml",
            &scenario_as("o"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(
        app.contests().await,
        vec!["eu-top-jobs-2024".to_owned(), CONTEST.to_owned()]
    );
    let (s, body) = app
        .call_text(
            &c("/api/contests/nowhere/reports.csv"),
            Some("chair"),
            "text/csv",
            &reports_csv(&[public]),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "{body}");
}

#[tokio::test]
async fn an_article_is_read_reviewed_and_recorded_through_the_api() {
    let app = App::new().await;
    let text = "NATO allies met on Thursday. Germany backs Mark Rutte. \
        Hungary will not support Rutte, its foreign minister Péter Szijjártó said.";
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/ingest"),
            Some("analyst"),
            Some(json!({"text": text, "published": "2024-06-20",
                "url": "https://example.org/a", "outlet": "Example"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{v}");
    let stored = v["stored"].as_array().unwrap();
    let id_of = |member: &str| {
        stored
            .iter()
            .find(|p| p["proposal"]["member"] == member)
            .unwrap_or_else(|| panic!("no {member} in {v}"))["id"]
            .as_i64()
            .unwrap()
    };
    let (deu, hun) = (id_of("DEU"), id_of("HUN"));
    let before = app.events().await;

    // Accept Germany's as proposed, Hungary's edited; an unknown stance is refused at its path.
    let (s, v) = app
        .call(
            "POST",
            &c(&format!("/api/contests/{{id}}/proposals/{hun}/accept")),
            Some("chair"),
            Some(json!({"stance": "blocks"})),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
    assert_eq!(v["error"]["problems"][0]["path"], "$.stance");
    assert_eq!(
        app.events().await,
        before,
        "a refused acceptance writes nothing"
    );
    let (s, v) = app
        .call(
            "POST",
            &c(&format!("/api/contests/{{id}}/proposals/{hun}/accept")),
            Some("chair"),
            Some(json!({"stance": "withholds"})),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["proposal"]["proposal"]["stance"], "withholds");
    assert!(
        v["events"][0]["kind"]["report"]["source"]
            .as_str()
            .unwrap()
            .starts_with("https://example.org/a (Example, 2024-06-20)")
    );
    let (s, _) = app
        .call(
            "POST",
            &c(&format!("/api/contests/{{id}}/proposals/{hun}/accept")),
            Some("chair"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "decided once");
    let (s, _) = app
        .call(
            "POST",
            &c(&format!("/api/contests/{{id}}/proposals/{deu}/reject")),
            Some("analyst"),
            None,
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.events().await, before + 1);

    // The same article again proposes nothing: one accepted, one rejected.
    let (s, v) = app
        .call(
            "POST",
            &c("/api/contests/{id}/ingest"),
            Some("analyst"),
            Some(json!({"text": text, "published": "2024-06-20"})),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(v["stored"].as_array().unwrap().len(), 0, "{v}");
    let (_, all) = app
        .call(
            "GET",
            &c("/api/contests/{id}/proposals?status=all"),
            Some("chair"),
            None,
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);

    // Bad articles: located at $.text; nothing stored.
    for (body, says) in [
        (json!({"text": "", "published": "2024-06-20"}), "empty"),
        (
            json!({"text": "The WTO picked Roberto Azevedo.", "published": "2024-06-20"}),
            "does not mention",
        ),
        (
            json!({"text": "NATO backs Rutte", "published": "June"}),
            "not a date",
        ),
    ] {
        let (s, v) = app
            .call(
                "POST",
                &c("/api/contests/{id}/ingest"),
                Some("analyst"),
                Some(body),
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{v}");
        assert!(v.to_string().contains(says), "{v}");
    }
    let (_, all) = app
        .call(
            "GET",
            &c("/api/contests/{id}/proposals?status=all"),
            Some("chair"),
            None,
        )
        .await;
    assert_eq!(all.as_array().unwrap().len(), 2);
}
