-- Every person in their own language. A language is a code such as 'en' or 'pl'.

-- The language a person is spoken to in, for messages sent to them later (updates,
-- reminders): the one they chose with /language, or their Telegram's when they joined.
ALTER TABLE participants ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
-- The language each member of staff (facilitator or owner) reads alerts, nudges and their
-- command menu in: one per person, whatever workshops they run.
CREATE TABLE staff_languages (
    telegram_user_id INTEGER PRIMARY KEY,
    language         TEXT    NOT NULL,
    updated_at       TEXT    NOT NULL
) WITHOUT ROWID;
-- A consent names the language of the words it was given to (text_sha256 is their hash).
ALTER TABLE consents ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE consent_tombstones ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
-- A workshop's own words are written in its language; translations add others:
-- {"pl": {"title": ..., "purpose": ..., "can_change": [...], ...}}, and per question
-- {"pl": {"prompt": ..., "hint": ..., "options": [...]}}.
ALTER TABLE workshops ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE workshops ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE questions ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
ALTER TABLE about_questions ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
-- An update's body in more languages than the workshop's: {"pl": "..."}.
ALTER TABLE updates ADD COLUMN translations TEXT NOT NULL DEFAULT '{}';
