//! `concord demo` and `concord status`: the board and the verdict of a contest on a date.

use std::process::ExitCode;

use anyhow::Context as _;
use concord_domain::StatusView;
use concord_ledger::{LedgerError, View};
use jiff::civil::Date;

use crate::render::{self, Format};
use crate::settings::{BUNDLED, Context};

/// The contest `concord demo` shows.
pub const DEMO_CONTEST: &str = "nato-sg-2024";

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Show the board on another date than the article's.
    #[arg(long)]
    pub as_of: Option<Date>,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

#[derive(clap::Args, Debug)]
pub struct StatusArgs {
    /// The contest (optional when the store holds only one).
    pub contest: Option<String>,
    /// Replay only what was known on this date (default: today).
    #[arg(long)]
    pub as_of: Option<Date>,
    /// table or json.
    #[arg(long, default_value = "table")]
    pub format: Format,
}

/// Loads a bundled scenario into the store unless it is already there.
pub async fn ensure_bundled(ctx: &Context, id: &str) -> anyhow::Result<()> {
    match ctx.ledger.events(id).await {
        Ok(_) => return Ok(()),
        Err(LedgerError::UnknownContest(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let (_, text) = BUNDLED
        .iter()
        .find(|(name, _)| *name == id)
        .with_context(|| format!("no bundled scenario '{id}'"))?;
    let scenario = concord_domain::scenario::parse(&format!("{id}.toml"), text, "bundled")
        .map_err(|d| anyhow::anyhow!("the bundled scenario is invalid:\n{d}"))?;
    let events = scenario.into_events("bundled");
    match ctx.ledger.create(id, events, ctx.now()).await {
        Ok(_) | Err(LedgerError::ContestExists(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn demo(ctx: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    ensure_bundled(ctx, DEMO_CONTEST).await?;
    let events = ctx.ledger.events(DEMO_CONTEST).await?;
    let featured = match &events[0].kind {
        concord_domain::EventKind::ContestOpened { contest } => contest.featured_date,
        _ => None,
    };
    let as_of = args.as_of.or(featured).unwrap_or_else(|| ctx.today());
    show(ctx, DEMO_CONTEST, as_of, args.format).await?;
    if args.format == Format::Table {
        println!();
        crate::commands::forecast::demo_forecast(ctx, DEMO_CONTEST, as_of).await?;
        println!();
        println!("Store: {}", ctx.location);
        println!("Replay any day: `concord status {DEMO_CONTEST} --as-of 2024-02-15`");
        println!("(before Iohannis entered) or `--as-of 2024-06-26` (the appointment).");
    }
    Ok(ExitCode::SUCCESS)
}

pub async fn status(ctx: &Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let as_of = args.as_of.unwrap_or_else(|| ctx.today());
    show(ctx, &contest, as_of, args.format).await?;
    Ok(ExitCode::SUCCESS)
}

async fn show(ctx: &Context, contest: &str, as_of: Date, format: Format) -> anyhow::Result<()> {
    // The CLI user holds the store file itself, so sees everything, as the chair does.
    let state = ctx.ledger.state(contest, as_of, View::Chair).await?;
    let view = StatusView::build(&state)?;
    match format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&view)?),
        Format::Table => print!("{}", render::status_table(&view, &state)),
    }
    Ok(())
}
