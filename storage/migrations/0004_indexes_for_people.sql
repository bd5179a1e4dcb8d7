-- Opt-out, unreachable and erasure look deliveries, feedback and session replies up by
-- person; without these each of them scanned the whole table.
CREATE INDEX deliveries_by_chat ON deliveries (chat_id, state);
CREATE INDEX deliveries_by_participant ON deliveries (participant_id, state);
CREATE INDEX feedback_by_participant ON feedback (participant_id);
CREATE INDEX session_replies_by_participant ON session_replies (participant_id);
