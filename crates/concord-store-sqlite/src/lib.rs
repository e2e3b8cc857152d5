//! SQLite backend of the Store trait: the embedded default.
//!
//! One database file, opened with WAL journaling, `synchronous = FULL` (a commit is on disk
//! before it is acknowledged), foreign keys on and a busy timeout. The schema lives in this
//! crate's `migrations/` and is applied by [`SqliteStore::open`].
//!
//! # Writes: one writer, group commit
//!
//! SQLite allows one writer at a time and each commit costs an fsync. So every append goes
//! through a channel to a single writer task that owns its own connection. The writer takes
//! whatever appends are queued, opens one `BEGIN IMMEDIATE` transaction, checks each append's
//! `expected_len` against the stream head *as seen inside that transaction* (so an earlier
//! append of the same batch counts), writes the ones that match, commits once, and only then
//! acknowledges them all. (If writing one append fails halfway, the batch is rolled back and
//! its appends are retried one transaction each, so one bad append never fails its neighbours.) An append whose check fails gets
//! [`StoreError::Conflict`] and the rest of the batch is unaffected. Many concurrent writers thus
//! share one fsync. Token writes are rare and go straight through the pool.
//!
//! Reads use a small pool of their own connections; in WAL mode they never block the writer.
//!
//! # Notifications
//!
//! [`Store::subscribe`] is fed after each commit. Every store opened on the same file in this
//! process shares one channel, so two instances hear each other; other processes writing the
//! same file are not heard (use PostgreSQL for several servers).

mod hub;
mod writer;

use std::path::{Path, PathBuf};
use std::time::Duration;

use async_trait::async_trait;
use concord_store::{
    Appended, KeyRecord, NewEvent, NewProposal, PendingAppend, ProposalRecord, ProposalStatus,
    Store, StoreError, StoredEvent, StreamInfo, TokenRecord, validate_decision, validate_stream,
};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{ConnectOptions, FromRow};
use tokio::sync::{broadcast, mpsc, oneshot};

use crate::writer::{Job, Writer};

/// How long a connection waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Read connections; SQLite readers are cheap and the server has few cores.
const READERS: u32 = 4;

/// The SQLite store. Cheap to share behind an `Arc`; dropping it stops its writer once the
/// queued appends are done.
pub struct SqliteStore {
    path: PathBuf,
    pool: SqlitePool,
    writer: mpsc::UnboundedSender<Job>,
    hub: hub::Hub,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn backend(e: sqlx::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}

fn options(path: &Path, create: bool) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(BUSY_TIMEOUT)
}

impl SqliteStore {
    /// Opens (creating the file and its parent directories if missing) and migrates the store
    /// at `path`. Must be called within a tokio runtime: it spawns the writer task.
    pub async fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        Self::open_with(path.as_ref(), true).await
    }

    /// Opens (and migrates) the store at `path` only if the file exists: what a command that
    /// only reads uses, so that a mistyped path is an error rather than a new empty store.
    pub async fn open_existing(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref();
        if !tokio::fs::try_exists(path).await.unwrap_or(false) {
            return Err(StoreError::Missing {
                location: path.display().to_string(),
            });
        }
        Self::open_with(path, false).await
    }

    async fn open_with(path: &Path, create: bool) -> Result<SqliteStore, StoreError> {
        let failed = |message: String| StoreError::Open {
            location: path.display().to_string(),
            message,
        };
        if create && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| failed(e.to_string()))?;
        }
        let opts = options(path, create);
        let pool = SqlitePoolOptions::new()
            .max_connections(READERS)
            .connect_with(opts.clone())
            .await
            .map_err(|e| failed(e.to_string()))?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|e| failed(format!("migration failed: {e}")))?;
        let conn = opts.connect().await.map_err(|e| failed(e.to_string()))?;

        // The file exists now, so it has a canonical name to share notifications under.
        let path = tokio::fs::canonicalize(path)
            .await
            .map_err(|e| failed(e.to_string()))?;
        let hub = hub::for_file(&path);
        let (writer, queue) = mpsc::unbounded_channel();
        tokio::spawn(Writer::new(conn, hub.clone()).run(queue));
        Ok(SqliteStore {
            path,
            pool,
            writer,
            hub,
        })
    }

    /// Opens the store named by a `sqlite:` URL (`sqlite:///abs/path.db`, `sqlite://rel.db`,
    /// `sqlite:rel.db`) or a plain path.
    pub async fn open_url(url: &str) -> Result<SqliteStore, StoreError> {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        let path = path.split('?').next().unwrap_or(path);
        SqliteStore::open(path).await
    }

    /// The canonical path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
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

fn to_u64(n: i64) -> Result<u64, StoreError> {
    u64::try_from(n).map_err(|_| StoreError::Backend(format!("negative count {n} in database")))
}

/// SQLite integers are signed; counts beyond i64 cannot occur, but say so rather than wrap.
pub(crate) fn to_i64(n: u64) -> Result<i64, StoreError> {
    i64::try_from(n).map_err(|_| StoreError::Invalid(format!("sequence number {n} is too large")))
}

#[async_trait]
impl Store for SqliteStore {
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
             FROM events WHERE stream = ? AND seq > ? ORDER BY seq",
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
        sqlx::query_as::<_, StreamRow>(
            "SELECT stream, events, last_hash, checkpoint FROM streams WHERE events > 0
             ORDER BY stream",
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
             WHERE stream = ? AND events > 0",
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
            "SELECT key_id, public_key, created_at FROM signing_keys ORDER BY created_at, key_id",
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
        sqlx::query("INSERT INTO signing_keys (key_id, public_key, created_at) VALUES (?, ?, ?)")
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
            "INSERT INTO tokens (token_hash, role, label, created_at) VALUES (?, ?, ?, ?)
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
             WHERE token_hash = ?",
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
            sqlx::query("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
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
             VALUES (?, ?, ?, ?, ?, ?, ?)
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
             WHERE stream = ? AND (? IS NULL OR status = ?) ORDER BY id";
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
        let sql = "UPDATE proposals SET status = ?, payload = COALESCE(?, payload),
                 decided_at = ?, decided_by = ?
             WHERE id = ? AND status = 'pending'
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
