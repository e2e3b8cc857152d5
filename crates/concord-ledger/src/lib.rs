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
//! cached head is refreshed, and the caller may retry against the new state.

pub mod review;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use concord_domain::event::{ChainError, Event, EventKind, NewEvent, seal_all, verify_chain};
use concord_domain::state::{ContestState, FoldError};
use concord_store::{Store, StoreError, StoredEvent};
use jiff::Timestamp;
use jiff::civil::Date;
use tokio::sync::{mpsc, oneshot};

/// How many queued requests one group commit takes at most.
const MAX_BATCH: usize = 512;

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
    #[error("event {seq} of '{contest}' cannot be read: {message}")]
    Corrupt {
        contest: String,
        seq: u64,
        message: String,
    },
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

/// The ledger over one store.
#[derive(Clone)]
pub struct Ledger {
    store: Arc<dyn Store>,
    /// Each contest's decoded log: always a prefix of the store's, so never a second truth.
    cache: Arc<Mutex<HashMap<String, Arc<Vec<Event>>>>>,
    writers: Arc<Mutex<HashMap<String, mpsc::UnboundedSender<Request>>>>,
}

impl Ledger {
    pub fn new(store: Arc<dyn Store>) -> Ledger {
        Ledger {
            store,
            cache: Arc::default(),
            writers: Arc::default(),
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
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

    /// The whole log of a contest, as the chair sees it. Served from memory, topped up from the
    /// store with whatever was appended since (by this process or any other).
    pub async fn events(&self, contest: &str) -> Result<Arc<Vec<Event>>, LedgerError> {
        let known = self.cached(contest);
        let known_len = known.len();
        // Seqs are dense from 1, so the cached length is the last seq seen.
        let fresh = self.store.read(contest, known_len as u64).await?;
        if fresh.is_empty() {
            if known.is_empty() {
                return Err(LedgerError::UnknownContest(contest.to_owned()));
            }
            return Ok(known);
        }
        let decoded = fresh.iter().map(decode).collect::<Result<Vec<_>, _>>()?;
        // Let go of our handle so the cache can usually grow in place rather than be copied.
        drop(known);
        Ok(self.extend_cache(contest, known_len, decoded))
    }

    fn cached(&self, contest: &str) -> Arc<Vec<Event>> {
        let cache = self.cache.lock().expect("cache lock");
        cache.get(contest).map(Arc::clone).unwrap_or_default()
    }

    /// Adds `fresh` (the events after the first `from_len`) to the cache, skipping any that a
    /// racing reader already added; returns the cached log.
    fn extend_cache(&self, contest: &str, from_len: usize, fresh: Vec<Event>) -> Arc<Vec<Event>> {
        let mut cache = self.cache.lock().expect("cache lock");
        let entry = cache.entry(contest.to_owned()).or_default();
        let have = entry.len();
        if have >= from_len && have - from_len < fresh.len() {
            // Copies the log only while a reader still holds the previous version.
            Arc::make_mut(entry).extend(fresh.into_iter().skip(have - from_len));
        }
        Arc::clone(entry)
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

    /// Creates a contest from its opening and events, all or nothing.
    pub async fn create(
        &self,
        contest: &str,
        events: Vec<NewEvent>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Event>, LedgerError> {
        // Nothing reaches the store that the domain's guard refuses.
        concord_domain::Guard::create(&events, recorded_at).map_err(LedgerError::Refused)?;
        let sealed = seal_all(events, None, recorded_at);
        let stored: Vec<_> = sealed.iter().map(encode).collect();
        match self.store.append(contest, 0, stored).await {
            Ok(_) => {
                self.extend_cache(contest, 0, sealed.clone());
                Ok(sealed)
            }
            Err(StoreError::Conflict { .. }) => Err(LedgerError::ContestExists(contest.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    /// Appends events to an existing contest; durable when this returns `Ok`. Concurrent calls
    /// for one contest are batched into one transaction.
    pub async fn append(
        &self,
        contest: &str,
        events: Vec<NewEvent>,
        recorded_at: Timestamp,
    ) -> Result<Vec<Event>, LedgerError> {
        // Make sure the contest exists (and the cache holds its head) before queueing.
        if self.cached(contest).is_empty() {
            self.events(contest).await?;
        }
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

    /// Seals every request's events in queue order and appends them in one transaction.
    async fn commit(&self, contest: &str, batch: Vec<Request>) {
        // This task is the contest's only writer in this process, so the cache holds the head;
        // another process appending meanwhile is caught by the store's length check.
        let mut head = self.cached(contest);
        if head.is_empty() {
            head = match self.events(contest).await {
                Ok(events) => events,
                Err(e) => return fail_all(batch, &e),
            };
        }
        let head_len = head.len();
        let mut prev = head.last().map(|e| (e.seq, e.hash.clone()));
        // The domain's guard, at the head these events follow: each request is checked against
        // the log plus the requests admitted before it in this batch; a refused one is answered
        // and left out, so nothing reaches the store that the guard refuses.
        let mut guard = concord_domain::Guard::of(&head);
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
        for request in &batch {
            let sealed = seal_all(request.events.clone(), prev.clone(), request.recorded_at);
            if let Some(last) = sealed.last() {
                prev = Some((last.seq, last.hash.clone()));
            }
            all.extend(sealed.iter().map(encode));
            sealed_per_request.push(sealed);
        }
        match self.store.append(contest, head_len as u64, all).await {
            Ok(_) => {
                let appended: Vec<Event> = sealed_per_request.iter().flatten().cloned().collect();
                self.extend_cache(contest, head_len, appended);
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

    /// Recomputes a contest's hash chain from the store (not the cache) and names the first bad event.
    pub async fn verify(&self, contest: &str) -> Result<Result<u64, ChainError>, LedgerError> {
        let stored = self.store.read(contest, 0).await?;
        if stored.is_empty() {
            return Err(LedgerError::UnknownContest(contest.to_owned()));
        }
        let mut events = Vec::with_capacity(stored.len());
        for s in &stored {
            match decode(s) {
                Ok(e) => events.push(e),
                // An undecodable event is as bad as a tampered one: report it as the first bad.
                Err(LedgerError::Corrupt { seq, message, .. }) => {
                    if let Err(chain) = verify_chain(&events) {
                        return Ok(Err(chain));
                    }
                    return Ok(Err(ChainError::Tampered {
                        seq,
                        recorded: s.hash.clone(),
                        recomputed: format!("unreadable: {message}"),
                    }));
                }
                Err(e) => return Err(e),
            }
        }
        Ok(verify_chain(&events).map(|()| events.len() as u64))
    }
}

/// Answers every request of a batch that could not be written with the same error.
fn fail_all(batch: Vec<Request>, error: &LedgerError) {
    let message = error.to_string();
    for request in batch {
        let _ = request
            .reply
            .send(Err(LedgerError::Store(StoreError::Backend(
                message.clone(),
            ))));
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

fn encode(event: &Event) -> concord_store::NewEvent {
    concord_store::NewEvent {
        valid_date: event.valid.to_string(),
        recorded_at: event.recorded_at.to_string(),
        author: event.author.clone(),
        kind: event.kind.name().to_owned(),
        payload: serde_json::to_string(&event.kind).expect("events always serialise"),
        prev_hash: event.prev_hash.clone(),
        hash: event.hash.clone(),
    }
}

fn decode(stored: &StoredEvent) -> Result<Event, LedgerError> {
    let corrupt = |message: String| LedgerError::Corrupt {
        contest: stored.stream.clone(),
        seq: stored.seq,
        message,
    };
    let kind: EventKind =
        serde_json::from_str(&stored.payload).map_err(|e| corrupt(format!("payload: {e}")))?;
    Ok(Event {
        seq: stored.seq,
        valid: stored
            .valid_date
            .parse()
            .map_err(|e| corrupt(format!("valid date: {e}")))?,
        recorded_at: stored
            .recorded_at
            .parse()
            .map_err(|e| corrupt(format!("recorded_at: {e}")))?,
        author: stored.author.clone(),
        kind,
        prev_hash: stored.prev_hash.clone(),
        hash: stored.hash.clone(),
    })
}
