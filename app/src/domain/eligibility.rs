//! Who may file for what, and which documents each case requires. Pure rules, used by the
//! browser for instant messages and by the server, which decides.

use super::date::Date;
use super::demande::{Categorie, Filiere, Motif, MotifStep, Piece};

/// A rule broken, with the form field it concerns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Breach {
    pub field: &'static str,
    pub message: String,
}

fn breach(field: &'static str, message: impl Into<String>) -> Breach {
    Breach {
        field,
        message: message.into(),
    }
}

/// Minimum age to register for `categorie` on the training route `filiere`.
///
/// Source: Code de la route, art. R221-5 (ages per category); décret n° 2023-1186 of
/// 14 December 2023 (practical B exam from 17); arrêté of 2023 on AAC and conduite supervisée
/// (training from 15). Motorcycles A: 24 directly, 20 after two years of A2 (progressive access,
/// which is an extension). C, CE, D1, D1E: 21, D and DE: 24 (the lower ages reserved to holders
/// of a professional qualification are not handled by this service).
pub fn min_age(categorie: Categorie, filiere: Filiere, motif: Motif) -> i32 {
    match categorie {
        Categorie::Am => 14,
        Categorie::A1 | Categorie::B1 => 16,
        Categorie::A2 => 18,
        Categorie::A if motif == Motif::Extension => 20,
        Categorie::A => 24,
        Categorie::B => match filiere {
            Filiere::Aac | Filiere::Supervisee | Filiere::Encadree => 15,
            Filiere::Traditionnelle => 16,
        },
        Categorie::Be | Categorie::C1 | Categorie::C1e => 18,
        Categorie::C | Categorie::Ce | Categorie::D1 | Categorie::D1e => 21,
        Categorie::D | Categorie::De => 24,
    }
}

/// Age for the practical exam of category B (décret n° 2023-1186).
pub const B_EXAM_AGE: i32 = 17;

/// Categories for which a medical opinion is required (arrêté of 28 March 2022, heavy and
/// towing categories), and any declared handicap.
pub fn requires_medical(step: &MotifStep) -> bool {
    step.handicap
        || step.categories.iter().any(|c| {
            matches!(
                c,
                Categorie::Be
                    | Categorie::C1
                    | Categorie::C1e
                    | Categorie::C
                    | Categorie::Ce
                    | Categorie::D1
                    | Categorie::D1e
                    | Categorie::D
                    | Categorie::De
            )
        })
}

/// Rules on the motif step alone: which categories go together, which routes apply.
pub fn check_motif(step: &MotifStep) -> Vec<Breach> {
    let mut out = Vec::new();
    let cats = &step.categories;
    let has = |c: Categorie| cats.contains(&c);
    if cats.is_empty() {
        out.push(breach("categories", "Cochez au moins une catégorie."));
        return out;
    }
    if cats.len() > 4 {
        out.push(breach(
            "categories",
            "Une demande porte sur 4 catégories au plus.",
        ));
    }
    let motos = [Categorie::A1, Categorie::A2, Categorie::A]
        .iter()
        .filter(|c| has(**c))
        .count();
    if motos > 1 {
        out.push(breach(
            "categories",
            "Choisissez une seule catégorie de motocyclette : A1, A2 ou A.",
        ));
    }
    // A category with a trailer goes with its base category, unless the candidate holds it
    // already (extension).
    if step.motif != Motif::Extension {
        for (with_trailer, bases) in [
            (Categorie::Be, &[Categorie::B][..]),
            (Categorie::C1e, &[Categorie::C1, Categorie::C][..]),
            (Categorie::Ce, &[Categorie::C][..]),
            (Categorie::D1e, &[Categorie::D1, Categorie::D][..]),
            (Categorie::De, &[Categorie::D][..]),
        ] {
            if has(with_trailer) && !bases.iter().any(|b| has(*b)) {
                out.push(breach(
                    "categories",
                    format!(
                        "La catégorie {} demande aussi la catégorie {} (ou une extension si le candidat la détient déjà).",
                        with_trailer.code(),
                        bases.iter().map(|b| b.code()).collect::<Vec<_>>().join(" ou ")
                    ),
                ));
            }
        }
        let heavy = [Categorie::C1, Categorie::C, Categorie::D1, Categorie::D];
        if heavy.iter().any(|c| has(*c)) && !has(Categorie::B) {
            out.push(breach(
                "categories",
                "Les catégories C1, C, D1 et D supposent le permis B : ajoutez la catégorie B, ou choisissez le motif « Extension » si le candidat le détient.",
            ));
        }
    }
    if step.filiere != Filiere::Traditionnelle && cats.iter().any(|c| *c != Categorie::B) {
        out.push(breach(
            "filiere",
            format!(
                "La {} ne concerne que la catégorie B.",
                match step.filiere {
                    Filiere::Aac => "conduite accompagnée (AAC)",
                    Filiere::Supervisee => "conduite supervisée",
                    _ => "conduite encadrée",
                }
            ),
        ));
    }
    out
}

/// Age rules, once the birth date is known, as of `today`.
pub fn check_age(step: &MotifStep, birth: Date, today: Date) -> Vec<Breach> {
    let age = birth.age_on(today);
    let mut out = Vec::new();
    for &c in &step.categories {
        let min = min_age(c, step.filiere, step.motif);
        if age < min {
            let exam = if c == Categorie::B {
                format!(" (examen pratique à partir de {B_EXAM_AGE} ans)")
            } else {
                String::new()
            };
            let route = if c == Categorie::B {
                format!(" en {}", step.filiere.label().to_lowercase())
            } else {
                String::new()
            };
            out.push(breach(
                "date_naissance",
                format!(
                    "Le candidat a {age} ans : la catégorie {}{route} est accessible à partir de {min} ans{exam}.",
                    c.code()
                ),
            ));
        }
    }
    if age > 120 {
        out.push(breach("date_naissance", "Vérifiez l'année de naissance."));
    }
    out
}

pub fn is_minor(birth: Date, today: Date) -> bool {
    birth.age_on(today) < 18
}

/// The supporting documents this demande requires.
///
/// ASSR 2 / ASR: first licence before 21 (Code de la route, art. R221-5, II). JDC certificate:
/// from 17 to 25 inclusive (Code du service national, art. L114-6). Medical opinion: see
/// `requires_medical`. Legal representative's ID: the candidate is a minor.
pub fn required_pieces(step: &MotifStep, birth: Date, today: Date) -> Vec<Piece> {
    let age = birth.age_on(today);
    let mut pieces = vec![Piece::Identite, Piece::Domicile];
    if step.motif == Motif::Premier && age < 21 {
        pieces.push(Piece::Assr);
    }
    if (17..=25).contains(&age) {
        pieces.push(Piece::Jdc);
    }
    if requires_medical(step) {
        pieces.push(Piece::AvisMedical);
    }
    if age < 18 {
        pieces.push(Piece::IdentiteRepresentant);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(motif: Motif, cats: &[Categorie], filiere: Filiere) -> MotifStep {
        MotifStep {
            motif,
            categories: cats.to_vec(),
            filiere,
            boite_automatique: false,
            handicap: false,
        }
    }

    fn d(y: i32, m: u8, day: u8) -> Date {
        Date::new(y, m, day).unwrap()
    }

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 26,
    };

    #[test]
    fn aac_starts_at_fifteen_and_traditional_b_at_sixteen() {
        let aac = step(Motif::Premier, &[Categorie::B], Filiere::Aac);
        assert!(
            check_age(&aac, d(2011, 11, 26), TODAY).is_empty(),
            "15 today"
        );
        let b = check_age(&aac, d(2011, 11, 27), TODAY);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].field, "date_naissance");
        assert!(
            b[0].message.contains("à partir de 15 ans"),
            "{}",
            b[0].message
        );
        assert!(b[0].message.contains("examen pratique à partir de 17 ans"));

        let trad = step(Motif::Premier, &[Categorie::B], Filiere::Traditionnelle);
        assert_eq!(
            check_age(&trad, d(2010, 11, 27), TODAY).len(),
            1,
            "15 years and 364 days"
        );
        assert!(
            check_age(&trad, d(2010, 11, 26), TODAY).is_empty(),
            "16 today"
        );
    }

    #[test]
    fn every_category_has_its_minimum_age() {
        let cases = [
            (Categorie::Am, 14),
            (Categorie::A1, 16),
            (Categorie::B1, 16),
            (Categorie::A2, 18),
            (Categorie::A, 24),
            (Categorie::Be, 18),
            (Categorie::C1, 18),
            (Categorie::C1e, 18),
            (Categorie::C, 21),
            (Categorie::Ce, 21),
            (Categorie::D1, 21),
            (Categorie::D1e, 21),
            (Categorie::D, 24),
            (Categorie::De, 24),
        ];
        for (cat, age) in cases {
            let s = step(Motif::Extension, &[cat], Filiere::Traditionnelle);
            let expected = if cat == Categorie::A { 20 } else { age };
            assert_eq!(
                min_age(cat, Filiere::Traditionnelle, Motif::Extension),
                expected,
                "{cat:?}"
            );
            let old_enough = d(2026 - expected, 11, 26);
            let too_young = d(2026 - expected, 11, 27);
            assert!(check_age(&s, old_enough, TODAY).is_empty(), "{cat:?}");
            assert_eq!(check_age(&s, too_young, TODAY).len(), 1, "{cat:?}");
        }
        assert_eq!(
            min_age(Categorie::A, Filiere::Traditionnelle, Motif::Premier),
            24
        );
    }

    #[test]
    fn categories_combine_only_where_the_rules_allow() {
        let ok = step(
            Motif::Premier,
            &[Categorie::B, Categorie::Be],
            Filiere::Traditionnelle,
        );
        assert!(check_motif(&ok).is_empty());
        let be_alone = step(Motif::Premier, &[Categorie::Be], Filiere::Traditionnelle);
        assert!(check_motif(&be_alone)[0]
            .message
            .contains("BE demande aussi la catégorie B"));
        let be_extension = step(Motif::Extension, &[Categorie::Be], Filiere::Traditionnelle);
        assert!(check_motif(&be_extension).is_empty());
        let two_motos = step(
            Motif::Premier,
            &[Categorie::A1, Categorie::A2],
            Filiere::Traditionnelle,
        );
        assert_eq!(check_motif(&two_motos)[0].field, "categories");
        let truck_without_b = step(Motif::Premier, &[Categorie::C], Filiere::Traditionnelle);
        assert!(check_motif(&truck_without_b)[0]
            .message
            .contains("supposent le permis B"));
        let none = step(Motif::Premier, &[], Filiere::Traditionnelle);
        assert_eq!(
            check_motif(&none)[0].message,
            "Cochez au moins une catégorie."
        );
        let aac_moto = step(Motif::Premier, &[Categorie::B, Categorie::A2], Filiere::Aac);
        let breaches = check_motif(&aac_moto);
        assert_eq!(breaches[0].field, "filiere");
        assert!(breaches[0].message.contains("que la catégorie B"));
    }

    #[test]
    fn documents_follow_age_motif_and_categories() {
        let b = step(Motif::Premier, &[Categorie::B], Filiere::Aac);
        // 17 years old, first licence: ASSR, JDC, representative's ID.
        assert_eq!(
            required_pieces(&b, d(2009, 3, 14), TODAY),
            vec![
                Piece::Identite,
                Piece::Domicile,
                Piece::Assr,
                Piece::Jdc,
                Piece::IdentiteRepresentant
            ]
        );
        // 16: no JDC yet.
        assert!(!required_pieces(&b, d(2010, 3, 14), TODAY).contains(&Piece::Jdc));
        // 21: no ASSR; 25 still JDC; 26 no JDC.
        let trad = step(Motif::Premier, &[Categorie::B], Filiere::Traditionnelle);
        assert!(!required_pieces(&trad, d(2005, 11, 26), TODAY).contains(&Piece::Assr));
        assert!(
            required_pieces(&trad, d(2005, 11, 27), TODAY).contains(&Piece::Assr),
            "20 years old"
        );
        assert!(
            required_pieces(&trad, d(2000, 11, 27), TODAY).contains(&Piece::Jdc),
            "25 years old"
        );
        assert!(
            !required_pieces(&trad, d(2000, 11, 26), TODAY).contains(&Piece::Jdc),
            "26 years old"
        );
        // Extension: no ASSR even when young.
        let ext = step(Motif::Extension, &[Categorie::Be], Filiere::Traditionnelle);
        let pieces = required_pieces(&ext, d(2006, 1, 1), TODAY);
        assert!(!pieces.contains(&Piece::Assr));
        assert!(
            pieces.contains(&Piece::AvisMedical),
            "BE needs a medical opinion"
        );
        // A declared handicap needs a medical opinion whatever the category.
        let mut handicap = trad.clone();
        handicap.handicap = true;
        assert!(required_pieces(&handicap, d(1990, 1, 1), TODAY).contains(&Piece::AvisMedical));
        assert!(!required_pieces(&trad, d(1990, 1, 1), TODAY).contains(&Piece::AvisMedical));
    }
}
