//! `concord ingest` and `concord review` driven as a user types them, each test in its own
//! temporary directory and SQLite store. The article is our own paraphrase of the seed
//! article's facts (the original text stays out of the repository).

use std::path::PathBuf;
use std::process::{Command, Output};

/// The seed article's facts, retold in our own words.
const PARAPHRASE: &str = "\
NATO allies still hope to name Jens Stoltenberg's successor soon. The front-runner, outgoing Dutch \
prime minister Mark Rutte, does not yet have every ally on board: three countries, led by Hungary, \
have withheld their consent, which complicates a deal NATO wants before its Washington summit.

Rutte has the backing of most allies, including the United States, Germany, France, Spain and \
Estonia. “We need to stay focused on Russia, raise defence spending, back Ukraine’s membership and \
keep a geographic balance. I talked these priorities through with Mark Rutte and he commits to \
them. Estonia could back him,” said Estonia's prime minister, Kaja Kallas.

Hungary's foreign minister, Péter Szijjártó, has said several times that Hungary will not back a \
candidate who tried to bend Hungary, meaning the Dutch nominee. Besides Hungary, Romania and \
Slovakia have also withheld support for Rutte. Romanian president Klaus Iohannis entered the race \
in March.

“We hope to settle this at the Washington summit at the latest,” said the US ambassador to NATO, \
Julianne Smith, adding that the United States fully supports Rutte.
";

struct Sandbox {
    dir: tempfile::TempDir,
}

impl Sandbox {
    fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_concord"))
            .args(args)
            .env("CONCORD_DATABASE", self.dir.path().join("concord.sqlite"))
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

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// A contest holding only the bundled NATO 2024 definition, and the paraphrase to read.
    fn nato_definition(&self) -> String {
        let out = self.ok(&["import", "nato-sg-2024", "--definition-only"]);
        assert!(out.contains("imported contest nato-sg-2024"), "{out}");
        self.write("article.txt", PARAPHRASE.as_bytes())
            .display()
            .to_string()
    }
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn accepting_everything_an_article_proposes_gives_the_board_it_describes() {
    let sb = Sandbox::new();
    let article = sb.nato_definition();
    // The definition holds no reports: nobody blocks yet.
    let before = json(&sb.ok(&[
        "status",
        "nato-sg-2024",
        "--as-of",
        "2024-04-02",
        "--format",
        "json",
    ]));
    assert!(before.to_string().contains("\"undeclared\""));

    let out = sb.ok(&[
        "ingest",
        &article,
        "--contest",
        "nato-sg-2024",
        "--published",
        "2024-04-02",
        "--url",
        "https://example.org/nato-successor",
        "--outlet",
        "Example Daily",
    ]);
    assert!(out.contains("pending review"), "{out}");
    let pending = json(&sb.ok(&["review", "--format", "json"]));
    let pending = pending.as_array().expect("a list");
    let stance_of = |member: &str| {
        pending
            .iter()
            .find(|p| p["proposal"]["type"] == "stance" && p["proposal"]["member"] == member)
            .unwrap_or_else(|| panic!("no proposal for {member}: {pending:#?}"))["proposal"]["stance"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    for (member, stance) in [
        ("USA", "supports"),
        ("DEU", "supports"),
        ("FRA", "supports"),
        ("ESP", "supports"),
        ("EST", "conditional"),
        ("HUN", "objects"),
        ("ROU", "withholds"),
        ("SVK", "withholds"),
    ] {
        assert_eq!(stance_of(member), stance, "{member}");
    }
    // Nothing is on the board until accepted.
    let still = sb.ok(&["status", "nato-sg-2024", "--as-of", "2024-04-02"]);
    assert!(!still.contains("blocked by HUN"), "{still}");

    let accepted = sb.ok(&["review", "accept", "--all"]);
    assert!(accepted.contains("accepted #"), "{accepted}");
    assert!(sb.ok(&["review"]).contains("no pending proposals"));

    let board = sb.ok(&["status", "nato-sg-2024", "--as-of", "2024-04-02"]);
    assert!(
        board.contains("blocked by HUN (objects), ROU (withholds), SVK (withholds)"),
        "{board}"
    );
    let view = json(&sb.ok(&[
        "status",
        "nato-sg-2024",
        "--as-of",
        "2024-04-02",
        "--format",
        "json",
    ]));
    let text = view.to_string();
    // Estonia's conditions are met by Rutte's commitment: it counts among the supporters.
    for member in ["USA", "DEU", "FRA", "ESP", "EST"] {
        assert!(text.contains(member), "{member} missing from {text}");
    }
    // The reports cite the article.
    let history = sb.ok(&["history", "HUN"]);
    assert!(
        history.contains("https://example.org/nato-successor (Example Daily, 2024-04-02)"),
        "{history}"
    );
    assert!(sb.ok(&["verify"]).contains("hash chain intact"));
}

#[test]
fn a_rejected_proposal_is_not_proposed_again_by_the_same_article() {
    let sb = Sandbox::new();
    let article = sb.nato_definition();
    let args = [
        "ingest",
        &article,
        "--contest",
        "nato-sg-2024",
        "--published",
        "2024-04-02",
    ];
    sb.ok(&args);
    let pending = json(&sb.ok(&["review", "--format", "json"]));
    let hun = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["proposal"]["member"] == "HUN")
        .expect("a Hungarian proposal");
    let id = hun["id"].to_string();
    let out = sb.ok(&["review", "reject", &id]);
    assert!(out.contains(&format!("rejected #{id}")), "{out}");
    // Read again: nothing new, the rejection stands.
    let again = sb.ok(&args);
    assert!(again.contains("0 proposals pending review"), "{again}");
    assert!(again.contains("already proposed or rejected"), "{again}");
    let all = json(&sb.ok(&["review", "--decided", "--format", "json"]));
    let statuses: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["proposal"]["member"] == "HUN")
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["rejected"]);
    // Deciding it twice is refused.
    let twice = sb.run(&["review", "accept", &id]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("already rejected"),
        "{}",
        stderr(&twice)
    );
}

#[test]
fn an_edited_acceptance_records_the_reviewers_stance() {
    let sb = Sandbox::new();
    let article = sb.nato_definition();
    sb.ok(&[
        "ingest",
        &article,
        "--contest",
        "nato-sg-2024",
        "--published",
        "2024-04-02",
    ]);
    let pending = json(&sb.ok(&["review", "--format", "json"]));
    let hun = pending
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["proposal"]["member"] == "HUN")
        .unwrap()["id"]
        .to_string();
    let bad = sb.run(&["review", "accept", &hun, "--stance", "blocks"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("unknown stance 'blocks'"),
        "{}",
        stderr(&bad)
    );
    sb.ok(&["review", "accept", &hun, "--stance", "withholds"]);
    let board = sb.ok(&["status", "nato-sg-2024", "--as-of", "2024-04-02"]);
    assert!(board.contains("HUN withholds"), "{board}");
}

#[test]
fn bad_input_is_refused_and_nothing_is_proposed() {
    let sb = Sandbox::new();
    sb.nato_definition();
    let cases: Vec<(PathBuf, &str)> = vec![
        (sb.write("empty.txt", b""), "the file is empty"),
        (
            sb.write("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "not text",
        ),
        (
            sb.write(
                "wto.txt",
                "WTO members chose Roberto Azevedo; Brazil backed him.".as_bytes(),
            ),
            "does not mention NATO",
        ),
    ];
    for (path, message) in cases {
        let out = sb.run(&[
            "ingest",
            path.to_str().unwrap(),
            "--contest",
            "nato-sg-2024",
            "--published",
            "2024-04-02",
        ]);
        assert_eq!(out.status.code(), Some(2), "{}", path.display());
        assert!(
            stderr(&out).contains(message),
            "{}: {}",
            path.display(),
            stderr(&out)
        );
        assert!(stderr(&out).contains("nothing proposed"));
    }
    let big = sb.write("big.txt", &vec![b'a'; 50 * 1024 * 1024]);
    let out = sb.run(&["ingest", big.to_str().unwrap(), "--contest", "nato-sg-2024"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("an article is at most"),
        "{}",
        stderr(&out)
    );
    let unknown = sb.write("a.txt", PARAPHRASE.as_bytes());
    let out = sb.run(&[
        "ingest",
        unknown.to_str().unwrap(),
        "--contest",
        "nato-sg-2042",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown contest 'nato-sg-2042'"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean 'nato-sg-2024'"),
        "{}",
        stderr(&out)
    );
    assert!(sb.ok(&["review"]).contains("no pending proposals"));
}

#[test]
fn the_scorer_reports_precision_recall_and_f1() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.dir.path().join("gold")).unwrap();
    std::fs::create_dir(sb.dir.path().join("texts")).unwrap();
    sb.write("texts/a.txt", PARAPHRASE.as_bytes());
    let gold = serde_json::json!({
        "article": "a.txt", "contest": "nato-sg-2024", "published": "2024-04-02",
        "reports": [
            {"member": "HUN", "candidate": "Mark Rutte", "stance": "objects", "attribution": "on_record",
             "speaker": "Péter Szijjártó", "evidence": "Hungary will not back a candidate", "also_acceptable": ["withholds"]},
            {"member": "ROU", "candidate": "Mark Rutte", "stance": "withholds", "attribution": "inferred",
             "speaker": null, "evidence": "Romania and Slovakia have also withheld support for Rutte."},
            {"member": "ITA", "candidate": "Mark Rutte", "stance": "supports", "attribution": "inferred",
             "speaker": null, "evidence": "Rutte has the backing of most allies"}
        ]
    });
    sb.write("gold/a.json", gold.to_string().as_bytes());
    let out = sb.ok(&["ingest", "--score", "gold", "--texts", "texts", "--details"]);
    assert!(out.contains("scored 1 article"), "{out}");
    // 2 of 3 gold pairs found; most proposals are not in this small gold.
    assert!(out.contains("missed      ITA / Mark Rutte"), "{out}");
    let report = json(&sb.ok(&[
        "ingest", "--score", "gold", "--texts", "texts", "--format", "json",
    ]));
    let micro = &report["summary"]["micro"];
    assert_eq!(micro["strict"]["gold"], 3);
    assert_eq!(micro["strict"]["correct"], 2.0);
}
