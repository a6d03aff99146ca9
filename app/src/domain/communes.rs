//! Postal codes and communes, from the official Etalab data (npm `codes-postaux`, turned into a
//! TSV file by `scripts/setup.sh`; nothing is fetched at run time).

use std::collections::HashMap;

/// One commune served by a postal code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Commune {
    pub code_insee: String,
    pub nom: String,
}

#[derive(Clone, Debug, Default)]
pub struct Communes {
    by_postal_code: HashMap<String, Vec<Commune>>,
}

/// Upper case, accents removed, hyphens and apostrophes as spaces, « SAINT » as « ST »: how
/// La Poste compares commune names.
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let mapped: &str = match c {
            'à' | 'â' | 'ä' | 'á' | 'À' | 'Â' | 'Ä' | 'Á' => "A",
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => "E",
            'î' | 'ï' | 'í' | 'Î' | 'Ï' | 'Í' => "I",
            'ô' | 'ö' | 'ó' | 'Ô' | 'Ö' | 'Ó' => "O",
            'ù' | 'û' | 'ü' | 'ú' | 'Ù' | 'Û' | 'Ü' | 'Ú' => "U",
            'ç' | 'Ç' => "C",
            'ÿ' | 'Ÿ' => "Y",
            'œ' | 'Œ' => "OE",
            'æ' | 'Æ' => "AE",
            '-' | '\'' | '’' | '.' | ',' => " ",
            _ => {
                out.extend(c.to_uppercase());
                continue;
            }
        };
        out.push_str(mapped);
    }
    out.split_whitespace()
        .map(|w| match w {
            "SAINT" => "ST",
            "SAINTE" => "STE",
            other => other,
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// A commune's name as it is compared: folded (`fold`), parentheses as spaces, and the
/// arrondissements of Paris, Lyon and Marseille written any usual way — « 3e », « 3ème »,
/// « 03 », « 1er », with or without « arrondissement » — as their number alone.
pub fn canonical(name: &str) -> String {
    let folded = fold(&name.replace(['(', ')'], " "));
    let words: Vec<String> = folded
        .split_whitespace()
        .filter(|w| !matches!(*w, "ARRONDISSEMENT" | "ARR" | "ARRT"))
        .map(|w| {
            let digits: String = w.chars().take_while(char::is_ascii_digit).collect();
            let suffix = &w[digits.len()..];
            if !digits.is_empty() && matches!(suffix, "" | "E" | "EME" | "ER" | "ERE") {
                match digits.trim_start_matches('0') {
                    "" => "0".to_string(),
                    n => n.to_string(),
                }
            } else {
                w.to_string()
            }
        })
        .collect();
    words.join(" ")
}

/// « Lyon 3e Arrondissement » → « LYON »: the city of an arrondissement, as people often write
/// it next to the postal code (which says the arrondissement).
fn city_of_arrondissement(official: &str) -> Option<String> {
    let canon = canonical(official);
    let (city, last) = canon.rsplit_once(' ')?;
    (fold(official).contains("ARRONDISSEMENT") && last.chars().all(|c| c.is_ascii_digit()))
        .then(|| city.to_string())
}

impl Communes {
    /// Reads `code_postal<TAB>code_insee<TAB>nom` lines.
    pub fn from_tsv(text: &str) -> Communes {
        let mut by_postal_code: HashMap<String, Vec<Commune>> = HashMap::new();
        for line in text.lines() {
            let mut parts = line.split('\t');
            if let (Some(cp), Some(insee), Some(nom)) = (parts.next(), parts.next(), parts.next()) {
                let list = by_postal_code.entry(cp.to_string()).or_default();
                if !list.iter().any(|c| c.code_insee == insee) {
                    list.push(Commune {
                        code_insee: insee.to_string(),
                        nom: nom.to_string(),
                    });
                }
            }
        }
        Communes { by_postal_code }
    }

    pub fn len(&self) -> usize {
        self.by_postal_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_postal_code.is_empty()
    }

    /// The name of the commune whose INSEE (COG) code is `code_insee`, if known.
    pub fn name_of(&self, code_insee: &str) -> Option<&str> {
        self.by_postal_code
            .values()
            .flatten()
            .find(|c| c.code_insee == code_insee)
            .map(|c| c.nom.as_str())
    }

    pub fn for_postal_code(&self, code_postal: &str) -> &[Commune] {
        self.by_postal_code
            .get(code_postal)
            .map_or(&[], Vec::as_slice)
    }

    /// The commune named `nom` among those of `code_postal`, compared as La Poste does
    /// (`canonical`); for an arrondissement, the city's name alone is enough.
    pub fn find(&self, code_postal: &str, nom: &str) -> Option<&Commune> {
        let wanted = canonical(nom);
        let list = self.for_postal_code(code_postal);
        list.iter()
            .find(|c| canonical(&c.nom) == wanted)
            .or_else(|| {
                list.iter()
                    .find(|c| city_of_arrondissement(&c.nom).as_deref() == Some(wanted.as_str()))
            })
    }
}

/// What is said of a postal code that does not exist.
pub fn unknown_postal_code(code_postal: &str) -> String {
    format!("Le code postal {code_postal} n'existe pas : vérifiez-le sur un courrier reçu à cette adresse.")
}

/// Why a postal code and a commune do not go together.
pub fn check(
    communes: &Communes,
    code_postal: &str,
    nom: &str,
) -> Result<String, (&'static str, String)> {
    let list = communes.for_postal_code(code_postal);
    if list.is_empty() {
        return Err(("code_postal", unknown_postal_code(code_postal)));
    }
    match communes.find(code_postal, nom) {
        Some(c) => Ok(c.nom.clone()),
        None => {
            let names: Vec<&str> = list.iter().map(|c| c.nom.as_str()).take(8).collect();
            Err((
                "commune",
                format!(
                    "« {nom} » ne correspond pas au code postal {code_postal}, qui dessert : {}.",
                    names.join(", ")
                ),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "77000\t77288\tMelun\n77000\t77495\tLa Rochette\n77000\t77514\tVaux-le-Pénil\n42000\t42218\tSaint-Étienne\n";

    #[test]
    fn names_compare_like_la_poste() {
        assert_eq!(fold("Saint-Étienne"), "ST ETIENNE");
        assert_eq!(fold("st etienne"), "ST ETIENNE");
        assert_eq!(fold("L'Haÿ-les-Roses"), "L HAY LES ROSES");
        assert_eq!(fold("  Vaux  le pénil "), "VAUX LE PENIL");
    }

    #[test]
    fn postal_codes_and_communes_must_match() {
        let c = Communes::from_tsv(SAMPLE);
        assert_eq!(check(&c, "77000", "MELUN"), Ok("Melun".into()));
        assert_eq!(
            check(&c, "77000", "vaux le penil"),
            Ok("Vaux-le-Pénil".into())
        );
        assert_eq!(check(&c, "42000", "St Etienne"), Ok("Saint-Étienne".into()));
        let (field, message) = check(&c, "77000", "Paris").unwrap_err();
        assert_eq!(field, "commune");
        assert!(
            message.contains("Melun, La Rochette, Vaux-le-Pénil"),
            "{message}"
        );
        assert_eq!(check(&c, "77999", "Melun").unwrap_err().0, "code_postal");
    }

    #[test]
    fn arrondissements_are_written_every_usual_way() {
        let c = Communes::from_tsv(
            "69003\t69383\tLyon 3e Arrondissement\n75011\t75111\tParis 11e Arrondissement\n\
             13001\t13201\tMarseille 1er Arrondissement\n16300\t16052\tBors (Canton de Tude-et-Lavalette)\n",
        );
        for typed in [
            "Lyon 3e Arrondissement",
            "Lyon 3e",
            "LYON 03",
            "lyon 3ème",
            "Lyon 3eme arrondissement",
            "Lyon",
        ] {
            assert_eq!(
                check(&c, "69003", typed),
                Ok("Lyon 3e Arrondissement".into()),
                "{typed}"
            );
        }
        assert_eq!(
            check(&c, "75011", "Paris 11e arrondissement"),
            Ok("Paris 11e Arrondissement".into())
        );
        assert_eq!(
            check(&c, "75011", "PARIS"),
            Ok("Paris 11e Arrondissement".into())
        );
        assert_eq!(
            check(&c, "13001", "Marseille 1er"),
            Ok("Marseille 1er Arrondissement".into())
        );
        assert_eq!(
            check(&c, "13001", "Marseille 01"),
            Ok("Marseille 1er Arrondissement".into())
        );
        // Another arrondissement than the postal code's is not this one.
        assert_eq!(check(&c, "69003", "Lyon 4e").unwrap_err().0, "commune");
        assert_eq!(
            check(&c, "16300", "Bors (Canton de Tude-et-Lavalette)"),
            Ok("Bors (Canton de Tude-et-Lavalette)".into())
        );
        assert_eq!(canonical("Lyon 3e Arrondissement"), "LYON 3");
        assert_eq!(canonical("Saint-Étienne"), "ST ETIENNE");
    }
}
