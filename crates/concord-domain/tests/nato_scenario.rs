//! The bundled scenario `scenarios/nato-sg-2024.toml`: it parses, and replayed day by day it
//! shows what a user of `concord demo` would notice — the board of 2 April 2024 (Hungary,
//! Romania and Slovakia holding Rutte; Estonia on board through conditions he met; Türkiye
//! pending), the contest before Iohannis and Sweden, and its end on 26 June 2024.

use std::collections::BTreeSet;

use concord_domain::board::Basis;
use concord_domain::event::seal_all;
use concord_domain::rules::{Hold, Status};
use concord_domain::scenario::parse;
use concord_domain::{
    Board, CandidateStatus, ContestState, ContestStatus, Event, MilestoneKind, Stance, Verdict,
};
use jiff::civil::{Date, date};

const SCENARIO: &str = include_str!("../../../scenarios/nato-sg-2024.toml");

fn events() -> Vec<Event> {
    let scenario = parse("scenarios/nato-sg-2024.toml", SCENARIO, "test")
        .unwrap_or_else(|d| panic!("the bundled scenario must parse:\n{d:?}"));
    let recorded_at: jiff::Timestamp = "2024-07-01T00:00:00Z".parse().expect("timestamp");
    seal_all(scenario.into_events("test"), None, recorded_at)
}

struct View {
    state: ContestState,
    board: Board,
    verdict: Verdict,
}

fn as_of(events: &[Event], day: Date) -> View {
    let state = ContestState::fold(events, day).expect("fold");
    let board = Board::of(&state);
    let verdict = Verdict::of(&state, &board).expect("verdict");
    View {
        state,
        board,
        verdict,
    }
}

impl View {
    fn evaluation(&self, candidate: &str) -> &concord_domain::rules::Evaluation {
        &self
            .verdict
            .candidates
            .iter()
            .find(|c| c.candidate == candidate)
            .unwrap_or_else(|| panic!("{candidate} not in the verdict"))
            .evaluation
    }

    fn blockers(&self, candidate: &str) -> BTreeSet<String> {
        self.evaluation(candidate)
            .blockers
            .iter()
            .map(|b| b.member.clone())
            .collect()
    }
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| (*c).to_owned()).collect()
}

#[test]
fn the_scenario_defines_nato_and_its_32_allies() {
    let scenario = parse("scenarios/nato-sg-2024.toml", SCENARIO, "test").expect("parses");
    let def = &scenario.definition;
    assert_eq!(def.id, "nato-sg-2024");
    assert_eq!(def.featured_date, Some(date(2024, 4, 2)));
    assert_eq!(scenario.opened, date(2023, 7, 4));
    assert_eq!(def.office.incumbent.as_deref(), Some("Jens Stoltenberg"));
    assert_eq!(def.office.term_end, date(2024, 10, 1));
    assert_eq!(def.rule.name(), "consensus");
    let members = &def.organisation.members;
    assert_eq!(members.len(), 32);
    let eu: BTreeSet<&str> = members
        .iter()
        .filter(|m| m.has_tag("eu"))
        .map(|m| m.code.as_str())
        .collect();
    assert_eq!(eu.len(), 23, "23 allies are EU members");
    assert!(!eu.contains("TUR") && !eu.contains("GBR") && eu.contains("SWE"));
    // Every ally but Iceland (no armed forces) has NATO's June 2024 spending estimate.
    for m in members {
        assert_eq!(
            m.attributes.contains_key("defence_pct_gdp_2024"),
            m.code != "ISL",
            "{}",
            m.code
        );
        assert!(
            !m.attributes.contains_key("population"),
            "no invented population"
        );
    }
    let pol = members.iter().find(|m| m.code == "POL").expect("POL");
    assert_eq!(pol.attributes["defence_pct_gdp_2024"], 4.12);
    for code in ["HUN", "ROU", "SVK"] {
        let m = members.iter().find(|m| m.code == code).expect(code);
        assert!(m.has_tag("region:central-europe"), "{code}");
    }
    // Every event carries a source.
    for e in &scenario.events {
        let report = e.kind.report().expect("scenario events carry a report");
        assert!(!report.source.trim().is_empty());
    }
}

#[test]
fn on_2_april_2024_three_allies_hold_rutte_and_turkiye_is_pending() {
    let events = events();
    let v = as_of(&events, date(2024, 4, 2));

    assert_eq!(v.state.current_members().count(), 32);
    assert_eq!(v.board.members.len(), 32);
    assert_eq!(
        v.board.candidates,
        vec!["rutte".to_owned(), "iohannis".to_owned()]
    );
    assert_eq!(v.verdict.status, ContestStatus::Blocked);

    // The holdouts, each with a reason and a source.
    for (code, stance) in [
        ("HUN", Stance::Objects),
        ("ROU", Stance::Withholds),
        ("SVK", Stance::Withholds),
    ] {
        let cell = v.board.cell(code, "rutte").expect(code);
        assert_eq!(cell.effective, stance, "{code}");
        assert!(cell.holds(), "{code}");
        assert!(!cell.reasons.is_empty(), "{code} has a reason");
        assert!(
            cell.source.as_deref().is_some_and(|s| !s.is_empty()),
            "{code} has a source"
        );
    }
    let hun = v.board.cell("HUN", "rutte").expect("HUN");
    assert_eq!(hun.linked_to.as_deref(), Some("eu-top-jobs-2024"));
    // The article's own report: the grievance in its words, and the EU-style tactics.
    assert!(hun.reasons.iter().any(|r| r.contains("bend Hungary")));
    assert!(hun.reasons.iter().any(|r| r.contains("EU-style")));
    let svk = v.board.cell("SVK", "rutte").expect("SVK");
    assert_eq!(svk.follows.as_deref(), Some("HUN"));

    // Romania also backs its own national: an implicit preference, derived.
    let rou = v.board.cell("ROU", "rutte").expect("ROU");
    assert_eq!(rou.prefers.as_deref(), Some("iohannis"));
    let rou_i = v.board.cell("ROU", "iohannis").expect("ROU on Iohannis");
    assert_eq!(rou_i.effective, Stance::Supports);
    assert_eq!(rou_i.basis, Basis::OwnNational);

    // Estonia: conditional on four priorities, all met by Rutte's commitment.
    let est = v.board.cell("EST", "rutte").expect("EST");
    assert_eq!(est.stated, Stance::Conditional);
    assert_eq!(est.effective, Stance::Supports);
    assert_eq!(est.basis, Basis::ConditionsMet);
    assert_eq!(est.conditions.len(), 4);
    assert!(est.conditions.iter().all(|c| c.met));

    // Türkiye: conditions set on 31 March, not met: pending, not a block.
    let tur = v.board.cell("TUR", "rutte").expect("TUR");
    assert!(tur.pending());
    assert!(!tur.holds());
    assert_eq!(tur.conditions.len(), 2);
    assert!(tur.conditions.iter().all(|c| !c.met));

    // The Netherlands backs its own national without a report.
    let nld = v.board.cell("NLD", "rutte").expect("NLD");
    assert_eq!(nld.basis, Basis::OwnNational);

    // The verdict on Rutte: blocked by exactly Hungary, Romania and Slovakia; Türkiye pending.
    let rutte = v.evaluation("rutte");
    assert_eq!(rutte.status, Status::Blocked);
    assert_eq!(v.blockers("rutte"), set(&["HUN", "ROU", "SVK"]));
    assert_eq!(rutte.pending, vec!["TUR".to_owned()]);
    for b in &rutte.blockers {
        assert!(!b.hold.is_implicit(), "{} holds Rutte explicitly", b.member);
    }
    assert_eq!(rutte.tally.supports, 28);

    // Iohannis is blocked by every ally backing Rutte, implicitly.
    let backing_rutte: BTreeSet<String> = v
        .board
        .column("rutte")
        .filter(|c| c.effective == Stance::Supports)
        .map(|c| c.member.clone())
        .collect();
    assert_eq!(backing_rutte.len(), 28);
    let iohannis = v.evaluation("iohannis");
    assert_eq!(iohannis.status, Status::Blocked);
    assert_eq!(v.blockers("iohannis"), backing_rutte);
    for b in &iohannis.blockers {
        assert_eq!(
            b.hold,
            Hold::PrefersRival {
                rival: "rutte".to_owned()
            },
            "{}",
            b.member
        );
    }

    // Kallas is floated, not in the race.
    let kallas = v.state.candidate("kallas").expect("Kallas is known");
    assert_eq!(kallas.status, CandidateStatus::Potential);
    assert!(!v.board.candidates.iter().any(|c| c == "kallas"));

    // The milestones, with the Washington summit as the deadline that matters.
    let milestones: Vec<(&str, MilestoneKind, Date)> = v
        .state
        .milestones
        .iter()
        .map(|m| (m.id.as_str(), m.kind, m.date))
        .collect();
    assert_eq!(
        milestones,
        vec![
            ("fm-brussels", MilestoneKind::Meeting, date(2024, 4, 3)),
            ("end-april", MilestoneKind::Target, date(2024, 4, 30)),
            (
                "washington-summit",
                MilestoneKind::HardDeadline,
                date(2024, 7, 9)
            ),
            ("term-end", MilestoneKind::TermEnd, date(2024, 10, 1)),
        ]
    );
    assert_eq!(
        v.state.focal_deadline().map(|m| m.id.as_str()),
        Some("washington-summit")
    );
}

#[test]
fn on_15_february_2024_there_is_no_iohannis_and_no_sweden() {
    let events = events();
    let v = as_of(&events, date(2024, 2, 15));
    assert!(v.state.candidate("iohannis").is_none());
    assert_eq!(v.state.current_members().count(), 31);
    assert!(!v.board.members.iter().any(|m| m == "SWE"));
    // Rutte had only signalled interest: not yet in the race.
    assert_eq!(
        v.state.candidate("rutte").map(|c| c.status),
        Some(CandidateStatus::Potential)
    );
    assert_eq!(v.verdict.status, ContestStatus::NoCandidates);
    // Only the term end was known.
    assert_eq!(v.state.milestones.len(), 1);
}

#[test]
fn sweden_counts_from_its_accession() {
    let events = events();
    assert_eq!(as_of(&events, date(2024, 3, 6)).board.members.len(), 31);
    let v = as_of(&events, date(2024, 3, 7));
    assert_eq!(v.board.members.len(), 32);
    assert_eq!(
        v.board.cell("SWE", "rutte").map(|c| c.effective),
        Some(Stance::Supports)
    );
}

#[test]
fn a_swedish_stance_before_accession_is_rejected() {
    let valid = "date = \"2024-03-07\"\ntype = \"stance\"\nmember = \"SWE\"";
    assert_eq!(SCENARIO.matches(valid).count(), 1);
    let early = SCENARIO.replace(
        valid,
        "date = \"2024-03-06\"\ntype = \"stance\"\nmember = \"SWE\"",
    );
    let err = parse("early.toml", &early, "test").expect_err("SWE was not a member on 2024-03-06");
    assert!(
        format!("{err:?}").contains("SWE was not a member on 2024-03-06"),
        "{err:?}"
    );
}

#[test]
fn on_20_june_2024_rutte_is_clear_and_on_26_june_decided() {
    let events = events();

    let v = as_of(&events, date(2024, 6, 20));
    assert_eq!(
        v.board.candidates,
        vec!["rutte".to_owned()],
        "Iohannis withdrew"
    );
    assert_eq!(
        v.state.candidate("iohannis").map(|c| c.status),
        Some(CandidateStatus::Withdrawn)
    );
    let rutte = v.evaluation("rutte");
    assert_eq!(rutte.status, Status::Clear);
    assert!(rutte.blockers.is_empty());
    assert!(rutte.pending.is_empty());
    assert!(v.board.column("rutte").all(|c| !c.holds()));
    assert_eq!(rutte.tally.supports, 32, "all 32 allies behind Rutte");
    assert_eq!(v.verdict.status, ContestStatus::Clear);
    for code in ["HUN", "SVK"] {
        let cell = v.board.cell(code, "rutte").expect(code);
        assert_eq!(cell.basis, Basis::ConditionsMet, "{code}");
    }

    let v = as_of(&events, date(2024, 6, 26));
    assert_eq!(v.verdict.status, ContestStatus::Decided);
    assert_eq!(v.verdict.decided.as_deref(), Some("rutte"));
    assert_eq!(
        v.state.candidate("rutte").map(|c| c.status),
        Some(CandidateStatus::Appointed)
    );
}

#[test]
fn replayed_day_by_day_rutte_is_blocked_from_5_march_to_19_june() {
    let events = events();
    let mut day = date(2023, 7, 4);
    let mut blocked_days = Vec::new();
    while day <= date(2024, 6, 26) {
        let v = as_of(&events, day);
        if let Some(c) = v.verdict.candidates.iter().find(|c| c.candidate == "rutte")
            && c.evaluation.status == Status::Blocked
        {
            blocked_days.push(day);
        }
        day = day.tomorrow().expect("date");
    }
    assert_eq!(blocked_days.first(), Some(&date(2024, 3, 5)));
    assert_eq!(blocked_days.last(), Some(&date(2024, 6, 19)));
    // Blocked every day in between (Hungary's objection never lapses before 18 June,
    // Romania's hold before 20 June).
    let span = (date(2024, 6, 19) - date(2024, 3, 5)).get_days() + 1;
    assert_eq!(blocked_days.len() as i32, span);
    // On 18–19 June only Romania still holds (its own candidate had not yet withdrawn).
    let v = as_of(&events, date(2024, 6, 19));
    assert_eq!(v.blockers("rutte"), set(&["ROU"]));
}

/// The audit's rule: every event records when its source was published, and none is dated
/// before it — replaying "as of" a day never uses what no source had reported by then.
#[test]
fn no_event_is_dated_before_its_source_was_published() {
    let events = events();
    let mut checked = 0;
    for e in &events {
        let Some(report) = e.kind.report() else {
            continue;
        };
        let published = report.published.unwrap_or_else(|| {
            panic!(
                "event {} ({}, {}) does not say when its source was published",
                e.seq,
                e.kind.name(),
                e.valid
            )
        });
        assert!(
            e.valid >= published,
            "event {} ({}) is dated {} but its source was published on {published}: {}",
            e.seq,
            e.kind.name(),
            e.valid,
            report.source
        );
        checked += 1;
    }
    assert!(checked > 40, "only {checked} events carry a report");
}

/// On 20 March only what had been reported by then: Hungary's "EU-style negotiation tactics"
/// (2 April article) is not yet a reason, and its hold is not yet linked to the EU talks.
#[test]
fn on_20_march_2024_only_what_was_known_then() {
    let events = events();
    let v = as_of(&events, date(2024, 3, 20));
    let hun = v.board.cell("HUN", "rutte").expect("HUN");
    assert_eq!(hun.effective, Stance::Objects);
    assert!(
        hun.reasons.iter().all(|r| !r.contains("EU-style")),
        "{:?}",
        hun.reasons
    );
    assert_eq!(hun.linked_to, None);
    // Nothing from the article: no milestones of its own, no Kallas, no Estonian conditions.
    assert!(v.state.milestones.iter().all(|m| m.id == "term-end"));
    assert!(v.state.candidate("kallas").is_none());
    assert_eq!(v.state.conditions_of("EST", "rutte").count(), 0);

    // The reason enters on 2 April, as the article's own report.
    let v = as_of(&events, date(2024, 4, 2));
    let hun = v.board.cell("HUN", "rutte").expect("HUN");
    assert!(hun.reasons.iter().any(|r| r.contains("EU-style")));
    assert_eq!(hun.date, Some(date(2024, 4, 2)));
    assert_eq!(hun.linked_to.as_deref(), Some("eu-top-jobs-2024"));
}

/// Hungary's conditions stand from the days they were first reported: the opt-out from 24 May
/// (so the board of 1 June has it), the demand for respect from 6 June.
#[test]
fn hungarys_conditions_enter_when_first_reported() {
    let events = events();
    let ids = |day: Date| -> Vec<String> {
        let v = as_of(&events, day);
        v.state
            .conditions_of("HUN", "rutte")
            .map(|c| c.id.clone())
            .collect()
    };
    assert!(ids(date(2024, 5, 23)).is_empty());
    assert_eq!(ids(date(2024, 6, 1)), vec!["ukraine-opt-out".to_owned()]);
    assert_eq!(ids(date(2024, 6, 5)).len(), 1);
    assert_eq!(ids(date(2024, 6, 6)).len(), 2);
}

/// One candidate at a time: on 19 June Hungary backs Rutte (conditions met, 18 June), and its
/// support for Iohannis of 3 April is superseded — a hold on Iohannis in favour of Rutte, not
/// a second support.
#[test]
fn on_19_june_2024_hungary_backs_rutte_and_its_iohannis_support_is_superseded() {
    let events = events();
    let v = as_of(&events, date(2024, 6, 19));
    let rutte = v.board.cell("HUN", "rutte").expect("HUN on Rutte");
    assert_eq!(rutte.effective, Stance::Supports);
    assert_eq!(rutte.basis, Basis::ConditionsMet);
    let iohannis = v.board.cell("HUN", "iohannis").expect("HUN on Iohannis");
    assert_eq!(
        iohannis.stated,
        Stance::Supports,
        "the report stays in the trail"
    );
    assert_ne!(iohannis.effective, Stance::Supports);
    assert_eq!(iohannis.basis, Basis::Superseded);
    assert_eq!(
        iohannis
            .superseded_by
            .as_ref()
            .map(|s| s.candidate.as_str()),
        Some("rutte")
    );
    assert_eq!(iohannis.prefers.as_deref(), Some("rutte"));
    let supporters_of_iohannis: BTreeSet<String> = v
        .board
        .column("iohannis")
        .filter(|c| c.effective == Stance::Supports)
        .map(|c| c.member.clone())
        .collect();
    assert_eq!(supporters_of_iohannis, set(&["ROU"]));
}

/// The board says what would unblock a blocking member: on 1 June Hungary objects, and its
/// open condition (the opt-out of 24 May) stands on its cell; Slovakia's air-defence request
/// (4 April, asked of every candidate) on Slovakia's.
#[test]
fn the_board_shows_the_conditions_of_blocking_members() {
    let events = events();
    let v = as_of(&events, date(2024, 6, 1));
    let hun = v.board.cell("HUN", "rutte").expect("HUN");
    assert_eq!(hun.effective, Stance::Objects);
    let asked: Vec<(&str, bool)> = hun.asked.iter().map(|c| (c.id.as_str(), c.met)).collect();
    assert_eq!(asked, vec![("ukraine-opt-out", false)]);
    let svk = v.board.cell("SVK", "rutte").expect("SVK");
    assert_eq!(svk.effective, Stance::Withholds);
    assert_eq!(svk.asked.len(), 1);
    assert_eq!(svk.asked[0].id, "air-defence");
    assert!(!svk.asked[0].met);

    // On 18 June Rutte's commitments meet both of Hungary's conditions, each named.
    let v = as_of(&events, date(2024, 6, 18));
    let hun = v.board.cell("HUN", "rutte").expect("HUN");
    assert_eq!(hun.asked.len(), 2);
    assert!(hun.asked.iter().all(|c| c.met && c.met_by.is_some()));
}
