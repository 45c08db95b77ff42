-- A channel's resumable progress of a delivery (e.g. the WeChat draft and
-- publish_id of an attempt), opaque to everything but that channel. It is
-- kept across attempts: the channel decides what an earlier attempt's
-- progress means for the next one. remote_id now only holds what the
-- platform published (the result), so progress that earlier versions kept
-- in remote_id while a delivery was unfinished moves here unchanged.
ALTER TABLE deliveries ADD COLUMN progress TEXT NOT NULL DEFAULT '';
UPDATE deliveries SET progress = remote_id, remote_id = ''
 WHERE state IN ('pending', 'sending', 'unknown') AND remote_id != '';
