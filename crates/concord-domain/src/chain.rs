//! The seal of an event and the check of a stored chain: the hash covers the exact text that is
//! stored, and a check walks the stored records in order, names the first bad one and says why.
//!
//! # The seal (hash scheme 2)
//!
//! An event's hash is SHA-256 over a fixed framing of the text columns a store keeps for it:
//!
//! ```text
//! "concord-event-v2" 0x00
//! seq          as 8 bytes, big-endian
//! valid_date   as a field
//! recorded_at  as a field
//! author       as a field
//! kind         as a field
//! payload      as a field (the JSON text exactly as stored, not a re-serialisation)
//! prev_hash    as a field
//! ```
//!
//! where a field is its UTF-8 length as 8 bytes big-endian followed by its bytes. Every field is
//! length-prefixed, so no two different records frame to the same bytes, whatever they contain.
//! The hash is written as 64 lower-case hex digits; the first event chains to [`GENESIS_HASH`].
//!
//! # Legacy events (hash scheme 1)
//!
//! Stores written before scheme 2 hashed a JSON re-serialisation of the decoded event, so bytes
//! that decode to the same event verified too. Such events are still accepted, but only at the
//! start of a chain (before its first scheme-2 event), and only when every stored column is
//! exactly the text the earlier version wrote for the decoded event (the payload byte for byte
//! as serde_json writes it): so a legacy event, too, is pinned to its stored bytes. Nothing is
//! rewritten; the first append by this version seals the legacy chain under a signed checkpoint.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::Deserialize as _;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::event::{Event, EventKind, GENESIS_HASH, legacy_event_hash};

/// Domain separation: a scheme-2 seal can never be mistaken for any other SHA-256 in concord.
const SEAL_TAG: &[u8] = b"concord-event-v2\0";

/// The stored text of one event, as a store keeps it: what the seal covers, and its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    pub seq: u64,
    pub valid_date: &'a str,
    pub recorded_at: &'a str,
    pub author: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub prev_hash: &'a str,
    pub hash: &'a str,
}

/// The text an event is stored as: the canonical encoding of its decoded fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventText {
    pub valid_date: String,
    pub recorded_at: String,
    pub author: String,
    pub kind: String,
    pub payload: String,
}

impl EventText {
    /// The canonical text of an event's fields.
    pub fn of(valid: Date, recorded_at: Timestamp, author: &str, kind: &EventKind) -> EventText {
        EventText {
            valid_date: valid.to_string(),
            recorded_at: recorded_at.to_string(),
            author: author.to_owned(),
            kind: kind.name().to_owned(),
            payload: serde_json::to_string(kind).expect("events always serialise"),
        }
    }
}

fn field(hasher: &mut Sha256, text: &str) {
    hasher.update((text.len() as u64).to_be_bytes());
    hasher.update(text.as_bytes());
}

/// The scheme-2 seal of an event's stored text chained to `prev_hash` (64 lower-case hex digits).
pub fn seal_hash(seq: u64, text: &EventText, prev_hash: &str) -> String {
    seal_of(
        seq,
        &text.valid_date,
        &text.recorded_at,
        &text.author,
        &text.kind,
        &text.payload,
        prev_hash,
    )
}

fn seal_of(
    seq: u64,
    valid_date: &str,
    recorded_at: &str,
    author: &str,
    kind: &str,
    payload: &str,
    prev_hash: &str,
) -> String {
    let mut hasher = Sha256::new();
    hasher.update(SEAL_TAG);
    hasher.update(seq.to_be_bytes());
    for text in [valid_date, recorded_at, author, kind, payload, prev_hash] {
        field(&mut hasher, text);
    }
    hex::encode(hasher.finalize())
}

/// The hash of what an event says, leaving out who recorded it and when: the seal of the
/// first event of a log with the recording time fixed at the epoch and no author. Two stores
/// that loaded the same scenario at different times give their opening events the same
/// content hash (their seals differ), so `concord demo` can tell the bundled scenario from
/// another contest stored under its id.
pub fn content_hash(valid: Date, kind: &EventKind) -> String {
    seal_hash(
        1,
        &EventText::of(valid, Timestamp::UNIX_EPOCH, "", kind),
        GENESIS_HASH,
    )
}

impl Record<'_> {
    /// The scheme-2 seal recomputed from this record's stored text.
    pub fn recompute(&self) -> String {
        seal_of(
            self.seq,
            self.valid_date,
            self.recorded_at,
            self.author,
            self.kind,
            self.payload,
            self.prev_hash,
        )
    }
}

/// Why an event's stored text no longer matches its seal, as precisely as the record shows.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TamperCause {
    /// A column does not hold what it must (JSON that is not an event, a date that is not one).
    #[error("its {column} cannot be read: {message}")]
    Unreadable {
        column: &'static str,
        message: String,
    },
    /// The `kind` column names another kind than the payload holds.
    #[error("its kind column says '{column}' but its payload is a '{payload}' event")]
    KindMismatch { column: String, payload: String },
    /// The payload has a field that no event of its kind has (or lacks one it must have).
    #[error("its payload has {what} at {path} that a sealed '{kind}' event does not have")]
    PayloadField {
        kind: String,
        path: String,
        what: String,
    },
    /// The payload is the same JSON value but not the same bytes (whitespace, key order,
    /// escapes): the seal covers bytes.
    #[error(
        "its payload bytes differ from what was sealed (same JSON value: whitespace, key order or escapes changed)"
    )]
    PayloadBytes,
    /// `recorded_at` is out of order with its neighbours.
    #[error("its recorded_at ({recorded_at}) is out of order with the events around it")]
    RecordedAt { recorded_at: String },
    /// The content is intact (the next event chains to its recomputed seal): the hash column
    /// itself was edited.
    #[error("its hash column was edited (its content and the next event agree on another hash)")]
    HashColumn,
    /// The seal does not match and nothing more specific shows which column changed.
    #[error(
        "its valid_date, recorded_at, author or payload differs from what was sealed (its stored hash is {}…, its content hashes to {}…)",
        short(recorded),
        short(recomputed)
    )]
    Content {
        recorded: String,
        recomputed: String,
    },
}

/// Where a stored chain first goes wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// A sequence number is skipped: the events in between were deleted.
    #[error("{}", missing_story(*seq, *next))]
    Missing { seq: u64, next: u64 },
    /// An event that the next one does not chain to: it was put in behind concord's back.
    #[error("event {seq} was inserted: event {} chains to event {}, past it", seq + 1, seq - 1)]
    Inserted { seq: u64 },
    /// An event chains to a later one: rows were reordered.
    #[error(
        "event {seq} is out of order: it chains to event {chains_to}, which is stored after it (reordered)"
    )]
    Reordered { seq: u64, chains_to: u64 },
    /// An event chains to a hash no stored event has.
    #[error(
        "event {seq} does not chain to event {prev}: event {prev} was replaced, or an event between them was removed"
    )]
    Broken { seq: u64, prev: u64 },
    /// An event's stored text does not match its seal.
    #[error("event {seq} was altered after it was sealed: {cause}")]
    Tampered { seq: u64, cause: TamperCause },
}

/// The first 12 characters of a hash, for messages (a tampered one may be anything).
fn short(hash: &str) -> String {
    hash.chars().take(12).collect()
}

fn missing_story(seq: u64, next: u64) -> String {
    let which = if next > seq + 1 {
        format!("events {seq} to {} are", next - 1)
    } else {
        format!("event {seq} is")
    };
    format!("{which} missing: the log goes on at event {next} (deleted)")
}

impl ChainError {
    /// The first bad event's sequence number.
    pub fn seq(&self) -> u64 {
        match self {
            ChainError::Missing { seq, .. }
            | ChainError::Inserted { seq }
            | ChainError::Reordered { seq, .. }
            | ChainError::Broken { seq, .. }
            | ChainError::Tampered { seq, .. } => *seq,
        }
    }
}

/// What has been checked of a chain so far: its length, its last hash, whether every event in
/// it is a legacy (scheme 1) event, and its last `recorded_at`. Extend it with the records that
/// follow; a cache keeps it so that nothing is checked twice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tip {
    pub len: u64,
    pub hash: String,
    /// Every event so far is a legacy event (true for the empty chain): legacy events are
    /// accepted only while this holds.
    pub legacy: bool,
    /// The previous event's recorded_at, for the ordering diagnosis.
    last_recorded: Option<Timestamp>,
}

impl Default for Tip {
    fn default() -> Self {
        Tip::genesis()
    }
}

impl Tip {
    /// The empty chain.
    pub fn genesis() -> Tip {
        Tip {
            len: 0,
            hash: GENESIS_HASH.to_owned(),
            legacy: true,
            last_recorded: None,
        }
    }

    /// The tip after `events`, which this process sealed itself (scheme 2).
    pub fn after_sealed(&self, events: &[Event]) -> Tip {
        match events.last() {
            None => self.clone(),
            Some(last) => Tip {
                len: last.seq,
                hash: last.hash.clone(),
                legacy: false,
                last_recorded: Some(last.recorded_at),
            },
        }
    }

    /// Checks `records` (the events stored right after this tip, in order), decodes them and
    /// moves the tip past them; on the first bad record, names it and leaves the tip unmoved.
    pub fn extend(&mut self, records: &[Record<'_>]) -> Result<Vec<Event>, ChainError> {
        let mut next = self.clone();
        let mut events = Vec::with_capacity(records.len());
        for (i, record) in records.iter().enumerate() {
            let event = next.check(records, i, self)?;
            next.len = record.seq;
            next.hash = record.hash.to_owned();
            next.last_recorded = Some(event.recorded_at);
            events.push(event);
        }
        *self = next;
        Ok(events)
    }

    /// Checks `records[i]` against this (moving) tip; `start` is the tip before the first record.
    fn check(
        &mut self,
        records: &[Record<'_>],
        i: usize,
        start: &Tip,
    ) -> Result<Event, ChainError> {
        let record = &records[i];
        let expected = self.len + 1;
        if record.seq != expected {
            return Err(ChainError::Missing {
                seq: expected,
                next: record.seq,
            });
        }
        if record.prev_hash != self.hash {
            return Err(link_error(records, i, start));
        }
        let recomputed = record.recompute();
        if recomputed == record.hash {
            let event = decode(record).map_err(|cause| ChainError::Tampered {
                seq: record.seq,
                cause,
            })?;
            self.legacy = false;
            return Ok(event);
        }
        if self.legacy
            && let Ok(event) = decode(record)
            && is_canonical(record, &event)
            && legacy_event_hash(
                event.seq,
                event.valid,
                event.recorded_at,
                &event.author,
                &event.kind,
                &event.prev_hash,
            ) == record.hash
        {
            return Ok(event);
        }
        Err(ChainError::Tampered {
            seq: record.seq,
            cause: self.diagnose(records, i, recomputed),
        })
    }

    /// Says as precisely as the records allow why `records[i]` no longer matches its seal.
    fn diagnose(&self, records: &[Record<'_>], i: usize, recomputed: String) -> TamperCause {
        let record = &records[i];
        let event = match decode(record) {
            Ok(event) => event,
            Err(cause) => return cause,
        };
        let canonical = serde_json::to_string(&event.kind).expect("events always serialise");
        if canonical != record.payload {
            return TamperCause::PayloadBytes;
        }
        if records
            .get(i + 1)
            .is_some_and(|next| next.prev_hash == recomputed)
        {
            return TamperCause::HashColumn;
        }
        let next_recorded = records
            .get(i + 1)
            .and_then(|next| next.recorded_at.parse::<Timestamp>().ok());
        let before_previous = self
            .last_recorded
            .is_some_and(|prev| event.recorded_at < prev);
        let after_next = next_recorded.is_some_and(|next| event.recorded_at > next);
        if before_previous || after_next {
            return TamperCause::RecordedAt {
                recorded_at: record.recorded_at.to_owned(),
            };
        }
        TamperCause::Content {
            recorded: record.hash.to_owned(),
            recomputed,
        }
    }
}

/// Names a broken link at `records[i]` by where its `prev_hash` points.
fn link_error(records: &[Record<'_>], i: usize, start: &Tip) -> ChainError {
    let record = &records[i];
    let pointed = records
        .iter()
        .find(|r| r.hash == record.prev_hash)
        .map(|r| r.seq)
        .or_else(|| (start.len > 0 && start.hash == record.prev_hash).then_some(start.len));
    match pointed {
        Some(seq) if seq + 1 < record.seq => ChainError::Inserted { seq: seq + 1 },
        Some(seq) if seq > record.seq => ChainError::Reordered {
            seq: record.seq,
            chains_to: seq,
        },
        _ => ChainError::Broken {
            seq: record.seq,
            prev: record.seq - 1,
        },
    }
}

/// Decodes a record, checking that its payload is exactly an event of the kind its `kind`
/// column names, with no field an event of that kind does not have.
pub fn decode(record: &Record<'_>) -> Result<Event, TamperCause> {
    let unreadable =
        |column: &'static str, message: String| TamperCause::Unreadable { column, message };
    let kind = match serde_json::from_str::<EventKind>(record.payload) {
        // The common case, and the cheap one: the payload is exactly what concord writes for
        // this event, so it has no field the event lacks.
        Ok(kind) if serde_json::to_string(&kind).is_ok_and(|text| text == record.payload) => kind,
        // Otherwise compare the JSON values, to accept other whitespace (the seal, not this
        // check, pins the bytes) and to name an unknown field.
        _ => {
            let value: Value = serde_json::from_str(record.payload)
                .map_err(|e| unreadable("payload", format!("not JSON: {e}")))?;
            let kind = EventKind::deserialize(&value)
                .map_err(|e| unreadable("payload", format!("not an event: {e}")))?;
            let sealed = serde_json::to_value(&kind).expect("events always serialise");
            if let Some((path, what)) = first_difference(&value, &sealed, "$") {
                return Err(TamperCause::PayloadField {
                    kind: kind.name().to_owned(),
                    path,
                    what,
                });
            }
            kind
        }
    };
    if kind.name() != record.kind {
        return Err(TamperCause::KindMismatch {
            column: record.kind.to_owned(),
            payload: kind.name().to_owned(),
        });
    }
    Ok(Event {
        seq: record.seq,
        valid: record.valid_date.parse().map_err(|e| {
            unreadable(
                "valid_date",
                format!("'{}' is not a date: {e}", record.valid_date),
            )
        })?,
        recorded_at: record.recorded_at.parse().map_err(|e| {
            unreadable(
                "recorded_at",
                format!("'{}' is not a timestamp: {e}", record.recorded_at),
            )
        })?,
        author: record.author.to_owned(),
        kind,
        prev_hash: record.prev_hash.to_owned(),
        hash: record.hash.to_owned(),
    })
}

/// The stored columns are exactly the text an event's decoded fields encode to.
fn is_canonical(record: &Record<'_>, event: &Event) -> bool {
    let text = EventText::of(event.valid, event.recorded_at, &event.author, &event.kind);
    text.valid_date == record.valid_date
        && text.recorded_at == record.recorded_at
        && text.kind == record.kind
        && text.payload == record.payload
}

/// The first place where `stored` has something `sealed` has not (or the reverse), as a JSON
/// path and a description; `None` when the two values are equal.
fn first_difference(stored: &Value, sealed: &Value, path: &str) -> Option<(String, String)> {
    match (stored, sealed) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}.{key}");
                match b.get(key) {
                    None => return Some((here, "a field".to_owned())),
                    Some(other) => {
                        if let Some(found) = first_difference(value, other, &here) {
                            return Some(found);
                        }
                    }
                }
            }
            b.keys().find(|key| !a.contains_key(*key)).map(|key| {
                (
                    format!("{path}.{key}"),
                    "a default in place of a value".to_owned(),
                )
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]"))),
        (a, b) if a == b => None,
        _ => Some((path.to_owned(), "a value".to_owned())),
    }
}
