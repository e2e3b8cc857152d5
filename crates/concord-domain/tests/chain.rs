//! The chain check on stored text, pure: a sealed chain checks whole or in pieces, and each way
//! of breaking it is named with the first bad event; legacy events are accepted only at the
//! start of a chain and only byte for byte.

use concord_domain::chain::{ChainError, EventText, Record, TamperCause, Tip, seal_hash};
use concord_domain::event::{GENESIS_HASH, legacy_event_hash, seal_all};

const SCENARIO: &str = include_str!("../../../scenarios/nato-sg-2024.toml");

/// A stored row: owned text.
#[derive(Debug, Clone)]
struct Row {
    seq: u64,
    text: EventText,
    prev: String,
    hash: String,
}

impl Row {
    fn record(&self) -> Record<'_> {
        Record {
            seq: self.seq,
            valid_date: &self.text.valid_date,
            recorded_at: &self.text.recorded_at,
            author: &self.text.author,
            kind: &self.text.kind,
            payload: &self.text.payload,
            prev_hash: &self.prev,
            hash: &self.hash,
        }
    }
}

fn rows(n: usize) -> Vec<Row> {
    let scenario = concord_domain::scenario::parse("nato.toml", SCENARIO, "t").expect("valid");
    let news = scenario.into_events("t").into_iter().take(n).collect();
    seal_all(news, None, "2024-06-20T10:00:00Z".parse().expect("time"))
        .into_iter()
        .map(|e| Row {
            seq: e.seq,
            text: e.text(),
            prev: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .collect()
}

fn check(rows: &[Row]) -> Result<u64, ChainError> {
    let records: Vec<Record<'_>> = rows.iter().map(Row::record).collect();
    let mut tip = Tip::genesis();
    tip.extend(&records).map(|events| events.len() as u64)
}

fn reseal(row: &mut Row) {
    row.hash = seal_hash(row.seq, &row.text, &row.prev);
}

#[test]
fn a_sealed_chain_checks_whole_and_in_pieces() {
    let rows = rows(20);
    assert_eq!(check(&rows), Ok(20));
    let mut tip = Tip::genesis();
    let (first, rest) = rows.split_at(7);
    let a: Vec<Record<'_>> = first.iter().map(Row::record).collect();
    let b: Vec<Record<'_>> = rest.iter().map(Row::record).collect();
    tip.extend(&a).expect("first part");
    tip.extend(&b).expect("second part");
    assert_eq!((tip.len, tip.hash.as_str()), (20, rows[19].hash.as_str()));
    assert!(!tip.legacy);
}

#[test]
fn each_break_is_named_at_its_first_bad_event() {
    let base = rows(20);

    let mut gap = base.clone();
    gap.remove(9);
    assert_eq!(check(&gap), Err(ChainError::Missing { seq: 10, next: 11 }));

    let mut swapped = base.clone();
    swapped.swap(9, 10);
    (swapped[9].seq, swapped[10].seq) = (10, 11);
    assert_eq!(
        check(&swapped),
        Err(ChainError::Reordered {
            seq: 10,
            chains_to: 11
        })
    );

    let mut inserted = base.clone();
    let mut extra = base[9].clone();
    extra.seq = 11;
    extra.prev = base[9].hash.clone();
    reseal(&mut extra);
    inserted.insert(10, extra);
    for row in inserted.iter_mut().skip(11) {
        row.seq += 1;
    }
    assert_eq!(check(&inserted), Err(ChainError::Inserted { seq: 11 }));

    let mut replaced = base.clone();
    replaced[9].text.author = "mallory".into();
    reseal(&mut replaced[9]);
    assert_eq!(
        check(&replaced),
        Err(ChainError::Broken { seq: 11, prev: 10 })
    );
}

#[test]
fn a_tampered_event_says_what_changed_where_the_record_shows_it() {
    let base = rows(20);
    let cause = |edit: &dyn Fn(&mut Row)| {
        let mut rows = base.clone();
        edit(&mut rows[9]);
        match check(&rows) {
            Err(ChainError::Tampered { seq: 10, cause }) => cause,
            other => panic!("expected event 10 tampered, got {other:?}"),
        }
    };
    assert!(matches!(
        cause(&|r| r.text.kind = "decision_recorded".into()),
        TamperCause::KindMismatch { .. }
    ));
    assert!(matches!(
        cause(&|r| r.text.payload = r.text.payload.replacen('{', "{\"x\":1,", 1)),
        TamperCause::PayloadField { ref path, .. } if path == "$.x"
    ));
    assert_eq!(
        cause(&|r| r.text.payload = r.text.payload.replacen("\":", "\": ", 1)),
        TamperCause::PayloadBytes
    );
    assert!(matches!(
        cause(&|r| r.text.payload = "not json".into()),
        TamperCause::Unreadable {
            column: "payload",
            ..
        }
    ));
    assert!(matches!(
        cause(&|r| r.text.valid_date = "2024-02-30".into()),
        TamperCause::Unreadable {
            column: "valid_date",
            ..
        }
    ));
    assert_eq!(cause(&|r| r.hash = "0".repeat(64)), TamperCause::HashColumn);
    assert!(matches!(
        cause(&|r| r.text.author = "mallory".into()),
        TamperCause::Content { .. }
    ));
}

/// Rows sealed the way the version before scheme 2 did.
fn legacy_rows(n: usize) -> Vec<Row> {
    let recorded_at = "2024-06-20T10:00:00Z".parse().expect("time");
    let scenario = concord_domain::scenario::parse("nato.toml", SCENARIO, "t").expect("valid");
    let mut prev = GENESIS_HASH.to_owned();
    let mut out = Vec::new();
    for (i, new) in scenario.into_events("t").into_iter().take(n).enumerate() {
        let seq = i as u64 + 1;
        let hash = legacy_event_hash(seq, new.valid, recorded_at, &new.author, &new.kind, &prev);
        out.push(Row {
            seq,
            text: EventText::of(new.valid, recorded_at, &new.author, &new.kind),
            prev: prev.clone(),
            hash: hash.clone(),
        });
        prev = hash;
    }
    out
}

#[test]
fn legacy_events_are_accepted_only_before_the_first_sealed_one_and_byte_for_byte() {
    let legacy = legacy_rows(10);
    let mut tip = Tip::genesis();
    let records: Vec<Record<'_>> = legacy.iter().map(Row::record).collect();
    tip.extend(&records).expect("a legacy chain checks");
    assert!(tip.legacy);

    // Scheme 2 after legacy: fine. Legacy after scheme 2: refused.
    let mut mixed = legacy.clone();
    let mut sealed = mixed[9].clone();
    sealed.seq = 11;
    sealed.prev = mixed[9].hash.clone();
    reseal(&mut sealed);
    mixed.push(sealed);
    assert_eq!(check(&mixed), Ok(11));
    let mut late = rows(3);
    let mut old = legacy_rows(4)[3].clone();
    old.prev = late[2].hash.clone();
    let decoded = concord_domain::chain::decode(&old.record()).expect("decodes");
    old.hash = legacy_event_hash(
        4,
        decoded.valid,
        decoded.recorded_at,
        &decoded.author,
        &decoded.kind,
        &old.prev,
    );
    late.push(old);
    assert!(matches!(
        check(&late),
        Err(ChainError::Tampered { seq: 4, .. })
    ));

    // A legacy event whose bytes are not what was written is caught though its hash (of the
    // re-serialisation) still matches.
    let mut spaced = legacy.clone();
    spaced[4].text.payload = spaced[4].text.payload.replacen("\":", "\": ", 1);
    assert_eq!(
        check(&spaced),
        Err(ChainError::Tampered {
            seq: 5,
            cause: TamperCause::PayloadBytes
        })
    );
}
