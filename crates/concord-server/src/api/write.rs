//! Recording: stance reports, conditions and commitments. Each body is read into the domain's
//! command and handed to the application layer, which checks who may (403, nothing written),
//! validates through the domain's guard (422 with every problem at its JSON path and the near
//! miss) and appends — durable before the 201 goes out.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::command::{MakeCommitment, ReportStance, SetCondition};
use concord_domain::event::Event;

use super::body::JsonBody;
use super::write_error;
use crate::{ApiError, AppState, Principal};

type Created = (StatusCode, Json<Vec<Event>>);

/// `POST /api/contests/{id}/reports`: chair (any member, any visibility), a delegation (its own
/// member), an analyst (public sources only).
pub async fn post_report(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<ReportStance>,
) -> Result<Created, ApiError> {
    who.require(&["chair", "delegation", "analyst"], "record reports")?;
    let command = body.parse()?;
    let sealed = state
        .report_stance(&who, &id, &command)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(sealed)))
}

/// `POST /api/contests/{id}/conditions`: chair, analyst, or a delegation for its own member.
pub async fn post_condition(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<SetCondition>,
) -> Result<Created, ApiError> {
    who.require(&["chair", "delegation", "analyst"], "record conditions")?;
    let command = body.parse()?;
    let sealed = state
        .set_condition(&who, &id, &command)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(sealed)))
}

/// `POST /api/contests/{id}/commitments`: chair or analyst (a candidate's public promise).
pub async fn post_commitment(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<MakeCommitment>,
) -> Result<Created, ApiError> {
    who.require(&["chair", "analyst"], "record commitments")?;
    let command = body.parse()?;
    let sealed = state
        .make_commitment(&who, &id, &command)
        .await
        .map_err(write_error)?;
    Ok((StatusCode::CREATED, Json(sealed)))
}
