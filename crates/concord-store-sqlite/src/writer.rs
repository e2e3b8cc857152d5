//! The single writer task: drains queued appends and commits them together (group commit).

use std::collections::HashMap;

use concord_store::{Appended, NewEvent, StoreError, StoredEvent};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{mpsc, oneshot};

use crate::hub::Hub;
use crate::to_i64;

/// Appends committed in one transaction at most; bounds the latency of the first in a batch.
const MAX_BATCH: usize = 512;

/// One queued append and where to send its result.
pub(crate) struct Job {
    pub(crate) stream: String,
    pub(crate) expected: u64,
    pub(crate) events: Vec<NewEvent>,
    /// The stream's new checkpoint, written with the events; `None` keeps the recorded one.
    pub(crate) checkpoint: Option<String>,
    pub(crate) reply: oneshot::Sender<Result<Vec<StoredEvent>, StoreError>>,
}

/// What happened to one job inside a batch: the seq of its first event, or why it was refused.
type Outcome = Result<u64, StoreError>;

pub(crate) struct Writer {
    conn: SqliteConnection,
    hub: Hub,
}

impl Writer {
    pub(crate) fn new(conn: SqliteConnection, hub: Hub) -> Self {
        Writer { conn, hub }
    }

    /// Runs until every sender is gone and the queue is empty.
    pub(crate) async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Job>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
            self.commit(jobs).await;
        }
        if let Err(e) = self.conn.close().await {
            tracing::warn!(error = %e, "closing the SQLite writer connection failed");
        }
    }

    /// Writes `jobs` in one transaction, then acknowledges each and announces the successes.
    async fn commit(&mut self, jobs: Vec<Job>) {
        let outcomes = match write_batch(&mut self.conn, &jobs).await {
            Ok(outcomes) => outcomes,
            Err(e) if jobs.len() > 1 => {
                // The transaction as a whole failed (I/O, lock timeout): nothing of it was
                // written, so try each append alone so that one cause does not fail them all.
                tracing::warn!(error = %e, jobs = jobs.len(), "group commit failed; retrying one by one");
                let mut outcomes = Vec::with_capacity(jobs.len());
                for job in &jobs {
                    outcomes.push(
                        match write_batch(&mut self.conn, std::slice::from_ref(job)).await {
                            Ok(mut one) => one.pop().unwrap_or(Err(StoreError::WriterGone)),
                            Err(e) => Err(StoreError::Backend(e.to_string())),
                        },
                    );
                }
                outcomes
            }
            Err(e) => vec![Err(StoreError::Backend(e.to_string()))],
        };
        for (job, outcome) in jobs.into_iter().zip(outcomes) {
            let Job {
                stream,
                events,
                reply,
                ..
            } = job;
            let result = outcome.map(|first| {
                (first..)
                    .zip(events)
                    .map(|(seq, e)| StoredEvent::new(&stream, seq, e))
                    .collect()
            });
            if let Ok(Some(last)) = result
                .as_ref()
                .map(|stored: &Vec<StoredEvent>| stored.last())
            {
                self.hub.announce(Appended {
                    stream: stream.clone(),
                    seq: last.seq,
                });
            }
            // The caller may have given up waiting; its append stands regardless.
            let _ = reply.send(result);
        }
    }
}

/// One `BEGIN IMMEDIATE` transaction for all `jobs`, each checked against the head as it stands
/// inside the transaction. `Err` means nothing was written.
async fn write_batch(
    conn: &mut SqliteConnection,
    jobs: &[Job],
) -> Result<Vec<Outcome>, sqlx::Error> {
    let mut tx = conn.begin_with("BEGIN IMMEDIATE").await?;
    let mut heads: HashMap<&str, u64> = HashMap::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let head = match heads.get(job.stream.as_str()) {
            Some(&head) => head,
            None => {
                let head: Option<i64> =
                    sqlx::query_scalar("SELECT events FROM streams WHERE stream = ?")
                        .bind(&job.stream)
                        .fetch_optional(&mut *tx)
                        .await?;
                head.map_or(0, |n| n.max(0) as u64)
            }
        };
        heads.insert(&job.stream, head);
        if head != job.expected {
            outcomes.push(Err(conflict(job, head)));
            continue;
        }
        if job.events.is_empty() {
            outcomes.push(Ok(head + 1));
            continue;
        }
        match insert(&mut tx, job, head).await {
            Ok(()) => {
                heads.insert(&job.stream, head + job.events.len() as u64);
                outcomes.push(Ok(head + 1));
            }
            // Only reachable if the streams table disagrees with events: in a batch of one,
            // refuse the append (dropping `tx` rolls it back) rather than overwrite anything.
            Err(e) if jobs.len() == 1 && is_unique_violation(&e) => {
                drop(tx);
                return Ok(vec![Err(conflict(job, head + 1))]);
            }
            // A job failing halfway leaves partial writes in the transaction: give up the whole
            // batch (nothing is committed) and let `commit` retry the jobs one by one.
            Err(e) => return Err(e),
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

fn conflict(job: &Job, actual: u64) -> StoreError {
    StoreError::Conflict {
        stream: job.stream.clone(),
        expected: job.expected,
        actual,
    }
}

async fn insert(conn: &mut SqliteConnection, job: &Job, head: u64) -> Result<(), sqlx::Error> {
    let new_len = head + job.events.len() as u64;
    let as_i64 = |n: u64| to_i64(n).map_err(|e| sqlx::Error::Protocol(e.to_string()));
    let last_hash = job.events.last().map(|e| e.hash.as_str());
    sqlx::query(
        "INSERT INTO streams (stream, events, last_hash, checkpoint) VALUES (?, ?, ?, ?)
         ON CONFLICT (stream) DO UPDATE SET events = excluded.events,
             last_hash = excluded.last_hash,
             checkpoint = coalesce(excluded.checkpoint, streams.checkpoint)",
    )
    .bind(&job.stream)
    .bind(as_i64(new_len)?)
    .bind(last_hash)
    .bind(job.checkpoint.as_deref())
    .execute(&mut *conn)
    .await?;
    for (seq, e) in (head + 1..).zip(&job.events) {
        sqlx::query(
            "INSERT INTO events
             (stream, seq, valid_date, recorded_at, author, kind, payload, prev_hash, hash)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&job.stream)
        .bind(as_i64(seq)?)
        .bind(&e.valid_date)
        .bind(&e.recorded_at)
        .bind(&e.author)
        .bind(&e.kind)
        .bind(&e.payload)
        .bind(&e.prev_hash)
        .bind(&e.hash)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
