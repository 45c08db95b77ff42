-- The inspection patrol: what every account published, as read from the
-- platforms' own lists (herald's publications and those made by hand), what
-- the checks found in it, and repost tasks from the higher level.
CREATE TABLE publications (
    account_id   TEXT NOT NULL,
    remote_id    TEXT NOT NULL, -- WeChat article URL, Weibo status id
    title        TEXT NOT NULL,
    url          TEXT NOT NULL,
    source_url   TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL, -- WeChat HTML, Weibo text
    published_at TEXT NOT NULL,
    read_at      TEXT NOT NULL,
    PRIMARY KEY (account_id, remote_id)
);
CREATE INDEX publications_at ON publications (account_id, published_at);

-- Per account: everything published from covered_from up to read_at is in publications.
CREATE TABLE publication_reads (
    account_id   TEXT PRIMARY KEY,
    covered_from TEXT NOT NULL,
    read_at      TEXT NOT NULL
);

CREATE TABLE patrol_findings (
    id          INTEGER PRIMARY KEY,
    account_id  TEXT NOT NULL,
    remote_id   TEXT NOT NULL,
    term        TEXT NOT NULL,
    suggestion  TEXT NOT NULL,
    level       TEXT NOT NULL,
    kind        TEXT NOT NULL,
    position    INTEGER NOT NULL,
    context     TEXT NOT NULL,
    found_at    TEXT NOT NULL,
    notified_at TEXT,
    UNIQUE (account_id, remote_id, position, term)
);

CREATE TABLE repost_tasks (
    id          INTEGER PRIMARY KEY,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL DEFAULT '',
    due_at      TEXT NOT NULL,
    targets     TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    reminded_at TEXT,
    overdue_at  TEXT -- when the robot was told who missed it
);

CREATE TABLE repost_task_accounts (
    task_id      INTEGER NOT NULL REFERENCES repost_tasks (id),
    account_id   TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending', -- pending, done, late, missing
    url          TEXT NOT NULL DEFAULT '',
    published_at TEXT,
    PRIMARY KEY (task_id, account_id)
);
