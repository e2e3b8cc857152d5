//! Reading a contest: the list of contests and the board with its verdict `as_of` a date.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};

use crate::app::reads::DefaultDate;
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

/// The `as_of` query parameter (default today; within the contest's life, else 422).
#[derive(Debug, Deserialize)]
pub struct AsOf {
    pub as_of: Option<String>,
}

impl AsOf {
    pub async fn date(&self, state: &AppState, id: &str) -> Result<jiff::civil::Date, ApiError> {
        state
            .as_of(id, self.as_of.as_deref(), "as_of", DefaultDate::Today)
            .await
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
    let as_of = q.date(&state, &id).await?;
    let json = state.status_json(&id, as_of, &who).await?;
    Ok(([(CONTENT_TYPE, "application/json")], json).into_response())
}
