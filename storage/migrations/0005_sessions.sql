-- Console login sessions: the cookie holds a random id; only its hash is kept.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    token_id   INTEGER NOT NULL REFERENCES api_tokens (id),
    csrf       TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
