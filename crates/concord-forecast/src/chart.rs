//! The SVG chart of a forecast: P(decision by date) with the milestones marked, and the
//! candidates' shares beside it. Drawn with plotters into a string (no files here).

use plotters::prelude::*;

use crate::run::Forecast;

/// Width and height of the chart in pixels: readable on a laptop screen and in a README.
const SIZE: (u32, u32) = (960, 540);
/// Share of the width given to the curve; the rest shows the candidates.
const CURVE_SHARE: f64 = 0.68;

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

fn curve<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    f: &Forecast,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let days = f.curve.len() as i32;
    let mut chart = ChartBuilder::on(area)
        .caption(
            format!(
                "P(decision by date), as of {} — model {}",
                f.as_of, f.params_version
            ),
            ("sans-serif", 18),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(48)
        .build_cartesian_2d(0..days, 0.0..1.0)
        .map_err(err)?;
    let date_of = |d: &i32| {
        f.curve
            .get(*d as usize)
            .map_or_else(String::new, |p| p.date.to_string())
    };
    chart
        .configure_mesh()
        .x_labels(6)
        .x_label_formatter(&date_of)
        .y_label_formatter(&|p| format!("{:.0} %", 100.0 * p))
        .y_desc("probability")
        .draw()
        .map_err(err)?;
    chart
        .draw_series(
            AreaSeries::new(
                f.curve.iter().enumerate().map(|(d, p)| (d as i32, p.p)),
                0.0,
                BLUE.mix(0.15),
            )
            .border_style(BLUE.stroke_width(2)),
        )
        .map_err(err)?;
    let day_of = |date: jiff::civil::Date| -> i32 {
        f.as_of
            .until((jiff::Unit::Day, date))
            .map_or(0, |s| s.get_days())
    };
    for m in f.milestones.iter().filter(|m| !m.passed) {
        let x = day_of(m.date);
        if x < 0 || x >= days {
            continue;
        }
        let color = match m.kind {
            crate::input::MilestoneKind::HardDeadline => RED,
            crate::input::MilestoneKind::TermEnd => BLACK,
            _ => RGBColor(120, 120, 120),
        };
        chart
            .draw_series(LineSeries::new([(x, 0.0), (x, 1.0)], color.stroke_width(1)))
            .map_err(err)?;
        chart
            .draw_series([Text::new(
                format!("{} {:.0} %", m.date, 100.0 * m.decided_by.p),
                (x, 0.04),
                ("sans-serif", 12).into_font().color(&color),
            )])
            .map_err(err)?;
    }
    Ok(())
}

fn shares<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    f: &Forecast,
) -> Result<(), ChartError>
where
    DB::ErrorType: 'static,
{
    let mut rows: Vec<(String, f64)> = f
        .candidates
        .iter()
        .map(|c| (c.name.clone(), c.wins.p))
        .collect();
    rows.push(("another candidate".into(), f.another_candidate.p));
    rows.push(("nobody by the horizon".into(), f.none_by_horizon.p));
    let n = rows.len() as i32;
    let mut chart = ChartBuilder::on(area)
        .caption("Who is agreed", ("sans-serif", 18))
        .margin(12)
        .x_label_area_size(30)
        .y_label_area_size(10)
        .build_cartesian_2d(0.0..1.0, 0..n)
        .map_err(err)?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .disable_y_axis()
        .x_labels(3)
        .x_label_formatter(&|p| format!("{:.0} %", 100.0 * p))
        .draw()
        .map_err(err)?;
    for (i, (name, p)) in rows.iter().enumerate() {
        let y = n - 1 - i as i32;
        chart
            .draw_series([Rectangle::new(
                [(0.0, y), (*p, y + 1)],
                GREEN.mix(0.5).filled(),
            )])
            .map_err(err)?;
        chart
            .draw_series([Text::new(
                format!("{name}: {:.1} %", 100.0 * p),
                (0.02, y),
                ("sans-serif", 13).into_font(),
            )])
            .map_err(err)?;
    }
    Ok(())
}
