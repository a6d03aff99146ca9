-- How many demandes each school has in each state, kept by the database itself on every
-- insertion, change of state and deletion: the school's list shows its total without counting
-- its demandes (50 000 for a big school) on every display.
CREATE TABLE demandes_comptes (
    school_id BIGINT NOT NULL REFERENCES schools (id),
    etat      TEXT NOT NULL,
    n         BIGINT NOT NULL,
    PRIMARY KEY (school_id, etat)
);

INSERT INTO demandes_comptes (school_id, etat, n)
SELECT school_id, etat, COUNT(*) FROM demandes GROUP BY school_id, etat;

-- Propre à chaque base : début.
-- A change of state touches two counters of one school: they are taken in the order of their
-- state, so that two changes in opposite directions (a complement asked, another one received)
-- cannot wait for each other.
CREATE FUNCTION demandes_comptes_suivre() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (OLD.school_id, OLD.etat) > (NEW.school_id, NEW.etat) THEN
        INSERT INTO demandes_comptes (school_id, etat, n) VALUES (NEW.school_id, NEW.etat, 1)
        ON CONFLICT (school_id, etat) DO UPDATE SET n = demandes_comptes.n + 1;
        UPDATE demandes_comptes SET n = n - 1
        WHERE school_id = OLD.school_id AND etat = OLD.etat;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE demandes_comptes SET n = n - 1
        WHERE school_id = OLD.school_id AND etat = OLD.etat;
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        INSERT INTO demandes_comptes (school_id, etat, n) VALUES (NEW.school_id, NEW.etat, 1)
        ON CONFLICT (school_id, etat) DO UPDATE SET n = demandes_comptes.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER demandes_comptes_insertion_suppression AFTER INSERT OR DELETE ON demandes
FOR EACH ROW EXECUTE FUNCTION demandes_comptes_suivre();

CREATE TRIGGER demandes_comptes_changement AFTER UPDATE OF etat, school_id ON demandes
FOR EACH ROW
WHEN (OLD.etat IS DISTINCT FROM NEW.etat OR OLD.school_id IS DISTINCT FROM NEW.school_id)
EXECUTE FUNCTION demandes_comptes_suivre();
-- Propre à chaque base : fin.

-- The centre's queue: the tab each demande is in (« À instruire », the two complement tabs,
-- « Traitées »), computed by the database from its state, so that each tab is one range of an
-- index in the order of arrival, whatever the number of demandes the centre has decided. Both
-- indexes hold only the demandes at a centre (partial): the changes of state before it do not
-- touch them.
ALTER TABLE demandes ADD COLUMN file_cert TEXT GENERATED ALWAYS AS (
    CASE
        WHEN cert_id IS NULL THEN NULL
        WHEN etat IN ('transmise', 'complement_demande', 'complement_recu') THEN etat
        WHEN etat IN ('inscrite', 'rejetee', 'classee_sans_suite') THEN 'traitees'
    END
) STORED;
CREATE INDEX demandes_file_cert ON demandes
    (cert_id, file_cert, transmise_at, id, recherche, departement, school_id)
    WHERE cert_id IS NOT NULL;
-- « Suivies »: an agent's demandes in the order of arrival, the tab read from the index.
DROP INDEX demandes_agent_etat;
CREATE INDEX demandes_agent ON demandes
    (agent_id, transmise_at, id, file_cert, cert_id, recherche, departement, school_id)
    WHERE agent_id IS NOT NULL;

-- How many demandes of each school each centre has in each tab, kept like `demandes_comptes`:
-- the tabs' counts and the list of schools of the queue's filter, without reading the demandes.
CREATE TABLE cert_comptes (
    cert_id   BIGINT NOT NULL REFERENCES certs (id),
    file      TEXT NOT NULL,
    school_id BIGINT NOT NULL REFERENCES schools (id),
    n         BIGINT NOT NULL,
    PRIMARY KEY (cert_id, file, school_id)
);

INSERT INTO cert_comptes (cert_id, file, school_id, n)
SELECT cert_id, file_cert, school_id, COUNT(*) FROM demandes WHERE file_cert IS NOT NULL
GROUP BY cert_id, file_cert, school_id;

-- Propre à chaque base : début.
-- Two counters are taken in the order of their key, like `demandes_comptes_suivre`.
CREATE FUNCTION cert_comptes_suivre() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    retirer BOOLEAN := TG_OP IN ('UPDATE', 'DELETE') AND OLD.file_cert IS NOT NULL;
    ajouter BOOLEAN := TG_OP IN ('UPDATE', 'INSERT') AND NEW.file_cert IS NOT NULL;
    ajouter_avant BOOLEAN := FALSE;
BEGIN
    IF retirer AND ajouter THEN
        ajouter_avant := (OLD.cert_id, OLD.file_cert, OLD.school_id)
            > (NEW.cert_id, NEW.file_cert, NEW.school_id);
    END IF;
    IF ajouter AND ajouter_avant THEN
        INSERT INTO cert_comptes (cert_id, file, school_id, n)
        VALUES (NEW.cert_id, NEW.file_cert, NEW.school_id, 1)
        ON CONFLICT (cert_id, file, school_id) DO UPDATE SET n = cert_comptes.n + 1;
    END IF;
    IF retirer THEN
        UPDATE cert_comptes SET n = n - 1
        WHERE cert_id = OLD.cert_id AND file = OLD.file_cert AND school_id = OLD.school_id;
    END IF;
    IF ajouter AND NOT ajouter_avant THEN
        INSERT INTO cert_comptes (cert_id, file, school_id, n)
        VALUES (NEW.cert_id, NEW.file_cert, NEW.school_id, 1)
        ON CONFLICT (cert_id, file, school_id) DO UPDATE SET n = cert_comptes.n + 1;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER cert_comptes_insertion_suppression AFTER INSERT OR DELETE ON demandes
FOR EACH ROW EXECUTE FUNCTION cert_comptes_suivre();

CREATE TRIGGER cert_comptes_changement AFTER UPDATE OF etat, cert_id, school_id ON demandes
FOR EACH ROW
WHEN (OLD.file_cert IS DISTINCT FROM NEW.file_cert OR OLD.cert_id IS DISTINCT FROM NEW.cert_id
    OR OLD.school_id IS DISTINCT FROM NEW.school_id)
EXECUTE FUNCTION cert_comptes_suivre();
-- Propre à chaque base : fin.

-- The accounts waiting for activation, for the 7-day deletion's batches. A partial index: one
-- on (status, id) for every status made SQLite, without statistics, take it for « the active
-- users of these schools » (800 000 active candidates read to find a few school users).
DROP INDEX users_status;
CREATE INDEX users_pending_activation ON users (id) WHERE status = 'pending_activation';
-- A school's users in id order (the messages of a batch, one per school user).
DROP INDEX users_school;
CREATE INDEX users_school ON users (school_id, id);

-- Replaced by `demandes_file_cert`: one index less to update on every change of state.
DROP INDEX demandes_cert_etat;
