//! Contests decided in rounds: the bundled `unsg-2016` scenario against its sources (the case
//! file and the straw-poll CSV), the board's reading of each round, the WTO's consultation
//! rounds from `cases/wto-dg-2013.json`, and the bad rounds refused with their location.

use concord_domain::event::{Event, seal_all};
use concord_domain::rounds::{PollReading, RoundsView};
use concord_domain::{CandidateStatus, ContestState, interchange, scenario};
use jiff::civil::{Date, date};

const UNSG: &str = include_str!("../../../scenarios/unsg-2016.toml");
const UNSG_CSV: &str = include_str!("../../../scenarios/un-sg-2016-straw-polls.csv");
const UNSG_CASE: &str = include_str!("../../../cases/unsg-2016.json");
const WTO_CASE: &str = include_str!("../../../cases/wto-dg-2013.json");

fn sealed(s: scenario::Scenario) -> Vec<Event> {
    seal_all(s.into_events("test"), None, jiff::Timestamp::UNIX_EPOCH)
}

fn unsg(as_of: Date) -> ContestState {
    let s = scenario::parse("unsg-2016.toml", UNSG, "test").expect("the bundled scenario parses");
    ContestState::fold(&sealed(s), as_of).unwrap()
}

#[test]
fn every_straw_poll_row_of_the_csv_is_in_the_scenario() {
    let state = unsg(date(2016, 12, 31));
    let mut reader = csv::Reader::from_reader(UNSG_CSV.as_bytes());
    let headers = reader.headers().unwrap().clone();
    let col = |n: &str| headers.iter().position(|h| h == n).unwrap();
    let mut rows = 0;
    for r in reader.records() {
        let r = r.unwrap();
        let round: u32 = r[col("poll_round")].parse().unwrap();
        let poll = state.straw_polls.iter().find(|p| p.round == round).unwrap();
        assert_eq!(poll.date.to_string(), &r[col("date")], "round {round}");
        assert_eq!(poll.colour_coded, &r[col("colour_coded")] == "yes");
        let name = &r[col("candidate")];
        let id = interchange::slug(name);
        let got = poll
            .results
            .iter()
            .find(|x| x.candidate == id)
            .unwrap_or_else(|| panic!("{name} missing from round {round}"));
        let count = |c: &str| r[col(c)].parse::<u32>().unwrap();
        assert_eq!(
            (got.encourage, got.discourage, got.no_opinion),
            (count("encourage"), count("discourage"), count("no_opinion")),
            "{name}, round {round}"
        );
        rows += 1;
    }
    assert_eq!(rows, 28);
}

#[test]
fn the_scenario_polls_are_the_case_files_polls() {
    let case = interchange::parse("unsg-2016.json", UNSG_CASE).unwrap();
    let events = sealed(case.scenario);
    let from_case = ContestState::fold(&events, date(2016, 12, 31)).unwrap();
    let from_scenario = unsg(date(2016, 12, 31));
    for (a, b) in from_case.straw_polls.iter().zip(&from_scenario.straw_polls) {
        assert_eq!(
            (a.round, a.date, a.colour_coded),
            (b.round, b.date, b.colour_coded)
        );
        let mut x = a.results.clone();
        let mut y = b.results.clone();
        x.sort_by(|p, q| p.candidate.cmp(&q.candidate));
        y.sort_by(|p, q| p.candidate.cmp(&q.candidate));
        assert_eq!(x, y, "round {}", a.round);
    }
    assert_eq!(from_case.straw_polls.len(), 6);
    assert_eq!(from_scenario.straw_polls.len(), 6);
}

#[test]
fn the_board_reads_each_poll_against_nine_and_the_veto() {
    let state = unsg(date(2016, 10, 5));
    let rounds = RoundsView::build(&state).unwrap();
    let t = rounds.threshold.as_ref().unwrap();
    assert_eq!(t.encourage_needed, 9);
    assert_eq!(t.veto_holders, ["CHN", "FRA", "GBR", "RUS", "USA"]);
    let six = rounds.polls.last().unwrap();
    assert_eq!((six.round, six.colour_coded), (6, true));
    let line = |name: &str| six.lines.iter().find(|l| l.name == name).unwrap();
    assert_eq!(line("Antonio Guterres").reading, Some(PollReading::Meets));
    assert_eq!(line("Antonio Guterres").margin, 4);
    assert_eq!(line("Miroslav Lajcak").reading, Some(PollReading::Vetoed));
    assert_eq!(six.entered_since, ["Kristalina Georgieva"]);
    // Before colour coding, a candidate with 9 encouragements and discouragements might still
    // face a veto: nobody can tell whose the discouragements were.
    let one = &rounds.polls[0];
    let turk = one.lines.iter().find(|l| l.name == "Danilo Turk").unwrap();
    assert_eq!(turk.reading, Some(PollReading::MeetsUnlessVetoed));
    let guterres = rounds
        .trends
        .iter()
        .find(|t| t.name == "Antonio Guterres")
        .unwrap();
    let series: Vec<u32> = guterres.encourage.iter().flatten().copied().collect();
    assert_eq!(series, [12, 11, 11, 12, 12, 13]);
    assert_eq!(guterres.direction, "rising");
    let figueres = rounds
        .trends
        .iter()
        .find(|t| t.name == "Christiana Figueres")
        .unwrap();
    assert_eq!(figueres.status, CandidateStatus::Withdrawn);
    assert_eq!(rounds.polls[4].withdrew_since, ["Christiana Figueres"]);
}

#[test]
fn replaying_a_round_shows_only_what_was_polled_by_then() {
    let rounds = RoundsView::build(&unsg(date(2016, 8, 29))).unwrap();
    assert_eq!(rounds.polls.len(), 3);
    assert!(RoundsView::build(&unsg(date(2016, 7, 20))).is_none());
}

#[test]
fn wto_2013_consultations_cut_the_field_nine_five_two_one() {
    let case = interchange::parse("wto-dg-2013.json", WTO_CASE).unwrap();
    let events = sealed(case.scenario);
    let state = ContestState::fold(&events, date(2013, 5, 7)).unwrap();
    let rounds = RoundsView::build(&state).unwrap();
    let cuts: Vec<(u32, usize, usize)> = rounds
        .consultations
        .iter()
        .map(|c| (c.round, c.field, c.advanced.len()))
        .collect();
    assert_eq!(cuts, [(1, 9, 5), (2, 5, 2), (3, 2, 1)]);
    assert_eq!(rounds.consultations[2].advanced, ["Roberto Azevedo"]);
    // Eliminated candidates are out of the race from the round's date.
    let bark = state.candidate("taeho-bark").unwrap();
    assert_eq!(bark.status, CandidateStatus::Withdrawn);
    assert_eq!(bark.eliminated_after, Some(2));
    let before = ContestState::fold(&events, date(2013, 4, 20)).unwrap();
    assert_eq!(
        before.candidate("taeho-bark").unwrap().status,
        CandidateStatus::Declared
    );
    assert_eq!(RoundsView::build(&before).unwrap().consultations.len(), 1);
}

/// The bundled scenario with one edit: `find` replaced by `replace` (which must occur once).
fn edited(find: &str, replace: &str) -> String {
    assert_eq!(UNSG.matches(find).count(), 1, "{find}");
    UNSG.replace(find, replace)
}

#[test]
fn a_round_with_more_ballots_than_members_is_refused_where_it_is() {
    let text = edited(
        "{ candidate = \"antonio-guterres\", encourage = 13, discourage = 0, no_opinion = 2, p5_discourage = 0 }",
        "{ candidate = \"antonio-guterres\", encourage = 13, discourage = 1, no_opinion = 2, p5_discourage = 0 }",
    );
    let err = scenario::parse("unsg-2016.toml", &text, "test").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains("round 6, antonio-guterres: 13 encourage + 1 discourage + 2 no opinion = 16 ballots, more than the 15 members"),
        "{shown}"
    );
    let line = text
        .lines()
        .position(|l| l.contains("encourage = 13, discourage = 1"))
        .unwrap()
        + 1;
    assert!(
        shown.starts_with(&format!("unsg-2016.toml:{line}:")),
        "{shown}"
    );
}

#[test]
fn a_round_dated_before_the_candidate_entered_is_refused_where_it_is() {
    // Georgieva entered on 28 September; counting her in the fifth poll (26 September) is wrong.
    let text = edited(
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
        "  { candidate = \"natalia-gherman\", encourage = 3, discourage = 11, no_opinion = 1 },\n  { candidate = \"kristalina-georgieva\", encourage = 1, discourage = 1, no_opinion = 1 },\n]\n\n[[event]]\ndate = \"2016-09-28\"",
    );
    let err = scenario::parse("unsg-2016.toml", &text, "test").unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.contains(
            "round 5 on 2016-09-26 counts 'kristalina-georgieva', who entered only on 2016-09-28"
        ),
        "{shown}"
    );
    assert_eq!(err.0.len(), 1, "{shown}");
}

#[test]
fn a_case_tally_with_more_ballots_than_members_is_refused_at_its_path() {
    let find = "\"encourage\": 12,\n          \"discourage\": 0,\n          \"no_opinion\": 3";
    assert_eq!(UNSG_CASE.matches(find).count(), 1);
    let text = UNSG_CASE.replacen(
        find,
        &find.replace("\"discourage\": 0", "\"discourage\": 1"),
        1,
    );
    let err = interchange::parse("unsg-2016.json", &text).unwrap_err();
    let shown = err.to_string();
    assert!(shown.contains("$.events["), "{shown}");
    assert!(shown.contains(".tally"), "{shown}");
    assert!(shown.contains("Antonio Guterres: 12 encourage + 1 discourage + 3 no opinion = 16 ballots, more than the 15 members"), "{shown}");
}

#[test]
fn a_consultation_naming_a_candidate_twice_is_refused() {
    let text = format!(
        "{UNSG}\n[[event]]\ndate = \"2016-10-05\"\ntype = \"consultation\"\nround = 7\nadvanced = [\"antonio-guterres\"]\neliminated = [\"antonio-guterres\"]\nsource = \"test\"\n"
    );
    let err = scenario::parse("unsg-2016.toml", &text, "test").unwrap_err();
    assert!(
        err.to_string()
            .contains("round 7 names candidate 'antonio-guterres' twice"),
        "{err}"
    );
}

// The same refusals at the guard, which every way in passes (the API's writes and the ledger's
// append included), whatever reader built the events.

/// The bundled scenario's events with `edit` applied to them, through the guard.
fn guarded(edit: impl FnOnce(&mut Vec<concord_domain::NewEvent>)) -> Vec<String> {
    use concord_domain::Guard;
    let s = scenario::parse("unsg-2016.toml", UNSG, "test").unwrap();
    let mut news = s.into_events("test");
    edit(&mut news);
    match Guard::create(&news, jiff::Timestamp::MAX) {
        Ok(_) => Vec::new(),
        Err(r) => {
            r.0.iter()
                .map(|r| format!("event {}: {r}", r.event))
                .collect()
        }
    }
}

fn sixth_poll(
    news: &mut [concord_domain::NewEvent],
) -> &mut Vec<concord_domain::event::StrawPollResult> {
    use concord_domain::event::EventKind;
    news.iter_mut()
        .find_map(|e| match &mut e.kind {
            EventKind::StrawPollRecorded {
                round: 6, results, ..
            } => Some(results),
            _ => None,
        })
        .unwrap()
}

#[test]
fn the_guard_refuses_a_poll_with_more_ballots_than_members() {
    assert!(guarded(|_| {}).is_empty());
    let refused = guarded(|news| {
        let guterres = sixth_poll(news)
            .iter_mut()
            .find(|r| r.candidate == "antonio-guterres")
            .unwrap();
        guterres.discourage = 1;
        guterres.p5_discourage = Some(2);
    });
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("results[0].encourage: round 6, antonio-guterres: 13 encourage + 1 discourage + 2 no opinion = 16 ballots, more than the 15 members (expected at most one ballot per member)"), "{refused:?}");
    assert!(refused[1].contains("results[0].p5_discourage: round 6, antonio-guterres: 2 permanent members' discouragements out of 1 discouragements"), "{refused:?}");
}

#[test]
fn the_guard_refuses_a_round_before_the_candidate_entered_in_either_order() {
    use concord_domain::event::{EventKind, StrawPollResult};
    // Georgieva (entered 28 September) counted in the fifth poll (26 September).
    let line = StrawPollResult {
        candidate: "kristalina-georgieva".into(),
        encourage: 1,
        discourage: 1,
        no_opinion: 1,
        p5_discourage: None,
    };
    let refused = guarded(|news| {
        let fifth = news
            .iter_mut()
            .find_map(|e| match &mut e.kind {
                EventKind::StrawPollRecorded {
                    round: 5, results, ..
                } => Some(results),
                _ => None,
            })
            .unwrap();
        fifth.push(line.clone());
    });
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains(
            "round 5 on 2016-09-26 counts 'kristalina-georgieva', who entered only on 2016-09-28"
        ),
        "{refused:?}"
    );
    // The candidacy first in the batch, or the poll first: the same refusal.
    let refused = guarded(|news| {
        let entry = news
            .iter()
            .position(|e| matches!(&e.kind, EventKind::CandidateEntered { candidate, .. } if candidate.id == "kristalina-georgieva"))
            .unwrap();
        let entry = news.remove(entry);
        let fifth = news
            .iter_mut()
            .find_map(|e| match &mut e.kind {
                EventKind::StrawPollRecorded {
                    round: 5, results, ..
                } => Some(results),
                _ => None,
            })
            .unwrap();
        fifth.push(line.clone());
        news.push(entry);
    });
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains(
            "round 5 on 2016-09-26 counts 'kristalina-georgieva', who entered only on 2016-09-28"
        ),
        "{refused:?}"
    );
}

#[test]
fn the_guard_refuses_a_round_naming_a_candidate_twice() {
    let refused = guarded(|news| {
        let six = sixth_poll(news);
        let again = six[0].clone();
        six.push(again);
    });
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(
        refused[0].contains("round 6 names candidate 'antonio-guterres' twice"),
        "{refused:?}"
    );
}

#[test]
fn the_guard_refuses_a_package_naming_a_post_twice() {
    use concord_domain::event::EventKind;
    let text = include_str!("../../../scenarios/eu-top-jobs-2024.toml");
    let s = scenario::parse("eu-top-jobs-2024.toml", text, "test").unwrap();
    let mut news = s.into_events("test");
    let EventKind::ContestOpened { contest } = &mut news[0].kind else {
        panic!("the opening first")
    };
    let first = contest.posts[0].clone();
    contest.posts.push(first.clone());
    let k = contest.posts.len() - 1;
    let refused = concord_domain::Guard::create(&news, jiff::Timestamp::MAX).unwrap_err();
    assert_eq!(refused.0.len(), 1, "{refused}");
    assert_eq!(refused.0[0].field, format!("posts[{k}].id"));
    assert_eq!(
        refused.0[0].message,
        format!("the package names post '{}' twice", first.id)
    );
}

#[test]
fn the_verdict_of_the_latest_poll_is_read_against_nine_and_the_veto() {
    let at = |d: Date| RoundsView::build(&unsg(d)).unwrap().latest.unwrap();
    let six = at(date(2016, 10, 5));
    assert_eq!((six.round, six.reading), (6, PollReading::Meets));
    assert_eq!(six.candidates, ["Antonio Guterres"]);
    assert_eq!(
        six.text,
        "Antonio Guterres passes: 13 encouragements (9 needed), no permanent member's discouragement"
    );
    let two = at(date(2016, 8, 5));
    assert_eq!(two.reading, PollReading::MeetsUnlessVetoed);
    assert!(
        two.text
            .contains("2 uncoloured discouragements may hide a permanent member's veto"),
        "{}",
        two.text
    );
}
