//! The reader on short articles written for these tests (paraphrases in our own words, one or
//! two cue types each), against the bundled NATO 2024 contest: who is proposed, with which
//! stance, attribution and evidence — and what is refused.

use concord_domain::model::{Attribution, Stance};
use concord_domain::{ContestState, scenario};
use concord_ingest::{ContestFacts, InputError, ReadError, Reader, Reading, StanceProposal};
use jiff::civil::{Date, date};

fn nato() -> ContestFacts {
    let text = include_str!("../../../scenarios/nato-sg-2024.toml");
    let parsed = scenario::parse("nato-sg-2024.toml", text, "test").expect("scenario parses");
    let events: Vec<concord_domain::Event> = concord_domain::event::seal_all(
        parsed.into_events("test"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let state = ContestState::fold(&events, Date::MAX).expect("folds");
    ContestFacts::from_state(&state, date(2024, 4, 2))
}

fn read(text: &str) -> Reading {
    let reader = Reader::bundled().expect("bundled data");
    reader
        .read_text(text, &nato(), date(2024, 4, 2))
        .expect("the article is read")
}

fn find<'a>(r: &'a Reading, member: &str, candidate: &str) -> &'a StanceProposal {
    r.stances
        .iter()
        .find(|p| p.member == member && p.candidate == candidate)
        .unwrap_or_else(|| panic!("no proposal for {member}/{candidate}: {:#?}", r.stances))
}

fn members(r: &Reading) -> Vec<&str> {
    r.stances.iter().map(|p| p.member.as_str()).collect()
}

#[test]
fn a_list_a_group_and_a_refusal_on_the_record() {
    let text = "Germany, France and Spain back Mark Rutte for the top NATO job. \
        The Baltic states have also thrown their weight behind him. \
        Hungary will not support the Dutch premier, its foreign minister Péter Szijjártó said on Monday.";
    let r = read(text);
    for m in ["DEU", "FRA", "ESP"] {
        let p = find(&r, m, "rutte");
        assert_eq!(p.stance, Stance::Supports);
        assert_eq!(p.attribution, Attribution::Inferred);
        assert_eq!(p.group, None);
    }
    for m in ["EST", "LVA", "LTU"] {
        let p = find(&r, m, "rutte");
        assert_eq!(p.stance, Stance::Supports);
        assert_eq!(p.group.as_deref(), Some("Baltic states"));
    }
    let hun = find(&r, "HUN", "rutte");
    assert_eq!(hun.stance, Stance::Objects);
    assert_eq!(hun.attribution, Attribution::OnRecord);
    assert!(
        hun.speaker
            .as_deref()
            .unwrap()
            .starts_with("Péter Szijjártó")
    );
    // The evidence is the sentence, at its byte offsets.
    let e = &hun.evidence[0];
    assert_eq!(&text[e.start..e.end], e.text);
    assert!(e.text.starts_with("Hungary will not support"));
    // Nobody else: the Dutch describe the candidate, they do not act.
    assert_eq!(r.stances.len(), 7, "{:?}", members(&r));
}

#[test]
fn hedges_make_an_inclination_and_readiness_makes_backing() {
    let r = read(
        "Mark Rutte is the favourite. Italy could imagine supporting Rutte, a diplomat said. \
         Poland is ready to back him.",
    );
    let ita = find(&r, "ITA", "rutte");
    assert_eq!(ita.stance, Stance::Leans);
    assert_eq!(ita.attribution, Attribution::Anonymous);
    assert_eq!(find(&r, "POL", "rutte").stance, Stance::Supports);
}

#[test]
fn holds_not_yet_given_and_holds_withheld() {
    let r = read(
        "Rutte remains the front-runner for NATO's top post. Romania and Slovakia have withheld their \
         authorization. Türkiye has not yet backed Rutte.",
    );
    for m in ["ROU", "SVK", "TUR"] {
        assert_eq!(find(&r, m, "rutte").stance, Stance::Withholds, "{m}");
    }
}

#[test]
fn backing_tied_to_a_condition_is_conditional() {
    let r = read(
        "NATO allies weigh Mark Rutte. Türkiye would back Rutte if he pledges to fight terrorism.",
    );
    let tur = find(&r, "TUR", "rutte");
    assert_eq!(tur.stance, Stance::Conditional);
    assert_eq!(tur.conditions, ["he pledges to fight terrorism"]);
    assert_eq!(r.conditions.len(), 1);
    assert_eq!(r.conditions[0].member, "TUR");
}

#[test]
fn a_superseded_objection_gives_way_to_the_current_backing() {
    let r = read(
        "The race for NATO secretary general is nearly over. Hungary had opposed Mark Rutte until this week, \
         but it now backs him.",
    );
    let hun = find(&r, "HUN", "rutte");
    assert_eq!(hun.stance, Stance::Supports);
    assert!(
        r.notes.iter().any(|n| n.starts_with("superseded")),
        "{:?}",
        r.notes
    );
}

#[test]
fn no_position_is_undeclared() {
    let r = read(
        "Klaus Iohannis and Mark Rutte want to lead NATO. Portugal has not taken a position on Rutte.",
    );
    assert_eq!(find(&r, "PRT", "rutte").stance, Stance::Undeclared);
}

#[test]
fn a_quotation_speaks_for_its_speakers_state() {
    let text = "Mark Rutte met Kaja Kallas in Tallinn. “We will back him as NATO secretary general,” \
        Estonian Prime Minister Kaja Kallas said after the talks.";
    let r = read(text);
    let est = find(&r, "EST", "rutte");
    assert_eq!(est.stance, Stance::Supports);
    assert_eq!(est.attribution, Attribution::OnRecord);
    assert!(est.speaker.as_deref().unwrap().starts_with("Kaja Kallas"));
}

#[test]
fn an_institution_speaks_officially_and_unnamed_officials_anonymously() {
    let r = read(
        "NATO's choice is near. The Spanish foreign ministry said in a statement that Spain supports Rutte. \
         Romania is resisting Rutte, according to officials familiar with the talks.",
    );
    assert_eq!(find(&r, "ESP", "rutte").attribution, Attribution::Official);
    let rou = find(&r, "ROU", "rutte");
    assert_eq!(rou.stance, Stance::Withholds);
    assert_eq!(rou.attribution, Attribution::Anonymous);
}

#[test]
fn a_states_own_national_is_derived_not_proposed() {
    let r = read("Romania nominated Klaus Iohannis for NATO secretary general on Tuesday.");
    assert!(r.stances.is_empty(), "{:#?}", r.stances);
}

#[test]
fn a_withdrawal_and_a_milestone_are_proposed() {
    let r = read(
        "Klaus Iohannis withdrew his candidacy on Thursday. Allies aim to decide by the end of May. \
         They had hoped to approve it by the end of April. Romania then said it backs the remaining \
         candidate.",
    );
    assert_eq!(r.withdrawals.len(), 1);
    assert_eq!(r.withdrawals[0].candidate, "iohannis");
    // The end of May is new; the end of April is a milestone the contest already has.
    let dates: Vec<Date> = r.milestones.iter().map(|m| m.date).collect();
    assert_eq!(dates, [date(2024, 5, 31)]);
    // With Iohannis out, "the remaining candidate" is Rutte.
    assert_eq!(find(&r, "ROU", "rutte").stance, Stance::Supports);
}

#[test]
fn html_is_stripped_and_offsets_point_into_the_plain_text() {
    let reader = Reader::bundled().unwrap();
    let html = "<html><body><h1>NATO</h1><p>Germany backs <b>Mark Rutte</b>.</p></body></html>";
    let (text, r) = reader
        .read_bytes(html.as_bytes(), &nato(), date(2024, 4, 2))
        .expect("reads");
    let deu = find(&r, "DEU", "rutte");
    let e = &deu.evidence[0];
    assert_eq!(&text[e.start..e.end], "Germany backs Mark Rutte.");
}

#[test]
fn bad_input_is_refused_with_a_reason_and_nothing_proposed() {
    let reader = Reader::bundled().unwrap();
    let facts = nato();
    let d = date(2024, 4, 2);
    assert_eq!(
        reader.read_bytes(b"", &facts, d).unwrap_err(),
        ReadError::Input(InputError::Empty)
    );
    assert!(matches!(
        reader.read_bytes(b"\x7fELF\x02\x01\x01\x00\x00", &facts, d),
        Err(ReadError::Input(InputError::Binary { .. }))
    ));
    let huge = vec![b'a'; 50 * 1024 * 1024];
    let err = reader.read_bytes(&huge, &facts, d).unwrap_err();
    assert!(err.to_string().contains("at most"), "{err}");
    let other = reader
        .read_bytes(
            b"The World Trade Organization's members chose Roberto Azevedo; Brazil backed him.",
            &facts,
            d,
        )
        .unwrap_err();
    assert!(
        matches!(other, ReadError::NotAboutContest { .. }),
        "{other}"
    );
    assert!(
        other.to_string().contains("does not mention NATO"),
        "{other}"
    );
}
