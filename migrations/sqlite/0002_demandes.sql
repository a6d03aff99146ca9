-- Demandes entered by driving schools. The steps are kept as one JSON document (`data`);
-- the columns the school's list filters and sorts on are copied next to it.

CREATE TABLE demandes (
    id           INTEGER PRIMARY KEY,
    school_id    INTEGER NOT NULL REFERENCES schools (id),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    etat         TEXT NOT NULL DEFAULT 'brouillon',
    numero       TEXT UNIQUE,                 -- assigned when the school validates
    data         TEXT NOT NULL DEFAULT '{}',
    prenom       TEXT NOT NULL DEFAULT '',
    nom          TEXT NOT NULL DEFAULT '',
    categories   TEXT NOT NULL DEFAULT '',
    recherche    TEXT NOT NULL DEFAULT '',    -- number and names, folded in Rust for search
    version      INTEGER NOT NULL DEFAULT 0,  -- +1 on every change: concurrent writes are detected
    etape        INTEGER NOT NULL DEFAULT 1,  -- the step to resume at
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    validated_at INTEGER
);
CREATE INDEX demandes_school_updated ON demandes (school_id, updated_at);

-- What happened to a demande, for the next stages to consume (notifications, deadlines).
CREATE TABLE demande_events (
    id          INTEGER PRIMARY KEY,
    demande_id  INTEGER NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    consumed_at INTEGER
);
CREATE INDEX demande_events_pending ON demande_events (consumed_at, id);

-- Daily sequences of demande numbers, one row per département and day.
CREATE TABLE numero_sequences (
    scope TEXT PRIMARY KEY,
    last  INTEGER NOT NULL
);

-- The e-photo registry: approved photo booths and photographers (API key stored as SHA-256),
-- and the codes they issue with the photo and signature they took.
CREATE TABLE ephoto_providers (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    key_hash    TEXT NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE ephoto_codes (
    code          TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    photo_key     TEXT,
    signature_key TEXT,
    created_at    INTEGER NOT NULL,
    demande_id    INTEGER REFERENCES demandes (id) ON DELETE SET NULL
);

-- Supporting documents. The file itself is in the object store under `storage_key`.
CREATE TABLE pieces (
    id           INTEGER PRIMARY KEY,
    demande_id   INTEGER NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    kind         TEXT NOT NULL,
    storage_key  TEXT NOT NULL UNIQUE,
    thumb_key    TEXT,
    filename     TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size         INTEGER NOT NULL,
    pages        INTEGER NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX pieces_demande ON pieces (demande_id, kind);
