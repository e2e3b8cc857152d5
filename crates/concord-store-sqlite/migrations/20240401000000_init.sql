-- The logical schema shared with concord-store-postgres (keep the two in step).

-- One row per stream: its length and last hash, so the head check of an append and the
-- listing of streams never scan events.
CREATE TABLE streams (
    stream    TEXT    NOT NULL PRIMARY KEY,
    events    INTEGER NOT NULL CHECK (events >= 0),
    last_hash TEXT
) STRICT;

-- The append-only event log. (stream, seq) is the primary key: the last line of defence
-- against two events claiming one place in a stream.
CREATE TABLE events (
    stream      TEXT    NOT NULL REFERENCES streams (stream),
    seq         INTEGER NOT NULL CHECK (seq >= 1),
    valid_date  TEXT    NOT NULL,
    recorded_at TEXT    NOT NULL,
    author      TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL,
    PRIMARY KEY (stream, seq)
) STRICT, WITHOUT ROWID;

-- Append-only means no UPDATE or DELETE through SQL; tampering has to go around the
-- database, which is what the domain's hash chain detects.
CREATE TRIGGER events_are_append_only_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_are_append_only_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Access tokens: only the hash of a token is kept.
CREATE TABLE tokens (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    token_hash TEXT    NOT NULL UNIQUE,
    role       TEXT    NOT NULL,
    label      TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    revoked_at TEXT
) STRICT;
