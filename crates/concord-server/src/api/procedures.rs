//! The silence procedure, live: the chair circulates a draft with a deadline; delegations may
//! break silence until it; with no break the draft is adopted at the deadline. The status is
//! computed from the events and the injected clock on every read (`SilenceState::status_at`),
//! so it needs no timer and is right after a restart.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use concord_domain::diagnostic::{Diagnostic, Diagnostics};
use concord_domain::event::{Event, EventKind, NewEvent};
use concord_domain::procedure::SilenceStatus;
use concord_domain::state::SilenceState;
use jiff::civil::Date;
use jiff::{Timestamp, ZonedDateTime};
use serde::{Deserialize, Serialize};

use super::body::JsonBody;
use super::write::{append, at, check_candidate, check_member, everything};
use crate::{ApiError, AppState, Principal, Role};

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
    Ok(state
        .ledger
        .state(id, Date::MAX, who.view())
        .await?
        .procedures)
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

/// A draft as the chair circulates it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenIn {
    /// An id for the procedure (default `sp-N`).
    pub procedure: Option<String>,
    pub candidate: String,
    /// "appoint X as Secretary General from 1 October 2024".
    pub draft: String,
    /// `2024-06-26T12:00:00+02:00[Europe/Brussels]`, or RFC 3339 with `time_zone`.
    pub deadline: String,
    /// An IANA zone for an RFC 3339 deadline (default UTC).
    pub time_zone: Option<String>,
}

/// Parses a deadline: a zoned date-time, or an instant shown in a named zone.
pub fn parse_deadline(text: &str, zone: Option<&str>) -> Result<ZonedDateTime, String> {
    if let Ok(z) = text.parse::<ZonedDateTime>() {
        return Ok(z);
    }
    let instant: Timestamp = text
        .parse()
        .map_err(|e| format!("'{text}' is not a date-time with a time zone ({e})"))?;
    let tz = match zone {
        Some(name) => {
            jiff::tz::TimeZone::get(name).map_err(|e| format!("unknown time zone '{name}': {e}"))?
        }
        None => jiff::tz::TimeZone::UTC,
    };
    Ok(instant.to_zoned_datetime(tz))
}

/// `POST /api/contests/{id}/procedures`: the chair opens a silence procedure.
pub async fn open(
    State(state): State<AppState>,
    who: Principal,
    Path(id): Path<String>,
    body: JsonBody<OpenIn>,
) -> Result<(StatusCode, Json<ProcedureOut>), ApiError> {
    who.require(&["chair"], "open a silence procedure")?;
    let o = body.parse()?;
    let s = everything(&state, &id).await?;
    let now = state.now();
    let mut problems = Diagnostics::default();
    check_candidate(&s, &mut problems, "$.candidate", &o.candidate);
    if o.draft.trim().is_empty() {
        problems.push(Diagnostic::new(at("$.draft"), "empty draft").expected("the decision text"));
    }
    let deadline = match parse_deadline(&o.deadline, o.time_zone.as_deref()) {
        Ok(d) if d.timestamp() <= now => {
            problems.push(
                Diagnostic::new(
                    at("$.deadline"),
                    format!("the deadline {d} has passed (now {now})"),
                )
                .expected("a future date-time"),
            );
            None
        }
        Ok(d) => Some(d),
        Err(e) => {
            problems.push(Diagnostic::new(at("$.deadline"), e).expected(
                "2024-06-26T12:00:00+02:00[Europe/Brussels], or RFC 3339 with time_zone",
            ));
            None
        }
    };
    let pid = o
        .procedure
        .clone()
        .unwrap_or_else(|| format!("sp-{}", s.procedures.len() + 1));
    let (Some(deadline), true) = (deadline, problems.is_empty()) else {
        return Err(ApiError::bad_input(&problems));
    };
    if s.procedures.iter().any(|p| p.procedure == pid) {
        return Err(ApiError::Conflict {
            code: "exists",
            message: format!("a silence procedure '{pid}' already exists"),
        });
    }
    let news = vec![NewEvent {
        valid: state.today(),
        author: who.author(),
        kind: EventKind::SilenceOpened {
            procedure: pid.clone(),
            candidate: o.candidate,
            draft: o.draft,
            deadline,
        },
    }];
    let _created = append(&state, &id, news).await?;
    let p = one(&state, &who, &id, &pid).await?;
    Ok((StatusCode::CREATED, Json(out(p, now))))
}

/// A break of silence.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakIn {
    /// The member breaking silence (a delegation's own by default).
    pub member: Option<String>,
    pub statement: String,
}

fn closed(p: &SilenceState, now: Timestamp) -> ApiError {
    let why = match p.status_at(now) {
        SilenceStatus::Adopted => format!("was adopted at its deadline {}", p.deadline),
        SilenceStatus::Broken { by } => {
            format!("has already failed (silence broken by {})", by.join(", "))
        }
        SilenceStatus::Withdrawn { reason } => format!("was withdrawn ({reason})"),
        SilenceStatus::Open { .. } => "is open".to_owned(),
    };
    ApiError::Conflict {
        code: "procedure_closed",
        message: format!(
            "silence procedure '{}' {why}; nothing was written",
            p.procedure
        ),
    }
}

/// `POST /api/contests/{id}/procedures/{pid}/break`: a delegation breaks silence for its own
/// member (the chair may record a break a delegation made to it).
pub async fn break_silence(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, String)>,
    body: JsonBody<BreakIn>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair", "delegation"], "break silence")?;
    let b = body.parse()?;
    let member = match (&who.role, &b.member) {
        (Role::Delegation(own), None) => own.clone(),
        (Role::Delegation(own), Some(m)) if m != own => {
            return Err(ApiError::Forbidden(format!(
                "the delegation of {own} may break silence for {own} only, not for '{m}'"
            )));
        }
        (_, Some(m)) => m.clone(),
        (_, None) => {
            return Err(ApiError::at(
                "$.member",
                "the chair must name the member breaking silence",
            ));
        }
    };
    let s = everything(&state, &id).await?;
    let now = state.now();
    let today = state.today();
    let mut problems = Diagnostics::default();
    check_member(&s, &mut problems, "$.member", &member, Some(today));
    if b.statement.trim().is_empty() {
        problems.push(
            Diagnostic::new(at("$.statement"), "empty statement")
                .expected("why the member breaks silence"),
        );
    }
    if !problems.is_empty() {
        return Err(ApiError::bad_input(&problems));
    }
    let p = s
        .procedures
        .iter()
        .find(|p| p.procedure == pid)
        .ok_or_else(|| ApiError::NotFound(format!("no silence procedure '{pid}' in '{id}'")))?;
    if !p.accepts_break_at(now) {
        return Err(closed(p, now));
    }
    // `now` is both the instant checked above and the one recorded, so a break accepted here
    // counts: status_at compares the recorded instant with the deadline.
    let sealed = state
        .ledger
        .append(
            &id,
            vec![NewEvent {
                valid: today,
                author: who.author(),
                kind: EventKind::SilenceBroken {
                    procedure: pid,
                    member,
                    statement: b.statement,
                },
            }],
            now,
        )
        .await?;
    if let Some(last) = sealed.last() {
        state.note_head(&id, last.seq);
    }
    Ok((StatusCode::CREATED, Json(sealed)))
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WithdrawIn {
    pub reason: String,
}

/// `POST /api/contests/{id}/procedures/{pid}/withdraw`: the chair withdraws an open draft.
pub async fn withdraw(
    State(state): State<AppState>,
    who: Principal,
    Path((id, pid)): Path<(String, String)>,
    body: JsonBody<WithdrawIn>,
) -> Result<(StatusCode, Json<Vec<Event>>), ApiError> {
    who.require(&["chair"], "withdraw a silence procedure")?;
    let w = body.parse()?;
    let p = one(&state, &who, &id, &pid).await?;
    let now = state.now();
    if !p.accepts_break_at(now) {
        return Err(closed(&p, now));
    }
    if w.reason.trim().is_empty() {
        return Err(ApiError::at("$.reason", "empty reason"));
    }
    let news = vec![NewEvent {
        valid: state.today(),
        author: who.author(),
        kind: EventKind::SilenceWithdrawn {
            procedure: pid,
            reason: w.reason,
        },
    }];
    append(&state, &id, news).await
}
