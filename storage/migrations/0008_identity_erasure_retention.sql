-- Identity that is never reused, erasure that leaves only tombstones, retention totals,
-- and the link-open key moved out of the database (into a key file beside it).

-- Participant ids come from here, never from MAX(id) + 1: a person who erased their data
-- and joins again is a new participant, not the old one's id handed back.
CREATE TABLE sequences (
    name  TEXT    PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO sequences (name, value)
    SELECT 'participants', COALESCE(MAX(id), 0) FROM participants;

-- Pseudonyms are a keyed permutation of the participant id (storage.pseudonyms): unique by
-- construction, and they do not tell anyone who joined first.
-- (Knowing the key reveals only the order of joining, which joined_at already holds.)
CREATE TABLE pseudonym_key (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    key BLOB    NOT NULL CHECK (length(key) = 32)
);
INSERT INTO pseudonym_key (id, key) VALUES (1, randomblob(32));

-- The key that turns Telegram ids into link-open hashes must not sit beside the hashes.
DELETE FROM meta WHERE key = 'opener_key';

-- What is left of a consent once the person is erased: which purpose, when, which text.
CREATE TABLE consent_tombstones (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER REFERENCES workshops(id) ON DELETE CASCADE,
    purpose     TEXT    NOT NULL,
    granted     INTEGER NOT NULL CHECK (granted IN (0, 1)),
    text_sha256 TEXT    NOT NULL,
    decided_at  TEXT    NOT NULL,
    withdrawn_at TEXT,
    erased_at   TEXT    NOT NULL
);

-- Counts of rows purged after the retention period, so the figures still add up.
CREATE TABLE purged_totals (
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    what        TEXT    NOT NULL,
    count       INTEGER NOT NULL,
    PRIMARY KEY (workshop_id, what)
) WITHOUT ROWID;

-- Facilitators are warned once before each purge.
CREATE TABLE retention_warnings (
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    due_at      TEXT    NOT NULL,
    warned_at   TEXT    NOT NULL,
    PRIMARY KEY (workshop_id, due_at)
) WITHOUT ROWID;

CREATE INDEX audit_by_actor ON audit_log (actor, allowed, at);
CREATE INDEX ptb_conversations_by_user ON ptb_conversations (user_id);
