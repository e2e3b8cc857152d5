//! The application layer beneath both faces (the JSON API in `api/`, the dashboard in
//! `dashboard/`): the shared state (the ledger, the clock, the settings, the token lookup, the
//! caches), what a write may do ([`writes`]: who may, what is valid through the domain's guard,
//! what is appended) and what a read computes ([`reads`]: the fold for a role, the board, the
//! forecast, the dates a request may ask for). The faces only read requests and render answers.

pub mod caches;
pub mod reads;
pub mod writes;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use concord_ledger::Ledger;
use jiff::Timestamp;

/// Where the time comes from: the system clock in production, a settable one in tests, so the
/// silence procedure's deadline can be crossed without waiting.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Timestamp;
}

/// The wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that moves only when told to.
#[derive(Debug)]
pub struct ManualClock(Mutex<Timestamp>);

impl ManualClock {
    pub fn new(at: Timestamp) -> ManualClock {
        ManualClock(Mutex::new(at))
    }

    pub fn set(&self, at: Timestamp) {
        *self.0.lock().expect("clock lock") = at;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self.0.lock().expect("clock lock");
        *now = now
            .checked_add(jiff::SignedDuration::try_from(by).expect("a short duration"))
            .expect("time in range");
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        *self.0.lock().expect("clock lock")
    }
}

/// What an operator chooses when starting the server.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// Anonymous visitors may read public data (on for `--demo`, off by default).
    pub public_read: bool,
    /// The largest request body accepted.
    pub body_limit: usize,
    /// How long a request may take before it is answered 408 (SSE streams are exempt).
    pub request_timeout: Duration,
    /// How long a looked-up token is trusted before it is looked up again (bounds how long a
    /// revoked token keeps working on an instance that did not revoke it).
    pub token_ttl: Duration,
    /// How long a contest's known head is trusted without a store notification.
    pub head_ttl: Duration,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            public_read: false,
            body_limit: 64 * 1024,
            request_timeout: Duration::from_secs(30),
            token_ttl: Duration::from_secs(5),
            head_ttl: Duration::from_secs(1),
        }
    }
}

/// Looked-up tokens by hash: the principal (or `None` for an unknown or revoked token) and when.
pub(crate) type TokenCache = HashMap<String, (Option<crate::auth::Principal>, Instant)>;

/// Everything a handler needs; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub ledger: Ledger,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<ServerSettings>,
    pub(crate) tokens: Arc<Mutex<TokenCache>>,
    pub(crate) caches: Arc<caches::Caches>,
    /// Flipped once when the server begins a graceful shutdown: SSE streams end on it, so the
    /// shutdown is not held up by clients that never hang up.
    shutdown: Arc<tokio::sync::watch::Sender<bool>>,
}

impl AppState {
    pub fn new(ledger: Ledger, clock: Arc<dyn Clock>, settings: ServerSettings) -> AppState {
        let state = AppState {
            ledger,
            clock,
            settings: Arc::new(settings),
            tokens: Arc::default(),
            caches: Arc::default(),
            shutdown: Arc::new(tokio::sync::watch::channel(false).0),
        };
        state.watch_heads();
        state
    }

    /// Tells long-lived responses (SSE) to finish: the server is shutting down.
    pub fn begin_shutdown(&self) {
        self.shutdown.send_replace(true);
    }

    /// A receiver that sees `true` once shutdown has begun.
    pub fn shutdown_signal(&self) -> tokio::sync::watch::Receiver<bool> {
        self.shutdown.subscribe()
    }

    /// The current instant, from the injected clock.
    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }

    /// Today's date (UTC), the default `as_of`.
    pub fn today(&self) -> jiff::civil::Date {
        self.now().to_zoned_datetime(jiff::tz::TimeZone::UTC).date()
    }
}
