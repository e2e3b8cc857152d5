//! The writer task of one instance: drains queued appends and commits them together (group commit).

use std::collections::HashMap;

use concord_store::{NewEvent, StoreError, StoredEvent};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::sync::{mpsc, oneshot};

use crate::{CHANNEL, Notice, to_i64, to_u64};

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

/// Why a whole transaction failed.
enum BatchError {
    /// Before `COMMIT`: nothing was written, so the appends may be tried again.
    Rolledback(sqlx::Error),
    /// During `COMMIT`: the outcome is unknown, so retrying could write an append twice.
    Unknown(sqlx::Error),
}

pub(crate) struct Writer {
    options: PgConnectOptions,
    /// `None` after the connection failed; reconnected before the next batch.
    conn: Option<PgConnection>,
}

impl Writer {
    pub(crate) fn new(options: PgConnectOptions, conn: PgConnection) -> Self {
        Writer {
            options,
            conn: Some(conn),
        }
    }

    /// Runs until every sender is gone and the queue is empty.
    pub(crate) async fn run(mut self, mut queue: mpsc::UnboundedReceiver<Job>) {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let jobs = std::mem::replace(&mut batch, Vec::with_capacity(MAX_BATCH));
            self.commit(jobs).await;
        }
        if let Some(conn) = self.conn.take()
            && let Err(e) = conn.close().await
        {
            tracing::warn!(error = %e, "closing the PostgreSQL writer connection failed");
        }
    }

    async fn connection(&mut self) -> Result<&mut PgConnection, StoreError> {
        if self.conn.is_none() {
            let conn =
                self.options.connect().await.map_err(|e| {
                    StoreError::Backend(format!("cannot reconnect the writer: {e}"))
                })?;
            self.conn = Some(conn);
        }
        Ok(self.conn.as_mut().expect("connected above"))
    }

    /// Runs `jobs` in one transaction; on a connection failure, drops the connection.
    async fn attempt(&mut self, jobs: &[&Job]) -> Result<Vec<Outcome>, BatchError> {
        let conn = match self.connection().await {
            Ok(conn) => conn,
            Err(e) => return Err(BatchError::Rolledback(sqlx::Error::Protocol(e.to_string()))),
        };
        let result = write_batch(conn, jobs).await;
        if result.is_err() && conn.ping().await.is_err() {
            self.conn = None;
        }
        result
    }

    /// Writes `jobs` in one transaction, then acknowledges each. Notifications need no work
    /// here: they were sent inside the transaction and PostgreSQL delivers them on commit.
    async fn commit(&mut self, jobs: Vec<Job>) {
        // Lock streams in name order so that batches of different instances cannot deadlock;
        // the sort is stable, so appends to one stream keep their queue order.
        let mut order: Vec<usize> = (0..jobs.len()).collect();
        order.sort_by(|&a, &b| jobs[a].stream.cmp(&jobs[b].stream));
        let sorted: Vec<&Job> = order.iter().map(|&i| &jobs[i]).collect();
        let sorted_outcomes = match self.attempt(&sorted).await {
            Ok(outcomes) => outcomes,
            Err(BatchError::Rolledback(e)) if sorted.len() > 1 => {
                // One append's failure aborts the whole PostgreSQL transaction; nothing was
                // written, so give each append its own transaction.
                tracing::warn!(error = %e, jobs = sorted.len(), "group commit failed; retrying one by one");
                let mut outcomes = Vec::with_capacity(sorted.len());
                for job in &sorted {
                    outcomes.push(match self.attempt(std::slice::from_ref(job)).await {
                        Ok(mut one) => one.pop().unwrap_or(Err(StoreError::WriterGone)),
                        Err(BatchError::Rolledback(e)) => Err(StoreError::Backend(e.to_string())),
                        Err(BatchError::Unknown(e)) => Err(unknown(&e)),
                    });
                }
                outcomes
            }
            Err(BatchError::Rolledback(e)) => vec![Err(StoreError::Backend(e.to_string()))],
            Err(BatchError::Unknown(e)) => sorted.iter().map(|_| Err(unknown(&e))).collect(),
        };
        // Put the outcomes back in queue order.
        let mut outcomes: Vec<Option<Outcome>> = jobs.iter().map(|_| None).collect();
        for (i, outcome) in order.into_iter().zip(sorted_outcomes) {
            outcomes[i] = Some(outcome);
        }
        let outcomes = outcomes
            .into_iter()
            .map(|o| o.unwrap_or(Err(StoreError::WriterGone)));
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
            // The caller may have given up waiting; its append stands regardless.
            let _ = reply.send(result);
        }
    }
}

fn unknown(e: &sqlx::Error) -> StoreError {
    StoreError::Backend(format!(
        "the commit failed and may or may not have taken effect (read the stream to know): {e}"
    ))
}

/// One transaction for all `jobs` (already in lock order), each checked against its stream's
/// head as locked inside the transaction.
async fn write_batch(conn: &mut PgConnection, jobs: &[&Job]) -> Result<Vec<Outcome>, BatchError> {
    let mut tx = conn.begin().await.map_err(BatchError::Rolledback)?;
    let mut heads: HashMap<&str, u64> = HashMap::new();
    let mut outcomes = Vec::with_capacity(jobs.len());
    for job in jobs {
        let head = match heads.get(job.stream.as_str()) {
            Some(&head) => Some(head),
            None => lock_head(&mut tx, &job.stream)
                .await
                .map_err(BatchError::Rolledback)?,
        };
        let head = match head {
            Some(head) => head,
            // A new stream: create its head row only for an append that will fill it.
            None if job.expected == 0 && !job.events.is_empty() => {
                sqlx::query(
                    "INSERT INTO streams (stream, events) VALUES ($1, 0) ON CONFLICT DO NOTHING",
                )
                .bind(&job.stream)
                .execute(&mut *tx)
                .await
                .map_err(BatchError::Rolledback)?;
                // Another instance may have created and filled it meanwhile: lock and re-read.
                lock_head(&mut tx, &job.stream)
                    .await
                    .map_err(BatchError::Rolledback)?
                    .unwrap_or(0)
            }
            None => 0,
        };
        heads.insert(&job.stream, head);
        if head != job.expected {
            outcomes.push(Err(StoreError::Conflict {
                stream: job.stream.clone(),
                expected: job.expected,
                actual: head,
            }));
            continue;
        }
        if !job.events.is_empty() {
            match insert(&mut tx, job, head).await {
                Ok(()) => {}
                // Only reachable if the head row disagrees with events; in a batch of one the
                // honest answer is a conflict, otherwise retry one by one to find the culprit.
                Err(e) if jobs.len() == 1 && is_unique_violation(&e) => {
                    drop(tx);
                    return Ok(vec![Err(StoreError::Conflict {
                        stream: job.stream.clone(),
                        expected: job.expected,
                        actual: head + 1,
                    })]);
                }
                Err(e) => return Err(BatchError::Rolledback(e)),
            }
            heads.insert(&job.stream, head + job.events.len() as u64);
        }
        outcomes.push(Ok(head + 1));
    }
    tx.commit().await.map_err(BatchError::Unknown)?;
    Ok(outcomes)
}

fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// Locks `stream`'s head row until the transaction ends and returns its length, or `None` if
/// the stream has no row yet.
async fn lock_head(conn: &mut PgConnection, stream: &str) -> Result<Option<u64>, sqlx::Error> {
    let head: Option<i64> =
        sqlx::query_scalar("SELECT events FROM streams WHERE stream = $1 FOR UPDATE")
            .bind(stream)
            .fetch_optional(&mut *conn)
            .await?;
    head.map(|n| to_u64(n).map_err(|e| sqlx::Error::Protocol(e.to_string())))
        .transpose()
}

/// Writes a job's events, moves its head and queues its notification: one statement, one
/// round trip.
async fn insert(conn: &mut PgConnection, job: &Job, head: u64) -> Result<(), sqlx::Error> {
    let as_i64 = |n: u64| to_i64(n).map_err(|e| sqlx::Error::Protocol(e.to_string()));
    let new_len = head + job.events.len() as u64;
    let column = |f: fn(&NewEvent) -> &str| job.events.iter().map(f).collect::<Vec<&str>>();
    let notice = serde_json::to_string(&Notice {
        stream: job.stream.clone(),
        seq: new_len,
    })
    .map_err(|e| sqlx::Error::Protocol(e.to_string()))?;
    sqlx::query(
        "WITH appended AS (
             INSERT INTO events
                 (stream, seq, valid_date, recorded_at, author, kind, payload, prev_hash, hash)
             SELECT $1, $2 + t.ord, t.valid_date, t.recorded_at, t.author, t.kind, t.payload,
                    t.prev_hash, t.hash
             FROM UNNEST($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                         $9::text[])
                  WITH ORDINALITY
                  AS t (valid_date, recorded_at, author, kind, payload, prev_hash, hash, ord)
         ), moved AS (
             UPDATE streams SET events = $10, last_hash = $11,
                 checkpoint = coalesce($14, checkpoint)
             WHERE stream = $1
         )
         SELECT pg_notify($12, $13)",
    )
    .bind(&job.stream)
    .bind(as_i64(head)?)
    .bind(column(|e| &e.valid_date))
    .bind(column(|e| &e.recorded_at))
    .bind(column(|e| &e.author))
    .bind(column(|e| &e.kind))
    .bind(column(|e| &e.payload))
    .bind(column(|e| &e.prev_hash))
    .bind(column(|e| &e.hash))
    .bind(as_i64(new_len)?)
    .bind(job.events.last().map(|e| e.hash.as_str()))
    .bind(CHANNEL)
    .bind(notice)
    .bind(job.checkpoint.as_deref())
    .execute(&mut *conn)
    .await?;
    Ok(())
}
