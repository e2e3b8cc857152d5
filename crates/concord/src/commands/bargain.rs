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
//!
//! With `--issue ID`, FILE names a contest instead — a concord scenario file (`.toml`), a
//! bundled scenario id (`nato-sg-2024`) or a contest in the store (`--database` or `CONCORD_DATABASE`) — and the
//! model runs over the members' positions on that `[[issue]]`; the output adds where the
//! contest's holdouts (members that ever withheld consent or objected) end up.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};
use concord_domain::diagnostic::{Location, did_you_mean};
use concord_domain::{ContestDefinition, Diagnostic, EventKind, IssueDimension};
use concord_smp::input::parse_file;
use concord_smp::{Actor, Run, Scenario};

use crate::settings;

/// Run KTAB's spatial model of politics (SMP) on a scenario.
#[derive(clap::Args, Debug, Clone)]
pub struct BargainArgs {
    /// Scenario file in KTAB's CSV (.csv) or XML (.xml) format; with `--issue`, a contest: a
    /// concord scenario (.toml), a bundled scenario id or a contest id in the store.
    pub file: PathBuf,
    /// Run the model on this `[[issue]]` of the contest FILE names, over its members.
    #[arg(long, value_name = "ID")]
    pub issue: Option<String>,
    /// Set a model parameter, e.g. `--param VictoryProbModel=Square` (repeatable). Names:
    /// VictoryProbModel, PCEModel, StateTransitions, VotingRule, BigRAdjust, BigRRange,
    /// ThirdPartyCommit, InterVecBrgn, BargnModel, and `seed` for stochastic transitions.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// The store to look a contest up in: the global `--database`, set by `main`.
    #[arg(skip)]
    pub database: Option<String>,
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
    if let Some(issue) = &args.issue {
        return run_issue(args, issue);
    }
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
    out!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// A contest as `--issue` needs it: its definition and who held out in its log.
struct Contest {
    definition: ContestDefinition,
    /// Members that withheld consent or objected at any point, in the log's order.
    holdouts: Vec<String>,
}

fn run_issue(args: &BargainArgs, issue_id: &str) -> anyhow::Result<ExitCode> {
    let contest = match load_contest(&args.file, args.database.as_deref())? {
        Ok(c) => c,
        Err(problems) => {
            for p in problems {
                eprintln!("{p}");
            }
            return Ok(ExitCode::from(EXIT_INPUT));
        }
    };
    let def = &contest.definition;
    let Some(issue) = def.issues.iter().find(|i| i.id == issue_id) else {
        let known: Vec<&str> = def.issues.iter().map(|i| i.id.as_str()).collect();
        let expected = if known.is_empty() {
            format!(
                "an issue of {}, which declares none ([[issue]] tables)",
                def.id
            )
        } else {
            format!("one of {}", known.join(", "))
        };
        let d = Diagnostic::new(
            Location::Argument {
                name: "--issue".to_owned(),
            },
            format!("unknown issue '{issue_id}' in contest {}", def.id),
        )
        .expected(expected)
        .suggest(did_you_mean(issue_id, known.iter().copied()));
        eprintln!("{d}");
        return Ok(ExitCode::from(EXIT_INPUT));
    };
    let mut scenario = issue_scenario(def, issue);
    let problems = scenario.problems();
    if !problems.is_empty() {
        for p in problems {
            eprintln!("issue {issue_id}: {p}");
        }
        return Ok(ExitCode::from(EXIT_INPUT));
    }
    if let Err(problems) = apply_params(&mut scenario, &args.params) {
        for p in problems {
            eprintln!("--param {p}");
        }
        return Ok(ExitCode::from(EXIT_INPUT));
    }
    let result = concord_smp::run(&scenario)
        .with_context(|| format!("{} --issue {issue_id}: the model failed", def.id))?;
    let out = match args.format {
        Format::Table => issue_table(&contest, issue, &scenario, &result),
        Format::Json => {
            serde_json::to_string_pretty(&issue_json(&contest, issue, &scenario, &result))? + "\n"
        }
    };
    out!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// Finds the contest FILE names: a scenario file, a bundled scenario, or a contest in the store.
/// The bundled scenarios are read as shipped, without touching the store.
fn load_contest(
    file: &std::path::Path,
    database: Option<&str>,
) -> anyhow::Result<Result<Contest, Vec<Diagnostic>>> {
    let name = file.display().to_string();
    let parsed = |label: &str, text: &str| {
        concord_domain::scenario::parse(label, text, "cli").map(|s| Contest {
            holdouts: holdouts(s.events.iter().map(|e| &e.kind)),
            definition: s.definition,
        })
    };
    if file.is_file() {
        if file.extension().is_none_or(|e| e != "toml") {
            bail!(
                "{name}: --issue needs a concord scenario (.toml), a bundled scenario id or a contest id"
            );
        }
        let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {name}"))?;
        return Ok(parsed(&name, &text).map_err(|d| d.0));
    }
    if let Some((id, text)) = settings::BUNDLED.iter().find(|(id, _)| *id == name) {
        return Ok(parsed(&format!("bundled scenario {id}"), text).map_err(|d| d.0));
    }
    // Neither a file nor a bundled id: a contest in the store. `run` is called before the
    // async runtime exists (a KTAB file needs no store), so this path builds its own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = settings::StoreSettings {
            database: database.map(str::to_owned),
            key_file: None,
        };
        let ctx = match settings::Context::open(&store, settings::Access::Read).await {
            Ok(ctx) => Some(ctx),
            // No store: no contest in it, and none is created by looking.
            Err(e) if e.downcast_ref::<settings::NoStore>().is_some() => None,
            Err(e) => return Err(e),
        };
        let known = match &ctx {
            Some(ctx) => ctx.ledger.contests().await?,
            None => Vec::new(),
        };
        if !known.iter().any(|c| c.id == name) {
            let mut ids: Vec<&str> = settings::BUNDLED.iter().map(|(id, _)| *id).collect();
            ids.extend(known.iter().map(|c| c.id.as_str()));
            let d = Diagnostic::new(
                Location::Argument {
                    name: "FILE".to_owned(),
                },
                format!(
                    "no scenario file, bundled scenario or contest in the store named '{name}'"
                ),
            )
            .expected(format!("one of {}", ids.join(", ")))
            .suggest(did_you_mean(&name, ids.iter().copied()));
            return Ok(Err(vec![d]));
        }
        let events = ctx
            .as_ref()
            .context("a contest was listed, so the store exists")?
            .ledger
            .events(&name)
            .await?;
        let definition = events
            .iter()
            .find_map(|e| match &e.kind {
                EventKind::ContestOpened { contest } => Some(contest.clone()),
                _ => None,
            })
            .with_context(|| format!("contest {name} has no contest_opened event"))?;
        Ok(Ok(Contest {
            holdouts: holdouts(events.iter().map(|e| &e.kind)),
            definition,
        }))
    })
}

/// Members that ever reported a blocking stance, in the order they first did.
fn holdouts<'a>(kinds: impl Iterator<Item = &'a EventKind>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for kind in kinds {
        if let EventKind::StanceReported(s) = kind
            && s.stance.blocks()
            && !out.contains(&s.member)
        {
            out.push(s.member.clone());
        }
    }
    out
}

/// The SMP scenario of one issue: an actor per member with a position, named by member code.
fn issue_scenario(def: &ContestDefinition, issue: &IssueDimension) -> Scenario {
    let members = &def.organisation.members;
    let actors = issue
        .positions
        .iter()
        .map(|p| Actor {
            name: p.member.clone(),
            description: members
                .iter()
                .find(|m| m.code == p.member)
                .map(|m| m.name.clone())
                .unwrap_or_default(),
            // Validation guarantees a capability; 0 would be reported by `problems()`.
            capability: issue.capability_of(p, members).unwrap_or(0.0),
            position: vec![p.position],
            salience: vec![p.salience],
        })
        .collect();
    let mut s = Scenario::new(
        format!("{} / {}", def.id, issue.id),
        vec![issue.id.clone()],
        actors,
    );
    s.description = issue.label.clone();
    s
}

/// Where each holdout starts and ends, on the issue's 0–100 scale.
struct HoldoutMove<'a> {
    member: &'a str,
    name: &'a str,
    initial: f64,
    last: f64,
    outcome_prob: f64,
}

fn holdout_moves<'a>(c: &'a Contest, r: &Run) -> (Vec<HoldoutMove<'a>>, Vec<&'a str>) {
    let mut moves = Vec::new();
    let mut missing = Vec::new();
    for code in &c.holdouts {
        match r.actors.iter().position(|a| a == code) {
            Some(i) => moves.push(HoldoutMove {
                member: code,
                name: c
                    .definition
                    .organisation
                    .members
                    .iter()
                    .find(|m| m.code == *code)
                    .map_or("", |m| m.name.as_str()),
                initial: pct(r.turns[0].positions[i][0]),
                last: pct(r.last().positions[i][0]),
                outcome_prob: r.last().outcome_prob[i],
            }),
            None => missing.push(code.as_str()),
        }
    }
    (moves, missing)
}

fn provenance(issue: &IssueDimension) -> String {
    let inferred = issue
        .positions
        .iter()
        .filter(|p| p.attribution == concord_domain::Attribution::Inferred)
        .count();
    format!(
        "{inferred} of {} positions inferred (analyst's estimate, not reported)",
        issue.positions.len()
    )
}

fn issue_table(c: &Contest, issue: &IssueDimension, s: &Scenario, r: &Run) -> String {
    let def = &c.definition;
    let mut o = String::new();
    let _ = writeln!(o, "Contest: {} — {}", def.id, def.title);
    let _ = writeln!(o, "Issue: {} — {}", issue.id, issue.label);
    let _ = writeln!(o, "  {}", issue.scale_low);
    let _ = writeln!(o, "  {}", issue.scale_high);
    let _ = writeln!(o, "  {}", provenance(issue));
    let unmodelled: Vec<&str> = def
        .organisation
        .members
        .iter()
        .filter(|m| !issue.positions.iter().any(|p| p.member == m.code))
        .map(|m| m.code.as_str())
        .collect();
    if !unmodelled.is_empty() {
        let _ = writeln!(
            o,
            "  members without a position (not modelled): {}",
            unmodelled.join(" ")
        );
    }
    o.push('\n');
    o.push_str(&table(s, r));
    let expected = pct(r.last().expected_outcome()[0]);
    let _ = writeln!(
        o,
        "\nWhere the holdouts end up (members that withheld consent or objected in the log):"
    );
    let (moves, missing) = holdout_moves(c, r);
    if moves.is_empty() && missing.is_empty() {
        let _ = writeln!(o, "  none: no member withheld consent or objected");
    }
    for m in &moves {
        let _ = writeln!(
            o,
            "  {} {:12} {:5.1} -> {:5.1}  ({:+.1}; {:+.1} from the expected outcome {expected:.1}; P(outcome)={:.4})",
            m.member,
            m.name,
            m.initial,
            m.last,
            m.last - m.initial,
            m.last - expected,
            m.outcome_prob
        );
    }
    for code in missing {
        let _ = writeln!(o, "  {code}: no position on this issue");
    }
    o
}

fn issue_json(c: &Contest, issue: &IssueDimension, s: &Scenario, r: &Run) -> serde_json::Value {
    use serde_json::json;
    let mut v = json(s, r);
    let (moves, missing) = holdout_moves(c, r);
    let extra = json!({
        "contest": c.definition.id,
        "issue": {
            "id": issue.id,
            "label": issue.label,
            "scale_low": issue.scale_low,
            "scale_high": issue.scale_high,
            "capability": issue.capability,
            "provenance": provenance(issue),
        },
        "holdouts": moves.iter().map(|m| json!({
            "member": m.member,
            "name": m.name,
            "initial": m.initial,
            "final": m.last,
            "outcome_prob": m.outcome_prob,
        })).collect::<Vec<_>>(),
        "holdouts_without_position": missing,
    });
    if let (Some(obj), serde_json::Value::Object(more)) = (v.as_object_mut(), extra) {
        obj.extend(more);
    }
    v
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
