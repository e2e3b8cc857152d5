//! The README's forecast and back-test sections, generated from the code and the corpus
//! (`concord backtest cases --readme`), so the figures a reader sees are the figures the code
//! gives; `tests/readme_tables.rs` fails when the README drifts from them.

use std::fmt::Write as _;

use anyhow::Context as _;
use concord_domain::event::seal_all;
use concord_domain::state::ContestState;
use concord_forecast::backtest::{
    self, BacktestConfig, BacktestReport, Interval, Question, QuestionSummary,
};
use concord_forecast::fit::Replay;
use concord_forecast::{Estimate, Forecast, ForecastInput, MilestoneKind, Params, RunConfig};
use jiff::civil::{Date, date};

use crate::settings::BUNDLED;

/// The date of the defining article's forecast, and the early date the target is set on.
const ARTICLE_DATE: Date = date(2024, 4, 4);
const EARLY_DATE: Date = date(2024, 2, 22);

fn pct(e: &Estimate) -> String {
    format!("{:.1} % ± {:.2}", 100.0 * e.p, 100.0 * e.se)
}

fn interval(i: &Interval) -> String {
    format!("{:.3} [{:.3}–{:.3}]", i.mean, i.low, i.high)
}

/// The bundled NATO 2024 contest forecast on `on` with the bundled parameters.
fn nato_forecast(on: Date, params: &Params, sensitivity: bool) -> anyhow::Result<Forecast> {
    let (id, text) = BUNDLED[0];
    let scenario = concord_domain::scenario::parse(&format!("{id}.toml"), text, "bundled")
        .map_err(|e| anyhow::anyhow!("the bundled scenario: {e}"))?;
    let events = seal_all(
        scenario.into_events("bundled"),
        None,
        jiff::Timestamp::UNIX_EPOCH,
    );
    let state = ContestState::fold(&events, on)?;
    let input = ForecastInput::from_state_with(&state, on, params);
    let mut config = RunConfig::from_params(params);
    if !sensitivity {
        config.sensitivity_trials = 0;
    }
    Ok(concord_forecast::forecast(&input, params, &config)?)
}

fn by_kind(f: &Forecast, kind: MilestoneKind) -> Option<&concord_forecast::MilestoneForecast> {
    f.milestones.iter().find(|m| m.kind == kind && !m.passed)
}

/// P(decided on or before `on`) from the curve.
fn decided_by(f: &Forecast, on: Date) -> Estimate {
    f.curve
        .iter()
        .find(|c| c.date == on)
        .map_or(Estimate { p: 0.0, se: 0.0 }, |c| Estimate {
            p: c.p,
            se: c.se,
        })
}

fn forecast_section(out: &mut String, params: &Params) -> anyhow::Result<()> {
    let f = nato_forecast(ARTICLE_DATE, params, true)?;
    let early = nato_forecast(EARLY_DATE, params, false)?;
    let summit = by_kind(&f, MilestoneKind::HardDeadline).context("the summit")?;
    let _ = writeln!(
        out,
        "`concord forecast nato-sg-2024 --as-of {ARTICLE_DATE}` (model {}, the bundled \
         `crates/concord-forecast/params/{}.toml`; {} trials, seed {}; ± is one Monte Carlo \
         standard error):\n",
        params.version, params.version, f.trials, f.seed
    );
    let _ = writeln!(out, "| question | answer |\n| --- | --- |");
    for m in f.milestones.iter().filter(|m| !m.passed) {
        let _ = writeln!(
            out,
            "| P(decision by {}, {}) | {} |",
            concord_forecast::render::milestone_name(m),
            m.date,
            pct(&m.decided_by)
        );
    }
    let names: Vec<String> = f
        .candidates
        .iter()
        .map(|c| format!("{} {:.1} %", c.name, 100.0 * c.wins.p))
        .collect();
    let _ = writeln!(
        out,
        "| who is agreed | {}, another candidate {:.1} %, nobody by the horizon {:.1} % |",
        names.join(", "),
        100.0 * f.another_candidate.p,
        100.0 * f.none_by_horizon.p
    );
    let _ = writeln!(
        out,
        "| P({} first) | {} |",
        f.reversion,
        pct(&f.reversion_first)
    );
    let date_or =
        |d: Option<Date>| d.map_or_else(|| "beyond the horizon".to_owned(), |d| d.to_string());
    let _ = writeln!(
        out,
        "| median decision date, 80 % interval | {}, {} – {} |",
        date_or(f.median),
        date_or(f.interval80.0),
        date_or(f.interval80.1)
    );
    let binding: Vec<String> = f
        .binding
        .iter()
        .take(4)
        .map(|b| format!("{} {:.1} %", b.member, 100.0 * b.binding.p))
        .collect();
    let _ = writeln!(
        out,
        "| the binding hold (the last block to go before the decision) | {} |",
        binding.join(", ")
    );
    let lifted: Vec<String> = f
        .sensitivity
        .iter()
        .take(4)
        .map(|s| format!("{} {:+.1} pts", s.member, 100.0 * s.delta.p))
        .collect();
    let _ = writeln!(
        out,
        "| P(by the summit) if the hold were lifted now | {} |",
        lifted.join(", ")
    );
    let early_summit = decided_by(&early, summit.date);
    let _ = writeln!(
        out,
        "\nAs of {EARLY_DATE}, when only five allies had said where they stood, P(decision by \
         the summit) = {}.",
        pct(&early_summit)
    );
    Ok(())
}

fn question_row(
    out: &mut String,
    q: &QuestionSummary,
    v1: Option<&QuestionSummary>,
    declared_base: Option<f64>,
) {
    let v1 = v1.map_or_else(String::new, |v| format!("{:.3}", v.model.mean));
    let base = match declared_base {
        Some(d) => format!("{} (declared only: {d:.3})", interval(&q.base_rate)),
        None => interval(&q.base_rate),
    };
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {v1} | {base} | {:.3} |",
        q.question.label(),
        q.points,
        interval(&q.model),
        interval(&q.model_minus_base),
        q.favourite.mean
    );
}

fn backtest_section(
    out: &mut String,
    v2: &BacktestReport,
    v1: &BacktestReport,
) -> anyhow::Result<()> {
    let points = v2.contests.iter().map(|c| c.points).sum::<usize>();
    let consensus = v2
        .contests
        .iter()
        .filter(|c| c.rule == concord_forecast::RuleFamily::Consensus)
        .count();
    let _ = writeln!(
        out,
        "`concord backtest cases` forecasts each of the {} contests of the corpus as of every \
         date something became known ({points} dates; {consensus} contests decided by consensus \
         or unanimity, {} by votes), with only what was known then, refitting model v2 without \
         the contest it scores (leave-one-contest-out), at {} trials per forecast. Brier for \
         the yes/no questions, log loss for the winner; lower is better; [95 % intervals from \
         resampling contests]. Model v1 is scored with its judgement values, not refitted.\n",
        v2.contests.len(),
        v2.contests.len() - consensus,
        v2.trials
    );
    let _ = writeln!(
        out,
        "| question | points | model v2 | v2 − base rate | model v1 | base rate | favourite |\n\
         | --- | --- | --- | --- | --- | --- | --- |"
    );
    let declared: Vec<f64> = v2
        .points
        .iter()
        .filter(|p| p.question == Question::Winner)
        .filter_map(|p| p.declared_base_rate)
        .map(|p| -p.max(backtest::LOG_LOSS_FLOOR).ln())
        .collect();
    let declared_mean =
        (!declared.is_empty()).then(|| declared.iter().sum::<f64>() / declared.len() as f64);
    for q in &v2.questions {
        let v1q = v1.questions.iter().find(|o| o.question == q.question);
        let declared_base = (q.question == Question::Winner)
            .then_some(declared_mean)
            .flatten();
        question_row(out, q, v1q, declared_base);
    }
    let ninety = |rows: &[QuestionSummary]| {
        rows.iter()
            .find(|q| q.question == Question::Within90Days)
            .map(|q| (q.model.mean, q.base_rate.mean))
    };
    let winner = |rows: &[QuestionSummary]| {
        rows.iter()
            .find(|q| q.question == Question::Winner)
            .map(|q| (q.model.mean, q.base_rate.mean))
    };
    for (label, rows) in [
        ("consensus or unanimity", &v2.consensus),
        ("votes", &v2.votes),
    ] {
        if let (Some(n), Some(w)) = (ninety(rows), winner(rows)) {
            let _ = writeln!(
                out,
                "\nDecided by {label}: within 90 days {:.3} (base rate {:.3}); the winner {:.2} \
                 (base rate {:.2}).",
                n.0, n.1, w.0, w.1
            );
        }
    }
    let _ = writeln!(
        out,
        "\nReliability (`--reliability FILE.svg` draws it): bins holding at least 20 points, and how many of them lie within 0.1 of the diagonal:\n"
    );
    for rel in &v2.reliability {
        let full: Vec<_> = rel.bins.iter().filter(|b| b.points >= 20).collect();
        let close = full
            .iter()
            .filter(|b| (b.observed - b.mean_probability).abs() <= 0.1)
            .count();
        let worst = full
            .iter()
            .map(|b| b.observed - b.mean_probability)
            .fold(0.0_f64, |m, d| if d.abs() > m.abs() { d } else { m });
        let _ = writeln!(
            out,
            "- {}: {close} of {} (largest gap {worst:+.2})",
            rel.question.label(),
            full.len()
        );
    }
    if let Some(nato) = v2.contests.iter().find(|c| c.id == "nato-sg-2024") {
        let _ = writeln!(
            out,
            "\nNATO 2024 itself, scored out of sample (its {} dates, parameters fitted on the \
             other {} contests): Brier {:.3} (base rate {:.3}), winner log loss {:.2} (base rate \
             {:.2}).",
            nato.points,
            nato.fitted_on,
            nato.model_brier,
            nato.base_brier,
            nato.model_log_loss,
            nato.base_log_loss
        );
    }
    Ok(())
}

/// Both sections, each between the markers the README carries.
pub fn tables(replays: &[Replay], config: &BacktestConfig) -> anyhow::Result<String> {
    let v2_params = Params::bundled();
    let v1_params = Params::v1();
    let v2 = backtest::backtest(replays, &v2_params, config, &|_, _| {});
    let v1 = backtest::backtest(
        replays,
        &v1_params,
        &BacktestConfig {
            refit: false,
            ..*config
        },
        &|_, _| {},
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<!-- readme:forecast (generated: concord backtest cases --readme) -->"
    );
    forecast_section(&mut out, &v2_params)?;
    let _ = writeln!(out, "<!-- /readme:forecast -->\n");
    let _ = writeln!(
        out,
        "<!-- readme:backtest (generated: concord backtest cases --readme) -->"
    );
    backtest_section(&mut out, &v2, &v1)?;
    ballot_section(
        &mut out,
        &concord_forecast::ballot::backtest(replays, config),
    );
    let _ = writeln!(out, "<!-- /readme:backtest -->");
    Ok(out)
}

/// The ballot model's rows: the same questions on the contests decided by votes, beside the
/// base rate computed over those contests.
fn ballot_section(out: &mut String, r: &BacktestReport) {
    let _ = writeln!(
        out,
        "\nThe ballot model (`concord backtest cases --model ballot`: rounds of votes, exact \
         probabilities, refitted without each contest it scores) on the {} contests decided by \
         votes ({} dates); its base rate is computed over those contests:\n",
        r.contests.len(),
        r.contests.iter().map(|c| c.points).sum::<usize>()
    );
    let _ = writeln!(
        out,
        "| question | points | ballot model | ballot − base rate | base rate |"
    );
    let _ = writeln!(out, "| --- | --- | --- | --- | --- |");
    for q in &r.questions {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            q.question.label(),
            q.points,
            interval(&q.model),
            interval(&q.model_minus_base),
            interval(&q.base_rate)
        );
    }
}
