//! Candidate accounts created by a school's demande: activation and recovery rules.

use serde::{Deserialize, Serialize};

use super::communes::fold;
use crate::error::FieldError;

/// An activation link is valid 7 days from sending (the guide's rule: without activation the
/// account and the demande are deleted).
pub const ACTIVATION_VALIDITY_SECS: i64 = 7 * 86_400;

/// A password-reset link is valid one hour.
pub const RESET_VALIDITY_SECS: i64 = 3_600;

/// The secret questions a candidate chooses from (code, question). Answers to them are not in
/// the demande, so a school that filed it cannot answer them from what it typed.
pub const SECRET_QUESTIONS: &[(&str, &str)] = &[
    ("pere", "Quel est le prénom de votre père ?"),
    (
        "animal",
        "Quel était le nom de votre premier animal de compagnie ?",
    ),
    ("ecole", "Quel est le nom de votre école primaire ?"),
    ("surnom", "Quel était votre surnom d'enfance ?"),
    (
        "ami",
        "Quel est le prénom de votre meilleur(e) ami(e) d'enfance ?",
    ),
    ("livre", "Quel est le titre de votre livre préféré ?"),
    ("rue", "Dans quelle rue avez-vous grandi ?"),
];

pub fn secret_question_label(code: &str) -> Option<&'static str> {
    SECRET_QUESTIONS
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, q)| *q)
}

/// Longest answer accepted (characters).
pub const ANSWER_MAX_CHARS: usize = 100;
/// Shortest answer accepted (characters, once folded).
pub const ANSWER_MIN_CHARS: usize = 2;

/// The form an answer is hashed and compared in: case, accents, hyphens, apostrophes and extra
/// spaces do not matter (« Léa-Marie » = « lea marie »).
pub fn fold_answer(answer: &str) -> String {
    fold(answer)
}

/// Checks a secret answer being chosen; returns the folded answer.
pub fn check_new_answer(answer: &str) -> Result<String, &'static str> {
    if answer.trim().is_empty() {
        return Err("Saisissez la réponse à votre question secrète.");
    }
    if answer.chars().count() > ANSWER_MAX_CHARS {
        return Err("La réponse ne peut pas dépasser 100 caractères.");
    }
    if super::formats::has_bidi_control(answer) {
        return Err(super::formats::BIDI_MESSAGE);
    }
    let folded = fold_answer(answer);
    if folded.chars().count() < ANSWER_MIN_CHARS {
        return Err("La réponse doit compter au moins 2 caractères.");
    }
    Ok(folded)
}

/// The readable base of a generated identifiant: first letter of the first given name and the
/// last name, lower case ASCII letters only (« Élodie-Anne », « Le Goff » → « elegoff »),
/// at most 20 characters. Never empty.
pub fn identifiant_base(prenoms: &str, nom: &str) -> String {
    let letters = |s: &str| -> String {
        fold(s)
            .chars()
            .filter(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let initial: String = letters(prenoms).chars().take(1).collect();
    let mut base: String = format!("{initial}{}", letters(nom));
    base.truncate(20);
    if base.chars().count() < 2 {
        base = format!("usager{base}");
    }
    base
}

/// The first identifiant of `base`, `base2`, `base3`… not in `taken`.
pub fn first_free_identifiant(base: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}{n}"))
        .find(|c| !taken.iter().any(|t| t == c))
        .unwrap_or_else(|| base.to_string())
}

/// « p***@example.fr »: enough for the candidate to recognise an address, not to read it.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// Where a token's life stands at `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenState {
    Valid,
    Expired,
    Used,
    /// Replaced by a newer link.
    Revoked,
}

pub fn token_state(
    expires_at: i64,
    used_at: Option<i64>,
    revoked_at: Option<i64>,
    now: i64,
) -> TokenState {
    if used_at.is_some() {
        TokenState::Used
    } else if revoked_at.is_some() {
        TokenState::Revoked
    } else if now >= expires_at {
        TokenState::Expired
    } else {
        TokenState::Valid
    }
}

/// Where a one-time link (activation, password reset) stands, as its page says it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Valid,
    Expired,
    Used,
    /// A newer link replaced it.
    Revoked,
    /// The account was deleted: not activated within 7 days.
    Deleted,
    Unknown,
}

impl LinkState {
    /// A short name, for the security log.
    pub fn code(self) -> &'static str {
        match self {
            LinkState::Valid => "valide",
            LinkState::Expired => "expire",
            LinkState::Used => "utilise",
            LinkState::Revoked => "remplace",
            LinkState::Deleted => "compte_supprime",
            LinkState::Unknown => "inconnu",
        }
    }
}

impl From<TokenState> for LinkState {
    fn from(s: TokenState) -> LinkState {
        match s {
            TokenState::Valid => LinkState::Valid,
            TokenState::Expired => LinkState::Expired,
            TokenState::Used => LinkState::Used,
            TokenState::Revoked => LinkState::Revoked,
        }
    }
}

/// What an activation link says once its account was deleted.
pub const DELETED_ACCOUNT: &str = "Ce compte a été supprimé, avec la demande saisie par votre école de conduite : il n'avait pas été activé dans les 7 jours suivant l'envoi du lien. Demandez à votre école de conduite de saisir une nouvelle demande ; vous recevrez un nouveau courriel d'activation.";

/// Why an activation link cannot be used, in words.
pub fn activation_refusal(state: LinkState) -> &'static str {
    match state {
        LinkState::Expired => "Ce lien d'activation a expiré (il était valable 7 jours). Demandez à votre école de conduite de vous en renvoyer un.",
        LinkState::Used => "Ce lien a déjà servi : votre compte est activé. Connectez-vous avec votre identifiant ou votre adresse électronique.",
        LinkState::Revoked => "Ce lien a été remplacé par un lien plus récent : utilisez le dernier courriel reçu.",
        LinkState::Deleted => DELETED_ACCOUNT,
        LinkState::Unknown | LinkState::Valid => "Ce lien d'activation n'est pas valable. Vérifiez que l'adresse est complète, telle que dans le courriel.",
    }
}

/// Why a password-reset link cannot be used, in words.
pub fn reset_refusal(state: LinkState) -> &'static str {
    match state {
        LinkState::Expired => "Ce lien a expiré (il était valable une heure). Refaites une demande depuis « Mot de passe oublié ? ».",
        LinkState::Used => "Ce lien a déjà servi. Si vous n'avez pas changé votre mot de passe vous-même, refaites une demande depuis « Mot de passe oublié ? ».",
        LinkState::Revoked => "Ce lien a été remplacé par un lien plus récent : utilisez le dernier courriel reçu.",
        LinkState::Unknown | LinkState::Valid | LinkState::Deleted => "Ce lien de réinitialisation n'est pas valable. Vérifiez que l'adresse est complète, telle que dans le courriel.",
    }
}

/// The activation form (HTML names `form[…]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationForm {
    #[serde(default)]
    pub sexe: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub reponse: String,
}

impl ActivationForm {
    /// What comes back after a refused plain form post: never a password or the secret answer.
    pub fn keep(&self) -> ActivationForm {
        ActivationForm {
            sexe: self.sexe.clone(),
            question: self.question.clone(),
            ..Default::default()
        }
    }
}

/// « Mot de passe oublié ? »: identifiant, secret question and its answer.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotDePasseOublieForm {
    #[serde(default)]
    pub identifiant: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub reponse: String,
}

/// The reset link's form: the new password, twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NouveauMotDePasseForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
}

/// The checks of a new password and its confirmation (browser and server alike).
pub fn check_password_pair(
    password: &str,
    confirmation: &str,
    identity: &[&str],
    errors: &mut Vec<FieldError>,
) {
    if let Err(p) = super::password::check_new_password(password, identity) {
        errors.push(FieldError {
            field: "password".into(),
            message: p.message(),
        });
    } else if confirmation != password {
        errors.push(FieldError {
            field: "confirmation".into(),
            message: "La confirmation ne correspond pas au mot de passe : saisissez le même mot de passe deux fois.".into(),
        });
    }
}

/// « Changer de mot de passe »: the current one, and the new one twice.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangementMotDePasseForm {
    #[serde(default)]
    pub actuel: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
}

/// The checks of a change of password that need no database (browser and server alike).
pub fn check_password_change(
    form: &ChangementMotDePasseForm,
    identity: &[&str],
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if form.actuel.is_empty() {
        errors.push(FieldError {
            field: "actuel".into(),
            message: "Saisissez votre mot de passe actuel.".into(),
        });
    }
    check_password_pair(&form.password, &form.confirmation, identity, &mut errors);
    if !form.actuel.is_empty() && form.password == form.actuel {
        errors.push(FieldError {
            field: "password".into(),
            message: "Le nouveau mot de passe doit être différent de l'actuel.".into(),
        });
    }
    errors
}

/// The checks of the activation form, in the order of its fields (browser and server alike).
pub fn check_activation(form: &ActivationForm, identity: &[&str]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if super::demande::Sexe::parse(&form.sexe).is_none() {
        errors.push(FieldError {
            field: "sexe".into(),
            message: "Indiquez votre sexe.".into(),
        });
    }
    check_password_pair(&form.password, &form.confirmation, identity, &mut errors);
    check_question(&form.question, &form.reponse, &mut errors);
    errors
}

/// The checks of a secret question (one of the list) and of its answer.
fn check_question(question: &str, reponse: &str, errors: &mut Vec<FieldError>) {
    if secret_question_label(question).is_none() {
        errors.push(FieldError {
            field: "question".into(),
            message: "Choisissez une question secrète dans la liste.".into(),
        });
    }
    if let Err(m) = check_new_answer(reponse) {
        errors.push(FieldError {
            field: "reponse".into(),
            message: m.into(),
        });
    }
}

/// « Choisir un mot de passe », for an account activated through FranceConnect (which has
/// none): the password twice, a secret question and its answer, so that the candidate can log
/// in, and recover, without FranceConnect.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChoixMotDePasseForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub reponse: String,
}

impl ChoixMotDePasseForm {
    /// What comes back after a refused post: the question only.
    pub fn keep(&self) -> ChoixMotDePasseForm {
        ChoixMotDePasseForm {
            question: self.question.clone(),
            ..Default::default()
        }
    }
}

/// The checks of « Choisir un mot de passe », in the order of its fields.
pub fn check_password_choice(form: &ChoixMotDePasseForm, identity: &[&str]) -> Vec<FieldError> {
    let mut errors = Vec::new();
    check_password_pair(&form.password, &form.confirmation, identity, &mut errors);
    check_question(&form.question, &form.reponse, &mut errors);
    errors
}

/// The checks of « Mot de passe oublié ? » before any lookup: the normalised identifiant, or
/// the messages of every field.
pub fn check_recovery(form: &MotDePasseOublieForm) -> Result<String, Vec<FieldError>> {
    let mut errors = Vec::new();
    let identifiant = super::account::normalize_identifier(&form.identifiant);
    if let Err(p) = &identifiant {
        errors.push(FieldError {
            field: "identifiant".into(),
            message: p.message().into(),
        });
    }
    if secret_question_label(&form.question).is_none() {
        errors.push(FieldError {
            field: "question".into(),
            message: "Choisissez votre question secrète dans la liste.".into(),
        });
    }
    if form.reponse.trim().is_empty() {
        errors.push(FieldError {
            field: "reponse".into(),
            message: "Saisissez la réponse à votre question secrète.".into(),
        });
    }
    match identifiant {
        Ok(i) if errors.is_empty() => Ok(i),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiants_are_readable() {
        assert_eq!(identifiant_base("Pierre", "Martin"), "pmartin");
        assert_eq!(identifiant_base("Élodie-Anne", "Le Goff"), "elegoff");
        assert_eq!(identifiant_base("Zoé", "N'Diaye"), "zndiaye");
        assert_eq!(
            identifiant_base("Jean", "De La Fontaine-Wolkowski"),
            "jdelafontainewolkows"
        );
        assert_eq!(identifiant_base("", "Ô"), "usagero");
        assert_eq!(identifiant_base("李", "王"), "usager");
    }

    #[test]
    fn taken_identifiants_get_the_next_number() {
        let taken = vec!["pmartin".to_string(), "pmartin2".to_string()];
        assert_eq!(first_free_identifiant("pmartin", &taken), "pmartin3");
        assert_eq!(first_free_identifiant("lbernard", &taken), "lbernard");
    }

    #[test]
    fn answers_ignore_case_accents_and_punctuation() {
        assert_eq!(fold_answer(" Léa-Marie "), fold_answer("lea   marie"));
        assert_eq!(fold_answer("Médor"), fold_answer("MEDOR"));
        assert_ne!(fold_answer("Médor"), fold_answer("Rex"));
        assert!(check_new_answer(" ").is_err());
        assert!(check_new_answer("a").is_err());
        assert!(check_new_answer(&"x".repeat(101)).is_err());
        assert!(check_new_answer("Rex").is_ok());
    }

    #[test]
    fn token_lifetime() {
        let sent = 1_000_000;
        let expires = sent + ACTIVATION_VALIDITY_SECS;
        assert_eq!(
            token_state(expires, None, None, expires - 1),
            TokenState::Valid
        );
        assert_eq!(
            token_state(expires, None, None, expires),
            TokenState::Expired
        );
        assert_eq!(
            token_state(expires, Some(sent + 5), None, sent + 6),
            TokenState::Used
        );
        assert_eq!(
            token_state(expires, None, Some(sent + 5), sent + 6),
            TokenState::Revoked
        );
    }

    #[test]
    fn emails_are_masked() {
        assert_eq!(mask_email("pierre.martin@example.fr"), "p***@example.fr");
        assert_eq!(mask_email("x"), "***");
    }

    #[test]
    fn questions_have_unique_codes() {
        for (i, (c, _)) in SECRET_QUESTIONS.iter().enumerate() {
            assert!(SECRET_QUESTIONS[i + 1..].iter().all(|(d, _)| d != c));
            assert!(secret_question_label(c).is_some());
        }
    }
}
