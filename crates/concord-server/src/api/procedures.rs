//! The silence procedure, live: the chair circulates a draft with a deadline; delegations may
//! break silence until it; with no break the draft is adopted at the deadline. The status is
//! computed from the events and the injected clock on every read (`SilenceState::status_at`),
//! so it needs no timer and is right after a restart. Writes go through the application
//! layer and the domain's guard, as the dashboard's forms do.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::command::{BreakSilence, OpenSilence, WithdrawSilence};
use concord_domain::event::Event;
use concord_domain::procedure::SilenceStatus;
use concord_domain::state::SilenceState;
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;

use super::body::JsonBody;
use super::write_error;
use crate::{ApiError, AppState, Principal};

/// A procedure with its status now.
#[derive(Debug, Serialize)]
pub struct ProcedureOut {
    #[serde(flatten)]
    pub procedure: SilenceState,
    pub now: Timestamp,
    #[serde(flatten)]
    pub status: SilenceStatus,
}

fn out(p: SilenceState, now: Timestamp) -> ProcedureOut {
    let status = p.status_at(now);
    ProcedureOut {
        procedure: p,
        now,
        status,
    }
}

async fn all(state: &AppState, who: &Principal, id: &str) -> Result<Vec<SilenceState>, ApiError> {
    Ok(state.folded(id, Date::MAX, who).await?.procedures)
}

async fn one(
    state: &AppState,
    who: &Principal,
    id: &str,
    pid: &str,
) -> Result<SilenceState, ApiError> {
    all(state, who, id)
        .await?
        .into_iter()
        .find(|p| p.procedure == pid)
        .ok_or_else(|| ApiError::NotFound(format!("no silence procedure '{pid}' in '{id}'")))
}

/// `GET /api/contests/{id}/procedures`.
pub async fn list(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Json<Vec<ProcedureOut>>, ApiError> {
    let now = state.now();
    Ok(Json(
        all(&state, &who, &id)
            .await?
            .into_iter()
            .map(|p| out(p, now))
            .collect(),
    ))
}

/// `GET /api/contests/{id}/procedures/{pid}`.
pub async fn get_one(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, String)>,
) -> Result<Json<ProcedureOut>, ApiError> {
    let p = one(&state, &who, &id, &pid).await?;
    Ok(Json(out(p, state.now())))
}

/// `POST /api/contests/{id}/procedures`: the chair opens a silence procedure.
pub async fn open(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<OpenSilence>,
) -> Result<(StatusCode, Json<ProcedureOut>), ApiError> {
    who.require(&["chair"], "open a silence procedure")?;
    let command = body.parse()?;
    let pid = state
        .open_silence(&who, &id, &command)
        .await
        .map_err(write_error)?;
    let p = one(&state, &who, &id, &pid).await?;
    Ok((StatusCode::CREATED, Json(out(p, state.now()))))
}

/// `POST /api/contests/{id}/procedures/{pid}/break`: a delegation breaks silence for its own
/// member (the chair may record a break a delegation made to it).
pub async fn break_silence(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, String)>,
    body: JsonBody<BreakSilence>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair", "delegation"], "break silence")?;
    let command = body.parse()?;
    let sealed = state
        .break_silence(&who, &id, &pid, &command)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(sealed)))
}

/// `POST /api/contests/{id}/procedures/{pid}/withdraw`: the chair withdraws an open draft.
pub async fn withdraw(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, String)>,
    body: JsonBody<WithdrawSilence>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair"], "withdraw a silence procedure")?;
    let command = body.parse()?;
    let sealed = state
        .withdraw_silence(&who, &id, &pid, &command)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(sealed)))
}
