-- The search's word index (app/src/server/mots.rs): each word of a demande's `recherche`, keyed
-- by its school and, once it is at a centre, by the centre. A search reads the entries of its
-- longest word in one school or centre instead of every `recherche` of the school. Words are
-- compared in byte order (a prefix is a range). Written by `mots::reindex` after every change
-- of `recherche` or `cert_id`; a demande's words are deleted with it.
-- Propre à chaque base : début.
CREATE TABLE demande_mots (
    school_id  BIGINT NOT NULL,
    mot        TEXT COLLATE "C" NOT NULL,
    demande_id BIGINT NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    PRIMARY KEY (school_id, mot, demande_id)
);
CREATE TABLE cert_mots (
    cert_id    BIGINT NOT NULL,
    mot        TEXT COLLATE "C" NOT NULL,
    demande_id BIGINT NOT NULL REFERENCES demandes (id) ON DELETE CASCADE,
    PRIMARY KEY (cert_id, mot, demande_id)
);
-- Propre à chaque base : fin.
CREATE INDEX demande_mots_demande ON demande_mots (demande_id);
CREATE INDEX cert_mots_demande ON cert_mots (demande_id);

-- The demandes already there (the same statements as `mots::fill_all`).
-- Propre à chaque base : début.
WITH RECURSIVE decoupe (id, school_id, mot, reste) AS (
    SELECT id, school_id, CAST('' AS TEXT), recherche || ' ' FROM demandes
    UNION ALL
    SELECT id, school_id, substr(reste, 1, strpos(reste, ' ') - 1),
           substr(reste, strpos(reste, ' ') + 1)
    FROM decoupe WHERE reste <> ''
)
INSERT INTO demande_mots (school_id, mot, demande_id)
SELECT DISTINCT school_id, mot, id FROM decoupe WHERE mot <> '';
-- Propre à chaque base : fin.
INSERT INTO cert_mots (cert_id, mot, demande_id)
SELECT d.cert_id, m.mot, m.demande_id FROM demande_mots m JOIN demandes d ON d.id = m.demande_id
WHERE d.cert_id IS NOT NULL;
