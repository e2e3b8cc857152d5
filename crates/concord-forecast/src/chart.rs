//! The SVG chart of a forecast: P(decision by date) with the milestones marked, and the
//! candidates' shares beside it. Drawn with plotters into a string (no files here).

use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::input::MilestoneKind;
use crate::render::{milestone_name, short_date};
use crate::run::Forecast;

/// Width and height of the chart in pixels: readable on a laptop screen and in a README.
const SIZE: (u32, u32) = (960, 540);
/// Share of the width given to the curve; the rest shows the candidates, whose names need
/// room to the left of their bars.
const CURVE_SHARE: f64 = 0.62;

/// The curve and its band: a dark blue on white passes WCAG AA for lines and text.
const CURVE: RGBColor = RGBColor(31, 78, 160);
/// The hard deadline is the one date that matters most, so it alone is red and heavy.
const DEADLINE: RGBColor = RGBColor(196, 30, 58);
/// Other milestones: a dark grey, readable but quieter than the deadline.
const MILESTONE: RGBColor = RGBColor(80, 80, 80);
/// Major grid lines only, pale enough to read values off without competing with the data.
const GRID: RGBColor = RGBColor(222, 222, 222);
/// Bars of named candidates, and of the residual outcomes (grey: not a person).
const BAR: RGBColor = RGBColor(31, 78, 160);
const BAR_OTHER: RGBColor = RGBColor(140, 140, 140);
/// Text that is not data-coloured.
const INK: RGBColor = RGBColor(30, 30, 30);

/// A chart that could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("could not draw the chart: {0}")]
pub struct ChartError(String);

fn err<E: std::fmt::Debug>(e: E) -> ChartError {
    ChartError(format!("{e:?}"))
}

/// Renders `forecast` as an SVG document.
pub fn svg(forecast: &Forecast) -> Result<String, ChartError> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let split = (f64::from(SIZE.0) * CURVE_SHARE) as u32;
        let (left, right) = root.split_horizontally(split);
        curve(&left, forecast)?;
        shares(&right, forecast)?;
        root.present().map_err(err)?;
    }
    Ok(out)
}

/// A rough width of `text` in pixels at plotters font `size`: the SVG backend has no font
/// metrics, and writes `size / 1.24` as the CSS font size; an average sans-serif glyph is
/// about half an em wide.
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size / 1.24 * 0.5) as i32
}

fn curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    f: &Forecast,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let days = f.curve.len() as i32;
    // The Monte Carlo error is usually far thinner than the line; say so rather than leave
    // the reader to guess whether an invisible band was drawn.
    let max_se = f.curve.iter().map(|p| p.se).fold(0.0, f64::max);
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!("P(decision by date) — as of {}", f.as_of),
            ("sans-serif", 24).into_font().color(&INK),
        )
        .margin(12)
        .margin_right(20)
        .x_label_area_size(44)
        .y_label_area_size(48)
        .build_cartesian_2d(0..days, 0.0..1.0)
        .map_err(err)?;
    let date_of = |d: &i32| {
        f.curve
            .get(*d as usize)
            .map_or_else(String::new, |p| short_date(p.date, true))
    };
    chart
        .configure_mesh()
        .x_labels(6)
        .y_labels(6)
        .x_label_formatter(&date_of)
        .y_label_formatter(&|p| format!("{:.0} %", 100.0 * p))
        // One grid, not two: the minor lines made the plot a mesh.
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(GRID)
        .axis_style(INK)
        .label_style(("sans-serif", 16).into_font().color(&INK))
        .x_desc(format!(
            "model {}, {} trials; band ±2 Monte Carlo SE (at most ±{:.1} pts)",
            f.params_version,
            f.trials,
            200.0 * max_se
        ))
        .axis_desc_style(("sans-serif", 15).into_font().color(&MILESTONE))
        .draw()
        .map_err(err)?;
    chart
        .draw_series(AreaSeries::new(
            f.curve.iter().enumerate().map(|(d, p)| (d as i32, p.p)),
            0.0,
            CURVE.mix(0.10),
        ))
        .map_err(err)?;
    let band: Vec<(i32, f64)> = f
        .curve
        .iter()
        .enumerate()
        .map(|(d, p)| (d as i32, (p.p + 2.0 * p.se).min(1.0)))
        .chain(
            f.curve
                .iter()
                .enumerate()
                .rev()
                .map(|(d, p)| (d as i32, (p.p - 2.0 * p.se).max(0.0))),
        )
        .collect();
    chart
        .draw_series([Polygon::new(band, CURVE.mix(0.35).filled())])
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            f.curve.iter().enumerate().map(|(d, p)| (d as i32, p.p)),
            CURVE.stroke_width(2),
        ))
        .map_err(err)?;

    let day_of = |date: jiff::civil::Date| -> i32 {
        f.as_of
            .until((jiff::Unit::Day, date))
            .map_or(0, |s| s.get_days())
    };
    let shown: Vec<_> = f
        .milestones
        .iter()
        .filter(|m| !m.passed)
        .map(|m| (m, day_of(m.date)))
        .filter(|(_, x)| (0..days).contains(x))
        .collect();
    // Lines first, labels after, so a label's white box is never crossed by another line.
    for (m, x) in &shown {
        let (color, width) = match m.kind {
            MilestoneKind::HardDeadline => (DEADLINE, 3),
            _ => (MILESTONE, 1),
        };
        chart
            .draw_series(LineSeries::new(
                [(*x, 0.0), (*x, 1.0)],
                color.stroke_width(width),
            ))
            .map_err(err)?;
        chart
            .draw_series([Circle::new((*x, m.decided_by.p), 5, color.filled())])
            .map_err(err)?;
    }
    // The curve rises to the right, so a label beside its line can avoid the curve: under
    // it when the milestone is already likely (the curve stays above to the right), above
    // where the curve will be at the label's far end when it is not.
    let px_per_day = f64::from(area.dim_in_pixel().0.saturating_sub(80)) / f64::from(days.max(1));
    let p_at = |d: i32| {
        f.curve
            .get(d.clamp(0, days - 1) as usize)
            .map_or(0.0, |p| p.p)
    };
    // Two lines (name; date and probability) keep labels narrow enough to sit to the right
    // of their line; boxes already placed push a later label down.
    let mut placed: Vec<(i32, i32, f64)> = Vec::new();
    let half = 0.042;
    for (m, x) in &shown {
        let deadline = m.kind == MilestoneKind::HardDeadline;
        let lines = [
            milestone_name(m),
            format!(
                "{}{}: {:.1} %",
                if deadline { "hard deadline, " } else { "" },
                short_date(m.date, false),
                100.0 * m.decided_by.p
            ),
        ];
        let size = 16.0;
        let font = ("sans-serif", size).into_font();
        let font = if deadline {
            font.style(FontStyle::Bold)
        } else {
            font
        };
        let color = if deadline { DEADLINE } else { MILESTONE };
        let width_px = lines.iter().map(|l| text_width(l, size)).max().unwrap_or(0) + 14;
        let width_days = (f64::from(width_px) / px_per_day).ceil() as i32;
        let p = m.decided_by.p;
        // Near the right edge the label goes to the left of its line, above the curve
        // (which is lower there).
        let right = x + width_days < days;
        let mut y = if !right {
            (p + 0.08).min(0.94)
        } else if p >= 0.2 {
            p - 0.08
        } else {
            (p_at(x + width_days) + 0.08).min(0.94)
        };
        let (x0, x1, anchor_x, h) = if right {
            (*x, x + width_days, x + 1, HPos::Left)
        } else {
            (x - width_days, *x, x - 1, HPos::Right)
        };
        for _ in 0..8 {
            let clash = placed
                .iter()
                .any(|&(a, b, py)| a < x1 && x0 < b && (py - y).abs() < 2.0 * half);
            if !clash {
                break;
            }
            y -= 2.0 * half + 0.01;
        }
        placed.push((x0, x1, y));
        chart
            .draw_series([Rectangle::new(
                [(x0, y + half), (x1, y - half)],
                WHITE.mix(0.9).filled(),
            )])
            .map_err(err)?;
        let style = font.color(&color).pos(Pos::new(h, VPos::Center));
        for (line, dy) in lines.iter().zip([0.02, -0.02]) {
            chart
                .draw_series([Text::new(
                    format!(" {line} "),
                    (anchor_x, y + dy),
                    style.clone(),
                )])
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Horizontal bars, one row per outcome: the name to the left, the bar, the value at its end.
/// Drawn in pixels rather than through a chart so a name always sits level with its own bar.
fn shares<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    f: &Forecast,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let mut rows: Vec<(String, f64, RGBColor)> = f
        .candidates
        .iter()
        .map(|c| (c.name.clone(), c.wins.p, BAR))
        .collect();
    rows.push(("another candidate".into(), f.another_candidate.p, BAR_OTHER));
    rows.push((
        "nobody by the horizon".into(),
        f.none_by_horizon.p,
        BAR_OTHER,
    ));
    let (w, _) = area.dim_in_pixel();
    let (w, top) = (w as i32, 46);
    let title = ("sans-serif", 24).into_font().color(&INK);
    area.draw_text(
        "Who is agreed",
        &title.pos(Pos::new(HPos::Center, VPos::Top)),
        (w / 2, 14),
    )
    .map_err(err)?;
    let note = ("sans-serif", 15)
        .into_font()
        .color(&MILESTONE)
        .pos(Pos::new(HPos::Center, VPos::Top));
    area.draw_text(
        &format!("by the horizon, {}", f.horizon),
        &note,
        (w / 2, top),
    )
    .map_err(err)?;
    let size = 17.0;
    let label_w = rows
        .iter()
        .map(|(name, ..)| text_width(name, size))
        .max()
        .unwrap_or(0)
        .min(w / 2);
    let bar_x = label_w + 16;
    // Room at the end of the longest bar for "100.0 %".
    let bar_max = (w - bar_x - 80).max(40);
    let (row_h, bar_h, first) = (52, 30, top + 40);
    for (i, (name, p, color)) in rows.iter().enumerate() {
        let y = first + i as i32 * row_h;
        let mid = y + bar_h / 2;
        area.draw(&Rectangle::new(
            [(bar_x, y), (bar_x + bar_max, y + bar_h)],
            RGBColor(242, 242, 242).filled(),
        ))
        .map_err(err)?;
        let end = bar_x + (p.clamp(0.0, 1.0) * f64::from(bar_max)).round() as i32;
        area.draw(&Rectangle::new(
            [(bar_x, y), (end, y + bar_h)],
            color.filled(),
        ))
        .map_err(err)?;
        let style = ("sans-serif", size).into_font().color(&INK);
        area.draw_text(
            name,
            &style.clone().pos(Pos::new(HPos::Right, VPos::Center)),
            (bar_x - 8, mid),
        )
        .map_err(err)?;
        area.draw_text(
            &format!("{:.1} %", 100.0 * p),
            &style.pos(Pos::new(HPos::Left, VPos::Center)),
            (end + 6, mid),
        )
        .map_err(err)?;
    }
    Ok(())
}

/// One colour per yes/no question of the back-test, distinguishable in print and for the
/// common colour-vision deficiencies (Okabe & Ito's palette).
const QUESTION_COLOURS: [RGBColor; 4] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
];

/// The back-test's reliability diagram: for each yes/no question, the share of forecasts that
/// came true against the mean forecast, bin by bin, dots sized by how many points the bin
/// holds; the diagonal is perfect calibration and the band ±0.1 around it the target.
pub fn reliability_svg(report: &crate::backtest::BacktestReport) -> String {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (720, 720)).into_drawing_area();
        let _ = draw_reliability(&root, report);
        let _ = root.present();
    }
    out
}

fn draw_reliability<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    report: &crate::backtest::BacktestReport,
) -> Result<(), ChartError> {
    area.fill(&WHITE).map_err(err)?;
    let title = format!(
        "Reliability: model {} over {} contests (leave-one-contest-out)",
        report.model,
        report.contests.len()
    );
    let mut chart = ChartBuilder::on(area)
        .caption(title, ("sans-serif", 20).into_font().color(&INK))
        .margin(24)
        .x_label_area_size(48)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..1.0, 0.0..1.0)
        .map_err(err)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .x_desc("forecast probability (mean of the bin)")
        .y_desc("share that came true")
        .label_style(("sans-serif", 15).into_font().color(&INK))
        .axis_desc_style(("sans-serif", 16).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    // The target band: within 0.1 of the diagonal.
    chart
        .draw_series(std::iter::once(Polygon::new(
            vec![
                (0.0, 0.0),
                (0.0, 0.1),
                (0.9, 1.0),
                (1.0, 1.0),
                (1.0, 0.9),
                (0.1, 0.0),
            ],
            RGBColor(235, 235, 235).filled(),
        )))
        .map_err(err)?;
    chart
        .draw_series(LineSeries::new(
            [(0.0, 0.0), (1.0, 1.0)],
            MILESTONE.stroke_width(1),
        ))
        .map_err(err)?;
    for (rel, colour) in report.reliability.iter().zip(QUESTION_COLOURS) {
        let bins: Vec<&crate::backtest::ReliabilityBin> =
            rel.bins.iter().filter(|b| b.points > 0).collect();
        chart
            .draw_series(LineSeries::new(
                bins.iter().map(|b| (b.mean_probability, b.observed)),
                colour.stroke_width(2),
            ))
            .map_err(err)?
            .label(rel.question.label())
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
            });
        chart
            .draw_series(bins.iter().map(|b| {
                // Area proportional to the points in the bin.
                let radius = (3.0 + (b.points as f64).sqrt() * 1.2).min(18.0) as i32;
                Circle::new((b.mean_probability, b.observed), radius, colour.filled())
            }))
            .map_err(err)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.9))
        .border_style(GRID)
        .label_font(("sans-serif", 15).into_font().color(&INK))
        .draw()
        .map_err(err)?;
    Ok(())
}
