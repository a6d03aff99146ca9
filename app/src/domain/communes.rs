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

    pub fn for_postal_code(&self, code_postal: &str) -> &[Commune] {
        self.by_postal_code
            .get(code_postal)
            .map_or(&[], Vec::as_slice)
    }

    /// The commune named `nom` among those of `code_postal`, compared as La Poste does.
    pub fn find(&self, code_postal: &str, nom: &str) -> Option<&Commune> {
        let wanted = fold(nom);
        self.for_postal_code(code_postal)
            .iter()
            .find(|c| fold(&c.nom) == wanted)
    }
}

/// Why a postal code and a commune do not go together.
pub fn check(
    communes: &Communes,
    code_postal: &str,
    nom: &str,
) -> Result<String, (&'static str, String)> {
    let list = communes.for_postal_code(code_postal);
    if list.is_empty() {
        return Err((
            "code_postal",
            format!("Le code postal {code_postal} n'existe pas : vérifiez-le sur un courrier reçu à cette adresse."),
        ));
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
}
