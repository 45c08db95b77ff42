-- What the channels need to publish exactly once and never upload twice.

-- When the current attempt started: reconciliation looks for what the
-- platform published after it.
ALTER TABLE deliveries ADD COLUMN attempt_started_at TEXT;

-- Media uploaded to a platform account, by content hash and kind (a WeChat
-- permanent image, an article body image), so the same bytes never go up twice.
CREATE TABLE platform_media (
    account_id TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    kind       TEXT NOT NULL,
    media_id   TEXT NOT NULL DEFAULT '',
    url        TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (account_id, sha256, kind)
);

-- WeChat mass sends, for the per-account quota (subscription 1 a day,
-- service 4 a month). One per delivery at most.
CREATE TABLE mass_sends (
    delivery_id INTEGER PRIMARY KEY REFERENCES deliveries (id),
    account_id  TEXT NOT NULL,
    at          TEXT NOT NULL
);
CREATE INDEX mass_sends_account ON mass_sends (account_id, at);
