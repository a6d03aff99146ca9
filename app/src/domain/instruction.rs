//! The instruction of a demande by its centre (CERT): what an agent checks (each pièce, the
//! état-civil fields), the reasons of a « non conforme », the grounds of a rejection with the
//! routes of appeal the law requires, and the NEPH given to a registered candidate.
//!
//! Sources: arrêté du 20 avril 2012 modifié (17 novembre 2022); code des relations entre le
//! public et l'administration, L114-5 (one request listing every missing piece, with a
//! deadline), L211-2 and L211-5 (a refusal is motivated in writing, in fact and in law),
//! R421-5 du code de justice administrative (routes and time limits of appeal stated).

use serde::{Deserialize, Serialize};

use super::demande::{code_enum, Motif, Piece};

code_enum!(
    /// Why an item is not conforme (the catalogue agents choose from).
    NonConformite {
        Illisible = "illisible" => "Illisible ou flou",
        Expire = "expire" => "Document expiré",
        PlusDeSixMois = "plus_de_6_mois" => "Plus de 6 mois pour un justificatif de domicile",
        NomDifferent = "nom_different" => "Nom ou prénom différent de l'état civil saisi",
        RectoVerso = "recto_verso" => "Recto ou verso manquant",
        Inadapte = "inadapte" => "Document ne correspondant pas à la pièce demandée",
        Autre = "autre" => "Autre (précisé en commentaire)",
    }
);

code_enum!(
    /// The état-civil fields an agent checks against the identity document.
    Champ {
        NomNaissance = "nom_naissance" => "Nom de naissance",
        NomUsage = "nom_usage" => "Nom d'usage",
        Prenoms = "prenoms" => "Prénoms",
        DateNaissance = "date_naissance" => "Date de naissance",
        LieuNaissance = "lieu_naissance" => "Lieu de naissance",
        Nationalite = "nationalite" => "Nationalité",
    }
);

/// What a verdict is about: a pièce justificative or an état-civil field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Item {
    Piece(Piece),
    Champ(Champ),
}

impl Item {
    /// The code stored in `verdicts.item`: « piece:domicile », « champ:prenoms ».
    pub fn code(self) -> String {
        match self {
            Item::Piece(p) => format!("piece:{}", p.code()),
            Item::Champ(c) => format!("champ:{}", c.code()),
        }
    }

    pub fn parse(code: &str) -> Option<Item> {
        match code.split_once(':')? {
            ("piece", p) => Piece::parse(p).map(Item::Piece),
            ("champ", c) => Champ::parse(c).map(Item::Champ),
            _ => None,
        }
    }

    pub fn label(self) -> String {
        match self {
            Item::Piece(p) => p.label().to_string(),
            Item::Champ(c) => format!("État civil : {}", c.label().to_lowercase()),
        }
    }

    /// The step of the school's stepper where the item is entered.
    pub fn step(self) -> usize {
        match self {
            Item::Piece(_) => 5,
            Item::Champ(_) => 2,
        }
    }
}

/// The most an agent's comment or note may hold.
pub const COMMENT_MAX_CHARS: usize = 1_000;

/// An agent's verdict on one item.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub item: Item,
    /// `None`: conforme.
    pub non_conformite: Option<NonConformite>,
    pub commentaire: Option<String>,
}

/// Why a verdict form is refused: the field and the message.
pub fn check_verdict(v: &Verdict) -> Result<(), (&'static str, &'static str)> {
    let comment = v.commentaire.as_deref().map(str::trim).unwrap_or("");
    if comment.chars().count() > COMMENT_MAX_CHARS {
        return Err((
            "commentaire",
            "Le commentaire dépasse 1 000 caractères : abrégez-le.",
        ));
    }
    if super::formats::has_bidi_control(comment) {
        return Err(("commentaire", super::formats::BIDI_MESSAGE));
    }
    if v.non_conformite == Some(NonConformite::Autre) && comment.is_empty() {
        return Err((
            "commentaire",
            "Précisez en commentaire ce qui ne va pas : l'école le lira pour corriger.",
        ));
    }
    Ok(())
}

code_enum!(
    /// The grounds of a rejection, each with its legal basis.
    MotifRejet {
        AgeMinimal = "age_minimal" => "Âge minimal non atteint pour la catégorie demandée",
        Suspension = "suspension" => "Permis de conduire suspendu ou annulé, délai non expiré",
        Interdiction = "interdiction" => "Interdiction judiciaire de solliciter la délivrance du permis",
        AvisMedical = "avis_medical" => "Avis médical d'inaptitude",
        Fraude = "fraude" => "Document falsifié ou frauduleux",
        Doublon = "doublon" => "Une demande est déjà en cours pour ce candidat",
        Autre = "autre" => "Autre motif (précisé dans la motivation)",
    }
);

impl MotifRejet {
    /// The rule the rejection rests on (« en droit »).
    pub fn fondement(self) -> &'static str {
        match self {
            MotifRejet::AgeMinimal => {
                "Code de la route, art. R221-5 ; arrêté du 20 avril 2012 modifié, art. 1er"
            }
            MotifRejet::Suspension => {
                "Code de la route, art. L224-1 à L224-8 et R224-1 et suivants"
            }
            MotifRejet::Interdiction => "Code pénal, art. 131-6 ; code de la route, art. L224-14",
            MotifRejet::AvisMedical => {
                "Code de la route, art. R221-10 et R221-11 ; arrêté du 28 mars 2022"
            }
            MotifRejet::Fraude => {
                "Code pénal, art. 441-1 et 441-6 ; arrêté du 20 avril 2012 modifié, art. 4"
            }
            MotifRejet::Doublon => {
                "Arrêté du 20 avril 2012 modifié, art. 2 (une seule demande par catégorie)"
            }
            MotifRejet::Autre => "Arrêté du 20 avril 2012 modifié",
        }
    }
}

/// The most a rejection's motivation may hold.
pub const MOTIVATION_MAX_CHARS: usize = 2_000;

/// The routes and time limits of appeal every rejection states (CRPA L211-2, CJA R421-5).
pub const VOIES_DE_RECOURS: [&str; 4] = [
    "Si vous contestez cette décision, vous pouvez, dans un délai de deux mois à compter de sa notification :",
    "— former un recours gracieux auprès du préfet du département de votre domicile ;",
    "— former un recours hiérarchique auprès du ministre de l'Intérieur (place Beauvau, 75800 Paris Cedex 08) ;",
    "— saisir le tribunal administratif compétent d'un recours contentieux, y compris par l'application Télérecours citoyens (www.telerecours.fr). Un recours gracieux ou hiérarchique prolonge de deux mois le délai du recours contentieux.",
];

/// Why a rejection form is refused: the field and the message.
pub fn check_rejet(
    motif: Option<MotifRejet>,
    motivation: &str,
) -> Result<(), (&'static str, &'static str)> {
    if motif.is_none() {
        return Err(("motif", "Choisissez le motif du rejet."));
    }
    let text = motivation.trim();
    if text.chars().count() < 20 {
        return Err((
            "motivation",
            "Motivez la décision en quelques phrases (les faits constatés) : le candidat et l'école la liront. 20 caractères au moins.",
        ));
    }
    if text.chars().count() > MOTIVATION_MAX_CHARS {
        return Err((
            "motivation",
            "La motivation dépasse 2 000 caractères : abrégez-la.",
        ));
    }
    if super::formats::has_bidi_control(text) {
        return Err(("motivation", super::formats::BIDI_MESSAGE));
    }
    Ok(())
}

/// Whether `s` is a NEPH (numéro d'enregistrement préfectoral harmonisé): 12 digits.
pub fn is_neph(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A new NEPH: the year and month of registration (YYMM), then the month's sequence on 8
/// digits. `None` past 99 999 999 in a month.
pub fn new_neph(year: i32, month: u8, sequence: i64) -> Option<String> {
    (1..=99_999_999)
        .contains(&sequence)
        .then(|| format!("{:02}{:02}{:08}", year.rem_euclid(100), month, sequence))
}

/// The NEPH a registration keeps: for an extension of category or a return after
/// invalidation, the candidate's own (typed by the school); otherwise a new one.
pub fn kept_neph(motif: Motif, typed: Option<&str>) -> Option<String> {
    match motif {
        Motif::Premier => None,
        Motif::Extension | Motif::Retour => typed
            .map(str::trim)
            .filter(|n| is_neph(n))
            .map(String::from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_round_trip_through_their_codes() {
        for p in Piece::ALL {
            let i = Item::Piece(*p);
            assert_eq!(Item::parse(&i.code()), Some(i));
            assert_eq!(i.step(), 5);
        }
        for c in Champ::ALL {
            let i = Item::Champ(*c);
            assert_eq!(Item::parse(&i.code()), Some(i));
            assert_eq!(i.step(), 2);
        }
        assert_eq!(Item::parse("piece:passeport"), None);
        assert_eq!(Item::parse("domicile"), None);
        assert_eq!(Item::Champ(Champ::Prenoms).label(), "État civil : prénoms");
    }

    #[test]
    fn a_neph_is_twelve_digits_and_kept_for_an_extension() {
        assert_eq!(new_neph(2026, 11, 42).as_deref(), Some("261100000042"));
        assert!(is_neph(&new_neph(2026, 1, 99_999_999).unwrap()));
        assert_eq!(new_neph(2026, 1, 100_000_000), None);
        assert_eq!(new_neph(2026, 1, 0), None);
        assert!(!is_neph("26110000004"));
        assert!(!is_neph("26110000004a"));
        assert_eq!(kept_neph(Motif::Premier, Some("120375012345")), None);
        assert_eq!(
            kept_neph(Motif::Extension, Some(" 120375012345 ")).as_deref(),
            Some("120375012345")
        );
        assert_eq!(kept_neph(Motif::Retour, Some("12-03")), None);
    }

    #[test]
    fn verdicts_and_rejections_say_what_is_missing() {
        let mut v = Verdict {
            item: Item::Piece(Piece::Domicile),
            non_conformite: Some(NonConformite::Autre),
            commentaire: None,
        };
        assert_eq!(check_verdict(&v).unwrap_err().0, "commentaire");
        v.commentaire = Some("La facture est au nom d'un tiers.".into());
        assert_eq!(check_verdict(&v), Ok(()));
        v.commentaire = Some("x".repeat(COMMENT_MAX_CHARS + 1));
        assert_eq!(check_verdict(&v).unwrap_err().0, "commentaire");

        assert_eq!(check_rejet(None, "").unwrap_err().0, "motif");
        assert_eq!(
            check_rejet(Some(MotifRejet::AgeMinimal), "trop court")
                .unwrap_err()
                .0,
            "motivation"
        );
        assert_eq!(
            check_rejet(
                Some(MotifRejet::AgeMinimal),
                "Le candidat, né le 3 mars 2010, n'a pas l'âge requis pour la catégorie A2."
            ),
            Ok(())
        );
        for m in MotifRejet::ALL {
            assert!(!m.fondement().is_empty());
        }
        assert!(VOIES_DE_RECOURS.join(" ").contains("deux mois"));
        assert!(VOIES_DE_RECOURS
            .join(" ")
            .contains("tribunal administratif"));
        assert!(VOIES_DE_RECOURS
            .join(" ")
            .contains("ministre de l'Intérieur"));
        assert!(VOIES_DE_RECOURS.join(" ").contains("préfet"));
    }
}
