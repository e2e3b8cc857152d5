-- Signed checkpoints (issue 10), shared with concord-store-postgres (keep the two in step).

-- Each stream's record also keeps the signed checkpoint of its last append, written in the same
-- transaction as the events and the length, so the three always describe one commit.
ALTER TABLE streams ADD COLUMN checkpoint TEXT;

-- The public halves of the keys that sign checkpoints. Registered once; never changed.
CREATE TABLE signing_keys (
    key_id     TEXT NOT NULL PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;

CREATE TRIGGER signing_keys_are_append_only_update BEFORE UPDATE ON signing_keys
BEGIN
    SELECT RAISE(ABORT, 'signing keys are append-only');
END;

CREATE TRIGGER signing_keys_are_append_only_delete BEFORE DELETE ON signing_keys
BEGIN
    SELECT RAISE(ABORT, 'signing keys are append-only');
END;
