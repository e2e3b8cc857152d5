//! The storage contract: the Store trait, its errors, and the contract test suite every backend passes.
//!
//! # What a store is
//!
//! A store keeps two things:
//!
//! * **Append-only event streams**, one per contest, each a dense sequence of events numbered
//!   1, 2, 3, … . Appends use optimistic concurrency: the caller says how many events it believes
//!   the stream holds (`expected_len`), and the append succeeds — atomically, for all its events —
//!   only if that is still true. Otherwise nothing is written and the caller gets
//!   [`StoreError::Conflict`], re-reads, re-folds and decides again.
//! * **A record per stream**: its length, its last hash and the signed checkpoint of its last
//!   append, all written in the same transaction as the events, so a check can compare the log
//!   against what the store says it holds.
//! * **Signing keys**: the public halves of the keys that sign checkpoints (opaque text).
//! * **Access tokens**: only the hash of a token is stored, with a role and a label.
//! * **Proposals awaiting review**: what was read from an article, pending until accepted or
//!   rejected once; a decided proposal is remembered, so the same article does not propose it
//!   again. Accepting one does not append anything: the caller appends the events.
//!
//! # What a store does not know
//!
//! The store never interprets an event. `kind`, `payload` (JSON text), `valid_date`,
//! `recorded_at`, `author`, `prev_hash` and `hash` are opaque strings produced by the domain; the
//! store neither parses the payload nor checks the hash chain (`concord verify` does that). Roles
//! are opaque strings too. Timestamps are strings passed in by the caller: the store never reads
//! the clock, so the caller owns time.
//!
//! # Durability and notifications
//!
//! [`Store::append`] returns `Ok` only after the transaction is durable. Every backend batches
//! concurrent appends into one transaction (group commit) so that many writers share one
//! fsync; a conflicting append in a batch fails alone and does not affect the others.
//!
//! [`Store::subscribe`] yields an [`Appended`] after each successful append by *any* writer on
//! the same database that the backend can hear (in-process for SQLite, every server instance for
//! PostgreSQL via LISTEN/NOTIFY). Notifications are hints: a slow receiver may miss some
//! (`RecvError::Lagged`) and a reconnecting listener may drop some, so a consumer reads the
//! stream after the last seq it has seen rather than trusting the notification's count.
//!
//! # Backends
//!
//! `concord-store-sqlite` (embedded, the default) and `concord-store-postgres` (shared
//! deployment) implement [`Store`]; both run the [`contract`] suite (cargo feature `contract`).

#[cfg(feature = "contract")]
pub mod contract;

use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use tokio::sync::broadcast;

/// The result of [`Store::append`]: already queued, resolved once durable (or refused).
/// `'static`, so it can be awaited anywhere, after the store handle is gone.
pub type PendingAppend = Pin<Box<dyn Future<Output = Result<Vec<StoredEvent>, StoreError>> + Send>>;

/// An event to append: everything but its place in the stream, which the store assigns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    /// The date at which the event is true in the world (`YYYY-MM-DD`).
    pub valid_date: String,
    /// When the event was recorded (RFC 3339, UTC).
    pub recorded_at: String,
    /// Who recorded it (a token label, a user name; opaque to the store).
    pub author: String,
    /// The domain's name for the event's type.
    pub kind: String,
    /// The event body as JSON text; stored verbatim.
    pub payload: String,
    /// Hash of the previous event in the stream (the domain's hash chain).
    pub prev_hash: String,
    /// Hash of this event.
    pub hash: String,
}

/// An event as stored: a [`NewEvent`] with its stream and sequence number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    pub stream: String,
    /// 1-based and dense within the stream: the n-th event has `seq == n`.
    pub seq: u64,
    pub valid_date: String,
    pub recorded_at: String,
    pub author: String,
    pub kind: String,
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    /// Places `event` at `seq` in `stream`.
    pub fn new(stream: &str, seq: u64, event: NewEvent) -> Self {
        let NewEvent {
            valid_date,
            recorded_at,
            author,
            kind,
            payload,
            prev_hash,
            hash,
        } = event;
        StoredEvent {
            stream: stream.to_owned(),
            seq,
            valid_date,
            recorded_at,
            author,
            kind,
            payload,
            prev_hash,
            hash,
        }
    }
}

/// A stream's summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamInfo {
    pub stream: String,
    /// Number of events, which is also the seq of the last one.
    pub events: u64,
    /// Hash of the last event; `None` only for a stream without events (never listed).
    pub last_hash: Option<String>,
    /// The checkpoint given with the last append that carried one (opaque text); `None` for a
    /// stream written only without checkpoints.
    pub checkpoint: Option<String>,
}

/// A public key that signs checkpoints, as registered in the store (opaque text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// A short name of the key, unique in the store.
    pub key_id: String,
    pub public_key: String,
    pub created_at: String,
}

/// A stored access token. The token itself is never stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub token_hash: String,
    /// Opaque to the store (`chair`, `delegation:HUN`, …).
    pub role: String,
    pub label: String,
    pub created_at: String,
    /// Set once, by [`Store::revoke_token`].
    pub revoked_at: Option<String>,
}

/// A proposal read from an article, to be stored for review. The store keeps it as given: the
/// `payload` (JSON text) and `kind` are the domain's; `key` identifies what it proposes within
/// its article (`stance:HUN:rutte`), so that the same article never proposes it twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProposal {
    pub key: String,
    pub kind: String,
    pub payload: String,
}

/// A stored proposal and where its review stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposalRecord {
    pub id: i64,
    pub stream: String,
    /// The article it was read from (the domain's identifier, e.g. a hash of its text).
    pub article: String,
    pub key: String,
    pub kind: String,
    pub payload: String,
    pub status: ProposalStatus,
    pub created_at: String,
    pub created_by: String,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
}

/// Where a proposal's review stands: pending, then accepted or rejected once and for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProposalStatus {
    Pending,
    Accepted,
    Rejected,
}

impl ProposalStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalStatus::Pending => "pending",
            ProposalStatus::Accepted => "accepted",
            ProposalStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<ProposalStatus> {
        [
            ProposalStatus::Pending,
            ProposalStatus::Accepted,
            ProposalStatus::Rejected,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
    }
}

/// A notification that `stream` now holds at least `seq` events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    pub stream: String,
    /// The seq of the last event of the append.
    pub seq: u64,
}

/// Everything that can go wrong in a store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The stream did not hold `expected` events; nothing was written.
    #[error("stream '{stream}' has {actual} events, but the append expected {expected}")]
    Conflict {
        stream: String,
        expected: u64,
        actual: u64,
    },
    /// A unique value (such as a token hash) already exists.
    #[error("{what} already exists")]
    AlreadyExists { what: String },
    /// The caller passed something the store cannot keep (such as an empty stream name).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// The database could not be opened or migrated.
    #[error("cannot open store at {location}: {message}")]
    Open { location: String, message: String },
    /// Opening an existing store was asked, and there is none there (nothing was created).
    #[error("no store at {location}")]
    Missing { location: String },
    /// The store's writer has stopped (the store is shutting down or has failed).
    #[error("the store's writer is not running")]
    WriterGone,
    /// Any other database error, with the backend's message.
    #[error("storage backend error: {0}")]
    Backend(String),
}

/// The storage interface the server and the CLI program against.
///
/// Object-safe: hold it as `Arc<dyn Store>`.
#[async_trait]
pub trait Store: Send + Sync {
    /// Appends all `events` atomically to `stream` iff it holds exactly `expected_len` events
    /// when the append's turn comes; otherwise resolves to [`StoreError::Conflict`] and writes
    /// nothing. Resolves to `Ok` only once durable, with the events and their seqs
    /// (`expected_len + 1 ..`). An empty `events` writes nothing but still checks
    /// `expected_len`. A stream exists once it has an event; `expected_len == 0` creates it.
    ///
    /// **Queued at call time.** The append joins the writer's queue when `append` is called,
    /// not when the returned future is first polled, and appends are applied in queue order.
    /// So one task may *pipeline*: call `append(s, n, a)`, then `append(s, n + a.len(), b)`
    /// without awaiting the first, and both commit (usually in one transaction) — the way to
    /// get group commit on one hot stream. If the first fails, the second fails with a
    /// conflict (it expected the first to be there), so a pipeline never leaves a gap.
    ///
    /// Caveat: the store checks lengths, not the hash chain. If *another* writer appends to the
    /// stream while a pipeline is in flight, a failed first append can be followed by a second
    /// one landing on top of the other writer's events with a stale `prev_hash`. Pipeline only
    /// from the stream's single writer (one server per SQLite file; one owner per contest).
    fn append(&self, stream: &str, expected_len: u64, events: Vec<NewEvent>) -> PendingAppend {
        self.append_checkpointed(stream, expected_len, events, None)
    }

    /// As [`Store::append`], and in the same transaction sets the stream's record to
    /// `checkpoint` (when `Some`; `None` leaves the recorded checkpoint as it was).
    fn append_checkpointed(
        &self,
        stream: &str,
        expected_len: u64,
        events: Vec<NewEvent>,
        checkpoint: Option<String>,
    ) -> PendingAppend;

    /// The record of one stream (length, last hash, checkpoint), or `None` if it has no events.
    async fn stream(&self, stream: &str) -> Result<Option<StreamInfo>, StoreError>;

    /// Every registered signing key, oldest first.
    async fn signing_keys(&self) -> Result<Vec<KeyRecord>, StoreError>;

    /// Registers a signing key; [`StoreError::AlreadyExists`] if `key_id` is taken.
    async fn add_signing_key(&self, key: &KeyRecord) -> Result<(), StoreError>;

    /// The events of `stream` with `seq > after_seq`, in order; empty for an unknown stream.
    async fn read(&self, stream: &str, after_seq: u64) -> Result<Vec<StoredEvent>, StoreError>;

    /// Every stream that has at least one event, ordered by name.
    async fn streams(&self) -> Result<Vec<StreamInfo>, StoreError>;

    /// Stores a new token; [`StoreError::AlreadyExists`] if `token_hash` is taken.
    async fn create_token(
        &self,
        token_hash: &str,
        role: &str,
        label: &str,
        created_at: &str,
    ) -> Result<TokenRecord, StoreError>;

    /// The token with this hash, revoked or not (the caller decides what revoked means).
    async fn find_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError>;

    /// All tokens, oldest first.
    async fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError>;

    /// Marks token `id` revoked at `revoked_at`. `true` if it was live and is now revoked;
    /// `false` if there is no such token or it was already revoked (the first date stays).
    async fn revoke_token(&self, id: i64, revoked_at: &str) -> Result<bool, StoreError>;

    /// Stores `proposals` read from `article` for `stream` as pending, in order, skipping any
    /// whose `(stream, article, key)` is already stored whatever its status — so a rejected
    /// proposal stays rejected when the same article is read again. Returns those stored.
    async fn add_proposals(
        &self,
        stream: &str,
        article: &str,
        proposals: Vec<NewProposal>,
        created_at: &str,
        created_by: &str,
    ) -> Result<Vec<ProposalRecord>, StoreError>;

    /// The proposals of `stream` (all, or those with `status`), oldest first.
    async fn proposals(
        &self,
        stream: &str,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError>;

    /// Decides pending proposal `id`: `Accepted` (with its payload replaced when the reviewer
    /// edited it) or `Rejected`. `None` if there is no such proposal or it is no longer pending:
    /// a proposal is decided once.
    async fn decide_proposal(
        &self,
        id: i64,
        status: ProposalStatus,
        payload: Option<&str>,
        decided_at: &str,
        decided_by: &str,
    ) -> Result<Option<ProposalRecord>, StoreError>;

    /// Notifications of successful appends; see the crate docs for what they promise.
    fn subscribe(&self) -> broadcast::Receiver<Appended>;
}

/// Checks the arguments of [`Store::decide_proposal`] every backend rejects the same way.
pub fn validate_decision(status: ProposalStatus) -> Result<(), StoreError> {
    if status == ProposalStatus::Pending {
        return Err(StoreError::Invalid(
            "a decision accepts or rejects; it cannot make a proposal pending".to_owned(),
        ));
    }
    Ok(())
}

/// Checks the arguments of [`Store::append`] that every backend rejects the same way.
pub fn validate_stream(stream: &str) -> Result<(), StoreError> {
    if stream.is_empty() {
        return Err(StoreError::Invalid("stream name is empty".to_owned()));
    }
    Ok(())
}
