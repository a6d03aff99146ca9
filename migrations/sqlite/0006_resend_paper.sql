-- « Renvoyer le lien » (at most twice per demande) and the receipt of the paper
-- photo-signature form by the processing centre.

ALTER TABLE demandes ADD COLUMN liens_renvoyes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE demandes ADD COLUMN papier_recu_at INTEGER;

-- Who did what (the agent who recorded a paper form's receipt).
ALTER TABLE demande_events ADD COLUMN actor_id INTEGER;

-- The deadline jobs look demandes up by state.
CREATE INDEX demandes_etat ON demandes (etat, decided_at);
