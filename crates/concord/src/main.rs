//! The `concord` command line: a thin layer of clap, settings and wiring over the library crates.
//!
//! Only this crate reads the environment, the wall clock and files; it turns them into
//! parameters for the domain, the ledger, the forecast and the server.

mod commands;
mod render;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Track, run and forecast the selection of a leader by consensus in a multinational organisation.
#[derive(Parser, Debug)]
#[command(name = "concord", version, about, long_about = None)]
struct Cli {
    /// The store: a SQLite file path, `sqlite://PATH`, or `postgres://…`. Default: concord.sqlite
    /// in the user's data directory.
    #[arg(long, global = true, env = "CONCORD_DATABASE", value_name = "URL")]
    database: Option<String>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load the bundled NATO 2024 scenario (if needed) and show its board on the article's date.
    Demo(commands::board::DemoArgs),
    /// Create the store (nothing else); prints where it is.
    Init,
    /// Import a scenario (.toml), a historical case (.json) or a CSV of reports into a contest.
    Import(commands::ledger::ImportArgs),
    /// Record one stance report from the command line.
    Record(commands::ledger::RecordArgs),
    /// Show the board and the verdict of a contest on a date.
    Status(commands::board::StatusArgs),
    /// Every report on one member, oldest first, with sources.
    History(commands::ledger::HistoryArgs),
    /// Recompute the hash chain of every contest (or one) and name the first bad event.
    Verify(commands::ledger::VerifyArgs),
    /// Write a contest's whole log as JSON lines.
    Export(commands::ledger::ExportArgs),
    /// List the contests in the store.
    Contests,
    /// Forecast whether, when and for whom consensus comes (model v1, Monte Carlo).
    Forecast(commands::forecast::ForecastArgs),
    /// Edit the state (lift a hold, withdraw a candidate, add a commitment, move a deadline)
    /// and show the forecast beside the baseline.
    Whatif(commands::forecast::WhatifArgs),
    /// Each member's exact voting power under the contest's rule (Banzhaf, Shapley–Shubik).
    Power(commands::power::PowerArgs),
    /// Score the forecast on historical contests (interchange format), leave-one-contest-out.
    Backtest(commands::forecast::BacktestArgs),
    /// Run KTAB's spatial model of politics on a KTAB CSV or XML scenario.
    Bargain(commands::bargain::BargainArgs),
    /// Serve the HTTP API and the dashboard (SQLite by default, or --database postgres://…).
    Serve(commands::serve::ServeArgs),
    /// Read a news article and propose the stance reports, candidacies, conditions and
    /// milestones it states (nothing is recorded); or score the reader with --score.
    Ingest(commands::ingest::IngestArgs),
    /// The proposals read from articles: list them with their evidence, accept or reject.
    Review(commands::review::ReviewArgs),
    /// The silence procedure: open a draft, record a break, withdraw it.
    #[command(subcommand)]
    Silence(commands::silence::SilenceCommand),
    /// Create, list or revoke the bearer tokens the server accepts.
    #[command(subcommand)]
    Token(commands::token::TokenCommand),
}

fn main() -> ExitCode {
    settings::init_tracing();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let database = cli.database;
    match cli.command {
        Command::Bargain(mut args) => {
            args.database = database;
            commands::bargain::run(&args)
        }
        Command::Backtest(args) => commands::forecast::backtest(&args),
        Command::Ingest(args) if args.score.is_some() => commands::ingest::score(&args),
        command => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let ctx = settings::Context::open(database.as_deref()).await?;
                match command {
                    Command::Demo(args) => commands::board::demo(&ctx, &args).await,
                    Command::Init => {
                        println!("store ready: {}", ctx.location);
                        Ok(ExitCode::SUCCESS)
                    }
                    Command::Import(args) => commands::ledger::import(&ctx, &args).await,
                    Command::Record(args) => commands::ledger::record(&ctx, &args).await,
                    Command::Status(args) => commands::board::status(&ctx, &args).await,
                    Command::History(args) => commands::ledger::history(&ctx, &args).await,
                    Command::Verify(args) => commands::ledger::verify(&ctx, &args).await,
                    Command::Export(args) => commands::ledger::export(&ctx, &args).await,
                    Command::Contests => commands::ledger::contests(&ctx).await,
                    Command::Serve(args) => commands::serve::run(&ctx, &args).await,
                    Command::Token(cmd) => commands::token::run(&ctx, &cmd).await,
                    Command::Silence(cmd) => commands::silence::run(&ctx, &cmd).await,
                    Command::Forecast(args) => commands::forecast::forecast(&ctx, &args).await,
                    Command::Whatif(args) => commands::forecast::whatif(&ctx, &args).await,
                    Command::Ingest(args) => commands::ingest::run(&ctx, &args).await,
                    Command::Review(args) => commands::review::run(&ctx, &args).await,
                    Command::Power(args) => commands::power::run(&ctx, &args).await,
                    Command::Bargain(_) | Command::Backtest(_) => {
                        unreachable!("handled before the runtime starts")
                    }
                }
            })
        }
    }
}
