//! The deadline jobs' work on the database. Each item is handled in its own transaction whose
//! first statement claims it (a guarded UPDATE): run by several instances at once, each
//! deletion happens once.

use crate::domain::communes::fold;
use crate::domain::messages::Email;
use crate::error::AppError;

use super::handover::url;
use super::outbox::{enqueue, NewMessage};
use super::AppContext;

/// What the expiry job did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Expired {
    pub accounts: usize,
    pub demandes: usize,
    pub files: usize,
}

/// Deletes the accounts created by a school and still not activated once their last activation
/// link has expired (7 days after it was sent), with their demandes' personal data and files,
/// tokens, sessions and queued messages. The demande stays as a trace without personal data,
/// « Supprimée — compte non activé », in the school's list; the school is told by email.
pub async fn expire_unactivated(ctx: &AppContext, now: i64) -> Result<Expired, AppError> {
    let due: Vec<(i64,)> = sqlx::query_as(
        "SELECT u.id FROM users u
         WHERE u.status = 'pending_activation' AND u.role = 'usager'
           AND EXISTS (SELECT 1 FROM account_tokens t WHERE t.user_id = u.id AND t.purpose = 'activation')
           AND NOT EXISTS (SELECT 1 FROM account_tokens t
                           WHERE t.user_id = u.id AND t.purpose = 'activation'
                             AND t.revoked_at IS NULL AND t.used_at IS NULL AND t.expires_at > $1)
         ORDER BY u.id",
    )
    .bind(now)
    .fetch_all(ctx.db.pool())
    .await?;
    let mut report = Expired::default();
    for (user_id,) in due {
        if let Some((demandes, keys)) = expire_one(ctx, user_id, now).await? {
            report.accounts += 1;
            report.demandes += demandes;
            for key in keys {
                match ctx.storage.delete(&key).await {
                    Ok(()) => report.files += 1,
                    Err(e) => tracing::error!("suppression du fichier {key} : {e:?}"),
                }
            }
        }
    }
    Ok(report)
}

fn deletion_email(numero: &str, list_url: &str) -> Email {
    Email {
        subject: format!("Demande n° {numero} supprimée : compte candidat non activé"),
        paragraphs: vec![
            "Bonjour,".into(),
            format!("Le candidat de la demande n° {numero} n'a pas activé son compte dans les 7 jours suivant l'envoi du lien d'activation. Comme prévu, son compte et la demande ont été supprimés ; seule une trace sans données personnelles reste dans votre liste."),
            "Vérifiez son adresse électronique avec lui, puis saisissez une nouvelle demande :".into(),
            list_url.into(),
            "Cordialement,\nLe service des permis de conduire".into(),
        ],
    }
}

async fn expire_one(
    ctx: &AppContext,
    user_id: i64,
    now: i64,
) -> Result<Option<(usize, Vec<String>)>, AppError> {
    let mut tx = ctx.db.pool().begin().await?;
    // The claim: another instance doing the same waits here, then finds nothing to do.
    let claimed = sqlx::query(
        "UPDATE users SET status = 'disabled' WHERE id = $1 AND status = 'pending_activation'",
    )
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(None);
    }
    let demandes: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, numero, school_id FROM demandes WHERE usager_id = $1 AND etat = 'attente_usager'",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut keys = Vec::new();
    for (id, numero, school_id) in &demandes {
        let files: Vec<(String, Option<String>)> =
            sqlx::query_as("SELECT storage_key, thumb_key FROM pieces WHERE demande_id = $1")
                .bind(id)
                .fetch_all(&mut *tx)
                .await?;
        for (key, thumb) in files {
            keys.push(key);
            keys.extend(thumb);
        }
        sqlx::query("DELETE FROM pieces WHERE demande_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let numero = numero.clone().unwrap_or_default();
        sqlx::query(
            "UPDATE demandes SET etat = 'supprimee', data = '{}', prenom = '', nom = '', categories = '',
                    recherche = $1, usager_id = NULL, updated_at = $2, version = version + 1
             WHERE id = $3",
        )
        .bind(fold(&numero))
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // The e-photo code was never used by the candidate: the next demande may take it.
        sqlx::query("UPDATE ephoto_codes SET demande_id = NULL WHERE demande_id = $1 AND consumed_at IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO demande_events (demande_id, kind, created_at) VALUES ($1, 'supprimee_non_activee', $2)")
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let school_users: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, email FROM users WHERE school_id = $1 AND role = 'ecole'
             AND status = 'active' AND email IS NOT NULL",
        )
        .bind(school_id)
        .fetch_all(&mut *tx)
        .await?;
        let email = deletion_email(
            &numero,
            &url(&ctx.settings, "/ecole/demandes?etat=supprimee"),
        );
        for (school_user, address) in school_users {
            let message = NewMessage::email(
                format!("demande:{id}:supprimee:ecole:{school_user}"),
                "supprimee_non_activee",
                &address,
                &email,
                None,
            )
            .about(school_user, Some(*id));
            enqueue(&mut tx, &message, now).await?;
        }
    }
    sqlx::query(
        "INSERT INTO expired_links (token_hash, deleted_at)
         SELECT token_hash, $1 FROM account_tokens WHERE user_id = $2 AND purpose = 'activation'",
    )
    .bind(now)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    // Sessions, tokens and the messages queued for the candidate go with the account.
    sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some((demandes.len(), keys)))
}

/// Whether a link belonged to an account deleted for want of activation.
pub async fn link_of_deleted_account(ctx: &AppContext, token: &str) -> Result<bool, AppError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT deleted_at FROM expired_links WHERE token_hash = $1")
            .bind(super::sessions::hash_token(token))
            .fetch_optional(ctx.db.pool())
            .await?;
    Ok(found.is_some())
}

/// Sends the activation reminders due (days 3 and 6 after the link was sent), once each: the
/// email's idempotency key is the claim. The reminder carries a working link that expires at the
/// same deadline (the deadline does not move).
pub async fn send_activation_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use super::time::{format_date, format_date_time};
    use super::tokens::{issue_until, Purpose};
    use crate::domain::activation::ACTIVATION_VALIDITY_SECS;
    use crate::domain::deadlines::activation_reminders_due;
    use crate::domain::demande::DemandeData;
    use crate::domain::messages::{rappel_activation_email, rappel_activation_sms};

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
        let sent_at = deadline - ACTIVATION_VALIDITY_SECS;
        let due = activation_reminders_due(sent_at, now, &[]);
        if due.is_empty() {
            continue;
        }
        let latest: Option<(i64, Option<String>, String)> = sqlx::query_as(
            "SELECT id, numero, data FROM demandes WHERE usager_id = $1 AND etat = 'attente_usager'
             ORDER BY id DESC LIMIT 1",
        )
        .bind(user_id)
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
        let key = format!("rappel:{user_id}:{deadline}:{day}");
        let mut tx = ctx.db.pool().begin().await?;
        let mail = rappel_activation_email(&prenom, &numero, &format_date_time(deadline));
        let claimed = super::outbox::enqueue_new(
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
            .bind(super::handover::activation_url(&ctx.settings, &token))
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
