//! Voting power checked against two independent implementations: the reference indices in
//! `tests/data/power/reference.json` were computed once by `tests/data/power/reference.py` with
//! the PyPI packages power-bdd (decision diagrams) and powerindex (generating functions). The
//! games are built here the way concord builds them from a rule and a board, so the test covers
//! the translation of each rule as well as the counting.

use concord_domain::power::{self, Game, Method, PowerIndices};
use concord_domain::rules::{Ballot, DecisionRule, Position};
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
struct Reference {
    members: Vec<String>,
    weights: Vec<u64>,
    quota: u64,
    min_count: usize,
    count_alone: Option<usize>,
    banzhaf: Vec<f64>,
    #[serde(default)]
    banzhaf_share: Option<Vec<f64>>,
    shapley_shubik: Vec<f64>,
}

fn references() -> BTreeMap<String, Reference> {
    serde_json::from_str(include_str!("data/power/reference.json")).expect("reference parses")
}

fn eu27_ballots() -> Vec<Ballot> {
    let mut reader = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/eu27-population.csv"
    ))
    .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (iso, pop) = (col("iso3"), col("council_2025_population_derived_approx"));
    reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[iso] != "EU")
        .map(|r| {
            Ballot::new(&r[iso], Position::Undeclared).with_population(r[pop].parse().unwrap())
        })
        .collect()
}

const TOLERANCE: f64 = 1e-9;

fn assert_close(what: &str, member: &str, got: f64, want: f64) {
    assert!(
        (got - want).abs() <= TOLERANCE,
        "{what} of {member}: concord {got}, reference {want} (difference {:e})",
        (got - want).abs()
    );
}

fn compare(name: &str, game: &Game, got: &PowerIndices, reference: &Reference) {
    assert_eq!(game.members, reference.members, "{name}: member order");
    assert_eq!(game.weights, reference.weights, "{name}: weights");
    assert_eq!(game.quota, reference.quota, "{name}: quota");
    assert_eq!(
        game.min_count, reference.min_count,
        "{name}: members needed"
    );
    assert_eq!(
        game.count_alone, reference.count_alone,
        "{name}: members enough alone"
    );
    let total_ss: f64 = got.members.iter().map(|m| m.shapley_shubik.unwrap()).sum();
    assert!(
        (total_ss - 1.0).abs() < 1e-12,
        "{name}: Shapley–Shubik adds up to {total_ss}"
    );
    for (i, m) in got.members.iter().enumerate() {
        assert_close("Banzhaf", &m.member, m.banzhaf, reference.banzhaf[i]);
        assert_close(
            "Shapley–Shubik",
            &m.member,
            m.shapley_shubik.unwrap(),
            reference.shapley_shubik[i],
        );
        if let Some(share) = &reference.banzhaf_share {
            assert_close("normalised Banzhaf", &m.member, m.banzhaf_share, share[i]);
        }
    }
}

#[test]
fn eu27_qualified_majority_matches_power_bdd() {
    let refs = references();
    let game = Game::of_rule(&DecisionRule::eu_qualified_majority(), &eu27_ballots()).unwrap();
    let got = power::indices(&game).unwrap();
    assert_eq!(got.method, Method::DecisionDiagram);
    compare("eu27-qmv", &game, &got, &refs["eu27-qmv"]);
    // Germany: the largest share of power, but far from its 18.5 % of the population under
    // Shapley–Shubik's reading; Malta, with 0.12 %, still swings hundreds of thousands.
    let deu = got.member("DEU").unwrap();
    let mlt = got.member("MLT").unwrap();
    assert!(deu.banzhaf > 6.0 * mlt.banzhaf);
    assert!(mlt.swings > 1_000_000);
    assert_eq!(got.coalitions, 1 << 27);
}

#[test]
fn eu27_reinforced_qualified_majority_matches_power_bdd() {
    let refs = references();
    let game = Game::of_rule(
        &DecisionRule::eu_reinforced_qualified_majority(),
        &eu27_ballots(),
    )
    .unwrap();
    let got = power::indices(&game).unwrap();
    compare(
        "eu27-reinforced-qmv",
        &game,
        &got,
        &refs["eu27-reinforced-qmv"],
    );
}

#[test]
fn security_council_matches_power_bdd() {
    let refs = references();
    let reference = &refs["un-security-council"];
    let ballots: Vec<Ballot> = reference
        .members
        .iter()
        .map(|m| Ballot::new(m.clone(), Position::Undeclared))
        .collect();
    let game = Game::of_rule(&DecisionRule::un_security_council(), &ballots).unwrap();
    let got = power::indices(&game).unwrap();
    compare("un-security-council", &game, &got, reference);
}

#[test]
fn sixty_member_weighted_game_matches_both_packages() {
    let refs = references();
    let reference = &refs["weighted-60"];
    let game = Game::weighted(
        reference.members.clone(),
        reference.weights.clone(),
        reference.quota,
    );
    let by_gf = power::indices(&game).unwrap();
    assert_eq!(by_gf.method, Method::GeneratingFunctions);
    compare("weighted-60", &game, &by_gf, reference);
    // The decision diagram agrees with the generating functions count for count.
    let by_bdd = power::bdd::indices(&game, true).unwrap();
    for (a, b) in by_gf.members.iter().zip(&by_bdd.members) {
        assert_eq!(a.swings, b.swings, "{}", a.member);
        assert_eq!(a.winning_with, b.winning_with, "{}", a.member);
    }
    // Banzhaf alone gives the same Banzhaf figures.
    let only = power::banzhaf(&game).unwrap();
    for (a, b) in by_gf.members.iter().zip(&only.members) {
        assert_eq!(a.swings, b.swings);
        assert!(b.shapley_shubik.is_none());
    }
}

#[test]
fn weighted_rule_builds_its_game_from_the_members_votes() {
    let ballots: Vec<Ballot> = [
        ("USA", 16.5),
        ("JPN", 6.1),
        ("DEU", 5.3),
        ("FRA", 4.0),
        ("GBR", 4.0),
    ]
    .into_iter()
    .map(|(m, w)| Ballot::new(m, Position::Undeclared).with_weight(w))
    .collect();
    let game = Game::of_rule(&DecisionRule::Weighted { threshold: 0.85 }, &ballots).unwrap();
    // Votes with one decimal are scaled by ten: 165 + 61 + 53 + 40 + 40 = 359; 85 % → 306.
    assert_eq!(game.weights, vec![165, 61, 53, 40, 40]);
    assert_eq!(game.quota, 306);
    let got = power::indices(&game).unwrap();
    // With 85 % the largest holder is pivotal in every winning coalition: a veto.
    let usa = got.member("USA").unwrap();
    assert_eq!(usa.swings, usa.winning_with);
}

#[test]
fn unanimity_gives_everyone_one_swing() {
    let ballots: Vec<Ballot> = ["AAA", "BBB", "CCC", "DDD"]
        .into_iter()
        .map(|m| Ballot::new(m, Position::Undeclared))
        .collect();
    let game = Game::of_rule(&DecisionRule::Consensus, &ballots).unwrap();
    let got = power::indices(&game).unwrap();
    assert_eq!(got.winning, 1);
    for m in &got.members {
        assert_eq!(m.swings, 1);
        assert_eq!(m.shapley_shubik, Some(0.25));
        assert!(
            m.explain()
                .starts_with("pivotal in 1 of the 1 winning coalitions")
        );
    }
}

#[test]
fn bad_rules_and_boards_are_refused_with_the_member_named() {
    let no_population = vec![Ballot::new("DEU", Position::Undeclared)];
    let err = Game::of_rule(&DecisionRule::eu_qualified_majority(), &no_population).unwrap_err();
    assert_eq!(
        err.to_string(),
        "member 'DEU' has no population (the rule needs one for every member)"
    );
    let irrational = vec![Ballot::new("AAA", Position::Undeclared).with_weight(1.0 / 3.0)];
    let err = Game::of_rule(&DecisionRule::Weighted { threshold: 0.5 }, &irrational).unwrap_err();
    assert!(
        err.to_string().starts_with("member 'AAA' has weight 0.333"),
        "{err}"
    );
    let many: Vec<Ballot> = (0..200)
        .map(|i| Ballot::new(format!("M{i}"), Position::Undeclared))
        .collect();
    let game = Game::of_rule(&DecisionRule::simple_majority(), &many).unwrap();
    assert!(game.is_symmetric());
    let err = power::indices(&game).unwrap_err();
    assert!(err.to_string().contains("at most 127 members"), "{err}");
}
