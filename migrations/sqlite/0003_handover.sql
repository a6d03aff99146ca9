-- Handing a validated demande to the candidate: candidate accounts, one-time tokens, and the
-- outbox of emails and SMS (written in the transaction of the change they announce).

ALTER TABLE users ADD COLUMN sexe TEXT;
ALTER TABLE users ADD COLUMN secret_question TEXT;      -- code of a question of the fixed list
ALTER TABLE users ADD COLUMN secret_answer_hash TEXT;   -- argon2id of the folded answer
ALTER TABLE users ADD COLUMN activated_at INTEGER;
ALTER TABLE users ADD COLUMN created_by_school INTEGER REFERENCES schools (id);

-- The candidate a validated demande is handed to.
ALTER TABLE demandes ADD COLUMN usager_id INTEGER REFERENCES users (id);
CREATE INDEX demandes_usager ON demandes (usager_id, updated_at);

-- Activation and password-reset links. Only the SHA-256 of the token is stored; a new token
-- of a purpose revokes the user's previous ones.
CREATE TABLE account_tokens (
    id          INTEGER PRIMARY KEY,
    user_id     INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    purpose     TEXT NOT NULL CHECK (purpose IN ('activation', 'reset')),
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER,
    revoked_at  INTEGER
);
CREATE INDEX account_tokens_user ON account_tokens (user_id, purpose);

-- Messages to send. `link` holds the personal link (it carries a token) substituted for
-- « {{lien}} » in the bodies at sending time; it is erased once the message is sent or failed.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    user_id         INTEGER REFERENCES users (id) ON DELETE CASCADE,
    demande_id      INTEGER REFERENCES demandes (id) ON DELETE SET NULL,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL DEFAULT '',
    body_text       TEXT NOT NULL,
    body_html       TEXT,
    link            TEXT,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    lease_owner     TEXT,
    lease_until     INTEGER,
    last_error      TEXT,
    transport       TEXT,
    created_at      INTEGER NOT NULL,
    sent_at         INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_user ON outbox (user_id, created_at);

-- Every delivery attempt: who tried, when, and how it ended (NULL outcome: interrupted).
CREATE TABLE outbox_attempts (
    id          INTEGER PRIMARY KEY,
    outbox_id   INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
    attempt     INTEGER NOT NULL,
    owner       TEXT NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    outcome     TEXT,
    error       TEXT,
    UNIQUE (outbox_id, attempt)
);

-- The development mailbox: what the « mailbox » transport delivered (PERMIS_DEV_MAILBOX only).
CREATE TABLE dev_mailbox (
    id          INTEGER PRIMARY KEY,
    outbox_key  TEXT NOT NULL,
    channel     TEXT NOT NULL,
    recipient   TEXT NOT NULL,
    subject     TEXT NOT NULL,
    body_text   TEXT NOT NULL,
    body_html   TEXT,
    received_at INTEGER NOT NULL
);
