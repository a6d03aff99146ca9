//! A demande de permis de conduire: what the school enters, step by step.

use serde::{Deserialize, Serialize};

use super::date::Date;

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
    }
);

impl Etat {
    /// Validated by the candidate, waiting for the paper photo-signature form (late or not).
    pub fn awaits_paper_form(self) -> bool {
        matches!(self, Etat::AttentePapier | Etat::PapierNonRecu)
    }

    /// Validated by the candidate: the justificatif de dépôt exists.
    pub fn validated_by_candidate(self) -> bool {
        self == Etat::Transmise || self.awaits_paper_form()
    }
}

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
