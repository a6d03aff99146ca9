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
