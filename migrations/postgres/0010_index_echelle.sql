-- At national scale (a million demandes, a school with 50 000).

-- A foreign key's child column needs an index: without it, deleting a user (the 7-day
-- deletion of unactivated accounts) reads every demande to check nobody points at it.
CREATE INDEX demandes_created_by ON demandes (created_by);
CREATE INDEX outbox_demande ON outbox (demande_id);
CREATE INDEX ephoto_codes_demande ON ephoto_codes (demande_id);
CREATE INDEX verdicts_agent ON verdicts (agent_id);
CREATE INDEX complements_agent ON complements (agent_id);
CREATE INDEX agent_notes_agent ON agent_notes (agent_id);

-- The school's list, in date order with the id to break ties (no sort), and filtered by state;
-- the folded search text rides along, so that counting, searching and finding a page read the
-- index alone, not the rows (a school with 50 000 demandes: 2 MB of index, not 50 MB of rows).
DROP INDEX demandes_school_updated;
CREATE INDEX demandes_school_updated ON demandes (school_id, updated_at, id, recherche);
CREATE INDEX demandes_school_etat_updated ON demandes (school_id, etat, updated_at, id, recherche);

-- « Mes démarches »: a candidate's demandes, newest first, the id breaking ties.
DROP INDEX demandes_usager;
CREATE INDEX demandes_usager ON demandes (usager_id, updated_at, id);

-- « À valider »: a candidate's demandes in one state, newest first. Without it, the planner
-- took the index on the state alone and read every demande waiting for any candidate.
CREATE INDEX demandes_usager_etat ON demandes (usager_id, etat, validated_at, id);

-- The 7-day deletion's batches: accounts waiting for activation, in id order.
CREATE INDEX users_status ON users (status, id);
