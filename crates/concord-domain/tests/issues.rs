//! Issue dimensions in scenario files (`[[issue]]`, `[[issue.position]]`): the bundled NATO
//! issue parses whole and honestly labelled, and every kind of bad issue is reported with its
//! line, column and near miss, all at once.

use concord_domain::model::{Attribution, Capability};
use concord_domain::scenario::parse;

const NATO: &str = include_str!("../../../scenarios/nato-sg-2024.toml");

#[test]
fn the_nato_issue_has_every_ally_and_is_an_inferred_estimate() {
    let s = parse("scenarios/nato-sg-2024.toml", NATO, "test").expect("parses");
    let members = &s.definition.organisation.members;
    let issue = s
        .definition
        .issues
        .iter()
        .find(|i| i.id == "hungary-ukraine")
        .expect("the hungary-ukraine issue");
    assert_eq!(issue.positions.len(), 32);
    assert_eq!(issue.capability, Capability::Given);
    for p in &issue.positions {
        assert_eq!(p.attribution, Attribution::Inferred, "{}", p.member);
        assert!(p.source.contains("Analyst's estimate"), "{}", p.member);
        let cap = issue.capability_of(p, members).expect("capability");
        assert!(cap > 0.0, "{}", p.member);
    }
    let members: std::collections::BTreeSet<_> = members.iter().map(|m| &m.code).collect();
    let covered: std::collections::BTreeSet<_> =
        issue.positions.iter().map(|p| &p.member).collect();
    assert_eq!(members, covered, "one position per ally");
    let hun = issue
        .positions
        .iter()
        .find(|p| p.member == "HUN")
        .expect("HUN");
    assert!(hun.position > 50.0, "Hungary leans to opting out");
}

const HEAD: &str = r#"
[contest]
id = "t"
title = "T"
rule = { kind = "consensus" }
[organisation]
id = "o"
name = "O"
[office]
title = "Chair"
term_end = "2030-01-01"
reversion = "extension"
[[member]]
code = "AAA"
name = "A"
joined = "2000-01-01"
attributes = { weight = 3.0 }
[[member]]
code = "BBB"
name = "B"
joined = "2000-01-01"
attributes = { wieght = 2.0 }
"#;

#[test]
fn an_attribute_capability_is_read_from_the_member() {
    let text = format!(
        "{HEAD}
[[issue]]
id = \"x\"
label = \"X\"
scale_low = \"no\"
scale_high = \"yes\"
capability = {{ attribute = \"weight\" }}
[[issue.position]]
member = \"AAA\"
position = 40
salience = 50.0
source = \"our estimate\"
"
    );
    let s = parse("t.toml", &text, "test").expect("parses");
    let issue = &s.definition.issues[0];
    assert_eq!(issue.capability, Capability::Attribute("weight".into()));
    let p = &issue.positions[0];
    assert_eq!(p.position, 40.0);
    assert_eq!(
        p.attribution,
        Attribution::Inferred,
        "the default, as for events"
    );
    assert_eq!(
        issue.capability_of(p, &s.definition.organisation.members),
        Some(3.0)
    );
}

#[test]
fn bad_issues_give_located_errors() {
    let text = format!(
        "{HEAD}
[[issue]]
id = \"x\"
label = \"X\"
scale_low = \"no\"
scale_high = \"yes\"
capability = {{ attribute = \"weight\" }}
[[issue.position]]
member = \"AAB\"
position = 10.0
salience = 10.0
source = \"s\"
[[issue.position]]
member = \"AAA\"
position = 120.0
salience = -1.0
source = \" \"
[[issue.position]]
member = \"AAA\"
position = 10.0
salience = 10.0
source = \"s\"
[[issue.position]]
member = \"BBB\"
position = 10.0
salience = 10.0
source = \"s\"

[[issue]]
id = \"y\"
label = \"Y\"
scale_low = \"no\"
scale_high = \"yes\"
capability = \"given\"
[[issue.position]]
member = \"AAA\"
position = 10.0
salience = 10.0
source = \"s\"
"
    );
    let line_of = |needle: &str, nth: usize| {
        text.lines()
            .enumerate()
            .filter(|(_, l)| l.contains(needle))
            .nth(nth)
            .map(|(i, _)| i + 1)
            .expect(needle)
    };
    let problems = parse("t.toml", &text, "test").expect_err("invalid").0;
    let shown: Vec<String> = problems.iter().map(|d| d.to_string()).collect();
    let find = |fragment: &str| {
        shown
            .iter()
            .find(|s| s.contains(fragment))
            .unwrap_or_else(|| panic!("no problem with '{fragment}' in {shown:#?}"))
            .clone()
    };
    let unknown = find("unknown member 'AAB'");
    assert!(
        unknown.starts_with(&format!("t.toml:{}:", line_of("\"AAB\"", 0))),
        "{unknown}"
    );
    assert!(unknown.contains("did you mean 'AAA'"), "{unknown}");
    assert!(
        find("position 120 is out of range")
            .starts_with(&format!("t.toml:{}:", line_of("position = 120", 0)))
    );
    assert!(
        find("salience -1 is out of range")
            .starts_with(&format!("t.toml:{}:", line_of("salience = -1", 0)))
    );
    find("empty source");
    let twice = find("member 'AAA' has two positions on issue 'x'");
    assert!(
        twice.starts_with(&format!("t.toml:{}:", line_of("member = \"AAA\"", 1))),
        "{twice}"
    );
    let attr = find("BBB has no attribute 'weight'");
    assert!(
        attr.starts_with(&format!("t.toml:{}:", line_of("member = \"BBB\"", 0))),
        "{attr}"
    );
    assert!(attr.contains("did you mean 'wieght'"), "{attr}");
    let given = find("no capability for AAA");
    assert!(
        given.starts_with(&format!("t.toml:{}:", line_of("member = \"AAA\"", 2))),
        "{given}"
    );
    assert_eq!(problems.len(), 7, "{shown:#?}");
}
