//! `concord forecast`, `concord whatif` and `concord backtest`: model v1 of the forecast
//! (`design/forecast.md`) over a contest's state, an edited state, or historical cases.
//!
//! Wiring this module needs (for `main.rs` and `crates/concord/Cargo.toml`):
//! - dependencies: `concord-forecast.workspace = true` (its default `chart` feature draws the
//!   SVG with plotters), `indicatif.workspace = true`; `anyhow`, `clap`, `serde_json`, `jiff`,
//!   `concord-domain`, `concord-ledger` are already there;
//! - `mod forecast;` in `commands/mod.rs`, and in `Command`:
//!   `Forecast(commands::forecast::ForecastArgs)`, `Whatif(commands::forecast::WhatifArgs)`,
//!   `Backtest(commands::forecast::BacktestArgs)`;
//! - dispatch: `Command::Forecast(a) => commands::forecast::forecast(&ctx, &a).await`,
//!   `Command::Whatif(a) => commands::forecast::whatif(&ctx, &a).await`, and — no store
//!   needed, like `Bargain` — `Command::Backtest(a) => commands::forecast::backtest(&a)`;
//! - `concord demo` can end with `commands::forecast::demo_forecast(&ctx, DEMO_CONTEST, as_of)`.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use std::collections::BTreeMap;

use concord_forecast::backtest::{self, BacktestConfig};
use concord_forecast::fit::{self, Replay};
use concord_forecast::params::ModelParams;
use concord_forecast::{Edit, ForecastInput, MilestoneKind, Params, RunConfig, render};
use concord_ledger::View;
use indicatif::{ProgressBar, ProgressStyle};
use jiff::civil::Date;

use crate::commands::board::ensure_bundled;
use crate::render::Format;
use crate::settings::{BUNDLED, Context};

/// Runs with at least this many trial simulations show a progress bar (on a terminal):
/// shorter ones finish before a bar would be read.
const PROGRESS_FROM_SIMULATIONS: u64 = 2_000_000;

/// What every forecast-like command takes.
#[derive(clap::Args, Debug, Clone)]
pub struct RunArgs {
    /// Forecast with only what was known on this date (default: today).
    #[arg(long)]
    pub as_of: Option<Date>,
    /// Monte Carlo trials (default: the parameter file's).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed (default: the parameter file's). Same seed → same numbers.
    #[arg(long)]
    pub seed: Option<u64>,
    /// A parameter file (TOML, as `crates/concord-forecast/params/v1.toml`).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
    /// Which model: `v2` (holds and clocks, by Monte Carlo) or `ballot` (rounds of votes).
    /// Default: the ballot model for a contest decided by a vote, model v2 otherwise.
    #[arg(long, value_parser = ["v2", "ballot"])]
    pub model: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct ForecastArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Trials re-run with each hold lifted, for the sensitivities (default: the file's).
    #[arg(long)]
    pub sensitivity_trials: Option<u64>,
    /// Also draw P(decision by date) and the candidates' shares to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub chart: Option<PathBuf>,
}

#[derive(clap::Args, Debug)]
pub struct WhatifArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
    #[command(flatten)]
    pub run: RunArgs,
    /// Lift a member's holds: `HUN`, or `HUN:Mark Rutte` for one candidate. Repeatable.
    #[arg(long, value_name = "MEMBER[:CANDIDATE]")]
    pub lift: Vec<String>,
    /// A candidate withdraws (name or id). Repeatable.
    #[arg(long, value_name = "CANDIDATE")]
    pub withdraw: Vec<String>,
    /// A candidate meets N more of a member's conditions: `Mark Rutte:TUR:1` (N defaults to 1).
    #[arg(long, value_name = "CANDIDATE:MEMBER[:N]")]
    pub commit: Vec<String>,
    /// Move a milestone: `hard_deadline=2024-09-01` (kinds: target, meeting, hard_deadline,
    /// term_end).
    #[arg(long = "move", value_name = "KIND=DATE")]
    pub move_deadline: Vec<String>,
}

#[derive(clap::Args, Debug)]
pub struct BacktestArgs {
    /// A directory of contests in the interchange format (`*.json`), e.g. `cases`.
    pub dir: PathBuf,
    /// Trials per scored forecast.
    #[arg(long, default_value_t = 20_000)]
    pub trials: u64,
    #[arg(long)]
    pub seed: Option<u64>,
    /// A parameter file (default: the bundled model, v2; `crates/concord-forecast/params/v1.toml`
    /// scores model v1).
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// table or json (the whole report, every point included).
    #[arg(long, default_value = "table")]
    pub format: Format,
    /// Write every scored point (contest, as-of, question, probability, outcome, baselines) to
    /// this JSON file.
    #[arg(long, value_name = "FILE.json")]
    pub points: Option<PathBuf>,
    /// Draw the reliability diagram to this SVG file.
    #[arg(long, value_name = "FILE.svg")]
    pub reliability: Option<PathBuf>,
    /// Score with the parameters as given instead of refitting without each contest: the
    /// scores are then in-sample for every contest the parameters were fitted on.
    #[arg(long)]
    pub no_refit: bool,
    /// Print the README's forecast and back-test sections (markdown) instead: model v2 and
    /// model v1 back-tested on DIR, and the bundled NATO 2024 contest forecast by the
    /// bundled parameters. `crates/concord/tests/readme_tables.rs` fails when the README
    /// drifts from this.
    #[arg(long, conflicts_with_all = ["format", "points", "reliability", "write_params"])]
    pub readme: bool,
    /// Fit model v2 (or, with `--model ballot`, the ballot model) on every contest of DIR and
    /// write its parameter file here (the bundled `params/v2.toml` and `params/ballot.toml` are
    /// made this way).
    #[arg(long, value_name = "FILE.toml")]
    pub write_params: Option<PathBuf>,
    /// Which model to score: `v2` (the parameter file's model, every contest) or `ballot` (the
    /// ballot model, on the contests decided by votes).
    #[arg(long, default_value = "v2", value_parser = ["v2", "ballot"], conflicts_with = "readme")]
    pub model: String,
}

fn load_params(path: Option<&PathBuf>) -> anyhow::Result<Params> {
    match path {
        None => Ok(Params::bundled()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            Params::from_toml_str(&text).with_context(|| format!("in {}", path.display()))
        }
    }
}

/// The forecast input of a contest as of a date; `None` if it was already decided then.
async fn input_of(
    ctx: &Context,
    contest: Option<&str>,
    as_of: Option<Date>,
    params: &Params,
) -> anyhow::Result<Result<ForecastInput, String>> {
    if let Some(id) = contest
        && BUNDLED.iter().any(|(name, _)| *name == id)
    {
        ensure_bundled(ctx, id).await?;
    }
    let contest = ctx.contest(contest).await?;
    let as_of = as_of.unwrap_or_else(|| ctx.today());
    let mut state = ctx.ledger.state(&contest, as_of, View::Chair).await?;
    state.apply_adopted_procedures(ctx.now());
    if let Some(decision) = &state.decision {
        return Ok(Err(format!(
            "{contest} was decided on {} ({}): nothing to forecast as of {as_of}; try an earlier --as-of",
            decision.date, decision.candidate
        )));
    }
    Ok(Ok(ForecastInput::from_state_with(&state, as_of, params)))
}

fn config_of(run: &RunArgs, params: &Params, sensitivity: Option<u64>) -> RunConfig {
    let mut config = RunConfig::from_params(params);
    if let Some(t) = run.trials {
        config.trials = t;
    }
    if let Some(s) = run.seed {
        config.seed = s;
    }
    if let Some(s) = sensitivity {
        config.sensitivity_trials = s;
    }
    config
}

/// A progress bar on stderr, only on a terminal and only for long runs.
fn progress_bar(simulations: u64) -> Option<ProgressBar> {
    if simulations < PROGRESS_FROM_SIMULATIONS || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(simulations);
    bar.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} trials ({eta})")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    Some(bar)
}

/// The forecast inputs of a package's posts as of `as_of`: each post as a contest of its own
/// candidates. `Err` names a post no candidate stands for.
fn post_inputs(
    state: &concord_domain::ContestState,
    as_of: Date,
    params: &Params,
) -> Result<Vec<(String, ForecastInput)>, String> {
    let mut out = Vec::new();
    for post in &state.definition.posts {
        let mut sub = state.clone();
        sub.definition.posts.clear();
        sub.candidates
            .retain(|c| c.profile.post.as_deref() == Some(post.id.as_str()));
        if sub.declared_candidates().next().is_none() {
            return Err(post.title.clone());
        }
        out.push((
            post.title.clone(),
            ForecastInput::from_state_with(&sub, as_of, params),
        ));
    }
    Ok(out)
}

/// The holds of `input` whose stances are linked to another contest of the store, with that
/// contest's forecast input when it can be forecast, or why not.
async fn linked_holds(
    ctx: &Context,
    state: &concord_domain::ContestState,
    input: &ForecastInput,
    as_of: Date,
    params: &Params,
) -> anyhow::Result<(Vec<concord_forecast::joint::LinkedHold>, Vec<String>)> {
    let board = concord_domain::Board::of(state);
    let mut holds = Vec::new();
    let mut notes = Vec::new();
    for (i, hold) in input.holds.iter().enumerate() {
        let Some(cell) = board.cells.iter().find(|c| {
            c.member == hold.member
                && state
                    .candidate(&c.candidate)
                    .is_some_and(|k| k.profile.name == hold.candidate)
        }) else {
            continue;
        };
        let Some(linked) = &cell.linked_to else {
            continue;
        };
        if !cell.effective.blocks() {
            continue;
        }
        let other = match ctx.ledger.state(linked, as_of, View::Chair).await {
            Ok(other) => other,
            Err(_) => {
                notes.push(format!(
                    "{}'s hold on {} is linked to {linked}, which this store does not hold on {as_of}: it keeps its own release rate.",
                    hold.member, hold.candidate
                ));
                continue;
            }
        };
        if let Some(d) = &other.decision {
            notes.push(format!(
                "{}'s hold on {} is linked to {linked}, decided on {}: the link no longer holds it.",
                hold.member, hold.candidate, d.date
            ));
            continue;
        }
        if other.declared_candidates().next().is_none() {
            notes.push(format!(
                "{}'s hold on {} is linked to {linked}, which has no candidate on record: its timing cannot be forecast, so the hold keeps its own release rate.",
                hold.member, hold.candidate
            ));
            continue;
        }
        if other.definition.is_package() {
            notes.push(format!(
                "{}'s hold on {} is linked to {linked}, a package: releasing a hold with a whole package is not modelled yet, so the hold keeps its own release rate.",
                hold.member, hold.candidate
            ));
            continue;
        }
        holds.push(concord_forecast::joint::LinkedHold {
            hold: i,
            linked: ForecastInput::from_state_with(&other, as_of, params),
            linked_name: linked.clone(),
        });
    }
    Ok((holds, notes))
}

fn joint_text(title: &str, f: &concord_forecast::joint::JointForecast) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(out, "{title} ({} trials, seed {}):", f.trials, f.seed);
    let names: Vec<&str> = f.parts.iter().map(|(n, _)| n.as_str()).collect();
    for (i, m) in f.milestones.iter().enumerate() {
        let parts: Vec<String> = f
            .parts
            .iter()
            .map(|(_, ms)| format!("{:.1} %", 100.0 * ms[i].decided_by.p))
            .collect();
        let line = format!(
            "{} {}: {:.1} % ± {:.2} (alone: {})",
            m.date,
            m.label,
            100.0 * m.decided_by.p,
            100.0 * m.decided_by.se,
            parts.join(" / ")
        );
        let _ = writeln!(out, "{}", crate::render::wrap_text_pub(&line, 2, 80));
    }
    let _ = writeln!(out, "  (alone: {} each on its own)", names.join(" / "));
    match f.median {
        Some(d) => {
            let _ = writeln!(out, "  median date: {d}");
        }
        None => {
            let _ = writeln!(out, "  median date: beyond the horizon");
        }
    }
    for w in f.winners.iter().filter(|w| w.wins.p > 0.0) {
        let _ = writeln!(
            out,
            "  {}: {} {:.1} %",
            w.part,
            w.candidate,
            100.0 * w.wins.p
        );
    }
    out
}

pub async fn forecast(ctx: &Context, args: &ForecastArgs) -> anyhow::Result<ExitCode> {
    let params = load_params(args.run.params.as_ref())?;
    // A package is forecast as the joint event: every post agreed.
    {
        if let Some(id) = args.contest.as_deref()
            && BUNDLED.iter().any(|(name, _)| *name == id)
        {
            ensure_bundled(ctx, id).await?;
        }
        let contest = ctx.contest(args.contest.as_deref()).await?;
        let as_of = args.run.as_of.unwrap_or_else(|| ctx.today());
        let state = ctx.ledger.state(&contest, as_of, View::Chair).await?;
        if state.definition.is_package() && state.decision.is_none() {
            let config = config_of(&args.run, &params, Some(0));
            match post_inputs(&state, as_of, &params) {
                Err(post) => outln!(
                    "{}",
                    crate::render::wrap_text_pub(
                        &format!(
                            "{contest} is a package of {} posts, agreed only when all are: no forecast, since no candidate for {post} is on record as of {as_of}.",
                            state.definition.posts.len()
                        ),
                        0,
                        80
                    )
                ),
                Ok(posts) => {
                    let f = concord_forecast::joint::package(&posts, &params, &config)?;
                    match args.run.format {
                        Format::Json => outln!("{}", serde_json::to_string_pretty(&f)?),
                        Format::Table => out!(
                            "{}",
                            joint_text(
                                &format!("P(the whole package of {contest} agreed by …)"),
                                &f
                            )
                        ),
                    }
                }
            }
            return Ok(ExitCode::SUCCESS);
        }
    }
    if let Some(done) = ballot_forecast(ctx, args.contest.as_deref(), &args.run, &[]).await? {
        return Ok(done);
    }
    let input = match input_of(ctx, args.contest.as_deref(), args.run.as_of, &params).await? {
        Ok(input) => input,
        Err(decided) => {
            outln!("{decided}");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let config = config_of(&args.run, &params, args.sensitivity_trials);
    let bar = progress_bar(config.trials);
    let f = concord_forecast::forecast_with_progress(&input, &params, &config, &|n| {
        if let Some(bar) = &bar {
            bar.inc(n);
        }
    })?;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    match args.run.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&f)?),
        Format::Table => out!("{}", render::forecast_text(&f)),
    }
    if args.run.format == Format::Table {
        // Holds bargained against another contest release when it is decided.
        let contest = ctx.contest(args.contest.as_deref()).await?;
        let state = ctx.ledger.state(&contest, input.as_of, View::Chair).await?;
        let (holds, notes) = linked_holds(ctx, &state, &input, input.as_of, &params).await?;
        if !holds.is_empty() || !notes.is_empty() {
            outln!();
            outln!("Linked holds:");
        }
        for note in &notes {
            outln!("{}", crate::render::wrap_text_pub(note, 2, 80));
        }
        if !holds.is_empty() {
            let mut joint_config = config;
            joint_config.sensitivity_trials = 0;
            let j =
                concord_forecast::joint::linked(&contest, &input, &holds, &params, &joint_config)?;
            out!(
                "{}",
                joint_text(
                    &format!(
                        "P({contest} decided by …) with its linked holds released when their contests are decided"
                    ),
                    &j
                )
            );
        }
    }
    if let Some(path) = &args.chart {
        let svg = concord_forecast::chart::svg(&f)?;
        std::fs::write(path, svg).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("chart written to {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// The forecast `concord demo` ends with (the defaults, as a table).
pub async fn demo_forecast(ctx: &Context, contest: &str, as_of: Date) -> anyhow::Result<()> {
    let params = Params::bundled();
    if let Ok(input) = input_of(ctx, Some(contest), Some(as_of), &params).await? {
        let f = concord_forecast::forecast(&input, &params, &RunConfig::from_params(&params))?;
        out!("{}", render::forecast_text(&f));
    }
    Ok(())
}

/// Finds a candidate by name or id (`Mark Rutte`, `mark-rutte`, `rutte`), case-insensitively.
fn candidate_name(input: &ForecastInput, given: &str) -> anyhow::Result<String> {
    find_candidate(input.candidates.iter().map(|c| c.name.as_str()), given)
}

/// Finds `given` among the candidates' `names` by name or id, case-insensitively; refuses an
/// unknown or ambiguous one, listing the candidates.
fn find_candidate<'a>(
    names: impl Iterator<Item = &'a str> + Clone,
    given: &str,
) -> anyhow::Result<String> {
    let want = concord_domain::interchange::slug(given);
    let found: Vec<&str> = names
        .clone()
        .filter(|name| {
            let slug = concord_domain::interchange::slug(name);
            slug == want || slug.split('-').any(|part| part == want)
        })
        .collect();
    match found.as_slice() {
        [one] => Ok((*one).to_owned()),
        [] => bail!(
            "unknown candidate '{given}' — candidates: {}",
            names.collect::<Vec<_>>().join(", ")
        ),
        many => bail!("'{given}' is ambiguous: {}", many.join(", ")),
    }
}

fn edits_of(input: &ForecastInput, args: &WhatifArgs) -> anyhow::Result<Vec<Edit>> {
    let mut edits = Vec::new();
    for lift in &args.lift {
        let (member, candidate) = match lift.split_once(':') {
            Some((m, c)) => (m, Some(candidate_name(input, c)?)),
            None => (lift.as_str(), None),
        };
        edits.push(Edit::Lift {
            member: member.trim().to_uppercase(),
            candidate,
        });
    }
    for w in &args.withdraw {
        edits.push(Edit::Withdraw {
            candidate: candidate_name(input, w)?,
        });
    }
    for c in &args.commit {
        let mut parts = c.split(':');
        let (Some(candidate), Some(member)) = (parts.next(), parts.next()) else {
            bail!("--commit '{c}': expected CANDIDATE:MEMBER[:N]");
        };
        let count = match parts.next() {
            Some(n) => n
                .parse()
                .with_context(|| format!("--commit '{c}': N must be a whole number"))?,
            None => 1,
        };
        edits.push(Edit::Commit {
            candidate: candidate_name(input, candidate)?,
            member: member.trim().to_uppercase(),
            count,
        });
    }
    for m in &args.move_deadline {
        let Some((kind, date)) = m.split_once('=') else {
            bail!("--move '{m}': expected KIND=DATE, e.g. hard_deadline=2024-09-01");
        };
        let kind = match kind.trim() {
            "target" => MilestoneKind::Target,
            "meeting" => MilestoneKind::Meeting,
            "hard_deadline" => MilestoneKind::HardDeadline,
            "term_end" => MilestoneKind::TermEnd,
            other => bail!(
                "--move '{m}': unknown kind '{other}' (target, meeting, hard_deadline, term_end)"
            ),
        };
        let to: Date = date
            .trim()
            .parse()
            .with_context(|| format!("--move '{m}': expected a date YYYY-MM-DD"))?;
        edits.push(Edit::MoveDeadline { kind, to });
    }
    if edits.is_empty() {
        bail!("name at least one edit: --lift, --withdraw, --commit or --move");
    }
    Ok(edits)
}

pub async fn whatif(ctx: &Context, args: &WhatifArgs) -> anyhow::Result<ExitCode> {
    if let Some(done) = ballot_forecast(
        ctx,
        args.contest.as_deref(),
        &args.run,
        &ballot_edits(args)?,
    )
    .await?
    {
        return Ok(done);
    }
    let params = load_params(args.run.params.as_ref())?;
    let input = match input_of(ctx, args.contest.as_deref(), args.run.as_of, &params).await? {
        Ok(input) => input,
        Err(decided) => {
            outln!("{decided}");
            return Ok(ExitCode::SUCCESS);
        }
    };
    let edits = edits_of(&input, args)?;
    // Sensitivities are the forecast's business; a what-if compares two runs.
    let config = config_of(&args.run, &params, Some(0));
    let w = concord_forecast::whatif(&input, &edits, &params, &config)?;
    match args.run.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&w)?),
        Format::Table => out!("{}", render::whatif_text(&w)),
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads every `*.json` case in `dir`; a case that does not parse is reported and left out,
/// and every event a case holds that the domain cannot use is reported by case and kind.
fn read_cases(dir: &PathBuf) -> anyhow::Result<(Vec<Replay>, Vec<String>)> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read the directory {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    let mut replays = Vec::new();
    let mut refused = Vec::new();
    let mut unused: BTreeMap<String, usize> = BTreeMap::new();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {name}"))?;
        match concord_domain::interchange::parse(&name, &text) {
            Ok(case) => {
                let id = path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or(name.clone());
                for u in &case.unused {
                    *unused.entry(format!("{id}: {}", u.kind)).or_default() += 1;
                }
                match Replay::of(&id, &case) {
                    Some(replay) => replays.push(replay),
                    None => refused.push(format!("{name}: no outcome: nothing to score")),
                }
            }
            Err(diagnostics) => refused.push(format!("{diagnostics}")),
        }
    }
    if !unused.is_empty() {
        let total: usize = unused.values().sum();
        eprintln!(
            "note: {total} events not used (run `concord import FILE` on a case to see each, with why):"
        );
        let mut line = String::new();
        for (what, n) in &unused {
            let item = format!("{what} ×{n}");
            if line.len() + item.len() + 2 > 96 {
                eprintln!("  {line}");
                line.clear();
            }
            if !line.is_empty() {
                line.push_str("; ");
            }
            line.push_str(&item);
        }
        if !line.is_empty() {
            eprintln!("  {line}");
        }
    }
    Ok((replays, refused))
}

pub fn backtest(args: &BacktestArgs) -> anyhow::Result<ExitCode> {
    let params = load_params(args.params.as_ref())?;
    let (replays, refused) = read_cases(&args.dir)?;
    for s in &refused {
        eprintln!("not scored: {s}");
    }
    if replays.is_empty() {
        bail!("no readable contest in {}", args.dir.display());
    }
    if args.model == "ballot" {
        return ballot_backtest(args, &replays, &refused, params.run.seed);
    }
    if let Some(path) = &args.write_params {
        let ModelParams::V2(v2) = &params.model else {
            bail!("--write-params fits model v2: give a v2 parameter file or none");
        };
        let all: Vec<&Replay> = replays.iter().collect();
        let est = fit::fit(&all, &v2.structure)?;
        let text = fit::params_text(&params, &est);
        std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {}: model v2 fitted on {} contests ({} events, log-likelihood {:.1})",
            path.display(),
            est.info.contests.len(),
            est.info.events,
            est.info.log_likelihood
        );
    }
    let config = BacktestConfig {
        trials: args.trials,
        seed: args.seed.unwrap_or(params.run.seed),
        refit: !args.no_refit,
        ..BacktestConfig::default()
    };
    if args.readme {
        out!("{}", crate::commands::readme::tables(&replays, &config)?);
        return Ok(ExitCode::SUCCESS);
    }
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(replays.len() as u64);
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} contests refitted and scored ({eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar
    });
    let report = backtest::backtest(&replays, &params, &config, &|done, _| {
        if let Some(bar) = &bar {
            bar.set_position(done as u64);
        }
    });
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    if let Some(path) = &args.points {
        std::fs::write(path, serde_json::to_string_pretty(&report.points)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.reliability {
        std::fs::write(path, concord_forecast::chart::reliability_svg(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => out!("{}", backtest::report_text(&report)),
    }
    Ok(if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        // Scores were printed, but not over every contest asked for.
        ExitCode::from(2)
    })
}

/// `concord backtest DIR --model ballot`: the ballot model, leave-one-contest-out on the
/// contests of DIR decided by votes.
fn ballot_backtest(
    args: &BacktestArgs,
    replays: &[Replay],
    refused: &[String],
    seed: u64,
) -> anyhow::Result<ExitCode> {
    use concord_forecast::ballot;
    if let Some(path) = &args.write_params {
        let Some(fitted) = ballot::fit(replays) else {
            bail!(
                "the ballot model cannot be fitted on {}: no contest decided by votes",
                args.dir.display()
            );
        };
        std::fs::write(path, fitted.to_toml_string())
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!(
            "wrote {}: the ballot model fitted on {} contests decided by votes (log-likelihood {:.1})",
            path.display(),
            fitted.contests.len(),
            fitted.log_likelihood
        );
    }
    let config = BacktestConfig {
        trials: 0,
        seed: args.seed.unwrap_or(seed),
        refit: true,
        ..BacktestConfig::default()
    };
    let report = ballot::backtest(replays, &config);
    if report.contests.is_empty() {
        bail!(
            "no contest in {} is decided by votes: nothing to score",
            args.dir.display()
        );
    }
    if let Some(path) = &args.points {
        std::fs::write(path, serde_json::to_string_pretty(&report.points)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    if let Some(path) = &args.reliability {
        std::fs::write(path, concord_forecast::chart::reliability_svg(&report))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    match args.format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&report)?),
        Format::Table => out!("{}", backtest::report_text(&report)),
    }
    Ok(if refused.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// A what-if's edits as the ballot model reads them (`--commit` has no meaning in a vote);
/// candidate names are resolved against the input later.
fn ballot_edits(args: &WhatifArgs) -> anyhow::Result<Vec<RawBallotEdit>> {
    let mut edits = Vec::new();
    for lift in &args.lift {
        let (member, candidate) = match lift.split_once(':') {
            Some((m, c)) => (m, Some(c.to_owned())),
            None => (lift.as_str(), None),
        };
        edits.push(RawBallotEdit::Lift(member.trim().to_uppercase(), candidate));
    }
    for w in &args.withdraw {
        edits.push(RawBallotEdit::Withdraw(w.clone()));
    }
    if !args.commit.is_empty() {
        edits.push(RawBallotEdit::Commit);
    }
    for m in &args.move_deadline {
        let Some((kind, date)) = m.split_once('=') else {
            bail!("--move '{m}': expected KIND=DATE, e.g. hard_deadline=2024-09-01");
        };
        let kind = match kind.trim() {
            "target" => MilestoneKind::Target,
            "meeting" => MilestoneKind::Meeting,
            "hard_deadline" => MilestoneKind::HardDeadline,
            "term_end" => MilestoneKind::TermEnd,
            other => bail!(
                "--move '{m}': unknown kind '{other}' (target, meeting, hard_deadline, term_end)"
            ),
        };
        let to: Date = date
            .trim()
            .parse()
            .with_context(|| format!("--move '{m}': expected a date YYYY-MM-DD"))?;
        edits.push(RawBallotEdit::Move(kind, to));
    }
    if edits.is_empty() {
        bail!("name at least one edit: --lift, --withdraw, --commit or --move");
    }
    Ok(edits)
}

#[derive(Debug, Clone)]
enum RawBallotEdit {
    Lift(String, Option<String>),
    Withdraw(String),
    Commit,
    Move(MilestoneKind, Date),
}

/// Finds a candidate of a ballot input by name or id, as [`candidate_name`] does.
fn ballot_candidate(
    input: &concord_forecast::ballot::BallotInput,
    given: &str,
) -> anyhow::Result<String> {
    find_candidate(input.candidates.iter().map(|c| c.name.as_str()), given)
}

/// The ballot model's forecast (with `edits`, a what-if beside the baseline) when it is the
/// model for this contest: `--model ballot`, or no `--model` and a contest decided by a vote.
/// `None`: model v2 answers.
async fn ballot_forecast(
    ctx: &Context,
    contest: Option<&str>,
    run: &RunArgs,
    edits: &[RawBallotEdit],
) -> anyhow::Result<Option<ExitCode>> {
    use concord_domain::rules::DecisionRule;
    use concord_forecast::ballot::{self, BallotEdit, BallotInput, BallotParams};
    if run.model.as_deref() == Some("v2") {
        return Ok(None);
    }
    if let Some(id) = contest
        && BUNDLED.iter().any(|(name, _)| *name == id)
    {
        ensure_bundled(ctx, id).await?;
    }
    let contest = ctx.contest(contest).await?;
    let as_of = run.as_of.unwrap_or_else(|| ctx.today());
    let mut state = ctx.ledger.state(&contest, as_of, View::Chair).await?;
    state.apply_adopted_procedures(ctx.now());
    let vote = !matches!(
        state.definition.rule,
        DecisionRule::Consensus | DecisionRule::Unanimity { .. }
    );
    if run.model.is_none() && (!vote || state.definition.is_package()) {
        return Ok(None);
    }
    if let Some(decision) = &state.decision {
        outln!(
            "{contest} was decided on {} ({}): nothing to forecast as of {as_of}; try an earlier --as-of",
            decision.date,
            decision.candidate
        );
        return Ok(Some(ExitCode::SUCCESS));
    }
    let params = match &run.params {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            BallotParams::from_toml_str(&text)
                .map_err(|e| anyhow::anyhow!("in {}: {e}", path.display()))?
        }
        None => BallotParams::bundled(),
    };
    let input = BallotInput::from_state(&state, as_of);
    let base = ballot::forecast(&input, &params);
    if edits.is_empty() {
        match run.format {
            Format::Json => outln!("{}", serde_json::to_string_pretty(&base)?),
            Format::Table => out!("{}", ballot_text(&contest, &base, &input, !vote)),
        }
        return Ok(Some(ExitCode::SUCCESS));
    }
    let mut edited = input.clone();
    let mut applied = Vec::new();
    for e in edits {
        let edit = match e {
            RawBallotEdit::Lift(member, candidate) => BallotEdit::Lift {
                member: member.clone(),
                candidate: candidate
                    .as_deref()
                    .map(|c| ballot_candidate(&input, c))
                    .transpose()?,
            },
            RawBallotEdit::Withdraw(c) => BallotEdit::Withdraw {
                candidate: ballot_candidate(&input, c)?,
            },
            RawBallotEdit::Commit => bail!(
                "--commit: a vote has no conditions to meet (the ballot model reads rounds); try --lift, --withdraw or --move"
            ),
            RawBallotEdit::Move(kind, to) => BallotEdit::MoveDeadline {
                kind: *kind,
                to: *to,
            },
        };
        edited = match edited.apply(&edit) {
            Ok(next) => next,
            Err(why) => {
                eprintln!("error: {why}");
                return Ok(Some(ExitCode::from(2)));
            }
        };
        applied.push(edit);
    }
    let after = ballot::forecast(&edited, &params);
    match run.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "edits": applied, "baseline": base, "whatif": after
            }))?
        ),
        Format::Table => out!("{}", ballot_whatif_text(&base, &after, &edited)),
    }
    Ok(Some(ExitCode::SUCCESS))
}

fn pct(p: f64) -> String {
    format!("{:.1} %", 100.0 * p)
}

fn ballot_text(
    contest: &str,
    f: &concord_forecast::ballot::BallotForecast,
    input: &concord_forecast::ballot::BallotInput,
    forced: bool,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Forecast of {contest} as of {} — the ballot model (exact, no simulation)",
        f.as_of
    );
    let rounds = match f.rounds_held {
        0 => "no round held yet: support is the members' stances on record".to_owned(),
        1 => "1 round held; support is the latest round's".to_owned(),
        n => format!("{n} rounds held; support is the latest round's"),
    };
    let _ = writeln!(
        out,
        "{}",
        crate::render::wrap_text_pub(
            &format!(
                "{rounds}; a winner needs {:.0} % of the members{}.",
                100.0 * f.needed_share,
                if input.veto_rule { " and no veto" } else { "" }
            ),
            0,
            80
        )
    );
    if forced {
        let _ = writeln!(
            out,
            "(this contest is decided by consensus: the ballot model was fitted on votes only)"
        );
    }
    let _ = writeln!(
        out,
        "
P(decided by …)"
    );
    for m in &f.milestones {
        let label: String = m.label.chars().take(28).collect();
        let _ = writeln!(
            out,
            "  {}  {:<28} {:<13} {:>7}",
            m.date,
            label,
            m.kind.as_str(),
            pct(m.p)
        );
    }
    for (d, p) in &f.within {
        let _ = writeln!(out, "  within {d:>3} days{:>41}", pct(*p));
    }
    let _ = writeln!(
        out,
        "  by the horizon ({}){:>32}",
        f.horizon,
        pct(f.by_horizon)
    );
    match f.median {
        Some(m) => {
            let _ = writeln!(out, "  median date: {m}");
        }
        None => {
            let _ = writeln!(out, "  median date: beyond the horizon");
        }
    }
    let _ = writeln!(
        out,
        "
Who is chosen when it is decided"
    );
    for w in &f.winners {
        let note = if w.vetoed {
            "  vetoed: a permanent member discouraged in the latest colour-coded poll"
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "  {:<30} {:>7}   latest share {:>5.1} %{note}",
            w.name,
            pct(w.p),
            100.0 * w.share
        );
    }
    let _ = writeln!(out, "  {:<30} {:>7}", "another candidate", pct(f.another));
    let _ = writeln!(
        out,
        "
Fitted on the corpus's contests decided by votes (params/ballot.toml): a forecast of
one of them is in-sample; `concord backtest cases --model ballot` scores it out of sample."
    );
    out
}

fn ballot_whatif_text(
    base: &concord_forecast::ballot::BallotForecast,
    after: &concord_forecast::ballot::BallotForecast,
    edited: &concord_forecast::ballot::BallotInput,
) -> String {
    use std::fmt::Write as _;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "What-if as of {} — the ballot model (exact): baseline → with the edits",
        base.as_of
    );
    let _ = writeln!(
        out,
        "
P(decided by …)"
    );
    for (b, a) in base.milestones.iter().zip(&after.milestones) {
        let label: String = b.label.chars().take(28).collect();
        let _ = writeln!(
            out,
            "  {}  {:<28} {:>7} → {:>7}",
            a.date,
            label,
            pct(b.p),
            pct(a.p)
        );
    }
    for ((d, b), (_, a)) in base.within.iter().zip(&after.within) {
        let _ = writeln!(out, "  within {d:>3} days{:>29} → {:>7}", pct(*b), pct(*a));
    }
    let _ = writeln!(
        out,
        "
Who is chosen when it is decided"
    );
    for w in &base.winners {
        let now = after.winners.iter().find(|x| x.name == w.name);
        let shown = now.map_or("withdrawn".to_owned(), |x| pct(x.p));
        let veto = match (w.vetoed, now.map(|x| x.vetoed)) {
            (true, Some(false)) => "  veto lifted",
            (true, Some(true)) => {
                let left = edited
                    .candidates
                    .iter()
                    .find(|c| c.name == w.name)
                    .map_or(0, |c| c.vetoes);
                if left == 1 {
                    "  still vetoed (1 red discouragement left)"
                } else {
                    "  still vetoed (red discouragements left)"
                }
            }
            _ => "",
        };
        let _ = writeln!(out, "  {:<30} {:>7} → {:>9}{veto}", w.name, pct(w.p), shown);
    }
    let _ = writeln!(
        out,
        "  {:<30} {:>7} → {:>9}",
        "another candidate",
        pct(base.another),
        pct(after.another)
    );
    out
}
