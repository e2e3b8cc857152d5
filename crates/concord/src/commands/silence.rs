//! `concord silence open|break|withdraw`: the silence procedure from the command line, through
//! the same commands and the same guard as the API and the dashboard's forms.

use std::process::ExitCode;

use concord_domain::Guard;
use concord_domain::command::{BreakSilence, OpenSilence, WithdrawSilence};
use concord_ledger::LedgerError;

use crate::commands::ledger::{at_flags, reject};
use crate::settings::Context;

#[derive(clap::Subcommand, Debug)]
pub enum SilenceCommand {
    /// Circulate a draft decision: adopted at the deadline unless a member breaks silence.
    Open(OpenArgs),
    /// Record that a member broke silence (the draft fails).
    Break(BreakArgs),
    /// Withdraw an open draft.
    Withdraw(WithdrawArgs),
}

#[derive(clap::Args, Debug)]
pub struct OpenArgs {
    /// The contest (optional when the store holds only one).
    #[arg(long)]
    pub contest: Option<String>,
    /// The candidate the draft appoints, e.g. rutte.
    #[arg(long)]
    pub candidate: String,
    /// The text circulated.
    #[arg(long)]
    pub draft: String,
    /// `2024-06-26T12:00:00+02:00[Europe/Brussels]`, RFC 3339, or `2024-06-26T12:00` read in
    /// --time-zone.
    #[arg(long)]
    pub deadline: String,
    /// An IANA zone for a deadline given without one (default UTC).
    #[arg(long)]
    pub time_zone: Option<String>,
    /// An id for the procedure (default the next free `sp-N`).
    #[arg(long)]
    pub procedure: Option<String>,
}

#[derive(clap::Args, Debug)]
pub struct BreakArgs {
    /// The procedure's id, e.g. sp-1.
    pub procedure: String,
    /// The contest (optional when the store holds only one).
    #[arg(long)]
    pub contest: Option<String>,
    /// The member breaking silence.
    #[arg(long)]
    pub member: String,
    /// Why.
    #[arg(long)]
    pub statement: String,
}

#[derive(clap::Args, Debug)]
pub struct WithdrawArgs {
    /// The procedure's id, e.g. sp-1.
    pub procedure: String,
    /// The contest (optional when the store holds only one).
    #[arg(long)]
    pub contest: Option<String>,
    /// Why the draft is withdrawn.
    #[arg(long)]
    pub reason: String,
}

pub async fn run(ctx: &Context, command: &SilenceCommand) -> anyhow::Result<ExitCode> {
    let given = match command {
        SilenceCommand::Open(a) => a.contest.as_deref(),
        SilenceCommand::Break(a) => a.contest.as_deref(),
        SilenceCommand::Withdraw(a) => a.contest.as_deref(),
    };
    let contest = ctx.contest(given).await?;
    let events = ctx.ledger.events(&contest).await?;
    let guard = Guard::of(&events).ok_or_else(|| anyhow::anyhow!("the log has no opening"))?;
    let (now, author) = (ctx.now(), ctx.author());
    let checked = match command {
        SilenceCommand::Open(a) => guard.open_silence(
            &OpenSilence {
                procedure: a.procedure.clone(),
                candidate: a.candidate.clone(),
                draft: a.draft.clone(),
                deadline: a.deadline.clone(),
                time_zone: a.time_zone.clone(),
            },
            &author,
            now,
        ),
        SilenceCommand::Break(a) => guard.break_silence(
            &a.procedure,
            &a.member,
            &BreakSilence {
                member: Some(a.member.clone()),
                statement: a.statement.clone(),
            },
            &author,
            now,
        ),
        SilenceCommand::Withdraw(a) => guard.withdraw_silence(
            &a.procedure,
            &WithdrawSilence {
                reason: a.reason.clone(),
            },
            &author,
            now,
        ),
    };
    let event = match checked {
        Ok(event) => event,
        Err(refusals) => return Ok(reject(&at_flags(&refusals))),
    };
    let what = event.kind.name();
    match ctx.ledger.append(&contest, vec![event], now).await {
        Ok(sealed) => {
            outln!("recorded event {} in {contest}: {what}", sealed[0].seq);
            Ok(ExitCode::SUCCESS)
        }
        Err(LedgerError::Refused(refusals)) => Ok(reject(&at_flags(&refusals))),
        Err(e) => Err(e.into()),
    }
}
