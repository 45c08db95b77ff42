-- A cancel that found deliveries already in flight: the item stays
-- publishing until their answers settle, nothing new starts, and an attempt
-- that comes back without having published is cancelled, not retried.
ALTER TABLE items ADD COLUMN cancel_requested_at TEXT;

-- What went out and was deleted again from the platform (herald post retract).
ALTER TABLE deliveries ADD COLUMN retracted_at TEXT;
