//! The timeline: declared support and blocks per candidate over time, with the milestones
//! marked, drawn by plotters on the server; and a date slider that replays the board.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use concord_domain::board::Board;
use concord_domain::model::Stance;
use jiff::civil::Date;
use plotters::prelude::*;
use serde::Serialize;

use super::board::{date_range, folded};
use super::{AsOfQuery, PageError, Who, render, who};
use crate::{ApiError, AppState, Principal};

/// One candidate's counts on one day.
#[derive(Serialize, Clone)]
struct Point {
    date: Date,
    supports: usize,
    blocks: usize,
}

#[derive(Serialize)]
struct Series {
    name: String,
    points: Vec<Point>,
}

/// Samples the board weekly (and on the last day) from the opening to `last`.
async fn series(
    state: &AppState,
    id: &str,
    who: &Principal,
) -> Result<(Vec<Series>, Vec<(Date, String)>, Date, Date), PageError> {
    let (first, last) = date_range(state, id, who.view()).await?;
    let mut days = Vec::new();
    let mut d = first;
    while d < last {
        days.push(d);
        d = d
            .checked_add(jiff::Span::new().days(7))
            .map_err(ApiError::internal)?;
    }
    days.push(last);
    let mut out: Vec<Series> = Vec::new();
    let mut milestones = Vec::new();
    for day in days {
        let folded = folded(state, id, day, who).await?;
        let board = Board::of(&folded);
        for cid in &board.candidates {
            let name = folded
                .candidate(cid)
                .map_or_else(|| cid.clone(), |c| c.profile.name.clone());
            let column: Vec<_> = board.column(cid).collect();
            let point = Point {
                date: day,
                supports: column
                    .iter()
                    .filter(|c| c.effective == Stance::Supports)
                    .count(),
                blocks: column.iter().filter(|c| c.holds()).count(),
            };
            match out.iter_mut().find(|s| s.name == name) {
                Some(s) => s.points.push(point),
                None => out.push(Series {
                    name,
                    points: vec![point],
                }),
            }
        }
        milestones = folded
            .milestones
            .iter()
            .map(|m| (m.date, m.label.clone()))
            .collect();
    }
    Ok((out, milestones, first, last))
}

/// `/contests/{id}/timeline`.
pub(super) async fn timeline(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
    Query(q): Query<AsOfQuery>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let as_of = q.date(&state, &id).await?;
    let (series, milestones, first, last) = series(&state, &id, &who).await?;
    let folded = folded(&state, &id, as_of, &who).await?;
    let ctx = minijinja::context! {
        id => id, title => folded.definition.title, series => minijinja::value::Serde(&series),
        milestones => milestones.iter().map(|(d, l)| minijinja::context! { date => d.to_string(), label => l }).collect::<Vec<_>>(),
        as_of => as_of.to_string(), first => first.to_string(), last => last.to_string(),
        days => (last - first).get_days(), day => (as_of - first).get_days().clamp(0, (last - first).get_days()),
        tab => "timeline",
    };
    Ok(render("timeline.html", Some(&who), ctx))
}

/// Colours that stay apart for the colour-blind (Okabe–Ito), one per candidate.
const PALETTE: [RGBColor; 6] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(230, 159, 0),
];

/// `/contests/{id}/timeline.svg`.
pub(super) async fn chart(
    State(state): State<AppState>,
    w: Who,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let who = who(w)?;
    let (series, milestones, first, last) = series(&state, &id, &who).await?;
    let members = state
        .ledger
        .state(&id, last, who.view())
        .await?
        .current_members()
        .count();
    let svg = draw(&series, &milestones, first, last, members).map_err(ApiError::internal)?;
    Ok((
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
        svg,
    )
        .into_response())
}

fn draw(
    series: &[Series],
    milestones: &[(Date, String)],
    first: Date,
    last: Date,
    members: usize,
) -> Result<String, String> {
    let e = |e: &dyn std::fmt::Debug| format!("{e:?}");
    let x = |d: Date| (d - first).get_days();
    let span = x(last).max(1);
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (960, 420)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        let mut chart = ChartBuilder::on(&root)
            .margin(16)
            .caption(
                "Declared support (solid) and holds (dashed) per candidate",
                ("sans-serif", 18),
            )
            .x_label_area_size(36)
            .y_label_area_size(44)
            .build_cartesian_2d(0..span, 0..members as i32)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(8)
            .x_label_formatter(&|d| {
                first
                    .checked_add(jiff::Span::new().days(*d))
                    .map(|d| d.strftime("%d %b %y").to_string())
                    .unwrap_or_default()
            })
            .y_desc("members")
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|x| e(&x))?;
        for (date, label) in milestones.iter().filter(|(d, _)| *d >= first && *d <= last) {
            let at = x(*date);
            chart
                .draw_series(LineSeries::new(
                    [(at, 0), (at, members as i32)],
                    RGBColor(120, 120, 120),
                ))
                .map_err(|x| e(&x))?;
            chart
                .draw_series([Text::new(
                    label.clone(),
                    (at, members as i32 - 1),
                    ("sans-serif", 12),
                )])
                .map_err(|x| e(&x))?;
        }
        for (i, s) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (x(p.date), p.supports as i32)),
                    colour.stroke_width(3),
                ))
                .map_err(|x| e(&x))?
                .label(format!("{}: support", s.name))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(3))
                });
            chart
                .draw_series(DashedLineSeries::new(
                    s.points.iter().map(|p| (x(p.date), p.blocks as i32)),
                    6,
                    4,
                    colour.stroke_width(2),
                ))
                .map_err(|x| e(&x))?
                .label(format!("{}: holds", s.name))
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 18, y)], colour.stroke_width(1))
                });
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::MiddleLeft)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK)
            .draw()
            .map_err(|x| e(&x))?;
        root.present().map_err(|x| e(&x))?;
    }
    Ok(out)
}
