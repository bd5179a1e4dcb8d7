-- Safeguarding: a message that used a risk phrase, kept for the workshop's facilitators to
-- act on (and mark handled). Before consent there is no participant yet: the Telegram id
-- lets the bot reach the person, and facilitators see the pseudonym when there is one.
CREATE TABLE flags (
    id               INTEGER PRIMARY KEY,
    workshop_id      INTEGER REFERENCES workshops(id) ON DELETE CASCADE,
    participant_id   INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    telegram_user_id INTEGER NOT NULL,
    pseudonym        TEXT,
    phrase           TEXT    NOT NULL,
    message          TEXT    NOT NULL,
    raised_at        TEXT    NOT NULL,
    handled_by       INTEGER,
    handled_at       TEXT
);
CREATE INDEX flags_open ON flags (workshop_id, handled_at);
CREATE INDEX flags_by_user ON flags (telegram_user_id);
CREATE INDEX flags_by_participant ON flags (participant_id);

-- Refused attempts are counted per hour before one more is logged (storage.audit).
CREATE INDEX audit_refusals ON audit_log (allowed, at);
