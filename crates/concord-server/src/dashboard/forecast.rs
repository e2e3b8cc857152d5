//! The forecast page (P(decision by date), candidates' chances, binding holds, sensitivities,
//! each with its standard error) and the what-if page (the same beside an edited input).
//!
//! Runs fewer trials than the CLI's default so a page answers within a second on two cores;
//! the standard errors shown say what that costs. Results come from the application layer's
//! forecast cache (bounded in bytes), keyed by contest, date, view, head and run settings.

use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use concord_forecast::{Edit, MilestoneKind, Params, RunConfig};
use jiff::civil::Date;
use serde::Deserialize;

use super::{AsOfQuery, PageError, Who, render, who};
use crate::app::caches::Baseline;
use crate::{ApiError, AppState, Principal};

/// Trials per page: a standard error of at most 0.35 percentage points on any probability.
const TRIALS: u64 = 20_000;
/// Trials per lifted hold for the sensitivity bars.
const SENSITIVITY_TRIALS: u64 = 4_000;

fn config(params: &Params) -> RunConfig {
    RunConfig {
        trials: TRIALS,
        seed: params.run.seed,
        sensitivity_trials: SENSITIVITY_TRIALS,
    }
}

/// The baseline forecast of a contest on a date as `who` may see it, from the application's
/// cache (shared with the API's answers for the same run settings).
pub(super) async fn baseline(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
) -> Result<Arc<Baseline>, PageError> {
    Ok(state
        .forecast(id, as_of, who, config(&Params::bundled()))
        .await?)
}

/// `/contests/{id}/forecast?as_of=`.
pub(super) async fn forecast_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = q.date(&state, &id).await?;
    let base = baseline(&state, &id, as_of, &who).await?;
    let title = title(&state, &id).await?;
    let ctx = minijinja::context! {
        id => id, as_of => as_of.to_string(), f => minijinja::value::Serde(&base.forecast), tab => "forecast",
        title => title,
    };
    Ok(render("forecast.html", Some(&who), ctx))
}

async fn title(state: &AppState, id: &str) -> Result<String, PageError> {
    Ok(state
        .structure(id)
        .await
        .map_err(PageError::from)?
        .definition
        .title
        .clone())
}

/// `/contests/{id}/forecast.svg?as_of=`: the forecast's chart, drawn by plotters.
pub(super) async fn chart(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = q.date(&state, &id).await?;
    let base = baseline(&state, &id, as_of, &who).await?;
    let svg = concord_forecast::chart::svg(&base.forecast).map_err(ApiError::internal)?;
    Ok((
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
        svg,
    )
        .into_response())
}

/// The what-if form's fields; `edit` picks which of the others count.
#[derive(Deserialize, Default)]
pub(super) struct WhatIfQuery {
    as_of: Option<String>,
    edit: Option<String>,
    hold: Option<String>,
    candidate: Option<String>,
    commit: Option<String>,
    count: Option<u32>,
    kind: Option<String>,
    to: Option<String>,
}

impl WhatIfQuery {
    /// The edit asked for, `None` for the bare form.
    fn edit(&self) -> Result<Option<Edit>, ApiError> {
        let need = |v: &Option<String>, name: &str| {
            v.clone()
                .filter(|s| !s.is_empty())
                .ok_or_else(|| ApiError::at(name, format!("choose a {name}")))
        };
        Ok(Some(match self.edit.as_deref() {
            None | Some("") => return Ok(None),
            Some("lift") => {
                // `member|candidate`: one select names one hold.
                let hold = need(&self.hold, "hold")?;
                let (member, candidate) = hold.split_once('|').unwrap_or((&hold, ""));
                Edit::Lift {
                    member: member.to_owned(),
                    candidate: (!candidate.is_empty()).then(|| candidate.to_owned()),
                }
            }
            Some("withdraw") => Edit::Withdraw {
                candidate: need(&self.candidate, "candidate")?,
            },
            Some("commit") => {
                let pair = need(&self.commit, "commit")?;
                let (member, candidate) = pair
                    .split_once('|')
                    .ok_or_else(|| ApiError::at("commit", "choose a member and candidate"))?;
                Edit::Commit {
                    candidate: candidate.to_owned(),
                    member: member.to_owned(),
                    count: self.count.unwrap_or(1).max(1),
                }
            }
            Some("move") => {
                let kind = match need(&self.kind, "kind")?.as_str() {
                    "target" => MilestoneKind::Target,
                    "meeting" => MilestoneKind::Meeting,
                    "hard_deadline" => MilestoneKind::HardDeadline,
                    "term_end" => MilestoneKind::TermEnd,
                    other => {
                        return Err(ApiError::at("kind", format!("no milestone kind '{other}'")));
                    }
                };
                let to = need(&self.to, "to")?;
                let to = to.parse().map_err(|_| {
                    ApiError::at("to", format!("'{to}' is not a date (YYYY-MM-DD)"))
                })?;
                Edit::MoveDeadline { kind, to }
            }
            Some(other) => return Err(ApiError::at("edit", format!("no edit '{other}'"))),
        }))
    }
}

/// `/contests/{id}/whatif?edit=…`: the form, and with an edit the forecast beside the baseline.
pub(super) async fn whatif_page(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<WhatIfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = AsOfQuery {
        as_of: q.as_of.clone(),
    }
    .date(&state, &id)
    .await?;
    let base = baseline(&state, &id, as_of, &who).await?;
    let (input, baseline) = (&base.input, &base.forecast);
    let mut error = None;
    let mut scenario = None;
    let mut described = None;
    match q.edit() {
        Err(e) => error = Some(e.to_string()),
        Ok(None) => {}
        Ok(Some(edit)) => match input.apply(&edit) {
            Err(e) => error = Some(e.to_string()),
            Ok(edited) => {
                described = Some(describe(&edit));
                match state
                    .forecast_edited(edited, config(&Params::bundled()))
                    .await
                {
                    Ok(f) => scenario = Some(f),
                    Err(e) => error = Some(e.public_message()),
                }
            }
        },
    }
    let pending: Vec<_> = input
        .holds
        .iter()
        .filter(|h| h.kind.label().contains("condition"))
        .map(|h| (h.member.clone(), h.candidate.clone()))
        .collect();
    let holds: Vec<_> = input
        .holds
        .iter()
        .map(|h| minijinja::context! { member => h.member.clone(), candidate => h.candidate.clone(), kind => h.kind.label() })
        .collect();
    let declared: Vec<_> = input
        .candidates
        .iter()
        .filter(|c| c.candidacy == concord_forecast::Candidacy::Declared)
        .map(|c| c.name.clone())
        .collect();
    let kinds: Vec<_> = input
        .milestones
        .iter()
        .map(|m| minijinja::context! { kind => m.kind.as_str(), label => m.label.clone(), date => m.date.to_string() })
        .collect();
    let title = title(&state, &id).await?;
    let ctx = minijinja::context! {
        id => id, as_of => as_of.to_string(), tab => "whatif",
        title => title,
        baseline => minijinja::value::Serde(baseline), scenario => minijinja::value::Serde(&scenario), error => error, described => described,
        holds => holds, pending => minijinja::value::Serde(&pending), declared => declared, milestones => kinds,
        q => minijinja::context! {
            edit => q.edit, hold => q.hold, candidate => q.candidate, commit => q.commit,
            count => q.count, kind => q.kind, to => q.to,
        },
    };
    Ok(render("whatif.html", Some(&who), ctx))
}

fn describe(edit: &Edit) -> String {
    match edit {
        Edit::Lift {
            member,
            candidate: Some(c),
        } => format!("{member} lifts its hold on {c}"),
        Edit::Lift {
            member,
            candidate: None,
        } => format!("{member} lifts every hold"),
        Edit::Withdraw { candidate } => format!("{candidate} withdraws"),
        Edit::Commit {
            candidate,
            member,
            count,
        } => {
            format!("{candidate} commits to {count} more of {member}'s conditions")
        }
        Edit::MoveDeadline { kind, to } => {
            format!("every {} moves to {to}", kind.as_str().replace('_', " "))
        }
    }
}
