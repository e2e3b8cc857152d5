//! The timeline: declared support and blocks per candidate over time, with the milestones
//! marked, drawn by plotters on the server; and a date slider that replays the board.

use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use concord_domain::board::Board;
use concord_domain::model::Stance;
use jiff::civil::Date;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use super::board::{Span, folded, span};
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

/// Samples the board weekly across the contest's span (and on the chosen date, the decision
/// and the last day known), never past today: the future has no counts yet.
async fn series(
    state: &AppState,
    id: &str,
    who: &Principal,
    extra: &[Date],
) -> Result<(Vec<Series>, Vec<(Date, String)>, Span), PageError> {
    let span = span(state, id, who.view()).await?;
    let known_until = span.last.min(state.today().max(span.first));
    let mut days = Vec::new();
    let mut d = span.first;
    while d < known_until {
        days.push(d);
        d = d
            .checked_add(jiff::Span::new().days(7))
            .map_err(ApiError::internal)?;
    }
    days.push(known_until);
    days.extend(
        extra
            .iter()
            .chain(span.decided.as_ref())
            .filter(|d| (span.first..=known_until).contains(*d)),
    );
    days.sort();
    days.dedup();
    let mut out: Vec<Series> = Vec::new();
    let mut milestones = Vec::new();
    // The log read once (in the caller's view) and folded per sample in memory: a store
    // read per week of the contest would make the page's time grow with its length.
    let events = state.ledger.visible_events(id, who.view()).await?;
    let now = state.now();
    for day in days {
        let mut folded = concord_domain::ContestState::fold(&events, day)
            .map_err(|e| ApiError::internal(format!("{e}")))?;
        folded.apply_adopted_procedures(now);
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
    Ok((out, milestones, span))
}

/// The decision to mark on the chart: its date and who, as this view sees it.
async fn decision(
    state: &AppState,
    id: &str,
    who: &Principal,
    span: &Span,
) -> Result<Option<(Date, String)>, PageError> {
    let Some(on) = span.decided else {
        return Ok(None);
    };
    let f = folded(state, id, on, who).await?;
    Ok(f.decision.as_ref().map(|d| {
        let name = f
            .candidate(&d.candidate)
            .map_or_else(|| d.candidate.clone(), |c| c.profile.name.clone());
        (d.date, name)
    }))
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
    let (series, milestones, span) = series(&state, &id, &who, &[as_of]).await?;
    let folded = folded(&state, &id, as_of, &who).await?;
    let decision = decision(&state, &id, &who, &span).await?;
    let days = (span.last - span.first).get_days();
    let colours: Vec<String> = (0..series.len())
        .map(|i| {
            let c = PALETTE[i % PALETTE.len()];
            format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
        })
        .collect();
    let ctx = minijinja::context! {
        id => id, title => folded.definition.title, series => minijinja::value::Serde(&series),
        colours => colours,
        milestones => milestones.iter().map(|(d, l)| minijinja::context! { date => d.to_string(), label => l }).collect::<Vec<_>>(),
        decision => decision.map(|(d, who)| minijinja::context! { date => d.to_string(), who => who }),
        as_of => as_of.to_string(), first => span.first.to_string(), last => span.last.to_string(),
        life_end => span.life_end.to_string(),
        days => days, day => (as_of - span.first).get_days().clamp(0, days),
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

/// The chart's query: the date to mark, and the width to draw at (a phone gets a narrow
/// drawing with the same type size, not a wide one shrunk to 4 px text).
#[derive(Deserialize, Default)]
pub(super) struct ChartQuery {
    as_of: Option<String>,
    w: Option<u32>,
}

/// `/contests/{id}/timeline.svg?as_of=&w=`.
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
    let (series, milestones, span) = series(&state, &id, &who, &[as_of]).await?;
    let decision = decision(&state, &id, &who, &span).await?;
    let members = state
        .ledger
        .state(&id, span.last, who.view())
        .await?
        .current_members()
        .count();
    let width = q.w.unwrap_or(960).clamp(320, 1400);
    let marks = Marks {
        as_of,
        decision,
        first: span.first,
        last: span.last,
    };
    let svg = draw(&series, &milestones, &marks, members, width).map_err(ApiError::internal)?;
    Ok((
        [(CONTENT_TYPE, "image/svg+xml"), (CACHE_CONTROL, "no-store")],
        svg,
    )
        .into_response())
}

/// What the chart marks besides the series.
struct Marks {
    as_of: Date,
    decision: Option<(Date, String)>,
    first: Date,
    last: Date,
}

/// Plotters' SVG backend writes a font of size `s` as `s / 1.24` px: the size to ask for a
/// type of `px` CSS pixels.
fn font(px: f64) -> f64 {
    px * 1.24
}

/// Rows for labels placed left to right at `xs` (pixels) with widths `ws`: each label takes
/// the first row where it does not touch the previous one, so no two labels overlap.
fn label_rows(placed: &[(i32, i32)], gap: i32) -> Vec<usize> {
    let mut ends: Vec<i32> = Vec::new();
    let mut rows = Vec::new();
    for &(x, w) in placed {
        let row = ends
            .iter()
            .position(|&end| end + gap <= x)
            .unwrap_or(ends.len());
        if row == ends.len() {
            ends.push(x + w);
        } else {
            ends[row] = x + w;
        }
        rows.push(row);
    }
    rows
}

fn draw(
    series: &[Series],
    milestones: &[(Date, String)],
    marks: &Marks,
    members: usize,
    width: u32,
) -> Result<String, String> {
    let e = |e: &dyn std::fmt::Debug| format!("{e:?}");
    let (first, last) = (marks.first, marks.last);
    let x = |d: Date| (d - first).get_days();
    // A little room after the end, so a mark on the last day is not cut in half.
    let span = x(last).max(1) + (x(last) / 40).max(2);
    let narrow = width < 600;
    let px = if narrow { 13.0 } else { 12.5 };
    let height = if narrow { 360 } else { 420 };
    // Milestone labels sit in a band above the plot, staggered into rows.
    let plot_left = if narrow { 34 } else { 44 } + 8;
    let plot_width = width as i32 - plot_left - 16;
    let to_px =
        |d: Date| plot_left + (f64::from(x(d)) / f64::from(span) * f64::from(plot_width)) as i32;
    let char_w = px * 0.55;
    let mut labels: Vec<(Date, String, RGBColor)> = milestones
        .iter()
        .filter(|(d, _)| *d >= first && *d <= last)
        .map(|(d, l)| {
            // The label up to its first parenthesis or colon: "Washington summit", not the
            // whole note.
            let short = l.split([':', '(']).next().unwrap_or(l).trim().to_owned();
            (*d, short, RGBColor(90, 90, 90))
        })
        .collect();
    labels.push((
        marks.as_of,
        format!("shown: {}", marks.as_of.strftime("%-d %b")),
        RGBColor(16, 42, 67),
    ));
    if let Some((d, who)) = &marks.decision {
        labels.push((
            *d,
            format!("decided: {who}, {}", d.strftime("%-d %b")),
            RGBColor(46, 125, 50),
        ));
    }
    labels.sort_by_key(|(d, _, _)| *d);
    let placed: Vec<(i32, i32)> = labels
        .iter()
        .map(|(d, l, _)| {
            let w = (l.chars().count() as f64 * char_w) as i32;
            // Beside its line: to the right, or to the left where the right edge is near.
            let line = to_px(*d);
            let at = if line + 4 + w > width as i32 - 4 {
                line - 4 - w
            } else {
                line + 4
            }
            .max(0);
            (at, w)
        })
        .collect();
    let rows = label_rows(&placed, 8);
    let nrows = rows.iter().max().map_or(0, |r| r + 1) as i32;
    let line_h = (px * 1.35) as i32;
    let band = nrows * line_h + 6;
    let mut out = String::new();
    {
        let root =
            SVGBackend::with_string(&mut out, (width, height + band as u32)).into_drawing_area();
        root.fill(&WHITE).map_err(|x| e(&x))?;
        for ((_, label, colour), (&(at, _), row)) in labels.iter().zip(placed.iter().zip(&rows)) {
            root.draw(&Text::new(
                label.clone(),
                (at, 4 + *row as i32 * line_h),
                ("sans-serif", font(px)).into_font().color(colour),
            ))
            .map_err(|x| e(&x))?;
        }
        let (_, plot) = root.split_vertically(band);
        let mut chart = ChartBuilder::on(&plot)
            .margin_left(8)
            .margin_right(16)
            .margin_top(6)
            .margin_bottom(4)
            .x_label_area_size(if narrow { 28 } else { 32 })
            .y_label_area_size(if narrow { 34 } else { 44 })
            .build_cartesian_2d(0..span, 0..members as i32)
            .map_err(|x| e(&x))?;
        chart
            .configure_mesh()
            .x_labels(if narrow { 4 } else { 8 })
            .y_labels(if narrow { 5 } else { 9 })
            .label_style(("sans-serif", font(px)))
            .x_label_formatter(&|d| {
                first
                    .checked_add(jiff::Span::new().days(*d))
                    .map(|d| d.strftime("%b %Y").to_string())
                    .unwrap_or_default()
            })
            .light_line_style(RGBColor(235, 235, 235))
            .draw()
            .map_err(|x| e(&x))?;
        let top = members as i32;
        for (d, _, colour) in &labels {
            let at = x(*d);
            let style = if *d == marks.as_of || marks.decision.as_ref().is_some_and(|(m, _)| m == d)
            {
                colour.stroke_width(2)
            } else {
                colour.stroke_width(1)
            };
            chart
                .draw_series(LineSeries::new([(at, 0), (at, top)], style))
                .map_err(|x| e(&x))?;
        }
        for (i, s) in series.iter().enumerate() {
            let colour = PALETTE[i % PALETTE.len()];
            chart
                .draw_series(LineSeries::new(
                    s.points.iter().map(|p| (x(p.date), p.supports as i32)),
                    colour.stroke_width(3),
                ))
                .map_err(|x| e(&x))?;
            chart
                .draw_series(DashedLineSeries::new(
                    s.points.iter().map(|p| (x(p.date), p.blocks as i32)),
                    6,
                    4,
                    colour.stroke_width(2),
                ))
                .map_err(|x| e(&x))?;
        }
        root.present().map_err(|x| e(&x))?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::label_rows;

    #[test]
    fn labels_that_would_touch_go_to_another_row() {
        // Two labels a day apart (the NATO ministerial and the article) and one far away.
        let rows = label_rows(&[(100, 80), (104, 60), (400, 50), (430, 40)], 8);
        assert_eq!(rows, [0, 1, 0, 1]);
    }
}
