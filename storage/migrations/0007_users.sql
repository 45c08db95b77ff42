-- Console users with passwords (argon2id, PHC form), token expiry, sessions
-- that belong to a user or a token and expire when idle, and login failures
-- (for locking a name or an address after repeated guesses).
CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    name                TEXT NOT NULL UNIQUE,
    department          TEXT NOT NULL,
    role                TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'reviewer', 'viewer')),
    password_hash       TEXT NOT NULL,
    disabled            INTEGER NOT NULL DEFAULT 0,
    created_at          TEXT NOT NULL,
    password_changed_at TEXT NOT NULL
);

ALTER TABLE api_tokens ADD COLUMN expires_at TEXT;

-- Sessions of the old shape are dropped: everyone signs in again once.
DROP TABLE sessions;
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    token_id     INTEGER REFERENCES api_tokens (id),
    user_id      INTEGER REFERENCES users (id),
    csrf         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    idle_seconds INTEGER NOT NULL,
    expires_at   TEXT NOT NULL,
    CHECK ((token_id IS NULL) <> (user_id IS NULL))
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_token ON sessions (token_id);

CREATE TABLE login_failures (
    id      INTEGER PRIMARY KEY,
    subject TEXT NOT NULL, -- "name:<user name>" or "addr:<client address>"
    at      TEXT NOT NULL
);
CREATE INDEX login_failures_subject ON login_failures (subject, at);
