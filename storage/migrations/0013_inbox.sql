-- 回应: the public's messages, comments and mentions, and herald's answers.

-- WeChat's msg_data_id of what a delivery published (freepublish/submit or
-- a mass send): the key of its comments. NULL when the platform gave none.
ALTER TABLE deliveries ADD COLUMN msg_data_id INTEGER;
CREATE INDEX deliveries_msg_data ON deliveries (account_id, published_at) WHERE msg_data_id IS NOT NULL;

-- One entry per message, comment or mention, stored once: remote_key is the
-- platform's own key (MsgId; an event's FromUserName+CreateTime; a comment's
-- msg_data_id/index/user_comment_id; a Weibo comment or post id).
CREATE TABLE inbox_entries (
    id             INTEGER PRIMARY KEY,
    account_id     TEXT NOT NULL,
    platform       TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('message', 'comment', 'weibo_comment', 'weibo_mention')),
    remote_key     TEXT NOT NULL,
    from_id        TEXT NOT NULL DEFAULT '',
    from_name      TEXT NOT NULL DEFAULT '',
    text           TEXT NOT NULL DEFAULT '',
    -- what a reply needs, in the channel's own words (opaque here)
    target         TEXT NOT NULL DEFAULT '',
    -- the article or post the entry is on
    post_key       TEXT NOT NULL DEFAULT '',
    item_id        INTEGER,
    title          TEXT NOT NULL DEFAULT '',
    url            TEXT NOT NULL DEFAULT '',
    received_at    TEXT NOT NULL,
    -- the platform's own window for an answer (WeChat messages: 48 h after
    -- the user's last message); NULL: none
    window_ends_at TEXT,
    due_at         TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'closed')),
    closed_by      TEXT NOT NULL DEFAULT '',
    closed_reason  TEXT NOT NULL DEFAULT '',
    done_at        TEXT,
    -- what the robot was told: bit 1 new, 2 reminder, 4 overdue, 8 department (two months), 16 office (ten weeks)
    told           INTEGER NOT NULL DEFAULT 0,
    created_at     TEXT NOT NULL,
    UNIQUE (account_id, kind, remote_key)
);
CREATE INDEX inbox_state ON inbox_entries (state, due_at);
CREATE INDEX inbox_account ON inbox_entries (account_id, received_at);

-- Every attempt to answer an entry, recorded (state sending) before the
-- platform call; at most one attempt per entry is not failed.
CREATE TABLE inbox_replies (
    id          INTEGER PRIMARY KEY,
    entry_id    INTEGER NOT NULL REFERENCES inbox_entries (id),
    text        TEXT NOT NULL,
    by_name     TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    error       TEXT NOT NULL DEFAULT '',
    remote_id   TEXT NOT NULL DEFAULT '',
    started_at  TEXT NOT NULL,
    finished_at TEXT
);
CREATE INDEX inbox_replies_entry ON inbox_replies (entry_id, id);
CREATE UNIQUE INDEX inbox_replies_live ON inbox_replies (entry_id) WHERE state != 'failed';

-- Where reading stopped, per account and source (a WeChat article, a Weibo
-- stream): the channel's own cursor. unreadable: the platform will not give
-- this source's comments (88000/88001); it is not asked again.
CREATE TABLE inbox_cursors (
    account_id TEXT NOT NULL,
    source     TEXT NOT NULL,
    cursor     TEXT NOT NULL DEFAULT '',
    unreadable TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account_id, source)
);
