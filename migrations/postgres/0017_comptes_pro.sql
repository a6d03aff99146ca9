-- The accounts that act for a school or a centre (every role but the candidate's), for the
-- foreign keys of the columns that only ever name one of them: the author of a demande, the
-- agent of a demande, of a verdict, of a complement, of a note. Under PostgreSQL each foreign
-- key that names `users` is checked, by a trigger, for each account deleted: the 7-day deletion
-- of 100 000 candidates spent 11.8 s in `DELETE FROM users`, nearly all of it in eleven such
-- checks per account, five of them on columns no candidate can be in. They name this table
-- instead (one check, in its place), kept by the database: a row per account of a school or a
-- centre, written when the account is, deleted with it.
-- Propre à chaque base : début.
CREATE TABLE comptes_pro (
    id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE
);
INSERT INTO comptes_pro (id) SELECT id FROM users WHERE role <> 'usager';

CREATE FUNCTION comptes_pro_suivre() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO comptes_pro (id) VALUES (NEW.id);
    RETURN NULL;
END
$$;

CREATE TRIGGER comptes_pro_insertion AFTER INSERT ON users
FOR EACH ROW WHEN (NEW.role <> 'usager')
EXECUTE FUNCTION comptes_pro_suivre();

ALTER TABLE demandes DROP CONSTRAINT demandes_created_by_fkey,
    ADD CONSTRAINT demandes_created_by_fkey FOREIGN KEY (created_by) REFERENCES comptes_pro (id);
ALTER TABLE demandes DROP CONSTRAINT demandes_agent_id_fkey,
    ADD CONSTRAINT demandes_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES comptes_pro (id);
ALTER TABLE verdicts DROP CONSTRAINT verdicts_agent_id_fkey,
    ADD CONSTRAINT verdicts_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES comptes_pro (id);
ALTER TABLE complements DROP CONSTRAINT complements_agent_id_fkey,
    ADD CONSTRAINT complements_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES comptes_pro (id);
ALTER TABLE agent_notes DROP CONSTRAINT agent_notes_agent_id_fkey,
    ADD CONSTRAINT agent_notes_agent_id_fkey FOREIGN KEY (agent_id) REFERENCES comptes_pro (id);
-- Propre à chaque base : fin.
