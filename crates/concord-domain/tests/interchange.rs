//! Reading the interchange format as a forecaster must: sizes bounded at their JSON path, a
//! free-text winner mapped or refused, groups counted, candidates entering when first
//! mentioned, events placed when they became known, the term end known only once stated.

use concord_domain::event::seal_all;
use concord_domain::interchange::{self, Case};
use concord_domain::model::{CandidateStatus, Stance};
use concord_domain::state::ContestState;
use jiff::civil::{Date, date};
use serde_json::{Value, json};

fn case(events: Value) -> Value {
    json!({
        "id": "test-2000",
        "organisation": "Test",
        "office": "Secretary General",
        "decision_rule": "consensus",
        "members_count": 10,
        "candidates": ["Ann Example", "Bob Sample"],
        "events": events,
        "outcome": {"winner": "Ann Example", "decision_date": "2000-06-30"}
    })
}

fn event(date: &str, kind: &str, candidate: Option<&str>, extra: Value) -> Value {
    let mut e = json!({
        "date": date,
        "kind": kind,
        "actor": "someone",
        "candidate": candidate,
        "detail": "what happened",
        "source": "https://example.org/report (Example, 2000)"
    });
    for (k, v) in extra.as_object().unwrap() {
        e[k] = v.clone();
    }
    e
}

fn parse(doc: &Value) -> Result<Case, String> {
    interchange::parse("test.json", &doc.to_string()).map_err(|d| d.to_string())
}

fn state(case: &Case, on: Date) -> ContestState {
    let events = seal_all(
        case.scenario.clone().into_events("test"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    ContestState::fold(&events, on).unwrap()
}

#[test]
fn absurd_sizes_are_refused_at_their_path() {
    let mut doc = case(json!([event(
        "2000-01-01",
        "candidacy",
        Some("Ann Example"),
        json!({})
    )]));
    doc["members_count"] = json!(1_000_000_000_000u64);
    let err = parse(&doc).unwrap_err();
    assert!(err.contains("$.members_count"), "{err}");
    assert!(err.contains("between 1 and 1000"), "{err}");

    let doc = case(json!([event(
        "2000-01-01",
        "straw_poll",
        None,
        json!({"tally": {"Ann Example": {"encourage": 9, "discourage": 9, "no_opinion": 0}}})
    )]));
    let err = parse(&doc).unwrap_err();
    assert!(err.contains("$.events[0].tally"), "{err}");
}

#[test]
fn a_free_text_winner_maps_to_the_one_candidate_it_names_or_is_refused() {
    let mut doc = case(json!([event(
        "2000-01-01",
        "candidacy",
        Some("Ann Example"),
        json!({})
    )]));
    doc["outcome"]["winner"] = json!("Ann Example (as part of a package)");
    assert_eq!(parse(&doc).unwrap().outcome.unwrap().winner, "ann-example");
    doc["outcome"]["winner"] = json!("Anne Exemple");
    let err = parse(&doc).unwrap_err();
    assert!(err.contains("$.outcome.winner"), "{err}");
    assert!(err.contains("did you mean 'Ann Example'"), "{err}");
}

#[test]
fn a_group_gives_its_stance_to_that_many_unnamed_members_and_named_ones_take_their_seats() {
    let doc = case(json!([
        event("2000-01-01", "candidacy", Some("Ann Example"), json!({})),
        event(
            "2000-02-01",
            "endorse",
            Some("Ann Example"),
            json!({"actor": "about half of the members"})
        ),
        event(
            "2000-02-01",
            "endorse",
            Some("Ann Example"),
            json!({"actor_code": "FRA"})
        ),
        event(
            "2000-03-01",
            "object",
            Some("Ann Example"),
            json!({"actor_code": "HUN"})
        ),
    ]));
    let case = parse(&doc).unwrap();
    let s = state(&case, date(2000, 3, 1));
    let members: Vec<&str> = s.current_members().map(|m| m.code.as_str()).collect();
    assert_eq!(members.len(), 10, "the count never changes: {members:?}");
    assert!(members.contains(&"FRA") && members.contains(&"HUN"));
    let backers = concord_domain::Board::of(&s)
        .column("ann-example")
        .filter(|c| c.effective == Stance::Supports)
        .count();
    // Half of ten, France counted in the group it belonged to.
    assert_eq!(backers, 5);
    // Before it is named, Hungary is not a member of the board at all.
    let early = state(&case, date(2000, 2, 15));
    assert!(early.current_members().all(|m| m.code != "HUN"));
}

#[test]
fn candidates_enter_when_first_mentioned_and_floated_ones_join_when_backed() {
    let doc = case(json!([
        event("2000-01-01", "candidacy", Some("Ann Example"), json!({})),
        event("2000-02-01", "floated", Some("Bob Sample"), json!({})),
        event(
            "2000-03-01",
            "vote",
            None,
            json!({"round": 1, "votes": {"Ann Example": 6, "Bob Sample": 4}})
        ),
        event(
            "2000-04-01",
            "endorse",
            Some("Bob Sample"),
            json!({"actor_code": "DEU"})
        ),
    ]));
    let case = parse(&doc).unwrap();
    assert!(
        state(&case, date(2000, 1, 15))
            .candidate("bob-sample")
            .is_none()
    );
    assert_eq!(
        state(&case, date(2000, 2, 15))
            .candidate("bob-sample")
            .unwrap()
            .status,
        CandidateStatus::Potential
    );
    assert_eq!(
        state(&case, date(2000, 4, 1))
            .candidate("bob-sample")
            .unwrap()
            .status,
        CandidateStatus::Declared
    );
}

#[test]
fn an_event_counts_from_when_it_was_reported_and_the_term_end_from_when_it_was_stated() {
    let doc = case(json!([
        event("2000-01-01", "candidacy", Some("Ann Example"), json!({})),
        event(
            "2000-02-01",
            "object",
            Some("Ann Example"),
            json!({"actor_code": "HUN", "published": "2000-02-20"})
        ),
        event(
            "2000-03",
            "deadline",
            None,
            json!({"approx": true, "milestone_kind": "term_end", "deadline_date": "2000-09-30"})
        ),
    ]));
    let case = parse(&doc).unwrap();
    assert!(case.scenario.definition.office.term_end_assumed);
    let before = state(&case, date(2000, 2, 19));
    assert!(before.reports_on("HUN", "ann-example").is_empty());
    assert!(!before.term_end_known);
    let after = state(&case, date(2000, 3, 31));
    assert_eq!(after.reports_on("HUN", "ann-example").len(), 1);
    assert!(after.term_end_known);
    assert_eq!(after.term_end, date(2000, 9, 30));
    // A month-only date counts at the month's end: not known on the 30th.
    assert!(!state(&case, date(2000, 3, 30)).term_end_known);
}

#[test]
fn what_cannot_be_used_is_listed_not_dropped() {
    let doc = case(json!([
        event("2000-01-01", "candidacy", Some("Ann Example"), json!({})),
        event(
            "2000-02-01",
            "endorse",
            Some("Ann Example"),
            json!({"actor": "several delegations"})
        ),
        event("2000-07-01", "took_office", Some("Ann Example"), json!({})),
    ]));
    let case = parse(&doc).unwrap();
    let kinds: Vec<(&str, &str)> = case
        .unused
        .iter()
        .map(|u| (u.path.as_str(), u.kind.as_str()))
        .collect();
    assert_eq!(
        kinds,
        [("$.events[1]", "endorse"), ("$.events[2]", "took_office")]
    );
}
