-- FranceConnect. A login under way: written when the browser leaves for the provider, used
-- once when it comes back (`state` and the browser's cookie must both match, within ten
-- minutes). Only hashes of `state` and of the browser's value are kept.
CREATE TABLE franceconnect_flows (
    state_hash   TEXT PRIMARY KEY,
    browser_hash TEXT NOT NULL,
    nonce        TEXT NOT NULL,
    -- what the login is for: log in, activate the account of an activation link, or link
    -- FranceConnect to the logged-in candidate's account
    but          TEXT NOT NULL CHECK (but IN ('connexion', 'activation', 'lier')),
    -- activation: the hash of the activation link's token
    token_hash   TEXT,
    -- lier: the logged-in candidate
    user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX franceconnect_flows_expires ON franceconnect_flows (expires_at);
CREATE INDEX franceconnect_flows_user ON franceconnect_flows (user_id) WHERE user_id IS NOT NULL;

-- A candidate account linked to FranceConnect: the provider's subject and the identité pivot
-- it certified (given names, family name, birth date, gender, birthplace and country, as
-- FranceConnect spells them). A login through FranceConnect reaches the account only when both
-- the subject and the identity match: never by email.
CREATE TABLE franceconnect_links (
    user_id        INTEGER NOT NULL PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    sub            TEXT NOT NULL UNIQUE,
    given_name     TEXT NOT NULL,
    family_name    TEXT NOT NULL,
    preferred_name TEXT NOT NULL DEFAULT '',
    birthdate      TEXT NOT NULL,
    gender         TEXT NOT NULL,
    birthplace     TEXT NOT NULL,
    birthcountry   TEXT NOT NULL,
    linked_at      INTEGER NOT NULL,
    last_login_at  INTEGER
);

-- A session opened through FranceConnect keeps its ID token: logging out goes through the
-- provider (`id_token_hint`).
ALTER TABLE sessions ADD COLUMN franceconnect_id_token TEXT;

-- A demande validated by a candidate whose identity FranceConnect certified (and matched what
-- the school typed): the centre sees it.
ALTER TABLE demandes ADD COLUMN identite_certifiee_at INTEGER;
