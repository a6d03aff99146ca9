//! The candidate's decision on a demande handed to them: validate (e-photo: transmitted; paper:
//! waiting for the photo-signature form) or refuse. One transaction: the state, the e-photo
//! code consumed, the event, and the messages (to the candidate, or to the school on refusal).

use crate::domain::demande::{DemandeData, Etat, ModePhoto, PAPER_FORM_DAYS};
use crate::domain::messages;
use crate::error::AppError;

use super::handover::url;
use super::outbox::{enqueue, NewMessage};
use super::time::format_date;
use super::{Db, Settings};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    Valider,
    Refuser { motif: Option<String> },
}

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
}

pub async fn verify(db: &Db, code: &str) -> Result<Option<Verification>, AppError> {
    if code.len() != 10 || !code.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(None);
    }
    let row: Option<(Option<String>, Option<i64>, String)> = sqlx::query_as(
        "SELECT numero, decided_at, etat FROM demandes WHERE verification_code = $1",
    )
    .bind(code.to_ascii_uppercase())
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|(numero, decided, etat)| Verification {
        numero: numero.unwrap_or_default(),
        validated_at: decided.unwrap_or_default(),
        etat: Etat::parse(&etat).unwrap_or(Etat::Transmise),
    }))
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

fn already(decision: &Decision, etat: Etat) -> Result<Decided, AppError> {
    match (decision, etat) {
        (Decision::Valider, Etat::Transmise | Etat::AttentePapier | Etat::PapierNonRecu)
        | (Decision::Refuser { .. }, Etat::RefuseeUsager) => Ok(Decided::Already(etat)),
        (_, Etat::Brouillon) => Err(AppError::NotFound),
        (_, other) => Err(AppError::Conflict(format!(
            "Cette demande est déjà « {} » : elle n'attend plus votre décision.",
            other.label()
        ))),
    }
}

pub async fn decide(
    db: &Db,
    settings: &Settings,
    usager_id: i64,
    id: i64,
    decision: &Decision,
    now: i64,
) -> Result<Decided, AppError> {
    let row = get_for_usager(db, usager_id, id).await?;
    if row.etat() != Etat::AttenteUsager {
        return already(decision, row.etat());
    }
    let data: DemandeData = row.data()?;
    let paper = data.photo.as_ref().map(|p| p.mode) != Some(ModePhoto::EPhoto);
    let target = match decision {
        Decision::Refuser { .. } => Etat::RefuseeUsager,
        Decision::Valider if paper => Etat::AttentePapier,
        Decision::Valider => Etat::Transmise,
    };
    let motif = match decision {
        Decision::Refuser { motif } => motif
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
            .map(|m| m.chars().take(MOTIF_MAX_CHARS).collect::<String>()),
        Decision::Valider => None,
    };

    let verification = (target != Etat::RefuseeUsager).then(verification_code);
    let mut tx = db.pool().begin().await?;
    let changed = sqlx::query(
        "UPDATE demandes SET etat = $1, decided_at = $2, updated_at = $2, refus_motif = $3,
                verification_code = $4, version = version + 1
         WHERE id = $5 AND usager_id = $6 AND etat = 'attente_usager'",
    )
    .bind(target.code())
    .bind(now)
    .bind(motif.as_deref())
    .bind(verification.as_deref())
    .bind(id)
    .bind(usager_id)
    .execute(&mut *tx)
    .await?;
    if changed.rows_affected() == 0 {
        // Decided meanwhile (another tab): the same decision is the same answer.
        tx.rollback().await?;
        let row = get_for_usager(db, usager_id, id).await?;
        return already(decision, row.etat());
    }
    if target == Etat::Transmise {
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
    let kind = match target {
        Etat::RefuseeUsager => "refusee_par_usager",
        _ => "validee_par_usager",
    };
    sqlx::query("INSERT INTO demande_events (demande_id, kind, created_at) VALUES ($1, $2, $3)")
        .bind(id)
        .bind(kind)
        .bind(now)
        .execute(&mut *tx)
        .await?;

    let numero = row.numero.clone().unwrap_or_default();
    let (prenom, nom) = data.listing_names();
    match target {
        Etat::RefuseeUsager => {
            let school_users = super::users::school_recipients(&mut tx, row.school_id).await?;
            let email = messages::refus_email_ecole(
                &numero,
                &format!("{prenom} {nom}"),
                motif.as_deref(),
                &url(settings, "/ecole/demandes?etat=refusee_usager"),
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
            let deadline = paper.then(|| format_date(now + PAPER_FORM_DAYS * 86_400));
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
                    &url(settings, &format!("/monespace/demandes/{id}")),
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
