//! `GET /api/contests/{id}/events/stream`: Server-Sent Events of a contest's new events.
//!
//! Fed by the store's notifications (in-process for SQLite, LISTEN/NOTIFY for PostgreSQL, so a
//! client of one instance hears what another instance appended). On each notification the
//! stream reads `visible_events` for the caller's view after the last sequence number it has
//! passed, so an event the role may not see is skipped, never sent. Each SSE event carries the
//! sequence number as its id: a client reconnecting with `Last-Event-ID` (or `?after=N`) misses
//! nothing.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use concord_domain::event::Event;
use concord_ledger::View;
use futures::Stream;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use crate::{ApiError, AppState, Principal};

/// How long a stream waits for a notification before looking at the store anyway (a missed
/// notification, say after a database reconnect, then delays an event by at most this).
const POLL: Duration = Duration::from_secs(5);

#[derive(Debug, Deserialize)]
pub struct After {
    pub after: Option<u64>,
}

struct Cursor {
    state: AppState,
    contest: String,
    view: View,
    last: u64,
    pending: VecDeque<Event>,
    notes: tokio::sync::broadcast::Receiver<concord_store::Appended>,
    shutdown: tokio::sync::watch::Receiver<bool>,
}

impl Cursor {
    /// Queues what was appended after `last` and the view may see; `false` on a read error.
    async fn top_up(&mut self) -> bool {
        let Ok(all) = self.state.ledger.events(&self.contest).await else {
            return false;
        };
        let head = all.last().map_or(0, |e| e.seq);
        if head > self.last {
            let fresh = concord_ledger::filter_view(&all[self.last as usize..], self.view);
            self.pending.extend(fresh);
            self.last = head;
        }
        true
    }

    async fn next(mut self) -> Option<(Result<SseEvent, Infallible>, Cursor)> {
        loop {
            if let Some(e) = self.pending.pop_front() {
                let data = serde_json::to_string(&e).unwrap_or_default();
                let sse = SseEvent::default()
                    .id(e.seq.to_string())
                    .event(e.kind.name())
                    .data(data);
                return Some((Ok(sse), self));
            }
            if *self.shutdown.borrow() {
                return None;
            }
            let wake = tokio::select! {
                note = self.notes.recv() => match note {
                    Ok(n) => n.stream == self.contest && n.seq > self.last,
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                },
                _ = tokio::time::sleep(POLL) => true,
                _ = self.shutdown.changed() => return None,
            };
            if wake && !self.top_up().await {
                return None;
            }
        }
    }
}

/// The stream of a contest's new events for the caller's role.
pub async fn stream(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<After>,
    headers: HeaderMap,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    // Subscribe before reading the head, so nothing appended in between is missed.
    let notes = state.ledger.store().subscribe();
    let events = state.ledger.events(&id).await?;
    let head = events.last().map_or(0, |e| e.seq);
    let last_event_id = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let start = q.after.or(last_event_id).unwrap_or(head).min(head);
    let mut cursor = Cursor {
        shutdown: state.shutdown_signal(),
        state,
        contest: id,
        view: who.view(),
        last: start,
        pending: VecDeque::new(),
        notes,
    };
    cursor.pending.extend(concord_ledger::filter_view(
        &events[start as usize..],
        cursor.view,
    ));
    cursor.last = head;
    let stream = futures::stream::unfold(cursor, Cursor::next);
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(Duration::from_secs(15))))
}
