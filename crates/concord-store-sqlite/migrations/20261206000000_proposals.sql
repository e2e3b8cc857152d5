-- Proposals read from articles, awaiting review (kept in step with the other backend).
-- (stream, article, key) is unique: an article proposes a thing once, and a rejected proposal
-- stays rejected when the article is read again.
CREATE TABLE proposals (
    id          INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    stream      TEXT    NOT NULL,
    article     TEXT    NOT NULL,
    key         TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    payload     TEXT    NOT NULL,
    status      TEXT    NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
    created_at  TEXT    NOT NULL,
    created_by  TEXT    NOT NULL,
    decided_at  TEXT,
    decided_by  TEXT,
    UNIQUE (stream, article, key)
) STRICT;

CREATE INDEX proposals_by_stream ON proposals (stream, status, id);
