-- The jobs that move thousands of demandes at once (the 7-day deletion: 2 000 a batch) keep
-- each school's counters by one statement for the batch (`demandes::transition_and_erase_all`,
-- the counts of the batch's schools added in the order of their key) instead of a trigger
-- call per demande: on PostgreSQL a call of `demandes_comptes_suivre` costs about 60 µs (two
-- statements run from PL/pgSQL), most of the time of the batch's UPDATE. The transaction says
-- so with the setting `permis.comptes_par_lot` (`set_config(…, true)`: it ends with the
-- transaction, and the job sets it back before anything else is written).
-- Propre à chaque base : début.
DROP TRIGGER demandes_comptes_changement ON demandes;
CREATE TRIGGER demandes_comptes_changement AFTER UPDATE OF etat, school_id ON demandes
FOR EACH ROW
WHEN ((OLD.etat IS DISTINCT FROM NEW.etat OR OLD.school_id IS DISTINCT FROM NEW.school_id)
    AND current_setting('permis.comptes_par_lot', true) IS DISTINCT FROM 'on')
EXECUTE FUNCTION demandes_comptes_suivre();
-- Propre à chaque base : fin.
