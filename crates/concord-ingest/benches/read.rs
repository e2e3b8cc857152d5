//! Speed of the reader: `cargo bench -p concord-ingest` reads 1 MiB of news-like text (short
//! paraphrased paragraphs about the NATO 2024 contest, repeated) against the bundled contest.
//! Target: 1 MB in at most 1 s. Divan prints the time per read and the bytes per second.

use concord_domain::{ContestState, scenario};
use concord_ingest::{ContestFacts, Reader};
use divan::counter::BytesCount;
use jiff::civil::{Date, date};

fn main() {
    divan::main();
}

const PARAGRAPHS: &[&str] = &[
    "Germany, France and Spain back Mark Rutte for the top NATO job, while the Baltic states have also thrown their weight behind him.",
    "Hungary will not support the Dutch premier, its foreign minister Péter Szijjártó said on Monday, complicating a deal allies hoped to seal by the end of April.",
    "“We will back him as NATO secretary general,” Estonian Prime Minister Kaja Kallas said after talks in Tallinn, listing defence spending and Ukraine among her priorities.",
    "Romania and Slovakia have withheld their authorization, according to officials familiar with the talks, and Türkiye has not yet backed Rutte.",
    "Klaus Iohannis, the Romanian president, entered the race in March; diplomats say the contest could drag on until the Washington summit on 9 July.",
    "Italy could imagine supporting Rutte, a diplomat said, and Poland is ready to back him if he commits to the eastern flank.",
];

fn nato() -> ContestFacts {
    let text = include_str!("../../../scenarios/nato-sg-2024.toml");
    let parsed = scenario::parse("nato-sg-2024.toml", text, "bench").expect("scenario parses");
    let events = concord_domain::event::seal_all(
        parsed.into_events("bench"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let state = ContestState::fold(&events, Date::MAX).expect("folds");
    ContestFacts::from_state(&state, date(2024, 4, 2))
}

fn megabyte() -> String {
    let mut text = String::with_capacity(1 << 20);
    let mut i = 0;
    while text.len() < 1 << 20 {
        text.push_str(PARAGRAPHS[i % PARAGRAPHS.len()]);
        text.push_str(if i % 3 == 2 { "\n\n" } else { " " });
        i += 1;
    }
    text
}

#[divan::bench(sample_count = 10)]
fn read_one_megabyte(bencher: divan::Bencher) {
    let reader = Reader::bundled().expect("bundled data");
    let facts = nato();
    let text = megabyte();
    bencher
        .counter(BytesCount::new(text.len()))
        .bench(|| reader.read_text(divan::black_box(&text), &facts, date(2024, 4, 2)));
}

#[divan::bench(sample_count = 10)]
fn load_gazetteers_and_lexicon() -> Reader {
    Reader::bundled().expect("bundled data")
}
