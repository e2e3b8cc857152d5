//! Plain-text rendering of a forecast and of a what-if, for terminals and snapshots.

use std::fmt::Write as _;

use crate::input::MilestoneKind;
use crate::run::{Estimate, Forecast, MilestoneForecast, WhatIf};

/// `62.1 % ± 0.15`
fn pct(e: &Estimate) -> String {
    format!("{:5.1} % ± {:.2}", 100.0 * e.p, 100.0 * e.se)
}

/// Cuts a label to `width` characters, marking the cut, so tables keep their columns.
fn clip(label: &str, width: usize) -> String {
    if label.chars().count() <= width {
        return label.to_owned();
    }
    let mut out: String = label.chars().take(width.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// A milestone kind in words, for tables and the chart (`hard_deadline` is for files).
fn kind_words(kind: MilestoneKind) -> &'static str {
    match kind {
        MilestoneKind::Target => "target",
        MilestoneKind::Meeting => "meeting",
        MilestoneKind::HardDeadline => "hard deadline",
        MilestoneKind::TermEnd => "term end",
    }
}

/// Longest milestone name in tables and on the chart: room for "Stoltenberg's term ends".
const NAME_WIDTH: usize = 24;

/// A milestone's short name: its label up to the first `:`, `(` or `,` ("Washington
/// summit", "Allies' target"), since labels carry a sentence after that and overflowed an
/// 80-column terminal; the kind in words if nothing is left.
pub fn milestone_name(m: &MilestoneForecast) -> String {
    let head = m
        .label
        .split([':', '(', ','])
        .next()
        .unwrap_or_default()
        .trim();
    if head.is_empty() {
        kind_words(m.kind).to_owned()
    } else {
        clip(head, NAME_WIDTH)
    }
}

/// `9 Jul` or `9 Jul 2024`: a date a reader takes in at a glance, for labels.
pub fn short_date(d: jiff::civil::Date, year: bool) -> String {
    d.strftime(if year { "%-d %b %Y" } else { "%-d %b" })
        .to_string()
}

/// Fills `text` into lines of at most `width` columns (words longer than that stay whole),
/// the first starting with `first`, the rest with `rest`.
fn wrap(text: &str, width: usize, first: &str, rest: &str) -> String {
    let mut out = String::new();
    let mut line = first.to_owned();
    let mut empty = true;
    for word in text.split(' ') {
        if !empty && line.chars().count() + 1 + word.chars().count() > width {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// Terminal width the tables are laid out for.
const COLUMNS: usize = 80;

/// An edit in words.
fn describe(edit: &crate::input::Edit) -> String {
    use crate::input::Edit;
    match edit {
        Edit::Lift {
            member,
            candidate: None,
        } => format!("lift {member}'s hold on every candidate"),
        Edit::Lift {
            member,
            candidate: Some(c),
        } => format!("lift {member}'s hold on {c}"),
        Edit::Withdraw { candidate } => format!("{candidate} withdraws"),
        Edit::Commit {
            candidate,
            member,
            count: 1,
        } => format!("{candidate} meets one more of {member}'s conditions"),
        Edit::Commit {
            candidate,
            member,
            count,
        } => format!("{candidate} meets {count} more of {member}'s conditions"),
        Edit::MoveDeadline { kind, to } => {
            format!(
                "move the {} to {}",
                kind_words(*kind),
                short_date(*to, true)
            )
        }
    }
}

fn date_or(d: Option<jiff::civil::Date>, beyond: &str) -> String {
    d.map_or_else(|| beyond.to_owned(), |d| d.to_string())
}

/// One hold's columns, shared by the binding-hold and sensitivity tables so they line up:
/// `HUN   on Mark Rutte           objects           `.
fn hold_cells(member: &str, candidate: &str, kind: &str) -> String {
    format!(
        "{member:<5} on {:<20} {:<18}",
        clip(candidate, 20),
        clip(kind, 18)
    )
}

/// The forecast as a table, laid out for an 80-column terminal.
pub fn forecast_text(f: &Forecast) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "Forecast as of {} — model {}, {} trials, seed {}",
        f.as_of, f.params_version, f.trials, f.seed
    );
    let _ = writeln!(out, "(± is one Monte Carlo standard error)");
    let _ = writeln!(out, "\nP(decision by milestone)");
    for m in &f.milestones {
        let status = if m.passed { "  (passed)" } else { "" };
        let _ = writeln!(
            out,
            "  {}  {:<NAME_WIDTH$} {:<13} {}{status}",
            m.date,
            milestone_name(m),
            kind_words(m.kind),
            pct(&m.decided_by)
        );
    }
    let _ = writeln!(
        out,
        "  {}  {:<NAME_WIDTH$} {:<13} {}",
        f.horizon,
        "end of simulation",
        "horizon",
        pct(&Estimate {
            p: 1.0 - f.none_by_horizon.p,
            se: f.none_by_horizon.se
        })
    );
    let _ = writeln!(out, "\nWho is agreed (by the horizon)");
    for c in &f.candidates {
        let _ = writeln!(out, "  {:<32} {}", clip(&c.name, 32), pct(&c.wins));
    }
    let _ = writeln!(
        out,
        "  {:<32} {}",
        "another candidate",
        pct(&f.another_candidate)
    );
    let _ = writeln!(
        out,
        "  {:<32} {}",
        "nobody by the horizon",
        pct(&f.none_by_horizon)
    );
    out.push('\n');
    out.push_str(&wrap(
        &format!(
            "Reversion first ({}): {}",
            f.reversion,
            pct(&f.reversion_first).trim_start()
        ),
        COLUMNS,
        "",
        "  ",
    ));
    let _ = writeln!(
        out,
        "Decision date: median {}, 80 % interval {} – {}",
        date_or(f.median, "after the horizon"),
        date_or(f.interval80.0, "after the horizon"),
        date_or(f.interval80.1, "after the horizon"),
    );
    if !f.binding.is_empty() {
        let _ = writeln!(
            out,
            "\nBinding hold (the last to release before the decision)"
        );
        for b in &f.binding {
            let _ = writeln!(
                out,
                "  {} {}",
                hold_cells(&b.member, &b.candidate, &b.kind),
                pct(&b.binding)
            );
        }
    }
    if !f.sensitivity.is_empty() {
        let _ = writeln!(
            out,
            "\nSensitivity: P(decision by {}) if each hold were lifted now",
            f.hard_deadline
        );
        let _ = writeln!(
            out,
            "(baseline {}; {} paired trials; change in points)",
            pct(&f.decided_by_hard_deadline).trim_start(),
            f.sensitivity_trials
        );
        for s in &f.sensitivity {
            let _ = writeln!(
                out,
                "  {} {}  {:+5.1} ± {:.2}",
                hold_cells(&s.member, &s.candidate, &s.kind),
                pct(&s.lifted),
                100.0 * s.delta.p,
                100.0 * s.delta.se
            );
        }
    }
    let _ = writeln!(out, "\nRandom draws per trial: {:.2}", f.draws_per_trial);
    out
}

/// Width of a what-if row's label, so that two estimates and the change fit in 80 columns.
const WHATIF_LABEL: usize = 38;

/// A what-if: the scenario beside the baseline, laid out for an 80-column terminal.
pub fn whatif_text(w: &WhatIf) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "What-if as of {} — {} trials, seed {} (the same on both sides)",
        w.baseline.as_of, w.baseline.trials, w.baseline.seed
    );
    for edit in &w.edits {
        out.push_str(&wrap(&describe(edit), COLUMNS, "  - ", "    "));
    }
    let _ = writeln!(
        out,
        "\n  {:<WHATIF_LABEL$} {:>13} {:>13} {:>9}",
        "", "baseline", "what-if", "change"
    );
    let mut row = |label: String, a: &Estimate, b: &Estimate| {
        let _ = writeln!(
            out,
            "  {:<WHATIF_LABEL$} {:>13} {:>13} {:>+9.1}",
            clip(&label, WHATIF_LABEL),
            pct(a),
            pct(b),
            100.0 * (b.p - a.p)
        );
    };
    for (a, b) in w.baseline.milestones.iter().zip(&w.scenario.milestones) {
        // The scenario's date, when a --move changed it, is the one the row is about.
        let date = if a.date == b.date {
            short_date(a.date, true)
        } else {
            format!(
                "{} (was {})",
                short_date(b.date, false),
                short_date(a.date, false)
            )
        };
        row(
            format!("by {} {date}", milestone_name(a)),
            &a.decided_by,
            &b.decided_by,
        );
    }
    for a in &w.baseline.candidates {
        let absent = Estimate { p: 0.0, se: 0.0 };
        let b = w
            .scenario
            .candidates
            .iter()
            .find(|c| c.name == a.name)
            .map_or(&absent, |c| &c.wins);
        row(format!("{} agreed", a.name), &a.wins, b);
    }
    row(
        "another candidate agreed".into(),
        &w.baseline.another_candidate,
        &w.scenario.another_candidate,
    );
    row(
        "reversion first".into(),
        &w.baseline.reversion_first,
        &w.scenario.reversion_first,
    );
    let _ = writeln!(
        out,
        "  {:<WHATIF_LABEL$} {:>13} {:>13}",
        "median decision date",
        date_or(w.baseline.median, "after horizon"),
        date_or(w.scenario.median, "after horizon")
    );
    out
}
