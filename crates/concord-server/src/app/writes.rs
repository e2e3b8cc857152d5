//! What a write may do, for both faces: who may make it, what is valid (the domain's
//! [`concord_domain::Guard`], the same gate the CLI and the ledger use) and what is appended.
//! The JSON API and the dashboard only read a request into a command and render the answer;
//! a refusal carries the command's field names, which each face turns into its own location.

use concord_domain::command::{
    BreakSilence, MakeCommitment, OpenSilence, ReportStance, SetCondition, WithdrawSilence,
};
use concord_domain::diagnostic::Diagnostics;
use concord_domain::event::{Event, EventKind, NewEvent};
use concord_domain::model::Visibility;
use concord_domain::{reports_csv, scenario};
use concord_ledger::LedgerError;

use crate::{ApiError, AppState, Principal, Role};

/// Why a write was not made.
#[derive(Debug)]
pub enum WriteError {
    /// The domain refused the command: every problem at a field of the command.
    Refused(concord_domain::Refusals),
    /// An imported file's problems, each at its line and column.
    Located(Diagnostics),
    /// Anything else: not allowed, not found, a conflict, unavailable, internal.
    Other(ApiError),
}

impl From<ApiError> for WriteError {
    fn from(e: ApiError) -> Self {
        WriteError::Other(e)
    }
}

impl From<LedgerError> for WriteError {
    fn from(e: LedgerError) -> Self {
        match e {
            LedgerError::Refused(r) => WriteError::Refused(r),
            other => WriteError::Other(other.into()),
        }
    }
}

/// May this principal record something on behalf of `member`?
fn may_speak_for(who: &Principal, member: &str, what: &str) -> Result<(), ApiError> {
    match &who.role {
        Role::Delegation(own) if own != member.trim() => Err(ApiError::Forbidden(format!(
            "the delegation of {own} may {what} for {own} only, not for '{}'",
            member.chars().take(40).collect::<String>()
        ))),
        _ => Ok(()),
    }
}

impl AppState {
    /// Appends checked events; durable when this returns.
    async fn append(&self, id: &str, news: Vec<NewEvent>) -> Result<Vec<Event>, WriteError> {
        let sealed = self.ledger.append(id, news, self.now()).await?;
        if let Some(last) = sealed.last() {
            self.note_head(id, last.seq);
        }
        Ok(sealed)
    }

    /// A stance report: chair (any member, any visibility), a delegation (its own member), an
    /// analyst (public sources only).
    pub async fn report_stance(
        &self,
        who: &Principal,
        id: &str,
        command: &ReportStance,
    ) -> Result<Vec<Event>, WriteError> {
        who.require(&["chair", "delegation", "analyst"], "record reports")?;
        may_speak_for(who, &command.member, "report")?;
        if who.role == Role::Analyst && command.visibility.as_deref() == Some("chair_only") {
            return Err(ApiError::Forbidden(
                "an analyst records reports from public sources only, not chair_only".to_owned(),
            )
            .into());
        }
        let event = self
            .guard(id)
            .await?
            .report_stance(command, &who.author(), self.now())
            .map_err(WriteError::Refused)?;
        self.append(id, vec![event]).await
    }

    /// A condition: chair, analyst, or a delegation for its own member.
    pub async fn set_condition(
        &self,
        who: &Principal,
        id: &str,
        command: &SetCondition,
    ) -> Result<Vec<Event>, WriteError> {
        who.require(&["chair", "delegation", "analyst"], "record conditions")?;
        may_speak_for(who, &command.member, "set conditions")?;
        let event = self
            .guard(id)
            .await?
            .set_condition(command, &who.author(), self.now())
            .map_err(WriteError::Refused)?;
        self.append(id, vec![event]).await
    }

    /// A commitment: chair or analyst (a candidate's public promise).
    pub async fn make_commitment(
        &self,
        who: &Principal,
        id: &str,
        command: &MakeCommitment,
    ) -> Result<Vec<Event>, WriteError> {
        who.require(&["chair", "analyst"], "record commitments")?;
        let event = self
            .guard(id)
            .await?
            .make_commitment(command, &who.author(), self.now())
            .map_err(WriteError::Refused)?;
        self.append(id, vec![event]).await
    }

    /// The chair opens a silence procedure; returns the procedure's id.
    pub async fn open_silence(
        &self,
        who: &Principal,
        id: &str,
        command: &OpenSilence,
    ) -> Result<String, WriteError> {
        who.require(&["chair"], "open a silence procedure")?;
        let event = self
            .guard(id)
            .await?
            .open_silence(command, &who.author(), self.now())
            .map_err(WriteError::Refused)?;
        let EventKind::SilenceOpened { procedure, .. } = &event.kind else {
            unreachable!("open_silence proposes a silence_opened event")
        };
        let procedure = procedure.clone();
        self.append(id, vec![event]).await?;
        Ok(procedure)
    }

    /// A delegation breaks silence for its own member (the chair may record a break a
    /// delegation made to it, naming the member).
    pub async fn break_silence(
        &self,
        who: &Principal,
        id: &str,
        procedure: &str,
        command: &BreakSilence,
    ) -> Result<Vec<Event>, WriteError> {
        let event = self
            .check_break_silence(who, id, procedure, command)
            .await?;
        self.append(id, vec![event]).await
    }

    /// Every check `break_silence` makes, without appending: the event it would record. The
    /// dashboard's confirmation step asks this first, so a break that would be refused is refused
    /// before the delegation is asked to confirm it, with the same message.
    pub async fn check_break_silence(
        &self,
        who: &Principal,
        id: &str,
        procedure: &str,
        command: &BreakSilence,
    ) -> Result<NewEvent, WriteError> {
        who.require(&["chair", "delegation"], "break silence")?;
        let member = match (&who.role, &command.member) {
            (Role::Delegation(own), None) => own.clone(),
            (Role::Delegation(_), Some(m)) => {
                may_speak_for(who, m, "break silence")?;
                m.clone()
            }
            (_, Some(m)) => m.clone(),
            (_, None) => {
                let mut r = concord_domain::Refusals::default();
                r.0.push(concord_domain::Refusal {
                    event: 0,
                    field: "member".to_owned(),
                    message: "the chair must name the member breaking silence".to_owned(),
                    expected: Some("a member code, e.g. HUN".to_owned()),
                    did_you_mean: None,
                    code: "bad_input",
                });
                return Err(WriteError::Refused(r));
            }
        };
        // `now` is both the instant checked and the one recorded (the ledger seals with it), so
        // a break accepted here counts: status_at compares the recorded instant with the deadline.
        self.guard(id)
            .await?
            .break_silence(procedure, &member, command, &who.author(), self.now())
            .map_err(WriteError::Refused)
    }

    /// The chair withdraws an open draft.
    pub async fn withdraw_silence(
        &self,
        who: &Principal,
        id: &str,
        procedure: &str,
        command: &WithdrawSilence,
    ) -> Result<Vec<Event>, WriteError> {
        who.require(&["chair"], "withdraw a silence procedure")?;
        let event = self
            .guard(id)
            .await?
            .withdraw_silence(procedure, command, &who.author(), self.now())
            .map_err(WriteError::Refused)?;
        self.append(id, vec![event]).await
    }

    /// The chair creates a contest from a scenario TOML: (id, events written).
    pub async fn import_scenario(
        &self,
        who: &Principal,
        text: &str,
    ) -> Result<(String, usize), WriteError> {
        who.require(&["chair"], "import contests")?;
        let author = who.author();
        let parsed = scenario::parse_at("scenario.toml", text, &author, self.now())
            .map_err(WriteError::Located)?;
        let id = parsed.definition.id.clone();
        // A linked contest must be one the store holds.
        let known: Vec<String> = self
            .ledger
            .contests()
            .await
            .map_err(ApiError::from)?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let unknown = concord_domain::links::unknown_links(&parsed.links, &known);
        if !unknown.0.is_empty() {
            return Err(WriteError::Located(unknown));
        }
        let events = parsed.into_events(&author);
        let n = events.len();
        let sealed = match self.ledger.create(&id, events, self.now()).await {
            Ok(sealed) => sealed,
            Err(LedgerError::ContestExists(_)) => {
                return Err(ApiError::Conflict {
                    code: "contest_exists",
                    message: format!("contest '{id}' already exists; nothing was written"),
                }
                .into());
            }
            Err(e) => return Err(e.into()),
        };
        if let Some(last) = sealed.last() {
            self.note_head(&id, last.seq);
        }
        Ok((id, n))
    }

    /// A CSV of stance reports, appended whole or not at all. Chair: any row. Analyst:
    /// public rows only. Delegation: rows for its own member only. Returns the rows written.
    pub async fn import_reports(
        &self,
        who: &Principal,
        id: &str,
        text: &str,
    ) -> Result<usize, WriteError> {
        who.require(&["chair", "delegation", "analyst"], "import reports")?;
        let guard = self.guard(id).await?;
        let news = reports_csv::parse("reports.csv", text, &guard, &who.author(), self.now())
            .map_err(WriteError::Located)?;
        // Row-level rights are judged on the parsed rows: the CSV is only trustworthy once
        // parsed. The 422 that may come first reveals nothing a reader cannot already see.
        for e in &news {
            let EventKind::StanceReported(r) = &e.kind else {
                continue;
            };
            match &who.role {
                Role::Analyst if r.visibility == Visibility::ChairOnly => {
                    return Err(ApiError::Forbidden(
                        "an analyst imports reports from public sources only, not chair_only rows; nothing was written"
                            .to_owned(),
                    )
                    .into());
                }
                Role::Delegation(own) if *own != r.member => {
                    return Err(ApiError::Forbidden(format!(
                        "the delegation of {own} may import reports for {own} only, not for '{}'; nothing was written",
                        r.member
                    ))
                    .into());
                }
                _ => {}
            }
        }
        let n = news.len();
        if n == 0 {
            // A header and no rows: nothing to write, and an empty append is not a transaction.
            return Ok(0);
        }
        self.append(id, news).await?;
        Ok(n)
    }
}
