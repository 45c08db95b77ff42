-- Policy documents read from the county site's 政策文件 lists, and the items
-- (解读 articles, 图解 graphics) linked to them.
CREATE TABLE policies (
    id             INTEGER PRIMARY KEY,
    url            TEXT NOT NULL UNIQUE,
    source         TEXT NOT NULL,
    title          TEXT NOT NULL,
    issuer         TEXT NOT NULL DEFAULT '',
    doc_number     TEXT NOT NULL DEFAULT '',
    index_number   TEXT NOT NULL DEFAULT '',  -- 索引号
    written_date   TEXT NOT NULL DEFAULT '',  -- 成文日期, YYYY-MM-DD
    published_date TEXT NOT NULL DEFAULT '',  -- 发布日期, YYYY-MM-DD
    body           TEXT NOT NULL DEFAULT '',
    content_hash   TEXT NOT NULL,
    first_seen_at  TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    checked_at     TEXT NOT NULL
);

CREATE TABLE policy_items (
    policy_id  INTEGER NOT NULL REFERENCES policies (id),
    item_id    INTEGER NOT NULL REFERENCES items (id),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    PRIMARY KEY (policy_id, item_id)
);
CREATE INDEX policy_items_item ON policy_items (item_id);
