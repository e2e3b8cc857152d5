//! `concord review`: the queue of proposals read from articles — list them with their evidence,
//! accept (optionally edited), or reject, one by one or all at once.

use std::process::ExitCode;

use anyhow::bail;
use concord_domain::model::{Attribution, Stance};
use concord_ingest::review::Edit;
use concord_ledger::LedgerError;
use concord_ledger::review::{self, QueueItem, ReviewError};
use concord_store::ProposalStatus;

use super::ingest::{Format, print_item, queue_json};
use super::ledger::BAD_INPUT;
use crate::settings::Context;

#[derive(clap::Args, Debug)]
pub struct ReviewArgs {
    /// The contest (optional when the store holds only one).
    #[arg(long, global = true)]
    pub contest: Option<String>,
    /// List decided proposals too (accepted and rejected).
    #[arg(long)]
    pub decided: bool,
    #[arg(long, value_enum, default_value = "table", global = true)]
    pub format: Format,
    #[command(subcommand)]
    pub action: Option<ReviewAction>,
}

#[derive(clap::Subcommand, Debug)]
pub enum ReviewAction {
    /// Accept proposals: their events are recorded with the article as their source.
    Accept(DecideArgs),
    /// Reject proposals: the same article will not propose them again.
    Reject(DecideArgs),
}

#[derive(clap::Args, Debug)]
pub struct DecideArgs {
    /// Proposal ids (as `concord review` lists them).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub ids: Vec<i64>,
    /// Every pending proposal of the contest.
    #[arg(long)]
    pub all: bool,
    /// Edit before accepting (one stance proposal): the stance.
    #[arg(long)]
    pub stance: Option<String>,
    /// Edit before accepting: official, on_record, anonymous or inferred.
    #[arg(long)]
    pub attribution: Option<String>,
    /// Edit before accepting: the speaker ("Name, role").
    #[arg(long)]
    pub speaker: Option<String>,
    /// Edit before accepting: the conditions of a conditional stance (repeatable).
    #[arg(long = "condition")]
    pub conditions: Vec<String>,
}

impl DecideArgs {
    fn edit(&self) -> anyhow::Result<Edit> {
        let stance = match &self.stance {
            Some(s) => Some(Stance::parse(s).ok_or_else(|| {
                anyhow::anyhow!(
                    "argument --stance: unknown stance '{s}' (expected one of supports, leans, conditional, undeclared, withholds, objects)"
                )
            })?),
            None => None,
        };
        let attribution = match &self.attribution {
            Some(a) => Some(Attribution::parse(a).ok_or_else(|| {
                anyhow::anyhow!(
                    "argument --attribution: unknown attribution '{a}' (expected official, on_record, anonymous or inferred)"
                )
            })?),
            None => None,
        };
        Ok(Edit {
            stance,
            attribution,
            speaker: self.speaker.clone(),
            conditions: (!self.conditions.is_empty()).then(|| self.conditions.clone()),
        })
    }
}

pub async fn run(ctx: &Context, args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    match &args.action {
        None => list(ctx, &contest, args).await,
        Some(ReviewAction::Accept(d)) => decide(ctx, &contest, d, true, args.format).await,
        Some(ReviewAction::Reject(d)) => decide(ctx, &contest, d, false, args.format).await,
    }
}

async fn list(ctx: &Context, contest: &str, args: &ReviewArgs) -> anyhow::Result<ExitCode> {
    let status = (!args.decided).then_some(ProposalStatus::Pending);
    let items = review::list(&ctx.ledger, contest, status).await?;
    match args.format {
        Format::Json => {
            let out: Vec<serde_json::Value> = items.iter().map(queue_json).collect();
            outln!("{}", serde_json::to_string_pretty(&out)?);
        }
        Format::Table => {
            if items.is_empty() {
                outln!(
                    "no {}proposals for {contest}: read an article with concord ingest FILE --contest {contest}",
                    if args.decided { "" } else { "pending " }
                );
            }
            for item in &items {
                print_item(item)?;
            }
            if !items.is_empty() {
                outln!(
                    "\n{} proposal{}: concord review accept ID… | --all, concord review reject ID… | --all",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" }
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn decide(
    ctx: &Context,
    contest: &str,
    d: &DecideArgs,
    accepting: bool,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let edit = d.edit()?;
    if !edit.is_empty() && (d.all || d.ids.len() != 1) {
        bail!(
            "edits (--stance, --attribution, --speaker, --condition) apply to one proposal: give one id"
        );
    }
    if !edit.is_empty() && !accepting {
        bail!(
            "a rejected proposal is not edited: drop --stance, --attribution, --speaker and --condition"
        );
    }
    let ids: Vec<i64> = if d.all {
        review::pending_in_accepting_order(&ctx.ledger, contest)
            .await?
            .into_iter()
            .map(|i| i.record.id)
            .collect()
    } else {
        d.ids.clone()
    };
    if ids.is_empty() {
        outln!("no pending proposals for {contest}");
        return Ok(ExitCode::SUCCESS);
    }
    let mut decided: Vec<QueueItem> = Vec::new();
    let mut failures = 0;
    for id in ids {
        let result = if accepting {
            review::accept(&ctx.ledger, contest, id, &edit, ctx.now(), &ctx.author())
                .await
                .map(|(item, events)| (item, events.len()))
        } else {
            review::reject(&ctx.ledger, contest, id, ctx.now(), &ctx.author())
                .await
                .map(|item| (item, 0))
        };
        match result {
            Ok((item, events)) => {
                if format == Format::Table {
                    if accepting {
                        outln!(
                            "accepted #{id}: {} ({events} event{} recorded)",
                            item.pending.proposal.summary(),
                            if events == 1 { "" } else { "s" }
                        );
                    } else {
                        outln!("rejected #{id}: {}", item.pending.proposal.summary());
                    }
                }
                decided.push(item);
            }
            Err(
                e @ (ReviewError::UnknownProposal { .. }
                | ReviewError::AlreadyDecided { .. }
                | ReviewError::Edit { .. }),
            ) => {
                eprintln!("error: {e}");
                failures += 1;
            }
            // A write the ledger (the domain's checks) refused: nothing written, still pending.
            Err(ReviewError::Ledger(e @ LedgerError::Store(_))) => return Err(e.into()),
            Err(ReviewError::Ledger(e)) => {
                eprintln!("error: proposal #{id}: {e}; nothing was written, it stays pending");
                failures += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    if format == Format::Json {
        let out: Vec<serde_json::Value> = decided.iter().map(queue_json).collect();
        outln!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(if failures > 0 {
        ExitCode::from(BAD_INPUT)
    } else {
        ExitCode::SUCCESS
    })
}
