-- Deadlines: what an expired activation leaves behind, and the record of job runs.

-- The links of accounts deleted for want of activation: the link then says what happened.
-- Only the token's hash and the date are kept.
CREATE TABLE expired_links (
    token_hash TEXT PRIMARY KEY,
    deleted_at INTEGER NOT NULL
);

-- Every run of a background job: when, by whom, how much it did.
CREATE TABLE job_runs (
    id          INTEGER PRIMARY KEY,
    job         TEXT NOT NULL,
    owner       TEXT NOT NULL,
    as_of       INTEGER NOT NULL,
    started_at  INTEGER NOT NULL,
    finished_at INTEGER,
    processed   INTEGER NOT NULL DEFAULT 0,
    error       TEXT
);
CREATE INDEX job_runs_recent ON job_runs (started_at);
