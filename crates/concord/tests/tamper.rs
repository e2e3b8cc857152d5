//! The tamper matrix: the store edited behind concord's back with raw SQL, on SQLite and (when
//! `CONCORD_TEST_POSTGRES_URL` names a server) on PostgreSQL, each way caught by `concord
//! verify` and by a read (`concord status`) with its cause named, and nothing appended onto
//! the broken chain (`concord record` refused, the store unchanged).
//!
//! Each case starts from a copy of one store holding the bundled NATO 2024 scenario (91
//! events), sealed by a checkpoint signed with the store's key; the PostgreSQL copies are
//! databases made from a template and dropped afterwards.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};

use concord_domain::chain::{EventText, seal_hash};
use concord_ledger::{Checkpoint, SigningKey};

const CONTEST: &str = "nato-sg-2024";
const EVENTS: i64 = 91;
const PG_URL: &str = "CONCORD_TEST_POSTGRES_URL";

/// One stored event's columns, as strings.
#[derive(Debug, Clone)]
struct Row {
    seq: i64,
    valid_date: String,
    recorded_at: String,
    author: String,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl Row {
    /// Seals this row again (scheme 2) onto `prev_hash`, as a forger who knows the scheme can.
    fn resealed(mut self, prev_hash: &str) -> Row {
        let text = EventText {
            valid_date: self.valid_date.clone(),
            recorded_at: self.recorded_at.clone(),
            author: self.author.clone(),
            kind: self.kind.clone(),
            payload: self.payload.clone(),
        };
        self.prev_hash = prev_hash.to_owned();
        self.hash = seal_hash(self.seq as u64, &text, prev_hash);
        self
    }
}

/// A store under test: a SQLite file or a PostgreSQL database, with its key file.
enum Db {
    Sqlite {
        dir: tempfile::TempDir,
    },
    Postgres {
        dir: tempfile::TempDir,
        url: String,
        admin: String,
        name: String,
    },
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Db::Postgres { admin, name, .. } = self {
            let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            if let Err(e) = pg_admin(admin, &sql) {
                eprintln!("could not drop the test database {name}: {e}");
            }
        }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn pg_admin(admin: &str, sql: &str) -> Result<(), String> {
    runtime().block_on(async {
        use sqlx::Connection as _;
        let options =
            sqlx::postgres::PgConnectOptions::from_str(admin).map_err(|e| e.to_string())?;
        let mut conn = sqlx::PgConnection::connect_with(&options)
            .await
            .map_err(|e| e.to_string())?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .map_err(|e| e.to_string())?;
        conn.close().await.map_err(|e| e.to_string())
    })
}

fn unique(prefix: &str) -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_nanos();
    format!(
        "{prefix}_{}_{nanos}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

impl Db {
    fn key_file(&self) -> PathBuf {
        match self {
            Db::Sqlite { dir } => dir.path().join("concord.sqlite.key"),
            Db::Postgres { dir, .. } => dir.path().join("concord.key"),
        }
    }

    fn database(&self) -> String {
        match self {
            Db::Sqlite { dir } => dir.path().join("concord.sqlite").display().to_string(),
            Db::Postgres { url, .. } => url.clone(),
        }
    }

    fn dir(&self) -> &Path {
        match self {
            Db::Sqlite { dir } | Db::Postgres { dir, .. } => dir.path(),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(args)
            .env("CONCORD_DATABASE", self.database())
            .env("CONCORD_KEY_FILE", self.key_file())
            .env("CONCORD_AUTHOR", "test")
            .current_dir(self.dir())
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

    /// A fresh store holding the bundled scenario, sealed and signed.
    fn seeded(backend: Backend) -> Db {
        let dir = tempfile::tempdir().expect("dir");
        let db = match backend {
            Backend::Sqlite => Db::Sqlite { dir },
            Backend::Postgres(admin) => {
                let name = unique("concord_tamper");
                pg_admin(&admin, &format!("CREATE DATABASE {name}")).expect("create database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                Db::Postgres {
                    dir,
                    url: format!("{base}/{name}"),
                    admin,
                    name,
                }
            }
        };
        db.ok(&["import", CONTEST]);
        db
    }

    /// A copy of this store (and its key), to tamper with.
    fn copy(&self) -> Db {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::copy(
            self.key_file(),
            dir.path().join(self.key_file().file_name().unwrap()),
        )
        .expect("copy key");
        match self {
            Db::Sqlite { .. } => {
                let to = dir.path().join("concord.sqlite");
                sqlite_exec(&self.database(), format!("VACUUM INTO '{}'", to.display()));
                Db::Sqlite { dir }
            }
            Db::Postgres { admin, name, .. } => {
                let copy = unique("concord_tamper");
                // A template must have no other connection: concord's processes have exited.
                pg_admin(admin, &format!("CREATE DATABASE {copy} TEMPLATE {name}"))
                    .expect("copy database");
                let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
                Db::Postgres {
                    dir,
                    url: format!("{base}/{copy}"),
                    admin: admin.clone(),
                    name: copy,
                }
            }
        }
    }

    /// Runs SQL as someone holding the database would, append-only triggers switched off.
    fn tamper(&self, sql: &str) {
        let disable = match self {
            Db::Sqlite { .. } => {
                "DROP TRIGGER IF EXISTS events_are_append_only_update;
                 DROP TRIGGER IF EXISTS events_are_append_only_delete;
                 DROP TRIGGER IF EXISTS signing_keys_are_append_only_update;
                 DROP TRIGGER IF EXISTS signing_keys_are_append_only_delete;"
            }
            Db::Postgres { .. } => {
                "ALTER TABLE events DISABLE TRIGGER USER;
                 ALTER TABLE signing_keys DISABLE TRIGGER USER;"
            }
        };
        let sql = format!("{disable}\n{sql}");
        match self {
            Db::Sqlite { .. } => sqlite_exec(&self.database(), sql),
            Db::Postgres { url, .. } => pg_admin(url, &sql).expect("sql"),
        }
    }

    /// Every stored event, in seq order.
    fn rows(&self) -> Vec<Row> {
        const SELECT: &str = "SELECT seq, valid_date, recorded_at, author, kind, payload, prev_hash, hash FROM events ORDER BY seq";
        type Tuple = (i64, String, String, String, String, String, String, String);
        let tuples: Vec<Tuple> = match self {
            Db::Sqlite { .. } => {
                let path = self.database();
                runtime().block_on(async {
                    use sqlx::ConnectOptions as _;
                    let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                        .filename(&path)
                        .connect()
                        .await
                        .expect("open");
                    sqlx::query_as(SELECT)
                        .fetch_all(&mut conn)
                        .await
                        .expect("rows")
                })
            }
            Db::Postgres { url, .. } => runtime().block_on(async {
                use sqlx::Connection as _;
                let options = sqlx::postgres::PgConnectOptions::from_str(url).expect("url");
                let mut conn = sqlx::PgConnection::connect_with(&options)
                    .await
                    .expect("connect");
                sqlx::query_as(SELECT)
                    .fetch_all(&mut conn)
                    .await
                    .expect("rows")
            }),
        };
        tuples
            .into_iter()
            .map(|t| Row {
                seq: t.0,
                valid_date: t.1,
                recorded_at: t.2,
                author: t.3,
                kind: t.4,
                payload: t.5,
                prev_hash: t.6,
                hash: t.7,
            })
            .collect()
    }

    /// Rewrites stored rows (by seq) and the store's record to `rows`' last hash.
    fn rewrite(&self, rows: &[Row], record: bool) {
        let mut sql = String::new();
        for r in rows {
            sql.push_str(&format!(
                "UPDATE events SET payload = {}, prev_hash = '{}', hash = '{}' WHERE seq = {};\n",
                quote(&r.payload),
                r.prev_hash,
                r.hash,
                r.seq
            ));
        }
        if record && let Some(last) = rows.last() {
            sql.push_str(&format!(
                "UPDATE streams SET last_hash = '{}' WHERE stream = '{CONTEST}';\n",
                last.hash
            ));
        }
        self.tamper(&sql);
    }

    fn insert(&self, r: &Row) {
        self.tamper(&format!(
            "INSERT INTO events (stream, seq, valid_date, recorded_at, author, kind, payload, prev_hash, hash)
             VALUES ('{CONTEST}', {}, '{}', '{}', '{}', '{}', {}, '{}', '{}');",
            r.seq,
            r.valid_date,
            r.recorded_at,
            r.author,
            r.kind,
            quote(&r.payload),
            r.prev_hash,
            r.hash
        ));
    }
}

fn sqlite_exec(path: &str, sql: String) {
    runtime().block_on(async {
        use sqlx::{ConnectOptions as _, Connection as _};
        let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(path)
            .connect()
            .await
            .expect("open");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .expect("sql");
        conn.close().await.expect("close");
    });
}

fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

#[derive(Clone)]
enum Backend {
    Sqlite,
    Postgres(String),
}

/// Replaces the store's registered key with `key` (as someone with the database would).
fn replace_registered_key(db: &Db, key: &SigningKey) {
    db.tamper(&format!(
        "DELETE FROM signing_keys;
         INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ('{}', '{}', '2024-01-01T00:00:00Z');",
        key.public().id(),
        key.public().to_hex()
    ));
}

/// Rewrites event `seq`'s payload and reseals it and every event after it, and the record:
/// a forgery with recomputed hashes, which only the key can tell.
fn forge(db: &Db, seq: i64) -> Vec<Row> {
    let rows = db.rows();
    let mut forged: Vec<Row> = Vec::new();
    let mut prev = rows[(seq - 2) as usize].hash.clone();
    for r in rows.into_iter().filter(|r| r.seq >= seq) {
        let mut r = r;
        if r.seq == seq {
            assert!(r.payload.contains("\"objects\""), "{}", r.payload);
            r.payload = r.payload.replace("\"objects\"", "\"supports\"");
        }
        let r = r.resealed(&prev);
        prev = r.hash.clone();
        forged.push(r);
    }
    db.rewrite(&forged, true);
    forged
}

/// The seq of Hungary's first objection (a stance a forger would want to flip).
fn hungary_objects(db: &Db) -> i64 {
    db.rows()
        .iter()
        .find(|r| {
            r.kind == "stance_reported"
                && r.payload.contains("\"HUN\"")
                && r.payload.contains("\"objects\"")
        })
        .expect("HUN objects")
        .seq
}

/// `verify` fails naming `cause`; `status` refuses naming it too; `record` appends nothing.
fn assert_caught(db: &Db, case: &str, cause: &str) {
    let verify = db.run(&["verify"]);
    let said = String::from_utf8_lossy(&verify.stdout);
    assert!(!verify.status.success(), "{case}: verify passed:\n{said}");
    assert!(said.contains("BROKEN"), "{case}: {said}");
    assert!(
        said.contains(cause),
        "{case}: verify said:\n{said}\nexpected: {cause}"
    );

    let status = db.run(&["status", CONTEST, "--as-of", "2024-06-26"]);
    let err = String::from_utf8_lossy(&status.stderr);
    assert!(!status.status.success(), "{case}: status passed");
    assert!(status.stdout.is_empty(), "{case}: status printed a board");
    assert!(err.contains("fails its integrity check"), "{case}: {err}");
    assert!(
        err.contains(cause),
        "{case}: status said:\n{err}\nexpected: {cause}"
    );
    // The matrix, for `--nocapture`: each tamper and what verify and status said.
    println!(
        "{case}\n  verify: {}\n  status: {}",
        said.trim(),
        err.trim()
    );

    let before = db.rows().len();
    let record = db.run(&[
        "record",
        "--contest",
        CONTEST,
        "--member",
        "HUN",
        "--candidate",
        "rutte",
        "--stance",
        "supports",
        "--source",
        "https://example.org/x",
        "--date",
        "2024-06-20",
    ]);
    assert!(
        !record.status.success(),
        "{case}: record wrote onto a broken chain"
    );
    assert_eq!(before, db.rows().len(), "{case}: something was appended");
}

fn matrix(backend: Backend) {
    let base = Db::seeded(backend);
    assert!(
        base.ok(&["verify"])
            .contains("91 events, hash chain intact, sealed by checkpoint")
    );
    let published = base.dir().join("published.checkpoint");
    std::fs::write(&published, base.ok(&["checkpoint", CONTEST])).expect("write");
    let public_key = base.dir().join("published.pub");
    std::fs::write(&public_key, base.ok(&["key", "export"])).expect("write");

    let sql_cases: &[(&str, &str, &str)] = &[
        (
            "delete the tail",
            "DELETE FROM events WHERE seq = 91;",
            "the log ends at event 90 but the store's record says 91 events",
        ),
        (
            "delete the tail and fix the record",
            "DELETE FROM events WHERE seq = 91;
          UPDATE streams SET events = 90, last_hash = (SELECT hash FROM events WHERE seq = 90);",
            "the signed checkpoint covers 91 events but the log has 90",
        ),
        (
            "delete a middle row",
            "DELETE FROM events WHERE seq = 40;",
            "event 40 is missing",
        ),
        (
            "reorder two rows",
            "UPDATE events SET seq = 100000 WHERE seq = 40;
          UPDATE events SET seq = 40 WHERE seq = 41;
          UPDATE events SET seq = 41 WHERE seq = 100000;",
            "event 40 is out of order: it chains to event 41",
        ),
        (
            "edit a payload byte",
            "UPDATE events SET payload = replace(payload, 'News report', 'News rep0rt') WHERE seq = 40;",
            "event 40 was altered after it was sealed: its valid_date, recorded_at, author or payload",
        ),
        (
            "add a JSON field",
            "UPDATE events SET payload = replace(payload, '{\"type\"', '{\"note\":\"x\",\"type\"') WHERE seq = 40;",
            "its payload has a field at $.note",
        ),
        (
            "change whitespace",
            "UPDATE events SET payload = replace(payload, '\":', '\": ') WHERE seq = 40;",
            "its payload bytes differ from what was sealed",
        ),
        (
            "change valid_date",
            "UPDATE events SET valid_date = '2024-01-01' WHERE seq = 40;",
            "event 40 was altered after it was sealed: its valid_date, recorded_at, author or payload",
        ),
        (
            "change author",
            "UPDATE events SET author = 'mallory' WHERE seq = 40;",
            "event 40 was altered after it was sealed: its valid_date, recorded_at, author or payload",
        ),
        (
            "change recorded_at",
            "UPDATE events SET recorded_at = '2020-01-01T00:00:00Z' WHERE seq = 40;",
            "its recorded_at (2020-01-01T00:00:00Z) is out of order",
        ),
        (
            "change kind",
            "UPDATE events SET kind = 'decision_recorded' WHERE seq = 40;",
            "its kind column says 'decision_recorded'",
        ),
        (
            "edit the hash column",
            "UPDATE events SET hash = replace(hash, substr(hash, 1, 1), 'x') WHERE seq = 40;",
            "event 40 was altered after it was sealed: its hash column was edited",
        ),
        (
            "drop the checkpoint",
            "UPDATE streams SET checkpoint = NULL;",
            "no signed checkpoint covers the log",
        ),
        (
            "edit the checkpoint",
            "UPDATE streams SET checkpoint = replace(checkpoint, 'time 2', 'time 1');",
            "the checkpoint's signature does not verify",
        ),
    ];
    for (case, sql, cause) in sql_cases {
        let db = base.copy();
        db.tamper(sql);
        assert_caught(&db, case, cause);
    }

    // Insert a row at the end, sealed onto the last: beyond the store's record.
    let db = base.copy();
    let rows = db.rows();
    let mut extra = rows[rows.len() - 1].clone();
    extra.seq = EVENTS + 1;
    let extra = extra.resealed(&rows[rows.len() - 1].hash);
    db.insert(&extra);
    assert_caught(
        &db,
        "insert a row at the end",
        "event 92 is stored beyond the store's record of 91 events",
    );

    // Insert a row in the middle: shift the rest up and seal the new one onto event 40.
    let db = base.copy();
    let rows = db.rows();
    db.tamper(
        "UPDATE events SET seq = seq + 100000 WHERE seq > 40;
               UPDATE events SET seq = seq - 99999 WHERE seq > 100000;",
    );
    let mut inserted = rows[39].clone();
    inserted.seq = 41;
    db.insert(&inserted.resealed(&rows[39].hash));
    assert_caught(&db, "insert a row in the middle", "event 41 was inserted");

    // Forge Hungary's objection into support and recompute every hash after it: only the
    // signed checkpoint can tell.
    let db = base.copy();
    let seq = hungary_objects(&db);
    forge(&db, seq);
    assert_caught(
        &db,
        "forge an event with recomputed hashes",
        "event 91's hash is not the head the checkpoint signed",
    );

    // Replace the key file: the store's checkpoints are signed by another key.
    let db = base.copy();
    std::fs::write(db.key_file(), SigningKey::from_seed([9; 32]).to_text()).expect("write key");
    for args in [&["verify"][..], &["status", CONTEST][..]] {
        let out = db.run(args);
        assert!(!out.status.success(), "replaced key file: {args:?} passed");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("is not this store's key"), "{args:?}: {err}");
    }

    // Replace the registered key (and the key file) without re-signing: the checkpoint is
    // signed by a key the store no longer names.
    let db = base.copy();
    let mallory = SigningKey::from_seed([9; 32]);
    replace_registered_key(&db, &mallory);
    std::fs::write(db.key_file(), mallory.to_text()).expect("write key");
    assert_caught(&db, "replace the key", "but this store's key is");

    // The whole forgery: events rewritten, hashes recomputed, the key replaced and the
    // checkpoint signed again. The store is consistent with itself, so only what was published
    // before can tell: the earlier checkpoint and the public key.
    let db = base.copy();
    let seq = hungary_objects(&db);
    let forged = forge(&db, seq);
    replace_registered_key(&db, &mallory);
    std::fs::write(db.key_file(), mallory.to_text()).expect("write key");
    let head = forged.last().expect("rows");
    let resigned = Checkpoint::sign(
        &mallory,
        CONTEST,
        EVENTS as u64,
        &head.hash,
        jiff::Timestamp::now(),
    );
    db.tamper(&format!(
        "UPDATE streams SET checkpoint = {};",
        quote(&resigned.to_text())
    ));
    let published = published.display().to_string();
    let out = db.run(&["verify", "--checkpoint", &published]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "full forgery passed against the published checkpoint: {said}"
    );
    assert!(
        said.contains("the key was replaced or the checkpoint forged"),
        "{said}"
    );
    let key = public_key.display().to_string();
    let out = db.run(&["verify", "--key", &key]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success(),
        "full forgery passed against the published key: {said}"
    );
    assert!(said.contains("is signed by key"), "{said}");
    // Both together: the published checkpoint checks out, the store does not extend it.
    let out = db.run(&["verify", "--key", &key, "--checkpoint", &published]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success(), "{said}");
}

#[test]
fn every_tamper_is_caught_on_sqlite() {
    matrix(Backend::Sqlite);
}

#[test]
fn every_tamper_is_caught_on_postgres() {
    let Ok(url) = std::env::var(PG_URL) else {
        println!("skipped: {PG_URL} not set (the PostgreSQL tamper matrix needs a server)");
        return;
    };
    matrix(Backend::Postgres(url));
}

#[test]
fn an_earlier_checkpoint_is_extended_by_later_appends() {
    let db = Db::seeded(Backend::Sqlite);
    let earlier = db.dir().join("earlier.checkpoint");
    std::fs::write(&earlier, db.ok(&["checkpoint", CONTEST])).expect("write");
    db.ok(&[
        "record",
        "--contest",
        CONTEST,
        "--member",
        "HUN",
        "--candidate",
        "rutte",
        "--stance",
        "supports",
        "--source",
        "https://example.org/x",
        "--date",
        "2024-06-20",
    ]);
    let said = db.ok(&["verify", "--checkpoint", &earlier.display().to_string()]);
    assert!(said.contains("92 events, hash chain intact"), "{said}");
    assert!(
        said.contains("extends the checkpoint given (91 events"),
        "{said}"
    );
    // An export carries the checkpoint that covers it, and verifies as one.
    let export = db.dir().join("log.jsonl");
    std::fs::write(&export, db.ok(&["export", CONTEST])).expect("write");
    let said = db.ok(&["verify", "--checkpoint", &export.display().to_string()]);
    assert!(
        said.contains("extends the checkpoint given (92 events"),
        "{said}"
    );
}
