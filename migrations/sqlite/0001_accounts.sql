-- Accounts, sessions and failed logins. Timestamps are Unix seconds (UTC).

CREATE TABLE schools (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    agrement    TEXT NOT NULL UNIQUE,      -- numéro d'agrément préfectoral, e.g. E2107500010
    departement TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE users (
    id                INTEGER PRIMARY KEY,
    role              TEXT NOT NULL CHECK (role IN ('ecole', 'usager', 'agent', 'admin')),
    espace            TEXT NOT NULL CHECK (espace IN ('usager', 'pro')),
    identifiant       TEXT NOT NULL UNIQUE,  -- lower case
    email             TEXT,                  -- as entered
    email_norm        TEXT,                  -- lower case, for lookups
    password_hash     TEXT,                  -- argon2id PHC string; NULL until the account is activated
    status            TEXT NOT NULL DEFAULT 'active'
                      CHECK (status IN ('active', 'pending_activation', 'disabled')),
    prenom            TEXT NOT NULL DEFAULT '',
    nom               TEXT NOT NULL DEFAULT '',
    school_id         INTEGER REFERENCES schools (id),
    created_at        INTEGER NOT NULL,
    last_login_at     INTEGER,
    previous_login_at INTEGER,
    CHECK ((role = 'ecole') = (school_id IS NOT NULL)),
    CHECK ((role = 'usager') = (espace = 'usager'))
);
CREATE UNIQUE INDEX users_espace_email ON users (espace, email_norm);
CREATE INDEX users_school ON users (school_id);

-- The cookie holds a random token; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash      TEXT PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);

-- One row per failed login, keyed by account ('user:<id>' or 'name:<identifier>') and by address ('ip:<addr>').
CREATE TABLE login_failures (
    id  INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    at  INTEGER NOT NULL
);
CREATE INDEX login_failures_key_at ON login_failures (key, at);

-- One row per throttled key, locked while an attempt is checked and recorded, so that parallel
-- attempts on one account are decided one after the other.
CREATE TABLE login_locks (
    key TEXT PRIMARY KEY
);
