//! `concord token create|list|revoke`: the bearer tokens `concord serve` accepts. A token is
//! printed once at creation; the store keeps only its SHA-256.

use std::process::ExitCode;

use anyhow::bail;
use concord_server::Role;

use crate::settings::Context;

#[derive(clap::Subcommand, Debug)]
pub enum TokenCommand {
    /// Create a token and print it (once: only its hash is stored).
    Create {
        /// chair, delegation:XXX (e.g. delegation:HUN), analyst or observer.
        #[arg(long)]
        role: String,
        /// A note saying whose token it is.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (ids, roles, labels; never the tokens themselves).
    List,
    /// Revoke a token by id: it stops working at once on this store (within seconds on a
    /// running server, which trusts a looked-up token briefly).
    Revoke { id: i64 },
}

pub async fn run(ctx: &Context, command: &TokenCommand) -> anyhow::Result<ExitCode> {
    let store = ctx.ledger.store();
    match command {
        TokenCommand::Create { role, label } => {
            let role = match Role::parse(role) {
                Ok(r) => r,
                Err(e) => bail!("--role: {e}"),
            };
            let (token, hash) = concord_server::auth::new_token();
            let record = store
                .create_token(&hash, &role.to_string(), label, &ctx.now().to_string())
                .await?;
            eprintln!(
                "created token {} for {role}{}; it is shown once, keep it now:",
                record.id,
                if label.is_empty() {
                    String::new()
                } else {
                    format!(" ({label})")
                }
            );
            outln!("{token}");
        }
        TokenCommand::List => {
            for t in store.list_tokens().await? {
                let state = match &t.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_owned(),
                };
                outln!(
                    "{}\t{}\t{}\tcreated {}\t{state}",
                    t.id,
                    t.role,
                    t.label,
                    t.created_at
                );
            }
        }
        TokenCommand::Revoke { id } => {
            if store.revoke_token(*id, &ctx.now().to_string()).await? {
                outln!("revoked token {id}");
            } else {
                bail!("no active token {id}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
