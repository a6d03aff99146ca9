//! Day 7: the accounts created by a school and never activated are deleted with their
//! demandes' personal data and files. Each account is handled in its own transaction whose
//! first statement claims it (a guarded UPDATE): run by several instances at once, each
//! deletion happens once.

use crate::domain::communes::fold;
use crate::domain::demande::{Etat, Evenement};
use crate::domain::messages::Email;
use crate::error::AppError;
use crate::routes::Page;
use crate::server::demandes::transition;
use crate::server::outbox::{enqueue, NewMessage};
use crate::server::{AppContext, Db};

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
    let mut report = Expired::default();
    for user_id in expired_accounts(&ctx.db, now).await? {
        if let Some((demandes, keys)) = expire_one(ctx, user_id, now).await? {
            report.accounts += 1;
            report.demandes += demandes;
            report.files += ctx.storage.delete_all(keys).await;
        }
    }
    Ok(report)
}

/// Accounts waiting for activation whose every link is over at `now` (expired, revoked).
pub async fn expired_accounts(db: &Db, now: i64) -> Result<Vec<i64>, AppError> {
    let ids: Vec<(i64,)> = sqlx::query_as(
        "SELECT u.id FROM users u
         WHERE u.status = 'pending_activation' AND u.role = 'usager'
           AND EXISTS (SELECT 1 FROM account_tokens t WHERE t.user_id = u.id AND t.purpose = 'activation')
           AND NOT EXISTS (SELECT 1 FROM account_tokens t
                           WHERE t.user_id = u.id AND t.purpose = 'activation'
                             AND t.revoked_at IS NULL AND t.used_at IS NULL AND t.expires_at > $1)
         ORDER BY u.id",
    )
    .bind(now)
    .fetch_all(db.pool())
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

fn deletion_email(numero: &str, list_url: &str) -> Email {
    Email {
        action: Some("Voir mes demandes"),
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
    // Re-checked under the lock: a link resent just before the deadline keeps the account.
    if crate::server::tokens::activation_deadline(&mut tx, user_id, now)
        .await?
        .is_some()
    {
        tx.rollback().await?;
        return Ok(None);
    }
    let demandes: Vec<(i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, numero, school_id FROM demandes WHERE usager_id = $1 AND etat = $2",
    )
    .bind(user_id)
    .bind(Etat::AttenteUsager)
    .fetch_all(&mut *tx)
    .await?;
    let mut keys = Vec::new();
    for (id, numero, school_id) in &demandes {
        if transition(
            &mut tx,
            *id,
            Etat::AttenteUsager,
            Evenement::CompteNonActive,
            None,
            None,
            now,
        )
        .await?
        .is_none()
        {
            continue;
        }
        keys.extend(crate::server::pieces::remove_all(&mut tx, *id).await?);
        let numero = numero.clone().unwrap_or_default();
        // A trace without personal data stays in the school's list.
        sqlx::query(
            "UPDATE demandes SET data = '{}', prenom = '', nom = '', categories = '',
                    recherche = $1, usager_id = NULL
             WHERE id = $2",
        )
        .bind(fold(&numero))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // The e-photo code was never used by the candidate: the next demande may take it.
        sqlx::query("UPDATE ephoto_codes SET demande_id = NULL WHERE demande_id = $1 AND consumed_at IS NULL")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let school_users = crate::server::users::school_recipients(&mut tx, *school_id).await?;
        let email = deletion_email(
            &numero,
            &ctx.settings
                .url(&Page::EcoleDemandes.href_with("etat=supprimee")),
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
