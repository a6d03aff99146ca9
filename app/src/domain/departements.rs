//! Départements and their préfecture (the default « préfecture de rattachement »).
//! Source: Code général des collectivités territoriales, annexe (chefs-lieux de département).

pub const DEPARTEMENTS: &[(&str, &str, &str)] = &[
    ("01", "Ain", "Bourg-en-Bresse"),
    ("02", "Aisne", "Laon"),
    ("03", "Allier", "Moulins"),
    ("04", "Alpes-de-Haute-Provence", "Digne-les-Bains"),
    ("05", "Hautes-Alpes", "Gap"),
    ("06", "Alpes-Maritimes", "Nice"),
    ("07", "Ardèche", "Privas"),
    ("08", "Ardennes", "Charleville-Mézières"),
    ("09", "Ariège", "Foix"),
    ("10", "Aube", "Troyes"),
    ("11", "Aude", "Carcassonne"),
    ("12", "Aveyron", "Rodez"),
    ("13", "Bouches-du-Rhône", "Marseille"),
    ("14", "Calvados", "Caen"),
    ("15", "Cantal", "Aurillac"),
    ("16", "Charente", "Angoulême"),
    ("17", "Charente-Maritime", "La Rochelle"),
    ("18", "Cher", "Bourges"),
    ("19", "Corrèze", "Tulle"),
    ("2A", "Corse-du-Sud", "Ajaccio"),
    ("2B", "Haute-Corse", "Bastia"),
    ("21", "Côte-d'Or", "Dijon"),
    ("22", "Côtes-d'Armor", "Saint-Brieuc"),
    ("23", "Creuse", "Guéret"),
    ("24", "Dordogne", "Périgueux"),
    ("25", "Doubs", "Besançon"),
    ("26", "Drôme", "Valence"),
    ("27", "Eure", "Évreux"),
    ("28", "Eure-et-Loir", "Chartres"),
    ("29", "Finistère", "Quimper"),
    ("30", "Gard", "Nîmes"),
    ("31", "Haute-Garonne", "Toulouse"),
    ("32", "Gers", "Auch"),
    ("33", "Gironde", "Bordeaux"),
    ("34", "Hérault", "Montpellier"),
    ("35", "Ille-et-Vilaine", "Rennes"),
    ("36", "Indre", "Châteauroux"),
    ("37", "Indre-et-Loire", "Tours"),
    ("38", "Isère", "Grenoble"),
    ("39", "Jura", "Lons-le-Saunier"),
    ("40", "Landes", "Mont-de-Marsan"),
    ("41", "Loir-et-Cher", "Blois"),
    ("42", "Loire", "Saint-Étienne"),
    ("43", "Haute-Loire", "Le Puy-en-Velay"),
    ("44", "Loire-Atlantique", "Nantes"),
    ("45", "Loiret", "Orléans"),
    ("46", "Lot", "Cahors"),
    ("47", "Lot-et-Garonne", "Agen"),
    ("48", "Lozère", "Mende"),
    ("49", "Maine-et-Loire", "Angers"),
    ("50", "Manche", "Saint-Lô"),
    ("51", "Marne", "Châlons-en-Champagne"),
    ("52", "Haute-Marne", "Chaumont"),
    ("53", "Mayenne", "Laval"),
    ("54", "Meurthe-et-Moselle", "Nancy"),
    ("55", "Meuse", "Bar-le-Duc"),
    ("56", "Morbihan", "Vannes"),
    ("57", "Moselle", "Metz"),
    ("58", "Nièvre", "Nevers"),
    ("59", "Nord", "Lille"),
    ("60", "Oise", "Beauvais"),
    ("61", "Orne", "Alençon"),
    ("62", "Pas-de-Calais", "Arras"),
    ("63", "Puy-de-Dôme", "Clermont-Ferrand"),
    ("64", "Pyrénées-Atlantiques", "Pau"),
    ("65", "Hautes-Pyrénées", "Tarbes"),
    ("66", "Pyrénées-Orientales", "Perpignan"),
    ("67", "Bas-Rhin", "Strasbourg"),
    ("68", "Haut-Rhin", "Colmar"),
    ("69", "Rhône", "Lyon"),
    ("70", "Haute-Saône", "Vesoul"),
    ("71", "Saône-et-Loire", "Mâcon"),
    ("72", "Sarthe", "Le Mans"),
    ("73", "Savoie", "Chambéry"),
    ("74", "Haute-Savoie", "Annecy"),
    ("75", "Paris", "Paris"),
    ("76", "Seine-Maritime", "Rouen"),
    ("77", "Seine-et-Marne", "Melun"),
    ("78", "Yvelines", "Versailles"),
    ("79", "Deux-Sèvres", "Niort"),
    ("80", "Somme", "Amiens"),
    ("81", "Tarn", "Albi"),
    ("82", "Tarn-et-Garonne", "Montauban"),
    ("83", "Var", "Toulon"),
    ("84", "Vaucluse", "Avignon"),
    ("85", "Vendée", "La Roche-sur-Yon"),
    ("86", "Vienne", "Poitiers"),
    ("87", "Haute-Vienne", "Limoges"),
    ("88", "Vosges", "Épinal"),
    ("89", "Yonne", "Auxerre"),
    ("90", "Territoire de Belfort", "Belfort"),
    ("91", "Essonne", "Évry-Courcouronnes"),
    ("92", "Hauts-de-Seine", "Nanterre"),
    ("93", "Seine-Saint-Denis", "Bobigny"),
    ("94", "Val-de-Marne", "Créteil"),
    ("95", "Val-d'Oise", "Cergy"),
    ("971", "Guadeloupe", "Basse-Terre"),
    ("972", "Martinique", "Fort-de-France"),
    ("973", "Guyane", "Cayenne"),
    ("974", "La Réunion", "Saint-Denis"),
    ("976", "Mayotte", "Mamoudzou"),
];

/// The département of a postal code: first two digits, Corsica split at 20200, overseas on three
/// digits. (A few postal codes cross département lines; the préfecture stays editable.)
pub fn departement_of_postal_code(code_postal: &str) -> Option<&'static str> {
    let code = if code_postal.starts_with("97") {
        code_postal.get(..3)?
    } else if code_postal.starts_with("20") {
        let n: u32 = code_postal.parse().ok()?;
        if n < 20200 {
            "2A"
        } else {
            "2B"
        }
    } else {
        code_postal.get(..2)?
    };
    DEPARTEMENTS.iter().find(|d| d.0 == code).map(|d| d.0)
}

pub fn find(code: &str) -> Option<&'static (&'static str, &'static str, &'static str)> {
    let code = code.trim().to_uppercase();
    let code = if code.len() == 1 {
        format!("0{code}")
    } else {
        code
    };
    DEPARTEMENTS.iter().find(|d| d.0 == code)
}

/// « Préfecture de Melun (Seine-et-Marne) » — named after its town, which needs no article.
pub fn prefecture_label(code: &str) -> Option<String> {
    find(code).map(|(_, name, chef_lieu)| format!("Préfecture {} ({name})", de(chef_lieu)))
}

/// « de Melun », « d'Évreux », « du Mans », « de La Rochelle »
fn de(town: &str) -> String {
    if let Some(rest) = town.strip_prefix("Le ") {
        format!("du {rest}")
    } else if town.chars().next().is_some_and(|c| "AEIOUYÉÈÎ".contains(c)) {
        format!("d'{town}")
    } else {
        format!("de {town}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_departement_is_listed_once() {
        assert_eq!(DEPARTEMENTS.len(), 101);
        let mut codes: Vec<&str> = DEPARTEMENTS.iter().map(|d| d.0).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 101);
    }

    #[test]
    fn postal_codes_give_their_departement() {
        assert_eq!(departement_of_postal_code("75011"), Some("75"));
        assert_eq!(departement_of_postal_code("01000"), Some("01"));
        assert_eq!(departement_of_postal_code("20000"), Some("2A"));
        assert_eq!(departement_of_postal_code("20200"), Some("2B"));
        assert_eq!(departement_of_postal_code("97400"), Some("974"));
        assert_eq!(
            departement_of_postal_code("97500"),
            None,
            "Saint-Pierre-et-Miquelon is not a département"
        );
        assert_eq!(
            prefecture_label("77").as_deref(),
            Some("Préfecture de Melun (Seine-et-Marne)")
        );
        assert_eq!(
            prefecture_label("1").as_deref(),
            Some("Préfecture de Bourg-en-Bresse (Ain)")
        );
        assert_eq!(
            prefecture_label("27").as_deref(),
            Some("Préfecture d'Évreux (Eure)")
        );
        assert_eq!(
            prefecture_label("72").as_deref(),
            Some("Préfecture du Mans (Sarthe)")
        );
    }
}
