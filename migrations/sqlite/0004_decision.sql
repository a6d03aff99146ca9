-- The candidate's decision on a demande handed to them.

ALTER TABLE demandes ADD COLUMN decided_at INTEGER;
ALTER TABLE demandes ADD COLUMN refus_motif TEXT;

-- An e-photo code is consumed when the candidate validates the demande it is on.
ALTER TABLE ephoto_codes ADD COLUMN consumed_at INTEGER;

-- The code of the public verification page of the justificatif de dépôt (random, not the
-- number: numbers are guessable).
ALTER TABLE demandes ADD COLUMN verification_code TEXT;
CREATE UNIQUE INDEX demandes_verification ON demandes (verification_code);
