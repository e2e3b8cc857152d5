//! `concord serve`: the HTTP API and the dashboard over the chosen store, until ctrl-c or
//! SIGTERM, after which requests in flight are finished.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use concord_server::{AppState, ServerSettings, SystemClock};

use crate::commands::board::{DEMO_CONTEST, ensure_bundled};
use crate::settings::Context;

#[derive(clap::Args, Debug)]
pub struct ServeArgs {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8080", env = "CONCORD_BIND")]
    pub bind: SocketAddr,
    /// Load the bundled NATO 2024 scenario if missing, and let anyone read public data.
    #[arg(long)]
    pub demo: bool,
    /// Let anonymous visitors read public data (never `chair_only` stances).
    #[arg(long)]
    pub public_read: bool,
}

pub async fn run(ctx: &Context, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    if args.demo {
        ensure_bundled(ctx, DEMO_CONTEST).await?;
    }
    let settings = ServerSettings {
        public_read: args.public_read || args.demo,
        ..ServerSettings::default()
    };
    let state = AppState::new(ctx.ledger.clone(), Arc::new(SystemClock), settings);
    let listener = tokio::net::TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    eprintln!(
        "concord serving {} on http://{addr}/ (API at /api, OpenAPI at /api/openapi.json)",
        ctx.location
    );
    match ctx.ledger.public_key() {
        Some(key) => eprintln!(
            "appends are sealed by checkpoints signed with key {}",
            key.id()
        ),
        None => eprintln!(
            "no signing key: this server will refuse every write (set CONCORD_KEY_FILE to the store's key file)"
        ),
    }
    if args.public_read || args.demo {
        eprintln!("anonymous visitors may read public data");
    } else {
        eprintln!("every request needs a token: `concord token create --role observer`");
    }
    concord_server::serve(listener, state, shutdown_signal()).await?;
    eprintln!("concord stopped");
    Ok(ExitCode::SUCCESS)
}

/// Completes on ctrl-c or, on Unix, SIGTERM (what a service manager sends).
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
