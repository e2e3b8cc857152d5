//! The cost of checking a stored chain: `Tip::extend` over a 10,000-event contest (decode
//! each payload, check it is exactly its kind, recompute the seal over the stored bytes, check
//! the link), and the cost of sealing the same events. `cargo bench -p concord-domain`.

use concord_domain::chain::{EventText, Record, Tip};
use concord_domain::event::{Event, seal_all};

const EVENTS: usize = 10_000;
const SCENARIO: &str = include_str!("../../../scenarios/nato-sg-2024.toml");

fn main() {
    divan::main();
}

/// The bundled scenario's events, repeated to `EVENTS`, sealed as the ledger seals them.
fn sealed() -> Vec<Event> {
    let scenario = concord_domain::scenario::parse("nato.toml", SCENARIO, "bench").expect("valid");
    let one = scenario.into_events("bench");
    let news = one.iter().cycle().take(EVENTS).cloned().collect();
    seal_all(news, None, "2024-06-20T10:00:00Z".parse().expect("time"))
}

/// The events as a store holds them.
fn stored(events: &[Event]) -> Vec<(u64, EventText, String, String)> {
    events
        .iter()
        .map(|e| (e.seq, e.text(), e.prev_hash.clone(), e.hash.clone()))
        .collect()
}

#[divan::bench(sample_count = 20)]
fn check_10000_events(bencher: divan::Bencher) {
    let rows = stored(&sealed());
    bencher.bench(|| {
        let records: Vec<Record<'_>> = rows
            .iter()
            .map(|(seq, t, prev, hash)| Record {
                seq: *seq,
                valid_date: &t.valid_date,
                recorded_at: &t.recorded_at,
                author: &t.author,
                kind: &t.kind,
                payload: &t.payload,
                prev_hash: prev,
                hash,
            })
            .collect();
        let mut tip = Tip::genesis();
        let events = tip.extend(&records).expect("intact");
        assert_eq!(events.len(), EVENTS);
    });
}

#[divan::bench(sample_count = 20)]
fn seal_10000_events(bencher: divan::Bencher) {
    bencher.bench(sealed);
}
