-- Daily statistics per account, from the platforms. NULL means the platform
-- did not give that figure (exports leave it empty, never 0).
CREATE TABLE daily_stats (
    account_id     TEXT NOT NULL REFERENCES accounts (id),
    date           TEXT NOT NULL, -- YYYY-MM-DD in the configured timezone
    followers      INTEGER,
    new_followers  INTEGER,
    lost_followers INTEGER,
    posts          INTEGER,
    reads          INTEGER,
    shares         INTEGER,
    likes          INTEGER,
    zaikan         INTEGER,
    comments       INTEGER,
    collected_at   TEXT NOT NULL,
    PRIMARY KEY (account_id, date)
);
CREATE INDEX daily_stats_date ON daily_stats (date);

-- Per-post figures (Weibo posts herald made), as last collected.
CREATE TABLE post_stats (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    post_id    TEXT NOT NULL,
    date       TEXT NOT NULL,
    reposts    INTEGER,
    comments   INTEGER,
    likes      INTEGER,
    PRIMARY KEY (account_id, post_id, date)
);

-- What a collection could not get, for the report and the next run.
CREATE TABLE collect_failures (
    id         INTEGER PRIMARY KEY,
    at         TEXT NOT NULL,
    account_id TEXT NOT NULL,
    date_from  TEXT NOT NULL,
    date_to    TEXT NOT NULL,
    reason     TEXT NOT NULL
);
