-- herald post retract on a whole item: from this time nothing new starts
-- (cancel_requested_at is set with it), what was pending is cancelled, and
-- what went out — also what was in flight and settles published later — is
-- deleted from the platforms. The item becomes retracted once the platforms
-- have nothing of it.
ALTER TABLE items ADD COLUMN retract_requested_at TEXT;
CREATE INDEX items_retracting ON items (id) WHERE retract_requested_at IS NOT NULL AND state != 'retracted';
