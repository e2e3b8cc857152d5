//! Every command the README (and any ```sh block in docs/*.md) shows runs here, in order, as a
//! new user pastes them into a fresh shell at the repository's root: one fresh store for the
//! whole document (`CONCORD_DATABASE` in a temporary directory), and where the README shows a
//! command's output (a block of `$ command` followed by its lines) that output is compared.
//!
//! The commands run through `sh -c`, so environment prefixes, quotes and redirections work as
//! written. The temporary directory links the repository's `scenarios`, `cases` and `crates`,
//! so relative paths resolve as at the root while files the commands write (`cp.txt`,
//! `concord.pub`, `concord.key`) land in the temporary directory. `concord` is the binary
//! under test; `cargo run --release -p concord --` is read as `concord`.
//!
//! Only these are not run as written, each for its stated reason:
//! - `cargo test --workspace`: the test suite itself (it would run this test again);
//! - `concord serve …`: started with `CONCORD_BIND` on a free port, checked to answer HTTP,
//!   then stopped (a server runs until stopped);
//! - a command naming `postgres://`: run against a database of its own on the server that
//!   `CONCORD_TEST_POSTGRES_URL` names, and skipped (saying so) when it names none.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::str::FromStr as _;
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One command as the document shows it.
#[derive(Debug, Clone, PartialEq)]
struct Shown {
    file: String,
    line: usize,
    command: String,
    /// The output the document shows for it, if any.
    output: Option<String>,
}

/// Cuts a trailing `# comment` (a `#` after whitespace, outside quotes).
fn strip_comment(line: &str) -> &str {
    let (mut single, mut double) = (false, false);
    let mut prev_space = true;
    for (i, c) in line.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && prev_space => return line[..i].trim_end(),
            _ => {}
        }
        prev_space = c.is_whitespace();
    }
    line.trim_end()
}

/// The commands of a Markdown text: every ```sh block (continuations joined, comments cut) and
/// every plain ``` block that starts with `$ ` (a command and the output it prints).
fn commands(file: &str, text: &str) -> Vec<Shown> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        if !fence.starts_with("```") {
            i += 1;
            continue;
        }
        let lang = fence.trim_start_matches('`').trim();
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].trim_start().starts_with("```") {
            end += 1;
        }
        let body = &lines[start..end.min(lines.len())];
        if lang == "sh" {
            let mut pending: Option<(usize, String)> = None;
            for (k, raw) in body.iter().enumerate() {
                let line = strip_comment(raw);
                if line.trim().is_empty() {
                    continue;
                }
                let (continues, part) = match line.strip_suffix('\\') {
                    Some(p) => (true, p.trim_end()),
                    None => (false, line),
                };
                let (first, mut command) = pending.take().unwrap_or((start + k + 1, String::new()));
                if !command.is_empty() {
                    command.push(' ');
                }
                command.push_str(part.trim());
                if continues {
                    pending = Some((first, command));
                } else {
                    out.push(Shown {
                        file: file.to_owned(),
                        line: first,
                        command,
                        output: None,
                    });
                }
            }
            assert!(pending.is_none(), "{file}: a command ends with '\\'");
        } else if lang.is_empty()
            && let Some(first) = body.first()
            && let Some(command) = first.strip_prefix("$ ")
        {
            out.push(Shown {
                file: file.to_owned(),
                line: start + 1,
                command: command.to_owned(),
                output: Some(body[1..].join("\n")),
            });
        }
        i = end + 1;
    }
    out
}

/// A directory that looks like the repository's root to the commands.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in ["scenarios", "cases", "crates"] {
        std::os::unix::fs::symlink(root().join(name), dir.path().join(name)).expect("link");
    }
    dir
}

fn shell(dir: &Path, command: &str) -> Command {
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_concord"));
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(command)
        .current_dir(dir)
        .env("PATH", path)
        .env("HOME", dir)
        .env("CONCORD_DATABASE", dir.join("concord.sqlite"))
        .env("CONCORD_AUTHOR", "readme")
        .env_remove("CONCORD_KEY_FILE")
        .env_remove("CONCORD_BIND")
        .env_remove("CONCORD_NOW");
    cmd
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Starts a server command, waits until it answers HTTP, stops it.
fn serve(dir: &Path, shown: &Shown, command: &str) {
    let port = free_port();
    // `exec env` so that killing the child stops the server itself, env prefixes included.
    let mut child = shell(dir, &format!("exec env {command}"))
        .env("CONCORD_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("server starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut answered = String::new();
    while Instant::now() < deadline && answered.is_empty() {
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            child.stderr.take().map(|mut e| e.read_to_string(&mut err));
            panic!(
                "{}:{}: `{}` exited ({status}) instead of serving:\n{err}",
                shown.file, shown.line, shown.command
            );
        }
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = stream.write_all(b"GET /api/contests HTTP/1.0\r\nHost: localhost\r\n\r\n");
            let _ = stream.read_to_string(&mut answered);
        } else {
            std::thread::sleep(Duration::from_millis(200));
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    assert!(
        answered.starts_with("HTTP/1.1 ") || answered.starts_with("HTTP/1.0 "),
        "{}:{}: `{}` did not answer HTTP within a minute: {answered:?}",
        shown.file,
        shown.line,
        shown.command
    );
}

/// Runs one statement on the test PostgreSQL server.
fn pg_admin(admin: &str, sql: String) {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(async {
            use sqlx::Connection as _;
            let options = sqlx::postgres::PgConnectOptions::from_str(admin).expect("URL");
            let mut conn = sqlx::PgConnection::connect_with(&options)
                .await
                .expect("the test PostgreSQL server answers");
            sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .expect("statement runs");
            let _ = conn.close().await;
        });
}

/// A database of its own on the test PostgreSQL server, for a command naming `postgres://`:
/// its URL and its name (dropped at the end).
fn postgres_database() -> Option<(String, String)> {
    let admin = std::env::var("CONCORD_TEST_POSTGRES_URL").ok()?;
    let name = format!(
        "concord_readme_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("clock")
            .as_nanos()
    );
    pg_admin(&admin, format!("CREATE DATABASE {name}"));
    let base = admin.rsplit_once('/').map_or(admin.as_str(), |(b, _)| b);
    Some((format!("{base}/{name}"), name))
}

/// Replaces the `postgres://…` word of a command with `url`.
fn with_database(command: &str, url: &str) -> String {
    command
        .split(' ')
        .map(|w| if w.starts_with("postgres://") { url } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn the_commands_are_found_as_the_readme_shows_them() {
    let text = "```sh\nconcord a --x \"y # z\"   # a comment\n  # only a comment\nconcord b \\\n  --c d\n```\n\n```\n$ concord e\nerror: f\n```\n";
    let found = commands("T.md", text);
    let got: Vec<(&str, Option<&str>)> = found
        .iter()
        .map(|s| (s.command.as_str(), s.output.as_deref()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("concord a --x \"y # z\"", None),
            ("concord b --c d", None),
            ("concord e", Some("error: f")),
        ]
    );
    assert_eq!(found[1].line, 4);
}

#[test]
fn every_command_in_the_readme_and_the_docs_runs_in_order() {
    let mut shown = Vec::new();
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    for path in &files {
        let text = std::fs::read_to_string(path).expect("readable");
        let name = path
            .strip_prefix(root())
            .unwrap_or(path)
            .display()
            .to_string();
        shown.extend(commands(&name, &text));
    }
    assert!(shown.len() > 30, "only {} commands found", shown.len());

    let dir = workdir();
    let mut skipped = Vec::new();
    let mut databases = Vec::new();
    for s in &shown {
        let command = match s.command.strip_prefix("cargo run --release -p concord -- ") {
            Some(rest) => format!("concord {rest}"),
            None => s.command.clone(),
        };
        if command == "cargo test --workspace" {
            skipped.push(format!("{}:{}: `{command}` (this suite)", s.file, s.line));
            continue;
        }
        let command = if command.contains("postgres://") {
            match postgres_database() {
                Some((url, name)) => {
                    databases.push(name);
                    with_database(&command, &url)
                }
                None => {
                    skipped.push(format!(
                        "{}:{}: `{command}` (CONCORD_TEST_POSTGRES_URL is not set)",
                        s.file, s.line
                    ));
                    continue;
                }
            }
        } else {
            command
        };
        assert!(
            command.starts_with("concord ") || command.starts_with("CONCORD_"),
            "{}:{}: not a concord command: `{command}`",
            s.file,
            s.line
        );
        if command.split(' ').any(|w| w == "serve") {
            serve(dir.path(), s, &command);
            continue;
        }
        let out = shell(dir.path(), &command).output().expect("sh runs");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        match &s.output {
            None => assert!(
                out.status.success(),
                "{}:{}: `{}` failed ({}):\n{stdout}\n{stderr}",
                s.file,
                s.line,
                s.command,
                out.status
            ),
            Some(expected) => {
                let printed = format!("{stdout}{stderr}");
                assert_eq!(
                    printed.trim_end(),
                    expected.trim_end(),
                    "{}:{}: `{}` prints other than the document shows",
                    s.file,
                    s.line,
                    s.command
                );
            }
        }
    }
    for s in &skipped {
        eprintln!("not run: {s}");
    }
    if let Ok(admin) = std::env::var("CONCORD_TEST_POSTGRES_URL") {
        for name in databases {
            pg_admin(
                &admin,
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            );
        }
    }
    // The files the tour writes are there.
    for written in ["cp.txt", "concord.pub", "log.jsonl"] {
        let path = dir.path().join(written);
        assert!(
            std::fs::metadata(&path).is_ok_and(|m| m.len() > 0),
            "{written} was not written"
        );
    }
}
