//! Tidy checks over the repository, run as ordinary tests: every Rust file starts with a `//!`
//! line saying what it is for, no test is switched off with an ignore attribute, and the SQLite and
//! PostgreSQL migration folders stay in step.

use std::path::{Path, PathBuf};

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir").flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == "target" || name.to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn all_rust_files() -> Vec<PathBuf> {
    let mut files = Vec::new();
    rust_files(&repository().join("crates"), &mut files);
    assert!(files.len() > 50, "found only {} Rust files", files.len());
    files
}

#[test]
fn every_rust_file_starts_with_a_module_doc() {
    let missing: Vec<String> = all_rust_files()
        .into_iter()
        .filter(|f| {
            let text = std::fs::read_to_string(f).expect("readable");
            !text.trim_start().starts_with("//!")
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "files without a `//!` first line: {missing:#?}"
    );
}

#[test]
fn no_test_is_ignored() {
    // Spelt in two pieces so this file does not find itself.
    let needle = format!("#[{}]", "ignore");
    let offenders: Vec<String> = all_rust_files()
        .into_iter()
        .filter(|f| {
            std::fs::read_to_string(f)
                .expect("readable")
                .contains(&needle)
        })
        .map(|f| f.display().to_string())
        .collect();
    assert!(offenders.is_empty(), "ignored tests in: {offenders:#?}");
}

#[test]
fn both_stores_have_the_same_migrations() {
    let names = |backend: &str| -> Vec<String> {
        let dir = repository().join("crates").join(backend).join("migrations");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    let sqlite = names("concord-store-sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(
        sqlite,
        names("concord-store-postgres"),
        "migration folders out of step"
    );
}
