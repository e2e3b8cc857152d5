//! Decision rules on real boards: NATO 2024 consensus, the EU Council's double majority with
//! 2025 population figures, the 2016 UN straw polls, UN General Assembly votes; plus properties
//! (monotonicity, the flip really flips, the smallest coalition is the smallest).

use concord_domain::rules::{
    Ballot, Comparison, Criterion, DecisionRule, Evaluation, Flip, Hold, MajorityBase, Position,
    Problem, Status, evaluate,
};
use proptest::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------- helpers

fn eval(rule: &DecisionRule, ballots: &[Ballot]) -> Evaluation {
    evaluate(rule, ballots).expect("valid board")
}

fn set(ballots: &mut [Ballot], member: &str, position: Position) {
    ballots
        .iter_mut()
        .find(|b| b.member == member)
        .unwrap_or_else(|| panic!("no ballot for {member}"))
        .position = position;
}

fn rival(name: &str) -> Position {
    Position::PrefersRival {
        rival: name.to_string(),
    }
}

/// `n` anonymous ballots per position, for votes where only the counts are known.
fn counted(groups: &[(usize, Position)]) -> Vec<Ballot> {
    let mut out = Vec::new();
    for (n, position) in groups {
        for _ in 0..*n {
            out.push(Ballot::new(
                format!("M{:03}", out.len() + 1),
                position.clone(),
            ));
        }
    }
    out
}

// ---------------------------------------------------------------- consensus: NATO 2024

const NATO: [&str; 32] = [
    "ALB", "BEL", "BGR", "CAN", "HRV", "CZE", "DNK", "EST", "FIN", "FRA", "DEU", "GRC", "HUN",
    "ISL", "ITA", "LVA", "LTU", "LUX", "MNE", "NLD", "MKD", "NOR", "POL", "PRT", "ROU", "SVK",
    "SVN", "ESP", "SWE", "TUR", "GBR", "USA",
];

/// The board on Rutte in late March 2024: 29 allies behind him, three holding out.
fn rutte_march_2024() -> Vec<Ballot> {
    let mut board: Vec<Ballot> = NATO
        .iter()
        .map(|code| Ballot::new(*code, Position::Supports))
        .collect();
    set(&mut board, "HUN", Position::Objects);
    set(&mut board, "ROU", rival("Klaus Iohannis"));
    set(&mut board, "SVK", Position::Withholds);
    board
}

#[test]
fn consensus_blocked_by_three_holdouts_explicit_and_implicit() {
    let e = eval(&DecisionRule::Consensus, &rutte_march_2024());
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(e.tally.supports, 29);
    assert_eq!(e.blocker_codes(), ["HUN", "ROU", "SVK"]);
    let implicit: Vec<_> = e.blockers.iter().filter(|b| b.hold.is_implicit()).collect();
    assert_eq!(implicit.len(), 1);
    assert_eq!(
        implicit[0].hold,
        Hold::PrefersRival {
            rival: "Klaus Iohannis".into()
        }
    );
    assert_eq!(
        e.to_string(),
        "blocked by HUN (objects), ROU (prefers Klaus Iohannis), SVK (withholds)"
    );
    assert_eq!(
        e.flip,
        Flip::Release {
            members: vec!["HUN".into(), "ROU".into(), "SVK".into()],
            then_join: 0
        }
    );
    let holds = e.margin(Criterion::Holds).unwrap();
    assert_eq!((holds.value, holds.margin, holds.met), (3.0, -3.0, false));
}

#[test]
fn consensus_clear_pending_turkiye_once_the_holdouts_release() {
    let mut board = rutte_march_2024();
    set(
        &mut board,
        "TUR",
        Position::Pending {
            conditions_unmet: 1,
        },
    );
    // Still blocked, and Türkiye's conditions already show.
    let e = eval(&DecisionRule::Consensus, &board);
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(e.pending, ["TUR"]);

    set(&mut board, "HUN", Position::Supports);
    set(&mut board, "SVK", Position::Supports);
    // Romania's candidate withdrew; Romania says nothing yet: silence is consent.
    set(&mut board, "ROU", Position::Undeclared);
    let e = eval(&DecisionRule::Consensus, &board);
    assert_eq!(e.status, Status::Clear);
    assert!(e.blockers.is_empty());
    assert_eq!(e.to_string(), "clear, pending TUR's conditions");
    assert_eq!(
        e.flip,
        Flip::Block {
            count: 1,
            members: vec![],
            exact: true
        }
    );

    set(&mut board, "TUR", Position::Supports);
    assert_eq!(eval(&DecisionRule::Consensus, &board).to_string(), "clear");
}

#[test]
fn consensus_on_the_rival_is_blocked_by_every_ally_backing_rutte() {
    // One office, one winner: the 29 behind Rutte hold Iohannis implicitly.
    let board: Vec<Ballot> = NATO
        .iter()
        .map(|code| match *code {
            "ROU" => Ballot::new("ROU", Position::Supports),
            "HUN" | "SVK" => Ballot::new(*code, Position::Undeclared),
            _ => Ballot::new(*code, rival("Mark Rutte")),
        })
        .collect();
    let e = eval(&DecisionRule::Consensus, &board);
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(e.blockers.len(), 29);
    assert!(e.blockers.iter().all(|b| b.hold.is_implicit()));
}

#[test]
fn evaluation_json_is_stable() {
    let board = vec![
        Ballot::new(
            "EST",
            Position::Pending {
                conditions_unmet: 2,
            },
        ),
        Ballot::new("HUN", Position::Objects),
        Ballot::new("NLD", Position::Supports),
    ];
    let e = eval(&DecisionRule::Consensus, &board);
    assert_eq!(
        serde_json::to_value(&e).unwrap(),
        json!({
            "rule": {"kind": "consensus"},
            "status": "blocked",
            "tally": {"supports": 1, "leans": 0, "pending": 1, "undeclared": 0, "abstains": 0,
                      "absent": 0, "withholds": 0, "prefers_rival": 0, "objects": 1},
            "margins": [{"criterion": "holds", "unit": "count", "value": 1.0, "required": 0.0,
                         "margin": -1.0, "met": false}],
            "blockers": [{"member": "HUN", "hold": {"kind": "objects"}}],
            "pending": ["EST"],
            "flip": {"kind": "release", "members": ["HUN"], "then_join": 0}
        })
    );
    let back: Evaluation = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

#[test]
fn rules_round_trip_through_scenario_syntax() {
    let rule: DecisionRule = serde_json::from_value(json!({
        "kind": "majority", "threshold": 0.6666666666666666, "base": "present_and_voting",
        "comparison": "at_least"
    }))
    .unwrap();
    assert_eq!(rule, DecisionRule::two_thirds_present_and_voting());
    let rule: DecisionRule = serde_json::from_value(json!({"kind": "unanimity"})).unwrap();
    assert_eq!(
        rule,
        DecisionRule::Unanimity {
            abstention_blocks: false
        }
    );
    for rule in [
        DecisionRule::Consensus,
        DecisionRule::eu_qualified_majority(),
        DecisionRule::un_security_council(),
        DecisionRule::Weighted { threshold: 0.85 },
    ] {
        let text = serde_json::to_string(&rule).unwrap();
        assert_eq!(serde_json::from_str::<DecisionRule>(&text).unwrap(), rule);
    }
}

// ---------------------------------------------------------------- QMV: EU27, 2025 figures

/// (code, population): the 2025 derived populations, used for every member so the 27 are on
/// one basis. The file warns they are approximate (±22,600): no test here is that close.
fn eu27() -> Vec<(String, u64)> {
    let mut reader = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/eu27-population.csv"
    ))
    .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (iso, pop) = (col("iso3"), col("council_2025_population_derived_approx"));
    let rows: Vec<(String, u64)> = reader
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[iso] != "EU")
        .map(|r| (r[iso].to_string(), r[pop].parse().unwrap()))
        .collect();
    assert_eq!(rows.len(), 27);
    rows
}

/// Every member in favour except `against`, who vote no.
fn council_against(against: &[&str]) -> Vec<Ballot> {
    eu27()
        .into_iter()
        .map(|(code, pop)| {
            let position = if against.contains(&code.as_str()) {
                Position::Objects
            } else {
                Position::Supports
            };
            Ballot::new(code, position).with_population(pop)
        })
        .collect()
}

/// Only `yes` in favour; everyone else abstains (which counts against under QMV).
fn council_for(yes: &[&str]) -> Vec<Ballot> {
    eu27()
        .into_iter()
        .map(|(code, pop)| {
            let position = if yes.contains(&code.as_str()) {
                Position::Supports
            } else {
                Position::Abstains
            };
            Ballot::new(code, position).with_population(pop)
        })
        .collect()
}

#[test]
fn qmv_three_largest_cannot_block_without_a_fourth_member() {
    let e = eval(
        &DecisionRule::eu_qualified_majority(),
        &council_against(&["DEU", "FRA", "ITA"]),
    );
    // 46.9 % of the population against, yet fewer than four members: deemed met.
    assert_eq!(e.status, Status::Adopted);
    let pop = e.margin(Criterion::Population).unwrap();
    assert!(pop.value < 65.0 && pop.met, "{pop:?}");
    assert_eq!(
        e.to_string(),
        "adopted: 24 of 27 members (88.9 %), 53.1 % of population \
         (population criterion deemed met: fewer than 4 members against)"
    );
    // The smallest blocking coalition: one more large member joins the three.
    assert_eq!(
        e.flip,
        Flip::Block {
            count: 1,
            members: vec!["ESP".into()],
            exact: true
        }
    );
}

#[test]
fn qmv_a_fourth_large_member_makes_a_blocking_minority() {
    for fourth in ["POL", "ESP"] {
        let e = eval(
            &DecisionRule::eu_qualified_majority(),
            &council_against(&["DEU", "FRA", "ITA", fourth]),
        );
        assert_eq!(e.status, Status::Short, "with {fourth}");
        assert!(e.margin(Criterion::Members).unwrap().met);
        let pop = e.margin(Criterion::Population).unwrap();
        assert!(!pop.met && pop.margin < -10.0, "{pop:?}");
        assert_eq!(e.blocker_codes().len(), 4);
    }
    let e = eval(
        &DecisionRule::eu_qualified_majority(),
        &council_against(&["DEU", "FRA", "ITA", "POL"]),
    );
    assert_eq!(
        e.to_string(),
        "short: 23 of 27 members (85.2 %), 44.8 % of population (needs 65 %)"
    );
}

#[test]
fn qmv_fifteen_small_members_reach_55_percent_of_members_but_not_65_of_population() {
    let mut small = eu27();
    small.sort_by_key(|(_, pop)| *pop);
    let small: Vec<&str> = small[..15].iter().map(|(c, _)| c.as_str()).collect();
    let board = council_for(&small);
    let e = eval(&DecisionRule::eu_qualified_majority(), &board);
    assert_eq!(e.status, Status::Short);
    let members = e.margin(Criterion::Members).unwrap();
    assert!(members.met && (members.value - 55.6).abs() < 0.05);
    let pop = e.margin(Criterion::Population).unwrap();
    assert!(!pop.met && pop.value < 15.0, "{pop:?}");
    // The fewest extra supporters: the largest members first, and no fewer would do.
    let Flip::Join {
        count,
        members,
        exact,
    } = &e.flip
    else {
        panic!("{:?}", e.flip)
    };
    assert!(*exact);
    assert_eq!(&members[..3], ["DEU", "FRA", "ITA"]);
    assert_eq!(*count, members.len());
    let mut joined = board.clone();
    for m in members {
        set(&mut joined, m, Position::Supports);
    }
    assert_eq!(
        eval(&DecisionRule::eu_qualified_majority(), &joined).status,
        Status::Adopted
    );
}

#[test]
fn qmv_reinforced_72_percent_variant() {
    let rule = DecisionRule::eu_reinforced_qualified_majority();
    // No blocking-minority clause: the three largest now do block on population.
    let e = eval(&rule, &council_against(&["DEU", "FRA", "ITA"]));
    assert_eq!(e.status, Status::Short);
    // 19 of 27 (70.4 %) fails the 72 % that 55 % would pass; 20 (74.1 %) passes.
    let mut by_size = eu27();
    by_size.sort_by_key(|(_, pop)| std::cmp::Reverse(*pop));
    let largest =
        |n: usize| -> Vec<&str> { by_size[..n].iter().map(|(c, _)| c.as_str()).collect() };
    let nineteen = eval(&rule, &council_for(&largest(19)));
    assert_eq!(nineteen.status, Status::Short);
    assert!(!nineteen.margin(Criterion::Members).unwrap().met);
    assert!(nineteen.margin(Criterion::Population).unwrap().met);
    assert_eq!(
        eval(
            &DecisionRule::eu_qualified_majority(),
            &council_for(&largest(19))
        )
        .status,
        Status::Adopted
    );
    let twenty = eval(&rule, &council_for(&largest(20)));
    assert_eq!(twenty.status, Status::Adopted);
    assert!(
        twenty
            .to_string()
            .starts_with("adopted: 20 of 27 members (74.1 %), ")
    );
}

#[test]
fn qmv_without_population_names_every_member_missing_one() {
    let mut board = council_against(&[]);
    board[3].population = None;
    board[26].population = None;
    let err = evaluate(&DecisionRule::eu_qualified_majority(), &board).unwrap_err();
    assert_eq!(
        err.problems,
        [
            Problem::MissingPopulation {
                member: "ESP".into()
            },
            Problem::MissingPopulation {
                member: "MLT".into()
            },
        ]
    );
    assert!(err.to_string().contains("member 'ESP' has no population"));
}

// ---------------------------------------------------------------- veto majority: UN 2016

struct StrawPoll {
    round: u32,
    colour_coded: bool,
    candidate: String,
    encourage: usize,
    discourage: usize,
    no_opinion: usize,
}

fn straw_polls() -> Vec<StrawPoll> {
    let mut reader = csv::Reader::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/un-sg-2016-straw-polls.csv"
    ))
    .unwrap();
    let headers = reader.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let (round, colour, candidate, enc, dis, none) = (
        col("poll_round"),
        col("colour_coded"),
        col("candidate"),
        col("encourage"),
        col("discourage"),
        col("no_opinion"),
    );
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            StrawPoll {
                round: r[round].parse().unwrap(),
                colour_coded: &r[colour] == "yes",
                candidate: r[candidate].to_string(),
                encourage: r[enc].parse().unwrap(),
                discourage: r[dis].parse().unwrap(),
                no_opinion: r[none].parse().unwrap(),
            }
        })
        .collect()
}

/// Straw-poll mapping: encourage = supports, discourage = objects, no opinion = abstains.
/// Leaked tallies do not say who cast which ballot, so the ballots are anonymous: no veto
/// holder is identified and the evaluation counts heads only.
fn anonymous_ballots(poll: &StrawPoll) -> Vec<Ballot> {
    counted(&[
        (poll.encourage, Position::Supports),
        (poll.discourage, Position::Objects),
        (poll.no_opinion, Position::Abstains),
    ])
}

fn poll<'a>(polls: &'a [StrawPoll], round: u32, candidate: &str) -> &'a StrawPoll {
    polls
        .iter()
        .find(|p| p.round == round && p.candidate == candidate)
        .unwrap()
}

#[test]
fn un_2016_every_row_is_fifteen_ballots() {
    let polls = straw_polls();
    assert_eq!(polls.len(), 28);
    for p in &polls {
        assert_eq!(
            p.encourage + p.discourage + p.no_opinion,
            15,
            "{}",
            p.candidate
        );
    }
}

#[test]
fn un_2016_guterres_passes_the_first_colour_coded_poll() {
    let polls = straw_polls();
    let p = polls
        .iter()
        .find(|p| p.colour_coded && p.candidate == "Antonio Guterres")
        .expect("round 6 is colour-coded");
    assert_eq!((p.round, p.encourage, p.discourage), (6, 13, 0));
    // No discourage at all, so none from a permanent member, wherever their red ballots were.
    let mut ballots = anonymous_ballots(p);
    for (b, p5) in ballots.iter_mut().zip(["CHN", "FRA", "GBR", "RUS", "USA"]) {
        b.member = p5.to_string();
    }
    let e = eval(&DecisionRule::un_security_council(), &ballots);
    assert_eq!(e.status, Status::Adopted);
    assert_eq!(e.to_string(), "adopted: 13 of 15 in favour, no veto");
    let votes = e.margin(Criterion::Votes).unwrap();
    assert_eq!(
        (votes.value, votes.required, votes.margin),
        (13.0, 9.0, 4.0)
    );
    // A single permanent member's discourage would have undone it.
    assert_eq!(
        e.flip,
        Flip::Block {
            count: 1,
            members: vec!["CHN".into()],
            exact: true
        }
    );
}

#[test]
fn un_2016_in_the_complete_second_round_only_guterres_has_nine() {
    let polls = straw_polls();
    let round2: Vec<_> = polls.iter().filter(|p| p.round == 2).collect();
    assert_eq!(round2.len(), 11);
    let passing: Vec<&str> = round2
        .iter()
        .filter(|p| {
            eval(&DecisionRule::un_security_council(), &anonymous_ballots(p)).status
                == Status::Adopted
        })
        .map(|p| p.candidate.as_str())
        .collect();
    assert_eq!(passing, ["Antonio Guterres"]);
}

#[test]
fn un_2016_candidates_short_of_nine() {
    let polls = straw_polls();
    let e = eval(
        &DecisionRule::un_security_council(),
        &anonymous_ballots(poll(&polls, 5, "Miroslav Lajcak")),
    );
    assert_eq!(e.status, Status::Short);
    assert_eq!(
        e.to_string(),
        "short by 1 vote: 8 of 15 in favour (needs 9)"
    );
    let e = eval(
        &DecisionRule::un_security_council(),
        &anonymous_ballots(poll(&polls, 2, "Igor Luksic")),
    );
    assert_eq!(
        e.to_string(),
        "short by 7 votes: 2 of 15 in favour (needs 9)"
    );
    let Flip::Join { count, members, .. } = e.flip else {
        panic!()
    };
    // Those with no opinion (M012..M015) are asked first, before those who discouraged.
    assert_eq!((count, members.len()), (7, 7));
    assert_eq!(members[..4], ["M012", "M013", "M014", "M015"]);
}

#[test]
fn un_2016_a_permanent_members_discourage_vetoes_even_at_nine() {
    // Round 1, Bokova: 9 encourage, 4 discourage, 2 no opinion. Counted anonymously she
    // clears nine; had one discourage been red (hypothetical colouring), she is vetoed.
    let polls = straw_polls();
    let p = poll(&polls, 1, "Irina Bokova");
    let mut ballots = anonymous_ballots(p);
    assert_eq!(
        eval(&DecisionRule::un_security_council(), &ballots).status,
        Status::Adopted
    );
    let first_discourage = ballots
        .iter()
        .position(|b| b.position == Position::Objects)
        .unwrap();
    ballots[first_discourage].member = "RUS".into();
    let e = eval(&DecisionRule::un_security_council(), &ballots);
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(e.to_string(), "blocked by RUS (veto)");
    assert_eq!(
        e.flip,
        Flip::Release {
            members: vec!["RUS".into()],
            then_join: 0
        }
    );
    // A permanent member with no opinion is no veto.
    ballots[first_discourage].position = Position::Abstains;
    assert_eq!(
        eval(&DecisionRule::un_security_council(), &ballots).status,
        Status::Adopted
    );
}

#[test]
fn un_vetoed_and_short_says_both() {
    let polls = straw_polls();
    let mut ballots = anonymous_ballots(poll(&polls, 5, "Natalia Gherman"));
    let i = ballots
        .iter()
        .position(|b| b.position == Position::Objects)
        .unwrap();
    ballots[i].member = "GBR".into();
    let e = eval(&DecisionRule::un_security_council(), &ballots);
    assert_eq!(
        e.to_string(),
        "blocked by GBR (veto); also short by 6 votes (3 of 15 in favour, needs 9)"
    );
}

// ---------------------------------------------------------------- majority

#[test]
fn majority_two_thirds_present_and_voting_ignores_abstentions() {
    // UN General Assembly, 7 April 2022 (A/RES/ES-11/3): 93 yes, 24 no, 58 abstentions,
    // 18 not voting. Two-thirds of those present and voting; abstentions do not count.
    let board = counted(&[
        (93, Position::Supports),
        (24, Position::Objects),
        (58, Position::Abstains),
        (18, Position::Absent),
    ]);
    let e = eval(&DecisionRule::two_thirds_present_and_voting(), &board);
    assert_eq!(e.status, Status::Adopted);
    assert_eq!(
        e.to_string(),
        "adopted: 93 of 117 present and voting in favour (79.5 %, needs at least 66.7 %)"
    );
    // Of all 193 members it would not even be a simple majority.
    let all = DecisionRule::Majority {
        threshold: 2.0 / 3.0,
        base: MajorityBase::AllMembers,
        comparison: Comparison::AtLeast,
    };
    let e = eval(&all, &board);
    assert_eq!(e.status, Status::Short);
    assert_eq!(e.tally.total(), 193);
    // 129 of 193 are needed (128.67 rounded up): 36 more.
    assert_eq!(e.margin(Criterion::Votes).unwrap().margin, -36.0);
}

#[test]
fn majority_two_thirds_is_reached_by_exactly_two_thirds() {
    let board = counted(&[(2, Position::Supports), (1, Position::Objects)]);
    assert_eq!(
        eval(&DecisionRule::two_thirds_present_and_voting(), &board).status,
        Status::Adopted
    );
}

#[test]
fn majority_short_converts_opponents_first_when_present_and_voting() {
    let board = counted(&[
        (60, Position::Supports),
        (31, Position::Objects),
        (20, Position::Abstains),
    ]);
    let e = eval(&DecisionRule::two_thirds_present_and_voting(), &board);
    assert_eq!(
        e.to_string(),
        "short by 1 vote: 60 of 91 present and voting in favour (65.9 %, needs at least 66.7 %)"
    );
    // Bringing an abstainer in (61 of 92) would not do; turning one no (61 of 91) does.
    let Flip::Join { members, .. } = &e.flip else {
        panic!()
    };
    assert_eq!(members, &["M061"]);
}

#[test]
fn simple_majority_of_all_members_needs_more_than_half() {
    let board = counted(&[(16, Position::Supports), (16, Position::Undeclared)]);
    let e = eval(&DecisionRule::simple_majority(), &board);
    assert_eq!(e.status, Status::Short);
    assert_eq!(
        e.to_string(),
        "short by 1 vote: 16 of 32 members in favour (50 %, needs more than 50 %)"
    );
    let board = counted(&[(17, Position::Supports), (15, Position::Objects)]);
    let e = eval(&DecisionRule::simple_majority(), &board);
    assert_eq!(e.status, Status::Adopted);
    assert_eq!(
        e.flip,
        Flip::Block {
            count: 1,
            members: vec![],
            exact: true
        }
    );
}

#[test]
fn majority_refuses_an_impossible_threshold() {
    let rule = DecisionRule::Majority {
        threshold: 1.0,
        base: MajorityBase::AllMembers,
        comparison: Comparison::MoreThan,
    };
    let err = evaluate(&rule, &counted(&[(3, Position::Supports)])).unwrap_err();
    assert_eq!(
        err.problems,
        [Problem::ThresholdOutOfRange {
            parameter: "threshold",
            value: 1.0
        }]
    );
}

// ---------------------------------------------------------------- weighted

/// IMF-style voting shares (per cent, rounded; the rest of the membership pooled as `REST`).
fn imf(usa: Position) -> Vec<Ballot> {
    [
        ("USA", 16.49),
        ("JPN", 6.08),
        ("CHN", 6.08),
        ("DEU", 5.31),
        ("FRA", 4.03),
        ("GBR", 4.03),
        ("REST", 57.98),
    ]
    .into_iter()
    .map(|(code, w)| {
        let position = if code == "USA" {
            usa.clone()
        } else {
            Position::Supports
        };
        Ballot::new(code, position).with_weight(w)
    })
    .collect()
}

#[test]
fn weighted_85_percent_special_majority_is_blocked_by_the_united_states_alone() {
    let special = DecisionRule::Weighted { threshold: 0.85 };
    let e = eval(&special, &imf(Position::Objects));
    assert_eq!(e.status, Status::Short);
    assert_eq!(
        e.to_string(),
        "short: 83.5 % of weight in favour (needs 85 %), 6 of 7 members"
    );
    assert_eq!(
        e.flip,
        Flip::Join {
            count: 1,
            members: vec!["USA".into()],
            exact: true
        }
    );
    let e = eval(&special, &imf(Position::Supports));
    assert_eq!(e.status, Status::Adopted);
    assert_eq!(
        e.flip,
        Flip::Block {
            count: 1,
            members: vec!["REST".into()],
            exact: true
        }
    );
    // A simple weighted majority passes without the largest member.
    let e = eval(
        &DecisionRule::Weighted { threshold: 0.5 },
        &imf(Position::Objects),
    );
    assert_eq!(e.status, Status::Adopted);
}

#[test]
fn weighted_needs_a_weight_for_every_member() {
    let mut board = imf(Position::Supports);
    board[1].weight = None;
    board[2].weight = Some(-1.0);
    let err = evaluate(&DecisionRule::Weighted { threshold: 0.5 }, &board).unwrap_err();
    assert_eq!(
        err.problems,
        [
            Problem::MissingWeight {
                member: "JPN".into()
            },
            Problem::InvalidWeight {
                member: "CHN".into(),
                weight: -1.0
            },
        ]
    );
}

// ---------------------------------------------------------------- unanimity

fn eu27_all_in_favour() -> Vec<Ballot> {
    council_against(&[])
}

#[test]
fn unanimity_abstention_does_not_block_unless_configured() {
    let mut board = eu27_all_in_favour();
    set(&mut board, "HUN", Position::Abstains);
    let lenient = DecisionRule::Unanimity {
        abstention_blocks: false,
    };
    let strict = DecisionRule::Unanimity {
        abstention_blocks: true,
    };
    let e = eval(&lenient, &board);
    assert_eq!(e.status, Status::Adopted);
    assert_eq!(
        e.to_string(),
        "adopted: 26 of 27 members in favour, 1 abstaining or absent"
    );
    let e = eval(&strict, &board);
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(e.to_string(), "blocked by HUN (abstains)");
}

#[test]
fn unanimity_blocked_by_an_objection_and_short_of_the_undecided() {
    let rule = DecisionRule::Unanimity {
        abstention_blocks: false,
    };
    let mut board = eu27_all_in_favour();
    set(&mut board, "EST", Position::Undeclared);
    set(&mut board, "LVA", Position::Leans);
    let e = eval(&rule, &board);
    assert_eq!(e.status, Status::Short);
    assert_eq!(
        e.to_string(),
        "short: 25 of 27 members in favour; not yet: LVA, EST"
    );
    set(&mut board, "HUN", Position::Objects);
    let e = eval(&rule, &board);
    assert_eq!(e.status, Status::Blocked);
    assert_eq!(
        e.to_string(),
        "blocked by HUN (objects); 2 not yet in favour"
    );
    assert_eq!(
        e.flip,
        Flip::Release {
            members: vec!["HUN".into()],
            then_join: 2
        }
    );
}

// ---------------------------------------------------------------- properties

const POSITIONS: usize = 9;

fn position(i: usize) -> Position {
    match i % POSITIONS {
        0 => Position::Supports,
        1 => Position::Leans,
        2 => Position::Pending {
            conditions_unmet: 1,
        },
        3 => Position::Undeclared,
        4 => Position::Abstains,
        5 => Position::Absent,
        6 => Position::Withholds,
        7 => rival("Rival"),
        _ => Position::Objects,
    }
}

fn rules() -> Vec<DecisionRule> {
    vec![
        DecisionRule::Consensus,
        DecisionRule::Unanimity {
            abstention_blocks: false,
        },
        DecisionRule::Unanimity {
            abstention_blocks: true,
        },
        DecisionRule::simple_majority(),
        DecisionRule::two_thirds_present_and_voting(),
        DecisionRule::Majority {
            threshold: 0.5,
            base: MajorityBase::PresentAndVoting,
            comparison: Comparison::MoreThan,
        },
        DecisionRule::eu_qualified_majority(),
        DecisionRule::eu_reinforced_qualified_majority(),
        // Veto holders M000..M002 sit among the random members.
        DecisionRule::VetoMajority {
            yes_needed: 4,
            veto_holders: vec!["M000".into(), "M001".into(), "M002".into()],
        },
        DecisionRule::Weighted { threshold: 0.5 },
        DecisionRule::Weighted { threshold: 0.85 },
    ]
}

/// At least 4 members, so the veto majority's 4 yes are within reach.
fn board_strategy(max: usize) -> impl Strategy<Value = Vec<Ballot>> {
    prop::collection::vec((0..POSITIONS, 1u64..100_000_000, 0u32..1000), 4..max).prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (p, pop, w))| {
                Ballot::new(format!("M{i:03}"), position(p))
                    .with_population(pop)
                    .with_weight(f64::from(w) / 10.0)
            })
            .collect()
    })
}

fn passed(status: Status) -> bool {
    matches!(status, Status::Adopted | Status::Clear)
}

fn with(ballots: &[Ballot], members: &[String], position: &Position) -> Vec<Ballot> {
    let mut out = ballots.to_vec();
    for b in out.iter_mut().filter(|b| members.contains(&b.member)) {
        b.position = position.clone();
    }
    out
}

/// The fewest members of `from` whose moving to `to` makes `goal` true (brute force).
fn brute_force(
    rule: &DecisionRule,
    ballots: &[Ballot],
    from: &[String],
    to: &Position,
    goal: impl Fn(Status) -> bool,
) -> Option<usize> {
    (0u32..(1 << from.len()))
        .filter(|mask| {
            let chosen: Vec<String> = from
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1 << i) != 0)
                .map(|(_, m)| m.clone())
                .collect();
            goal(eval(rule, &with(ballots, &chosen, to)).status)
        })
        .map(u32::count_ones)
        .min()
        .map(|n| n as usize)
}

proptest! {
    #[test]
    fn adding_a_supporter_never_lowers_the_status(
        board in board_strategy(20),
        pop in 1u64..100_000_000,
        w in 0u32..1000,
    ) {
        for rule in rules() {
            let before = eval(&rule, &board).status;
            let mut more = board.clone();
            more.push(Ballot::new("NEW", Position::Supports).with_population(pop).with_weight(f64::from(w) / 10.0));
            let after = eval(&rule, &more).status;
            prop_assert!(after >= before, "{}: {:?} -> {:?}", rule.name(), before, after);
        }
    }

    #[test]
    fn a_member_coming_over_never_lowers_the_status(board in board_strategy(20), pick in any::<prop::sample::Index>()) {
        let i = pick.index(board.len());
        for rule in rules() {
            let before = eval(&rule, &board).status;
            let mut turned = board.clone();
            turned[i].position = Position::Supports;
            let after = eval(&rule, &turned).status;
            prop_assert!(after >= before, "{}: {:?} -> {:?}", rule.name(), before, after);
        }
    }

    #[test]
    fn the_flip_flips(board in board_strategy(20)) {
        for rule in rules() {
            let e = eval(&rule, &board);
            match &e.flip {
                Flip::Join { count, members, .. } => {
                    prop_assert_eq!(*count, members.len());
                    let after = eval(&rule, &with(&board, members, &Position::Supports));
                    prop_assert!(passed(after.status), "{}: join {:?} -> {}", rule.name(), members, after);
                }
                Flip::Block { count, members, .. } if !members.is_empty() => {
                    prop_assert_eq!(*count, members.len());
                    let after = eval(&rule, &with(&board, members, &Position::Objects));
                    prop_assert!(!passed(after.status), "{}: block {:?} -> {}", rule.name(), members, after);
                }
                Flip::Block { .. } => {}
                Flip::Release { members, then_join } => {
                    prop_assert_eq!(e.status, Status::Blocked);
                    let after = eval(&rule, &with(&board, members, &Position::Supports));
                    prop_assert_ne!(after.status, Status::Blocked, "{}", rule.name());
                    if *then_join == 0 {
                        prop_assert!(passed(after.status), "{}: {}", rule.name(), after);
                    }
                }
            }
        }
    }

    #[test]
    fn weighted_flips_are_the_smallest_coalitions(board in board_strategy(9)) {
        for rule in [
            DecisionRule::eu_qualified_majority(),
            DecisionRule::eu_reinforced_qualified_majority(),
            DecisionRule::Weighted { threshold: 0.5 },
            DecisionRule::Weighted { threshold: 0.85 },
        ] {
            let e = eval(&rule, &board);
            let codes = |yes: bool| -> Vec<String> {
                board.iter()
                    .filter(|b| (b.position == Position::Supports) == yes)
                    .map(|b| b.member.clone())
                    .collect()
            };
            match &e.flip {
                Flip::Join { count, .. } => {
                    let best = brute_force(&rule, &board, &codes(false), &Position::Supports, passed);
                    prop_assert_eq!(Some(*count), best, "{}", rule.name());
                }
                Flip::Block { count, .. } => {
                    let best = brute_force(&rule, &board, &codes(true), &Position::Objects, |s| !passed(s));
                    prop_assert_eq!(Some(*count), best, "{}", rule.name());
                }
                Flip::Release { .. } => prop_assert!(false, "weighted rules release nothing"),
            }
        }
    }
}
