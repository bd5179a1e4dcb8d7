-- Facilitators, their invites, the audit log, link opens, themes and "about you".

ALTER TABLE workshops ADD COLUMN update_cadence_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE workshops ADD COLUMN closing_message TEXT;
ALTER TABLE workshops ADD COLUMN closed_at TEXT;
ALTER TABLE workshops ADD COLUMN created_by INTEGER;

CREATE TABLE facilitators (
    workshop_id      INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    telegram_user_id INTEGER NOT NULL,
    name             TEXT    NOT NULL DEFAULT '',  -- staff, not participants: shown to co-facilitators
    added_by         INTEGER,
    added_at         TEXT    NOT NULL,
    PRIMARY KEY (workshop_id, telegram_user_id)
) WITHOUT ROWID;
CREATE INDEX facilitators_by_user ON facilitators (telegram_user_id);

-- One-time links that make someone a facilitator of one workshop.
CREATE TABLE facilitator_invites (
    code        TEXT    PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    created_by  INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    expires_at  TEXT    NOT NULL,
    used_by     INTEGER,
    used_at     TEXT
) WITHOUT ROWID;

-- Every facilitator action, and every refused attempt at one.
CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT    NOT NULL,
    actor       INTEGER NOT NULL,
    action      TEXT    NOT NULL,
    workshop_id INTEGER,
    allowed     INTEGER NOT NULL CHECK (allowed IN (0, 1)),
    detail      TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_by_workshop ON audit_log (workshop_id, at);

-- Who opened an invite link, for the funnel: a keyed hash counts people without naming them.
CREATE TABLE link_opens (
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    opener      TEXT    NOT NULL,
    opened_at   TEXT    NOT NULL,
    PRIMARY KEY (workshop_id, opener)
) WITHOUT ROWID;

CREATE TABLE themes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    name        TEXT    NOT NULL COLLATE NOCASE,
    created_at  TEXT    NOT NULL,
    UNIQUE (workshop_id, name)
);

CREATE TABLE theme_tags (
    theme_id  INTEGER NOT NULL REFERENCES themes(id) ON DELETE CASCADE,
    answer_id INTEGER REFERENCES answers(id) ON DELETE CASCADE,
    view_id   INTEGER REFERENCES views(id) ON DELETE CASCADE,
    tagged_by INTEGER NOT NULL,
    tagged_at TEXT    NOT NULL,
    CHECK ((answer_id IS NULL) <> (view_id IS NULL))
);
CREATE UNIQUE INDEX theme_tags_answer ON theme_tags (theme_id, answer_id)
    WHERE answer_id IS NOT NULL;
CREATE UNIQUE INDEX theme_tags_view ON theme_tags (theme_id, view_id) WHERE view_id IS NOT NULL;
CREATE INDEX theme_tags_by_answer ON theme_tags (answer_id);
CREATE INDEX theme_tags_by_view ON theme_tags (view_id);

-- Optional "about you" questions for representativeness: kept apart from answers and views,
-- never exported with them.
CREATE TABLE about_questions (
    id          INTEGER PRIMARY KEY,
    workshop_id INTEGER NOT NULL REFERENCES workshops(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    prompt      TEXT    NOT NULL,
    options     TEXT    NOT NULL,              -- JSON list of strings
    targets     TEXT    NOT NULL DEFAULT '{}', -- JSON {option: target percent}
    UNIQUE (workshop_id, position),
    UNIQUE (workshop_id, key)
);

CREATE TABLE about_answers (
    participant_id    INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    about_question_id INTEGER NOT NULL REFERENCES about_questions(id) ON DELETE CASCADE,
    value             TEXT    NOT NULL,
    answered_at       TEXT    NOT NULL,
    PRIMARY KEY (participant_id, about_question_id)
) WITHOUT ROWID;

CREATE INDEX answers_by_question ON answers (question_id, answered_at);
CREATE INDEX participants_by_workshop ON participants (workshop_id, status);
