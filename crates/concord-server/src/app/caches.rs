//! What the server remembers between requests, all of it derivable from the store, and all of
//! it bounded in bytes: a crawler of dates or seeds evicts older answers, it cannot grow memory.
//!
//! - heads: the last sequence number known per contest (one entry per contest that exists);
//! - boards: serialised status answers per (contest, as_of, view, head), at most
//!   [`BOARD_CACHE_BYTES`];
//! - forecasts: baselines per (contest, as_of, view, head, trials, seed, sensitivities), at
//!   most [`FORECAST_CACHE_BYTES`];
//! - structure and guards: per contest, the fold without stances and the domain's guard.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::body::Bytes;
use concord_domain::{ContestState, Guard};
use concord_forecast::{Forecast, ForecastInput};
use jiff::Timestamp;
use jiff::civil::Date;
use quick_cache::Weighter;
use quick_cache::sync::Cache;

/// The most memory the board answers may hold.
pub const BOARD_CACHE_BYTES: u64 = 64 << 20;
/// The most memory the forecast baselines may hold.
pub const FORECAST_CACHE_BYTES: u64 = 64 << 20;

/// Per contest: the last structural seq covered, the head last checked, the fold.
pub(crate) type StructureEntry = (u64, u64, Arc<ContestState>);

/// Everything cached; see the module doc.
pub struct Caches {
    pub(crate) heads: Mutex<HashMap<String, (u64, Instant)>>,
    pub(crate) boards: Cache<BoardKey, CachedBoard, ByWeight>,
    pub(crate) structure: Mutex<HashMap<String, StructureEntry>>,
    /// Per contest: the log length the guard has taken in, and the guard.
    pub(crate) guards: Mutex<HashMap<String, (usize, Guard)>>,
    pub(crate) forecasts: Cache<ForecastKey, CachedForecast, ByWeight>,
}

impl Default for Caches {
    fn default() -> Self {
        Caches {
            heads: Mutex::default(),
            boards: Cache::with_weighter(1024, BOARD_CACHE_BYTES, ByWeight),
            structure: Mutex::default(),
            guards: Mutex::default(),
            forecasts: Cache::with_weighter(256, FORECAST_CACHE_BYTES, ByWeight),
        }
    }
}

/// What a board answer is cached by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct BoardKey {
    pub contest: String,
    pub as_of: Date,
    pub chair: bool,
    pub head: u64,
}

/// A serialised board and until when it stays right (an open procedure's deadline).
#[derive(Clone)]
pub(crate) struct CachedBoard {
    pub json: Bytes,
    pub valid_until: Option<Timestamp>,
}

/// What a forecast is cached by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct ForecastKey {
    pub contest: String,
    pub as_of: Date,
    pub chair: bool,
    pub head: u64,
    pub trials: u64,
    pub seed: u64,
    pub sensitivity_trials: u64,
}

/// A baseline forecast: the input edits apply to, the forecast, and its JSON.
pub struct Baseline {
    pub input: ForecastInput,
    pub forecast: Forecast,
    pub json: Bytes,
}

/// A cached baseline and until when it stays right.
#[derive(Clone)]
pub(crate) struct CachedForecast {
    pub baseline: Arc<Baseline>,
    pub valid_until: Option<Timestamp>,
}

/// Weighs an entry by the bytes it holds (its JSON, and for a forecast the decoded forecast
/// and input beside it, which are about as large again, plus a fixed overhead).
#[derive(Clone, Copy)]
pub(crate) struct ByWeight;

impl Weighter<BoardKey, CachedBoard> for ByWeight {
    fn weight(&self, key: &BoardKey, value: &CachedBoard) -> u64 {
        (key.contest.len() + value.json.len() + 64) as u64
    }
}

impl Weighter<ForecastKey, CachedForecast> for ByWeight {
    fn weight(&self, key: &ForecastKey, value: &CachedForecast) -> u64 {
        (key.contest.len() + 3 * value.baseline.json.len() + 4096) as u64
    }
}
