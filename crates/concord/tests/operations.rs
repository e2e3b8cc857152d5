//! Operations, as a user meets them: a command that only reads never creates a store (nor a
//! key), a closed pipe ends a command quietly, a store's internal failure is logged rather
//! than shown, and `init` makes the key and prints its public half.

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn concord(dir: &Path, db: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_concord"));
    cmd.args(args)
        .env("CONCORD_DATABASE", db)
        .env("CONCORD_AUTHOR", "test")
        .env_remove("CONCORD_KEY_FILE")
        .env_remove("RUST_LOG")
        .current_dir(dir);
    cmd
}

fn run(dir: &Path, db: &Path, args: &[&str]) -> Output {
    concord(dir, db, args).output().expect("concord runs")
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").path())
        .collect();
    all.sort();
    all
}

#[test]
fn commands_that_only_read_never_create_a_store() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("mistyped").join("concord.sqlite");
    for args in [
        &["status"][..],
        &["status", "nato-sg-2024"],
        &["history", "HUN"],
        &["verify"],
        &["export", "nato-sg-2024"],
        &["contests"],
        &["checkpoint", "nato-sg-2024"],
        &["key", "export"],
        &["forecast", "nato-sg-2024"],
        &["token", "list"],
        &[
            "record",
            "--member",
            "HUN",
            "--candidate",
            "rutte",
            "--stance",
            "supports",
            "--source",
            "s",
        ],
    ] {
        let out = run(dir.path(), &db, args);
        assert!(!out.status.success(), "{args:?} succeeded on no store");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("no store at"), "{args:?}: {err}");
        assert!(err.contains("concord init"), "{args:?}: {err}");
        assert!(
            files(dir.path()).is_empty(),
            "{args:?} created {:?}",
            files(dir.path())
        );
    }
}

#[test]
fn init_makes_a_private_key_and_prints_its_public_half() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("concord.sqlite");
    let out = run(dir.path(), &db, &["init"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    let key = dir.path().join("concord.sqlite.key");
    assert!(
        said.contains(&format!("signing key: {}", key.display())),
        "{said}"
    );
    assert!(said.contains("concord public key (Ed25519)"), "{said}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the key file is private");
    }
    // The exported key is the one init printed; a second init keeps it.
    let exported = run(dir.path(), &db, &["key", "export"]);
    let exported = String::from_utf8_lossy(&exported.stdout).into_owned();
    assert!(said.ends_with(&exported), "{said}\n---\n{exported}");
    let again = run(dir.path(), &db, &["init"]);
    assert!(String::from_utf8_lossy(&again.stdout).ends_with(&exported));
    // Without its key file the store can be read and verified, not written.
    std::fs::rename(&key, dir.path().join("elsewhere.key")).expect("move key");
    assert!(run(dir.path(), &db, &["verify"]).status.success());
    let out = run(dir.path(), &db, &["import", "nato-sg-2024"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("its key file") && err.contains("is missing"),
        "{err}"
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("concord.sqlite");
    assert!(
        run(dir.path(), &db, &["import", "nato-sg-2024"])
            .status
            .success()
    );
    for args in [
        &["status", "nato-sg-2024", "--as-of", "2024-04-02"][..],
        &["export", "nato-sg-2024"],
        &["history", "HUN"],
        &["verify"],
    ] {
        let mut child = concord(dir.path(), &db, args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        // The reader goes away before concord writes a byte, as `| head -0` would.
        drop(child.stdout.take());
        let mut err = String::new();
        child
            .stderr
            .take()
            .expect("stderr")
            .read_to_string(&mut err)
            .expect("read");
        let status = child.wait().expect("wait");
        assert!(status.success(), "{args:?}: {status} {err}");
        assert!(err.is_empty(), "{args:?} said on a closed pipe: {err}");
    }
}

#[test]
fn a_store_failure_is_logged_not_shown() {
    let dir = tempfile::tempdir().expect("dir");
    let db = dir.path().join("concord.sqlite");
    assert!(
        run(dir.path(), &db, &["import", "nato-sg-2024"])
            .status
            .success()
    );
    // Break the database under concord: its events table is gone.
    tokio::runtime::Runtime::new()
        .expect("runtime")
        .block_on(async {
            use sqlx::{ConnectOptions as _, Connection as _};
            let mut conn = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&db)
                .connect()
                .await
                .expect("open");
            sqlx::raw_sql("DROP TABLE events")
                .execute(&mut conn)
                .await
                .expect("drop");
            conn.close().await.expect("close");
        });
    let out = run(dir.path(), &db, &["status", "nato-sg-2024"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("the store could not complete this"), "{err}");
    assert!(err.contains("RUST_LOG=debug"), "{err}");
    assert!(!err.contains("no such table"), "internals shown: {err}");
    let out = concord(dir.path(), &db, &["status", "nato-sg-2024"])
        .env("RUST_LOG", "debug")
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no such table: events"),
        "the log has it: {err}"
    );
}
