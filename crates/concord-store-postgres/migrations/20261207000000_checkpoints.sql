-- Signed checkpoints (issue 10), shared with concord-store-sqlite (keep the two in step).

-- Each stream's record also keeps the signed checkpoint of its last append, written in the same
-- transaction as the events and the length, so the three always describe one commit.
ALTER TABLE streams ADD COLUMN checkpoint TEXT;

-- The public halves of the keys that sign checkpoints. Registered once; never changed.
CREATE TABLE signing_keys (
    key_id     TEXT NOT NULL PRIMARY KEY,
    public_key TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE FUNCTION signing_keys_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'signing keys are append-only';
END
$$;

CREATE TRIGGER signing_keys_are_append_only BEFORE UPDATE OR DELETE ON signing_keys
    FOR EACH ROW EXECUTE FUNCTION signing_keys_are_append_only();
