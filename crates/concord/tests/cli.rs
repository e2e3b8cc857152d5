//! The `concord` binary driven as a user types it, each test in its own temporary directory
//! with its own SQLite store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn db(&self) -> PathBuf {
        self.dir.path().join("concord.sqlite")
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(args)
            .env("CONCORD_DATABASE", self.db())
            .env("CONCORD_AUTHOR", "test")
            .current_dir(self.dir.path())
            .output()
            .expect("concord runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "concord {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    /// The bytes of every file of the store, once any write-ahead log has been checkpointed
    /// into the main file. A process that exits without closing its connections can leave
    /// committed pages in the WAL for the next opener to fold in; checkpointing first makes the
    /// snapshot depend only on what was written, so a command that wrote nothing leaves it
    /// byte-for-byte unchanged, and one that wrote anything does not.
    fn store_bytes(&self) -> StoreBytes {
        checkpoint(&self.db());
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(self.dir.path())
            .expect("dir")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.file_name().is_some_and(|n| {
                    let n = n.to_string_lossy();
                    n.starts_with("concord.sqlite") && !n.ends_with("-shm")
                })
            })
            .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
            .collect();
        files.sort();
        StoreBytes(files)
    }
}

/// A store's files, compared byte for byte but printed as names and sizes.
#[derive(PartialEq, Eq)]
struct StoreBytes(Vec<(String, Vec<u8>)>);

impl std::fmt::Debug for StoreBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(
                self.0
                    .iter()
                    .map(|(name, bytes)| format!("{name}: {} bytes", bytes.len())),
            )
            .finish()
    }
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("valid JSON")
}

#[test]
fn demo_shows_the_nato_board_on_the_articles_date() {
    let s = Sandbox::new();
    let out = s.ok(&["demo"]);
    assert!(out.contains("as of 2024-04-02"), "{out}");
    assert!(out.contains("32 members"), "{out}");
    assert!(out.contains("Verdict: BLOCKED"), "{out}");
    assert!(
        out.contains("blocked by HUN (objects), ROU (withholds), SVK (withholds)"),
        "{out}"
    );
    // Each blocker with a reason and a source.
    for code in ["HUN objects", "ROU withholds", "SVK withholds"] {
        let at = out
            .find(code)
            .unwrap_or_else(|| panic!("{code} missing:\n{out}"));
        let block: String = out[at..].lines().take(8).collect::<Vec<_>>().join("\n");
        assert!(block.contains("why: "), "no reason for {code}: {block}");
        assert!(
            block.contains("source: 2024-"),
            "no source for {code}: {block}"
        );
    }
    for milestone in [
        "2024-04-03  meeting",
        "2024-04-30  target",
        "2024-07-09  hard deadline",
        "2024-10-01  term end",
    ] {
        assert!(out.contains(milestone), "{milestone} missing:\n{out}");
    }
    assert!(
        out.contains("in 98 days"),
        "days left to the summit:\n{out}"
    );
    // Running it again reuses the store rather than loading the scenario twice.
    let again = s.ok(&["demo"]);
    assert_eq!(out, again);
}

#[test]
fn demo_json_shows_estonia_supporting_through_met_conditions() {
    let s = Sandbox::new();
    let view = json(&s.ok(&["demo", "--format", "json"]));
    assert_eq!(view["format_version"], 1);
    assert_eq!(view["contest"]["members"], 32);
    assert_eq!(view["verdict"]["status"], "blocked");
    let cells = view["board"]["cells"].as_array().expect("cells");
    let estonia = cells
        .iter()
        .find(|c| c["member"] == "EST" && c["candidate"] == "rutte")
        .expect("EST on rutte");
    assert_eq!(estonia["stated"], "conditional");
    assert_eq!(estonia["effective"], "supports");
    assert_eq!(estonia["basis"], "conditions_met");
    assert_eq!(estonia["conditions"].as_array().map(Vec::len), Some(4));
}

#[test]
fn status_replays_only_what_was_known_then() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    let before = json(&s.ok(&[
        "status",
        "nato-sg-2024",
        "--as-of",
        "2024-02-15",
        "--format",
        "json",
    ]));
    let ids: Vec<&str> = before["candidates"]
        .as_array()
        .expect("candidates")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(
        !ids.contains(&"iohannis"),
        "Iohannis entered in March: {ids:?}"
    );
    assert_eq!(
        before["contest"]["members"], 31,
        "Sweden joined on 2024-03-07"
    );

    let decided = s.ok(&["status", "nato-sg-2024", "--as-of", "2024-06-26"]);
    assert!(
        decided.contains("DECIDED — Mark Rutte appointed"),
        "{decided}"
    );
}

#[test]
fn record_rejects_a_near_miss_member_and_writes_nothing() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    s.ok(&["contests"]);
    let before = s.store_bytes();
    let out = s.run(&[
        "record",
        "--member",
        "HUNG",
        "--candidate",
        "rutte",
        "--stance",
        "supports",
        "--source",
        "test",
        "--date",
        "2024-04-10",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("unknown member 'HUNG'"), "{err}");
    assert!(err.contains("did you mean 'HUN'?"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(
        before,
        s.store_bytes(),
        "a rejected command changed the store"
    );
}

#[test]
fn record_then_history_and_status_show_the_new_report() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    let out = s.ok(&[
        "record",
        "--member",
        "HUN",
        "--candidate",
        "rutte",
        "--stance",
        "supports",
        "--source",
        "https://example.org/orban-x-post",
        "--attribution",
        "on_record",
        "--date",
        "2024-04-10",
        "--reason",
        "guarantees obtained",
    ]);
    assert!(out.contains("HUN supports rutte on 2024-04-10"), "{out}");
    let history = s.ok(&["history", "HUN"]);
    assert!(
        history.contains("supports on rutte — guarantees obtained"),
        "{history}"
    );
    let status = s.ok(&["status", "--as-of", "2024-04-10"]);
    assert!(
        status.contains("blocked by ROU (withholds), SVK (withholds)"),
        "{status}"
    );
}

#[test]
fn a_bad_scenario_is_rejected_with_line_and_column_and_writes_nothing() {
    let s = Sandbox::new();
    s.ok(&["init"]);
    s.ok(&["contests"]);
    let before = s.store_bytes();
    let file = s.write(
        "bad.toml",
        r#"[contest]
id = "test"
title = "Test"
rule = { kind = "consensus" }

[organisation]
id = "org"
name = "Org"

[office]
title = "Head"
term_end = "2024-10-01"
reversion = "extension"

[[member]]
code = "HUN"
name = "Hungary"
joined = "1999-03-12"

[[event]]
date = "2024-03-01"
type = "candidate"
candidate = "a"
name = "A"
source = "s"

[[event]]
date = "2024-03-02"
type = "stance"
member = "HUNG"
candidate = "a"
stance = "objects"
source = "s"

[[event]]
date = "2024-13-02"
type = "stance"
member = "HUN"
candidate = "b"
stance = "supports"
source = "s"
"#,
    );
    let out = s.run(&["import", file.to_str().expect("path")]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.toml:30:10: unknown member 'HUNG'"),
        "{err}"
    );
    assert!(err.contains("did you mean 'HUN'?"), "{err}");
    assert!(
        err.contains("bad.toml:36:8: '2024-13-02' is not a date"),
        "{err}"
    );
    assert!(err.contains("unknown candidate 'b'"), "{err}");
    assert!(
        err.contains("3 problems found; nothing was written"),
        "{err}"
    );
    assert_eq!(before, s.store_bytes());
}

#[test]
fn a_csv_with_one_bad_row_imports_nothing() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    let count = |s: &Sandbox| s.ok(&["export", "nato-sg-2024"]).lines().count();
    let before = count(&s);
    let file = s.write(
        "reports.csv",
        "date,member,candidate,stance,source,attribution\n\
         2024-04-20,HUN,rutte,leans,https://example.org/a,anonymous\n\
         2024-04-21,SVK,rutte,suports,https://example.org/b,anonymous\n",
    );
    let out = s.run(&[
        "import",
        file.to_str().expect("path"),
        "--contest",
        "nato-sg-2024",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("reports.csv:3:4: unknown stance 'suports'"),
        "{err}"
    );
    assert!(err.contains("did you mean 'supports'?"), "{err}");
    assert_eq!(before, count(&s), "the good row must not be imported alone");

    let good = s.write(
        "good.csv",
        "date,member,candidate,stance,source,attribution\n\
         2024-04-20,HUN,rutte,leans,https://example.org/a,anonymous\n",
    );
    s.ok(&[
        "import",
        good.to_str().expect("path"),
        "--contest",
        "nato-sg-2024",
    ]);
    assert_eq!(before + 1, count(&s));
}

#[test]
fn verify_names_the_first_tampered_event() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    let ok = s.ok(&["verify"]);
    assert!(ok.contains("hash chain intact"), "{ok}");
    tamper(&s.db(), 5);
    let out = s.run(&["verify"]);
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BROKEN at event 5"), "{text}");
}

/// Folds the WAL into the main file and closes cleanly, which removes the WAL.
fn checkpoint(db: &Path) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        use sqlx::{ConnectOptions as _, Connection as _};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .connect()
            .await
            .expect("open");
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&mut conn)
            .await
            .expect("checkpoint");
        conn.close().await.expect("close");
    });
}

/// Rewrites one event's payload behind the ledger's back, as an attacker with the file would.
fn tamper(db: &Path, seq: u64) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        use sqlx::ConnectOptions as _;
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(db)
            .connect()
            .await
            .expect("open");
        sqlx::query("DROP TRIGGER IF EXISTS events_are_append_only_update")
            .execute(&mut conn)
            .await
            .expect("drop trigger");
        let changed = sqlx::query("UPDATE events SET author = 'mallory' WHERE seq = ?")
            .bind(seq as i64)
            .execute(&mut conn)
            .await
            .expect("update");
        assert_eq!(changed.rows_affected(), 1);
    });
}

#[test]
fn an_interchange_case_imports_and_replays() {
    let s = Sandbox::new();
    let file = s.write("case.json", include_str!("data/nato-sg-2014.json"));
    let out = s.ok(&["import", file.to_str().expect("path")]);
    assert!(out.contains("imported contest nato-sg-2014"), "{out}");
    let status = s.ok(&["status", "nato-sg-2014", "--as-of", "2014-03-28"]);
    assert!(
        status.contains("DECIDED — Jens Stoltenberg appointed"),
        "{status}"
    );
}

/// The board says what would unblock each blocking member, what each supporter's stance rests
/// on, and after the appointment who takes over; on 20 March nothing from the 2 April article.
#[test]
fn the_board_says_what_would_unblock_and_what_support_rests_on() {
    let s = Sandbox::new();
    s.ok(&["demo"]);
    let status = |day: &str| s.ok(&["status", "nato-sg-2024", "--as-of", day]);

    let march = status("2024-03-20");
    assert!(!march.contains("EU-style"), "{march}");
    assert!(!march.contains("eu-top-jobs-2024"), "{march}");
    assert!(!march.contains("Kallas"), "{march}");

    let june = status("2024-06-01");
    let hun = &june[june.find("HUN objects").expect("HUN blocks")..];
    let hun: String = hun.lines().take(16).collect::<Vec<_>>().join("\n");
    assert!(hun.contains("would unblock"), "{hun}");
    assert!(
        hun.contains("open: Hungary may opt out of NATO operations"),
        "{hun}"
    );
    let svk = &june[june.find("SVK withholds").expect("SVK blocks")..];
    let svk: String = svk.lines().take(16).collect::<Vec<_>>().join("\n");
    assert!(svk.contains("protection of Slovak airspace"), "{svk}");

    let april = status("2024-04-02");
    assert!(april.contains("EST+"), "{april}");
    assert!(april.contains("inferred: an analyst's reading"), "{april}");
    assert!(
        april.contains("met by the commitment of 2024-04-02"),
        "{april}"
    );

    let nineteenth = status("2024-06-19");
    let iohannis = &nineteenth[nineteenth.find("Klaus Iohannis (ROU").expect("Iohannis")..];
    assert!(
        iohannis.contains("supporters (1):\n    ROU\n"),
        "{iohannis}"
    );
    assert!(
        iohannis.contains("HUN's support of 2024-04-03 is superseded"),
        "{iohannis}"
    );

    let appointed = status("2024-06-26");
    assert!(!appointed.contains("(then extension"), "{appointed}");
    assert!(
        appointed.contains("then Mark Rutte, appointed 2024-06-26"),
        "{appointed}"
    );
    assert!(!appointed.contains("floated"), "{appointed}");

    let view = json(&s.ok(&[
        "status",
        "nato-sg-2024",
        "--as-of",
        "2024-06-01",
        "--format",
        "json",
    ]));
    let cells = view["board"]["cells"].as_array().expect("cells");
    let hun = cells
        .iter()
        .find(|c| c["member"] == "HUN" && c["candidate"] == "rutte")
        .expect("HUN on rutte");
    assert_eq!(hun["asked"][0]["id"], "ukraine-opt-out");
    assert_eq!(hun["asked"][0]["met"], false);
    let rutte = &view["candidates"][0];
    assert!(
        rutte["supporters_inferred"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
    assert_eq!(rutte["supporters_on_conditions"][0]["member"], "EST");
    let view = json(&s.ok(&[
        "status",
        "nato-sg-2024",
        "--as-of",
        "2024-06-26",
        "--format",
        "json",
    ]));
    assert_eq!(view["contest"]["successor"]["candidate"], "rutte");
    assert_eq!(
        view["potential_candidates"].as_array().map(Vec::len),
        Some(0)
    );
}
