-- Workshops, their questions, participants, consent, answers and views;
-- plus the tables behind the conversation persistence.

CREATE TABLE workshops (
    id               INTEGER PRIMARY KEY,
    title            TEXT    NOT NULL,
    purpose          TEXT    NOT NULL,
    engagement_level TEXT    NOT NULL CHECK (engagement_level IN
                         ('inform', 'consult', 'co-design', 'co-produce', 'community-led')),
    can_change       TEXT    NOT NULL,   -- JSON list of strings
    cannot_change    TEXT    NOT NULL,   -- JSON list of strings
    who_decides      TEXT    NOT NULL,
    decide_by        TEXT    NOT NULL,
    hear_back        TEXT    NOT NULL,   -- what happens next, shown after submitting
    support          TEXT    NOT NULL,   -- JSON list of {name, contact}
    ground_rules     TEXT    NOT NULL,   -- JSON list of strings
    timezone         TEXT    NOT NULL DEFAULT 'Europe/London',
    retention_days   INTEGER NOT NULL DEFAULT 365,
    invite_code      TEXT    NOT NULL UNIQUE,
    status           TEXT    NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    created_at       TEXT    NOT NULL
);

CREATE TABLE questions (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    kind        TEXT    NOT NULL CHECK (kind IN ('text', 'choice', 'scale', 'relationships')),
    prompt      TEXT    NOT NULL,
    hint        TEXT    NOT NULL DEFAULT '',
    options     TEXT    NOT NULL DEFAULT '[]',  -- JSON list: choice options or scale labels
    UNIQUE (workshop_id, position),
    UNIQUE (workshop_id, key)
);

-- A participant row appears only when a person answers the consent question.
CREATE TABLE participants (
    id               INTEGER PRIMARY KEY,
    workshop_id      INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    telegram_user_id INTEGER NOT NULL,
    pseudonym        TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN
                         ('declined', 'consenting', 'ready', 'answering', 'paused',
                          'continuing', 'reviewing', 'submitted', 'withdrawn')),
    position         INTEGER NOT NULL DEFAULT 0,
    -- 1 while changing one answer from the review screen: afterwards, back to the review.
    changing         INTEGER NOT NULL DEFAULT 0 CHECK (changing IN (0, 1)),
    -- Which of a person's workshops they used last: bigger is later (no clock ties).
    activity         INTEGER NOT NULL DEFAULT 0,
    joined_at        TEXT    NOT NULL,
    last_seen_at     TEXT    NOT NULL,
    submitted_at     TEXT,
    UNIQUE (workshop_id, telegram_user_id),
    UNIQUE (workshop_id, pseudonym)
);
CREATE INDEX participants_by_user ON participants (telegram_user_id, activity);

CREATE TABLE consents (
    id             INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    purpose        TEXT    NOT NULL CHECK (purpose IN ('take_part', 'updates', 'quote')),
    granted        INTEGER NOT NULL CHECK (granted IN (0, 1)),
    text_sha256    TEXT    NOT NULL,
    method         TEXT    NOT NULL,
    decided_at     TEXT    NOT NULL,
    withdrawn_at   TEXT,
    UNIQUE (participant_id, purpose)
);

CREATE TABLE answers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id    INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    question_id       INTEGER NOT NULL REFERENCES questions(id) ON DELETE CASCADE,
    value             TEXT,     -- JSON; NULL when skipped
    skipped           INTEGER NOT NULL DEFAULT 0 CHECK (skipped IN (0, 1)),
    source_message_id INTEGER,  -- lets an edited Telegram message update its answer
    answered_at       TEXT    NOT NULL,
    UNIQUE (participant_id, question_id)
);

CREATE TABLE views (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    participant_id    INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    text              TEXT    NOT NULL,
    status            TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'shared')),
    source_message_id INTEGER,
    created_at        TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL
);
CREATE INDEX views_by_participant ON views (participant_id, created_at);

-- Messages already turned into answer or view text: Telegram may deliver an update twice.
CREATE TABLE seen_messages (
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    message_id     INTEGER NOT NULL,
    PRIMARY KEY (participant_id, message_id)
) WITHOUT ROWID;

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;

-- Flow state (PTB persistence). Rows of people who never agreed to take part are
-- purged after a day (storage.housekeeping).
CREATE TABLE ptb_conversations (
    name       TEXT    NOT NULL,
    key        TEXT    NOT NULL,  -- JSON list of ints: chat id, user id
    user_id    INTEGER,
    state      TEXT    NOT NULL,  -- JSON
    updated_at TEXT    NOT NULL,
    PRIMARY KEY (name, key)
) WITHOUT ROWID;

CREATE TABLE ptb_user_data (
    user_id    INTEGER PRIMARY KEY,
    data       TEXT    NOT NULL,  -- JSON; only small flow state such as the invite being read
    updated_at TEXT    NOT NULL
);
