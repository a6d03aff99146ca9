-- « Corriger et renvoyer »: the draft a school started from a refused demande (one per
-- refused demande, so a double click makes one copy).
ALTER TABLE demandes ADD COLUMN reprise_de INTEGER;
CREATE UNIQUE INDEX demandes_reprise_de ON demandes (reprise_de);

-- What the school typed on a step and has not yet validated with « Suivant » (autosave):
-- a JSON object from the step number to its form, and when it was last saved.
ALTER TABLE demandes ADD COLUMN saisie TEXT;
ALTER TABLE demandes ADD COLUMN saisie_at INTEGER;

-- Untouched drafts expire: the job looks them up by state and last change.
CREATE INDEX demandes_etat_maj ON demandes (etat, updated_at);
