//! Contest ids that cannot collide: `import --as ID` renames what it imports, importing the
//! same contest twice is a no-op, a different contest under a taken id is refused with what
//! to do, and `demo` refuses to show another contest stored under the bundled id.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(args)
        .env("CONCORD_DATABASE", dir.join("concord.sqlite"))
        .env("CONCORD_AUTHOR", "test")
        .current_dir(root())
        .output()
        .expect("concord runs")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "concord {args:?} failed: {stderr}");
    stdout
}

/// Fails with exit code 2 (bad input, nothing written); returns stderr.
fn refused(dir: &Path, args: &[&str]) -> String {
    let out = run(dir, args);
    let (stdout, stderr) = text(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "concord {args:?} should be refused: {stdout}{stderr}"
    );
    stderr
}

#[test]
fn the_bundled_scenario_imported_after_demo_is_already_there() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(dir.path(), &["demo"]);
    let out = ok(dir.path(), &["import", "scenarios/nato-sg-2024.toml"]);
    assert!(
        out.contains("already in the store, identical"),
        "import after demo: {out}"
    );
    // And under another id it is a second contest.
    let out = ok(
        dir.path(),
        &["import", "scenarios/nato-sg-2024.toml", "--as", "nato-copy"],
    );
    assert!(out.contains("imported contest nato-copy"), "{out}");
    let contests = ok(dir.path(), &["contests"]);
    assert!(contests.contains("nato-sg-2024") && contests.contains("nato-copy"));
}

#[test]
fn a_case_under_the_bundled_id_is_refused_and_imports_under_another() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(dir.path(), &["demo"]);
    let err = refused(dir.path(), &["import", "cases/nato-sg-2024.json"]);
    assert!(
        err.contains("already holds a different contest 'nato-sg-2024'") && err.contains("--as"),
        "{err}"
    );
    let out = ok(
        dir.path(),
        &[
            "import",
            "cases/nato-sg-2024.json",
            "--as",
            "nato-sg-2024-case",
        ],
    );
    assert!(out.contains("imported contest nato-sg-2024-case"), "{out}");
    let board = ok(
        dir.path(),
        &["status", "nato-sg-2024-case", "--as-of", "2024-06-01"],
    );
    assert!(board.contains("Rutte"), "{board}");
    // The demo still shows the bundled scenario.
    ok(dir.path(), &["demo"]);
}

#[test]
fn demo_refuses_another_contest_under_its_id() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(dir.path(), &["import", "cases/nato-sg-2024.json"]);
    let err = refused(dir.path(), &["demo"]);
    assert!(err.contains("is not the bundled scenario"), "{err}");
    assert!(err.contains("--database") && err.contains("--as"), "{err}");
    // The stored contest is untouched.
    let board = ok(
        dir.path(),
        &["status", "nato-sg-2024", "--as-of", "2024-06-01"],
    );
    assert!(board.contains("Rutte"), "{board}");
}

#[test]
fn bad_ids_and_misplaced_as_are_refused_at_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let err = refused(
        dir.path(),
        &["import", "scenarios/nato-sg-2024.toml", "--as", "no spaces"],
    );
    assert!(
        err.contains("argument --as") && err.contains("not a valid contest id"),
        "{err}"
    );
    ok(dir.path(), &["demo"]);
    let err = refused(
        dir.path(),
        &[
            "import",
            "scenarios/reports.csv",
            "--contest",
            "nato-sg-2024",
            "--as",
            "x",
        ],
    );
    assert!(err.contains("argument --as"), "{err}");
    let contests = ok(dir.path(), &["contests"]);
    assert!(!contests.contains("no spaces") && !contests.contains(" x "));
}

#[test]
fn a_changed_scenario_under_a_taken_id_is_refused() {
    let dir = tempfile::tempdir().expect("temp dir");
    ok(dir.path(), &["demo"]);
    let changed = std::fs::read_to_string(root().join("scenarios/nato-sg-2024.toml"))
        .expect("scenario")
        .replace(
            "NATO Secretary General 2024: Stoltenberg's successor",
            "NATO Secretary General 2024 (edited)",
        );
    let file = dir.path().join("edited.toml");
    std::fs::write(&file, changed).expect("write");
    let file = file.display().to_string();
    let err = refused(dir.path(), &["import", &file]);
    assert!(
        err.contains("different contest") && err.contains("--as"),
        "{err}"
    );
    ok(dir.path(), &["import", &file, "--as", "nato-edited"]);
}
