-- Instruction by the centres (CERT « permis de conduire »): which centre covers which
-- département, the agents' centre, where each demande is routed, who follows it, the
-- verdicts on its items, the requests for a complement, the decision and the NEPH.

CREATE TABLE certs (
    id         INTEGER PRIMARY KEY,
    nom        TEXT NOT NULL UNIQUE,      -- « CERT de Nantes »
    adresse    TEXT NOT NULL,             -- postal address, one line per line
    email      TEXT NOT NULL,
    telephone  TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

-- A département is covered by one centre.
CREATE TABLE cert_departements (
    departement TEXT PRIMARY KEY,
    cert_id     INTEGER NOT NULL REFERENCES certs (id)
);
CREATE INDEX cert_departements_cert ON cert_departements (cert_id);

-- An agent belongs to one centre.
ALTER TABLE users ADD COLUMN cert_id INTEGER REFERENCES certs (id);

-- Registration numbers: 12 digits, each given once.
CREATE TABLE nephs (
    neph        TEXT PRIMARY KEY CHECK (length(neph) = 12 AND replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(neph, '0', ''), '1', ''), '2', ''), '3', ''), '4', ''), '5', ''), '6', ''), '7', ''), '8', ''), '9', '') = ''),
    attribue_at INTEGER NOT NULL
);

-- Routing (centre, département of domicile, when transmitted), follow-up (agent), the
-- pending complement's deadline and the decision (NEPH and date, or rejection's ground and
-- motivation).
ALTER TABLE demandes ADD COLUMN cert_id INTEGER REFERENCES certs (id);
ALTER TABLE demandes ADD COLUMN departement TEXT;
ALTER TABLE demandes ADD COLUMN transmise_at INTEGER;
ALTER TABLE demandes ADD COLUMN agent_id INTEGER REFERENCES users (id);
ALTER TABLE demandes ADD COLUMN complement_avant INTEGER;
ALTER TABLE demandes ADD COLUMN neph TEXT REFERENCES nephs (neph);
ALTER TABLE demandes ADD COLUMN inscrite_at INTEGER;
ALTER TABLE demandes ADD COLUMN rejet_motif TEXT;
ALTER TABLE demandes ADD COLUMN rejet_motivation TEXT;
CREATE INDEX demandes_cert_etat ON demandes (cert_id, etat, transmise_at);
CREATE INDEX demandes_agent_etat ON demandes (agent_id, etat);

-- The current verdict of an agent on an item of a demande (« piece:domicile »,
-- « champ:prenoms »); `non_conformite` NULL: conforme.
CREATE TABLE verdicts (
    demande_id     INTEGER NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    item           TEXT NOT NULL,
    non_conformite TEXT,
    commentaire    TEXT,
    agent_id       INTEGER NOT NULL REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    PRIMARY KEY (demande_id, item)
);

-- A request for a complement: the items to replace with their reasons (JSON list of
-- verdicts), the deadline, and when the school answered.
CREATE TABLE complements (
    id         INTEGER PRIMARY KEY,
    demande_id INTEGER NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    items      TEXT NOT NULL,
    nb_items   INTEGER NOT NULL,
    avant      INTEGER NOT NULL,
    agent_id   INTEGER NOT NULL REFERENCES users (id),
    created_at INTEGER NOT NULL,
    recu_at    INTEGER
);
CREATE INDEX complements_demande ON complements (demande_id, id);

-- Notes of the agents on a demande: never shown to the school or the candidate.
CREATE TABLE agent_notes (
    id         INTEGER PRIMARY KEY,
    demande_id INTEGER NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    agent_id   INTEGER NOT NULL REFERENCES users (id),
    texte      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX agent_notes_demande ON agent_notes (demande_id, id);

-- A replaced pièce stays viewable by the agents (the version before the complement).
ALTER TABLE pieces ADD COLUMN remplacee_at INTEGER;

-- The timeline: the reason of a step (a code) and its comment.
ALTER TABLE demande_events ADD COLUMN motif TEXT;
ALTER TABLE demande_events ADD COLUMN commentaire TEXT;
