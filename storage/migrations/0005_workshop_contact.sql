-- Who to ask about a workshop, and how to join without a smartphone: both printed on the
-- invite poster, both optional (an empty text means not set).
ALTER TABLE workshops ADD COLUMN contact TEXT NOT NULL DEFAULT '';
ALTER TABLE workshops ADD COLUMN offline_way_in TEXT NOT NULL DEFAULT '';
