//! Joint forecasts: a package is agreed only when its last post is, and a linked hold releases
//! when the contest it is linked to is decided — both computed trial by trial.

use concord_forecast::joint::{self, LinkedHold};
use concord_forecast::{ForecastInput, Params, RunConfig};

/// One candidate `name` held by `holders` (each withholding), among `members`.
fn contest(name: &str, holders: &[&str]) -> ForecastInput {
    let holds: Vec<serde_json::Value> = holders
        .iter()
        .map(|m| serde_json::json!({"member": m, "candidate": name, "kind": "withholds"}))
        .collect();
    serde_json::from_value(serde_json::json!({
        "as_of": "2024-04-04",
        "members_count": 32,
        "candidates": [{"name": name, "candidacy": "declared", "supporters": 29}],
        "holds": holds,
        "milestones": [
            {"date": "2024-04-30", "kind": "target", "label": "end of April"},
            {"date": "2024-07-09", "kind": "hard_deadline", "label": "summit"},
            {"date": "2024-10-01", "kind": "term_end", "label": "term end"}
        ],
        "term_end": "2024-10-01",
        "reversion": "extension of the incumbent"
    }))
    .expect("input")
}

fn config() -> RunConfig {
    RunConfig {
        trials: 20_000,
        seed: 7,
        sensitivity_trials: 0,
    }
}

#[test]
fn a_package_is_agreed_only_when_every_post_is() {
    let posts = vec![
        ("Secretary General".to_owned(), contest("alpha", &["HUN"])),
        ("Director".to_owned(), contest("beta", &["ROU", "SVK"])),
    ];
    let f = joint::package(&posts, &Params::v1(), &config()).unwrap();
    for (i, m) in f.milestones.iter().enumerate() {
        let a = f.parts[0].1[i].decided_by;
        let b = f.parts[1].1[i].decided_by;
        // The joint event can never be likelier than either post.
        assert!(
            m.decided_by.p <= a.p.min(b.p) + 1e-12,
            "{}: {:?} {a:?} {b:?}",
            m.label,
            m.decided_by
        );
        // The posts' clocks are independent: the joint chance is close to the product.
        let product = a.p * b.p;
        assert!(
            (m.decided_by.p - product).abs() < 5.0 * m.decided_by.se.max(0.003),
            "{}: joint {} vs product {product}",
            m.label,
            m.decided_by.p
        );
    }
    // One hold more on one post delays the whole package.
    let heavier = vec![
        posts[0].clone(),
        (
            "Director".to_owned(),
            contest("beta", &["ROU", "SVK", "TUR"]),
        ),
    ];
    let g = joint::package(&heavier, &Params::v1(), &config()).unwrap();
    let last = f.milestones.len() - 1;
    assert!(g.milestones[last].decided_by.p <= f.milestones[last].decided_by.p + 1e-12);
}

#[test]
fn a_linked_hold_releases_when_its_contest_is_decided_and_not_before() {
    let main = contest("rutte", &["HUN"]);
    let other = contest("top-jobs", &["ITA", "FRA", "DEU"]);
    let f = joint::linked(
        "nato",
        &main,
        &[LinkedHold {
            hold: 0,
            linked: other,
            linked_name: "eu".to_owned(),
        }],
        &Params::v1(),
        &config(),
    )
    .unwrap();
    // HUN is the only hold: NATO is decided after the EU contest in every trial, so never
    // likelier by any date.
    for (i, m) in f.milestones.iter().enumerate() {
        let eu = f.parts[1].1[i].decided_by.p;
        assert!(
            m.decided_by.p <= eu + 1e-12,
            "{}: {} > {eu}",
            m.label,
            m.decided_by.p
        );
    }
    // Linked to a contest with nothing in its way, the hold goes at once.
    let free = joint::linked(
        "nato",
        &main,
        &[LinkedHold {
            hold: 0,
            linked: contest("top-jobs", &[]),
            linked_name: "eu".to_owned(),
        }],
        &Params::v1(),
        &config(),
    )
    .unwrap();
    assert!(
        free.milestones[0].decided_by.p > 0.9,
        "{:?}",
        free.milestones[0]
    );
    // The same seed gives the same answer.
    let again = joint::linked(
        "nato",
        &main,
        &[LinkedHold {
            hold: 0,
            linked: contest("top-jobs", &["ITA", "FRA", "DEU"]),
            linked_name: "eu".to_owned(),
        }],
        &Params::v1(),
        &config(),
    )
    .unwrap();
    assert_eq!(f, again);
}
