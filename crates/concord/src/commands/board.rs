//! `concord demo` and `concord status`: the board and the verdict of a contest on a date.

use std::process::ExitCode;

use anyhow::Context as _;
use concord_domain::StatusView;
use concord_domain::chain::content_hash;
use concord_ledger::{LedgerError, View};
use jiff::civil::Date;

use crate::render::{self, Format};
use crate::settings::{BUNDLED, Context};

/// The contest `concord demo` shows.
pub const DEMO_CONTEST: &str = "nato-sg-2024";

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// The bundled scenario: nato-sg-2024 (the default) or unsg-2016 (the UN straw polls).
    pub scenario: Option<String>,
    /// Show the board on another date than the article's.
    #[arg(long)]
    pub as_of: Option<Date>,
    /// Show the board on the day of this round (straw poll, consultation or ballot).
    #[arg(long, conflicts_with = "as_of")]
    pub round: Option<u32>,
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

/// The events of a bundled scenario, as `demo` loads them.
fn bundled_events(id: &str) -> anyhow::Result<Vec<concord_domain::NewEvent>> {
    let (_, text) = BUNDLED
        .iter()
        .find(|(name, _)| *name == id)
        .with_context(|| format!("no bundled scenario '{id}'"))?;
    let scenario = concord_domain::scenario::parse(&format!("{id}.toml"), text, "bundled")
        .map_err(|d| anyhow::anyhow!("the bundled scenario is invalid:\n{d}"))?;
    Ok(scenario.into_events("bundled"))
}

/// Loads a bundled scenario into the store unless it is already there.
pub async fn ensure_bundled(ctx: &Context, id: &str) -> anyhow::Result<()> {
    match ctx.ledger.events(id).await {
        Ok(_) => return Ok(()),
        Err(LedgerError::UnknownContest(_)) => {}
        Err(e) => return Err(e.into()),
    }
    let events = bundled_events(id)?;
    match ctx.ledger.create(id, events, ctx.now()).await {
        Ok(_) | Err(LedgerError::ContestExists(_)) => Ok(()),
        Err(e) => Err(e.into()),
    }
}

pub async fn demo(ctx: &Context, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let contest = args.scenario.as_deref().unwrap_or(DEMO_CONTEST);
    if !BUNDLED.iter().any(|(id, _)| *id == contest) {
        let names: Vec<&str> = BUNDLED.iter().map(|(id, _)| *id).collect();
        eprintln!(
            "error: no bundled scenario '{contest}' (expected one of: {}){}",
            names.join(", "),
            concord_domain::diagnostic::did_you_mean(contest, names.iter().copied())
                .map(|s| format!(" — did you mean '{s}'?"))
                .unwrap_or_default()
        );
        return Ok(ExitCode::from(crate::commands::ledger::BAD_INPUT));
    }
    ensure_bundled(ctx, contest).await?;
    let events = ctx.ledger.events(contest).await?;
    // The store may hold another contest under the bundled id (a historical case imported as
    // `nato-sg-2024`): showing it as the demo would mislead, so say so and what to do.
    let bundled = bundled_events(contest)?;
    let ours = content_hash(bundled[0].valid, &bundled[0].kind);
    let theirs = content_hash(events[0].valid, &events[0].kind);
    if ours != theirs {
        eprintln!(
            "error: the store's contest '{contest}' is not the bundled scenario: its first event hashes to {}…, the bundled scenario's to {}… (another contest was imported under this id{})",
            &theirs[..12],
            &ours[..12],
            if events[0].author == "bundled" {
                ", or an earlier version of concord loaded its own"
            } else {
                ""
            }
        );
        eprintln!(
            "  to see the demo, use another store: `concord --database demo.sqlite demo` (or set CONCORD_DATABASE)"
        );
        eprintln!(
            "  to keep both in one store, start a fresh one, run `concord demo` first, then import the other contest under another id: `concord import FILE --as {contest}-case`"
        );
        eprintln!(
            "  nothing was written; `concord status {contest}` still shows what the store holds"
        );
        return Ok(ExitCode::from(crate::commands::ledger::BAD_INPUT));
    }
    let featured = match &events[0].kind {
        concord_domain::EventKind::ContestOpened { contest } => contest.featured_date,
        _ => None,
    };
    let as_of = match args.round {
        Some(round) => {
            let last = ctx
                .ledger
                .state(contest, jiff::civil::Date::MAX, View::Chair)
                .await?;
            let dates = round_dates(&last);
            match dates.iter().find(|(r, _)| *r == round) {
                Some((_, date)) => *date,
                None => {
                    let known: Vec<String> = dates.iter().map(|(r, _)| r.to_string()).collect();
                    eprintln!(
                        "error: argument --round: {contest} has no round {round} (rounds: {})",
                        if known.is_empty() {
                            "none".to_owned()
                        } else {
                            known.join(", ")
                        }
                    );
                    return Ok(ExitCode::from(crate::commands::ledger::BAD_INPUT));
                }
            }
        }
        None => args.as_of.or(featured).unwrap_or_else(|| ctx.today()),
    };
    show(ctx, contest, as_of, args.format).await?;
    if args.format == Format::Table {
        outln!();
        if contest == DEMO_CONTEST {
            crate::commands::forecast::demo_forecast(ctx, DEMO_CONTEST, as_of).await?;
            outln!();
            outln!("Store: {}", ctx.location);
            outln!("Replay any day: `concord status {DEMO_CONTEST} --as-of 2024-02-15`");
            outln!("(before Iohannis entered) or `--as-of 2024-06-26` (the appointment).");
        } else {
            let last = ctx
                .ledger
                .state(contest, jiff::civil::Date::MAX, View::Chair)
                .await?;
            let rounds: Vec<String> = round_dates(&last)
                .iter()
                .map(|(r, d)| format!("{r} ({d})"))
                .collect();
            outln!("Store: {}", ctx.location);
            if !rounds.is_empty() {
                outln!("Replay round by round: `concord demo {contest} --round N`, N one of");
                outln!(
                    "{}",
                    crate::render::wrap_text_pub(&rounds.join(", "), 2, 80)
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Each round's number and date (straw polls, consultations, ballots), in date order.
fn round_dates(state: &concord_domain::ContestState) -> Vec<(u32, Date)> {
    let mut out: Vec<(u32, Date)> = state
        .straw_polls
        .iter()
        .map(|p| (p.round, p.date))
        .chain(state.consultations.iter().map(|c| (c.round, c.date)))
        .chain(state.ballots.iter().map(|b| (b.round, b.date)))
        .collect();
    out.sort_by_key(|(r, d)| (*d, *r));
    out.dedup_by_key(|(r, _)| *r);
    out
}

pub async fn status(ctx: &Context, args: &StatusArgs) -> anyhow::Result<ExitCode> {
    let contest = ctx.contest(args.contest.as_deref()).await?;
    let as_of = args.as_of.unwrap_or_else(|| ctx.today());
    show(ctx, &contest, as_of, args.format).await?;
    Ok(ExitCode::SUCCESS)
}

/// The other contests of the store folded on `as_of`, for the links both ways (at most
/// [`concord_domain::links::MAX_LINKED_CONTESTS`]).
pub async fn other_contests(
    ctx: &Context,
    contest: &str,
    as_of: Date,
) -> anyhow::Result<Vec<concord_domain::ContestState>> {
    let mut out = Vec::new();
    for c in ctx
        .ledger
        .contests()
        .await?
        .iter()
        .filter(|c| c.id != contest)
        .take(concord_domain::links::MAX_LINKED_CONTESTS)
    {
        // A contest that had not opened by `as_of` has nothing to show yet.
        if let Ok(state) = ctx.ledger.state(&c.id, as_of, View::Chair).await {
            out.push(state);
        }
    }
    Ok(out)
}

async fn show(ctx: &Context, contest: &str, as_of: Date, format: Format) -> anyhow::Result<()> {
    // The CLI user holds the store file itself, so sees everything, as the chair does.
    let mut state = ctx.ledger.state(contest, as_of, View::Chair).await?;
    // A silence procedure adopted at its deadline decides the contest, as the server says too.
    state.apply_adopted_procedures(ctx.now());
    let others = other_contests(ctx, contest, as_of).await?;
    let view = StatusView::build(&state)?.with_links(&state, &others);
    match format {
        Format::Json => outln!("{}", serde_json::to_string_pretty(&view)?),
        Format::Table => out!("{}", render::status_table(&view, &state)),
    }
    Ok(())
}
