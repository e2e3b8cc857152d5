//! `concord bargain FILE`: runs KTAB's spatial model of politics on a KTAB CSV or XML scenario.
//!
//! Needs in `crates/concord/Cargo.toml`: `concord-smp`, `clap` (derive), `anyhow` and
//! `serde_json`, all `workspace = true`. Wire it with
//! `Command::Bargain(args) => commands::bargain::run(&args)`.
//!
//! Prints, as KTAB's log does at its end, every actor's position per turn (`%5.1f`, 0–100 scale)
//! and the probability that each actor's position is the outcome (`%.4f`), then the number of
//! turns, the final distinct positions and the probability-weighted expected outcome.
//! Input problems go to stderr, each as `file:line:column: …`, with exit code 2.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use concord_smp::input::parse_file;
use concord_smp::{Run, Scenario};

/// Run KTAB's spatial model of politics (SMP) on a scenario.
#[derive(clap::Args, Debug, Clone)]
pub struct BargainArgs {
    /// Scenario file in KTAB's CSV (.csv) or XML (.xml) format.
    pub file: PathBuf,
    /// Set a model parameter, e.g. `--param VictoryProbModel=Square` (repeatable). Names:
    /// VictoryProbModel, PCEModel, StateTransitions, VotingRule, BigRAdjust, BigRRange,
    /// ThirdPartyCommit, InterVecBrgn, BargnModel, and `seed` for stochastic transitions.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
}

/// How `concord bargain` prints its result.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// KTAB-style histories, for reading.
    Table,
    /// One JSON document, for programs.
    Json,
}

/// Exit code for input problems (the file is wrong, not the program).
const EXIT_INPUT: u8 = 2;

pub fn run(args: &BargainArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&args.file)
        .with_context(|| format!("cannot read {}", args.file.display()))?;
    let name = args.file.display().to_string();
    let mut scenario = match parse_file(&text, &name) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            return Ok(ExitCode::from(EXIT_INPUT));
        }
    };
    if let Err(problems) = apply_params(&mut scenario, &args.params) {
        for p in problems {
            eprintln!("--param {p}");
        }
        return Ok(ExitCode::from(EXIT_INPUT));
    }
    let result =
        concord_smp::run(&scenario).with_context(|| format!("{name}: the model failed"))?;
    let out = match args.format {
        Format::Table => table(&scenario, &result),
        Format::Json => serde_json::to_string_pretty(&json(&scenario, &result))? + "\n",
    };
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Applies every `NAME=VALUE`, collecting all problems.
fn apply_params(s: &mut Scenario, params: &[String]) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();
    for p in params {
        let Some((k, v)) = p.split_once('=') else {
            problems.push(format!("{p}: expected NAME=VALUE"));
            continue;
        };
        if k.trim().eq_ignore_ascii_case("seed") {
            match v.trim().parse() {
                Ok(x) => s.seed = x,
                Err(_) => problems.push(format!("{p}: expected a whole number for seed")),
            }
        } else if let Err(e) = s.params.set(k, v) {
            problems.push(format!("{p}: {e}"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn pct(x: f64) -> f64 {
    x * 100.0
}

fn table(s: &Scenario, r: &Run) -> String {
    let mut o = String::new();
    let nd = r.dimensions.len();
    let params: Vec<String> = s
        .params
        .pairs()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let _ = writeln!(
        o,
        "Scenario: {} ({} actors, {} dimensions)",
        r.scenario,
        r.actors.len(),
        nd
    );
    let _ = writeln!(o, "Parameters: {}", params.join(", "));
    let _ = writeln!(o, "Turns: {} ({} states)", r.num_turns(), r.turns.len());
    let ratios: Vec<String> = r
        .turns
        .iter()
        .filter_map(|t| t.stop_ratio)
        .map(|x| format!("{x:.4}"))
        .collect();
    let _ = writeln!(
        o,
        "Stopping statistic per turn (stop below 0.02 from turn 2): {}",
        ratios.join(" ")
    );
    let aw = r.actors.iter().map(String::len).max().unwrap_or(5).max(5);
    let dw = r
        .dimensions
        .iter()
        .map(String::len)
        .max()
        .unwrap_or(9)
        .max(9);
    let _ = writeln!(o, "\nPositions by turn (0-100 scale):");
    let _ = write!(o, "{:aw$}  {:dw$}", "actor", "dimension");
    for t in &r.turns {
        let _ = write!(o, " {:>5}", format!("t{}", t.turn));
    }
    o.push('\n');
    for (i, a) in r.actors.iter().enumerate() {
        for (d, dn) in r.dimensions.iter().enumerate() {
            let _ = write!(o, "{a:aw$}  {dn:dw$}");
            for t in &r.turns {
                let _ = write!(o, " {:5.1}", pct(t.positions[i][d]));
            }
            o.push('\n');
        }
    }
    let _ = writeln!(
        o,
        "\nProbability that each actor's position is the outcome (actors sharing a position show the same number):"
    );
    let _ = write!(o, "{:aw$}", "actor");
    for t in &r.turns {
        let _ = write!(o, " {:>6}", format!("t{}", t.turn));
    }
    o.push('\n');
    for (i, a) in r.actors.iter().enumerate() {
        let _ = write!(o, "{a:aw$}");
        for t in &r.turns {
            let _ = write!(o, " {:.4}", t.outcome_prob[i]);
        }
        o.push('\n');
    }
    let last = r.last();
    let _ = writeln!(o, "\nFinal distinct positions, most probable first:");
    let mut classes: Vec<_> = last.classes.iter().collect();
    classes.sort_by(|a, b| b.probability.total_cmp(&a.probability));
    for c in classes {
        let at: Vec<String> = c
            .position
            .iter()
            .map(|x| format!("{:.1}", pct(*x)))
            .collect();
        let who: Vec<&str> = c.members.iter().map(|&i| r.actors[i].as_str()).collect();
        let _ = writeln!(
            o,
            "  P={:.4} at ({}) held by {}",
            c.probability,
            at.join(", "),
            who.join(" ")
        );
    }
    let e: Vec<String> = last
        .expected_outcome()
        .iter()
        .zip(&r.dimensions)
        .map(|(x, d)| format!("{d}={:.2}", pct(*x)))
        .collect();
    let _ = writeln!(
        o,
        "Expected outcome (probability-weighted): {}",
        e.join(", ")
    );
    o
}

fn json(s: &Scenario, r: &Run) -> serde_json::Value {
    use serde_json::json;
    let last = r.last();
    let params: serde_json::Map<String, serde_json::Value> = s
        .params
        .pairs()
        .iter()
        .map(|(k, v)| ((*k).to_string(), json!(v)))
        .collect();
    json!({
        "scenario": r.scenario,
        "parameters": params,
        "seed": s.seed,
        "dimensions": r.dimensions,
        "actors": r.actors,
        "turns": r.num_turns(),
        "scale": "positions on 0-100",
        "states": r.turns.iter().map(|t| json!({
            "turn": t.turn,
            "positions": t.positions.iter().map(|p| p.iter().map(|x| pct(*x)).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "outcome_prob": t.outcome_prob,
            "stop_ratio": t.stop_ratio,
            "expected_outcome": t.expected_outcome().iter().map(|x| pct(*x)).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "final_classes": last.classes.iter().map(|c| json!({
            "position": c.position.iter().map(|x| pct(*x)).collect::<Vec<_>>(),
            "probability": c.probability,
            "members": c.members.iter().map(|&i| r.actors[i].clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "expected_outcome": last.expected_outcome().iter().map(|x| pct(*x)).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_applied_and_bad_ones_all_reported() {
        let text = "S,d,3,1\nActor,Desc,Cap,P,S\nA,a,10,10,50\nB,b,20,50,50\nC,c,30,90,50\n";
        let mut s = parse_file(text, "s.csv").unwrap();
        apply_params(&mut s, &["PCEModel=MarkovUniform".into(), "seed=9".into()]).unwrap();
        assert_eq!(s.params.pce_model.name(), "MarkovUniform");
        assert_eq!(s.seed, 9);
        let e = apply_params(&mut s, &["Colour=red".into(), "VotingRule".into()]).unwrap_err();
        assert_eq!(e.len(), 2);
    }
}
