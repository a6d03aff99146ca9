//! A demande de permis de conduire: what the school enters, step by step.

use serde::{Deserialize, Serialize};

use super::date::Date;

/// An enum whose variants have a stored code and a French label.
macro_rules! code_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $code:literal => $label:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn code(self) -> &'static str { match self { $($name::$variant => $code),+ } }
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<$name> { $name::ALL.iter().copied().find(|v| v.code() == s) }
        }
    };
}
pub(crate) use code_enum;

code_enum!(
    /// Why the school files the demande.
    Motif {
        Premier = "premier" => "Première demande de permis de conduire (inscription)",
        Extension = "extension" => "Extension à une nouvelle catégorie",
        Retour = "retour" => "Nouveau permis après invalidation ou annulation",
    }
);

code_enum!(
    /// Categories of the French driving licence (Code de la route, art. R221-4).
    Categorie {
        Am = "AM" => "AM — cyclomoteur, voiturette",
        A1 = "A1" => "A1 — motocyclette légère (125 cm³)",
        A2 = "A2" => "A2 — motocyclette de 35 kW au plus",
        A = "A" => "A — toute motocyclette",
        B1 = "B1" => "B1 — quadricycle lourd",
        B = "B" => "B — voiture",
        Be = "BE" => "BE — voiture avec remorque",
        C1 = "C1" => "C1 — camion de 3,5 à 7,5 t",
        C1e = "C1E" => "C1E — C1 avec remorque",
        C = "C" => "C — camion",
        Ce = "CE" => "CE — camion avec remorque",
        D1 = "D1" => "D1 — minibus (16 places)",
        D1e = "D1E" => "D1E — D1 avec remorque",
        D = "D" => "D — autobus, autocar",
        De = "DE" => "DE — D avec remorque",
    }
);

code_enum!(
    /// Training route.
    Filiere {
        Traditionnelle = "traditionnelle" => "Formation traditionnelle",
        Aac = "aac" => "Apprentissage anticipé de la conduite (AAC)",
        Supervisee = "supervisee" => "Conduite supervisée",
        Encadree = "encadree" => "Conduite encadrée",
    }
);

code_enum!(
    Sexe {
        Feminin = "F" => "Femme",
        Masculin = "M" => "Homme",
    }
);

code_enum!(
    /// Legal representative of a minor.
    Qualite {
        Mere = "mere" => "Mère",
        Pere = "pere" => "Père",
        Tuteur = "tuteur" => "Tuteur ou tutrice",
    }
);

code_enum!(
    /// How the photo and signature reach the processing centre.
    ModePhoto {
        EPhoto = "ephoto" => "Code e-photo (cabine ou photographe agréé)",
        Papier = "papier" => "Formulaire photo-signature envoyé par courrier",
    }
);

code_enum!(
    /// Supporting documents.
    Piece {
        Identite = "identite" => "Pièce d'identité",
        Domicile = "domicile" => "Justificatif de domicile",
        Assr = "assr" => "Attestation de sécurité routière (ASSR 2 ou ASR)",
        Jdc = "jdc" => "Certificat de participation à la JDC",
        AvisMedical = "avis_medical" => "Avis médical",
        IdentiteRepresentant = "identite_representant" => "Pièce d'identité du représentant légal",
    }
);

impl Piece {
    /// Page limits of each piece (the real service states « 1 page / 2 pages maximum » etc.).
    pub fn max_pages(self) -> u32 {
        match self {
            Piece::Identite | Piece::IdentiteRepresentant => 2,
            Piece::Domicile => 5,
            Piece::Assr | Piece::Jdc => 2,
            Piece::AvisMedical => 4,
        }
    }
}

code_enum!(
    /// The life of a demande.
    Etat {
        Brouillon = "brouillon" => "Brouillon",
        AttenteUsager = "attente_usager" => "En attente de validation usager",
        Transmise = "transmise" => "Transmise — en cours d'instruction",
        AttentePapier = "attente_papier" => "En attente du formulaire photo-signature",
        PapierNonRecu = "papier_non_recu" => "Formulaire photo-signature non reçu",
        RefuseeUsager = "refusee_usager" => "Refusée par l'usager",
        Supprimee = "supprimee" => "Supprimée — compte non activé",
        ComplementDemande = "complement_demande" => "Complément demandé",
        ComplementRecu = "complement_recu" => "Complément reçu — en cours d'instruction",
        Inscrite = "inscrite" => "Inscription enregistrée",
        Rejetee = "rejetee" => "Demande rejetée",
        ClasseeSansSuite = "classee_sans_suite" => "Classée sans suite",
    }
);

impl Etat {
    /// Validated by the candidate, waiting for the paper photo-signature form (late or not).
    pub fn awaits_paper_form(self) -> bool {
        matches!(self, Etat::AttentePapier | Etat::PapierNonRecu)
    }

    /// Validated by the candidate: the justificatif de dépôt exists.
    pub fn validated_by_candidate(self) -> bool {
        self == Etat::Transmise || self.awaits_paper_form() || self.at_the_centre()
    }

    /// In the hands of the centre (CERT): to instruct, waiting for a complement, or decided.
    pub fn at_the_centre(self) -> bool {
        matches!(
            self,
            Etat::Transmise
                | Etat::ComplementDemande
                | Etat::ComplementRecu
                | Etat::Inscrite
                | Etat::Rejetee
                | Etat::ClasseeSansSuite
        )
    }

    /// The centre has decided: nothing more will happen to the demande.
    pub fn decided_by_the_centre(self) -> bool {
        matches!(
            self,
            Etat::Inscrite | Etat::Rejetee | Etat::ClasseeSansSuite
        )
    }

    /// An agent may decide on it (accept, reject, ask for a complement).
    pub fn to_instruct(self) -> bool {
        matches!(self, Etat::Transmise | Etat::ComplementRecu)
    }
}

/// What happens to a demande. Each event moves it from one state to another
/// (`Etat::apres`); its code is what `demande_events.kind` records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Evenement {
    /// The school validates its complete draft (« Valider » on the recap).
    ValideeParEcole,
    /// The candidate validates: with a paper photo-signature form, or with an e-photo code.
    ValideeParUsager { papier: bool },
    /// The candidate refuses.
    RefuseeParUsager,
    /// The candidate's account was not activated in time: account and demande deleted.
    CompteNonActive,
    /// The paper form did not reach the centre within 15 days.
    PapierNonRecu,
    /// An agent recorded the paper form's receipt.
    PapierRecu,
    /// An agent asked for a complement: one request listing every item to replace.
    ComplementDemande,
    /// The school sent the replaced items back.
    ComplementEnvoye,
    /// The deadline of the complement passed without an answer.
    ComplementNonRecu,
    /// An agent accepted the demande: the candidate is registered (NEPH).
    Acceptee,
    /// An agent rejected the demande, with a motivation.
    Rejetee,
}

impl Evenement {
    pub const ALL: [Evenement; 12] = [
        Evenement::ValideeParEcole,
        Evenement::ValideeParUsager { papier: false },
        Evenement::ValideeParUsager { papier: true },
        Evenement::RefuseeParUsager,
        Evenement::CompteNonActive,
        Evenement::PapierNonRecu,
        Evenement::PapierRecu,
        Evenement::ComplementDemande,
        Evenement::ComplementEnvoye,
        Evenement::ComplementNonRecu,
        Evenement::Acceptee,
        Evenement::Rejetee,
    ];

    /// The code stored in `demande_events.kind`.
    pub fn code(self) -> &'static str {
        match self {
            Evenement::ValideeParEcole => "validee_par_ecole",
            Evenement::ValideeParUsager { .. } => "validee_par_usager",
            Evenement::RefuseeParUsager => "refusee_par_usager",
            Evenement::CompteNonActive => "supprimee_non_activee",
            Evenement::PapierNonRecu => "papier_non_recu",
            Evenement::PapierRecu => "papier_recu",
            Evenement::ComplementDemande => "complement_demande",
            Evenement::ComplementEnvoye => "complement_envoye",
            Evenement::ComplementNonRecu => "complement_non_recu",
            Evenement::Acceptee => "acceptee",
            Evenement::Rejetee => "rejetee",
        }
    }

    /// The event of a code read from `demande_events.kind` (the validation's two cases share
    /// one code: read as e-photo).
    pub fn parse(code: &str) -> Option<Evenement> {
        Evenement::ALL.iter().copied().find(|e| e.code() == code)
    }
}

/// Why an event does not move a demande.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refus {
    /// The event already happened (a double click, another tab, another instance): the
    /// demande is where the event leads, nothing more to do.
    DejaFait,
    /// The event does not apply to a demande in this state.
    Impossible { etat: Etat, evenement: Evenement },
}

impl Refus {
    /// What the user is told.
    pub fn message(self) -> String {
        match self {
            Refus::DejaFait => "C'est déjà fait : la demande n'a pas changé.".into(),
            Refus::Impossible {
                etat: Etat::ComplementDemande,
                evenement: Evenement::Acceptee | Evenement::Rejetee | Evenement::ComplementDemande,
            } => "Un complément est demandé pour cette demande : attendez la réponse de l'école (ou la fin de son délai) avant de décider.".into(),
            Refus::Impossible { etat, .. } => format!(
                "Cette demande est « {} » : cette action ne la concerne plus.",
                etat.label()
            ),
        }
    }
}

impl Etat {
    /// The life of a demande: the state an event leads to from this one, or why it does not.
    ///
    /// ```text
    /// brouillon --ValideeParEcole--> attente_usager --ValideeParUsager{papier}--> attente_papier
    ///                                               --ValideeParUsager{e-photo}--> transmise
    ///                                               --RefuseeParUsager--> refusee_usager
    ///                                               --CompteNonActive--> supprimee
    /// attente_papier --PapierNonRecu--> papier_non_recu
    /// attente_papier | papier_non_recu --PapierRecu--> transmise
    /// transmise | complement_recu --ComplementDemande--> complement_demande
    ///                             --Acceptee--> inscrite
    ///                             --Rejetee--> rejetee
    /// complement_demande --ComplementEnvoye--> complement_recu
    ///                    --ComplementNonRecu--> classee_sans_suite
    /// ```
    pub fn apres(self, evenement: Evenement) -> Result<Etat, Refus> {
        use Etat::*;
        use Evenement as E;
        match (self, evenement) {
            (Brouillon, E::ValideeParEcole) => Ok(AttenteUsager),
            (AttenteUsager, E::ValideeParUsager { papier: true }) => Ok(AttentePapier),
            (AttenteUsager, E::ValideeParUsager { papier: false }) => Ok(Transmise),
            (AttenteUsager, E::RefuseeParUsager) => Ok(RefuseeUsager),
            (AttenteUsager, E::CompteNonActive) => Ok(Supprimee),
            (AttentePapier, E::PapierNonRecu) => Ok(PapierNonRecu),
            (AttentePapier | PapierNonRecu, E::PapierRecu) => Ok(Transmise),
            (Transmise | ComplementRecu, E::ComplementDemande) => Ok(ComplementDemande),
            (Transmise | ComplementRecu, E::Acceptee) => Ok(Inscrite),
            (Transmise | ComplementRecu, E::Rejetee) => Ok(Rejetee),
            (ComplementDemande, E::ComplementEnvoye) => Ok(ComplementRecu),
            (ComplementDemande, E::ComplementNonRecu) => Ok(ClasseeSansSuite),
            // Repeats of an event that already happened.
            (etat, E::ValideeParEcole) if etat != Brouillon => Err(Refus::DejaFait),
            (etat, E::ValideeParUsager { .. }) if etat.validated_by_candidate() => {
                Err(Refus::DejaFait)
            }
            (RefuseeUsager, E::RefuseeParUsager)
            | (Supprimee, E::CompteNonActive)
            | (PapierNonRecu, E::PapierNonRecu)
            | (ComplementDemande, E::ComplementDemande)
            | (ComplementRecu, E::ComplementEnvoye)
            | (ClasseeSansSuite, E::ComplementNonRecu)
            | (Inscrite, E::Acceptee)
            | (Rejetee, E::Rejetee) => Err(Refus::DejaFait),
            (etat, evenement) => Err(Refus::Impossible { etat, evenement }),
        }
    }

    /// The states from which `evenement` moves a demande.
    pub fn sources(evenement: Evenement) -> Vec<Etat> {
        Etat::ALL
            .iter()
            .copied()
            .filter(|e| e.apres(evenement).is_ok())
            .collect()
    }
}

/// The candidate's answer to a demande handed to them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Valider,
    Refuser { motif: Option<String> },
}

impl Decision {
    /// The event the decision is, for a demande whose photo comes on paper or by e-photo code.
    pub fn evenement(&self, papier: bool) -> Evenement {
        match self {
            Decision::Valider => Evenement::ValideeParUsager { papier },
            Decision::Refuser { .. } => Evenement::RefuseeParUsager,
        }
    }
}

/// The school's attestation on the recap (« Relisez-vous ! »).
pub const ATTESTATION_ECOLE: &str = "Je soussigné(e), représentant(e) de l'école de conduite, atteste sur l'honneur que les informations saisies sont exactes et ont été communiquées par le candidat, qui en vérifiera l'exactitude avant de valider la demande.";

/// The candidate's attestation, word for word the guide's: besides the accuracy of the
/// demande, the legal point — no suspension of the licence being served, no judicial ban on
/// applying for one.
pub const ATTESTATION_USAGER: &str = "Je soussigné(e), le (la) déclarant(e), atteste sur l'honneur que les renseignements de la présente demande sont exacts et ne pas faire l'objet d'une suspension du permis de conduire en cours d'exécution ou d'une interdiction judiciaire de solliciter la délivrance du permis de conduire.";

/// The paper photo-signature form must reach the processing centre within 15 days of the
/// candidate's validation.
pub const PAPER_FORM_DAYS: i64 = 15;

/// The processing centre the paper forms are posted to.
pub const CENTRE_ADRESSE: [&str; 4] = [
    "Centre d'expertise et de ressources titres (CERT) permis de conduire",
    "Formulaire photo-signature",
    "TSA 30127",
    "44945 NANTES CEDEX 9",
];

/// Step 1: motif de la demande.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotifStep {
    pub motif: Motif,
    pub categories: Vec<Categorie>,
    pub filiere: Filiere,
    pub boite_automatique: bool,
    pub handicap: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Representant {
    pub qualite: Qualite,
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: Date,
}

/// Step 2: état civil.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtatCivil {
    pub sexe: Sexe,
    pub nom_naissance: String,
    pub nom_usage: Option<String>,
    pub prenoms: String,
    pub date_naissance: Date,
    pub pays_naissance: String,
    pub commune_naissance: String,
    /// Département of birth, for a birth in France.
    pub departement_naissance: Option<String>,
    pub nationalite: String,
    pub neph: Option<String>,
    pub representant: Option<Representant>,
}

/// Step 3: adresse et contact.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adresse {
    pub numero: Option<String>,
    pub extension: Option<String>,
    pub type_voie: Option<String>,
    pub nom_voie: String,
    pub complement: Option<String>,
    pub code_postal: String,
    pub commune: String,
    pub prefecture: String,
    pub email: String,
    /// E.164
    pub telephone: String,
    /// « Vous n'acceptez pas que vos données soient réutilisées… »
    pub refus_reutilisation: bool,
}

/// Step 4: photo / signature.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoStep {
    pub mode: ModePhoto,
    pub code_ephoto: Option<String>,
}

/// Everything entered so far; a step is `None` until saved once.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeData {
    pub motif: Option<MotifStep>,
    pub etat_civil: Option<EtatCivil>,
    pub adresse: Option<Adresse>,
    pub photo: Option<PhotoStep>,
}

impl DemandeData {
    /// (prénoms, nom) as lists show them: the usage name when there is one.
    /// The categories as the school's list shows them: « A2, B ».
    pub fn listing_categories(&self) -> String {
        self.motif
            .as_ref()
            .map(|m| {
                m.categories
                    .iter()
                    .map(|c| c.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }

    pub fn listing_names(&self) -> (String, String) {
        self.etat_civil
            .as_ref()
            .map(|e| {
                (
                    e.prenoms.clone(),
                    e.nom_usage
                        .clone()
                        .unwrap_or_else(|| e.nom_naissance.clone()),
                )
            })
            .unwrap_or_default()
    }
}

pub const STEPS: [&str; 6] = [
    "Motif de la demande",
    "État civil",
    "Adresse et contact",
    "Photo et signature",
    "Pièces justificatives",
    "Récapitulatif",
];

pub const EXTENSIONS_VOIE: &[&str] = &["bis", "ter", "quater", "quinquies", "A", "B", "C", "D"];

pub const TYPES_VOIE: &[&str] = &[
    "Allée",
    "Avenue",
    "Boulevard",
    "Chemin",
    "Cours",
    "Hameau",
    "Impasse",
    "Lieu-dit",
    "Passage",
    "Place",
    "Quai",
    "Route",
    "Rue",
    "Square",
    "Villa",
];

#[cfg(test)]
mod tests {
    use super::Etat::*;
    use super::*;

    /// Every (state, event) pair, with what it must give.
    #[test]
    fn every_state_and_event() {
        use Evenement as E;
        let papier = E::ValideeParUsager { papier: true };
        let ephoto = E::ValideeParUsager { papier: false };
        let moves = [
            (Brouillon, E::ValideeParEcole, AttenteUsager),
            (AttenteUsager, papier, AttentePapier),
            (AttenteUsager, ephoto, Transmise),
            (AttenteUsager, E::RefuseeParUsager, RefuseeUsager),
            (AttenteUsager, E::CompteNonActive, Supprimee),
            (AttentePapier, E::PapierNonRecu, PapierNonRecu),
            (AttentePapier, E::PapierRecu, Transmise),
            (PapierNonRecu, E::PapierRecu, Transmise),
            (Transmise, E::ComplementDemande, ComplementDemande),
            (ComplementRecu, E::ComplementDemande, ComplementDemande),
            (Transmise, E::Acceptee, Inscrite),
            (ComplementRecu, E::Acceptee, Inscrite),
            (Transmise, E::Rejetee, Rejetee),
            (ComplementRecu, E::Rejetee, Rejetee),
            (ComplementDemande, E::ComplementEnvoye, ComplementRecu),
            (ComplementDemande, E::ComplementNonRecu, ClasseeSansSuite),
        ];
        let centre = [
            Transmise,
            ComplementDemande,
            ComplementRecu,
            Inscrite,
            Rejetee,
            ClasseeSansSuite,
        ];
        let mut repeats = vec![
            (AttenteUsager, E::ValideeParEcole),
            (AttentePapier, E::ValideeParEcole),
            (PapierNonRecu, E::ValideeParEcole),
            (RefuseeUsager, E::ValideeParEcole),
            (Supprimee, E::ValideeParEcole),
            (AttentePapier, papier),
            (AttentePapier, ephoto),
            (PapierNonRecu, papier),
            (PapierNonRecu, ephoto),
            (RefuseeUsager, E::RefuseeParUsager),
            (Supprimee, E::CompteNonActive),
            (PapierNonRecu, E::PapierNonRecu),
            (ComplementDemande, E::ComplementDemande),
            (ComplementRecu, E::ComplementEnvoye),
            (ClasseeSansSuite, E::ComplementNonRecu),
            (Inscrite, E::Acceptee),
            (Rejetee, E::Rejetee),
        ];
        for etat in centre {
            repeats.extend([(etat, E::ValideeParEcole), (etat, papier), (etat, ephoto)]);
        }
        let mut pairs = 0;
        for &etat in Etat::ALL {
            for evenement in Evenement::ALL {
                pairs += 1;
                let expected =
                    if let Some(m) = moves.iter().find(|m| m.0 == etat && m.1 == evenement) {
                        Ok(m.2)
                    } else if repeats.contains(&(etat, evenement)) {
                        Err(Refus::DejaFait)
                    } else {
                        Err(Refus::Impossible { etat, evenement })
                    };
                assert_eq!(etat.apres(evenement), expected, "{etat:?} × {evenement:?}");
            }
        }
        assert_eq!(pairs, 12 * 12);
    }

    #[test]
    fn a_decision_waits_for_the_complement_and_the_centre_decides_once() {
        for decision in [Evenement::Acceptee, Evenement::Rejetee] {
            let refus = ComplementDemande.apres(decision).unwrap_err();
            assert!(
                refus.message().contains("Un complément est demandé"),
                "{refus:?}"
            );
            assert_eq!(Etat::sources(decision), vec![Transmise, ComplementRecu]);
            // Once decided, no other decision: neither the other one nor a complement.
            for decided in [Inscrite, Rejetee, ClasseeSansSuite] {
                assert!(decided.decided_by_the_centre());
                assert!(!decided.to_instruct());
                assert!(decided.apres(Evenement::ComplementDemande).is_err());
                if decided.apres(decision) != Err(Refus::DejaFait) {
                    assert!(matches!(
                        decided.apres(decision),
                        Err(Refus::Impossible { .. })
                    ));
                }
            }
        }
        assert_eq!(
            Etat::sources(Evenement::ComplementNonRecu),
            vec![ComplementDemande]
        );
    }

    #[test]
    fn a_draft_never_leaves_but_by_the_school_and_nothing_comes_back_to_it() {
        for evenement in Evenement::ALL {
            for &etat in Etat::ALL {
                assert_ne!(etat.apres(evenement), Ok(Brouillon));
            }
        }
        assert_eq!(Etat::sources(Evenement::ValideeParEcole), vec![Brouillon]);
        assert_eq!(
            Etat::sources(Evenement::PapierRecu),
            vec![AttentePapier, PapierNonRecu]
        );
    }

    #[test]
    fn event_codes_are_distinct_but_for_the_two_validations() {
        let mut codes: Vec<&str> = Evenement::ALL.iter().map(|e| e.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Evenement::ALL.len() - 1);
        for e in Evenement::ALL {
            let back = Evenement::parse(e.code()).unwrap();
            assert_eq!(back.code(), e.code());
        }
        assert_eq!(
            Decision::Valider.evenement(true),
            Evenement::ValideeParUsager { papier: true }
        );
        assert_eq!(
            Decision::Refuser { motif: None }.evenement(false),
            Evenement::RefuseeParUsager
        );
    }
}
