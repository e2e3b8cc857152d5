//! `concord power CONTEST`: each member's exact voting power under the contest's rule
//! (Banzhaf and Shapley–Shubik), with how many winning coalitions it is pivotal in.

use std::fmt::Write as _;
use std::process::ExitCode;

use concord_domain::power::{self, PowerView, thousands};
use concord_ledger::View;
use jiff::civil::Date;

use crate::render::Format;
use crate::settings::Context;

#[derive(clap::Args, Debug)]
pub struct PowerArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
    /// The members counted on this date (default: today).
    #[arg(long)]
    pub as_of: Option<Date>,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

pub async fn run(ctx: &Context, args: &PowerArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let as_of = args.as_of.unwrap_or_else(|| ctx.today());
    let state = ctx.ledger.state(&contest, as_of, View::Chair).await?;
    let view = match power::of_state(&state) {
        Ok(view) => view,
        Err(e) => {
            eprintln!("error: {contest}: {e}");
            return Ok(ExitCode::from(crate::commands::ledger::BAD_INPUT));
        }
    };
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&view)?),
        Format::Table => out!("{}", table(&view, None)),
    }
    Ok(ExitCode::SUCCESS)
}

/// A Banzhaf index to four decimals, or in scientific notation when that would show zero.
fn banzhaf(x: f64) -> String {
    if x > 0.0 && x < 0.00005 {
        format!("{x:.1e}")
    } else {
        format!("{x:.4}")
    }
}

fn pct(x: f64) -> String {
    format!("{:.1} %", 100.0 * x)
}

/// The power table; `limit` keeps the first members only (the board's section).
pub fn table(view: &PowerView, limit: Option<usize>) -> String {
    let mut out = String::new();
    let n = view.game.len();
    let _ = writeln!(
        out,
        "Voting power under {} ({n} members, as of {})",
        view.rule.name(),
        view.as_of
    );
    let _ = writeln!(
        out,
        "{}",
        crate::render::wrap_text_pub(&format!("Rule: {}.", view.winning_rule), 2, 80)
    );
    let Some(indices) = &view.indices else {
        if let Some(share) = view.equal_share {
            let _ = writeln!(
                out,
                "  Every member counts alike: each holds 1/{n} of the power ({}).",
                pct(share)
            );
        }
        return out;
    };
    let counted = format!(
        "Counted exactly by {} ({} coalitions, {} winning).",
        indices.method,
        thousands(indices.coalitions),
        thousands(indices.winning)
    );
    let _ = writeln!(out, "{}", crate::render::wrap_text_pub(&counted, 2, 80));
    if let (Some(share), Some(m)) = (view.equal_share, indices.members.first()) {
        let line = format!(
            "Every member counts alike: each holds 1/{n} of the power ({}) and is pivotal in {} of \
             the {} winning coalitions it belongs to (Banzhaf {}).",
            pct(share),
            thousands(m.swings),
            thousands(m.winning_with),
            banzhaf(m.banzhaf)
        );
        let _ = writeln!(out, "{}", crate::render::wrap_text_pub(&line, 2, 80));
        return out;
    }
    let width = view
        .game
        .members
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(6)
        .max(6)
        + 1;
    let weighted = view.game.weights.iter().any(|&w| w > 1);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "  {:<width$}{}{:>9}{:>8}{:>9}   pivotal in … of the wins it is in",
        "member",
        if weighted {
            format!("{:>14}", "weight")
        } else {
            String::new()
        },
        "Banzhaf",
        "share",
        "Shapley"
    );
    let ranked = view.ranked();
    let shown = limit.unwrap_or(ranked.len()).min(ranked.len());
    for m in &ranked[..shown] {
        let weight = if weighted {
            format!("{:>14}", thousands(u128::from(m.weight)))
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "  {:<width$}{weight}{:>9}{:>8}{:>9}   {} of {}",
            m.member,
            banzhaf(m.banzhaf),
            pct(m.banzhaf_share),
            m.shapley_shubik.map(pct).unwrap_or_default(),
            thousands(m.swings),
            thousands(m.winning_with)
        );
    }
    if shown < ranked.len() {
        let _ = writeln!(
            out,
            "  … and {} more: `concord power {}`",
            ranked.len() - shown,
            view.contest
        );
    }
    if let (Some(first), Some(last)) = (ranked.first(), ranked.last()) {
        let _ = writeln!(out);
        for m in [first, last] {
            let line = format!("{}: {}.", m.member, m.explain());
            let _ = writeln!(out, "{}", crate::render::wrap_text_pub(&line, 2, 80));
        }
    }
    out
}
