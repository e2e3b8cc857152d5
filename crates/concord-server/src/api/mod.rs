//! The JSON API under `/api`: one module per group of endpoints, and the caches behind them.

mod board;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::Router;
use axum::routing::get;
use jiff::civil::Date;

use crate::AppState;

pub use board::apply_procedures;

/// Every API route. The OpenAPI document lists exactly these (a test holds them in step).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/contests", get(board::contests))
        .route("/api/contests/{id}/status", get(board::status))
}

/// What the server remembers between requests, all of it derivable from the store.
#[derive(Default)]
pub struct Caches {
    /// The last sequence number known per contest, and when it was last confirmed.
    heads: Mutex<HashMap<String, (u64, Instant)>>,
    /// Serialised boards per (contest, as_of, view, head); see [`board::status`].
    boards: Mutex<HashMap<BoardKey, board::CachedBoard>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct BoardKey {
    contest: String,
    as_of: Date,
    chair: bool,
    head: u64,
}

/// Keeps the known heads fresh from the store's notifications, so a board read does not need
/// a store query to know whether its cached answer is still current.
pub(crate) fn watch_heads(state: &AppState) {
    let mut notes = state.ledger.store().subscribe();
    let caches = std::sync::Arc::downgrade(&state.caches);
    // Outside a runtime (a plain unit test) there is nothing to watch with; heads then expire.
    let Ok(handle) = tokio::runtime::Handle::try_current() else {
        return;
    };
    handle.spawn(async move {
        loop {
            let note = notes.recv().await;
            let Some(caches) = caches.upgrade() else { return };
            let mut heads = caches.heads.lock().expect("heads lock");
            match note {
                Ok(n) => {
                    let entry = heads.entry(n.stream).or_insert((0, Instant::now()));
                    if n.seq > entry.0 {
                        *entry = (n.seq, Instant::now());
                    }
                }
                // Missed notifications: forget every head, so the next read asks the store.
                Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => heads.clear(),
                Err(tokio::sync::broadcast::error::RecvError::Closed) => return,
            }
        }
    });
}

impl AppState {
    /// The head of a contest: from the notifications when recent, else from the store.
    pub async fn head(&self, contest: &str) -> Result<u64, crate::ApiError> {
        {
            let heads = self.caches.heads.lock().expect("heads lock");
            if let Some((seq, at)) = heads.get(contest)
                && at.elapsed() < self.settings.head_ttl
            {
                return Ok(*seq);
            }
        }
        let events = self.ledger.events(contest).await?;
        let seq = events.last().map_or(0, |e| e.seq);
        self.note_head(contest, seq);
        Ok(seq)
    }

    /// Records a head this process has just seen (after its own append, say).
    pub(crate) fn note_head(&self, contest: &str, seq: u64) {
        let mut heads = self.caches.heads.lock().expect("heads lock");
        let entry = heads.entry(contest.to_owned()).or_insert((0, Instant::now()));
        if seq >= entry.0 {
            *entry = (seq, Instant::now());
        }
    }
}
