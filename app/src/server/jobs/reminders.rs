//! Days 3 and 6: reminders to activate the account, each carrying a working link to the same
//! deadline.

use crate::domain::demande::Etat;
use crate::error::AppError;
use crate::server::outbox::{enqueue, NewMessage};
use crate::server::AppContext;

/// The key of an activation reminder (its email's key is the claim): one per link deadline
/// and day.
pub fn activation_reminder_key(user_id: i64, deadline: i64, day: i64) -> String {
    format!("rappel:{user_id}:{deadline}:{day}")
}

/// Sends the activation reminders due (days 3 and 6 after the link was sent), once each: the
/// email's idempotency key is the claim. The reminder carries a working link that expires at the
/// same deadline (the deadline does not move).
pub async fn send_activation_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::activation_link_sent_at;
    use crate::domain::deadlines::activation_reminders_due;
    use crate::domain::demande::DemandeData;
    use crate::domain::messages::{rappel_activation_email, rappel_activation_sms};
    use crate::server::time::{format_date, format_date_time};
    use crate::server::tokens::{issue_until, Purpose};

    let pending: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.user_id, MAX(t.expires_at) FROM account_tokens t
         JOIN users u ON u.id = t.user_id
         WHERE t.purpose = 'activation' AND t.used_at IS NULL AND t.revoked_at IS NULL
           AND t.expires_at > $1 AND u.status = 'pending_activation'
         GROUP BY t.user_id ORDER BY t.user_id",
    )
    .bind(now)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut sent = 0;
    for (user_id, deadline) in pending {
        let sent_at = activation_link_sent_at(deadline);
        let due = activation_reminders_due(sent_at, now, &[]);
        if due.is_empty() {
            continue;
        }
        let latest: Option<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, numero, data FROM demandes WHERE usager_id = $1 AND etat = $2
             ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
        .bind(Etat::AttenteUsager)
        .fetch_optional(ctx.db.pool())
        .await?;
        let Some((demande_id, numero, data)) = latest else {
            continue;
        };
        let numero = numero.unwrap_or_default();
        let data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
        let (prenom, email, telephone) = match (&data.etat_civil, &data.adresse) {
            (Some(ec), Some(a)) => (
                ec.prenoms
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .to_string(),
                a.email.clone(),
                a.telephone.clone(),
            ),
            _ => continue,
        };
        // The latest day due is enough: a server down for days does not send two at once.
        let Some(day) = due.last().copied() else {
            continue;
        };
        let key = activation_reminder_key(user_id, deadline, day);
        let mut tx = ctx.db.pool().begin().await?;
        // Under the account's lock, the deadline read above still stands (no resend since).
        if !crate::server::tokens::lock_pending_account(&mut tx, user_id).await?
            || crate::server::tokens::activation_deadline(&mut tx, user_id, now).await?
                != Some(deadline)
        {
            tx.rollback().await?;
            continue;
        }
        let mail = rappel_activation_email(&prenom, &numero, &format_date_time(deadline));
        let claimed = crate::server::outbox::enqueue_new(
            &mut tx,
            &NewMessage::email(
                format!("{key}:email"),
                "rappel_activation",
                &email,
                &mail,
                None,
            )
            .about(user_id, Some(demande_id)),
            now,
        )
        .await?;
        if !claimed {
            tx.rollback().await?;
            continue;
        }
        let token = issue_until(&mut tx, user_id, Purpose::Activation, deadline, now).await?;
        sqlx::query("UPDATE outbox SET link = $1 WHERE idempotency_key = $2")
            .bind(crate::server::handover::activation_url(
                &ctx.settings,
                &token,
            ))
            .bind(format!("{key}:email"))
            .execute(&mut *tx)
            .await?;
        let day_text = format_date(deadline);
        let sms = rappel_activation_sms(&numero, day_text.get(..5).unwrap_or(&day_text));
        enqueue(
            &mut tx,
            &NewMessage::sms(format!("{key}:sms"), "rappel_activation", &telephone, sms)
                .about(user_id, Some(demande_id)),
            now,
        )
        .await?;
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}
