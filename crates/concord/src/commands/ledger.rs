//! Commands that read or write a contest's log: init, import, record, history, verify,
//! checkpoint, key, export.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use concord_domain::command::ReportStance;
use concord_domain::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use concord_domain::event::EventKind;
use concord_domain::{Guard, Refusals, interchange, reports_csv, scenario};
use concord_ledger::{Checkpoint, LedgerError, PublicKey, View};
use jiff::civil::Date;

use crate::settings::{BUNDLED, Context};

/// Exit code for rejected input (nothing was written).
pub const BAD_INPUT: u8 = 2;

/// Prints every diagnostic and says nothing was written.
pub fn reject(problems: &Diagnostics) -> ExitCode {
    for p in &problems.0 {
        eprintln!("error: {p}");
    }
    eprintln!(
        "{} problem{} found; nothing was written",
        problems.0.len(),
        if problems.0.len() == 1 { "" } else { "s" }
    );
    ExitCode::from(BAD_INPUT)
}

#[derive(clap::Args, Debug)]
pub struct ImportArgs {
    /// A scenario (.toml), a historical case in the interchange format (.json), a CSV of
    /// reports (.csv, needs --contest), or the name of a bundled scenario (nato-sg-2024).
    pub file: String,
    /// The contest a CSV of reports goes into.
    #[arg(long)]
    pub contest: Option<String>,
    /// Import only a scenario's definition: organisation, members, office, candidates and
    /// milestones, without its reports (stances, conditions, commitments) or outcome — a contest
    /// to be filled from articles (concord ingest).
    #[arg(long)]
    pub definition_only: bool,
    /// Import a scenario or a historical case under this contest id instead of its own (two
    /// contests with one id cannot share a store: `--as nato-sg-2024-case`).
    #[arg(long = "as", value_name = "ID")]
    pub as_id: Option<String>,
}

pub async fn import(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some(id) = &args.as_id
        && let Err((message, expected)) = concord_domain::guard::check_id("contest", id)
    {
        let at = Location::Argument {
            name: "--as".into(),
        };
        return Ok(reject(&Diagnostics(vec![
            Diagnostic::new(at, message).expected(expected),
        ])));
    }
    if let Some((id, text)) = BUNDLED.iter().find(|(id, _)| *id == args.file) {
        return import_scenario(ctx, &format!("{id}.toml"), text, args).await;
    }
    let path = PathBuf::from(&args.file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => import_scenario(ctx, &name, &text, args).await,
        Some("json") => {
            let case = match interchange::parse(&name, &text) {
                Ok(case) => case,
                Err(problems) => return Ok(reject(&problems)),
            };
            for unused in &case.unused {
                eprintln!("note: not used: {unused}");
            }
            let mut scenario = case.scenario;
            if let Some(id) = &args.as_id {
                scenario.definition.id = id.clone();
            }
            let id = scenario.definition.id.clone();
            let events = scenario.into_events(&ctx.author());
            // The same gate as every other way in, each refusal at the case event it came from.
            if let Err(refusals) = Guard::create(&events, ctx.now()) {
                return Ok(reject(&at_case_events(&name, &text, &events, &refusals)));
            }
            create(ctx, &id, events, &name).await
        }
        Some("csv") => {
            if args.as_id.is_some() {
                return Ok(reject(&Diagnostics(vec![
                    Diagnostic::new(
                        Location::Argument {
                            name: "--as".into(),
                        },
                        "a CSV of reports adds to a contest; it creates none to rename",
                    )
                    .expected("--contest ID (the contest the reports go into), without --as"),
                ])));
            }
            let Some(contest) = &args.contest else {
                bail!("a CSV of reports goes into a contest: add --contest ID");
            };
            let events = ctx.ledger.events(contest).await?;
            let guard = Guard::of(&events).context("the log has no opening event")?;
            let news = match reports_csv::parse(&name, &text, &guard, &ctx.author(), ctx.now()) {
                Ok(news) => news,
                Err(problems) => return Ok(reject(&problems)),
            };
            let known: Vec<String> = ctx
                .ledger
                .contests()
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            let unknown = unknown_csv_links(&name, &news, &known);
            if !unknown.0.is_empty() {
                return Ok(reject(&unknown));
            }
            let n = news.len();
            if n > 0 {
                match ctx.ledger.append(contest, news, ctx.now()).await {
                    Ok(_) => {}
                    Err(LedgerError::Refused(r)) => return Ok(reject(&at_rows(&name, &r))),
                    Err(e) => return Err(e.into()),
                }
            }
            outln!("imported {n} reports into {contest}");
            Ok(ExitCode::SUCCESS)
        }
        _ => bail!(
            "don't know how to import {}: expected a .toml scenario, a .json case or a .csv of reports",
            path.display()
        ),
    }
}

async fn import_scenario(
    ctx: &Context,
    name: &str,
    text: &str,
    args: &ImportArgs,
) -> anyhow::Result<ExitCode> {
    let definition_only = args.definition_only;
    let mut parsed = match scenario::parse_at(name, text, &ctx.author(), ctx.now()) {
        Ok(s) => s,
        Err(problems) => return Ok(reject(&problems)),
    };
    if let Some(id) = &args.as_id {
        parsed.definition.id = id.clone();
    }
    let id = parsed.definition.id.clone();
    // A linked contest must exist: in the store, or bundled with concord.
    let known: Vec<String> = ctx
        .ledger
        .contests()
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    // With the definition only, no stance (and so no link) is imported.
    let unknown = concord_domain::links::unknown_links(&parsed.links, &known);
    if !definition_only && !unknown.0.is_empty() {
        return Ok(reject(&unknown));
    }
    let mut events = parsed.into_events(&ctx.author());
    if definition_only {
        // Who and what the contest is about, and its dates; none of what members said.
        events.retain(|e| {
            matches!(
                e.kind,
                EventKind::ContestOpened { .. }
                    | EventKind::MemberJoined { .. }
                    | EventKind::CandidateEntered { .. }
                    | EventKind::MilestoneSet { .. }
                    | EventKind::TermExtended { .. }
            )
        });
    }
    create(ctx, &id, events, name).await
}

/// Creates a contest from checked events; a refusal at this point (the guard runs again in
/// the ledger) is reported like any other. A contest already stored under the id is left as
/// it is: when it holds exactly these events (the same file imported twice, or the bundled
/// scenario `concord demo` loaded), there is nothing to do; otherwise the import is refused
/// and says how to keep both.
async fn create(
    ctx: &Context,
    id: &str,
    events: Vec<concord_domain::NewEvent>,
    file: &str,
) -> anyhow::Result<ExitCode> {
    let n = events.len();
    let stored = match ctx.ledger.events(id).await {
        Ok(stored) => Some(stored),
        Err(LedgerError::UnknownContest(_)) => None,
        Err(e) => return Err(e.into()),
    };
    if let Some(stored) = stored {
        // The file's events, in order, begin the stored log: imported before, perhaps with
        // reports recorded since (the tour records one after `demo`).
        let holds_them = stored.len() >= events.len()
            && stored
                .iter()
                .zip(&events)
                .all(|(old, new)| old.valid == new.valid && old.kind == new.kind);
        if holds_them {
            let since = stored.len() - n;
            if since == 0 {
                outln!(
                    "contest {id} is already in the store, identical to {file} ({n} events): nothing to import"
                );
            } else {
                outln!(
                    "contest {id} is already in the store: it holds the {n} events of {file}, and {since} recorded since; nothing to import (`--as ID` imports a copy)"
                );
            }
            return Ok(ExitCode::SUCCESS);
        }
        return Ok(reject(&Diagnostics(vec![already_stored(
            id,
            file,
            stored.len(),
        )])));
    }
    match ctx.ledger.create(id, events, ctx.now()).await {
        Ok(_) => {}
        Err(LedgerError::Refused(r)) => {
            // The file's own id was checked where it was read, so a bad id here is --as's.
            let mut problems = at_flags(&r);
            for d in &mut problems.0 {
                if matches!(&d.location, Location::Argument { name } if name == "--id") {
                    d.location = Location::Argument {
                        name: "--as".into(),
                    };
                }
            }
            return Ok(reject(&problems));
        }
        Err(LedgerError::ContestExists(_)) => {
            // Another writer created it between the look and the write.
            return Ok(reject(&Diagnostics(vec![already_stored(id, file, 0)])));
        }
        Err(e) => return Err(e.into()),
    }
    outln!("imported contest {id}: {n} events");
    Ok(ExitCode::SUCCESS)
}

/// The refusal of an import whose contest id is taken by a different contest.
fn already_stored(id: &str, file: &str, events: usize) -> Diagnostic {
    let held = if events > 0 {
        format!(" ({events} events)")
    } else {
        String::new()
    };
    Diagnostic::new(
        Location::Argument {
            name: "FILE".into(),
        },
        format!("the store already holds a different contest '{id}'{held}; {file} was not imported"),
    )
    .expected(format!(
        "another id for this one: `concord import {file} --as {id}-2` (any free id), or another store (--database PATH)"
    ))
}

/// Reports of a CSV linking to contests the store does not hold, located by row.
fn unknown_csv_links(
    file: &str,
    news: &[concord_domain::NewEvent],
    known: &[String],
) -> Diagnostics {
    let links: Vec<concord_domain::scenario::LinkRef> = news
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match &e.kind {
            EventKind::StanceReported(s) => s.linked_to.as_ref().map(|l| {
                concord_domain::scenario::LinkRef {
                    contest: l.clone(),
                    // One report per row, after the header line.
                    location: Location::Text {
                        file: file.to_owned(),
                        line: i + 2,
                        column: 1,
                    },
                }
            }),
            _ => None,
        })
        .collect();
    concord_domain::links::unknown_links(&links, known)
}

/// A refusal raised while appending a CSV (a racing writer changed the contest), by row.
fn at_rows(file: &str, refusals: &Refusals) -> Diagnostics {
    Diagnostics(
        refusals
            .0
            .iter()
            .map(|r| {
                r.locate(Location::Text {
                    file: file.to_owned(),
                    line: r.event + 2,
                    column: 1,
                })
            })
            .collect(),
    )
}

/// A historical case's refusals, each at the JSON path of the case event it came from (found
/// by its date and source, which every case event carries).
fn at_case_events(
    file: &str,
    text: &str,
    events: &[concord_domain::NewEvent],
    refusals: &Refusals,
) -> Diagnostics {
    let raw: serde_json::Value = serde_json::from_str(text).unwrap_or_default();
    let raw_events = raw["events"].as_array().cloned().unwrap_or_default();
    Diagnostics(
        refusals
            .0
            .iter()
            .map(|r| {
                let path = events
                    .get(r.event)
                    .and_then(|e| {
                        let source = e.kind.report().map(|rep| rep.source.as_str())?;
                        raw_events.iter().position(|v| {
                            v["source"].as_str() == Some(source)
                                && v["date"].as_str().and_then(interchange::case_date)
                                    == Some(e.valid)
                        })
                    })
                    .map_or_else(
                        || format!("$ (event {} of the contest)", r.event + 1),
                        |i| format!("$.events[{i}]"),
                    );
                r.locate(Location::Json {
                    file: file.to_owned(),
                    path: format!("{path} ({})", r.field),
                })
            })
            .collect(),
    )
}

#[derive(clap::Args, Debug)]
pub struct RecordArgs {
    /// The contest (optional when the store holds only one).
    #[arg(long)]
    pub contest: Option<String>,
    /// The member's code, e.g. HUN.
    #[arg(long)]
    pub member: String,
    /// The candidate's id, e.g. rutte.
    #[arg(long)]
    pub candidate: String,
    /// supports, leans, conditional, undeclared, withholds or objects.
    #[arg(long)]
    pub stance: String,
    /// A URL or a citation.
    #[arg(long)]
    pub source: String,
    /// When it happened (YYYY-MM-DD); default today.
    #[arg(long)]
    pub date: Option<String>,
    /// official, on_record, anonymous or inferred.
    #[arg(long, default_value = "inferred")]
    pub attribution: String,
    /// From 0 to 1; default by attribution.
    #[arg(long)]
    pub confidence: Option<f64>,
    /// The named speaker, for on-record claims.
    #[arg(long)]
    pub speaker: Option<String>,
    /// A reason (repeatable).
    #[arg(long = "reason")]
    pub reasons: Vec<String>,
    /// A condition id the stance depends on (repeatable).
    #[arg(long = "condition")]
    pub conditions: Vec<String>,
    /// The member this one moves with.
    #[arg(long)]
    pub follows: Option<String>,
    /// Told to the chair in confidence: only the chair will see it.
    #[arg(long)]
    pub chair_only: bool,
}

pub async fn record(ctx: &Context, args: &RecordArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let events = ctx.ledger.events(&contest).await?;
    let guard = Guard::of(&events).context("the log has no opening event")?;
    // The same command the API's body and a CSV row fill, checked by the same guard.
    let command = ReportStance {
        member: args.member.clone(),
        candidate: args.candidate.clone(),
        stance: args.stance.clone(),
        source: args.source.clone(),
        date: args.date.clone(),
        attribution: Some(args.attribution.clone()),
        confidence: args.confidence,
        speaker: args.speaker.clone(),
        published: None,
        reasons: args.reasons.clone(),
        conditions: args.conditions.clone(),
        follows: args.follows.clone(),
        linked_to: None,
        visibility: Some(
            if args.chair_only {
                "chair_only"
            } else {
                "public"
            }
            .to_owned(),
        ),
    };
    let event = match guard.report_stance(&command, &ctx.author(), ctx.now()) {
        Ok(event) => event,
        Err(refusals) => return Ok(reject(&at_flags(&refusals))),
    };
    let date = event.valid;
    let stance = match &event.kind {
        EventKind::StanceReported(s) => s.stance,
        _ => unreachable!("report_stance proposes a stance"),
    };
    let sealed = match ctx.ledger.append(&contest, vec![event], ctx.now()).await {
        Ok(sealed) => sealed,
        Err(LedgerError::Refused(refusals)) => return Ok(reject(&at_flags(&refusals))),
        Err(e) => return Err(e.into()),
    };
    let event = &sealed[0];
    outln!(
        "recorded event {} in {contest}: {} {} {} on {}",
        event.seq,
        args.member,
        stance,
        args.candidate,
        date
    );
    Ok(ExitCode::SUCCESS)
}

/// A refusal's fields as the command line's flags: `conditions[1]` is `--condition`, the
/// visibility is `--chair-only`, every other field its own flag.
pub fn at_flags(refusals: &Refusals) -> Diagnostics {
    Diagnostics(
        refusals
            .0
            .iter()
            .map(|r| {
                let field = r.field.split(['[', '.']).next().unwrap_or(&r.field);
                let flag = match field {
                    "conditions" => "condition",
                    "reasons" => "reason",
                    "visibility" => "chair-only",
                    f => f,
                };
                r.locate(Location::Argument {
                    name: format!("--{}", flag.replace('_', "-")),
                })
            })
            .collect(),
    )
}

#[derive(clap::Args, Debug)]
pub struct HistoryArgs {
    /// The member's code, e.g. HUN.
    pub member: String,
    /// The contest (optional when the store holds only one).
    #[arg(long)]
    pub contest: Option<String>,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: crate::render::Format,
}

pub async fn history(ctx: &Context, args: &HistoryArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let events = ctx.ledger.visible_events(&contest, View::Chair).await?;
    let state = concord_domain::ContestState::fold(&events, Date::MAX)?;
    if state.member(&args.member).is_none() {
        let members: Vec<&str> = state.members.iter().map(|m| m.code.as_str()).collect();
        let d = Diagnostic::new(
            Location::Argument {
                name: "MEMBER".into(),
            },
            format!("unknown member '{}'", args.member),
        )
        .suggest(did_you_mean(&args.member, members));
        return Ok(reject(&Diagnostics(vec![d])));
    }
    let mut rows: Vec<&concord_domain::Event> = events
        .iter()
        .filter(|e| match &e.kind {
            EventKind::StanceReported(s) => s.member == args.member,
            EventKind::ConditionSet { member, .. } => *member == args.member,
            EventKind::CommitmentMade { meets, .. } => {
                meets.iter().any(|m| m.member == args.member)
            }
            EventKind::SilenceBroken { member, .. } => *member == args.member,
            _ => false,
        })
        .collect();
    rows.sort_by_key(|e| (e.valid, e.seq));
    crate::render::history(&state, &args.member, &rows, args.format)?;
    Ok(ExitCode::SUCCESS)
}

/// `concord init`: the store and its signing key, registered; prints where they are and the
/// public key (publish it: it is what checks every checkpoint).
pub async fn init(ctx: &Context) -> anyhow::Result<ExitCode> {
    outln!("store ready: {}", ctx.location);
    let Some(path) = &ctx.key_file else {
        outln!("no signing key: name a key file with --key-file or CONCORD_KEY_FILE to write");
        return Ok(ExitCode::SUCCESS);
    };
    let key = ctx.ledger.register_key(ctx.now()).await?;
    outln!("signing key: {} (key {})", path.display(), key.id());
    outln!("public key (`concord key export` prints it again):");
    out!("{}", key.to_text());
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// One contest; default every contest in the store.
    pub contest: Option<String>,
    /// A checkpoint published earlier (a file `concord checkpoint` wrote, or an export, whose
    /// last line carries one): the store must hold the same head at its size, or extend it.
    #[arg(long, value_name = "FILE")]
    pub checkpoint: Option<PathBuf>,
    /// Trust only checkpoints signed by this public key (`concord key export` wrote it), not
    /// the key the store itself names.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,
}

/// Reads a checkpoint from a file: a checkpoint's text, or an export whose last line is
/// `{"checkpoint": "…"}`.
fn read_checkpoint(path: &std::path::Path) -> anyhow::Result<Checkpoint> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let text = match text.lines().rev().find(|l| !l.trim().is_empty()) {
        Some(last) if last.trim_start().starts_with('{') => {
            #[derive(serde::Deserialize)]
            struct Carried {
                checkpoint: String,
            }
            serde_json::from_str::<Carried>(last)
                .with_context(|| {
                    format!(
                        "{}: the last line of an export carries {{\"checkpoint\": …}}",
                        path.display()
                    )
                })?
                .checkpoint
        }
        _ => text,
    };
    Checkpoint::parse(&text).with_context(|| format!("{} is not a checkpoint", path.display()))
}

pub async fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let earlier = args
        .checkpoint
        .as_deref()
        .map(read_checkpoint)
        .transpose()?;
    let ledger = match &args.key {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            let key = PublicKey::from_text(&text)
                .with_context(|| format!("{} is not a concord public key", path.display()))?;
            ctx.ledger.clone().pinned_to(key)
        }
        None => ctx.ledger.clone(),
    };
    let contests = match (&args.contest, &earlier) {
        (Some(c), _) => vec![c.clone()],
        (None, Some(cp)) => vec![cp.contest.clone()],
        (None, None) => ledger.contests().await?.into_iter().map(|c| c.id).collect(),
    };
    if contests.is_empty() {
        outln!("the store holds no contest");
    }
    let mut bad = false;
    for contest in contests {
        let result = match &earlier {
            Some(cp) => ledger.verify_against(&contest, cp).await?,
            None => ledger.verify(&contest).await?,
        };
        match result {
            Ok(found) => {
                let seal = match &found.checkpoint {
                    Some(cp) => format!(
                        "sealed by checkpoint of {} events signed by key {} at {}",
                        cp.size, cp.key_id, cp.time
                    ),
                    None => "written before checkpoints: the next append seals it".to_owned(),
                };
                outln!(
                    "{contest}: {} events, hash chain intact, {seal}",
                    found.events
                );
                if let Some(cp) = &earlier {
                    outln!(
                        "{contest}: extends the checkpoint given ({} events, signed {})",
                        cp.size,
                        cp.time
                    );
                }
            }
            Err(breach) => {
                bad = true;
                match breach.first_bad() {
                    Some(seq) => outln!("{contest}: BROKEN at event {seq}: {breach}"),
                    None => outln!("{contest}: BROKEN: {breach}"),
                }
            }
        }
    }
    Ok(if bad {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[derive(clap::Args, Debug)]
pub struct CheckpointArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
}

/// `concord checkpoint`: the signed checkpoint that seals a contest now, checked first.
pub async fn checkpoint(ctx: &Context, args: &CheckpointArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    match ctx.ledger.checkpoint(&contest).await? {
        Some(cp) => out!("{}", cp.to_text()),
        None => bail!(
            "{contest} was written before checkpoints and no append has sealed it yet: record or import anything into it to seal it"
        ),
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Subcommand, Debug)]
pub enum KeyCommand {
    /// Print the public key that checks this store's checkpoints (to publish it; `concord
    /// verify --key FILE` trusts it).
    Export,
}

pub async fn key(ctx: &Context, command: &KeyCommand) -> anyhow::Result<ExitCode> {
    match command {
        KeyCommand::Export => {
            let key = match ctx.ledger.store_key().await? {
                Some(key) => key,
                None => match ctx.ledger.public_key() {
                    Some(key) => key,
                    None => bail!("this store has no signing key yet: `concord init` makes one"),
                },
            };
            out!("{}", key.to_text());
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args, Debug)]
pub struct ExportArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
}

/// The log as JSON lines, then `{"checkpoint": "…"}`: the signed checkpoint that covers it (for
/// a log written before checkpoints and not yet sealed, no such line).
pub async fn export(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let events = ctx.ledger.events(&contest).await?;
    let checkpoint = ctx.ledger.checkpoint(&contest).await?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    use std::io::Write as _;
    for e in events.iter() {
        serde_json::to_writer(&mut out, e)?;
        writeln!(out)?;
    }
    if let Some(cp) = checkpoint.filter(|cp| cp.size == events.len() as u64) {
        serde_json::to_writer(&mut out, &serde_json::json!({ "checkpoint": cp.to_text() }))?;
        writeln!(out)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub async fn contests(ctx: &Context) -> anyhow::Result<ExitCode> {
    for c in ctx.ledger.contests().await? {
        outln!("{}\t{} events", c.id, c.events);
    }
    Ok(ExitCode::SUCCESS)
}
