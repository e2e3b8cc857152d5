//! Speed of the exact power indices (`cargo bench -p concord-domain --bench power`).
//!
//! Targets (issue 13): Banzhaf for the EU27 double majority ≤ 5 ms; Banzhaf for a 60-member
//! weighted game ≤ 50 ms. Shapley–Shubik (a factor of the members dearer) is measured beside
//! them, and the 60-member game also through the decision diagram, the method a game with large
//! weights takes.

use concord_domain::power::{self, Game};
use concord_domain::rules::{Ballot, DecisionRule, Position};
use serde::Deserialize;

fn main() {
    divan::main();
}

#[derive(Deserialize)]
struct Reference {
    members: Vec<String>,
    weights: Vec<u64>,
    quota: u64,
}

fn reference(name: &str) -> Reference {
    let all: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(include_str!("../tests/data/power/reference.json")).unwrap();
    serde_json::from_value(all[name].clone()).unwrap()
}

fn eu27() -> Game {
    let r = reference("eu27-qmv");
    let ballots: Vec<Ballot> = r
        .members
        .iter()
        .zip(&r.weights)
        .map(|(m, &p)| Ballot::new(m.clone(), Position::Undeclared).with_population(p))
        .collect();
    Game::of_rule(&DecisionRule::eu_qualified_majority(), &ballots).unwrap()
}

fn weighted_60() -> Game {
    let r = reference("weighted-60");
    Game::weighted(r.members, r.weights, r.quota)
}

#[divan::bench]
fn eu27_qmv_banzhaf(bencher: divan::Bencher) {
    let game = eu27();
    bencher.bench(|| power::banzhaf(divan::black_box(&game)).unwrap());
}

#[divan::bench]
fn eu27_qmv_banzhaf_and_shapley(bencher: divan::Bencher) {
    let game = eu27();
    bencher.bench(|| power::indices(divan::black_box(&game)).unwrap());
}

#[divan::bench]
fn weighted_60_banzhaf(bencher: divan::Bencher) {
    let game = weighted_60();
    bencher.bench(|| power::banzhaf(divan::black_box(&game)).unwrap());
}

#[divan::bench]
fn weighted_60_banzhaf_by_diagram(bencher: divan::Bencher) {
    let game = weighted_60();
    bencher.bench(|| power::bdd::indices(divan::black_box(&game), false).unwrap());
}

#[divan::bench(sample_count = 10)]
fn weighted_60_banzhaf_and_shapley(bencher: divan::Bencher) {
    let game = weighted_60();
    bencher.bench(|| power::indices(divan::black_box(&game)).unwrap());
}
