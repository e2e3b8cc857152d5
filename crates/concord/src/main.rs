//! The `concord` command line: a thin layer of clap, settings and wiring over the library crates.
//!
//! Only this crate reads the environment, the wall clock and files; it turns them into
//! parameters for the domain, the ledger, the forecast and the server.
//!
//! Results go to stdout through [`out!`] and [`outln!`], which return an error instead of
//! panicking when stdout is closed, so `concord status | head` ends quietly. Errors are printed
//! for people: a store's internal message is logged (`RUST_LOG=debug`), not shown.

/// `print!` that fails with the I/O error instead of panicking (a closed pipe ends quietly).
macro_rules! out {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        ::std::write!(::std::io::stdout().lock(), $($arg)*)?
    }};
}

/// `println!` that fails with the I/O error instead of panicking (a closed pipe ends quietly).
macro_rules! outln {
    ($($arg:tt)*) => {{
        use ::std::io::Write as _;
        ::std::writeln!(::std::io::stdout().lock(), $($arg)*)?
    }};
}

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

    /// The key that signs checkpoints. Default: beside the SQLite store (`concord.sqlite.key`);
    /// a PostgreSQL deployment names it (every server instance needs the same key).
    #[arg(long, global = true, env = "CONCORD_KEY_FILE", value_name = "PATH")]
    key_file: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Load the bundled NATO 2024 scenario (if needed) and show its board on the article's date.
    Demo(commands::board::DemoArgs),
    /// Create the store and its signing key; prints where they are and the public key.
    Init,
    /// Import a scenario (.toml), a historical case (.json) or a CSV of reports into a contest.
    Import(commands::ledger::ImportArgs),
    /// Record one stance report from the command line.
    Record(commands::ledger::RecordArgs),
    /// Show the board and the verdict of a contest on a date.
    Status(commands::board::StatusArgs),
    /// Every report on one member, oldest first, with sources.
    History(commands::ledger::HistoryArgs),
    /// Check every contest (or one): hash chain, the store's record, the signed checkpoint,
    /// optionally against a checkpoint published earlier; names the first bad event.
    Verify(commands::ledger::VerifyArgs),
    /// Print the signed checkpoint that seals a contest now (to publish it).
    Checkpoint(commands::ledger::CheckpointArgs),
    /// The store's signing key.
    #[command(subcommand)]
    Key(commands::ledger::KeyCommand),
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
    std::panic::set_hook(Box::new(|info| {
        tracing::debug!(%info, "panic");
        eprintln!(
            "error: concord hit an internal error (a bug, please report it); RUST_LOG=debug shows where"
        );
    }));
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) if closed_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", for_people(&err));
            ExitCode::FAILURE
        }
    }
}

/// The reader of stdout went away (`concord status | head`): not an error.
fn closed_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// A store's own failure (a database message, a stopped writer): logged, not shown.
fn is_internal(cause: &(dyn std::error::Error + 'static)) -> bool {
    use concord_ledger::LedgerError;
    use concord_store::StoreError;
    let internal = |e: &StoreError| matches!(e, StoreError::Backend(_) | StoreError::WriterGone);
    cause.downcast_ref::<StoreError>().is_some_and(internal)
        || matches!(cause.downcast_ref::<LedgerError>(), Some(LedgerError::Store(e)) if internal(e))
}

/// The error as a person should read it: the context concord added, and in place of a store's
/// internal message a pointer to the log, where the message goes.
fn for_people(err: &anyhow::Error) -> String {
    if !err.chain().any(is_internal) {
        return format!("{err:#}");
    }
    tracing::debug!(error = %format!("{err:#}"), "store failure");
    let mut said: Vec<String> = err
        .chain()
        .take_while(|cause| !is_internal(*cause))
        .map(|cause| cause.to_string())
        .collect();
    said.push(
        "the store could not complete this (run again with RUST_LOG=debug to see the database's message)"
            .to_owned(),
    );
    said.join(": ")
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    use settings::Access;
    let store = settings::StoreSettings {
        database: cli.database,
        key_file: cli.key_file,
    };
    match cli.command {
        Command::Bargain(mut args) => {
            args.database = store.database;
            commands::bargain::run(&args)
        }
        Command::Backtest(args) => commands::forecast::backtest(&args),
        Command::Ingest(args) if args.score.is_some() => commands::ingest::score(&args),
        command => {
            let access = match &command {
                Command::Demo(_)
                | Command::Init
                | Command::Import(_)
                | Command::Serve(_)
                | Command::Token(commands::token::TokenCommand::Create { .. }) => Access::Create,
                Command::Record(_)
                | Command::Ingest(_)
                | Command::Review(_)
                | Command::Silence(_)
                | Command::Token(commands::token::TokenCommand::Revoke { .. }) => Access::Write,
                _ => Access::Read,
            };
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let ctx = settings::Context::open(&store, access).await?;
                match command {
                    Command::Demo(args) => commands::board::demo(&ctx, &args).await,
                    Command::Init => commands::ledger::init(&ctx).await,
                    Command::Import(args) => commands::ledger::import(&ctx, &args).await,
                    Command::Record(args) => commands::ledger::record(&ctx, &args).await,
                    Command::Status(args) => commands::board::status(&ctx, &args).await,
                    Command::History(args) => commands::ledger::history(&ctx, &args).await,
                    Command::Verify(args) => commands::ledger::verify(&ctx, &args).await,
                    Command::Checkpoint(args) => commands::ledger::checkpoint(&ctx, &args).await,
                    Command::Key(cmd) => commands::ledger::key(&ctx, &cmd).await,
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
