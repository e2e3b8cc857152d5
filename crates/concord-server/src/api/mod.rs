//! The JSON API under `/api`: one module per group of endpoints, and the caches behind them.

mod board;
pub mod body;
pub mod forecast;
pub mod import;
pub mod openapi;
pub mod procedures;
mod read;
pub mod review;
mod stream;
pub mod write;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

use axum::Router;
use axum::handler::Handler;
use axum::routing::{get, post};
use jiff::civil::Date;

use crate::AppState;

pub use board::apply_procedures;

/// Every API route. The OpenAPI document lists exactly these (a test holds them in step).
pub fn routes() -> Router<AppState> {
    table().router
}

/// Every API route as (method, path), in the order they are declared.
pub fn route_list() -> Vec<(&'static str, &'static str)> {
    table().list
}

/// The router and the list of its routes, built by the same calls so they cannot drift.
struct Table {
    router: Router<AppState>,
    list: Vec<(&'static str, &'static str)>,
}

impl Table {
    fn get<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Table {
        self.list.push(("get", path));
        self.router = self.router.route(path, get(h));
        self
    }

    fn post<H: Handler<T, AppState>, T: 'static>(mut self, path: &'static str, h: H) -> Table {
        self.list.push(("post", path));
        self.router = self.router.route(path, post(h));
        self
    }

    /// A POST whose body may be larger than the server's default limit (an article).
    fn post_up_to<H: Handler<T, AppState>, T: 'static>(
        mut self,
        path: &'static str,
        limit: usize,
        h: H,
    ) -> Table {
        self.list.push(("post", path));
        self.router = self.router.route(
            path,
            post(h).layer(axum::extract::DefaultBodyLimit::max(limit)),
        );
        self
    }
}

fn table() -> Table {
    let t = Table {
        router: Router::new(),
        list: Vec::new(),
    };
    t.get("/api/openapi.json", openapi::document)
        .get("/api/me", read::me)
        .get("/api/contests", board::contests)
        .post("/api/contests", import::create_contest)
        .get("/api/contests/{id}/status", board::status)
        .get("/api/contests/{id}/members", read::members)
        .get("/api/contests/{id}/members/{code}/history", read::history)
        .get("/api/contests/{id}/candidates", read::candidates)
        .get("/api/contests/{id}/reports", read::reports)
        .post("/api/contests/{id}/reports", write::post_report)
        .post("/api/contests/{id}/reports.csv", import::import_reports)
        .get("/api/contests/{id}/conditions", read::conditions)
        .post("/api/contests/{id}/conditions", write::post_condition)
        .get("/api/contests/{id}/commitments", read::commitments)
        .post("/api/contests/{id}/commitments", write::post_commitment)
        .get("/api/contests/{id}/export", read::export)
        .get("/api/contests/{id}/verify", read::verify)
        .get("/api/contests/{id}/procedures", procedures::list)
        .post("/api/contests/{id}/procedures", procedures::open)
        .get("/api/contests/{id}/procedures/{pid}", procedures::get_one)
        .post(
            "/api/contests/{id}/procedures/{pid}/break",
            procedures::break_silence,
        )
        .post(
            "/api/contests/{id}/procedures/{pid}/withdraw",
            procedures::withdraw,
        )
        .get("/api/contests/{id}/events/stream", stream::stream)
        .post_up_to(
            "/api/contests/{id}/ingest",
            review::ARTICLE_LIMIT * 2,
            review::ingest,
        )
        .get("/api/contests/{id}/proposals", review::list)
        .post("/api/contests/{id}/proposals/accept", review::accept_many)
        .post("/api/contests/{id}/proposals/reject", review::reject_many)
        .post("/api/contests/{id}/proposals/{pid}/accept", review::accept)
        .post("/api/contests/{id}/proposals/{pid}/reject", review::reject)
        .get("/api/contests/{id}/forecast", forecast::forecast)
        .post("/api/contests/{id}/whatif", forecast::whatif)
}

/// What the server remembers between requests, all of it derivable from the store.
#[derive(Default)]
pub struct Caches {
    /// The last sequence number known per contest, and when it was last confirmed.
    heads: Mutex<HashMap<String, (u64, Instant)>>,
    /// Serialised boards per (contest, as_of, view, head); see [`board::status`].
    boards: Mutex<HashMap<BoardKey, board::CachedBoard>>,
    /// The structural fold (no stances) per contest: the last structural seq it covers, the
    /// head it was last checked against, and the fold.
    structure: Mutex<HashMap<String, StructureEntry>>,
    /// Baseline forecasts per (contest, as_of, view, head, trials, seed); see
    /// [`forecast::forecast`].
    forecasts: Mutex<forecast::ForecastCache>,
}

type StructureEntry = (u64, u64, std::sync::Arc<concord_domain::ContestState>);

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
            let Some(caches) = caches.upgrade() else {
                return;
            };
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
        let entry = heads
            .entry(contest.to_owned())
            .or_insert((0, Instant::now()));
        if seq >= entry.0 {
            *entry = (seq, Instant::now());
        }
    }
}
