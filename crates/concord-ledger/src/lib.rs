//! A contest's ledger: the domain's events kept in a [`Store`], sealed onto their hash chain,
//! batched into group commits, cached in memory and folded into state.
//!
//! The CLI and the server both go through a [`Ledger`]; neither talks to a store directly.
//!
//! Writes to one contest go through a single writer task per contest: it takes every request
//! waiting in its queue, seals their events in order onto the chain, and appends them in one
//! store transaction, so concurrent writers share one fsync and never interleave. The store's
//! optimistic check (`expected_len`) catches another process or server instance writing to the
//! same contest: the batch then fails with [`LedgerError::Conflict`] (nothing written), the
//! cached head is refreshed, and [`Ledger::append`] tries again on the new head (a bounded
//! number of times) before it reports [`LedgerError::Conflict`].
//!
//! # A log that proves itself
//!
//! Every load checks what it reads before anything is folded or appended: the hash chain of
//! the new events (incrementally: the cache keeps the [`Tip`] it has checked, so nothing is
//! checked twice), the chain against the store's record of it (length, last hash), and the
//! record's signed checkpoint against the store's key ([`checkpoint`]). Any breach is an error
//! that names the first bad event ([`LedgerError::Broken`]); nothing is read from or appended
//! to a broken contest. Every append carries a new checkpoint signed with the ledger's key,
//! written in the same store transaction as its events.

pub mod checkpoint;
mod integrity;

pub mod review;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use concord_domain::chain::{Record, Tip};
use concord_domain::event::{Event, NewEvent, seal_all};
use concord_domain::state::{ContestState, FoldError};
use concord_store::{KeyRecord, Store, StoreError, StoredEvent};
use jiff::Timestamp;
use jiff::civil::Date;
use tokio::sync::{mpsc, oneshot};

pub use checkpoint::{Checkpoint, KeyError, PublicKey, SigningKey};
pub use integrity::Breach;
use integrity::{Trusted, check_record};

/// How many queued requests one group commit takes at most.
const MAX_BATCH: usize = 512;
/// How many times an append is tried when another writer keeps getting there first.
const MAX_ATTEMPTS: u32 = 8;

/// Whose eyes a view is for: only the chair sees stances recorded `chair_only`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    Chair,
    Public,
}

/// Everything that can go wrong in the ledger.
#[derive(Debug, thiserror::Error)]
pub enum LedgerError {
    #[error("no contest '{0}'")]
    UnknownContest(String),
    #[error("contest '{0}' already exists")]
    ContestExists(String),
    #[error(
        "contest '{contest}' changed while this was being written (another writer appended); nothing was written — re-read and retry"
    )]
    Conflict { contest: String },
    /// The stored contest fails its check: nothing of it is read or appended to.
    #[error(
        "contest '{contest}' fails its integrity check{}: {breach}; nothing was read or written (`concord verify` names the cause)",
        breach.first_bad().map(|seq| format!(" at event {seq}")).unwrap_or_default()
    )]
    Broken { contest: String, breach: Breach },
    /// A write was asked of a ledger opened without a signing key.
    #[error(
        "no signing key: appends are sealed by a signed checkpoint, and this ledger has no key"
    )]
    NoSigningKey,
    /// The signing key given is not the key this store's checkpoints are signed with.
    #[error(
        "the signing key given (key {given}) is not this store's key ({registered}): the key file was replaced, or belongs to another store"
    )]
    WrongKey { given: String, registered: String },
    #[error(transparent)]
    Fold(#[from] FoldError),
    #[error(transparent)]
    Store(StoreError),
    #[error("the ledger is shutting down")]
    Closed,
    /// The domain's guard refused the events (checked again at the head they would follow,
    /// so a check made earlier by a face cannot be outrun by a racing write); nothing written.
    #[error("refused: {0}; nothing was written")]
    Refused(concord_domain::Refusals),
}

impl From<StoreError> for LedgerError {
    fn from(e: StoreError) -> Self {
        LedgerError::Store(e)
    }
}

/// A contest listed with its size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContestSummary {
    pub id: String,
    pub events: u64,
}

type Reply = oneshot::Sender<Result<Vec<Event>, LedgerError>>;

struct Request {
    events: Vec<NewEvent>,
    recorded_at: Timestamp,
    reply: Reply,
}

/// One contest's checked log: the decoded events and the tip of the chain they form.
#[derive(Clone, Default)]
struct Log {
    events: Arc<Vec<Event>>,
    tip: Tip,
}

/// What a full check of a stored contest found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The number of events.
    pub events: u64,
    /// The checkpoint that seals the log; `None` for a log written before checkpoints, which
    /// the next append will seal.
    pub checkpoint: Option<Checkpoint>,
}

/// The ledger over one store.
#[derive(Clone)]
pub struct Ledger {
    store: Arc<dyn Store>,
    /// Each contest's checked log: always a prefix of the store's, so never a second truth.
    cache: Arc<Mutex<HashMap<String, Log>>>,
    writers: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Request>>>>,
    /// Signs the checkpoint of every append; `None` for a ledger that only reads.
    signer: Option<Arc<SigningKey>>,
    /// The key checkpoints must be signed by, when the person verifying names one.
    pinned: Option<PublicKey>,
    /// The store's registered key, once looked up.
    store_key: Arc<tokio::sync::Mutex<Option<Option<PublicKey>>>>,
}

impl Ledger {
    /// A ledger that reads (and checks) but cannot append: see [`Ledger::with_signer`].
    pub fn new(store: Arc<dyn Store>) -> Ledger {
        Ledger {
            store,
            cache: Arc::default(),
            writers: Arc::default(),
            signer: None,
            pinned: None,
            store_key: Arc::default(),
        }
    }

    /// A ledger whose appends are sealed by checkpoints signed with `key`. The store must have
    /// no key yet (the first append registers this one) or have this one.
    pub fn with_signer(store: Arc<dyn Store>, key: SigningKey) -> Ledger {
        Ledger {
            signer: Some(Arc::new(key)),
            ..Ledger::new(store)
        }
    }

    /// Trust only checkpoints signed by `key`, whatever key the store registered (for a
    /// verifier holding the key the store's owner published).
    pub fn pinned_to(mut self, key: PublicKey) -> Ledger {
        self.pinned = Some(key);
        self
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The public half of the signing key, if this ledger has one.
    pub fn public_key(&self) -> Option<PublicKey> {
        self.signer.as_ref().map(|k| k.public())
    }

    /// The store's registered signing key, if any (looked up once). Fails if the store holds
    /// more than one, or if this ledger's signing key is not the store's.
    pub async fn store_key(&self) -> Result<Option<PublicKey>, LedgerError> {
        let mut known = self.store_key.lock().await;
        if let Some(key) = *known {
            return Ok(key);
        }
        let key = self.look_up_key().await?;
        *known = Some(key);
        Ok(key)
    }

    async fn look_up_key(&self) -> Result<Option<PublicKey>, LedgerError> {
        let keys = self.store.signing_keys().await?;
        let key = match keys.as_slice() {
            [] => None,
            [one] => Some(PublicKey::from_hex(&one.public_key).map_err(|e| {
                LedgerError::Store(StoreError::Backend(format!(
                    "the store's signing key {} cannot be read: {e}",
                    one.key_id
                )))
            })?),
            many => {
                return Err(LedgerError::Broken {
                    contest: "(the store)".to_owned(),
                    breach: Breach::KeyCount {
                        ids: many.iter().map(|k| k.key_id.clone()).collect(),
                    },
                });
            }
        };
        if let (Some(registered), Some(signer)) = (&key, &self.signer)
            && *registered != signer.public()
        {
            return Err(LedgerError::WrongKey {
                given: signer.public().id(),
                registered: registered.id(),
            });
        }
        Ok(key)
    }

    /// Registers this ledger's signing key as the store's key if the store has none yet (what
    /// `concord init` does, and the first append); the key, registered or found.
    pub async fn register_key(&self, created_at: Timestamp) -> Result<PublicKey, LedgerError> {
        let signer = self.signer.as_ref().ok_or(LedgerError::NoSigningKey)?;
        if let Some(key) = self.store_key().await? {
            return Ok(key);
        }
        let public = signer.public();
        let record = KeyRecord {
            key_id: public.id(),
            public_key: public.to_hex(),
            created_at: created_at.to_string(),
        };
        match self.store.add_signing_key(&record).await {
            Ok(()) | Err(StoreError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.into()),
        }
        // Look again: another process may have registered a key of its own at the same time.
        let mut known = self.store_key.lock().await;
        let key = self.look_up_key().await?;
        *known = Some(key);
        key.ok_or_else(|| LedgerError::Store(StoreError::Backend("key not registered".into())))
    }

    async fn trusted(&self) -> Result<Trusted, LedgerError> {
        Ok(match self.pinned {
            Some(key) => Trusted::Pinned(key),
            None => Trusted::Store(self.store_key().await?),
        })
    }

    /// Every contest in the store.
    pub async fn contests(&self) -> Result<Vec<ContestSummary>, LedgerError> {
        Ok(self
            .store
            .streams()
            .await?
            .into_iter()
            .map(|s| ContestSummary {
                id: s.stream,
                events: s.events,
            })
            .collect())
    }

    /// The whole log of a contest, as the chair sees it, checked. Served from memory, topped
    /// up from the store with whatever was appended since (by this process or any other); what
    /// is new is checked onto the chain the cache already checked, and against the store's
    /// record and checkpoint.
    pub async fn events(&self, contest: &str) -> Result<Arc<Vec<Event>>, LedgerError> {
        let known = self.cached(contest);
        let fresh = self.store.read(contest, known.tip.len).await?;
        if fresh.is_empty() && known.tip.len > 0 {
            return Ok(known.events);
        }
        let (events, tip, _) = self.check(contest, &known.tip, fresh).await?;
        drop(known);
        Ok(self.extend_cache(contest, &tip, events))
    }

    /// Checks `fresh` (events read after `tip`) onto `tip` and the result against the store's
    /// record and checkpoint. The record is read after the rows, and an append moves rows and
    /// record in one transaction, so every row up to the record's length is there to read:
    /// rows past it are either newer appends (a second look at the record says so, and they
    /// are left for the next load) or rows put there behind concord's back.
    async fn check(
        &self,
        contest: &str,
        tip: &Tip,
        mut fresh: Vec<StoredEvent>,
    ) -> Result<(Vec<Event>, Tip, Option<Checkpoint>), LedgerError> {
        let broken = |breach: Breach| LedgerError::Broken {
            contest: contest.to_owned(),
            breach,
        };
        let last_read = |fresh: &[StoredEvent]| fresh.last().map_or(tip.len, |e| e.seq);
        let Some(record) = self.store.stream(contest).await? else {
            return match fresh.first() {
                None => Err(LedgerError::UnknownContest(contest.to_owned())),
                Some(first) => Err(broken(Breach::Unrecorded {
                    seq: first.seq,
                    recorded: 0,
                })),
            };
        };
        // Appends that landed between the rows and the record: read them too.
        if record.events > last_read(&fresh) {
            let after = last_read(&fresh);
            fresh.extend(self.store.read(contest, after).await?);
        }
        let mut unrecorded = None;
        if last_read(&fresh) > record.events {
            let again = self.store.stream(contest).await?;
            let beyond = last_read(&fresh);
            if again.is_none_or(|r| r.events < beyond) {
                unrecorded = Some(Breach::Unrecorded {
                    seq: record.events + 1,
                    recorded: record.events,
                });
            }
            // Newer appends are checked with their own record on the next load.
            fresh.retain(|e| e.seq <= record.events);
        }
        let records: Vec<Record<'_>> = fresh.iter().map(record_of).collect();
        let mut next = tip.clone();
        // A break in the recorded part names an earlier event than rows past the record do.
        let events = next.extend(&records).map_err(|e| broken(e.into()))?;
        if let Some(breach) = unrecorded {
            return Err(broken(breach));
        }
        let trusted = self.trusted().await?;
        let checkpoint = check_record(contest, &next, &record, &trusted).map_err(broken)?;
        Ok((events, next, checkpoint))
    }

    /// Reads and checks a contest from its first event, ignoring the cache.
    async fn check_all(
        &self,
        contest: &str,
    ) -> Result<(Vec<Event>, Option<Checkpoint>), LedgerError> {
        let stored = self.store.read(contest, 0).await?;
        let (events, _, checkpoint) = self.check(contest, &Tip::genesis(), stored).await?;
        Ok((events, checkpoint))
    }

    fn cached(&self, contest: &str) -> Log {
        let cache = self.cache.lock().expect("cache lock");
        cache.get(contest).cloned().unwrap_or_default()
    }

    /// Adds `fresh` (checked events ending at `tip`) to the cache, skipping any that a racing
    /// reader already added; returns the cached log.
    fn extend_cache(&self, contest: &str, tip: &Tip, fresh: Vec<Event>) -> Arc<Vec<Event>> {
        let mut cache = self.cache.lock().expect("cache lock");
        let entry = cache.entry(contest.to_owned()).or_default();
        let from_len = tip.len - fresh.len() as u64;
        let have = entry.tip.len;
        if have >= from_len && have < tip.len {
            // Copies the log only while a reader still holds the previous version.
            Arc::make_mut(&mut entry.events)
                .extend(fresh.into_iter().skip((have - from_len) as usize));
            entry.tip = tip.clone();
        }
        Arc::clone(&entry.events)
    }

    /// The events a view may see.
    pub async fn visible_events(
        &self,
        contest: &str,
        view: View,
    ) -> Result<Vec<Event>, LedgerError> {
        let events = self.events(contest).await?;
        Ok(filter_view(&events, view))
    }

    /// The state of a contest on a date, as a view sees it.
    pub async fn state(
        &self,
        contest: &str,
        as_of: Date,
        view: View,
    ) -> Result<ContestState, LedgerError> {
        let events = self.events(contest).await?;
        let state = match view {
            View::Chair => ContestState::fold(&events, as_of)?,
            View::Public => ContestState::fold(&filter_view(&events, view), as_of)?,
        };
        Ok(state)
    }

    /// The checkpoint that seals a contest now (checked), or `None` for a legacy log that no
    /// append of this version has sealed yet.
    pub async fn checkpoint(&self, contest: &str) -> Result<Option<Checkpoint>, LedgerError> {
        self.events(contest).await?;
        let tip = self.cached(contest).tip;
        let (_, _, checkpoint) = self.check(contest, &tip, Vec::new()).await?;
        Ok(checkpoint)
    }

    /// Creates a contest from its opening and events, all or nothing, sealed by a checkpoint.
    pub async fn create(
        &self,
        contest: &str,
        events: Vec<NewEvent>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Event>, LedgerError> {
        // Nothing reaches the store that the domain's guard refuses.
        concord_domain::Guard::create(&events, recorded_at).map_err(LedgerError::Refused)?;
        let signer = self.signer.clone().ok_or(LedgerError::NoSigningKey)?;
        self.register_key(recorded_at).await?;
        let sealed = seal_all(events, None, recorded_at);
        let stored: Vec<_> = sealed.iter().map(encode).collect();
        let tip = Tip::genesis().after_sealed(&sealed);
        let checkpoint = Checkpoint::sign(&signer, contest, tip.len, &tip.hash, recorded_at);
        match self
            .store
            .append_checkpointed(contest, 0, stored, Some(checkpoint.to_text()))
            .await
        {
            Ok(_) => {
                self.extend_cache(contest, &tip, sealed.clone());
                Ok(sealed)
            }
            Err(StoreError::Conflict { .. }) => Err(LedgerError::ContestExists(contest.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends events to an existing contest; durable when this returns `Ok`. Concurrent calls
    /// for one contest are batched into one transaction. If another writer (another process or
    /// server instance) appended first, the events are sealed again onto the new head and tried
    /// again, up to a bound, so a valid write is not refused for losing a race.
    pub async fn append(
        &self,
        contest: &str,
        events: Vec<NewEvent>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Event>, LedgerError> {
        if self.signer.is_none() {
            return Err(LedgerError::NoSigningKey);
        }
        let mut attempt = 1;
        loop {
            // Nothing is appended to a chain that was not checked: load (and check) the contest
            // unless the cache holds it; a retry also picks up what the winner appended.
            if attempt > 1 || self.cached(contest).tip.len == 0 {
                self.events(contest).await?;
            }
            // The guard checks the events in `commit`, at the head they follow: a retry is
            // sealed onto a newer head and passes the guard again there.
            match self.append_once(contest, events.clone(), recorded_at).await {
                Err(LedgerError::Conflict { .. }) if attempt < MAX_ATTEMPTS => {
                    tracing::debug!(
                        contest,
                        attempt,
                        "append lost a race; sealing again onto the new head"
                    );
                    // Spread the retries of racing instances apart a little.
                    tokio::time::sleep(Duration::from_millis(u64::from(attempt) * 2)).await;
                    attempt += 1;
                }
                other => return other,
            }
        }
    }

    async fn append_once(
        &self,
        contest: &str,
        events: Vec<NewEvent>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Event>, LedgerError> {
        let (reply, answer) = oneshot::channel();
        let request = Request {
            events,
            recorded_at,
            reply,
        };
        let sender = self.writer(contest);
        sender.send(request).map_err(|_| LedgerError::Closed)?;
        answer.await.map_err(|_| LedgerError::Closed)?
    }

    fn writer(&self, contest: &str) -> mpsc::UnboundedSender<Request> {
        let mut writers = self.writers.lock().expect("writers lock");
        if let Some(sender) = writers.get(contest)
            && !sender.is_closed()
        {
            return sender.clone();
        }
        let (sender, receiver) = mpsc::unbounded_channel();
        writers.insert(contest.to_owned(), sender.clone());
        tokio::spawn(self.clone().write_loop(contest.to_owned(), receiver));
        sender
    }

    async fn write_loop(self, contest: String, mut queue: mpsc::UnboundedReceiver<Request>) {
        let mut batch: Vec<Request> = Vec::new();
        while let Some(first) = queue.recv().await {
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            self.commit(&contest, std::mem::take(&mut batch)).await;
        }
    }

    /// Seals every request's events in queue order and appends them in one transaction, with
    /// one checkpoint signed over the new head.
    async fn commit(&self, contest: &str, batch: Vec<Request>) {
        let Some(signer) = self.signer.clone() else {
            return fail_all(batch, &LedgerError::NoSigningKey);
        };
        if let Err(e) = self.register_key(batch[0].recorded_at).await {
            return fail_all(batch, &e);
        }
        // This task is the contest's only writer in this process, and the cache holds the
        // checked head; another process appending meanwhile is caught by the store's length
        // check.
        let mut head = self.cached(contest);
        if head.tip.len == 0 {
            if let Err(e) = self.events(contest).await {
                return fail_all(batch, &e);
            }
            head = self.cached(contest);
        }
        let head_len = head.tip.len;
        let start = head.tip.clone();
        let mut prev = head.events.last().map(|e| (e.seq, e.hash.clone()));
        // The domain's guard, at the head these events follow: each request is checked against
        // the log plus the requests admitted before it in this batch; a refused one is answered
        // and left out, so nothing reaches the store that the guard refuses. (A retry after a
        // conflict comes back through here, so it is checked against the newer head.)
        let mut guard = concord_domain::Guard::of(&head.events);
        drop(head);
        let mut admitted = Vec::with_capacity(batch.len());
        for request in batch {
            match guard
                .as_mut()
                .map(|g| g.admit(&request.events, request.recorded_at))
            {
                Some(Err(refusals)) => {
                    let _ = request.reply.send(Err(LedgerError::Refused(refusals)));
                }
                _ => admitted.push(request),
            }
        }
        let batch = admitted;
        if batch.is_empty() {
            return;
        }
        let mut sealed_per_request = Vec::with_capacity(batch.len());
        let mut all = Vec::new();
        let mut appended: Vec<Event> = Vec::new();
        for request in &batch {
            let sealed = seal_all(request.events.clone(), prev.clone(), request.recorded_at);
            if let Some(last) = sealed.last() {
                prev = Some((last.seq, last.hash.clone()));
            }
            all.extend(sealed.iter().map(encode));
            appended.extend(sealed.iter().cloned());
            sealed_per_request.push(sealed);
        }
        let tip = start.after_sealed(&appended);
        let time = batch
            .iter()
            .map(|r| r.recorded_at)
            .max()
            .expect("a batch is never empty");
        let checkpoint = Checkpoint::sign(&signer, contest, tip.len, &tip.hash, time);
        match self
            .store
            .append_checkpointed(contest, head_len, all, Some(checkpoint.to_text()))
            .await
        {
            Ok(_) => {
                self.extend_cache(contest, &tip, appended);
                for (request, sealed) in batch.into_iter().zip(sealed_per_request) {
                    let _ = request.reply.send(Ok(sealed));
                }
            }
            Err(StoreError::Conflict { .. }) => {
                // Another writer got there first: top the cache up so a retry starts from it.
                let _ = self.events(contest).await;
                for request in batch {
                    let _ = request.reply.send(Err(LedgerError::Conflict {
                        contest: contest.to_owned(),
                    }));
                }
            }
            Err(e) => fail_all(batch, &LedgerError::Store(e)),
        }
    }

    /// Checks a contest from the store (not the cache): its hash chain, the store's record of
    /// it and its signed checkpoint. `Ok(Err(breach))` names the first thing wrong.
    pub async fn verify(&self, contest: &str) -> Result<Result<Verified, Breach>, LedgerError> {
        match self.check_all(contest).await {
            Ok((events, checkpoint)) => Ok(Ok(Verified {
                events: events.len() as u64,
                checkpoint,
            })),
            Err(LedgerError::Broken { breach, .. }) => Ok(Err(breach)),
            Err(e) => Err(e),
        }
    }

    /// As [`Ledger::verify`], and checks that the store extends `earlier`, a checkpoint of
    /// this contest published before: the same head at the same size, the earlier head as a
    /// prefix of a longer log.
    pub async fn verify_against(
        &self,
        contest: &str,
        earlier: &Checkpoint,
    ) -> Result<Result<Verified, Breach>, LedgerError> {
        let trusted = self.trusted().await?;
        if let Err(breach) = trusted.check(contest, earlier) {
            return Ok(Err(breach));
        }
        let (events, checkpoint) = match self.check_all(contest).await {
            Ok(found) => found,
            Err(LedgerError::Broken { breach, .. }) => return Ok(Err(breach)),
            Err(e) => return Err(e),
        };
        let len = events.len() as u64;
        if earlier.size > len {
            return Ok(Err(Breach::Shorter {
                signed: earlier.size,
                len,
            }));
        }
        let at = earlier
            .size
            .checked_sub(1)
            .and_then(|i| events.get(i as usize));
        if at.map(|e| e.hash.as_str()) != Some(earlier.head.as_str()) {
            return Ok(Err(Breach::Diverged { size: earlier.size }));
        }
        Ok(Ok(Verified {
            events: len,
            checkpoint,
        }))
    }
}

/// Answers every request of a batch that could not be written with the same error.
fn fail_all(batch: Vec<Request>, error: &LedgerError) {
    for request in batch {
        let _ = request.reply.send(Err(error.duplicate()));
    }
}

impl LedgerError {
    /// The same error for another waiter (the store's errors are not `Clone`).
    fn duplicate(&self) -> LedgerError {
        match self {
            LedgerError::UnknownContest(c) => LedgerError::UnknownContest(c.clone()),
            LedgerError::ContestExists(c) => LedgerError::ContestExists(c.clone()),
            LedgerError::Conflict { contest } => LedgerError::Conflict {
                contest: contest.clone(),
            },
            LedgerError::Broken { contest, breach } => LedgerError::Broken {
                contest: contest.clone(),
                breach: breach.clone(),
            },
            LedgerError::NoSigningKey => LedgerError::NoSigningKey,
            LedgerError::WrongKey { given, registered } => LedgerError::WrongKey {
                given: given.clone(),
                registered: registered.clone(),
            },
            LedgerError::Closed => LedgerError::Closed,
            other => LedgerError::Store(StoreError::Backend(other.to_string())),
        }
    }
}

/// Drops what a view may not see.
pub fn filter_view(events: &[Event], view: View) -> Vec<Event> {
    match view {
        View::Chair => events.to_vec(),
        View::Public => events
            .iter()
            .filter(|e| !e.kind.is_chair_only())
            .cloned()
            .collect(),
    }
}

/// The stored form of an event: exactly the text its seal covers.
fn encode(event: &Event) -> concord_store::NewEvent {
    let text = event.text();
    concord_store::NewEvent {
        valid_date: text.valid_date,
        recorded_at: text.recorded_at,
        author: text.author,
        kind: text.kind,
        payload: text.payload,
        prev_hash: event.prev_hash.clone(),
        hash: event.hash.clone(),
    }
}

fn record_of(stored: &StoredEvent) -> Record<'_> {
    Record {
        seq: stored.seq,
        valid_date: &stored.valid_date,
        recorded_at: &stored.recorded_at,
        author: &stored.author,
        kind: &stored.kind,
        payload: &stored.payload,
        prev_hash: &stored.prev_hash,
        hash: &stored.hash,
    }
}
