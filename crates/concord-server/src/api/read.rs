//! Reading a contest as the caller's role may see it: members, candidates, reports,
//! conditions, commitments, one member's history, the export, the chain check, and `me`.
//!
//! Everything here starts from `ledger.visible_events(contest, who.view())` or
//! `ledger.state(…, who.view())`: a `chair_only` stance is dropped before anything is derived,
//! so no endpoint can leak one to anyone but the chair.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::header::CONTENT_TYPE;
use axum::response::{IntoResponse, Response};
use concord_domain::diagnostic::did_you_mean;
use concord_domain::event::{Event, EventKind};
use concord_domain::state::{CandidateState, CommitmentState, ConditionState, StanceEntry};
use concord_domain::{ContestState, Member};
use concord_ledger::View;
use jiff::civil::Date;
use serde::Serialize;

use super::board::AsOf;
use crate::{ApiError, AppState, Principal};

/// `GET /api/me`: who the server takes the caller for.
pub async fn me(State(state): State<AppState>, who: Principal) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "role": who.role.to_string(),
        "label": who.label,
        "anonymous": who.is_anonymous(),
        "sees_chair_only": who.is_chair(),
        "public_read": state.settings.public_read,
        "now": state.now(),
    }))
}

async fn state_as_of(
    state: &AppState,
    who: &Principal,
    id: &str,
    q: &AsOf,
) -> Result<ContestState, ApiError> {
    let as_of = q.date(state, id).await?;
    state.folded(id, as_of, who).await
}

/// `GET /api/contests/{id}/members?as_of=`: the members counted on the date.
pub async fn members(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Vec<Member>>, ApiError> {
    let s = state_as_of(&state, &who, &id, &q).await?;
    Ok(Json(s.current_members().cloned().collect()))
}

/// `GET /api/contests/{id}/candidates?as_of=`.
pub async fn candidates(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Vec<CandidateState>>, ApiError> {
    let s = state_as_of(&state, &who, &id, &q).await?;
    Ok(Json(s.candidates))
}

/// `GET /api/contests/{id}/reports?as_of=`: every stance report the caller may see.
pub async fn reports(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Vec<StanceEntry>>, ApiError> {
    let s = state_as_of(&state, &who, &id, &q).await?;
    let mut all: Vec<StanceEntry> = s.reports.into_values().flatten().collect();
    all.sort_by_key(|e| (e.valid, e.seq));
    Ok(Json(all))
}

/// `GET /api/contests/{id}/conditions?as_of=`.
pub async fn conditions(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Vec<ConditionState>>, ApiError> {
    let s = state_as_of(&state, &who, &id, &q).await?;
    Ok(Json(s.conditions))
}

/// `GET /api/contests/{id}/commitments?as_of=`.
pub async fn commitments(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    Query(q): Query<AsOf>,
) -> Result<Json<Vec<CommitmentState>>, ApiError> {
    let s = state_as_of(&state, &who, &id, &q).await?;
    Ok(Json(s.commitments))
}

#[derive(Serialize)]
pub struct History {
    pub member: Member,
    pub events: Vec<Event>,
}

/// `GET /api/contests/{id}/members/{code}/history`: every event about one member, oldest
/// first (by valid date), as the caller may see them.
pub async fn history(
    State(state): State<AppState>,
    who: Principal,
    Path((id, code)): Path<(String, String)>,
) -> Result<Json<History>, ApiError> {
    let events = state.ledger.visible_events(&id, who.view()).await?;
    let s = ContestState::fold(&events, Date::MAX).map_err(ApiError::internal)?;
    let Some(member) = s.member(&code).cloned() else {
        let hint = did_you_mean(&code, s.members.iter().map(|m| m.code.as_str()))
            .map(|m| format!(" — did you mean '{m}'?"))
            .unwrap_or_default();
        return Err(ApiError::NotFound(format!("unknown member '{code}'{hint}")));
    };
    let mut rows: Vec<Event> = events
        .into_iter()
        .filter(|e| match &e.kind {
            EventKind::StanceReported(s) => s.member == code,
            EventKind::ConditionSet { member, .. } => *member == code,
            EventKind::CommitmentMade { meets, .. } => meets.iter().any(|m| m.member == code),
            EventKind::SilenceBroken { member, .. } => *member == code,
            _ => false,
        })
        .collect();
    rows.sort_by_key(|e| (e.valid, e.seq));
    Ok(Json(History {
        member,
        events: rows,
    }))
}

/// `GET /api/contests/{id}/export`: the log as JSON lines, as `concord export` writes it —
/// what the caller's role may see. The chair's export (the whole log) ends with
/// `{"checkpoint": "…"}`, the signed checkpoint over it; other views have none, since its size
/// and head would betray that confidential events exist.
pub async fn export(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let events = state.ledger.visible_events(&id, who.view()).await?;
    let checkpoint = match who.view() {
        View::Chair => state.ledger.checkpoint(&id).await?,
        View::Public => None,
    };
    let mut out = Vec::with_capacity(events.len() * 512);
    for e in &events {
        serde_json::to_writer(&mut out, e).map_err(ApiError::internal)?;
        out.push(b'\n');
    }
    if let Some(cp) = checkpoint {
        serde_json::to_writer(&mut out, &serde_json::json!({ "checkpoint": cp.to_text() }))
            .map_err(ApiError::internal)?;
        out.push(b'\n');
    }
    Ok(([(CONTENT_TYPE, "application/x-ndjson")], out).into_response())
}

/// `GET /api/contests/{id}/verify`: checks the hash chain, the store's record and the signed
/// checkpoint (chair only: the chain covers confidential events too).
pub async fn verify(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    who.require(&["chair"], "verify the hash chain")?;
    Ok(Json(match state.ledger.verify(&id).await? {
        Ok(found) => serde_json::json!({
            "intact": true,
            "events": found.events,
            "checkpoint": found.checkpoint.map(|cp| cp.to_text()),
        }),
        Err(e) => {
            tracing::error!(contest = %id, breach = %e, "integrity check failed");
            serde_json::json!({"intact": false, "first_bad": e.first_bad(), "message": e.to_string()})
        }
    }))
}
