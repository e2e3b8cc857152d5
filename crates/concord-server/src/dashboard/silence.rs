//! The silence procedure page: each draft, its deadline and countdown, who broke silence; for a
//! delegation, the button to break it with a statement; for the chair, the form to open one.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use concord_domain::command::{BreakSilence, OpenSilence};
use concord_domain::procedure::SilenceStatus;
use serde::Deserialize;

use super::board::folded;
use super::{PageError, Who, redirect, render, who};
use crate::app::writes::WriteError;
use crate::auth::Role;
use crate::{ApiError, AppState};

/// `/contests/{id}/silence`.
pub(super) async fn page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let today = state.today();
    let folded = folded(&state, &id, today, &who).await?;
    let now = state.now();
    let name_of = |cid: &str| {
        folded
            .candidate(cid)
            .map_or_else(|| cid.to_owned(), |c| c.profile.name.clone())
    };
    let procedures: Vec<_> = folded
        .procedures
        .iter()
        .rev()
        .map(|p| {
            let status = p.status_at(now);
            let (label, seconds_left, by) = match &status {
                SilenceStatus::Open { seconds_left } => ("open: silence holds", Some(*seconds_left), vec![]),
                SilenceStatus::Adopted => ("adopted: nobody broke silence", None, vec![]),
                SilenceStatus::Broken { by } => ("broken: the draft fails", None, by.clone()),
                SilenceStatus::Withdrawn { .. } => ("withdrawn by the chair", None, vec![]),
            };
            let kind = match status {
                SilenceStatus::Open { .. } => "open",
                SilenceStatus::Adopted => "adopted",
                SilenceStatus::Broken { .. } => "broken",
                SilenceStatus::Withdrawn { .. } => "withdrawn",
            };
            minijinja::context! {
                procedure => p.procedure.clone(), candidate => name_of(&p.candidate), draft => p.draft.clone(),
                deadline => p.deadline.strftime("%Y-%m-%d %H:%M %Z").to_string(),
                deadline_epoch => p.deadline.timestamp().as_second(),
                status => kind, label => label, seconds_left => seconds_left, by => by,
                breaks => p.breaks.iter().map(|b| minijinja::context! {
                    member => b.member.clone(), statement => b.statement.clone(),
                    at => b.recorded_at.strftime("%Y-%m-%d %H:%M UTC").to_string(),
                }).collect::<Vec<_>>(),
                can_break => matches!(&who.role, Role::Delegation(_)) && p.accepts_break_at(now),
            }
        })
        .collect();
    let candidates: Vec<_> = folded
        .declared_candidates()
        .map(|c| minijinja::context! { id => c.profile.id.clone(), name => c.profile.name.clone() })
        .collect();
    let ctx = minijinja::context! {
        id => id, title => folded.definition.title, procedures => procedures,
        candidates => candidates, now_epoch => now.as_second(), tab => "silence",
    };
    Ok(render("silence.html", Some(&who), ctx))
}

#[derive(Deserialize)]
pub(super) struct Open {
    candidate: String,
    draft: String,
    /// `YYYY-MM-DDTHH:MM` from a `datetime-local` input, read in the time zone below.
    deadline: String,
    #[serde(default)]
    zone: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
}

/// A form's refusal: the command's fields are the form's fields.
fn refused(e: WriteError) -> PageError {
    match e {
        WriteError::Refused(r) => ApiError::refused(&r, str::to_owned).into(),
        WriteError::Located(d) => ApiError::bad_input(&d).into(),
        WriteError::Other(e) => e.into(),
    }
}

/// `POST /contests/{id}/silence`: the chair opens a procedure. The form fills the same command
/// as the API's body, checked by the same guard: a draft, a deadline ahead, a fresh id.
pub(super) async fn open(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<Open>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = OpenSilence {
        procedure: None,
        candidate: f.candidate,
        draft: f.draft,
        deadline: f.deadline,
        time_zone: Some(
            f.zone
                .filter(|z| !z.trim().is_empty())
                .unwrap_or_else(|| "Europe/Brussels".to_owned()),
        ),
    };
    state
        .open_silence(&who, &id, &command)
        .await
        .map_err(refused)?;
    Ok(redirect(&format!("/contests/{id}/silence")))
}

#[derive(Deserialize)]
pub(super) struct Break {
    statement: String,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /contests/{id}/silence/{procedure}/break`: a delegation breaks silence for its member.
pub(super) async fn break_silence(
    State(state): State<AppState>,
    w: Who,
    Path((id, procedure)): Path<(String, String)>,
    Form(f): Form<Break>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["delegation"], "break silence")?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = BreakSilence {
        member: None,
        statement: f.statement,
    };
    state
        .break_silence(&who, &id, &procedure, &command)
        .await
        .map_err(refused)?;
    Ok(redirect(&format!("/contests/{id}/silence")))
}
