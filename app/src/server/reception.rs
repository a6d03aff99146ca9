//! The processing centre received a paper photo-signature form: an agent records it by the
//! demande's number and the demande goes to instruction.

use crate::domain::demande::{DemandeData, Etat, Evenement};
use crate::error::AppError;
use crate::routes::Page;

use super::demandes::transition;
use super::outbox::{enqueue, NewMessage};
use super::{Db, Settings};

/// Records the receipt of the paper form of demande `numero` by `agent_id`: from « En
/// attente » or « non reçu » to « Transmise », and the candidate is emailed. `None` when no
/// demande with this number waits for a form; recording twice gives the same answer.
pub async fn record_paper_received(
    db: &Db,
    settings: &Settings,
    numero: &str,
    agent_id: i64,
    now: i64,
) -> Result<Option<String>, AppError> {
    let numero = numero.trim();
    // A state read before the transaction may change meanwhile (the day-15 job): once more.
    for _ in 0..2 {
        let found: Option<(i64, Etat, Option<i64>)> =
            sqlx::query_as("SELECT id, etat, papier_recu_at FROM demandes WHERE numero = $1")
                .bind(numero)
                .fetch_optional(db.pool())
                .await?;
        let Some((id, etat, recu)) = found else {
            return Ok(None);
        };
        if etat.apres(Evenement::PapierRecu).is_err() {
            // Recorded already (a double click, the same form scanned twice): the same answer.
            return Ok(recu.map(|_| numero.to_string()));
        }
        let mut tx = db.pool().begin().await?;
        let moved = transition(
            &mut tx,
            id,
            etat,
            Evenement::PapierRecu,
            None,
            Some(agent_id),
            now,
        )
        .await?;
        if moved.is_none() {
            tx.rollback().await?;
            continue;
        }
        sqlx::query("UPDATE demandes SET papier_recu_at = $1 WHERE id = $2")
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // To the centre of the candidate's département.
        let (data,): (String,) = sqlx::query_as("SELECT data FROM demandes WHERE id = $1")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
        super::instruction::route(&mut tx, id, &data, now).await?;
        // The candidate is told their démarche is over.
        let candidate: Option<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT u.id, u.email, d.data FROM demandes d JOIN users u ON u.id = d.usager_id
             WHERE d.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((user_id, Some(email), data)) = candidate {
            let data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
            let (prenoms, _) = data.listing_names();
            let mail = crate::domain::messages::papier_recu_email(
                prenoms.split_whitespace().next().unwrap_or(""),
                numero,
                &settings.url(&Page::DemandeUsager { id }.href()),
            );
            enqueue(
                &mut tx,
                &NewMessage::email(
                    format!("demande:{id}:papier_recu:email"),
                    "papier_recu",
                    &email,
                    &mail,
                    None,
                )
                .about(user_id, Some(id)),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        return Ok(Some(numero.to_string()));
    }
    Err(AppError::Conflict(
        "La demande a changé pendant l'enregistrement : recommencez.".into(),
    ))
}
