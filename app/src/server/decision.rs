//! The candidate's decision on a demande handed to them: validate (e-photo: transmitted; paper:
//! waiting for the photo-signature form) or refuse. One transaction: the state, the e-photo
//! code consumed, the event, and the messages (to the candidate, or to the school on refusal).

use crate::domain::deadlines::paper_form_deadline;
use crate::domain::demande::{Decision, DemandeData, Etat, Evenement, ModePhoto, Refus};
use crate::domain::messages;
use crate::error::AppError;
use crate::routes::Page;

use super::demandes::transition;
use super::outbox::{enqueue, NewMessage};
use super::time::format_date;
use super::{Db, Settings};

/// What deciding did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decided {
    /// This call moved the demande to this state.
    Done(Etat),
    /// The same decision had been taken already (double click, another tab): nothing changed.
    Already(Etat),
}

pub const MOTIF_MAX_CHARS: usize = 500;

/// The code of a justificatif's public verification page: 10 characters of Crockford's base32
/// (50 random bits; no 0/O or 1/I/L to confuse when typed from paper).
pub fn verification_code() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTVWXYZ";
    (0..10)
        .map(|_| ALPHABET[rand::random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// What the public verification page may show: no personal data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub numero: String,
    pub validated_at: i64,
    pub etat: Etat,
    /// Registered (attestation d'inscription): when.
    pub inscrite_at: Option<i64>,
}

pub async fn verify(db: &Db, code: &str) -> Result<Option<Verification>, AppError> {
    if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let row: Option<(Option<String>, Option<i64>, Etat, Option<i64>)> = sqlx::query_as(
        "SELECT numero, decided_at, etat, inscrite_at FROM demandes WHERE verification_code = $1",
    )
    .bind(code.to_ascii_uppercase())
    .fetch_optional(db.pool())
    .await?;
    Ok(
        row.map(|(numero, decided, etat, inscrite_at)| Verification {
            numero: numero.unwrap_or_default(),
            validated_at: decided.unwrap_or_default(),
            etat,
            inscrite_at: inscrite_at.filter(|_| etat == Etat::Inscrite),
        }),
    )
}

/// A demande as its candidate sees it: only one handed to `usager_id`.
pub async fn get_for_usager(
    db: &Db,
    usager_id: i64,
    id: i64,
) -> Result<super::demandes::DemandeRow, AppError> {
    sqlx::query_as::<_, super::demandes::DemandeRow>(&format!(
        "SELECT {} FROM demandes WHERE id = $1 AND usager_id = $2",
        super::demandes::COLUMNS
    ))
    .bind(id)
    .bind(usager_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

/// The answer to a decision on a demande no longer waiting for it: the same decision taken
/// already is the same answer; anything else is refused in words.
fn already(decision: &Decision, etat: Etat) -> Result<Decided, AppError> {
    // Whether the photo came on paper does not change what a repeat is.
    match etat.apres(decision.evenement(false)) {
        Err(Refus::DejaFait) => Ok(Decided::Already(etat)),
        _ if etat == Etat::Brouillon => Err(AppError::NotFound),
        _ => Err(AppError::Conflict(format!(
            "Cette demande est déjà « {} » : elle n'attend plus votre décision.",
            etat.label()
        ))),
    }
}

/// Why « Valider » is refused when the état civil differs from the certified identity.
pub const ECARTS_REFUSAL: &str = "L'état civil saisi par votre école de conduite ne correspond pas à votre identité certifiée par FranceConnect : vous ne pouvez pas valider cette demande. Refusez-la pour que votre école la corrige.";

pub async fn decide(
    db: &Db,
    settings: &Settings,
    communes: &crate::domain::communes::Communes,
    usager_id: i64,
    id: i64,
    decision: &Decision,
    now: i64,
) -> Result<Decided, AppError> {
    let row = get_for_usager(db, usager_id, id).await?;
    if row.etat != Etat::AttenteUsager {
        return already(decision, row.etat);
    }
    let data: DemandeData = row.data()?;
    // A candidate whose identity FranceConnect certified validates only an état civil that
    // matches it; the demande is then marked for the centre.
    let mut certified_at = None;
    if *decision == Decision::Valider {
        match super::franceconnect::ecarts_of(db, communes, usager_id, &data).await? {
            Some(ecarts) if !ecarts.is_empty() => {
                return Err(AppError::Conflict(ECARTS_REFUSAL.into()));
            }
            Some(_) => certified_at = Some(now),
            None => {}
        }
    }
    let paper = data.photo.as_ref().map(|p| p.mode) != Some(ModePhoto::EPhoto);
    let evenement = decision.evenement(paper);
    let motif = match decision {
        Decision::Refuser { motif } => motif
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| m.chars().take(MOTIF_MAX_CHARS).collect::<String>()),
        Decision::Valider => None,
    };

    let verification = (evenement != Evenement::RefuseeParUsager).then(verification_code);
    let mut tx = db.pool().begin().await?;
    let Some(target) = transition(
        &mut tx,
        id,
        Etat::AttenteUsager,
        evenement,
        None,
        Some(usager_id),
        now,
    )
    .await?
    else {
        // Decided meanwhile (another tab): the same decision is the same answer.
        tx.rollback().await?;
        let row = get_for_usager(db, usager_id, id).await?;
        return already(decision, row.etat);
    };
    sqlx::query(
        "UPDATE demandes SET decided_at = $1, refus_motif = $2, verification_code = $3,
                             identite_certifiee_at = $4
         WHERE id = $5",
    )
    .bind(now)
    .bind(motif.as_deref())
    .bind(verification.as_deref())
    .bind(certified_at)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if target == Etat::Transmise {
        // To the centre of the candidate's département.
        super::instruction::route(&mut tx, id, &data, now).await?;
        sqlx::query(
            "UPDATE ephoto_codes SET consumed_at = $1 WHERE demande_id = $2 AND consumed_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }
    if target == Etat::RefuseeUsager {
        // The candidate's photo is still good: the school's corrected demande may use the code.
        sqlx::query(
            "UPDATE ephoto_codes SET demande_id = NULL WHERE demande_id = $1 AND consumed_at IS NULL",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?;
    }

    let numero = row.numero.clone().unwrap_or_default();
    let (prenom, nom) = data.listing_names();
    match target {
        Etat::RefuseeUsager => {
            let school_users = super::users::school_recipients(&mut tx, row.school_id).await?;
            let email = messages::refus_email_ecole(
                &numero,
                &format!("{prenom} {nom}"),
                motif.as_deref(),
                &settings.url(&Page::EcoleDemandes.href_with("etat=refusee_usager")),
            );
            for (user_id, address) in school_users {
                let message = NewMessage::email(
                    format!("demande:{id}:refus:ecole:{user_id}"),
                    "refus_usager",
                    &address,
                    &email,
                    None,
                )
                .about(user_id, Some(id));
                enqueue(&mut tx, &message, now).await?;
            }
        }
        _ => {
            let deadline = paper.then(|| format_date(paper_form_deadline(now)));
            let (address,): (Option<String>,) =
                sqlx::query_as("SELECT email FROM users WHERE id = $1")
                    .bind(usager_id)
                    .fetch_one(&mut *tx)
                    .await?;
            if let Some(address) = address {
                let first = prenom.split_whitespace().next().unwrap_or("");
                let email = messages::decision_email(
                    first,
                    &numero,
                    deadline.as_deref(),
                    &settings.url(&Page::DemandeUsager { id }.href()),
                );
                let message = NewMessage::email(
                    format!("demande:{id}:validee:email"),
                    "validee_usager",
                    &address,
                    &email,
                    None,
                )
                .about(usager_id, Some(id));
                enqueue(&mut tx, &message, now).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(Decided::Done(target))
}
