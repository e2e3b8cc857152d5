//! Reading a contest: the list of contests and the board with its verdict `as_of` a date.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use concord_domain::model::CandidateStatus;
use concord_domain::procedure::SilenceStatus;
use concord_domain::state::Decision;
use concord_domain::{ContestState, StatusView};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::BoardKey;
use crate::{ApiError, AppState, Principal};

#[derive(Serialize)]
pub struct ContestItem {
    pub id: String,
    pub events: u64,
}

/// `GET /api/contests`. The event count is what the caller may see: a raw count would tell an
/// observer that a confidential consultation was just recorded.
pub async fn contests(
    State(state): State<AppState>,
    who: Principal,
) -> Result<Json<Vec<ContestItem>>, ApiError> {
    let list = state.ledger.contests().await?;
    let mut out = Vec::with_capacity(list.len());
    for c in list {
        let events = if who.is_chair() {
            c.events
        } else {
            state.ledger.visible_events(&c.id, who.view()).await?.len() as u64
        };
        out.push(ContestItem { id: c.id, events });
    }
    Ok(Json(out))
}

#[derive(Debug, Deserialize)]
pub struct AsOf {
    pub as_of: Option<String>,
}

impl AsOf {
    /// The date asked for, default today.
    pub fn date(&self, state: &AppState) -> Result<Date, ApiError> {
        match &self.as_of {
            None => Ok(state.today()),
            Some(s) => s.parse().map_err(|_| {
                ApiError::at(
                    "as_of",
                    format!("'{s}' is not a date (expected YYYY-MM-DD)"),
                )
            }),
        }
    }
}

/// A serialised board and until when it stays right (an open procedure's deadline).
#[derive(Clone)]
pub struct CachedBoard {
    json: Bytes,
    valid_until: Option<Timestamp>,
}

/// The first deadline at which a procedure visible in `state` would change on its own.
pub(crate) fn next_change(state: &ContestState, now: Timestamp) -> Option<Timestamp> {
    state
        .procedures
        .iter()
        .filter(|p| matches!(p.status_at(now), SilenceStatus::Open { .. }))
        .map(|p| p.deadline.timestamp())
        .min()
}

/// Reads a silence procedure adopted by `now` (deadline on or before `as_of`) as the decision
/// it takes: the candidate is appointed. Derived on every read from events and the clock, so
/// it is right after a restart and needs no timer and no extra event.
pub fn apply_procedures(state: &mut ContestState, now: Timestamp) {
    if state.decision.is_some() {
        return;
    }
    let adopted = state
        .procedures
        .iter()
        .filter(|p| p.deadline.date() <= state.as_of)
        .filter(|p| p.status_at(now) == SilenceStatus::Adopted)
        .min_by_key(|p| p.deadline.timestamp())
        .map(|p| (p.candidate.clone(), p.deadline.date(), p.procedure.clone()));
    if let Some((candidate, date, procedure)) = adopted {
        if let Some(c) = state
            .candidates
            .iter_mut()
            .find(|c| c.profile.id == candidate)
        {
            c.status = CandidateStatus::Appointed;
        }
        state.decision = Some(Decision {
            candidate,
            date,
            source: format!("silence procedure {procedure}: adopted at the deadline"),
        });
    }
}

/// `GET /api/contests/{id}/status?as_of=YYYY-MM-DD`: the board and the verdict, as
/// `concord status --format json` prints them, seen as the caller's role may see them.
pub async fn status(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Response, ApiError> {
    let as_of = q.date(&state)?;
    let view = who.view();
    let head = state.head(&id).await?;
    let now = state.now();
    let key = BoardKey {
        contest: id.clone(),
        as_of,
        chair: view == concord_ledger::View::Chair,
        head,
    };
    let cached = state
        .caches
        .boards
        .lock()
        .expect("boards lock")
        .get(&key)
        .cloned();
    if let Some(c) = cached
        && c.valid_until.is_none_or(|t| now < t)
    {
        return Ok(json_bytes(c.json));
    }
    let mut folded = state.ledger.state(&id, as_of, view).await?;
    let valid_until = next_change(&folded, now);
    apply_procedures(&mut folded, now);
    let view_json = StatusView::build(&folded).map_err(ApiError::internal)?;
    let json = Bytes::from(serde_json::to_vec(&view_json).map_err(ApiError::internal)?);
    // The fold may have seen more than `head` (a racing append); key it by what it saw, or the
    // entry would be served for a head it does not reflect.
    let seen = state.ledger.events(&id).await?.last().map_or(0, |e| e.seq);
    if seen == head {
        let mut boards = state.caches.boards.lock().expect("boards lock");
        if boards.len() > 4096 {
            boards.clear();
        }
        boards.insert(
            key,
            CachedBoard {
                json: json.clone(),
                valid_until,
            },
        );
    }
    Ok(json_bytes(json))
}

fn json_bytes(json: Bytes) -> Response {
    ([(CONTENT_TYPE, "application/json")], json).into_response()
}

#[allow(dead_code)]
fn _assert_send(_: Arc<()>) {}
