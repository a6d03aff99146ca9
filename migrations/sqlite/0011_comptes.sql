-- How many demandes each school has in each state, kept by the database itself on every
-- insertion, change of state and deletion: the school's list shows its total without counting
-- its demandes (50 000 for a big school) on every display.
CREATE TABLE demandes_comptes (
    school_id INTEGER NOT NULL REFERENCES schools (id),
    etat      TEXT NOT NULL,
    n         INTEGER NOT NULL,
    PRIMARY KEY (school_id, etat)
);

INSERT INTO demandes_comptes (school_id, etat, n)
SELECT school_id, etat, COUNT(*) FROM demandes GROUP BY school_id, etat;

CREATE TRIGGER demandes_comptes_insertion AFTER INSERT ON demandes
BEGIN
    INSERT INTO demandes_comptes (school_id, etat, n) VALUES (NEW.school_id, NEW.etat, 1)
    ON CONFLICT (school_id, etat) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER demandes_comptes_suppression AFTER DELETE ON demandes
BEGIN
    UPDATE demandes_comptes SET n = n - 1 WHERE school_id = OLD.school_id AND etat = OLD.etat;
END;

CREATE TRIGGER demandes_comptes_changement AFTER UPDATE OF etat, school_id ON demandes
WHEN OLD.etat IS NOT NEW.etat OR OLD.school_id IS NOT NEW.school_id
BEGIN
    UPDATE demandes_comptes SET n = n - 1 WHERE school_id = OLD.school_id AND etat = OLD.etat;
    INSERT INTO demandes_comptes (school_id, etat, n) VALUES (NEW.school_id, NEW.etat, 1)
    ON CONFLICT (school_id, etat) DO UPDATE SET n = n + 1;
END;
