//! The identity FranceConnect certifies (the « identité pivot »): what must be in it, whether
//! two of them are the same person, and where it differs from the état civil a school typed.

use serde::{Deserialize, Serialize};

use super::communes::fold;
use super::demande::{EtatCivil, Sexe};

/// FranceConnect's code (COG) of France as a country of birth.
pub const FRANCE: &str = "99100";

/// The identité pivot, as FranceConnect spells it: given names separated by spaces, the birth
/// name, `AAAA-MM-JJ`, `male`/`female`, the COG code of the commune of birth (empty for a
/// birth abroad) and of the country. `nom_usage` (`preferred_name`) is not part of the pivot.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentitePivot {
    pub prenoms: String,
    pub nom: String,
    pub nom_usage: String,
    pub date_naissance: String,
    pub sexe: String,
    pub lieu_naissance: String,
    pub pays_naissance: String,
}

/// FranceConnect's `birthdate`: `AAAA-MM-JJ` and a calendar day.
fn iso_date(s: &str) -> Option<super::date::Date> {
    (s.len() == 10 && s.as_bytes()[4] == b'-')
        .then(|| super::date::Date::parse(s).ok())
        .flatten()
}

/// A claim of the identité pivot FranceConnect did not send (or sent empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Manque {
    Prenoms,
    Nom,
    DateNaissance,
    Sexe,
    LieuNaissance,
    PaysNaissance,
}

impl Manque {
    /// What the person reads: « Votre identité FranceConnect ne contient pas … ».
    pub fn libelle(self) -> &'static str {
        match self {
            Manque::Prenoms => "vos prénoms",
            Manque::Nom => "votre nom de naissance",
            Manque::DateNaissance => "votre date de naissance",
            Manque::Sexe => "votre sexe",
            Manque::LieuNaissance => "votre commune de naissance",
            Manque::PaysNaissance => "votre pays de naissance",
        }
    }

    /// The claim's name, for the logs.
    pub fn claim(self) -> &'static str {
        match self {
            Manque::Prenoms => "given_name",
            Manque::Nom => "family_name",
            Manque::DateNaissance => "birthdate",
            Manque::Sexe => "gender",
            Manque::LieuNaissance => "birthplace",
            Manque::PaysNaissance => "birthcountry",
        }
    }
}

impl IdentitePivot {
    /// The identity is usable: every claim of the pivot is there and well formed (a birth in
    /// France has its commune; a date is a calendar day; the sex is one FranceConnect sends).
    pub fn complete(&self) -> Result<(), Manque> {
        let blank = |s: &str| s.trim().is_empty();
        if blank(&self.prenoms) {
            return Err(Manque::Prenoms);
        }
        if blank(&self.nom) {
            return Err(Manque::Nom);
        }
        if iso_date(&self.date_naissance).is_none() {
            return Err(Manque::DateNaissance);
        }
        if self.sexe().is_none() {
            return Err(Manque::Sexe);
        }
        if blank(&self.pays_naissance) {
            return Err(Manque::PaysNaissance);
        }
        if self.pays_naissance == FRANCE && blank(&self.lieu_naissance) {
            return Err(Manque::LieuNaissance);
        }
        Ok(())
    }

    pub fn sexe(&self) -> Option<Sexe> {
        match self.sexe.as_str() {
            "female" => Some(Sexe::Feminin),
            "male" => Some(Sexe::Masculin),
            _ => None,
        }
    }

    /// Whether `other` is the same identity (names compared without case, accents or
    /// punctuation; the usage name, which changes, is not compared).
    pub fn same_person(&self, other: &IdentitePivot) -> bool {
        fold(&self.prenoms) == fold(&other.prenoms)
            && fold(&self.nom) == fold(&other.nom)
            && self.date_naissance == other.date_naissance
            && self.sexe == other.sexe
            && self.lieu_naissance == other.lieu_naissance
            && self.pays_naissance == other.pays_naissance
    }
}

/// Whether the certified identity is plainly another person than the one the school typed:
/// another birth date **and** another first given name (a parent identifying in place of their
/// child, say). A typing mistake touches one of them, seldom both; those are shown on the
/// review page instead.
pub fn autre_personne(etat_civil: &EtatCivil, pivot: &IdentitePivot) -> bool {
    let first = |s: &str| fold(s).split(' ').next().unwrap_or_default().to_string();
    iso_date(&pivot.date_naissance) != Some(etat_civil.date_naissance)
        && first(&etat_civil.prenoms) != first(&pivot.prenoms)
}

/// A field of the état civil where what the school typed differs from the certified identity.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ecart {
    /// The field's label, as the recap shows it (« Prénoms »).
    pub champ: String,
    pub saisi: String,
    pub certifie: String,
}

impl Ecart {
    /// « Votre école a saisi « Jean » ; votre identité certifiée indique « Jean Pierre Marie ». »
    pub fn phrase(&self) -> String {
        format!(
            "Votre école a saisi « {} » ; votre identité certifiée indique « {} ».",
            self.saisi, self.certifie
        )
    }
}

/// The refusal reason written for the candidate when the état civil differs from the
/// certified identity.
pub fn motif_de_refus(ecarts: &[Ecart]) -> String {
    let lines: Vec<String> = ecarts
        .iter()
        .map(|e| {
            format!(
                "{} : « {} » au lieu de « {} »",
                e.champ, e.saisi, e.certifie
            )
        })
        .collect();
    format!(
        "L'état civil diffère de mon identité certifiée par FranceConnect. {}.",
        lines.join(" ; ")
    )
}

/// Where the état civil of a demande differs from the certified identity. `commune` gives the
/// name of a commune from its COG code, when known (the commune of birth is compared only
/// then).
pub fn ecarts(
    etat_civil: &EtatCivil,
    pivot: &IdentitePivot,
    commune: impl Fn(&str) -> Option<String>,
) -> Vec<Ecart> {
    let mut out = Vec::new();
    let mut differs = |champ: &str, saisi: &str, certifie: &str, same: bool| {
        if !same {
            out.push(Ecart {
                champ: champ.into(),
                saisi: saisi.into(),
                certifie: certifie.into(),
            });
        }
    };
    differs(
        "Prénoms",
        &etat_civil.prenoms,
        &pivot.prenoms,
        fold(&etat_civil.prenoms) == fold(&pivot.prenoms),
    );
    differs(
        "Nom de naissance",
        &etat_civil.nom_naissance,
        &pivot.nom,
        fold(&etat_civil.nom_naissance) == fold(&pivot.nom),
    );
    let certified_date = iso_date(&pivot.date_naissance);
    differs(
        "Date de naissance",
        &etat_civil.date_naissance.french(),
        &certified_date
            .map(|d| d.french())
            .unwrap_or_else(|| pivot.date_naissance.clone()),
        certified_date == Some(etat_civil.date_naissance),
    );
    if let Some(sexe) = pivot.sexe() {
        differs(
            "Sexe",
            etat_civil.sexe.label(),
            sexe.label(),
            sexe == etat_civil.sexe,
        );
    }
    let typed_in_france = matches!(fold(&etat_civil.pays_naissance).as_str(), "FRANCE" | "FR");
    let certified_in_france = pivot.pays_naissance == FRANCE;
    if typed_in_france != certified_in_france {
        differs(
            "Pays de naissance",
            &etat_civil.pays_naissance,
            if certified_in_france {
                "France"
            } else {
                "un autre pays que la France"
            },
            false,
        );
    } else if certified_in_france {
        if let Some(name) = commune(&pivot.lieu_naissance) {
            differs(
                "Commune de naissance",
                &etat_civil.commune_naissance,
                &name,
                super::communes::canonical(&etat_civil.commune_naissance)
                    == super::communes::canonical(&name),
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::date::Date;

    fn camille() -> IdentitePivot {
        IdentitePivot {
            prenoms: "Camille Marie Louise".into(),
            nom: "BERNARD".into(),
            nom_usage: String::new(),
            date_naissance: "2008-03-14".into(),
            sexe: "female".into(),
            lieu_naissance: "44109".into(),
            pays_naissance: FRANCE.into(),
        }
    }

    fn typed() -> EtatCivil {
        EtatCivil {
            sexe: Sexe::Feminin,
            nom_naissance: "Bernard".into(),
            nom_usage: None,
            prenoms: "Camille Marie Louise".into(),
            date_naissance: Date::new(2008, 3, 14).unwrap(),
            pays_naissance: "France".into(),
            commune_naissance: "Nantes".into(),
            departement_naissance: Some("44".into()),
            nationalite: "Française".into(),
            neph: None,
            representant: None,
        }
    }

    fn nantes(code: &str) -> Option<String> {
        (code == "44109").then(|| "NANTES".to_string())
    }

    #[test]
    fn a_complete_identity_has_every_claim_of_the_pivot() {
        assert_eq!(camille().complete(), Ok(()));
        let without = |f: fn(&mut IdentitePivot)| {
            let mut p = camille();
            f(&mut p);
            p.complete()
        };
        assert_eq!(
            without(|p| p.date_naissance.clear()),
            Err(Manque::DateNaissance)
        );
        assert_eq!(
            without(|p| p.date_naissance = "2008-02-30".into()),
            Err(Manque::DateNaissance)
        );
        assert_eq!(without(|p| p.prenoms = " ".into()), Err(Manque::Prenoms));
        assert_eq!(without(|p| p.sexe = "x".into()), Err(Manque::Sexe));
        assert_eq!(
            without(|p| p.lieu_naissance.clear()),
            Err(Manque::LieuNaissance)
        );
        // Born abroad: no commune, as FranceConnect sends it.
        assert_eq!(
            without(|p| {
                p.lieu_naissance.clear();
                p.pays_naissance = "99350".into();
            }),
            Ok(())
        );
    }

    #[test]
    fn the_same_person_is_recognised_whatever_the_spelling_but_not_another() {
        let mut spelled = camille();
        spelled.prenoms = "camille marie-louise".into();
        spelled.nom = "Bernard".into();
        spelled.nom_usage = "DURAND".into();
        assert!(camille().same_person(&spelled));
        for change in [
            (|p: &mut IdentitePivot| p.date_naissance = "2008-03-15".into())
                as fn(&mut IdentitePivot),
            |p| p.nom = "BERNARDI".into(),
            |p| p.prenoms = "Camille".into(),
            |p| p.lieu_naissance = "44110".into(),
            |p| p.sexe = "male".into(),
        ] {
            let mut other = camille();
            change(&mut other);
            assert!(!camille().same_person(&other), "{other:?}");
        }
    }

    #[test]
    fn what_the_school_typed_matches_the_certified_identity() {
        assert_eq!(ecarts(&typed(), &camille(), nantes), vec![]);
        // Accents, case and hyphens are not differences.
        let mut t = typed();
        t.prenoms = "CAMILLE marie-louise".into();
        t.commune_naissance = "NANTES".into();
        assert_eq!(ecarts(&t, &camille(), nantes), vec![]);
    }

    #[test]
    fn each_difference_names_the_field_and_both_values() {
        let mut t = typed();
        t.prenoms = "Camille".into();
        t.date_naissance = Date::new(2008, 4, 14).unwrap();
        t.commune_naissance = "Rezé".into();
        let found = ecarts(&t, &camille(), nantes);
        let champs: Vec<&str> = found.iter().map(|e| e.champ.as_str()).collect();
        assert_eq!(
            champs,
            ["Prénoms", "Date de naissance", "Commune de naissance"]
        );
        assert_eq!(
            found[0].phrase(),
            "Votre école a saisi « Camille » ; votre identité certifiée indique « Camille Marie Louise »."
        );
        assert_eq!(found[1].saisi, "14/04/2008");
        assert_eq!(found[1].certifie, "14/03/2008");
        assert_eq!(
            motif_de_refus(&found[..1]),
            "L'état civil diffère de mon identité certifiée par FranceConnect. Prénoms : « Camille » au lieu de « Camille Marie Louise »."
        );
        // A commune whose code is unknown here is not compared.
        assert_eq!(ecarts(&t, &camille(), |_| None).len(), 2);
    }

    #[test]
    fn a_birth_abroad_against_a_birth_in_france_is_a_difference() {
        let mut p = camille();
        p.lieu_naissance.clear();
        p.pays_naissance = "99350".into();
        let found = ecarts(&typed(), &p, nantes);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].champ, "Pays de naissance");
        assert_eq!(found[0].saisi, "France");
    }

    #[test]
    fn a_parent_in_place_of_the_candidate_is_another_person_a_typo_is_not() {
        assert!(!autre_personne(&typed(), &camille()));
        // The school's typing mistakes: one of date or first name, not both.
        let mut t = typed();
        t.date_naissance = Date::new(2008, 4, 14).unwrap();
        t.prenoms = "Camille".into();
        assert!(!autre_personne(&t, &camille()));
        let mut t = typed();
        t.prenoms = "Kamille Marie Louise".into();
        assert!(!autre_personne(&t, &camille()));
        // Her mother, same family name, identifies in her place.
        let mut mother = camille();
        mother.prenoms = "Sophie Anne".into();
        mother.date_naissance = "1979-11-02".into();
        assert!(autre_personne(&typed(), &mother));
    }

    #[test]
    fn the_sex_is_compared() {
        let mut p = camille();
        p.sexe = "male".into();
        let found = ecarts(&typed(), &p, nantes);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].saisi.as_str(), found[0].certifie.as_str()),
            ("Femme", "Homme")
        );
    }
}
