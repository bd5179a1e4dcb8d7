-- What a person's next typed message is for, outside the questions: a view for the workshop
-- they are sharing with, or a comment on an update they answered. One row per person,
-- written in the same transaction as the step that asked for the text, so that a crash
-- between the bot's reply and the person's message cannot forget what the message is for.
CREATE TABLE typed_steps (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    telegram_user_id INTEGER NOT NULL UNIQUE,
    kind             TEXT    NOT NULL CHECK (kind IN ('view', 'comment')),
    -- NULL while a person in several workshops is still choosing which one a view is for
    participant_id   INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    update_id        INTEGER REFERENCES updates(id) ON DELETE CASCADE,
    continuing       INTEGER NOT NULL DEFAULT 0 CHECK (continuing IN (0, 1)),
    boot             TEXT    NOT NULL,  -- the run of the bot that opened it
    opened_at        TEXT    NOT NULL
);

-- The "say more?" message of each answered update, so a reply to it is filed under it.
ALTER TABLE feedback ADD COLUMN prompt_message_id INTEGER;

-- Telegram updates whose effect is stored: Telegram sends an unconfirmed update again after
-- a crash, and the second copy must change nothing.
CREATE TABLE handled_updates (
    update_id      INTEGER PRIMARY KEY,
    participant_id INTEGER REFERENCES participants(id) ON DELETE CASCADE,
    handled_at     TEXT    NOT NULL
);
CREATE INDEX handled_updates_by_participant ON handled_updates (participant_id);
