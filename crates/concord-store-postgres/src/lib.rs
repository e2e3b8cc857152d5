//! PostgreSQL backend of the Store trait: the shared deployment.
//!
//! Several stateless server instances share one database. The schema lives in this crate's
//! `migrations/` (the same logical schema as SQLite's) and is applied by [`PostgresStore::connect`];
//! concurrent instances migrating at once are serialised by sqlx's advisory lock.
//!
//! # Writes: group commit, serialised per stream
//!
//! As in SQLite, each instance has one writer task with its own connection that takes every
//! queued append, runs them in one transaction and acknowledges them after `COMMIT` (which is
//! durable under PostgreSQL's default `synchronous_commit = on`). Each append first locks its
//! stream's head row (an `INSERT … ON CONFLICT DO UPDATE … RETURNING`, which creates the row if
//! needed and locks it like `SELECT … FOR UPDATE`), compares the head with `expected_len`, and
//! only then writes its events. Appends from *other* instances to the same stream wait on that
//! row lock, so they are serialised and see each other's heads; the `(stream, seq)` primary key
//! stays as the last line of defence and its violation is reported as a conflict. Within a batch
//! the appends are locked in stream-name order, so two instances' batches cannot deadlock.
//!
//! A statement error aborts a PostgreSQL transaction, so if a batch fails as a whole the writer
//! retries its appends one transaction each: one bad append never fails its neighbours.
//!
//! # Notifications
//!
//! Each append sends `pg_notify('concord_appended', '{"stream":…,"seq":…}')` inside its
//! transaction, so it is delivered only on commit and to every listening session. Each store
//! keeps a `PgListener` task that feeds [`Store::subscribe`]; the instance's own appends reach
//! its subscribers the same way. While the listener reconnects, notifications can be lost.

mod writer;

use std::str::FromStr;
use std::time::Duration;

use async_trait::async_trait;
use concord_store::{
    Appended, KeyRecord, NewEvent, NewProposal, PendingAppend, ProposalRecord, ProposalStatus,
    Store, StoreError, StoredEvent, StreamInfo, TokenRecord, validate_decision, validate_stream,
};
use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, FromRow};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::task::JoinHandle;

pub use sqlx::postgres::PgConnectOptions;

use crate::writer::{Job, Writer};

/// The LISTEN/NOTIFY channel for appends.
pub const CHANNEL: &str = "concord_appended";
/// Pooled connections for reads, token writes and the listener; the writer has its own.
const POOL: u32 = 8;
/// Notifications a slow subscriber may fall behind by before it sees `Lagged`.
const CAPACITY: usize = 1024;
/// How long to wait before listening again after the listener failed outright.
const LISTEN_RETRY: Duration = Duration::from_secs(1);

/// The body of a `concord_appended` notification.
#[derive(Serialize, Deserialize)]
pub(crate) struct Notice {
    pub(crate) stream: String,
    pub(crate) seq: u64,
}

/// The PostgreSQL store. Dropping it stops its listener, and its writer once queued appends
/// are done.
pub struct PostgresStore {
    pool: PgPool,
    writer: mpsc::UnboundedSender<Job>,
    hub: broadcast::Sender<Appended>,
    listener: JoinHandle<()>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        self.listener.abort();
    }
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user@host:port/database`), migrates, and starts the
    /// writer and listener tasks. Must be called within a tokio runtime.
    pub async fn connect(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open {
            location: redact(url),
            message: e.to_string(),
        })?;
        Self::connect_with(options).await
    }

    /// As [`PostgresStore::connect`], but only if the database already holds a concord store:
    /// what a command that only reads uses, so that it never creates one.
    pub async fn connect_existing(url: &str) -> Result<PostgresStore, StoreError> {
        let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open {
            location: redact(url),
            message: e.to_string(),
        })?;
        Self::connect_inner(options, false).await
    }

    /// As [`PostgresStore::connect`], from parsed options.
    pub async fn connect_with(options: PgConnectOptions) -> Result<PostgresStore, StoreError> {
        Self::connect_inner(options, true).await
    }

    async fn connect_inner(
        options: PgConnectOptions,
        create: bool,
    ) -> Result<PostgresStore, StoreError> {
        let location = format!(
            "postgres://{}:{}/{}",
            options.get_host(),
            options.get_port(),
            options.get_database().unwrap_or("")
        );
        let failed = |message: String| StoreError::Open {
            location: location.clone(),
            message,
        };
        let pool = PgPoolOptions::new()
            .max_connections(POOL)
            .connect_with(options.clone())
            .await
            .map_err(|e| failed(e.to_string()))?;
        if !create {
            let exists: bool = sqlx::query_scalar("SELECT to_regclass('streams') IS NOT NULL")
                .fetch_one(&pool)
                .await
                .map_err(|e| failed(e.to_string()))?;
            if !exists {
                pool.close().await;
                return Err(StoreError::Missing { location });
            }
        }
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| failed(format!("migration failed: {e}")))?;

        let hub = broadcast::channel(CAPACITY).0;
        // Listen before returning, so that no append made after `connect` goes unheard.
        let mut listener = PgListener::connect_with(&pool)
            .await
            .map_err(|e| failed(e.to_string()))?;
        listener
            .listen(CHANNEL)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let listener = tokio::spawn(listen(listener, hub.clone()));

        let conn = options.connect().await.map_err(|e| failed(e.to_string()))?;
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(Writer::new(options, conn).run(queue));
        Ok(PostgresStore {
            pool,
            writer,
            hub,
            listener,
        })
    }
}

/// `url` without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}{}@{}", &url[..scheme + 3], user, &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// Forwards `concord_appended` notifications to the store's subscribers until aborted.
async fn listen(mut listener: PgListener, hub: broadcast::Sender<Appended>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => match serde_json::from_str::<Notice>(n.payload()) {
                Ok(Notice { stream, seq }) => {
                    // No subscribers is not an error: nobody is listening yet.
                    let _ = hub.send(Appended { stream, seq });
                }
                Err(e) => {
                    tracing::warn!(payload = n.payload(), error = %e, "unreadable notification")
                }
            },
            Ok(None) => {
                tracing::warn!(
                    "lost the notification connection; reconnecting (notifications may be missed)"
                );
            }
            Err(e) => {
                tracing::warn!(error = %e, "listening for appends failed; retrying");
                tokio::time::sleep(LISTEN_RETRY).await;
            }
        }
    }
}

#[derive(FromRow)]
struct EventRow {
    stream: String,
    seq: i64,
    valid_date: String,
    recorded_at: String,
    author: String,
    kind: String,
    payload: String,
    prev_hash: String,
    hash: String,
}

impl EventRow {
    fn into_event(self) -> Result<StoredEvent, StoreError> {
        Ok(StoredEvent {
            seq: to_u64(self.seq)?,
            stream: self.stream,
            valid_date: self.valid_date,
            recorded_at: self.recorded_at,
            author: self.author,
            kind: self.kind,
            payload: self.payload,
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

#[derive(FromRow)]
struct ProposalRow {
    id: i64,
    stream: String,
    article: String,
    key: String,
    kind: String,
    payload: String,
    status: String,
    created_at: String,
    created_by: String,
    decided_at: Option<String>,
    decided_by: Option<String>,
}

impl TryFrom<ProposalRow> for ProposalRecord {
    type Error = StoreError;
    fn try_from(r: ProposalRow) -> Result<Self, StoreError> {
        Ok(ProposalRecord {
            id: r.id,
            status: ProposalStatus::parse(&r.status).ok_or_else(|| {
                StoreError::Backend(format!("unknown proposal status '{}'", r.status))
            })?,
            stream: r.stream,
            article: r.article,
            key: r.key,
            kind: r.kind,
            payload: r.payload,
            created_at: r.created_at,
            created_by: r.created_by,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
        })
    }
}

#[derive(FromRow)]
struct StreamRow {
    stream: String,
    events: i64,
    last_hash: Option<String>,
    checkpoint: Option<String>,
}

impl StreamRow {
    fn into_info(self) -> Result<StreamInfo, StoreError> {
        Ok(StreamInfo {
            stream: self.stream,
            events: to_u64(self.events)?,
            last_hash: self.last_hash,
            checkpoint: self.checkpoint,
        })
    }
}

#[derive(FromRow)]
struct TokenRow {
    id: i64,
    token_hash: String,
    role: String,
    label: String,
    created_at: String,
    revoked_at: Option<String>,
}

impl From<TokenRow> for TokenRecord {
    fn from(r: TokenRow) -> Self {
        TokenRecord {
            id: r.id,
            token_hash: r.token_hash,
            role: r.role,
            label: r.label,
            created_at: r.created_at,
            revoked_at: r.revoked_at,
        }
    }
}

pub(crate) fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Backend(format!("negative count {n} in database")))
}

/// PostgreSQL integers are signed; counts beyond i64 cannot occur, but say so rather than wrap.
pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Invalid(format!("sequence number {n} is too large")))
}

#[async_trait]
impl Store for PostgresStore {
    fn append_checkpointed(
        &self,
        stream: &str,
        expected_len: u64,
        events: Vec<NewEvent>,
        checkpoint: Option<String>,
    ) -> PendingAppend {
        let checked = validate_stream(stream)
            .and_then(|()| to_i64(expected_len.saturating_add(events.len() as u64)));
        if let Err(e) = checked {
            return Box::pin(std::future::ready(Err(e)));
        }
        let (reply, answer) = oneshot::channel();
        let job = Job {
            stream: stream.to_owned(),
            expected: expected_len,
            events,
            checkpoint,
            reply,
        };
        // Enqueue now, before returning: this is what keeps pipelined appends in call order.
        let queued = self.writer.send(job).is_ok();
        Box::pin(async move {
            if !queued {
                return Err(StoreError::WriterGone);
            }
            answer.await.map_err(|_| StoreError::WriterGone)?
        })
    }

    async fn read(&self, stream: &str, after_seq: u64) -> Result<Vec<StoredEvent>, StoreError> {
        // Past i64::MAX there is nothing to read.
        let Ok(after) = i64::try_from(after_seq) else {
            return Ok(vec![]);
        };
        sqlx::query_as::<_, EventRow>(
            "SELECT stream, seq, valid_date, recorded_at, author, kind, payload, prev_hash, hash
             FROM events WHERE stream = $1 AND seq > $2 ORDER BY seq",
        )
        .bind(stream)
        .bind(after)
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .into_iter()
        .map(EventRow::into_event)
        .collect()
    }

    async fn streams(&self) -> Result<Vec<StreamInfo>, StoreError> {
        // Rows with no events are left behind by conflicting first appends: not streams yet.
        sqlx::query_as::<_, StreamRow>(
            "SELECT stream, events, last_hash, checkpoint FROM streams WHERE events > 0
             ORDER BY stream COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?
        .into_iter()
        .map(StreamRow::into_info)
        .collect()
    }

    async fn stream(&self, stream: &str) -> Result<Option<StreamInfo>, StoreError> {
        sqlx::query_as::<_, StreamRow>(
            "SELECT stream, events, last_hash, checkpoint FROM streams
             WHERE stream = $1 AND events > 0",
        )
        .bind(stream)
        .fetch_optional(&self.pool)
        .await
        .map_err(backend)?
        .map(StreamRow::into_info)
        .transpose()
    }

    async fn signing_keys(&self) -> Result<Vec<KeyRecord>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT key_id, public_key, created_at FROM signing_keys
             ORDER BY created_at, key_id COLLATE \"C\"",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(backend)?;
        Ok(rows
            .into_iter()
            .map(|(key_id, public_key, created_at)| KeyRecord {
                key_id,
                public_key,
                created_at,
            })
            .collect())
    }

    async fn add_signing_key(&self, key: &KeyRecord) -> Result<(), StoreError> {
        sqlx::query("INSERT INTO signing_keys (key_id, public_key, created_at) VALUES ($1, $2, $3)")
            .bind(&key.key_id)
            .bind(&key.public_key)
            .bind(&key.created_at)
            .execute(&self.pool)
            .await
            .map(|_| ())
            .map_err(|e| match e.as_database_error() {
                Some(d) if d.is_unique_violation() => StoreError::AlreadyExists {
                    what: format!("signing key {}", key.key_id),
                },
                _ => backend(e),
            })
    }

    async fn create_token(
        &self,
        token_hash: &str,
        role: &str,
        label: &str,
        created_at: &str,
    ) -> Result<TokenRecord, StoreError> {
        sqlx::query_as::<_, TokenRow>(
            "INSERT INTO tokens (token_hash, role, label, created_at) VALUES ($1, $2, $3, $4)
             RETURNING id, token_hash, role, label, created_at, revoked_at",
        )
        .bind(token_hash)
        .bind(role)
        .bind(label)
        .bind(created_at)
        .fetch_one(&self.pool)
        .await
        .map(TokenRecord::from)
        .map_err(|e| match e.as_database_error() {
            Some(d) if d.is_unique_violation() => StoreError::AlreadyExists {
                what: "a token with this hash".to_owned(),
            },
            _ => backend(e),
        })
    }

    async fn find_token(&self, token_hash: &str) -> Result<Option<TokenRecord>, StoreError> {
        sqlx::query_as::<_, TokenRow>(
            "SELECT id, token_hash, role, label, created_at, revoked_at FROM tokens
             WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.pool)
        .await
        .map(|row| row.map(TokenRecord::from))
        .map_err(backend)
    }

    async fn list_tokens(&self) -> Result<Vec<TokenRecord>, StoreError> {
        sqlx::query_as::<_, TokenRow>(
            "SELECT id, token_hash, role, label, created_at, revoked_at FROM tokens ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map(|rows| rows.into_iter().map(TokenRecord::from).collect())
        .map_err(backend)
    }

    async fn revoke_token(&self, id: i64, revoked_at: &str) -> Result<bool, StoreError> {
        let done =
            sqlx::query("UPDATE tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(revoked_at)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(backend)?;
        Ok(done.rows_affected() == 1)
    }

    async fn add_proposals(
        &self,
        stream: &str,
        article: &str,
        proposals: Vec<NewProposal>,
        created_at: &str,
        created_by: &str,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        validate_stream(stream)?;
        let mut tx = self.pool.begin().await.map_err(backend)?;
        let mut stored = Vec::new();
        let sql = "INSERT INTO proposals (stream, article, key, kind, payload, created_at, created_by)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (stream, article, key) DO NOTHING
             RETURNING id, stream, article, key, kind, payload, status, created_at, created_by, decided_at, decided_by";
        for p in proposals {
            let row = sqlx::query_as::<_, ProposalRow>(sql)
                .bind(stream)
                .bind(article)
                .bind(&p.key)
                .bind(&p.kind)
                .bind(&p.payload)
                .bind(created_at)
                .bind(created_by)
                .fetch_optional(&mut *tx)
                .await
                .map_err(backend)?;
            if let Some(row) = row {
                stored.push(ProposalRecord::try_from(row)?);
            }
        }
        tx.commit().await.map_err(backend)?;
        Ok(stored)
    }

    async fn proposals(
        &self,
        stream: &str,
        status: Option<ProposalStatus>,
    ) -> Result<Vec<ProposalRecord>, StoreError> {
        let sql = "SELECT id, stream, article, key, kind, payload, status, created_at, created_by, decided_at, decided_by FROM proposals
             WHERE stream = $1 AND ($2 IS NULL OR status = $3) ORDER BY id";
        let status = status.map(ProposalStatus::as_str);
        sqlx::query_as::<_, ProposalRow>(sql)
            .bind(stream)
            .bind(status)
            .bind(status)
            .fetch_all(&self.pool)
            .await
            .map_err(backend)?
            .into_iter()
            .map(ProposalRecord::try_from)
            .collect()
    }

    async fn decide_proposal(
        &self,
        id: i64,
        status: ProposalStatus,
        payload: Option<&str>,
        decided_at: &str,
        decided_by: &str,
    ) -> Result<Option<ProposalRecord>, StoreError> {
        validate_decision(status)?;
        let sql = "UPDATE proposals SET status = $1, payload = COALESCE($2, payload),
                 decided_at = $3, decided_by = $4
             WHERE id = $5 AND status = 'pending'
             RETURNING id, stream, article, key, kind, payload, status, created_at, created_by, decided_at, decided_by";
        sqlx::query_as::<_, ProposalRow>(sql)
            .bind(status.as_str())
            .bind(payload)
            .bind(decided_at)
            .bind(decided_by)
            .bind(id)
            .fetch_optional(&self.pool)
            .await
            .map_err(backend)?
            .map(ProposalRecord::try_from)
            .transpose()
    }

    fn subscribe(&self) -> broadcast::Receiver<Appended> {
        self.hub.subscribe()
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn passwords_stay_out_of_error_messages() {
        assert_eq!(
            redact("postgres://u:secret@h:5432/db"),
            "postgres://u@h:5432/db"
        );
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("postgres://h/db"), "postgres://h/db");
    }
}
