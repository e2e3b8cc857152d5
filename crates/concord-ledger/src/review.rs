//! The review queue over a ledger: reading an article for a contest stores what it proposes as
//! pending (never as events); accepting a proposal appends its events through the same ledger
//! append every other write goes through, with the article as their source; rejecting is kept,
//! so the same article does not propose the same thing again. Shared by the CLI and the API.

use concord_domain::ContestState;
use concord_ingest::review::{
    ArticleSource, Edit, EditError, Pending, article_id, queue_items, to_events,
};
use concord_ingest::{ContestFacts, ReadError, Reader};
use concord_store::{NewProposal, ProposalRecord, ProposalStatus};
use jiff::Timestamp;
use jiff::civil::Date;

use crate::{Ledger, LedgerError};

/// What can go wrong in the review queue.
#[derive(Debug, thiserror::Error)]
pub enum ReviewError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    #[error("no proposal {id} in contest '{contest}'")]
    UnknownProposal { contest: String, id: i64 },
    #[error("proposal {id} was already {status}: a proposal is decided once")]
    AlreadyDecided { id: i64, status: &'static str },
    #[error("proposal {id}: {source}")]
    Edit {
        id: i64,
        #[source]
        source: EditError,
    },
    #[error("proposal {id} cannot be read back: {message}")]
    Corrupt { id: i64, message: String },
}

/// A stored proposal with its payload decoded.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub record: ProposalRecord,
    pub pending: Pending,
}

impl QueueItem {
    /// The item as the CLI's `--format json` and the API show it.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "id": self.record.id,
            "status": self.record.status.as_str(),
            "article": self.record.article,
            "created_at": self.record.created_at,
            "created_by": self.record.created_by,
            "decided_at": self.record.decided_at,
            "decided_by": self.record.decided_by,
            "proposal": self.pending,
        })
    }
}

fn decode(record: ProposalRecord) -> Result<QueueItem, ReviewError> {
    let pending: Pending =
        serde_json::from_str(&record.payload).map_err(|e| ReviewError::Corrupt {
            id: record.id,
            message: e.to_string(),
        })?;
    Ok(QueueItem { record, pending })
}

/// The reader's view of a contest on `date`: members then, every candidate ever entered.
pub async fn facts(
    ledger: &Ledger,
    contest: &str,
    date: Date,
) -> Result<ContestFacts, LedgerError> {
    let events = ledger.events(contest).await?;
    let state = ContestState::fold(&events, Date::MAX)?;
    Ok(ContestFacts::from_state(&state, date))
}

/// What reading one article stored.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// The article's identifier (a hash of its plain text).
    pub article: String,
    /// Proposals newly pending.
    pub stored: Vec<QueueItem>,
    /// How many the reader proposed in all (the rest were already stored or rejected).
    pub proposed: usize,
    pub notes: Vec<String>,
}

/// Reads `bytes` for `contest` and stores what it proposes as pending.
pub async fn ingest(
    ledger: &Ledger,
    reader: &Reader,
    contest: &str,
    bytes: &[u8],
    source: ArticleSource,
    now: Timestamp,
    author: &str,
) -> Result<Ingested, ReviewError> {
    let facts = facts(ledger, contest, source.published).await?;
    let (text, reading) = reader.read_bytes(bytes, &facts, source.published)?;
    let article = article_id(&text);
    let items = queue_items(&reading);
    let proposed = items.len();
    let news: Vec<NewProposal> = items
        .into_iter()
        .map(|proposal| {
            let key = proposal.key();
            let kind = proposal.kind().to_owned();
            let pending = Pending {
                source: source.clone(),
                proposal,
            };
            NewProposal {
                key,
                kind,
                payload: serde_json::to_string(&pending).expect("proposals serialise"),
            }
        })
        .collect();
    let stored = ledger
        .store()
        .add_proposals(contest, &article, news, &now.to_string(), author)
        .await
        .map_err(LedgerError::from)?
        .into_iter()
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Ingested {
        article,
        stored,
        proposed,
        notes: reading.notes,
    })
}

/// The proposals of `contest` (pending only, or all).
pub async fn list(
    ledger: &Ledger,
    contest: &str,
    status: Option<ProposalStatus>,
) -> Result<Vec<QueueItem>, ReviewError> {
    // An unknown contest is an error, not an empty queue.
    ledger.events(contest).await?;
    ledger
        .store()
        .proposals(contest, status)
        .await
        .map_err(LedgerError::from)?
        .into_iter()
        .map(decode)
        .collect()
}

async fn find(ledger: &Ledger, contest: &str, id: i64) -> Result<QueueItem, ReviewError> {
    let all = list(ledger, contest, None).await?;
    let item = all.into_iter().find(|i| i.record.id == id).ok_or_else(|| {
        ReviewError::UnknownProposal {
            contest: contest.to_owned(),
            id,
        }
    })?;
    if item.record.status != ProposalStatus::Pending {
        return Err(ReviewError::AlreadyDecided {
            id,
            status: item.record.status.as_str(),
        });
    }
    Ok(item)
}

/// Accepts pending proposal `id` (edited first, if `edit` says so): its events are appended
/// through the ledger — refused there like any other write — and only then is the proposal
/// marked accepted. Returns the decided proposal and the events written.
pub async fn accept(
    ledger: &Ledger,
    contest: &str,
    id: i64,
    edit: &Edit,
    now: Timestamp,
    by: &str,
) -> Result<(QueueItem, Vec<concord_domain::Event>), ReviewError> {
    let mut item = find(ledger, contest, id).await?;
    edit.apply(&mut item.pending.proposal)
        .map_err(|source| ReviewError::Edit { id, source })?;
    let events = to_events(&item.pending, by);
    let written = ledger.append(contest, events, now).await?;
    let payload = (!edit.is_empty())
        .then(|| serde_json::to_string(&item.pending).expect("proposals serialise"));
    let record = ledger
        .store()
        .decide_proposal(
            id,
            ProposalStatus::Accepted,
            payload.as_deref(),
            &now.to_string(),
            by,
        )
        .await
        .map_err(LedgerError::from)?
        .ok_or(ReviewError::AlreadyDecided {
            id,
            status: "decided",
        })?;
    Ok((decode(record)?, written))
}

/// Rejects pending proposal `id`; the article will not propose it again.
pub async fn reject(
    ledger: &Ledger,
    contest: &str,
    id: i64,
    now: Timestamp,
    by: &str,
) -> Result<QueueItem, ReviewError> {
    find(ledger, contest, id).await?;
    let record = ledger
        .store()
        .decide_proposal(id, ProposalStatus::Rejected, None, &now.to_string(), by)
        .await
        .map_err(LedgerError::from)?
        .ok_or(ReviewError::AlreadyDecided {
            id,
            status: "decided",
        })?;
    decode(record)
}

/// The pending proposals of `contest` in the order accepting them all keeps references valid
/// (candidates, then stances with their conditions, then the commitments meeting them).
pub async fn pending_in_accepting_order(
    ledger: &Ledger,
    contest: &str,
) -> Result<Vec<QueueItem>, ReviewError> {
    let mut items = list(ledger, contest, Some(ProposalStatus::Pending)).await?;
    items.sort_by_key(|i| (i.pending.proposal.order(), i.record.id));
    Ok(items)
}
