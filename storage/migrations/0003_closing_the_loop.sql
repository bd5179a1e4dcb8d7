-- Actions, updates and their deliveries (the outbox), co-evaluation, sessions, nudges.

ALTER TABLE workshops ADD COLUMN quiet_start TEXT NOT NULL DEFAULT '21:00';
ALTER TABLE workshops ADD COLUMN quiet_end TEXT NOT NULL DEFAULT '09:00';

-- Reachability and choices about messages, per membership.
ALTER TABLE participants ADD COLUMN unreachable_at TEXT;     -- Telegram said Forbidden
ALTER TABLE participants ADD COLUMN stopped_at TEXT;         -- said STOP: no updates or nudges
ALTER TABLE participants ADD COLUMN no_reminders INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
ALTER TABLE participants ADD COLUMN last_reminded_at TEXT;

CREATE TABLE actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('planned', 'in_progress', 'done', 'not_possible')),
    reason      TEXT,   -- required when not possible
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    CHECK (status != 'not_possible' OR reason IS NOT NULL)
);

CREATE TABLE action_themes (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    theme_id  INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, theme_id)
) WITHOUT ROWID;

CREATE TABLE action_status_changes (
    id         INTEGER PRIMARY KEY,
    action_id  INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    status     TEXT    NOT NULL,
    reason     TEXT,
    changed_by INTEGER NOT NULL,
    changed_at TEXT    NOT NULL
);

CREATE TABLE updates (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    status      TEXT    NOT NULL CHECK (status IN ('scheduled', 'sent', 'cancelled')),
    send_at     TEXT    NOT NULL,  -- UTC; when the deliveries are (or were) enqueued
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    enqueued_at TEXT
);
CREATE INDEX updates_due ON updates (status, send_at);

CREATE TABLE update_actions (
    update_id INTEGER NOT NULL REFERENCES updates(id) ON DELETE CASCADE,
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    PRIMARY KEY (update_id, action_id)
) WITHOUT ROWID;

-- The outbox: one row per message to one person. The worker sends due rows in order.
CREATE TABLE deliveries (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    kind                TEXT    NOT NULL CHECK (kind IN ('update', 'reminder', 'session', 'nudge')),
    update_id           INTEGER REFERENCES updates(id) ON DELETE CASCADE,
    participant_id      INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    workshop_id         INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    session_id          INTEGER REFERENCES sessions(id) ON DELETE CASCADE,
    chat_id             INTEGER NOT NULL,
    personalised        INTEGER NOT NULL DEFAULT 0,
    text                TEXT    NOT NULL,  -- rendered HTML, exactly what is sent
    buttons             TEXT    NOT NULL DEFAULT '[]',  -- JSON rows of [label, data]
    state               TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN
                            ('pending', 'sending', 'sent', 'failed', 'unreachable', 'cancelled')),
    attempts            INTEGER NOT NULL DEFAULT 0,
    not_before          TEXT    NOT NULL,  -- UTC
    last_error          TEXT,
    telegram_message_id INTEGER,
    created_at          TEXT    NOT NULL,
    sent_at             TEXT
);
CREATE INDEX deliveries_due ON deliveries (state, not_before, id);
CREATE UNIQUE INDEX deliveries_once ON deliveries (update_id, participant_id)
    WHERE update_id IS NOT NULL;

-- Co-evaluation: "does this reflect what you said?", once per update and person.
CREATE TABLE feedback (
    update_id      INTEGER NOT NULL REFERENCES updates(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    verdict        TEXT    NOT NULL CHECK (verdict IN ('yes', 'partly', 'no')),
    comment        TEXT,
    answered_at    TEXT    NOT NULL,
    PRIMARY KEY (update_id, participant_id)
) WITHOUT ROWID;

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    workshop_id   INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    starts_at     TEXT    NOT NULL,  -- UTC
    venue         TEXT    NOT NULL,
    accessibility TEXT    NOT NULL DEFAULT '',
    created_by    INTEGER NOT NULL,
    created_at    TEXT    NOT NULL,
    reminded_at   TEXT
);

CREATE TABLE session_replies (
    session_id     INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    reply          TEXT    NOT NULL CHECK (reply IN ('cant_come')),
    replied_at     TEXT    NOT NULL,
    PRIMARY KEY (session_id, participant_id)
) WITHOUT ROWID;

-- Facilitator nudges already sent, so each is sent once per quiet spell.
CREATE TABLE facilitator_nudges (
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    due_since   TEXT    NOT NULL,  -- the last update (or start) the nudge is about
    sent_at     TEXT    NOT NULL,
    PRIMARY KEY (workshop_id, due_since)
) WITHOUT ROWID;
