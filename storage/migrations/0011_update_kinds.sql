-- What an update is. A progress update lists actions and asks whether it reflects what
-- people said; a reminder or a notice (a venue or time change) is just the message.
ALTER TABLE updates ADD COLUMN kind TEXT NOT NULL DEFAULT 'progress'
    CHECK (kind IN ('progress', 'reminder', 'notice'));
-- A facilitator chose to send it anyway, in quiet hours (an urgent notice): not held.
ALTER TABLE deliveries ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0 CHECK (urgent IN (0, 1));
