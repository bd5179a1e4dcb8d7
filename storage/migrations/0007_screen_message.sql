-- The message showing a person's current question or review screen: a button pressed on
-- any other message has moved on, and a typed answer takes this message's buttons off.
ALTER TABLE participants ADD COLUMN screen_message_id INTEGER;
-- 1 while that message still carries its buttons (so they are taken off only once).
ALTER TABLE participants ADD COLUMN screen_buttons INTEGER NOT NULL DEFAULT 0
    CHECK (screen_buttons IN (0, 1));
