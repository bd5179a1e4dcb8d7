-- A long update goes as several messages: count the parts that went out, so that a retry
-- sends only the rest. Each part's count is recorded with that part's message id.
ALTER TABLE deliveries ADD COLUMN parts_sent INTEGER NOT NULL DEFAULT 0;
