//! Plain-text rendering of a forecast and of a what-if, for terminals and snapshots.

use std::fmt::Write as _;

use crate::run::{Estimate, Forecast, WhatIf};

/// `62.1 % ± 0.1`
fn pct(e: &Estimate) -> String {
    format!("{:5.1} % ± {:.1}", 100.0 * e.p, 100.0 * e.se)
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

/// An edit in words.
fn describe(edit: &crate::input::Edit) -> String {
    use crate::input::Edit;
    match edit {
        Edit::Lift {
            member,
            candidate: None,
        } => format!("lift {member}'s holds"),
        Edit::Lift {
            member,
            candidate: Some(c),
        } => format!("lift {member}'s hold on {c}"),
        Edit::Withdraw { candidate } => format!("{candidate} withdraws"),
        Edit::Commit {
            candidate,
            member,
            count,
        } => {
            format!("{candidate} meets {count} more of {member}'s conditions")
        }
        Edit::MoveDeadline { kind, to } => format!("move the {} to {to}", kind.as_str()),
    }
}

fn date_or(d: Option<jiff::civil::Date>, beyond: &str) -> String {
    d.map_or_else(|| beyond.to_owned(), |d| d.to_string())
}

/// The forecast as a table.
pub fn forecast_text(f: &Forecast) -> String {
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(
        out,
        "Forecast as of {} — model {}, {} trials, seed {} (± is one Monte Carlo standard error)",
        f.as_of, f.params_version, f.trials, f.seed
    );
    let _ = writeln!(out, "\nP(decision by milestone)");
    for m in &f.milestones {
        let status = if m.passed { "  (passed)" } else { "" };
        let _ = writeln!(
            out,
            "  {}  {:<14} {:<40} {}{status}",
            m.date,
            m.kind.as_str(),
            clip(&m.label, 40),
            pct(&m.decided_by)
        );
    }
    let _ = writeln!(
        out,
        "  {}  {:<14} {:<40} {}",
        f.horizon,
        "horizon",
        "end of simulation",
        pct(&Estimate {
            p: 1.0 - f.none_by_horizon.p,
            se: f.none_by_horizon.se
        })
    );
    let _ = writeln!(out, "\nWho is agreed (by the horizon)");
    for c in &f.candidates {
        let _ = writeln!(out, "  {:<32} {}", c.name, pct(&c.wins));
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
    let _ = writeln!(
        out,
        "\nReversion first ({}): {}",
        f.reversion,
        pct(&f.reversion_first)
    );
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
                "  {:<5} on {:<24} {:<26} {}",
                b.member,
                b.candidate,
                b.kind,
                pct(&b.binding)
            );
        }
    }
    if !f.sensitivity.is_empty() {
        let _ = writeln!(
            out,
            "\nSensitivity: P(decision by {}) = {} if each hold were lifted now ({} paired trials)",
            f.hard_deadline,
            pct(&f.decided_by_hard_deadline),
            f.sensitivity_trials
        );
        for s in &f.sensitivity {
            let _ = writeln!(
                out,
                "  lift {:<5} on {:<24} {:<26} {}  ({:+.1} pts ± {:.1})",
                s.member,
                s.candidate,
                s.kind,
                pct(&s.lifted),
                100.0 * s.delta.p,
                100.0 * s.delta.se
            );
        }
    }
    let _ = writeln!(out, "\nRandom draws per trial: {:.2}", f.draws_per_trial);
    out
}

/// A what-if: the scenario beside the baseline.
pub fn whatif_text(w: &WhatIf) -> String {
    let mut out = String::new();
    let edits: Vec<String> = w.edits.iter().map(describe).collect();
    let _ = writeln!(
        out,
        "What-if as of {}: {} ({} trials, seed {}, same seeds on both sides)",
        w.baseline.as_of,
        edits.join(", "),
        w.baseline.trials,
        w.baseline.seed
    );
    let _ = writeln!(
        out,
        "\n  {:<52} {:>16} {:>16} {:>9}",
        "", "baseline", "what-if", "change"
    );
    let mut row = |label: String, a: &Estimate, b: &Estimate| {
        let _ = writeln!(
            out,
            "  {:<52} {:>16} {:>16} {:>+8.1}",
            label,
            pct(a),
            pct(b),
            100.0 * (b.p - a.p)
        );
    };
    for (a, b) in w.baseline.milestones.iter().zip(&w.scenario.milestones) {
        row(
            clip(&format!("decided by {} ({})", a.date, a.label), 52),
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
        row(clip(&format!("{} agreed", a.name), 52), &a.wins, b);
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
        "  {:<52} {:>16} {:>16}",
        "median decision date",
        date_or(w.baseline.median, "after horizon"),
        date_or(w.scenario.median, "after horizon")
    );
    out
}
