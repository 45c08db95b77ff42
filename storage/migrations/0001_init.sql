-- herald schema, version 1. Times are UTC text in the fixed-width form
-- 2006-01-02T15:04:05.000Z so that text order is time order.

CREATE TABLE accounts (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    platform          TEXT NOT NULL CHECK (platform IN ('wechat', 'weibo')),
    groups_json       TEXT NOT NULL DEFAULT '[]',
    department        TEXT NOT NULL DEFAULT '',
    wechat_type       TEXT NOT NULL DEFAULT '',
    -- accounts removed from the config stay, inactive, with their history
    active            INTEGER NOT NULL DEFAULT 1,
    health            TEXT NOT NULL DEFAULT 'unknown',
    health_message    TEXT NOT NULL DEFAULT '',
    health_checked_at TEXT,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);

-- Every image herald holds, once, by content hash; the file lives at
-- data_dir/media/<first two hex>/<sha256><ext>.
CREATE TABLE images (
    sha256     TEXT PRIMARY KEY,
    mime       TEXT NOT NULL,
    size       INTEGER NOT NULL,
    width      INTEGER NOT NULL,
    height     INTEGER NOT NULL,
    path       TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE items (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    state            TEXT NOT NULL,
    priority         TEXT NOT NULL DEFAULT 'normal',
    targets          TEXT NOT NULL,
    department       TEXT NOT NULL DEFAULT '',
    created_by       TEXT NOT NULL,
    notify           INTEGER NOT NULL DEFAULT 0,
    publish_at       TEXT,
    publish_now      INTEGER NOT NULL DEFAULT 0,
    cron             TEXT NOT NULL DEFAULT '',
    state_reason     TEXT NOT NULL DEFAULT '',
    current_revision INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX items_state ON items (state, publish_at);

-- Every edit is a new revision; approvals bind to a revision's content hash.
CREATE TABLE revisions (
    id             INTEGER PRIMARY KEY,
    item_id        INTEGER NOT NULL REFERENCES items (id),
    number         INTEGER NOT NULL,
    title          TEXT NOT NULL,
    body           TEXT NOT NULL,
    digest         TEXT NOT NULL DEFAULT '',
    author         TEXT NOT NULL DEFAULT '',
    source_url     TEXT NOT NULL DEFAULT '',
    broadcast_json TEXT,
    content_hash   TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    UNIQUE (item_id, number)
);

CREATE TABLE revision_images (
    revision_id INTEGER NOT NULL REFERENCES revisions (id),
    position    INTEGER NOT NULL,
    sha256      TEXT NOT NULL REFERENCES images (sha256),
    role        TEXT NOT NULL,
    ref         TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (revision_id, position)
);

-- One delivery per item and account; while pending it follows the item's
-- current revision, from its first attempt on it is bound to one.
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY,
    item_id         INTEGER NOT NULL REFERENCES items (id),
    revision_id     INTEGER NOT NULL REFERENCES revisions (id),
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    platform        TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending',
    attempt_id      TEXT NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    remote_id       TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    error           TEXT NOT NULL DEFAULT '',
    published_at    TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (item_id, account_id)
);
CREATE INDEX deliveries_state ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_account ON deliveries (account_id, published_at);

CREATE TABLE approvals (
    id           INTEGER PRIMARY KEY,
    item_id      INTEGER NOT NULL REFERENCES items (id),
    revision_id  INTEGER NOT NULL REFERENCES revisions (id),
    level        INTEGER NOT NULL,
    level_name   TEXT NOT NULL,
    reviewer     TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    secrecy_ok   INTEGER NOT NULL DEFAULT 0,
    voided       INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL
);
CREATE INDEX approvals_item ON approvals (item_id, revision_id);

CREATE TABLE audit_log (
    id          INTEGER PRIMARY KEY,
    at          TEXT NOT NULL,
    actor       TEXT NOT NULL,
    action      TEXT NOT NULL,
    item_id     INTEGER,
    revision_id INTEGER,
    account_id  TEXT NOT NULL DEFAULT '',
    detail      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_item ON audit_log (item_id, id);

-- Small shared state that must survive restarts: WeChat access tokens
-- (the library's cache.Cache), quota counters.
CREATE TABLE kv (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    expires_at TEXT
);
