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

/// The decision a page's date already knows: `(date, candidate's name)`.
pub(super) async fn decided(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
) -> Result<Option<(Date, String)>, PageError> {
    let folded = state.folded(id, as_of, who).await?;
    Ok(folded.decision.as_ref().map(|d| {
        let name = folded
            .candidate(&d.candidate)
            .map_or_else(|| d.candidate.clone(), |c| c.profile.name.clone());
        (d.date, name)
    }))
}

/// Trials per point of the trend: a standard error of about one point, enough for a
/// sparkline, at a tenth of a page's cost per point.
const TREND_TRIALS: u64 = 2_000;
/// Points on the trend at most (the page's cost is bounded whatever the contest's length).
const TREND_POINTS: i32 = 12;

/// P(decision by the hard deadline) on dates up to `as_of`, spread evenly over the contest so
/// far (at most [`TREND_POINTS`]), each from the forecast cache.
pub(super) async fn trend(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
) -> Result<Vec<(Date, f64)>, PageError> {
    let span = super::board::span(state, id, who.view()).await?;
    let days = (as_of - span.first).get_days().max(0);
    let step = (days / TREND_POINTS).max(7);
    let mut dates = Vec::new();
    let mut d = as_of;
    while d >= span.first && dates.len() < TREND_POINTS as usize {
        dates.push(d);
        d = d.saturating_sub(jiff::Span::new().days(step));
    }
    dates.reverse();
    let params = Params::bundled();
    let mut out = Vec::new();
    for d in dates {
        let config = RunConfig {
            trials: if d == as_of { TRIALS } else { TREND_TRIALS },
            seed: params.run.seed,
            sensitivity_trials: if d == as_of { SENSITIVITY_TRIALS } else { 0 },
        };
        // A date with nobody in the race yet, or past a decision, has no point.
        if let Ok(f) = state.forecast(id, d, who, config).await {
            out.push((d, f.forecast.decided_by_hard_deadline.p));
        }
    }
    Ok(out)
}

/// "early July": a date as a reader would say it in a headline.
fn part_of_month(d: Date) -> String {
    let part = match d.day() {
        1..=10 => "early",
        11..=20 => "mid",
        _ => "late",
    };
    format!("{part} {}", d.strftime("%B"))
}

/// A milestone's label up to its first colon or parenthesis: "Washington summit".
fn short_label(label: &str) -> String {
    label
        .split([':', '('])
        .next()
        .unwrap_or(label)
        .trim()
        .to_owned()
}

/// The forecast's headline, in words, with its trend as a sparkline.
async fn headline(
    state: &AppState,
    id: &str,
    as_of: Date,
    who: &Principal,
    f: &concord_forecast::Forecast,
) -> Result<minijinja::Value, PageError> {
    let structure = state.structure(id).await?;
    let member_name = |code: &str| {
        structure
            .members
            .iter()
            .find(|m| m.code == code)
            .map_or_else(|| code.to_owned(), |m| m.name.clone())
    };
    let deadline = f
        .milestones
        .iter()
        .find(|m| m.date == f.hard_deadline)
        .map_or_else(
            || format!("{}", f.hard_deadline),
            |m| format!("the {}", short_label(&m.label)),
        );
    let points = trend(state, id, as_of, who).await?;
    // The comparison: the trend's point about four weeks back, else its first.
    let earlier = points
        .iter()
        .rev()
        .find(|(d, _)| (as_of - *d).get_days() >= 28)
        .or_else(|| points.first().filter(|(d, _)| *d < as_of));
    let binding = f.binding.first().map(|b| {
        format!(
            "{} is the last to release in {:.0} % of runs",
            member_name(&b.member),
            b.binding.p * 100.0
        )
    });
    Ok(minijinja::context! {
        p => format!("{:.0} %", f.decided_by_hard_deadline.p * 100.0),
        deadline => deadline,
        deadline_date => super::text::short_date(f.hard_deadline, as_of),
        earlier => earlier.map(|(d, p)| format!("{:.0} % on {}", p * 100.0, super::text::short_date(*d, as_of))),
        likely => f.median.map(part_of_month),
        interval => match f.interval80 {
            (Some(a), Some(b)) => Some(format!("{} – {}", super::text::short_date(a, as_of), super::text::short_date(b, as_of))),
            (Some(a), None) => Some(format!("{} – beyond {}", super::text::short_date(a, as_of), super::text::short_date(f.horizon, as_of))),
            _ => None,
        },
        binding => binding,
        spark => sparkline(&points),
        spark_text => points.iter().map(|(d, p)| format!("{}: {:.0} %", super::text::short_date(*d, as_of), p * 100.0)).collect::<Vec<_>>().join(", "),
    })
}

/// A small inline SVG of the trend (0 to 100 % bottom to top), drawn by hand: a few hundred
/// bytes in the page itself, no request of its own.
fn sparkline(points: &[(Date, f64)]) -> Option<minijinja::Value> {
    let (w, h) = (120.0, 28.0);
    let (first, last) = (points.first()?.0, points.last()?.0);
    let span = f64::from((last - first).get_days().max(1));
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|(d, p)| {
            let x = 2.0 + (w - 4.0) * f64::from((*d - first).get_days()) / span;
            let y = 2.0 + (h - 4.0) * (1.0 - p);
            (x, y)
        })
        .collect();
    let path = xy
        .iter()
        .map(|(x, y)| format!("{x:.1},{y:.1}"))
        .collect::<Vec<_>>()
        .join(" ");
    let (lx, ly) = *xy.last()?;
    Some(minijinja::Value::from_safe_string(format!(
        "<svg class=\"spark\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" aria-hidden=\"true\"><line x1=\"0\" y1=\"{mid}\" x2=\"{w}\" y2=\"{mid}\" stroke=\"#ccc\" stroke-dasharray=\"2 2\"/><polyline fill=\"none\" stroke=\"#0b4f8a\" stroke-width=\"2\" points=\"{path}\"/><circle cx=\"{lx:.1}\" cy=\"{ly:.1}\" r=\"3\" fill=\"#0b4f8a\"/></svg>",
        mid = h / 2.0
    )))
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
    let title = title(&state, &id).await?;
    // A decided contest shows its outcome, not a forecast of what already happened.
    if let Some((on, name)) = decided(&state, &id, as_of, &who).await? {
        let before = on.saturating_sub(jiff::Span::new().days(1));
        let ctx = minijinja::context! {
            id => id, as_of => as_of.to_string(), tab => "forecast", title => title,
            decided => minijinja::context! { date => on.to_string(), who => name, before => before.to_string() },
        };
        return Ok(render("forecast.html", Some(&who), ctx));
    }
    let base = baseline(&state, &id, as_of, &who).await?;
    let head = headline(&state, &id, as_of, &who, &base.forecast).await?;
    let names = member_names(&state, &id).await?;
    let ctx = minijinja::context! {
        id => id, as_of => as_of.to_string(), f => minijinja::value::Serde(&base.forecast), tab => "forecast",
        title => title, head => head, names => names,
    };
    Ok(render("forecast.html", Some(&who), ctx))
}

/// Member codes to names, for tables that the forecast keys by code.
async fn member_names(
    state: &AppState,
    id: &str,
) -> Result<std::collections::BTreeMap<String, String>, PageError> {
    Ok(state
        .structure(id)
        .await?
        .members
        .iter()
        .map(|m| (m.code.clone(), m.name.clone()))
        .collect())
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

/// The chart's query: the date, and the width to draw at.
#[derive(Deserialize, Default)]
pub(super) struct ChartQuery {
    as_of: Option<String>,
    w: Option<u32>,
}

/// `/contests/{id}/forecast.svg?as_of=&w=`: the forecast's chart, drawn by plotters; a narrow
/// `w` gets the curve alone at a phone's type size.
pub(super) async fn chart(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<ChartQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = AsOfQuery {
        as_of: q.as_of.clone(),
    }
    .date(&state, &id)
    .await?;
    let base = baseline(&state, &id, as_of, &who).await?;
    let svg = match q.w {
        Some(w) if w < 600 => narrow_chart(&base.forecast, w.max(320)),
        _ => concord_forecast::chart::svg(&base.forecast).map_err(|e| e.to_string()),
    }
    .map_err(ApiError::internal)?;
    Ok((
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
        svg,
    )
        .into_response())
}

/// P(decision by each date) for a phone: the curve and the milestones, type at 13 px.
fn narrow_chart(f: &concord_forecast::Forecast, width: u32) -> Result<String, String> {
    use plotters::prelude::*;
    let e = |e: &dyn std::fmt::Debug| format!("{e:?}");
    let Some(first) = f.curve.first().map(|p| p.date) else {
        return Ok(String::new());
    };
    let end = f.hard_deadline.max(
        f.interval80
            .1
            .unwrap_or(f.hard_deadline)
            .min(f.curve.last().map_or(first, |p| p.date)),
    );
    let x = |d: Date| (d - first).get_days();
    let span = x(end).max(1);
    // Plotters' SVG backend writes a font of size s as s / 1.24 px.
    let font = 13.0 * 1.24;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (width, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let mut chart = ChartBuilder::on(&root)
            .margin_left(6)
            .margin_right(14)
            .margin_top(10)
            .x_label_area_size(26)
            .y_label_area_size(40)
            .build_cartesian_2d(0..span, 0.0..1.0)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(4)
            .y_labels(5)
            .label_style(("sans-serif", font))
            .x_label_formatter(&|d| {
                first
                    .checked_add(jiff::Span::new().days(*d))
                    .map(|d| d.strftime("%-d %b").to_string())
                    .unwrap_or_default()
            })
            .y_label_formatter(&|p| format!("{:.0}%", p * 100.0))
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|x| e(&x))?;
        for m in f
            .milestones
            .iter()
            .filter(|m| m.date <= end && m.date >= first)
        {
            chart
                .draw_series(LineSeries::new(
                    [(x(m.date), 0.0), (x(m.date), 1.0)],
                    RGBColor(120, 120, 120),
                ))
                .map_err(|x| e(&x))?;
        }
        chart
            .draw_series(LineSeries::new(
                f.curve
                    .iter()
                    .filter(|p| p.date <= end)
                    .map(|p| (x(p.date), p.p)),
                RGBColor(11, 79, 138).stroke_width(3),
            ))
            .map_err(|x| e(&x))?;
        root.present().map_err(|x| e(&x))?;
    }
    Ok(out)
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
    if let Some((on, name)) = decided(&state, &id, as_of, &who).await? {
        let before = on.saturating_sub(jiff::Span::new().days(1));
        let title = title(&state, &id).await?;
        let ctx = minijinja::context! {
            id => id, as_of => as_of.to_string(), tab => "whatif", title => title,
            decided => minijinja::context! { date => on.to_string(), who => name, before => before.to_string() },
        };
        return Ok(render("forecast.html", Some(&who), ctx));
    }
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
                described = Some(describe(&edit, &member_names(&state, &id).await?));
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
    let compare = scenario
        .as_ref()
        .map(|sc| compare_rows(baseline, sc, as_of));
    let names = member_names(&state, &id).await?;
    let ctx = minijinja::context! {
        id => id, as_of => as_of.to_string(), tab => "whatif", compare => compare,
        title => title,
        baseline => minijinja::value::Serde(baseline), scenario => minijinja::value::Serde(&scenario), error => error, described => described,
        names => names,
        holds => holds, pending => minijinja::value::Serde(&pending), declared => declared, milestones => kinds,
        q => minijinja::context! {
            edit => q.edit, hold => q.hold, candidate => q.candidate, commit => q.commit,
            count => q.count, kind => q.kind, to => q.to,
        },
    };
    Ok(render("whatif.html", Some(&who), ctx))
}

/// The what-if's rows beside the baseline's: every probability the forecast gives, the
/// baseline, the scenario and the change in points (the runs share their random numbers, so
/// the change is the edit's effect, not noise).
fn compare_rows(
    base: &concord_forecast::Forecast,
    scenario: &concord_forecast::Forecast,
    as_of: Date,
) -> Vec<minijinja::Value> {
    use concord_forecast::Estimate;
    let row = |label: String, group: &str, b: Option<&Estimate>, s: Option<&Estimate>| {
        let (bp, sp) = (b.map_or(0.0, |e| e.p), s.map_or(0.0, |e| e.p));
        let delta = (sp - bp) * 100.0;
        minijinja::context! {
            label => label, group => group,
            base => b.map(|e| format!("{:.1}%", e.p * 100.0)),
            scenario => s.map(|e| format!("{:.1}%", e.p * 100.0)),
            // Under half a tenth of a point is no change at this precision: no sign for it.
            delta => if delta.abs() < 0.05 {
                "0.0".to_owned()
            } else {
                format!("{}{:.1}", if delta > 0.0 { "+" } else { "−" }, delta.abs())
            },
            up => delta > 0.05, down => delta < -0.05,
        }
    };
    let mut out = vec![row(
        format!(
            "Decided by the hard deadline ({})",
            super::text::short_date(base.hard_deadline, as_of)
        ),
        "deadline",
        Some(&base.decided_by_hard_deadline),
        Some(&scenario.decided_by_hard_deadline),
    )];
    for m in &base.milestones {
        let other = scenario.milestones.iter().find(|x| x.label == m.label);
        out.push(row(
            format!(
                "Decided by {} ({})",
                super::text::short_date(m.date, as_of),
                short_label(&m.label)
            ),
            "milestone",
            Some(&m.decided_by),
            other.map(|x| &x.decided_by),
        ));
    }
    for c in &base.candidates {
        let other = scenario.candidates.iter().find(|x| x.name == c.name);
        out.push(row(
            format!("{} agreed", c.name),
            "candidate",
            Some(&c.wins),
            other.map(|x| &x.wins),
        ));
    }
    out.push(row(
        "Another candidate agreed".into(),
        "candidate",
        Some(&base.another_candidate),
        Some(&scenario.another_candidate),
    ));
    out.push(row(
        "Reversion first".into(),
        "other",
        Some(&base.reversion_first),
        Some(&scenario.reversion_first),
    ));
    out
}

fn describe(edit: &Edit, names: &std::collections::BTreeMap<String, String>) -> String {
    let name = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
    match edit {
        Edit::Lift {
            member,
            candidate: Some(c),
        } => format!("{} lifts its hold on {c}", name(member)),
        Edit::Lift {
            member,
            candidate: None,
        } => format!("{} lifts every hold", name(member)),
        Edit::Withdraw { candidate } => format!("{candidate} withdraws"),
        Edit::Commit {
            candidate,
            member,
            count,
        } => {
            format!(
                "{candidate} commits to {count} more of {}'s conditions",
                name(member)
            )
        }
        Edit::MoveDeadline { kind, to } => {
            format!("every {} moves to {to}", kind.as_str().replace('_', " "))
        }
    }
}
