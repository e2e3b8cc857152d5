//! What a read computes, for both faces: the fold for a role (adopted silence procedures
//! applied), the board's JSON, the forecast, and the dates a request may ask for — each with
//! its cache, and each bounded: `as_of` lies within the contest's life, a forecast spans at most
//! [`MAX_FORECAST_DAYS`] and runs at most [`MAX_TRIALS`] trials, [`CONCURRENT_RUNS`] at a time.

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use axum::body::Bytes;
use concord_domain::diagnostic::{Diagnostic, Location};
use concord_domain::event::{Event, EventKind};
use concord_domain::{ContestState, Guard, StatusView};
use concord_forecast::{Forecast, ForecastInput, Params, RunConfig};
use concord_ledger::View;
use jiff::ToSpan;
use jiff::civil::Date;
use tokio::sync::Semaphore;

use super::caches::{Baseline, BoardKey, CachedBoard, CachedForecast, ForecastKey};
use crate::{ApiError, AppState, Principal};

/// The most trials one forecast may ask for: beyond this a run holds the cores for minutes.
pub const MAX_TRIALS: u64 = 1_000_000;
/// The most days a forecast's curve may span (as_of to the horizon after the term end): ten
/// years, far beyond any real contest, and a bound on the curve's length and memory.
pub const MAX_FORECAST_DAYS: i64 = 3_653;
/// Simulations running at once. Each one already uses every core (rayon), so more would only
/// stretch every caller's latency; a burst of requests waits here instead.
pub const CONCURRENT_RUNS: usize = 2;

fn runs() -> &'static Arc<Semaphore> {
    static RUNS: OnceLock<Arc<Semaphore>> = OnceLock::new();
    RUNS.get_or_init(|| Arc::new(Semaphore::new(CONCURRENT_RUNS)))
}

/// Where a request's `as_of` comes from when it names none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DefaultDate {
    /// Today on the server's clock (the API).
    Today,
    /// The contest's featured date, else today (the dashboard: what a newcomer sees first).
    Featured,
}

/// A problem with a query parameter, located by its name.
pub fn at_param(name: &str, message: impl Into<String>, expected: impl Into<String>) -> ApiError {
    ApiError::bad_input(&concord_domain::Diagnostics(vec![
        Diagnostic::new(
            Location::Json {
                file: "query".to_owned(),
                path: name.to_owned(),
            },
            message,
        )
        .expected(expected),
    ]))
}

impl AppState {
    /// Keeps the known heads fresh from the store's notifications, so a board read does not
    /// need a store query to know whether its cached answer is still current.
    pub(crate) fn watch_heads(&self) {
        let mut notes = self.ledger.store().subscribe();
        let caches = Arc::downgrade(&self.caches);
        // Outside a runtime (a plain unit test) there is nothing to watch with; heads expire.
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

    /// The head of a contest: from the notifications when recent, else from the store.
    pub async fn head(&self, contest: &str) -> Result<u64, ApiError> {
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

    /// Everything ever known about a contest except stances — members, candidates,
    /// conditions, milestones, procedures. Stance reports are most of the log and most of the
    /// writes, so leaving them out lets the fold be cached across writes: it is redone only
    /// when a structural event arrives. It holds nothing confidential.
    pub async fn structure(&self, id: &str) -> Result<Arc<ContestState>, ApiError> {
        let head = self.head(id).await?;
        if let Some((_, checked, s)) = self
            .caches
            .structure
            .lock()
            .expect("structure lock")
            .get(id)
            && *checked == head
        {
            return Ok(Arc::clone(s));
        }
        let events = self.ledger.events(id).await?;
        let is_structural = |e: &&Event| !matches!(e.kind, EventKind::StanceReported(_));
        let last = events.iter().rev().find(is_structural).map_or(0, |e| e.seq);
        let seen = events.last().map_or(0, |e| e.seq);
        {
            let mut cache = self.caches.structure.lock().expect("structure lock");
            if let Some((structural, checked, s)) = cache.get_mut(id)
                && *structural == last
            {
                *checked = (*checked).max(seen);
                return Ok(Arc::clone(s));
            }
        }
        let structural: Vec<Event> = events.iter().filter(is_structural).cloned().collect();
        let folded =
            Arc::new(ContestState::fold(&structural, Date::MAX).map_err(ApiError::internal)?);
        self.caches
            .structure
            .lock()
            .expect("structure lock")
            .insert(id.to_owned(), (last, seen, Arc::clone(&folded)));
        Ok(folded)
    }

    /// The domain's guard at the contest's current head, kept up to date from the log's tail.
    pub async fn guard(&self, id: &str) -> Result<Guard, ApiError> {
        let events = self.ledger.events(id).await?;
        let mut guards = self.caches.guards.lock().expect("guards lock");
        if let Some((len, guard)) = guards.get_mut(id)
            && *len <= events.len()
        {
            guard.follow(&events[*len..]);
            *len = events.len();
            return Ok(guard.clone());
        }
        let guard = Guard::of(&events)
            .ok_or_else(|| ApiError::internal(format!("the log of '{id}' has no opening")))?;
        guards.insert(id.to_owned(), (events.len(), guard.clone()));
        Ok(guard)
    }

    /// The dates a contest can be read at: from its opening to the latest of its term end,
    /// its milestones, its decision and tomorrow. Every `as_of` must lie within.
    pub async fn life(&self, id: &str) -> Result<(Date, Date), ApiError> {
        let s = self.structure(id).await?;
        let events = self.ledger.events(id).await?;
        let opened = events.first().map_or(s.term_end, |e| e.valid);
        let tomorrow = self.today().saturating_add(1.day());
        let end = s
            .milestones
            .iter()
            .map(|m| m.date)
            .chain(s.decision.as_ref().map(|d| d.date))
            .chain([s.term_end, tomorrow])
            .max()
            .unwrap_or(tomorrow);
        Ok((opened, end))
    }

    /// The `as_of` of a request: `given` (a query parameter named `name`) within the contest's
    /// life, or the default; 422 for a date that does not read or lies outside.
    pub async fn as_of(
        &self,
        id: &str,
        given: Option<&str>,
        name: &str,
        default: DefaultDate,
    ) -> Result<Date, ApiError> {
        let (first, last) = self.life(id).await?;
        match given.map(str::trim).filter(|s| !s.is_empty()) {
            None => Ok(match default {
                DefaultDate::Today => self.today(),
                DefaultDate::Featured => featured_date(self, id)
                    .await
                    .filter(|d| (first..=last).contains(d))
                    .unwrap_or_else(|| self.today()),
            }),
            Some(text) => {
                let date: Date = text.parse().map_err(|_| {
                    at_param(
                        name,
                        format!("'{}' is not a date", clip(text)),
                        "YYYY-MM-DD",
                    )
                })?;
                if !(first..=last).contains(&date) {
                    return Err(at_param(
                        name,
                        format!("{date} is outside the life of {id}"),
                        format!("a date from {first} to {last}"),
                    ));
                }
                Ok(date)
            }
        }
    }

    /// A contest's state on a date as `who` may see it, with adopted silence procedures
    /// applied (as the CLI does).
    pub async fn folded(
        &self,
        id: &str,
        as_of: Date,
        who: &Principal,
    ) -> Result<ContestState, ApiError> {
        let mut folded = self.ledger.state(id, as_of, who.view()).await?;
        folded.apply_adopted_procedures(self.now());
        Ok(folded)
    }

    /// The status view's JSON (`concord status --format json`) as `who` may see it, from the
    /// cache while the log and the procedures' deadlines allow.
    pub async fn status_json(
        &self,
        id: &str,
        as_of: Date,
        who: &Principal,
    ) -> Result<Bytes, ApiError> {
        let view = who.view();
        let head = self.head(id).await?;
        let now = self.now();
        let key = BoardKey {
            contest: id.to_owned(),
            as_of,
            chair: view == View::Chair,
            head,
        };
        if let Some(c) = self.caches.boards.get(&key)
            && c.valid_until.is_none_or(|t| now < t)
        {
            return Ok(c.json);
        }
        let mut folded = self.ledger.state(id, as_of, view).await?;
        let valid_until = folded.next_procedure_change(now);
        folded.apply_adopted_procedures(now);
        let status = StatusView::build(&folded).map_err(ApiError::internal)?;
        let json = Bytes::from(serde_json::to_vec(&status).map_err(ApiError::internal)?);
        // The fold may have seen more than `head` (a racing append); key it by what it saw, or
        // the entry would be served for a head it does not reflect.
        let seen = self.ledger.events(id).await?.last().map_or(0, |e| e.seq);
        if seen == head {
            self.caches.boards.insert(
                key,
                CachedBoard {
                    json: json.clone(),
                    valid_until,
                },
            );
        }
        Ok(json)
    }

    /// The baseline forecast of a contest on a date as `who` may see it (the public fold for
    /// all but the chair, so no probability gives a confidential stance away), from the cache
    /// when the log has not moved.
    pub async fn forecast(
        &self,
        id: &str,
        as_of: Date,
        who: &Principal,
        config: RunConfig,
    ) -> Result<Arc<Baseline>, ApiError> {
        if !(1..=MAX_TRIALS).contains(&config.trials) {
            return Err(at_param(
                "trials",
                format!("{} trials is out of range", config.trials),
                format!("a whole number from 1 to {MAX_TRIALS}"),
            ));
        }
        let view = who.view();
        let head = self.head(id).await?;
        let now = self.now();
        let key = ForecastKey {
            contest: id.to_owned(),
            as_of,
            chair: view == View::Chair,
            head,
            trials: config.trials,
            seed: config.seed,
            sensitivity_trials: config.sensitivity_trials,
        };
        if let Some(c) = self.caches.forecasts.get(&key)
            && c.valid_until.is_none_or(|t| now < t)
        {
            return Ok(c.baseline);
        }
        let mut folded = self.ledger.state(id, as_of, view).await?;
        let valid_until = folded.next_procedure_change(now);
        folded.apply_adopted_procedures(now);
        if let Some(d) = &folded.decision {
            return Err(ApiError::Conflict {
                code: "decided",
                message: format!(
                    "{id} was decided on {} ({}): nothing to forecast as of {as_of}; try an earlier as_of",
                    d.date, d.candidate
                ),
            });
        }
        let params = Params::bundled();
        let span = (folded.term_end - as_of).get_days() as i64
            + i64::from(params.run.horizon_days_after_term_end);
        if span > MAX_FORECAST_DAYS {
            return Err(at_param(
                "as_of",
                format!(
                    "a forecast as of {as_of} would span {span} days (to {} and {} days after)",
                    folded.term_end, params.run.horizon_days_after_term_end
                ),
                format!("a date whose forecast spans at most {MAX_FORECAST_DAYS} days"),
            ));
        }
        let baseline = simulate(move || {
            let params = Params::bundled();
            let input = ForecastInput::from_state_with(&folded, as_of, &params);
            let forecast = concord_forecast::forecast(&input, &params, &config).map_err(|e| {
                ApiError::Conflict {
                    code: "no_forecast",
                    message: e.to_string(),
                }
            })?;
            let json = Bytes::from(serde_json::to_vec(&forecast).map_err(ApiError::internal)?);
            Ok(Arc::new(Baseline {
                input,
                forecast,
                json,
            }))
        })
        .await?;
        let seen = self.ledger.events(id).await?.last().map_or(0, |e| e.seq);
        if seen == head {
            self.caches.forecasts.insert(
                key,
                CachedForecast {
                    baseline: Arc::clone(&baseline),
                    valid_until,
                },
            );
        }
        Ok(baseline)
    }

    /// A forecast of an edited input (a what-if), on the run pool.
    pub async fn forecast_edited(
        &self,
        input: ForecastInput,
        config: RunConfig,
    ) -> Result<Forecast, ApiError> {
        simulate(move || {
            concord_forecast::forecast(&input, &Params::bundled(), &config).map_err(|e| {
                ApiError::Conflict {
                    code: "no_forecast",
                    message: e.to_string(),
                }
            })
        })
        .await
    }
}

/// Runs `job` on the blocking pool once a run slot is free. The slot goes with the job, so a
/// request that times out still counts until its simulation really ends.
async fn simulate<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let permit = Arc::clone(runs())
        .acquire_owned()
        .await
        .map_err(ApiError::internal)?;
    tokio::task::spawn_blocking(move || {
        let out = job();
        drop(permit);
        out
    })
    .await
    .map_err(ApiError::internal)?
}

/// The date a contest asks to be shown on first, from its opening event.
async fn featured_date(state: &AppState, contest: &str) -> Option<Date> {
    let events = state.ledger.events(contest).await.ok()?;
    match &events.first()?.kind {
        EventKind::ContestOpened { contest } => contest.featured_date,
        _ => None,
    }
}

fn clip(s: &str) -> String {
    s.chars().take(40).collect()
}
