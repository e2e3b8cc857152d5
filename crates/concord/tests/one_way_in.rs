//! One table of bad inputs, each driven through every way in that offers the write — the
//! `concord` binary as a user types it, the JSON API (the router, as a client calls it) and the
//! dashboard's form handlers (as a browser posts them) — over one SQLite store. Each must be
//! refused with the same words (the domain's guard wrote them once) and the same cause, and
//! write nothing.
//!
//! The binary's clock is set with `CONCORD_NOW` to the server's test clock, so "the deadline
//! has passed" or "in the future" mean the same instant on every face.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use concord_ledger::Ledger;
use concord_server::{AppState, ManualClock, ServerSettings};
use serde_json::{Value, json};
use tower::ServiceExt;

const CONTEST: &str = "nato-sg-2024";
/// The instant every face takes as now: 20 June 2024, noon in Brussels, before the decision.
const NOW: &str = "2024-06-20T10:00:00Z";

/// One bad input, as each face spells it; `None` where a face offers no such write.
struct Row {
    name: &'static str,
    cli: Option<Vec<String>>,
    /// (path, JSON body) for the API; a `String` body is sent as text (an imported file).
    api: Option<(String, Value)>,
    /// (path, form fields) for a dashboard form.
    form: Option<(String, Vec<(&'static str, String)>)>,
    /// The refusal's words, as the domain wrote them.
    says: &'static str,
    /// The cause: `bad_input` (422), or the conflict code of a contest that moved on (409).
    cause: &'static str,
}

fn args(a: &[&str]) -> Option<Vec<String>> {
    Some(a.iter().map(|s| (*s).to_owned()).collect())
}

fn report(date: &str, candidate: &str, member: &str) -> Value {
    json!({"member": member, "candidate": candidate, "stance": "supports",
        "source": "https://example.org/report", "date": date, "attribution": "official"})
}

fn record(dir: &Path, date: &str, candidate: &str, member: &str) -> Option<Vec<String>> {
    let _ = dir;
    args(&[
        "record",
        "--contest",
        CONTEST,
        "--member",
        member,
        "--candidate",
        candidate,
        "--stance",
        "supports",
        "--source",
        "https://example.org/report",
        "--attribution",
        "official",
        "--date",
        date,
    ])
}

fn open_form(candidate: &str, draft: &str, deadline: &str) -> Vec<(&'static str, String)> {
    vec![
        ("candidate", candidate.to_owned()),
        ("draft", draft.to_owned()),
        ("deadline", deadline.to_owned()),
        ("zone", "Europe/Brussels".to_owned()),
    ]
}

struct World {
    dir: tempfile::TempDir,
    state: AppState,
    chair: String,
    hun: String,
}

impl World {
    fn db(&self) -> PathBuf {
        self.dir.path().join("concord.sqlite")
    }

    fn cli(&self, args: &[String]) -> (bool, String) {
        self.cli_at(args, NOW).1
    }

    /// The binary with its clock at `now`: (stdout, (success, stderr)).
    fn cli_at(&self, args: &[String], now: &str) -> (String, (bool, String)) {
        let out = Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(args)
            .env("CONCORD_DATABASE", self.db())
            .env("CONCORD_AUTHOR", "test")
            .env("CONCORD_NOW", now)
            .current_dir(self.dir.path())
            .output()
            .expect("concord runs");
        assert_eq!(
            out.status.code(),
            Some(if out.status.success() { 0 } else { 2 }),
            "a refusal exits 2: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            (
                out.status.success(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            ),
        )
    }

    async fn call(&self, req: Request<Body>) -> (StatusCode, String) {
        let resp = concord_server::router(self.state.clone())
            .oneshot(req)
            .await
            .expect("answered");
        let status = resp.status();
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .expect("body");
        (status, String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn api(&self, path: &str, body: &Value) -> (StatusCode, String) {
        let (content_type, bytes) = match body {
            Value::String(text) if path.ends_with(".csv") => ("text/csv", text.clone()),
            Value::String(text) => ("application/toml", text.clone()),
            v => ("application/json", v.to_string()),
        };
        let req = Request::post(path)
            .header("authorization", format!("Bearer {}", self.chair))
            .header("content-type", content_type)
            .body(Body::from(bytes))
            .expect("request");
        self.call(req).await
    }

    async fn form(&self, path: &str, fields: &[(&str, String)]) -> (StatusCode, String) {
        // A delegation breaks silence from its own page; the chair opens procedures.
        let token = if path.ends_with("/break") {
            &self.hun
        } else {
            &self.chair
        };
        // A browser's form carries its session's anti-forgery token, as the page renders it.
        let csrf = concord_server::auth::csrf_token(token);
        let body = fields
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .chain(std::iter::once(format!("csrf={csrf}")))
            .collect::<Vec<_>>()
            .join("&");
        let req = Request::post(path)
            .header("cookie", format!("concord_token={token}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .expect("request");
        let (status, html) = self.call(req).await;
        (status, unescape(&html))
    }

    /// Every event of every contest, counted from the store itself (a fresh ledger, no cache).
    async fn written(&self) -> Vec<(String, u64)> {
        let store = concord_store_sqlite::SqliteStore::open(&self.db())
            .await
            .expect("store");
        let ledger = Ledger::new(Arc::new(store));
        let mut all: Vec<(String, u64)> = ledger
            .contests()
            .await
            .expect("contests")
            .into_iter()
            .map(|c| (c.id, c.events))
            .collect();
        all.sort();
        all
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn unescape(html: &str) -> String {
    html.replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&#x2f;", "/")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

async fn world() -> World {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("concord.sqlite");
    // The bundled scenario, imported by the binary as recorded after its last event.
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["import", CONTEST])
        .env("CONCORD_DATABASE", &db)
        .env("CONCORD_NOW", "2024-07-01T00:00:00Z")
        .output()
        .expect("concord runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store: Arc<dyn concord_store::Store> = Arc::new(
        concord_store_sqlite::SqliteStore::open(&db)
            .await
            .expect("store"),
    );
    let mut tokens = Vec::new();
    for role in ["chair", "delegation:HUN"] {
        let (token, hash) = concord_server::auth::new_token();
        store
            .create_token(&hash, role, "test", "2024-06-01T00:00:00Z")
            .await
            .expect("token");
        tokens.push(token);
    }
    let clock = Arc::new(ManualClock::new(NOW.parse().expect("instant")));
    let state = AppState::new(Ledger::new(store), clock, ServerSettings::default());
    // One open procedure, sp-1, for the rows that need one.
    let w = World {
        dir,
        state,
        chair: tokens.remove(0),
        hun: tokens.remove(0),
    };
    let (ok, err) = w.cli(
        &args(&[
            "silence",
            "open",
            "--contest",
            CONTEST,
            "--candidate",
            "rutte",
            "--draft",
            "appoint Mark Rutte as Secretary General",
            "--deadline",
            "2024-06-25T12:00:00+02:00[Europe/Brussels]",
        ])
        .expect("args"),
    );
    assert!(ok, "{err}");
    w
}

fn rows(dir: &Path) -> Vec<Row> {
    let reports = format!("/api/contests/{CONTEST}/reports");
    let procedures = format!("/api/contests/{CONTEST}/procedures");
    let silence_form = format!("/contests/{CONTEST}/silence");
    let csv_file = |name: &str, text: &str| {
        let path = dir.join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let bad_csv = "date,member,candidate,stance,source\n9999-12-31,HUN,rutte,supports,https://example.org/x\n";
    let threshold = include_str!("../../../scenarios/nato-sg-2024.toml")
        .replacen("id = \"nato-sg-2024\"", "id = \"nato-copy\"", 1)
        .replacen(
            "rule = { kind = \"consensus\" }",
            "rule = { kind = \"majority\", threshold = 7.5, base = \"all_members\" }",
            1,
        );
    let toml = csv_file("threshold.toml", &threshold);
    let csv = csv_file("future.csv", bad_csv);
    vec![
        Row {
            name: "a report dated 9999-12-31",
            cli: record(dir, "9999-12-31", "rutte", "HUN"),
            api: Some((reports.clone(), report("9999-12-31", "rutte", "HUN"))),
            form: None,
            says: "9999-12-31 is in the future",
            cause: "bad_input",
        },
        Row {
            name: "a report dated before the contest opened",
            cli: record(dir, "2023-01-10", "rutte", "HUN"),
            api: Some((reports.clone(), report("2023-01-10", "rutte", "HUN"))),
            form: None,
            says: "2023-01-10 is before nato-sg-2024 opened on 2023-07-04",
            cause: "bad_input",
        },
        Row {
            name: "a stance on a withdrawn candidate",
            cli: record(dir, "2024-06-21", "iohannis", "HUN"),
            api: Some((reports.clone(), report("2024-06-21", "iohannis", "HUN"))),
            form: None,
            says: "Klaus Iohannis (iohannis) had withdrawn by 2024-06-21",
            cause: "bad_input",
        },
        Row {
            name: "a stance on a candidate not yet in the race",
            cli: record(dir, "2024-01-10", "iohannis", "HUN"),
            api: Some((reports.clone(), report("2024-01-10", "iohannis", "HUN"))),
            form: None,
            says: "Klaus Iohannis (iohannis) had not entered the race by 2024-01-10",
            cause: "bad_input",
        },
        Row {
            name: "a misspelt candidate",
            cli: record(dir, "2024-06-19", "rute", "HUN"),
            api: Some((reports.clone(), report("2024-06-19", "rute", "HUN"))),
            form: None,
            says: "unknown candidate 'rute'",
            cause: "bad_input",
        },
        Row {
            name: "a misspelt member",
            cli: record(dir, "2024-06-19", "rutte", "HUNG"),
            api: Some((reports, report("2024-06-19", "rutte", "HUNG"))),
            form: None,
            says: "unknown member 'HUNG'",
            cause: "bad_input",
        },
        Row {
            name: "a CSV row dated 9999-12-31",
            cli: args(&["import", &csv, "--contest", CONTEST]),
            api: Some((
                format!("/api/contests/{CONTEST}/reports.csv"),
                Value::String(bad_csv.to_owned()),
            )),
            form: None,
            says: "9999-12-31 is in the future",
            cause: "bad_input",
        },
        Row {
            name: "a scenario whose rule has threshold = 7.5",
            cli: args(&["import", &toml]),
            api: Some(("/api/contests".to_owned(), Value::String(threshold.clone()))),
            form: None,
            says: "threshold is 7.5, not a fraction a vote can reach",
            cause: "bad_input",
        },
        Row {
            name: "a silence procedure with an empty draft",
            cli: args(&[
                "silence",
                "open",
                "--contest",
                CONTEST,
                "--candidate",
                "rutte",
                "--draft",
                " ",
                "--deadline",
                "2024-06-24T12:00",
                "--time-zone",
                "Europe/Brussels",
            ]),
            api: Some((
                procedures.clone(),
                json!({"candidate": "rutte", "draft": " ", "deadline": "2024-06-24T12:00", "time_zone": "Europe/Brussels"}),
            )),
            form: Some((
                silence_form.clone(),
                open_form("rutte", " ", "2024-06-24T12:00"),
            )),
            says: "empty draft",
            cause: "bad_input",
        },
        Row {
            name: "a silence procedure whose deadline has passed (it would be adopted at once)",
            cli: args(&[
                "silence",
                "open",
                "--contest",
                CONTEST,
                "--candidate",
                "rutte",
                "--draft",
                "appoint Mark Rutte",
                "--deadline",
                "2024-06-19T12:00",
                "--time-zone",
                "Europe/Brussels",
            ]),
            api: Some((
                procedures.clone(),
                json!({"candidate": "rutte", "draft": "appoint Mark Rutte", "deadline": "2024-06-19T12:00", "time_zone": "Europe/Brussels"}),
            )),
            form: Some((
                silence_form.clone(),
                open_form("rutte", "appoint Mark Rutte", "2024-06-19T12:00"),
            )),
            says: "the deadline 2024-06-19 12:00 CEST has passed",
            cause: "bad_input",
        },
        Row {
            name: "a silence procedure on a withdrawn candidate",
            cli: args(&[
                "silence",
                "open",
                "--contest",
                CONTEST,
                "--candidate",
                "iohannis",
                "--draft",
                "appoint Klaus Iohannis",
                "--deadline",
                "2024-06-24T12:00",
                "--time-zone",
                "Europe/Brussels",
            ]),
            api: Some((
                procedures.clone(),
                json!({"candidate": "iohannis", "draft": "appoint Klaus Iohannis", "deadline": "2024-06-24T12:00", "time_zone": "Europe/Brussels"}),
            )),
            form: Some((
                silence_form,
                open_form("iohannis", "appoint Klaus Iohannis", "2024-06-24T12:00"),
            )),
            says: "Klaus Iohannis (iohannis) had withdrawn by 2024-06-20",
            cause: "bad_input",
        },
        Row {
            name: "a procedure id used before",
            cli: args(&[
                "silence",
                "open",
                "--contest",
                CONTEST,
                "--procedure",
                "sp-1",
                "--candidate",
                "rutte",
                "--draft",
                "appoint Mark Rutte",
                "--deadline",
                "2024-06-24T12:00",
                "--time-zone",
                "Europe/Brussels",
            ]),
            api: Some((
                procedures,
                json!({"procedure": "sp-1", "candidate": "rutte", "draft": "appoint Mark Rutte", "deadline": "2024-06-24T12:00", "time_zone": "Europe/Brussels"}),
            )),
            // The form names no id: the next free one is taken, so it cannot reuse one.
            form: None,
            says: "a silence procedure 'sp-1' already exists",
            cause: "exists",
        },
        Row {
            name: "a break of a procedure that does not exist",
            cli: args(&[
                "silence",
                "break",
                "sp-9",
                "--contest",
                CONTEST,
                "--member",
                "HUN",
                "--statement",
                "Hungary cannot join",
            ]),
            api: Some((
                format!("/api/contests/{CONTEST}/procedures/sp-9/break"),
                json!({"member": "HUN", "statement": "Hungary cannot join"}),
            )),
            form: Some((
                format!("/contests/{CONTEST}/silence/sp-9/break"),
                vec![("statement", "Hungary cannot join".to_owned())],
            )),
            says: "no silence procedure 'sp-9' in nato-sg-2024",
            cause: "not_found",
        },
        Row {
            name: "a break with no statement",
            cli: args(&[
                "silence",
                "break",
                "sp-1",
                "--contest",
                CONTEST,
                "--member",
                "HUN",
                "--statement",
                " ",
            ]),
            api: Some((
                format!("/api/contests/{CONTEST}/procedures/sp-1/break"),
                json!({"member": "HUN", "statement": " "}),
            )),
            form: Some((
                format!("/contests/{CONTEST}/silence/sp-1/break"),
                vec![("statement", " ".to_owned())],
            )),
            says: "empty statement",
            cause: "bad_input",
        },
    ]
}

fn status_of(cause: &str) -> StatusCode {
    match cause {
        "bad_input" => StatusCode::UNPROCESSABLE_ENTITY,
        "not_found" => StatusCode::NOT_FOUND,
        _ => StatusCode::CONFLICT,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_bad_input_is_refused_alike_by_every_way_in_and_writes_nothing() {
    let w = world().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in rows(w.dir.path()) {
        let before = w.written().await;
        if let Some(cli) = &row.cli {
            let (ok, stderr) = w.cli(cli);
            checked += 1;
            if ok || !stderr.contains(row.says) || !stderr.contains("nothing was written") {
                failures.push(format!("CLI, {}: ok={ok}, said:\n{stderr}", row.name));
            }
        }
        if let Some((path, body)) = &row.api {
            let (status, answer) = w.api(path, body).await;
            checked += 1;
            let v: Value = serde_json::from_str(&answer).unwrap_or_default();
            let code = v["error"]["code"].as_str().unwrap_or_default();
            let code_ok = code == row.cause || (row.cause == "not_found" && code == "not_found");
            if status != status_of(row.cause) || !answer.contains(row.says) || !code_ok {
                failures.push(format!("API, {}: {status} {answer}", row.name));
            }
        }
        if let Some((path, fields)) = &row.form {
            let (status, page) = w.form(path, fields).await;
            checked += 1;
            if status != status_of(row.cause) || !page.contains(row.says) {
                failures.push(format!("form, {}: {status} {page}", row.name));
            }
        }
        let after = w.written().await;
        if after != before {
            failures.push(format!("{}: wrote {before:?} → {after:?}", row.name));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(checked >= 30, "{checked} refusals checked");
}

/// The CLI and the API read a contest whose silence procedure was adopted at its deadline the
/// same way: before the deadline neither calls it decided; after it both say Rutte was
/// appointed, by the procedure, with the same verdict.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_and_the_api_agree_on_a_contest_decided_by_silence() {
    let w = world().await;
    // sp-1's deadline is 25 June 2024, 12:00 in Brussels (10:00 UTC).
    for (now, decided) in [
        ("2024-06-25T09:59:00Z", false),
        ("2024-06-25T10:01:00Z", true),
    ] {
        let clock: jiff::Timestamp = now.parse().expect("instant");
        let state = AppState::new(
            w.state.ledger.clone(),
            Arc::new(ManualClock::new(clock)),
            ServerSettings::default(),
        );
        let req = Request::get(format!("/api/contests/{CONTEST}/status?as_of=2024-06-25"))
            .header("authorization", format!("Bearer {}", w.chair))
            .body(Body::empty())
            .expect("request");
        let resp = concord_server::router(state)
            .oneshot(req)
            .await
            .expect("answered");
        assert_eq!(resp.status(), StatusCode::OK);
        let bytes = axum::body::to_bytes(resp.into_body(), 16 << 20)
            .await
            .expect("body");
        let api: Value = serde_json::from_slice(&bytes).expect("json");
        let (out, (ok, err)) = w.cli_at(
            &args(&[
                "status",
                CONTEST,
                "--as-of",
                "2024-06-25",
                "--format",
                "json",
            ])
            .expect("args"),
            now,
        );
        assert!(ok, "{err}");
        let cli: Value = serde_json::from_str(&out).expect("json");
        assert_eq!(cli["verdict"], api["verdict"], "at {now}");
        assert_eq!(cli["candidates"], api["candidates"], "at {now}");
        let status = if decided { "decided" } else { "clear" };
        assert_eq!(
            api["verdict"]["status"], status,
            "at {now}: {}",
            api["verdict"]
        );
        if decided {
            assert_eq!(api["verdict"]["decided"], "rutte");
        }
    }
}
