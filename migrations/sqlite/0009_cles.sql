-- Keys the server instances share, created once at the first start (e.g. `flash`: the key
-- that seals what a refused form brings back in its cookie). Base64, 32 random bytes.
CREATE TABLE server_keys (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
