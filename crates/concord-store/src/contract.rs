//! The contract every [`Store`] backend passes: one async test function per promise of the trait.
//!
//! A backend runs the whole suite with [`contract_tests!`](crate::contract_tests), giving it a
//! function that prepares a fresh, empty database, hands the test an [`Opener`] for it, and
//! cleans up afterwards. The [`Opener`] opens a *new* store instance on that same database at
//! each call, which is how the suite checks durability (drop, reopen, read) and cross-instance
//! notifications (two instances, one database).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;
use std::time::Duration;

pub use futures::future::BoxFuture;

use crate::{
    Appended, KeyRecord, NewEvent, NewProposal, ProposalStatus, Store, StoreError, StoredEvent,
    StreamInfo,
};

/// Opens a new store instance on the database prepared for one test.
pub trait Opener: Sync {
    fn open(&self) -> BoxFuture<'_, Arc<dyn Store>>;
}

impl<F> Opener for F
where
    F: Fn() -> BoxFuture<'static, Arc<dyn Store>> + Sync,
{
    fn open(&self) -> BoxFuture<'_, Arc<dyn Store>> {
        self()
    }
}

/// The shape of every test in this module, as [`contract_tests!`](crate::contract_tests) passes it.
pub type TestFn = for<'a> fn(&'a dyn Opener) -> BoxFuture<'a, ()>;

/// Generates one `#[tokio::test]` per contract test. `$with` is an `async fn(TestFn)` that sets
/// up a fresh database, runs the test against an [`Opener`] for it, and tears the database down.
#[macro_export]
macro_rules! contract_tests {
    ($with:path) => {
        $crate::contract_tests!(@each $with;
            append_then_read_in_order,
            seqs_are_dense_and_one_based,
            conflict_writes_nothing,
            multi_event_append_is_atomic,
            racing_appends_have_one_winner,
            pipelined_appends_commit_in_call_order,
            events_survive_reopening,
            concurrent_appends_are_all_kept_without_interleaving,
            concurrent_appends_through_two_instances_are_serialised,
            streams_are_listed_with_their_heads,
            appends_are_notified,
            appends_are_notified_to_other_instances,
            tokens_are_created_found_listed_and_revoked,
            empty_stream_name_is_rejected,
            proposals_are_stored_once_listed_and_decided_once,
            checkpoints_are_kept_with_the_stream_record,
            signing_keys_are_registered_once,
        );
    };
    (@each $with:path; $($name:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                fn run<'a>(
                    db: &'a dyn $crate::contract::Opener,
                ) -> $crate::contract::BoxFuture<'a, ()> {
                    ::std::boxed::Box::pin($crate::contract::$name(db))
                }
                $with(run).await;
            }
        )*
    };
}

/// How long a notification may take to arrive before the test fails.
const NOTIFY_WITHIN: Duration = Duration::from_secs(10);

/// A recognisable event: every field derives from `tag`, so a read-back can be checked exactly.
pub fn event(tag: &str) -> NewEvent {
    NewEvent {
        valid_date: "2024-04-03".to_owned(),
        recorded_at: "2024-04-03T09:30:00Z".to_owned(),
        author: format!("author-{tag}"),
        kind: "report".to_owned(),
        payload: format!(r#"{{"tag":"{tag}","note":"ünïcødé ✓ 'quotes' \"dq\""}}"#),
        prev_hash: format!("prev-{tag}"),
        hash: format!("hash-{tag}"),
    }
}

fn events(prefix: &str, n: usize) -> Vec<NewEvent> {
    (0..n).map(|i| event(&format!("{prefix}-{i}"))).collect()
}

fn stored(stream: &str, first_seq: u64, events: Vec<NewEvent>) -> Vec<StoredEvent> {
    (first_seq..)
        .zip(events)
        .map(|(seq, e)| StoredEvent::new(stream, seq, e))
        .collect()
}

async fn len(store: &dyn Store, stream: &str) -> u64 {
    store.read(stream, 0).await.expect("read").len() as u64
}

/// Appends come back in order, with every field intact, and `after_seq` filters.
pub async fn append_then_read_in_order(db: &dyn Opener) {
    let store = db.open().await;
    assert_eq!(
        store.read("c", 0).await.unwrap(),
        vec![],
        "unknown stream reads empty"
    );

    let first = store.append("c", 0, events("a", 1)).await.unwrap();
    assert_eq!(first, stored("c", 1, events("a", 1)));
    let second = store.append("c", 1, events("b", 2)).await.unwrap();
    assert_eq!(second, stored("c", 2, events("b", 2)));

    let all = store.read("c", 0).await.unwrap();
    assert_eq!(all, [first.clone(), second.clone()].concat());
    assert_eq!(store.read("c", 1).await.unwrap(), second);
    assert_eq!(store.read("c", 2).await.unwrap(), second[1..].to_vec());
    assert_eq!(store.read("c", 3).await.unwrap(), vec![]);
    assert_eq!(store.read("c", 99).await.unwrap(), vec![]);

    // Streams are independent: another one starts at 1.
    let other = store.append("d", 0, events("x", 1)).await.unwrap();
    assert_eq!(other[0].seq, 1);
    assert_eq!(store.read("c", 0).await.unwrap(), all);
}

/// Seqs are 1, 2, 3, … with no gaps, whatever the batch sizes.
pub async fn seqs_are_dense_and_one_based(db: &dyn Opener) {
    let store = db.open().await;
    let mut expected = 0;
    for size in [1, 3, 1, 5, 2, 1] {
        let got = store
            .append("s", expected, events(&format!("n{expected}"), size))
            .await
            .unwrap();
        let seqs: Vec<u64> = got.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (expected + 1..=expected + size as u64).collect::<Vec<_>>()
        );
        expected += size as u64;
    }
    let seqs: Vec<u64> = store
        .read("s", 0)
        .await
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, (1..=expected).collect::<Vec<_>>());
}

/// A wrong `expected_len`, too low or too high, is a Conflict naming both counts, and writes nothing.
pub async fn conflict_writes_nothing(db: &dyn Opener) {
    let store = db.open().await;
    store.append("c", 0, events("a", 2)).await.unwrap();
    for wrong in [0, 1, 3, 10] {
        match store.append("c", wrong, events("late", 3)).await {
            Err(StoreError::Conflict {
                stream,
                expected,
                actual,
            }) => {
                assert_eq!((stream.as_str(), expected, actual), ("c", wrong, 2));
            }
            other => panic!("expected a conflict for expected_len {wrong}, got {other:?}"),
        }
    }
    // A conflict on a stream that does not exist yet does not create it.
    assert!(matches!(
        store.append("ghost", 1, events("g", 1)).await,
        Err(StoreError::Conflict {
            expected: 1,
            actual: 0,
            ..
        })
    ));
    assert_eq!(
        store.read("c", 0).await.unwrap(),
        stored("c", 1, events("a", 2))
    );
    assert_eq!(store.read("ghost", 0).await.unwrap(), vec![]);
    assert!(
        store
            .streams()
            .await
            .unwrap()
            .iter()
            .all(|s| s.stream != "ghost")
    );

    // An empty append is a pure check.
    assert_eq!(store.append("c", 2, vec![]).await.unwrap(), vec![]);
    assert!(matches!(
        store.append("c", 1, vec![]).await,
        Err(StoreError::Conflict { .. })
    ));
    assert_eq!(len(&*store, "c").await, 2);
}

/// Many events in one append land together, in order, with consecutive seqs.
pub async fn multi_event_append_is_atomic(db: &dyn Opener) {
    let store = db.open().await;
    store.append("m", 0, events("head", 1)).await.unwrap();
    let batch = events("bulk", 200);
    let got = store.append("m", 1, batch.clone()).await.unwrap();
    assert_eq!(got, stored("m", 2, batch));
    assert!(store.append("m", 1, events("rejected", 50)).await.is_err());
    assert_eq!(len(&*store, "m").await, 201);
    assert_eq!(store.read("m", 0).await.unwrap()[1..], got[..]);
}

/// Several writers race to append many events at the same position: exactly one wins, and the
/// stream holds exactly the winner's events.
pub async fn racing_appends_have_one_winner(db: &dyn Opener) {
    let store = db.open().await;
    let racers: Vec<_> = (0..8)
        .map(|r| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                (
                    r,
                    store.append("race", 0, events(&format!("r{r}"), 5)).await,
                )
            })
        })
        .collect();
    let mut winners = vec![];
    for racer in racers {
        let (r, result) = racer.await.unwrap();
        match result {
            Ok(_) => winners.push(r),
            Err(StoreError::Conflict {
                expected: 0,
                actual: 5,
                ..
            }) => {}
            Err(other) => panic!("racer {r}: unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "winners: {winners:?}");
    let winner = format!("r{}", winners[0]);
    assert_eq!(
        store.read("race", 0).await.unwrap(),
        stored("race", 1, events(&winner, 5))
    );
}

/// Appends are queued when called: a task may issue many at increasing `expected_len` before
/// awaiting any, and all commit in call order; once one fails, the rest of the pipeline fails.
pub async fn pipelined_appends_commit_in_call_order(db: &dyn Opener) {
    let store = db.open().await;
    let pending: Vec<_> = (0..100u64)
        .map(|i| store.append("p", i, events(&format!("p{i}"), 1)))
        .collect();
    let mut seqs = vec![];
    for append in pending {
        seqs.push(append.await.expect("pipelined append")[0].seq);
    }
    assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
    let all = store.read("p", 0).await.unwrap();
    assert!(
        all.iter()
            .enumerate()
            .all(|(i, e)| e.author == format!("author-p{i}-0"))
    );

    // A pipeline built on a wrong length fails as a whole: the first append expects 101 events
    // (there are 100), and each later one expects its predecessor to have landed.
    let broken = store.append("p", 101, events("bad", 1));
    let after: Vec<_> = (102..105u64)
        .map(|i| store.append("p", i, events("after", 1)))
        .collect();
    assert!(matches!(broken.await, Err(StoreError::Conflict { .. })));
    for append in after {
        assert!(matches!(append.await, Err(StoreError::Conflict { .. })));
    }
    assert_eq!(len(&*store, "p").await, 100);
}

/// Acknowledged events are still there after the store is dropped and the database reopened.
pub async fn events_survive_reopening(db: &dyn Opener) {
    let written = {
        let store = db.open().await;
        let mut written = store.append("d", 0, events("one", 3)).await.unwrap();
        written.extend(store.append("d", 3, events("two", 1)).await.unwrap());
        store
            .create_token("h1", "chair", "the chair", "2024-04-01T00:00:00Z")
            .await
            .unwrap();
        written
    };
    let store = db.open().await;
    assert_eq!(store.read("d", 0).await.unwrap(), written);
    assert_eq!(store.list_tokens().await.unwrap().len(), 1);
    assert_eq!(
        store.append("d", 4, events("three", 1)).await.unwrap()[0].seq,
        5
    );
}

/// Many tasks append to one shared stream (retrying on conflict) and to their own streams at
/// once: every acknowledged append is present exactly once with its events contiguous, and
/// nothing else is.
pub async fn concurrent_appends_are_all_kept_without_interleaving(db: &dyn Opener) {
    let store = db.open().await;
    hammer(&[Arc::clone(&store)], store).await;
}

/// As [`concurrent_appends_are_all_kept_without_interleaving`], with the tasks split over two
/// store instances on one database (two servers, or two writers on one SQLite file).
pub async fn concurrent_appends_through_two_instances_are_serialised(db: &dyn Opener) {
    let a = db.open().await;
    let b = db.open().await;
    hammer(&[Arc::clone(&a), b], a).await;
}

/// Many tasks, spread over `writers`, append concurrently; `reader` checks the result.
async fn hammer(writers: &[Arc<dyn Store>], reader: Arc<dyn Store>) {
    const TASKS: usize = 24;
    const APPENDS: usize = 8;
    let store = reader;
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let store = Arc::clone(&writers[t % writers.len()]);
            tokio::spawn(async move {
                let mut acked = vec![];
                let mut expected = 0;
                for i in 0..APPENDS {
                    let batch = events(&format!("t{t}-i{i}"), 1 + (t + i) % 3);
                    let own = format!("own-{t}");
                    let own_len = (i as u64) * 2;
                    let own_events = events(&format!("own{t}-{i}"), 2);
                    store
                        .append(&own, own_len, own_events)
                        .await
                        .expect("own stream append");
                    let mut attempts = 0;
                    loop {
                        attempts += 1;
                        assert!(attempts < 10_000, "task {t} starved");
                        match store.append("shared", expected, batch.clone()).await {
                            Ok(got) => {
                                expected = got.last().unwrap().seq;
                                acked.push(got);
                                break;
                            }
                            Err(StoreError::Conflict { actual, .. }) => expected = actual,
                            Err(other) => panic!("task {t}: unexpected {other:?}"),
                        }
                    }
                }
                acked
            })
        })
        .collect();
    let mut acked: Vec<StoredEvent> = vec![];
    for task in tasks {
        for append in task.await.unwrap() {
            // Each acknowledged append's own seqs are consecutive…
            let first = append[0].seq;
            assert!(
                append
                    .iter()
                    .enumerate()
                    .all(|(k, e)| e.seq == first + k as u64)
            );
            acked.extend(append);
        }
    }
    // …and the stream is exactly the acknowledged events, each at its acknowledged seq.
    let all = store.read("shared", 0).await.unwrap();
    acked.sort_by_key(|e| e.seq);
    assert_eq!(
        all.len(),
        acked.len(),
        "stream holds exactly the acknowledged events"
    );
    assert_eq!(all, acked);
    for t in 0..TASKS {
        assert_eq!(
            len(&*store, &format!("own-{t}")).await,
            (APPENDS * 2) as u64
        );
    }
}

/// `streams` lists every non-empty stream by name with its count and last hash.
pub async fn streams_are_listed_with_their_heads(db: &dyn Opener) {
    let store = db.open().await;
    assert_eq!(store.streams().await.unwrap(), vec![]);
    store
        .append("nato-sg-2024", 0, events("n", 3))
        .await
        .unwrap();
    store.append("eu-2019", 0, events("e", 1)).await.unwrap();
    store
        .append("nato-sg-2024", 3, events("m", 1))
        .await
        .unwrap();
    let info = |stream: &str, events: u64, last: &str| StreamInfo {
        stream: stream.to_owned(),
        events,
        last_hash: Some(format!("hash-{last}")),
        checkpoint: None,
    };
    assert_eq!(
        store.streams().await.unwrap(),
        vec![info("eu-2019", 1, "e-0"), info("nato-sg-2024", 4, "m-0")]
    );
}

async fn next_for(rx: &mut tokio::sync::broadcast::Receiver<Appended>, stream: &str) -> Appended {
    let wait = async {
        loop {
            match rx.recv().await {
                Ok(n) if n.stream == stream => return n,
                Ok(_) | Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                Err(e) => panic!("notification channel closed: {e}"),
            }
        }
    };
    tokio::time::timeout(NOTIFY_WITHIN, wait)
        .await
        .expect("no notification in time")
}

/// A subscriber hears each append with the seq of its last event; conflicts are not announced.
pub async fn appends_are_notified(db: &dyn Opener) {
    let store = db.open().await;
    let mut rx = store.subscribe();
    store.append("n", 0, events("a", 2)).await.unwrap();
    assert_eq!(
        next_for(&mut rx, "n").await,
        Appended {
            stream: "n".to_owned(),
            seq: 2
        }
    );
    assert!(store.append("n", 0, events("x", 1)).await.is_err());
    store.append("n", 2, events("b", 1)).await.unwrap();
    assert_eq!(
        next_for(&mut rx, "n").await.seq,
        3,
        "the conflict was not announced"
    );
}

/// Two store instances on one database: an append through one is heard by the other.
pub async fn appends_are_notified_to_other_instances(db: &dyn Opener) {
    let writer = db.open().await;
    let reader = db.open().await;
    let mut rx = reader.subscribe();
    writer.append("x", 0, events("a", 1)).await.unwrap();
    assert_eq!(
        next_for(&mut rx, "x").await,
        Appended {
            stream: "x".to_owned(),
            seq: 1
        }
    );
    assert_eq!(reader.read("x", 0).await.unwrap().len(), 1);
}

/// Tokens: create, find by hash, list in creation order, revoke once.
pub async fn tokens_are_created_found_listed_and_revoked(db: &dyn Opener) {
    let store = db.open().await;
    assert_eq!(store.list_tokens().await.unwrap(), vec![]);
    let chair = store
        .create_token("hash-c", "chair", "Chair", "2024-04-01T08:00:00Z")
        .await
        .unwrap();
    let hun = store
        .create_token(
            "hash-h",
            "delegation:HUN",
            "Hungary",
            "2024-04-01T09:00:00Z",
        )
        .await
        .unwrap();
    assert_ne!(chair.id, hun.id);
    assert_eq!(
        (
            chair.token_hash.as_str(),
            chair.role.as_str(),
            chair.label.as_str()
        ),
        ("hash-c", "chair", "Chair")
    );
    assert_eq!(chair.created_at, "2024-04-01T08:00:00Z");
    assert_eq!(chair.revoked_at, None);
    assert!(matches!(
        store
            .create_token("hash-c", "observer", "dup", "2024-04-02T00:00:00Z")
            .await,
        Err(StoreError::AlreadyExists { .. })
    ));

    assert_eq!(store.find_token("hash-h").await.unwrap(), Some(hun.clone()));
    assert_eq!(store.find_token("nope").await.unwrap(), None);
    assert_eq!(
        store.list_tokens().await.unwrap(),
        vec![chair.clone(), hun.clone()]
    );

    assert!(
        store
            .revoke_token(hun.id, "2024-05-01T00:00:00Z")
            .await
            .unwrap()
    );
    assert!(
        !store
            .revoke_token(hun.id, "2024-06-01T00:00:00Z")
            .await
            .unwrap(),
        "only once"
    );
    assert!(
        !store
            .revoke_token(hun.id.max(chair.id) + 1000, "2024-05-01T00:00:00Z")
            .await
            .unwrap()
    );
    let revoked = store.find_token("hash-h").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at.as_deref(), Some("2024-05-01T00:00:00Z"));
    let listed: BTreeMap<i64, Option<String>> = store
        .list_tokens()
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.id, t.revoked_at))
        .collect();
    assert_eq!(listed[&chair.id], None);
    assert_eq!(listed[&hun.id].as_deref(), Some("2024-05-01T00:00:00Z"));
}

/// A stream needs a name.
pub async fn empty_stream_name_is_rejected(db: &dyn Opener) {
    let store = db.open().await;
    assert!(matches!(
        store.append("", 0, events("a", 1)).await,
        Err(StoreError::Invalid(_))
    ));
    let names: BTreeSet<String> = store
        .streams()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.stream)
        .collect();
    assert!(names.is_empty());
}

fn proposal(key: &str) -> NewProposal {
    NewProposal {
        key: key.to_owned(),
        kind: "stance".to_owned(),
        payload: format!("{{\"key\":\"{key}\"}}"),
    }
}

/// Proposals are stored pending; the same article never stores the same key twice (a rejected
/// one stays rejected); a decision is made once, may replace the payload, and survives reopening.
pub async fn proposals_are_stored_once_listed_and_decided_once(db: &dyn Opener) {
    let store = db.open().await;
    let first = store
        .add_proposals(
            "c",
            "article-1",
            vec![proposal("a"), proposal("b")],
            "t1",
            "alice",
        )
        .await
        .expect("stored");
    assert_eq!(first.len(), 2);
    assert!(first.iter().all(|p| p.status == ProposalStatus::Pending));
    assert_eq!(first[0].created_by, "alice");
    let (a, b) = (first[0].id, first[1].id);

    let rejected = store
        .decide_proposal(a, ProposalStatus::Rejected, None, "t2", "bob")
        .await
        .unwrap()
        .expect("pending, so decided");
    assert_eq!(rejected.status, ProposalStatus::Rejected);
    assert_eq!(rejected.decided_by.as_deref(), Some("bob"));
    // Decided once: neither accepted afterwards nor rejected again.
    assert!(
        store
            .decide_proposal(a, ProposalStatus::Accepted, None, "t3", "bob")
            .await
            .unwrap()
            .is_none()
    );
    // Accepting with an edit replaces the payload.
    let accepted = store
        .decide_proposal(
            b,
            ProposalStatus::Accepted,
            Some("{\"edited\":true}"),
            "t3",
            "bob",
        )
        .await
        .unwrap()
        .expect("pending");
    assert_eq!(accepted.payload, "{\"edited\":true}");
    assert!(matches!(
        store
            .decide_proposal(b, ProposalStatus::Pending, None, "t4", "bob")
            .await,
        Err(StoreError::Invalid(_))
    ));
    assert!(
        store
            .decide_proposal(9_999, ProposalStatus::Accepted, None, "t4", "bob")
            .await
            .unwrap()
            .is_none()
    );

    // Reading the same article again proposes only what is new; another article may propose
    // the same key; another stream is separate.
    let again = store
        .add_proposals(
            "c",
            "article-1",
            vec![proposal("a"), proposal("b"), proposal("c")],
            "t5",
            "alice",
        )
        .await
        .unwrap();
    assert_eq!(
        again.iter().map(|p| p.key.as_str()).collect::<Vec<_>>(),
        ["c"]
    );
    let other = store
        .add_proposals("c", "article-2", vec![proposal("a")], "t5", "alice")
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    store
        .add_proposals("d", "article-1", vec![proposal("a")], "t5", "alice")
        .await
        .unwrap();

    drop(store);
    let store = db.open().await;
    let all = store.proposals("c", None).await.unwrap();
    assert_eq!(all.len(), 4);
    let statuses: Vec<&str> = all.iter().map(|p| p.status.as_str()).collect();
    assert_eq!(statuses, ["rejected", "accepted", "pending", "pending"]);
    let pending = store
        .proposals("c", Some(ProposalStatus::Pending))
        .await
        .unwrap();
    assert_eq!(pending.len(), 2);
    assert_eq!(store.proposals("d", None).await.unwrap().len(), 1);
    assert!(store.proposals("nobody", None).await.unwrap().is_empty());
}

/// The checkpoint given with an append is the stream's record from that commit on; an append
/// without one keeps the last; a conflicting append changes nothing.
pub async fn checkpoints_are_kept_with_the_stream_record(db: &dyn Opener) {
    let store = db.open().await;
    assert_eq!(store.stream("s").await.unwrap(), None);
    store
        .append_checkpointed("s", 0, events("a", 2), Some("cp-2".to_owned()))
        .await
        .unwrap();
    let head = store.stream("s").await.unwrap().expect("recorded");
    assert_eq!(
        (
            head.events,
            head.last_hash.as_deref(),
            head.checkpoint.as_deref()
        ),
        (2, Some("hash-a-1"), Some("cp-2"))
    );
    assert!(matches!(
        store
            .append_checkpointed("s", 1, events("x", 1), Some("cp-bad".to_owned()))
            .await,
        Err(StoreError::Conflict { .. })
    ));
    store.append("s", 2, events("b", 1)).await.unwrap();
    let head = store.stream("s").await.unwrap().expect("recorded");
    assert_eq!((head.events, head.checkpoint.as_deref()), (3, Some("cp-2")));
    store
        .append_checkpointed("s", 3, events("c", 1), Some("cp-4".to_owned()))
        .await
        .unwrap();
    // A reopened store reads the same record, and the listing carries it too.
    drop(store);
    let store = db.open().await;
    let listed = store.streams().await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].checkpoint.as_deref(), Some("cp-4"));
    assert_eq!(store.stream("s").await.unwrap(), Some(listed[0].clone()));
}

/// Keys are listed oldest first and a key id is registered once.
pub async fn signing_keys_are_registered_once(db: &dyn Opener) {
    let store = db.open().await;
    assert_eq!(store.signing_keys().await.unwrap(), vec![]);
    let key = |id: &str| KeyRecord {
        key_id: id.to_owned(),
        public_key: format!("public-{id}"),
        created_at: "2024-04-03T09:30:00Z".to_owned(),
    };
    store.add_signing_key(&key("k1")).await.unwrap();
    assert!(matches!(
        store.add_signing_key(&key("k1")).await,
        Err(StoreError::AlreadyExists { .. })
    ));
    store.add_signing_key(&key("k2")).await.unwrap();
    let store = db.open().await;
    assert_eq!(
        store.signing_keys().await.unwrap(),
        vec![key("k1"), key("k2")]
    );
}
