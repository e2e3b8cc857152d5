//! The silence procedure page: each draft, its deadline and countdown, who broke silence; for a
//! delegation, the button to break it with a statement; for the chair, the form to open one.

use axum::extract::{Form, Path, State};
use axum::response::Response;
use concord_domain::event::{EventKind, NewEvent};
use concord_domain::procedure::SilenceStatus;
use serde::Deserialize;

use super::board::folded;
use super::{PageError, Who, redirect, render, who};
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
}

/// `POST /contests/{id}/silence`: the chair opens a procedure.
pub(super) async fn open(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Form(f): Form<Open>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.require(&["chair"], "open a silence procedure")?;
    let zone = f
        .zone
        .as_deref()
        .filter(|z| !z.is_empty())
        .unwrap_or("Europe/Brussels");
    let local: jiff::civil::DateTime = f.deadline.parse().map_err(|_| {
        ApiError::at(
            "deadline",
            format!("'{}' is not a date and time", f.deadline),
        )
    })?;
    let deadline = local
        .in_tz(zone)
        .map_err(|e| ApiError::at("zone", e.to_string()))?;
    let folded = folded(&state, &id, state.today(), &who).await?;
    if folded.candidate(&f.candidate).is_none() {
        return Err(ApiError::at("candidate", format!("no candidate '{}'", f.candidate)).into());
    }
    let procedure = format!("sp-{}", folded.procedures.len() + 1);
    let event = NewEvent {
        valid: state.today(),
        author: who.author(),
        kind: EventKind::SilenceOpened {
            procedure,
            candidate: f.candidate,
            draft: f.draft,
            deadline,
        },
    };
    let appended = state.ledger.append(&id, vec![event], state.now()).await?;
    if let Some(last) = appended.last() {
        state.note_head(&id, last.seq);
    }
    Ok(redirect(&format!("/contests/{id}/silence")))
}

#[derive(Deserialize)]
pub(super) struct Break {
    statement: String,
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
    let Role::Delegation(member) = who.role.clone() else {
        unreachable!("require admitted only delegations")
    };
    if f.statement.trim().is_empty() {
        return Err(ApiError::at("statement", "say why silence is broken").into());
    }
    let folded = folded(&state, &id, state.today(), &who).await?;
    let Some(p) = folded.procedures.iter().find(|p| p.procedure == procedure) else {
        return Err(ApiError::NotFound(format!("no silence procedure '{procedure}'")).into());
    };
    if !p.accepts_break_at(state.now()) {
        return Err(ApiError::at(
            "procedure",
            format!("silence procedure {procedure} is no longer open"),
        )
        .into());
    }
    let event = NewEvent {
        valid: state.today(),
        author: who.author(),
        kind: EventKind::SilenceBroken {
            procedure,
            member,
            statement: f.statement.trim().to_owned(),
        },
    };
    let appended = state.ledger.append(&id, vec![event], state.now()).await?;
    if let Some(last) = appended.last() {
        state.note_head(&id, last.seq);
    }
    Ok(redirect(&format!("/contests/{id}/silence")))
}
