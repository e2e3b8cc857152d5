-- The logical schema shared with concord-store-sqlite (keep the two in step).

-- One row per stream: its length and last hash. An append locks this row, which serialises
-- appends to one stream across every server instance on the database.
CREATE TABLE streams (
    stream    TEXT   NOT NULL PRIMARY KEY,
    events    BIGINT NOT NULL CHECK (events >= 0),
    last_hash TEXT
);

-- The append-only event log. (stream, seq) is the primary key: the last line of defence
-- against two events claiming one place in a stream.
CREATE TABLE events (
    stream      TEXT   NOT NULL REFERENCES streams (stream),
    seq         BIGINT NOT NULL CHECK (seq >= 1),
    valid_date  TEXT   NOT NULL,
    recorded_at TEXT   NOT NULL,
    author      TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    payload     TEXT   NOT NULL,
    prev_hash   TEXT   NOT NULL,
    hash        TEXT   NOT NULL,
    PRIMARY KEY (stream, seq)
);

-- Append-only means no UPDATE or DELETE through SQL; tampering has to go around the
-- database, which is what the domain's hash chain detects.
CREATE FUNCTION events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only';
END
$$;

CREATE TRIGGER events_are_append_only BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION events_are_append_only();

-- Access tokens: only the hash of a token is kept.
CREATE TABLE tokens (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    token_hash TEXT   NOT NULL UNIQUE,
    role       TEXT   NOT NULL,
    label      TEXT   NOT NULL,
    created_at TEXT   NOT NULL,
    revoked_at TEXT
);
