//! What can be wrong with a stored contest beyond its hash chain: the chain against the store's
//! record of it (length, last hash) and against its signed checkpoint, each named.

use concord_domain::chain::{ChainError, Tip};
use concord_store::StreamInfo;

use crate::checkpoint::{Checkpoint, PublicKey};

/// The first thing found wrong with a stored contest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Breach {
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The log is shorter than the store's record of it.
    #[error(
        "the log ends at event {len} but the store's record says {recorded} events: {} deleted",
        span(len + 1, *recorded)
    )]
    Truncated { len: u64, recorded: u64 },
    /// A stored event lies beyond the store's record of the log.
    #[error(
        "event {seq} is stored beyond the store's record of {recorded} events: it was added behind concord's back"
    )]
    Unrecorded { seq: u64, recorded: u64 },
    /// The record's last hash is not the last event's.
    #[error(
        "the store's record of the last hash does not match event {seq}: the record or the event was edited"
    )]
    RecordHead { seq: u64 },
    /// Events sealed by this version, and no checkpoint.
    #[error(
        "no signed checkpoint covers the log ({len} events): the checkpoint was removed from the store's record"
    )]
    CheckpointMissing { len: u64 },
    #[error("the signed checkpoint cannot be read: {message}")]
    CheckpointUnreadable { message: String },
    #[error(
        "the signed checkpoint is for contest '{named}', not this one: it was copied from another"
    )]
    CheckpointContest { named: String },
    /// Signed by a key that is not the one trusted.
    #[error(
        "the checkpoint is signed by key {key_id}, but {trusted}: the key was replaced or the checkpoint forged"
    )]
    UnknownKey { key_id: String, trusted: String },
    #[error(
        "the checkpoint's signature does not verify under key {key_id}: the checkpoint was edited or forged"
    )]
    Signature { key_id: String },
    /// The signed size is not the log's.
    #[error("the signed checkpoint covers {signed} events but the log has {len}: {}", size_story(*signed, *len))]
    CheckpointSize { signed: u64, len: u64 },
    /// The signed head is not the last event's hash.
    #[error(
        "event {size}'s hash is not the head the checkpoint signed: the log was rewritten and its hashes recomputed without the key"
    )]
    CheckpointHead { size: u64 },
    #[error(
        "the store holds {} signing keys ({}); concord registers exactly one: a key was added behind concord's back",
        ids.len(), ids.join(", ")
    )]
    KeyCount { ids: Vec<String> },
    /// Against a checkpoint published earlier: the store holds fewer events.
    #[error(
        "the checkpoint given covers {signed} events but the store holds {len}: {} removed",
        span(len + 1, *signed)
    )]
    Shorter { signed: u64, len: u64 },
    /// Against a checkpoint published earlier: the store's history differs.
    #[error(
        "the store does not extend the checkpoint given: its event {size} has another hash than the checkpoint's head (history was rewritten)"
    )]
    Diverged { size: u64 },
}

/// "event 7 was" or "events 7 to 9 were".
fn span(first: u64, last: u64) -> String {
    if first == last {
        format!("event {first} was")
    } else {
        format!("events {first} to {last} were")
    }
}

fn size_story(signed: u64, len: u64) -> String {
    if signed > len {
        format!(
            "{} deleted and the record rewritten to match",
            span(len + 1, signed)
        )
    } else {
        format!(
            "{} added without the key (not covered by it)",
            span(signed + 1, len)
        )
    }
}

impl Breach {
    /// The first bad event, where one can be named.
    pub fn first_bad(&self) -> Option<u64> {
        match self {
            Breach::Chain(e) => Some(e.seq()),
            Breach::Truncated { len, .. } | Breach::Shorter { len, .. } => Some(len + 1),
            Breach::Unrecorded { seq, .. } | Breach::RecordHead { seq } => Some(*seq),
            Breach::CheckpointSize { signed, len } => Some(signed.min(len) + 1),
            _ => None,
        }
    }
}

/// Which key a checkpoint must be signed by.
#[derive(Debug, Clone)]
pub(crate) enum Trusted {
    /// The store's registered key (or none registered yet).
    Store(Option<PublicKey>),
    /// A key given by the person verifying (`--key`), whatever the store says.
    Pinned(PublicKey),
}

impl Trusted {
    fn key(&self) -> Option<&PublicKey> {
        match self {
            Trusted::Store(key) => key.as_ref(),
            Trusted::Pinned(key) => Some(key),
        }
    }

    fn describe(&self) -> String {
        match self {
            Trusted::Store(Some(key)) => format!("this store's key is {}", key.id()),
            Trusted::Store(None) => "this store has no registered key".to_owned(),
            Trusted::Pinned(key) => format!("the key given is {}", key.id()),
        }
    }

    /// Checks `checkpoint` is by the trusted key and names `contest`.
    pub(crate) fn check(&self, contest: &str, checkpoint: &Checkpoint) -> Result<(), Breach> {
        if checkpoint.contest != contest {
            return Err(Breach::CheckpointContest {
                named: checkpoint.contest.clone(),
            });
        }
        match self.key() {
            Some(key) if key.id() == checkpoint.key_id => {
                if checkpoint.is_signed_by(key) {
                    Ok(())
                } else {
                    Err(Breach::Signature {
                        key_id: checkpoint.key_id.clone(),
                    })
                }
            }
            _ => Err(Breach::UnknownKey {
                key_id: checkpoint.key_id.clone(),
                trusted: self.describe(),
            }),
        }
    }
}

/// Checks a checked chain's `tip` against the store's record of it, and the record's
/// checkpoint against the trusted key. Returns the checkpoint (`None` for a legacy chain that
/// no append of this version has sealed yet).
pub(crate) fn check_record(
    contest: &str,
    tip: &Tip,
    record: &StreamInfo,
    trusted: &Trusted,
) -> Result<Option<Checkpoint>, Breach> {
    if tip.len < record.events {
        return Err(Breach::Truncated {
            len: tip.len,
            recorded: record.events,
        });
    }
    if tip.len > record.events {
        return Err(Breach::Unrecorded {
            seq: record.events + 1,
            recorded: record.events,
        });
    }
    if record.last_hash.as_deref() != Some(tip.hash.as_str()) {
        return Err(Breach::RecordHead { seq: tip.len });
    }
    let Some(text) = &record.checkpoint else {
        return if tip.legacy {
            Ok(None)
        } else {
            Err(Breach::CheckpointMissing { len: tip.len })
        };
    };
    let checkpoint = Checkpoint::parse(text).map_err(|e| Breach::CheckpointUnreadable {
        message: e.to_string(),
    })?;
    trusted.check(contest, &checkpoint)?;
    if checkpoint.size != tip.len {
        return Err(Breach::CheckpointSize {
            signed: checkpoint.size,
            len: tip.len,
        });
    }
    if checkpoint.head != tip.hash {
        return Err(Breach::CheckpointHead { size: tip.len });
    }
    Ok(Some(checkpoint))
}
