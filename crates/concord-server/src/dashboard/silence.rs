//! The silence procedure as a proposal page: each draft with one status (derived from its
//! events and the server's clock on every request, so the page never says "open" of a draft
//! whose deadline has passed), a countdown in words, the roster of who is silent and who broke
//! silence, and the outcome. A delegation breaks silence in two steps (the statement, then a
//! confirmation that says what breaking does); the chair circulates a draft, withdraws an open
//! one, and re-circulates a failed or withdrawn one. The live stream (`live.rs`) says "changed"
//! when a deadline passes, so an open page shows the outcome without a reload.
//!
//! Every write goes through the application layer, as the API's do.

use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use concord_domain::command::{BreakSilence, OpenSilence, WithdrawSilence};
use concord_domain::procedure::SilenceStatus;
use concord_domain::state::{ContestState, SilenceState};
use jiff::Timestamp;
use serde::Deserialize;

use super::board::folded;
use super::{PageError, Who, redirect, render, who};
use crate::app::writes::WriteError;
use crate::auth::Role;
use crate::{ApiError, AppState, Principal};

/// "2 days 3 hours left", "3 hours 12 minutes left", "12 minutes left", "less than a minute
/// left": what a reader takes in at a glance (never a count of seconds).
pub(crate) fn time_left(seconds: i64) -> String {
    fn unit(n: i64, one: &str) -> String {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {one}s")
        }
    }
    let (d, h, m) = (
        seconds / 86_400,
        seconds % 86_400 / 3_600,
        seconds % 3_600 / 60,
    );
    let text = if d > 0 {
        if h > 0 {
            format!("{} {}", unit(d, "day"), unit(h, "hour"))
        } else {
            unit(d, "day")
        }
    } else if h > 0 {
        if m > 0 {
            format!("{} {}", unit(h, "hour"), unit(m, "minute"))
        } else {
            unit(h, "hour")
        }
    } else if m > 0 {
        unit(m, "minute")
    } else {
        return "less than a minute left".to_owned();
    };
    format!("{text} left")
}

/// The earliest deadline still ahead of an open draft of `id`: when the live stream must say
/// "changed" though nothing was appended (the outcome comes from the clock).
pub(super) async fn next_deadline(state: &AppState, id: &str) -> Option<Timestamp> {
    let now = state.now();
    let folded = state
        .folded(id, jiff::civil::Date::MAX, &Principal::anonymous())
        .await
        .ok()?;
    folded
        .procedures
        .iter()
        .filter(|p| p.accepts_break_at(now))
        .map(|p| p.deadline.timestamp())
        .min()
}

fn when(t: Timestamp) -> String {
    t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .strftime("%-d %b %Y %H:%M UTC")
        .to_string()
}

fn member_name(s: &ContestState, code: &str) -> String {
    s.member(code)
        .map_or_else(|| code.to_owned(), |m| m.name.clone())
}

/// One procedure as the page draws it.
fn procedure_context(
    s: &ContestState,
    p: &SilenceState,
    who: &Principal,
    now: Timestamp,
) -> minijinja::Value {
    let status = p.status_at(now);
    let candidate = s
        .candidate(&p.candidate)
        .map_or_else(|| p.candidate.clone(), |c| c.profile.name.clone());
    let deadline_day = p.deadline.date();
    let counted: Vec<&concord_domain::model::Member> = s
        .members
        .iter()
        .filter(|m| m.is_member_on(deadline_day))
        .collect();
    let in_time = |b: &&concord_domain::state::SilenceBreak| b.recorded_at < p.deadline.timestamp();
    let breaks: Vec<minijinja::Value> = p
        .breaks
        .iter()
        .filter(in_time)
        .map(|b| {
            minijinja::context! {
                code => b.member.clone(), name => member_name(s, &b.member),
                statement => b.statement.clone(), at => when(b.recorded_at),
            }
        })
        .collect();
    let broke: Vec<&str> = p
        .breaks
        .iter()
        .filter(in_time)
        .map(|b| b.member.as_str())
        .collect();
    let silent: Vec<minijinja::Value> = counted
        .iter()
        .filter(|m| !broke.contains(&m.code.as_str()))
        .map(|m| minijinja::context! { code => m.code.clone(), name => m.name.clone() })
        .collect();
    let (kind, headline, outcome) = match &status {
        SilenceStatus::Open { .. } => (
            "open",
            "Open: silence holds until the deadline".to_owned(),
            None,
        ),
        SilenceStatus::Adopted => (
            "adopted",
            "Adopted: nobody broke silence by the deadline".to_owned(),
            Some(format!(
                "The draft stands adopted as of {}: {} is appointed.",
                p.deadline.strftime("%-d %b %Y %H:%M %Z"),
                candidate
            )),
        ),
        SilenceStatus::Broken { by } => (
            "broken",
            format!(
                "Failed: silence broken by {}",
                by.iter()
                    .map(|m| member_name(s, m))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Some(
                "The draft is not adopted. The chair may consult and circulate it again."
                    .to_owned(),
            ),
        ),
        SilenceStatus::Withdrawn { reason } => (
            "withdrawn",
            "Withdrawn by the chair".to_owned(),
            Some(format!("Reason given: {reason}")),
        ),
    };
    let own = match &who.role {
        Role::Delegation(code) => Some(code.clone()),
        _ => None,
    };
    let open = matches!(status, SilenceStatus::Open { .. });
    minijinja::context! {
        procedure => p.procedure.clone(), candidate => candidate, candidate_id => p.candidate.clone(),
        draft => p.draft.clone(),
        deadline => p.deadline.strftime("%-d %b %Y %H:%M %Z (%:z)").to_string(),
        deadline_iso => p.deadline.timestamp().to_string(),
        deadline_epoch => p.deadline.timestamp().as_second(),
        circulated => when(p.opened_at),
        status => kind, headline => headline, outcome => outcome,
        left => match status { SilenceStatus::Open { seconds_left } => Some(time_left(seconds_left)), _ => None },
        breaks => breaks, silent => silent, counted => counted.len(),
        can_break => own.is_some() && open && !own.as_ref().is_some_and(|o| broke.contains(&o.as_str())),
        own_broke => own.as_ref().is_some_and(|o| broke.contains(&o.as_str())),
        can_withdraw => who.is_chair() && open,
        can_recirculate => who.is_chair() && matches!(status, SilenceStatus::Broken { .. } | SilenceStatus::Withdrawn { .. }),
    }
}

#[derive(Deserialize, Default)]
pub(super) struct PageQuery {
    /// Fill the chair's form from this procedure (re-circulating a failed or withdrawn draft).
    #[serde(default)]
    recirculate: Option<String>,
}

/// `/contests/{id}/silence`.
pub(super) async fn page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<PageQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let now = state.now();
    let s = folded(&state, &id, state.today(), &who).await?;
    let procedures: Vec<_> = s
        .procedures
        .iter()
        .rev()
        .map(|p| procedure_context(&s, p, &who, now))
        .collect();
    let candidates: Vec<_> = s
        .declared_candidates()
        .map(|c| minijinja::context! { id => c.profile.id.clone(), name => c.profile.name.clone() })
        .collect();
    let again = q
        .recirculate
        .as_deref()
        .and_then(|pid| s.procedures.iter().find(|p| p.procedure == pid))
        .map(|p| minijinja::context! { candidate => p.candidate.clone(), draft => p.draft.clone(), from => p.procedure.clone() });
    let decision = s.decision.as_ref().map(|d| {
        minijinja::context! {
            candidate => s.candidate(&d.candidate).map_or_else(|| d.candidate.clone(), |c| c.profile.name.clone()),
            date => d.date.strftime("%-d %B %Y").to_string(),
            source => d.source.clone(),
        }
    });
    let ctx = minijinja::context! {
        id => id, title => s.definition.title.clone(), procedures => procedures,
        candidates => candidates, now_epoch => now.as_second(), tab => "silence",
        again => again, decision => decision,
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
    /// `yes` from the confirmation step; without it the page asks first and writes nothing.
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /contests/{id}/silence/{procedure}/break`: a delegation breaks silence for its member,
/// once it has confirmed what that does.
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
    if f.confirm.as_deref() != Some("yes") {
        // The break is checked as it would be recorded before the delegation is asked to
        // confirm it: one way in, the same refusal as the API's.
        state
            .check_break_silence(&who, &id, &procedure, &command)
            .await
            .map_err(refused)?;
        let s = folded(&state, &id, state.today(), &who).await?;
        let p = s
            .procedures
            .iter()
            .find(|p| p.procedure == procedure)
            .ok_or_else(|| ApiError::NotFound(format!("no silence procedure '{procedure}'")))?;
        let ctx = minijinja::context! {
            id => id, title => s.definition.title.clone(), tab => "silence",
            confirm => procedure_context(&s, p, &who, state.now()),
            member => match &who.role { Role::Delegation(code) => member_name(&s, code), _ => String::new() },
            statement => command.statement,
        };
        return Ok(render("silence.html", Some(&who), ctx));
    }
    state
        .break_silence(&who, &id, &procedure, &command)
        .await
        .map_err(refused)?;
    Ok(redirect(&format!("/contests/{id}/silence")))
}

#[derive(Deserialize)]
pub(super) struct Withdraw {
    reason: String,
    #[serde(default)]
    csrf: Option<String>,
}

/// `POST /contests/{id}/silence/{procedure}/withdraw`: the chair withdraws an open draft.
pub(super) async fn withdraw(
    State(state): State<AppState>,
    w: Who,
    Path((id, procedure)): Path<(String, String)>,
    Form(f): Form<Withdraw>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    who.check_csrf(f.csrf.as_deref())?;
    let command = WithdrawSilence { reason: f.reason };
    state
        .withdraw_silence(&who, &id, &procedure, &command)
        .await
        .map_err(refused)?;
    Ok(redirect(&format!(
        "/contests/{id}/silence?recirculate={procedure}#circulate"
    )))
}
