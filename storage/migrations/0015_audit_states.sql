-- Audit entries name a state change and its reason in fields of their own,
-- so nothing reads them back out of the detail text (the console shows
-- them in Chinese, the robot tells a submission by to_state).
ALTER TABLE audit_log ADD COLUMN from_state TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN to_state TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN note TEXT NOT NULL DEFAULT '';
