//! The README's forecast and back-test sections are what `concord backtest cases --readme`
//! prints: a change to the model, its parameters or the corpus that moves a figure fails here
//! until the README is regenerated.

use std::path::PathBuf;
use std::process::Command;

fn block<'a>(text: &'a str, name: &str) -> &'a str {
    let open = format!("<!-- readme:{name}");
    let close = format!("<!-- /readme:{name} -->");
    let start = text
        .find(&open)
        .unwrap_or_else(|| panic!("no '{open}' marker"));
    let end = text[start..]
        .find(&close)
        .unwrap_or_else(|| panic!("no '{close}' marker"))
        + start
        + close.len();
    &text[start..end]
}

#[test]
fn the_readme_tables_are_the_commands_output() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = Command::new(env!("CARGO_BIN_EXE_concord"))
        .args(["backtest", "cases", "--readme"])
        .current_dir(&root)
        .env(
            "CONCORD_DATABASE",
            root.join("target/readme-tables-unused.sqlite"),
        )
        .output()
        .expect("concord runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let generated = String::from_utf8(out.stdout).expect("UTF-8");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    for name in ["forecast", "backtest"] {
        assert_eq!(
            block(&readme, name),
            block(&generated, name),
            "README.md's {name} section has drifted: regenerate it with `concord backtest cases --readme`"
        );
    }
}
