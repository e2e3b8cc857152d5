//! The rules of issue 13 as a user meets them through the binary: straw polls replayed round by
//! round, the WTO's consultation rounds, voting power, packages and linked contests, and the
//! bad inputs refused with their location and nothing written.

use std::path::PathBuf;
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

    /// Refused with exit code 2: returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(out.status.code(), Some(2), "concord {args:?}: {out:?}");
        String::from_utf8(out.stderr).expect("utf-8")
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path
    }

    /// Every contest and its number of events: what "nothing written" compares.
    fn contents(&self) -> Vec<(String, usize)> {
        let list = self.ok(&["contests"]);
        let mut out = Vec::new();
        for line in list.lines() {
            let Some(id) = line.split_whitespace().next() else {
                continue;
            };
            if let Ok(export) = std::str::from_utf8(&self.run(&["export", id]).stdout) {
                out.push((id.to_owned(), export.lines().count()));
            }
        }
        out
    }
}

fn repo(path: &str) -> String {
    format!("{}/../../{path}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn the_2016_straw_polls_replay_round_by_round() {
    let s = Sandbox::new();
    let out = s.ok(&["demo", "unsg-2016"]);
    assert!(
        out.contains("Straw polls (encourage-discourage-no opinion):"),
        "{out}"
    );
    assert!(
        out.contains("to pass: 9 encouragements and no discouragement from a permanent member")
    );
    assert!(out.contains("Round 6 — 2016-10-05 (colour-coded: red ballots for permanent members)"));
    assert!(out.contains("Who could veto: CHN, FRA, GBR, RUS, USA"));
    assert!(
        out.contains("Antonio Guterres       12 11 11 12 12 13    rising"),
        "{out}"
    );
    assert!(
        out.contains("Verdict: CLEAR by the latest straw poll (round 6, 2016-10-05) — Antonio\nGuterres passes: 13 encouragements (9 needed), no permanent member's"),
        "{out}"
    );
    let two = s.ok(&["demo", "unsg-2016", "--round", "2"]);
    assert!(
        two.contains("Verdict: OPEN by the latest straw poll (round 2, 2016-08-05)"),
        "{two}"
    );
    assert!(two.contains("as of 2016-08-05"));
    assert!(two.contains("Round 2 — 2016-08-05"));
    assert!(!two.contains("Round 3 —"));
    assert!(
        two.contains("withdrew since the last poll: Vesna Pusic"),
        "{two}"
    );
    let err = s.refused(&["demo", "unsg-2016", "--round", "9"]);
    assert!(
        err.contains("argument --round: unsg-2016 has no round 9 (rounds: 1, 2, 3, 4, 5, 6)"),
        "{err}"
    );
    let err = s.refused(&["demo", "unsg-2061"]);
    assert!(err.contains("did you mean 'unsg-2016'?"), "{err}");
    // `concord demo` alone is still the NATO board.
    assert!(
        s.ok(&["demo"])
            .contains("North Atlantic Treaty Organization")
    );
}

#[test]
fn the_wto_2013_consultation_rounds_show_who_advanced() {
    let s = Sandbox::new();
    s.ok(&["import", &repo("cases/wto-dg-2013.json")]);
    let out = s.ok(&["status", "wto-dg-2013", "--as-of", "2013-04-30"]);
    assert!(out.contains("Consultation rounds (members' preferences, the field cut each round):"));
    assert!(out.contains("Round 1 — 2013-04-12: 9 → 5"), "{out}");
    assert!(out.contains("Round 2 — 2013-04-25: 5 → 2"), "{out}");
    assert!(out.contains("through: Roberto Azevedo, Herminio Blanco"));
    assert!(!out.contains("Round 3 —"));
}

#[test]
fn power_prints_the_eu27_indices_equal_to_the_reference() {
    let s = Sandbox::new();
    s.ok(&["import", "eu-top-jobs-2024"]);
    let table = s.ok(&["power", "eu-top-jobs-2024", "--as-of", "2024-06-17"]);
    assert!(
        table.contains("Rule: a coalition wins with at least 20 of the 27 members and 65 % of"),
        "{table}"
    );
    assert!(
        table.contains("DEU: pivotal in 756,035 of the 900,902 winning coalitions it belongs to"),
        "{table}"
    );
    let json: serde_json::Value = serde_json::from_str(&s.ok(&[
        "power",
        "eu-top-jobs-2024",
        "--as-of",
        "2024-06-17",
        "--format",
        "json",
    ]))
    .unwrap();
    let reference: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo(
            "crates/concord-domain/tests/data/power/reference.json",
        ))
        .unwrap(),
    )
    .unwrap();
    let reference = &reference["eu27-reinforced-qmv"];
    let members = json["indices"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 27);
    for (i, code) in reference["members"].as_array().unwrap().iter().enumerate() {
        let m = members.iter().find(|m| m["member"] == *code).unwrap();
        let got = m["banzhaf"].as_f64().unwrap();
        let want = reference["banzhaf"][i].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{code}: {got} vs {want}");
        let got = m["shapley_shubik"].as_f64().unwrap();
        let want = reference["shapley_shubik"][i].as_f64().unwrap();
        assert!((got - want).abs() < 1e-9, "{code}: {got} vs {want}");
    }
}

#[test]
fn a_link_is_followed_both_ways_and_must_name_a_contest() {
    let s = Sandbox::new();
    // The NATO scenario's Hungarian hold names a bundled contest: importable before it.
    s.ok(&["import", &repo("scenarios/nato-sg-2024.toml")]);
    let nato = s.ok(&["status", "nato-sg-2024", "--as-of", "2024-04-02"]);
    assert!(nato.contains("Linked contests:"), "{nato}");
    assert!(
        nato.contains("HUN objects Mark Rutte — linked to eu-top-jobs-2024 (bundled, not"),
        "{nato}"
    );
    s.ok(&["import", "eu-top-jobs-2024"]);
    let nato = s.ok(&["status", "nato-sg-2024", "--as-of", "2024-04-02"]);
    assert!(
        nato.contains("HUN objects Mark Rutte — linked to eu-top-jobs-2024 (EU top jobs"),
        "{nato}"
    );
    let eu = s.ok(&["status", "eu-top-jobs-2024", "--as-of", "2024-06-17"]);
    assert!(
        eu.contains("from nato-sg-2024 (blocked): HUN objects Mark Rutte"),
        "{eu}"
    );
    assert!(eu.contains("Package of 3 posts"), "{eu}");
    let forecast = s.ok(&[
        "forecast",
        "nato-sg-2024",
        "--as-of",
        "2024-04-04",
        "--trials",
        "2000",
    ]);
    assert!(
        forecast.contains(
            "HUN's hold on Mark Rutte is linked to eu-top-jobs-2024, which has no candidate"
        ),
        "{forecast}"
    );

    // A link to a contest the store does not hold is refused at its line; nothing is written.
    let text = std::fs::read_to_string(repo("scenarios/nato-sg-2024.toml"))
        .unwrap()
        .replace("id = \"nato-sg-2024\"", "id = \"nato-copy\"")
        .replacen(
            "linked_to = \"eu-top-jobs-2024\"",
            "linked_to = \"eu-top-jobs-2025\"",
            1,
        );
    let line = text
        .lines()
        .position(|l| l.contains("eu-top-jobs-2025"))
        .unwrap()
        + 1;
    let file = s.write("copy.toml", &text);
    let before = s.contents();
    let err = s.refused(&["import", file.to_str().unwrap()]);
    assert!(err.contains(&format!("copy.toml:{line}:")), "{err}");
    assert!(
        err.contains("linked_to: no contest 'eu-top-jobs-2025' in the store"),
        "{err}"
    );
    assert!(err.contains("did you mean 'eu-top-jobs-2024'?"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(s.contents(), before);
}

#[test]
fn the_bundled_links_name_bundled_scenarios() {
    let s = Sandbox::new();
    for id in concord_domain::links::BUNDLED_CONTESTS {
        s.ok(&["import", id]);
    }
    // `concord demo` loads the NATO scenario alone: the README's commands need no --contest.
    let t = Sandbox::new();
    t.ok(&["demo"]);
    assert_eq!(t.contents().len(), 1);
}

#[test]
fn a_package_naming_a_post_twice_is_refused_where_it_is() {
    let s = Sandbox::new();
    let text = std::fs::read_to_string(repo("scenarios/eu-top-jobs-2024.toml"))
        .unwrap()
        .replace(
            "id = \"high-representative\"",
            "id = \"commission-president\"",
        );
    let line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("id = \"commission-president\""))
        .nth(1)
        .unwrap()
        .0
        + 1;
    let file = s.write("package.toml", &text);
    let err = s.refused(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains(&format!(
            "package.toml:{line}:6: the package names post 'commission-president' twice"
        )),
        "{err}"
    );
    assert!(err.contains("nothing was written"));
    assert!(s.contents().is_empty());
}

#[test]
fn bad_rounds_are_refused_where_they_are_by_the_cli_nothing_written() {
    let s = Sandbox::new();
    let unsg = std::fs::read_to_string(repo("scenarios/unsg-2016.toml")).unwrap();
    // A scenario: a round with more ballots than the Council's fifteen members.
    let text = unsg.replace(
        "encourage = 13, discourage = 0, no_opinion = 2",
        "encourage = 13, discourage = 1, no_opinion = 2",
    );
    let line = text
        .lines()
        .position(|l| l.contains("encourage = 13, discourage = 1"))
        .unwrap()
        + 1;
    let file = s.write("polls.toml", &text);
    let err = s.refused(&["import", file.to_str().unwrap()]);
    assert!(err.contains(&format!("polls.toml:{line}:")), "{err}");
    assert!(
        err.contains("round 6, antonio-guterres: 13 encourage + 1 discourage + 2 no opinion = 16 ballots, more than the 15 members"),
        "{err}"
    );
    assert!(err.contains("at most one ballot per member"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    // A scenario: a round dated before a candidate it counts entered.
    let text = unsg.replace(
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n  { candidate = \"kristalina-georgieva\", encourage = 1, discourage = 1, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
    );
    let line = text
        .lines()
        .position(|l| l.contains("kristalina-georgieva\", encourage = 1"))
        .unwrap()
        + 1;
    let file = s.write("early.toml", &text);
    let err = s.refused(&["import", file.to_str().unwrap()]);
    assert!(
        err.contains(&format!("early.toml:{line}:")) && err.contains("round 5 on 2016-09-26 counts 'kristalina-georgieva', who entered only on 2016-09-28"),
        "{err}"
    );
    // A case file: the same tally error at its JSON path.
    let case = std::fs::read_to_string(repo("cases/unsg-2016.json")).unwrap();
    let find = "\"encourage\": 12,\n          \"discourage\": 0,\n          \"no_opinion\": 3";
    let case = case.replacen(
        find,
        &find.replace("\"discourage\": 0", "\"discourage\": 1"),
        1,
    );
    let file = s.write("unsg.json", &case);
    let err = s.refused(&["import", file.to_str().unwrap()]);
    assert!(err.contains("unsg.json: $.events["), "{err}");
    assert!(err.contains("].tally"), "{err}");
    assert!(err.contains("Antonio Guterres: 12 encourage + 1 discourage + 3 no opinion = 16 ballots, more than the 15 members"), "{err}");
    assert!(s.contents().is_empty(), "nothing written");
}

#[test]
fn forecast_answers_for_ballots_and_what_ifs_lift_a_veto() {
    let s = Sandbox::new();
    s.ok(&["import", "unsg-2016"]);
    let f = s.ok(&["forecast", "unsg-2016", "--as-of", "2016-08-01"]);
    assert!(f.contains("the ballot model (exact, no simulation)"), "{f}");
    assert!(f.contains("1 round held"), "{f}");
    assert!(f.contains("Who is chosen when it is decided"), "{f}");
    assert!(f.contains("in-sample"), "{f}");
    let six = s.ok(&["forecast", "unsg-2016", "--as-of", "2016-10-05"]);
    assert!(
        six.contains("vetoed: a permanent member discouraged in the latest colour-coded poll"),
        "{six}"
    );
    let w = s.ok(&[
        "whatif",
        "unsg-2016",
        "--as-of",
        "2016-10-05",
        "--lift",
        "CHN:Lajcak",
        "--lift",
        "FRA:Lajcak",
    ]);
    assert!(w.contains("veto lifted"), "{w}");
    let err = s.refused(&[
        "whatif",
        "unsg-2016",
        "--as-of",
        "2016-10-05",
        "--lift",
        "JPN",
    ]);
    assert!(err.contains("JPN holds no veto"), "{err}");
    // Model v2 on request; a consensus contest with rounds (the WTO's) answers with model v2.
    let v2 = s.ok(&[
        "forecast",
        "unsg-2016",
        "--as-of",
        "2016-08-01",
        "--model",
        "v2",
        "--trials",
        "2000",
    ]);
    assert!(v2.contains("model v2"), "{v2}");
    s.ok(&["import", &repo("cases/wto-dg-2013.json")]);
    let wto = s.ok(&[
        "forecast",
        "wto-dg-2013",
        "--as-of",
        "2013-04-01",
        "--trials",
        "2000",
    ]);
    assert!(wto.contains("Roberto Azevedo"), "{wto}");
}
