//! Commands that read or write a contest's log: import, record, history, verify, export.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use concord_domain::diagnostic::{Diagnostic, Diagnostics, Location, did_you_mean};
use concord_domain::event::{EventKind, NewEvent, StanceReport};
use concord_domain::model::{Attribution, Report, Stance, Visibility};
use concord_domain::{interchange, reports_csv, scenario};
use concord_ledger::View;
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
}

pub async fn import(ctx: &Context, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    if let Some((id, text)) = BUNDLED.iter().find(|(id, _)| *id == args.file) {
        return import_scenario(ctx, &format!("{id}.toml"), text, args.definition_only).await;
    }
    let path = PathBuf::from(&args.file);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let name = path.display().to_string();
    match path.extension().and_then(|e| e.to_str()) {
        Some("toml") => import_scenario(ctx, &name, &text, args.definition_only).await,
        Some("json") => {
            let case = match interchange::parse(&name, &text) {
                Ok(case) => case,
                Err(problems) => return Ok(reject(&problems)),
            };
            for unused in &case.unused {
                eprintln!("note: not used: {unused}");
            }
            let id = case.scenario.definition.id.clone();
            let events = case.scenario.into_events(&ctx.author());
            let n = events.len();
            ctx.ledger.create(&id, events, ctx.now()).await?;
            println!("imported contest {id}: {n} events");
            Ok(ExitCode::SUCCESS)
        }
        Some("csv") => {
            let Some(contest) = &args.contest else {
                bail!("a CSV of reports goes into a contest: add --contest ID");
            };
            let events = ctx.ledger.events(contest).await?;
            // Everything ever known: members and candidates are checked against dates per row.
            let state = concord_domain::ContestState::fold(&events, Date::MAX)?;
            let news = match reports_csv::parse(&name, &text, &state, &ctx.author()) {
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
            ctx.ledger.append(contest, news, ctx.now()).await?;
            println!("imported {n} reports into {contest}");
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
    definition_only: bool,
) -> anyhow::Result<ExitCode> {
    let parsed = match scenario::parse(name, text, &ctx.author()) {
        Ok(s) => s,
        Err(problems) => return Ok(reject(&problems)),
    };
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
    let n = events.len();
    ctx.ledger.create(&id, events, ctx.now()).await?;
    println!("imported contest {id}: {n} events");
    Ok(ExitCode::SUCCESS)
}

/// Reports of a CSV linking to contests the store does not hold, located by row.
fn unknown_csv_links(file: &str, news: &[NewEvent], known: &[String]) -> Diagnostics {
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
    let today = ctx.today();
    let arg = |name: &str| Location::Argument {
        name: format!("--{name}"),
    };
    let mut problems = Diagnostics::default();
    let date = match &args.date {
        None => Some(today),
        Some(d) => match d.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                problems.push(
                    Diagnostic::new(arg("date"), format!("'{d}' is not a date"))
                        .expected("YYYY-MM-DD"),
                );
                None
            }
        },
    };
    // Everything ever known: membership is then checked at the report's date.
    let state = concord_domain::ContestState::fold(&events, Date::MAX)?;
    let members: Vec<&str> = state.members.iter().map(|m| m.code.as_str()).collect();
    match state.member(&args.member) {
        None => problems.push(
            Diagnostic::new(arg("member"), format!("unknown member '{}'", args.member))
                .expected(format!("a member of {contest}"))
                .suggest(did_you_mean(&args.member, members.iter().copied())),
        ),
        Some(m) => {
            if let Some(d) = date
                && !m.is_member_on(d)
            {
                problems.push(Diagnostic::new(
                    arg("member"),
                    format!("{} was not a member on {d} (joined {})", m.code, m.joined),
                ));
            }
        }
    }
    if state.candidate(&args.candidate).is_none() {
        let known: Vec<&str> = state
            .candidates
            .iter()
            .map(|c| c.profile.id.as_str())
            .collect();
        problems.push(
            Diagnostic::new(
                arg("candidate"),
                format!("unknown candidate '{}'", args.candidate),
            )
            .expected(format!("a candidate of {contest}: {}", known.join(", ")))
            .suggest(did_you_mean(&args.candidate, known.iter().copied())),
        );
    }
    let stance = Stance::parse(&args.stance);
    if stance.is_none() {
        problems.push(
            Diagnostic::new(arg("stance"), format!("unknown stance '{}'", args.stance))
                .expected("supports, leans, conditional, undeclared, withholds or objects")
                .suggest(did_you_mean(&args.stance, Stance::ALL.map(Stance::as_str))),
        );
    }
    let attribution = Attribution::parse(&args.attribution);
    if attribution.is_none() {
        problems.push(
            Diagnostic::new(
                arg("attribution"),
                format!("unknown attribution '{}'", args.attribution),
            )
            .expected("official, on_record, anonymous or inferred")
            .suggest(did_you_mean(
                &args.attribution,
                Attribution::ALL.map(Attribution::as_str),
            )),
        );
    }
    if args.source.trim().is_empty() {
        problems
            .push(Diagnostic::new(arg("source"), "empty source").expected("a URL or a citation"));
    }
    if let Some(c) = args.confidence
        && !(0.0..=1.0).contains(&c)
    {
        problems.push(
            Diagnostic::new(arg("confidence"), format!("{c} is out of range"))
                .expected("a number from 0 to 1"),
        );
    }
    if let Some(f) = &args.follows
        && state.member(f).is_none()
    {
        problems.push(
            Diagnostic::new(arg("follows"), format!("unknown member '{f}'"))
                .suggest(did_you_mean(f, members.iter().copied())),
        );
    }
    for c in &args.conditions {
        if !state
            .conditions
            .iter()
            .any(|k| k.member == args.member && k.id == *c)
        {
            problems.push(Diagnostic::new(
                arg("condition"),
                format!("{} has set no condition '{c}'", args.member),
            ));
        }
    }
    let (Some(date), Some(stance), Some(attribution)) = (date, stance, attribution) else {
        return Ok(reject(&problems));
    };
    if !problems.is_empty() {
        return Ok(reject(&problems));
    }
    let news = vec![NewEvent {
        valid: date,
        author: ctx.author(),
        kind: EventKind::StanceReported(StanceReport {
            member: args.member.clone(),
            candidate: args.candidate.clone(),
            stance,
            reasons: args.reasons.clone(),
            conditions: args.conditions.clone(),
            follows: args.follows.clone(),
            linked_to: None,
            visibility: if args.chair_only {
                Visibility::ChairOnly
            } else {
                Visibility::Public
            },
            report: Report {
                source: args.source.clone(),
                attribution,
                confidence: args
                    .confidence
                    .unwrap_or_else(|| scenario::default_confidence(attribution)),
                speaker: args.speaker.clone(),
                published: None,
            },
        }),
    }];
    let sealed = ctx.ledger.append(&contest, news, ctx.now()).await?;
    let event = &sealed[0];
    println!(
        "recorded event {} in {contest}: {} {} {} on {}",
        event.seq, args.member, stance, args.candidate, date
    );
    Ok(ExitCode::SUCCESS)
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

#[derive(clap::Args, Debug)]
pub struct VerifyArgs {
    /// One contest; default every contest in the store.
    pub contest: Option<String>,
}

pub async fn verify(ctx: &Context, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let contests = match &args.contest {
        Some(c) => vec![c.clone()],
        None => ctx
            .ledger
            .contests()
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect(),
    };
    let mut bad = false;
    for contest in contests {
        match ctx.ledger.verify(&contest).await? {
            Ok(n) => println!("{contest}: {n} events, hash chain intact"),
            Err(e) => {
                bad = true;
                println!("{contest}: BROKEN at event {}: {e}", e.seq());
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
pub struct ExportArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
}

pub async fn export(ctx: &Context, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let events = ctx.ledger.events(&contest).await?;
    let mut out = std::io::stdout().lock();
    for e in events.iter() {
        serde_json::to_writer(&mut out, e)?;
        use std::io::Write as _;
        writeln!(out)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn contests(ctx: &Context) -> anyhow::Result<ExitCode> {
    for c in ctx.ledger.contests().await? {
        println!("{}\t{} events", c.id, c.events);
    }
    Ok(ExitCode::SUCCESS)
}
