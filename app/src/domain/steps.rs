//! The stepper's forms as they arrive (strings), turned into the demande's typed steps with every
//! problem attached to its field. Used by the browser for instant messages and by the server.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::date::{Date, DateProblem};
use super::demande::*;
use super::eligibility;
use super::formats::*;
use crate::error::FieldError;

#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            message: message.into(),
        });
    }

    fn take<T, E: Into<String>>(&mut self, field: &str, r: Result<T, E>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.add(field, e);
                None
            }
        }
    }

    fn finish<T>(self, value: impl FnOnce() -> Option<T>) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            value().ok_or_else(|| {
                vec![FieldError {
                    field: "form".into(),
                    message: "Le formulaire est incomplet.".into(),
                }]
            })
        } else {
            Err(self.0)
        }
    }
}

fn text(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("").trim()
}

fn checked(v: &Option<String>) -> bool {
    ticked(v.as_deref())
}

fn choice<T>(
    v: &Option<String>,
    parse: impl Fn(&str) -> Option<T>,
    missing: &str,
) -> Result<T, String> {
    match text(v) {
        "" => Err(missing.to_string()),
        s => parse(s).ok_or_else(|| "Choisissez une des valeurs proposées.".to_string()),
    }
}

fn optional_text(v: &Option<String>, max: usize) -> Result<Option<String>, String> {
    normalize_text(text(v), max).map(|s| (!s.is_empty()).then_some(s))
}

fn date_message(p: DateProblem, what: &str) -> String {
    match p {
        DateProblem::Empty => format!("Saisissez {what}."),
        DateProblem::Format => {
            "Saisissez une date au format JJ/MM/AAAA, par exemple 14/03/2009.".into()
        }
        DateProblem::NotACalendarDay => {
            "Cette date n'existe pas : vérifiez le jour et le mois.".into()
        }
    }
}

// ---------------------------------------------------------------- step 1

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotifForm {
    pub motif: Option<String>,
    /// Checkbox `categories[B]=on` per ticked category.
    #[serde(default)]
    pub categories: BTreeMap<String, String>,
    pub filiere: Option<String>,
    pub boite_automatique: Option<String>,
    pub handicap: Option<String>,
}

pub fn parse_motif(form: &MotifForm) -> Result<MotifStep, Vec<FieldError>> {
    let mut e = Errors::default();
    let motif = e.take(
        "motif",
        choice(
            &form.motif,
            Motif::parse,
            "Choisissez le motif de la demande.",
        ),
    );
    let mut categories = Vec::new();
    for key in form.categories.keys() {
        match Categorie::parse(key) {
            Some(c) => categories.push(c),
            None => e.add("categories", format!("Catégorie inconnue : « {key} ».")),
        }
    }
    categories.sort();
    let filiere = e.take(
        "filiere",
        choice(
            &form.filiere,
            Filiere::parse,
            "Choisissez la filière de formation.",
        ),
    );
    let step = motif.zip(filiere).map(|(motif, filiere)| MotifStep {
        motif,
        categories,
        filiere,
        boite_automatique: checked(&form.boite_automatique),
        handicap: checked(&form.handicap),
    });
    match &step {
        Some(s) => {
            for b in eligibility::check_motif(s) {
                e.add(b.field, b.message);
            }
        }
        None if form.categories.is_empty() => e.add("categories", "Cochez au moins une catégorie."),
        None => {}
    }
    e.finish(|| step)
}

impl MotifForm {
    pub fn from_step(s: &MotifStep) -> MotifForm {
        MotifForm {
            motif: Some(s.motif.code().into()),
            categories: s
                .categories
                .iter()
                .map(|c| (c.code().to_string(), "on".to_string()))
                .collect(),
            filiere: Some(s.filiere.code().into()),
            boite_automatique: s.boite_automatique.then(|| "on".into()),
            handicap: s.handicap.then(|| "on".into()),
        }
    }
}

// ---------------------------------------------------------------- step 2

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtatCivilForm {
    pub sexe: Option<String>,
    pub nom_naissance: Option<String>,
    pub nom_usage: Option<String>,
    pub prenoms: Option<String>,
    pub date_naissance: Option<String>,
    pub pays_naissance: Option<String>,
    pub commune_naissance: Option<String>,
    pub departement_naissance: Option<String>,
    pub nationalite: Option<String>,
    pub neph: Option<String>,
    pub rep_qualite: Option<String>,
    pub rep_nom: Option<String>,
    pub rep_prenoms: Option<String>,
    pub rep_date_naissance: Option<String>,
}

fn is_france(pays: &str) -> bool {
    matches!(pays.to_lowercase().as_str(), "france" | "fr")
}

/// `motif` (step 1, when saved) brings the age rules; `today` is the filing date.
pub fn parse_etat_civil(
    form: &EtatCivilForm,
    motif: Option<&MotifStep>,
    today: Date,
) -> Result<EtatCivil, Vec<FieldError>> {
    let mut e = Errors::default();
    let sexe = e.take(
        "sexe",
        choice(&form.sexe, Sexe::parse, "Indiquez le sexe du candidat."),
    );
    let nom_naissance = e.take(
        "nom_naissance",
        normalize_name(text(&form.nom_naissance), "le nom de naissance", 80),
    );
    let nom_usage = match text(&form.nom_usage) {
        "" => None,
        s => e.take("nom_usage", normalize_name(s, "le nom d'usage", 80)),
    };
    let prenoms = e.take(
        "prenoms",
        normalize_name(text(&form.prenoms), "le ou les prénoms", 120),
    );
    let date_naissance = match Date::parse(text(&form.date_naissance)) {
        Err(p) => {
            e.add("date_naissance", date_message(p, "la date de naissance"));
            None
        }
        Ok(d) if d > today => {
            e.add(
                "date_naissance",
                "La date de naissance ne peut pas être dans le futur.",
            );
            None
        }
        Ok(d) => Some(d),
    };
    if let (Some(d), Some(m)) = (date_naissance, motif) {
        for b in eligibility::check_age(m, d, today) {
            e.add(b.field, b.message);
        }
    }
    let pays = e.take(
        "pays_naissance",
        normalize_name(text(&form.pays_naissance), "le pays de naissance", 60),
    );
    let commune = e.take(
        "commune_naissance",
        normalize_commune(text(&form.commune_naissance), "la commune de naissance", 80),
    );
    let departement = match (&pays, text(&form.departement_naissance)) {
        (Some(p), "") if is_france(p) => {
            e.add(
                "departement_naissance",
                "Pour une naissance en France, indiquez le département (par exemple 75 ou 2A).",
            );
            None
        }
        (Some(p), code) if is_france(p) => match super::departements::find(code) {
            Some(d) => Some(d.0.to_string()),
            None => {
                e.add("departement_naissance", "Ce département n'existe pas : saisissez son numéro, par exemple 75, 2A ou 974.");
                None
            }
        },
        _ => None,
    };
    let nationalite = e.take(
        "nationalite",
        normalize_name(text(&form.nationalite), "la nationalité", 60),
    );
    let neph = e.take("neph", normalize_neph(text(&form.neph))).flatten();

    let minor = date_naissance.is_some_and(|d| eligibility::is_minor(d, today));
    let representant = if minor {
        let qualite = e.take(
            "rep_qualite",
            choice(
                &form.rep_qualite,
                Qualite::parse,
                "Le candidat est mineur : indiquez qui est son représentant légal.",
            ),
        );
        let nom = e.take(
            "rep_nom",
            normalize_name(text(&form.rep_nom), "le nom du représentant légal", 80),
        );
        let prenoms = e.take(
            "rep_prenoms",
            normalize_name(
                text(&form.rep_prenoms),
                "le prénom du représentant légal",
                120,
            ),
        );
        let rep_date = match Date::parse(text(&form.rep_date_naissance)) {
            Err(p) => {
                e.add(
                    "rep_date_naissance",
                    date_message(p, "la date de naissance du représentant légal"),
                );
                None
            }
            Ok(d) if d.age_on(today) < 18 => {
                e.add(
                    "rep_date_naissance",
                    "Le représentant légal doit être majeur.",
                );
                None
            }
            Ok(d) => Some(d),
        };
        match (qualite, nom, prenoms, rep_date) {
            (Some(qualite), Some(nom), Some(prenoms), Some(date_naissance)) => Some(Representant {
                qualite,
                nom,
                prenoms,
                date_naissance,
            }),
            _ => None,
        }
    } else {
        None
    };

    e.finish(|| {
        Some(EtatCivil {
            sexe: sexe?,
            nom_naissance: nom_naissance?,
            nom_usage,
            prenoms: prenoms?,
            date_naissance: date_naissance?,
            pays_naissance: pays?,
            commune_naissance: commune?,
            departement_naissance: departement,
            nationalite: nationalite?,
            neph,
            representant,
        })
    })
}

impl EtatCivilForm {
    pub fn from_step(s: &EtatCivil) -> EtatCivilForm {
        let rep = s.representant.as_ref();
        EtatCivilForm {
            sexe: Some(s.sexe.code().into()),
            nom_naissance: Some(s.nom_naissance.clone()),
            nom_usage: s.nom_usage.clone(),
            prenoms: Some(s.prenoms.clone()),
            date_naissance: Some(s.date_naissance.iso()),
            pays_naissance: Some(s.pays_naissance.clone()),
            commune_naissance: Some(s.commune_naissance.clone()),
            departement_naissance: s.departement_naissance.clone(),
            nationalite: Some(s.nationalite.clone()),
            neph: s.neph.clone(),
            rep_qualite: rep.map(|r| r.qualite.code().into()),
            rep_nom: rep.map(|r| r.nom.clone()),
            rep_prenoms: rep.map(|r| r.prenoms.clone()),
            rep_date_naissance: rep.map(|r| r.date_naissance.iso()),
        }
    }
}

// ---------------------------------------------------------------- step 3

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdresseForm {
    pub numero: Option<String>,
    pub extension: Option<String>,
    pub type_voie: Option<String>,
    pub nom_voie: Option<String>,
    pub complement: Option<String>,
    pub code_postal: Option<String>,
    pub commune: Option<String>,
    pub prefecture: Option<String>,
    pub email: Option<String>,
    pub telephone: Option<String>,
    pub refus_reutilisation: Option<String>,
}

pub fn parse_adresse(form: &AdresseForm) -> Result<Adresse, Vec<FieldError>> {
    let mut e = Errors::default();
    let numero = match text(&form.numero) {
        "" => None,
        n if n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit()) && n != "0" => {
            Some(n.to_string())
        }
        _ => {
            e.add("numero", "Le numéro de voie est un nombre, par exemple 12 (l'extension bis, ter… se choisit à côté).");
            None
        }
    };
    let extension = match text(&form.extension) {
        "" => None,
        x => match EXTENSIONS_VOIE.iter().find(|v| v.eq_ignore_ascii_case(x)) {
            Some(v) => Some(v.to_string()),
            None => {
                e.add(
                    "extension",
                    "Choisissez une des extensions proposées (bis, ter, quater…).",
                );
                None
            }
        },
    };
    if extension.is_some() && numero.is_none() {
        e.add(
            "numero",
            "Une extension (bis, ter…) suppose un numéro de voie.",
        );
    }
    let type_voie = match text(&form.type_voie) {
        "" => None,
        t => match TYPES_VOIE.iter().find(|v| v.eq_ignore_ascii_case(t)) {
            Some(v) => Some(v.to_string()),
            None => {
                e.add("type_voie", "Choisissez un des types de voie proposés.");
                None
            }
        },
    };
    let nom_voie = match normalize_text(text(&form.nom_voie), 100) {
        Ok(s) if s.is_empty() => {
            e.add("nom_voie", "Saisissez le nom de la voie (ou du lieu-dit).");
            None
        }
        Ok(s) => Some(s),
        Err(m) => {
            e.add("nom_voie", m);
            None
        }
    };
    let complement = e
        .take("complement", optional_text(&form.complement, 100))
        .flatten();
    let code_postal = e.take(
        "code_postal",
        normalize_code_postal(text(&form.code_postal)),
    );
    let commune = e.take(
        "commune",
        normalize_commune(text(&form.commune), "la commune", 80),
    );
    let departement = code_postal
        .as_deref()
        .and_then(super::departements::departement_of_postal_code);
    let prefecture = match text(&form.prefecture) {
        "" => departement.and_then(super::departements::prefecture_label),
        p => e.take("prefecture", normalize_text(p, 120)),
    };
    if prefecture.is_none() && code_postal.is_some() && text(&form.prefecture).is_empty() {
        e.add("prefecture", "Indiquez la préfecture de rattachement.");
    }
    let email = e.take("email", normalize_email(text(&form.email)));
    let telephone = e.take("telephone", normalize_mobile(text(&form.telephone)));
    e.finish(|| {
        Some(Adresse {
            numero,
            extension,
            type_voie,
            nom_voie: nom_voie?,
            complement,
            code_postal: code_postal?,
            commune: commune?,
            prefecture: prefecture?,
            email: email?,
            telephone: telephone?,
            refus_reutilisation: checked(&form.refus_reutilisation),
        })
    })
}

/// The address step as the server checks it, with the official table of postal codes and
/// communes: the postal code must exist and serve the commune, which is kept with its official
/// spelling. A postal code that does not exist is said under the postal code, the first time
/// (not first as a missing préfecture it would have given).
pub fn parse_adresse_with(
    form: &AdresseForm,
    communes: &super::communes::Communes,
) -> Result<Adresse, Vec<FieldError>> {
    let table = normalize_code_postal(text(&form.code_postal))
        .ok()
        .map(|cp| {
            (
                super::communes::check(communes, &cp, text(&form.commune)),
                cp,
            )
        });
    match (parse_adresse(form), table) {
        (Ok(mut adresse), Some((Ok(official), _))) => {
            adresse.commune = official;
            Ok(adresse)
        }
        (Ok(_), Some((Err((field, message)), _))) => Err(vec![FieldError {
            field: field.into(),
            message,
        }]),
        (Ok(adresse), None) => Ok(adresse),
        (Err(mut errors), Some((Err(("code_postal", message)), _))) => {
            errors.retain(|e| e.field != "prefecture" && e.field != "code_postal");
            errors.push(FieldError {
                field: "code_postal".into(),
                message,
            });
            errors.sort_by_key(|e| ADRESSE_FIELDS.iter().position(|f| *f == e.field));
            Err(errors)
        }
        (Err(errors), _) => Err(errors),
    }
}

/// The address step's fields, in the order of the form.
const ADRESSE_FIELDS: [&str; 11] = [
    "numero",
    "extension",
    "type_voie",
    "nom_voie",
    "complement",
    "code_postal",
    "commune",
    "prefecture",
    "email",
    "telephone",
    "refus_reutilisation",
];

impl AdresseForm {
    pub fn from_step(s: &Adresse) -> AdresseForm {
        AdresseForm {
            numero: s.numero.clone(),
            extension: s.extension.clone(),
            type_voie: s.type_voie.clone(),
            nom_voie: Some(s.nom_voie.clone()),
            complement: s.complement.clone(),
            code_postal: Some(s.code_postal.clone()),
            commune: Some(s.commune.clone()),
            prefecture: Some(s.prefecture.clone()),
            email: Some(s.email.clone()),
            telephone: Some(display_phone(&s.telephone)),
            refus_reutilisation: s.refus_reutilisation.then(|| "on".into()),
        }
    }
}

// ---------------------------------------------------------------- step 4

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoForm {
    pub mode: Option<String>,
    pub code_ephoto: Option<String>,
}

/// Format only: whether the code exists, is unused and recent is checked by the server.
pub fn parse_photo(form: &PhotoForm) -> Result<PhotoStep, Vec<FieldError>> {
    let mut e = Errors::default();
    let mode = e.take(
        "mode",
        choice(
            &form.mode,
            ModePhoto::parse,
            "Choisissez comment la photo et la signature seront transmises.",
        ),
    );
    let code = match mode {
        Some(ModePhoto::EPhoto) => e.take(
            "code_ephoto",
            normalize_ephoto_code(text(&form.code_ephoto)),
        ),
        _ => None,
    };
    e.finish(|| {
        Some(PhotoStep {
            mode: mode?,
            code_ephoto: code,
        })
    })
}

impl PhotoForm {
    pub fn from_step(s: &PhotoStep) -> PhotoForm {
        PhotoForm {
            mode: Some(s.mode.code().into()),
            code_ephoto: s.code_ephoto.clone(),
        }
    }
}

/// What still prevents a draft from being validated, step by step (1-based step, message).
/// Rules that cross steps (age against categories) are checked again here, as of `today`.
pub fn missing(data: &DemandeData, today: Date) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    match &data.motif {
        None => out.push((1, "Le motif de la demande n'est pas renseigné.".to_string())),
        Some(m) => {
            for b in eligibility::check_motif(m) {
                out.push((1, b.message));
            }
        }
    }
    match &data.etat_civil {
        None => out.push((
            2,
            "L'état civil du candidat n'est pas renseigné.".to_string(),
        )),
        Some(ec) => {
            if let Some(m) = &data.motif {
                for b in eligibility::check_age(m, ec.date_naissance, today) {
                    out.push((2, b.message));
                }
            }
            if eligibility::is_minor(ec.date_naissance, today) && ec.representant.is_none() {
                out.push((
                    2,
                    "Le candidat est mineur : le représentant légal doit être renseigné."
                        .to_string(),
                ));
            }
        }
    }
    if data.adresse.is_none() {
        out.push((
            3,
            "L'adresse et les coordonnées ne sont pas renseignées.".to_string(),
        ));
    }
    if data.photo.is_none() {
        out.push((
            4,
            "Le mode de transmission de la photo et de la signature n'est pas choisi.".to_string(),
        ));
    }
    out
}

/// The pieces a demande needs: those its case requires once motif and birth date are known,
/// identity and address before.
pub fn required_pieces(data: &DemandeData, today: Date) -> Vec<Piece> {
    match (&data.motif, &data.etat_civil) {
        (Some(m), Some(ec)) => eligibility::required_pieces(m, ec.date_naissance, today),
        _ => vec![Piece::Identite, Piece::Domicile],
    }
}

/// What is still missing: the steps, then each required piece without a file (`present`: the
/// kinds of the files deposited).
pub fn missing_with_pieces(
    data: &DemandeData,
    today: Date,
    required: &[Piece],
    present: &[Piece],
) -> Vec<(usize, String)> {
    let mut out = missing(data, today);
    for p in required {
        if !present.contains(p) {
            out.push((5, format!("Pièce manquante : {}.", p.label())));
        }
    }
    out
}

/// Whether a checkbox (an attestation, an option) was ticked: its form value is « on » from a
/// browser, « true » from the WASM.
pub fn ticked(value: Option<&str>) -> bool {
    matches!(value.map(str::trim), Some("on" | "true" | "oui" | "1"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TODAY: Date = Date {
        year: 2026,
        month: 11,
        day: 26,
    };

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn fields(errs: &[FieldError]) -> Vec<&str> {
        errs.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn motif_needs_a_motif_categories_and_a_route() {
        let errs = parse_motif(&MotifForm::default()).unwrap_err();
        assert_eq!(fields(&errs), vec!["motif", "filiere", "categories"]);
        let mut form = MotifForm {
            motif: s("premier"),
            filiere: s("aac"),
            ..Default::default()
        };
        assert_eq!(fields(&parse_motif(&form).unwrap_err()), vec!["categories"]);
        form.categories.insert("B".into(), "on".into());
        let step = parse_motif(&form).unwrap();
        assert_eq!(step.categories, vec![Categorie::B]);
        assert_eq!(MotifForm::from_step(&step), form);
        form.categories.insert("Z".into(), "on".into());
        assert!(parse_motif(&form).unwrap_err()[0].message.contains("« Z »"));
    }

    fn etat_civil_form() -> EtatCivilForm {
        EtatCivilForm {
            sexe: s("F"),
            nom_naissance: s("Martin"),
            prenoms: s("Léa Marie"),
            date_naissance: s("14/03/2009"),
            pays_naissance: s("France"),
            commune_naissance: s("Nantes"),
            departement_naissance: s("44"),
            nationalite: s("Française"),
            rep_qualite: s("mere"),
            rep_nom: s("Martin"),
            rep_prenoms: s("Sophie"),
            rep_date_naissance: s("1980-05-02"),
            ..Default::default()
        }
    }

    #[test]
    fn a_minor_needs_a_legal_representative() {
        let ok = parse_etat_civil(&etat_civil_form(), None, TODAY).unwrap();
        assert_eq!(ok.representant.unwrap().qualite, Qualite::Mere);
        let mut f = etat_civil_form();
        f.rep_qualite = None;
        f.rep_date_naissance = s("2010-01-01");
        assert_eq!(
            fields(&parse_etat_civil(&f, None, TODAY).unwrap_err()),
            vec!["rep_qualite", "rep_date_naissance"]
        );
        // An adult needs none.
        let mut adult = etat_civil_form();
        adult.date_naissance = s("01/01/1990");
        adult.rep_qualite = None;
        assert!(parse_etat_civil(&adult, None, TODAY)
            .unwrap()
            .representant
            .is_none());
    }

    #[test]
    fn birth_dates_are_real_past_dates_and_meet_the_age_rules() {
        let mut f = etat_civil_form();
        f.date_naissance = s("00/00/2009");
        assert!(parse_etat_civil(&f, None, TODAY).unwrap_err()[0]
            .message
            .contains("n'existe pas"));
        f.date_naissance = s("01/01/2027");
        assert!(parse_etat_civil(&f, None, TODAY).unwrap_err()[0]
            .message
            .contains("futur"));
        f.date_naissance = s("27/11/2011"); // 14 years old
        let motif = MotifStep {
            motif: Motif::Premier,
            categories: vec![Categorie::B],
            filiere: Filiere::Aac,
            boite_automatique: false,
            handicap: false,
        };
        let errs = parse_etat_civil(&f, Some(&motif), TODAY).unwrap_err();
        assert_eq!(errs[0].field, "date_naissance");
        assert!(errs[0].message.contains("à partir de 15 ans"));
    }

    #[test]
    fn a_birth_in_france_needs_its_departement() {
        let mut f = etat_civil_form();
        f.departement_naissance = None;
        assert_eq!(
            fields(&parse_etat_civil(&f, None, TODAY).unwrap_err()),
            vec!["departement_naissance"]
        );
        f.departement_naissance = s("99");
        assert_eq!(
            fields(&parse_etat_civil(&f, None, TODAY).unwrap_err()),
            vec!["departement_naissance"]
        );
        f.pays_naissance = s("Belgique");
        f.departement_naissance = None;
        assert!(parse_etat_civil(&f, None, TODAY).is_ok());
    }

    fn adresse_form() -> AdresseForm {
        AdresseForm {
            numero: s("12"),
            extension: s("bis"),
            type_voie: s("rue"),
            nom_voie: s("des Lilas"),
            code_postal: s("77000"),
            commune: s("Melun"),
            email: s("lea.martin@example.fr"),
            telephone: s("06 12 34 56 78"),
            ..Default::default()
        }
    }

    #[test]
    fn the_address_derives_its_prefecture_and_normalises_the_phone() {
        let a = parse_adresse(&adresse_form()).unwrap();
        assert_eq!(a.prefecture, "Préfecture de Melun (Seine-et-Marne)");
        assert_eq!(a.telephone, "+33612345678");
        assert_eq!(a.type_voie.as_deref(), Some("Rue"));
        let mut f = adresse_form();
        f.prefecture = s("Préfecture de police de Paris");
        assert_eq!(
            parse_adresse(&f).unwrap().prefecture,
            "Préfecture de police de Paris"
        );
        let back = AdresseForm::from_step(&a);
        assert_eq!(parse_adresse(&back).unwrap(), a);
    }

    #[test]
    fn a_postal_code_that_does_not_exist_is_said_under_the_postal_code_the_first_time() {
        let table = crate::domain::communes::Communes::from_tsv(
            "77000\t77288\tMelun\n97500\t97502\tSaint-Pierre\n",
        );
        let mut f = adresse_form();
        f.code_postal = s("99999");
        f.commune = s("Nantes");
        let errors = parse_adresse_with(&f, &table).unwrap_err();
        assert_eq!(fields(&errors), vec!["code_postal"]);
        assert!(
            errors[0].message.contains("99999 n'existe pas"),
            "{errors:?}"
        );
        // The same with a préfecture typed, and along with another field's mistake.
        f.prefecture = s("Préfecture de Nantes");
        f.email = s("lea");
        assert_eq!(
            fields(&parse_adresse_with(&f, &table).unwrap_err()),
            vec!["code_postal", "email"]
        );
        // A real postal code without a département in the table (Saint-Pierre-et-Miquelon):
        // the préfecture is asked for, the postal code is fine.
        let mut f = adresse_form();
        f.code_postal = s("97500");
        f.commune = s("Saint-Pierre");
        assert_eq!(
            fields(&parse_adresse_with(&f, &table).unwrap_err()),
            vec!["prefecture"]
        );
        f.prefecture = s("Préfecture de Saint-Pierre-et-Miquelon");
        assert_eq!(
            parse_adresse_with(&f, &table).unwrap().commune,
            "Saint-Pierre"
        );
        // The commune is kept as officially written.
        let mut f = adresse_form();
        f.commune = s("MELUN");
        assert_eq!(parse_adresse_with(&f, &table).unwrap().commune, "Melun");
        f.commune = s("Paris");
        assert_eq!(
            fields(&parse_adresse_with(&f, &table).unwrap_err()),
            vec!["commune"]
        );
    }

    #[test]
    fn communes_are_named_as_officially_written() {
        let mut f = adresse_form();
        f.code_postal = s("69003");
        f.commune = s("Lyon 3e Arrondissement");
        assert_eq!(parse_adresse(&f).unwrap().commune, "Lyon 3e Arrondissement");
        f.commune = s("Bors (Canton de Tude-et-Lavalette)");
        assert!(parse_adresse(&f).is_ok());
        f.commune = s("Lyon <3>");
        assert_eq!(fields(&parse_adresse(&f).unwrap_err()), vec!["commune"]);
    }

    #[test]
    fn every_bad_address_field_is_reported_at_once() {
        let f = AdresseForm {
            numero: s("12b"),
            code_postal: s("7700"),
            email: s("lea"),
            telephone: s("01 23 45 67 89"),
            ..Default::default()
        };
        assert_eq!(
            fields(&parse_adresse(&f).unwrap_err()),
            vec![
                "numero",
                "nom_voie",
                "code_postal",
                "commune",
                "email",
                "telephone"
            ]
        );
    }

    #[test]
    fn photo_mode_and_code() {
        assert!(parse_photo(&PhotoForm {
            mode: s("papier"),
            code_ephoto: None
        })
        .is_ok());
        let errs = parse_photo(&PhotoForm {
            mode: s("ephoto"),
            code_ephoto: s("trop court"),
        })
        .unwrap_err();
        assert_eq!(fields(&errs), vec!["code_ephoto"]);
        let ok = parse_photo(&PhotoForm {
            mode: s("ephoto"),
            code_ephoto: s("abcdefgh123456789012kl"),
        })
        .unwrap();
        assert_eq!(ok.code_ephoto.as_deref(), Some("ABCDEFGH123456789012KL"));
    }
}

#[cfg(test)]
mod completeness_tests {
    use super::*;

    #[test]
    fn an_empty_draft_misses_every_step_and_a_stale_age_is_caught() {
        let today = Date {
            year: 2026,
            month: 11,
            day: 26,
        };
        let steps: Vec<usize> = missing(&DemandeData::default(), today)
            .iter()
            .map(|m| m.0)
            .collect();
        assert_eq!(steps, vec![1, 2, 3, 4]);
        // État civil saved for a 16-year-old, then the motif changed to category A2 (18).
        let ec = parse_etat_civil(
            &EtatCivilForm {
                sexe: Some("M".into()),
                nom_naissance: Some("Petit".into()),
                prenoms: Some("Hugo".into()),
                date_naissance: Some("2010-01-10".into()),
                pays_naissance: Some("Belgique".into()),
                commune_naissance: Some("Liège".into()),
                nationalite: Some("Belge".into()),
                rep_qualite: Some("pere".into()),
                rep_nom: Some("Petit".into()),
                rep_prenoms: Some("Marc".into()),
                rep_date_naissance: Some("1975-02-02".into()),
                ..Default::default()
            },
            None,
            today,
        )
        .unwrap();
        let data = DemandeData {
            motif: Some(MotifStep {
                motif: Motif::Premier,
                categories: vec![Categorie::A2],
                filiere: Filiere::Traditionnelle,
                boite_automatique: false,
                handicap: false,
            }),
            etat_civil: Some(ec),
            ..Default::default()
        };
        let m = missing(&data, today);
        assert_eq!(m[0].0, 2);
        assert!(m[0].1.contains("A2"), "{}", m[0].1);
    }
}
