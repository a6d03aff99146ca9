//! Day 7: the accounts created by a school and never activated are deleted with their
//! demandes' personal data and files. The accounts are taken in batches, each in its own
//! transaction whose first statement claims the whole batch (`claim_sql`: the accounts locked):
//! run by several instances at once, each deletion happens once; killed in the middle, a batch
//! is either done or untouched. Every step of a batch is one statement over the batch, and each
//! school gets one email per batch.

use std::collections::BTreeMap;

use crate::domain::demande::{Etat, Evenement};
use crate::domain::messages::Email;
use crate::error::AppError;
use crate::routes::Page;
use crate::server::db::{id_list, Backend};
use crate::server::demandes::transition_and_erase_all;
use crate::server::outbox::{enqueue_many, NewMessage};
use crate::server::{AppContext, Db};

/// Accounts handled in one transaction.
pub const BATCH: usize = 2_000;

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
    // The walk starts at the first account with a link over: none, and there is nothing to do
    // (most minutes; the walk would read every account waiting for activation).
    let Some(first) = first_due_account(&ctx.db, now).await? else {
        return Ok(report);
    };
    let mut after = first - 1;
    loop {
        let batch = expired_accounts(&ctx.db, now, after, BATCH).await?;
        let Some(&last) = batch.last() else {
            break;
        };
        after = last;
        let (accounts, demandes, keys) = expire_batch(ctx, &batch, now).await?;
        report.accounts += accounts;
        report.demandes += demandes;
        // The files go once the deletion is committed.
        report.files += ctx.storage.delete_all(keys).await;
    }
    Ok(report)
}

/// Accounts waiting for activation whose every link is over at `now` (expired, revoked), after
/// id `after`, at most `limit`, in id order.
pub async fn expired_accounts(
    db: &Db,
    now: i64,
    after: i64,
    limit: usize,
) -> Result<Vec<i64>, AppError> {
    let ids: Vec<(i64,)> = sqlx::query_as(EXPIRED_ACCOUNTS)
        .bind(now)
        .bind(after)
        .bind(limit as i64)
        .fetch_all(db.pool())
        .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The statement of `expired_accounts`: $1 now, $2 after, $3 limit.
///
/// The accounts waiting for activation, in id order from `after`, each with its activation
/// links looked up by key: the last one still usable (not used, not revoked) expired at `$1`
/// or before, or none is usable; an account without any activation link is not this job's.
/// Written as one scalar subquery per account rather than `EXISTS … AND NOT EXISTS …`:
/// PostgreSQL turned those into joins reading every activation link and every pending account
/// (a merge or parallel hash join, 120 to 230 ms a batch at a million demandes, 6 to 11 s of
/// the 7-day deletion); an aggregate per account stays a lookup, and the walk stops at the
/// limit (6 ms a batch).
pub const EXPIRED_ACCOUNTS: &str = "SELECT u.id FROM users u
     WHERE u.status = 'pending_activation' AND u.id > $2 AND u.role = 'usager'
       AND (SELECT CASE WHEN COUNT(*) > 0 THEN COALESCE(MAX(CASE
                WHEN t.revoked_at IS NULL AND t.used_at IS NULL THEN t.expires_at END), 0) END
            FROM account_tokens t WHERE t.user_id = u.id AND t.purpose = 'activation') <= $1
     ORDER BY u.id LIMIT $3";

/// The lowest account id with an activation link over at `now` and neither used nor revoked
/// (a range per reminder day of `account_tokens_rappels`, the links due only). Every account to
/// delete has one: its last link, which only a newer link revokes.
async fn first_due_account(db: &Db, now: i64) -> Result<Option<i64>, AppError> {
    let (first,): (Option<i64>,) = sqlx::query_as(&first_due_account_sql())
        .bind(now)
        .fetch_one(db.pool())
        .await?;
    Ok(first)
}

/// The statement of `first_due_account`: $1 now.
pub fn first_due_account_sql() -> String {
    use crate::domain::deadlines::ACTIVATION_REMINDER_DAYS;
    let days: Vec<String> = std::iter::once(0)
        .chain(ACTIVATION_REMINDER_DAYS)
        .map(|d| d.to_string())
        .collect();
    format!(
        "SELECT MIN(t.user_id) FROM account_tokens t
         WHERE t.purpose = 'activation' AND t.used_at IS NULL AND t.revoked_at IS NULL
           AND t.reminded_day IN ({}) AND t.expires_at <= $1",
        days.join(", ")
    )
}

/// How many accounts the next run deletes.
pub async fn count_expired_accounts(db: &Db, now: i64) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM ({EXPIRED_ACCOUNTS}) due"))
        .bind(now)
        .bind(0_i64)
        .bind(i64::MAX)
        .fetch_one(db.pool())
        .await?;
    Ok(n)
}

fn deletion_email(demandes: &[(i64, String)], list_url: &str) -> Email {
    if let [(_, numero)] = demandes {
        return one_deletion_email(numero, list_url);
    }
    let numeros: Vec<&str> = demandes.iter().map(|(_, n)| n.as_str()).collect();
    Email {
        action: Some("Voir mes demandes"),
        subject: format!(
            "{} demandes supprimées : comptes candidats non activés",
            demandes.len()
        ),
        paragraphs: vec![
            "Bonjour,".into(),
            format!("Les candidats des demandes suivantes n'ont pas activé leur compte dans les 7 jours suivant l'envoi du lien d'activation. Comme prévu, leurs comptes et ces demandes ont été supprimés ; seule une trace sans données personnelles reste dans votre liste : {}.", numeros.join(", ")),
            "Vérifiez leur adresse électronique avec eux, puis saisissez de nouvelles demandes :".into(),
            list_url.into(),
            "Cordialement,\nLe service des permis de conduire".into(),
        ],
    }
}

fn one_deletion_email(numero: &str, list_url: &str) -> Email {
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

/// The statement that claims the accounts of `batch` still to delete at `$1`. PostgreSQL locks
/// the rows (`FOR UPDATE`: a second instance waits, then reads the rows as the first left them:
/// deleted); writing them, as SQLite must to take its write lock first, cost PostgreSQL a new
/// version of each account with all its index entries, 2 s of the 100 000 deletions, for rows
/// deleted at the end of the same transaction.
fn claim_sql(backend: Backend, batch: &[i64]) -> String {
    let (head, tail) = match backend {
        Backend::Sqlite => ("UPDATE users SET status = 'disabled'", "RETURNING id"),
        Backend::Postgres => ("SELECT id FROM users", "FOR UPDATE"),
    };
    format!(
        "{head}
         WHERE id IN ({}) AND status = 'pending_activation'
           AND NOT EXISTS (SELECT 1 FROM account_tokens t
               WHERE t.user_id = users.id AND t.purpose = 'activation'
                 AND t.revoked_at IS NULL AND t.used_at IS NULL AND t.expires_at > $1)
         {tail}",
        id_list(batch)
    )
}

async fn expire_batch(
    ctx: &AppContext,
    batch: &[i64],
    now: i64,
) -> Result<(usize, usize, Vec<String>), AppError> {
    let mut tx = ctx.db.pool().begin().await?;
    // The claim (a link resent just before the deadline keeps the account): another instance
    // doing the same waits here, then finds nothing to do (the accounts are gone, or active).
    let claimed: Vec<(i64,)> = sqlx::query_as(&claim_sql(ctx.db.backend(), batch))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
    let mut claimed: Vec<i64> = claimed.into_iter().map(|(id,)| id).collect();
    if !claimed.is_empty() {
        // Re-checked in a statement of its own: under PostgreSQL, the claim's condition saw
        // the links as they were when it started, and a link resent while it waited for an
        // account's lock is only seen now. Such an account stays.
        let live: Vec<(i64,)> = sqlx::query_as(&format!(
            "SELECT DISTINCT user_id FROM account_tokens
             WHERE user_id IN ({}) AND purpose = 'activation'
               AND revoked_at IS NULL AND used_at IS NULL AND expires_at > $1",
            id_list(&claimed)
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        if !live.is_empty() {
            let live: Vec<i64> = live.into_iter().map(|(id,)| id).collect();
            if ctx.db.backend() == Backend::Sqlite {
                // The claim wrote them.
                sqlx::query(&format!(
                    "UPDATE users SET status = 'pending_activation' WHERE id IN ({})",
                    id_list(&live)
                ))
                .execute(&mut *tx)
                .await?;
            }
            claimed.retain(|id| !live.contains(id));
        }
    }
    if claimed.is_empty() {
        tx.rollback().await?;
        return Ok((0, 0, Vec::new()));
    }
    let users = id_list(&claimed);
    // The demandes waiting for these accounts: each moves to « Supprimée » and becomes a trace
    // without personal data in the same write (a trace stays in the school's list).
    let waiting: Vec<(i64, Option<String>, i64)> = sqlx::query_as(&format!(
        "SELECT id, numero, school_id FROM demandes
         WHERE usager_id IN ({users}) AND etat = $1 ORDER BY id"
    ))
    .bind(Etat::AttenteUsager)
    .fetch_all(&mut *tx)
    .await?;
    let traces: Vec<(i64, Option<String>)> = waiting
        .iter()
        .map(|(id, numero, _)| (*id, numero.clone()))
        .collect();
    let moved = transition_and_erase_all(
        &mut tx,
        &traces,
        Etat::AttenteUsager,
        Evenement::CompteNonActive,
        now,
    )
    .await?;
    let mut keys = Vec::new();
    let mut per_school: BTreeMap<i64, Vec<(i64, String)>> = BTreeMap::new();
    if !moved.is_empty() {
        let demandes = id_list(&moved);
        keys = crate::server::pieces::remove_all_of(&mut tx, &moved).await?;
        for (id, numero, school_id) in &waiting {
            if moved.binary_search(id).is_ok() {
                per_school
                    .entry(*school_id)
                    .or_default()
                    .push((*id, numero.clone().unwrap_or_default()));
            }
        }
        // The e-photo codes never used by the candidate: the next demande may take them.
        sqlx::query(&format!(
            "UPDATE ephoto_codes SET demande_id = NULL
             WHERE demande_id IN ({demandes}) AND consumed_at IS NULL"
        ))
        .execute(&mut *tx)
        .await?;
    }
    // One email per school user for the batch, all in one statement.
    let schools: Vec<i64> = per_school.keys().copied().collect();
    let list_url = ctx
        .settings
        .url(&Page::EcoleDemandes.href_with("etat=supprimee"));
    let mut notices = Vec::new();
    for (school_id, school_user, address) in
        crate::server::users::recipients_of_schools(&mut tx, &schools).await?
    {
        let Some(demandes) = per_school.get(&school_id) else {
            continue;
        };
        let first = demandes.first().map(|(id, _)| *id);
        let key = match demandes.as_slice() {
            [(id, _)] => format!("demande:{id}:supprimee:ecole:{school_user}"),
            _ => format!(
                "demandes:{}:{}:supprimees:ecole:{school_user}",
                first.unwrap_or_default(),
                demandes.len()
            ),
        };
        let email = deletion_email(demandes, &list_url);
        notices.push(
            NewMessage::email(key, "supprimee_non_activee", &address, &email, None)
                .about(school_user, first),
        );
    }
    enqueue_many(&mut tx, &notices, now).await?;
    sqlx::query(&format!(
        "INSERT INTO expired_links (token_hash, deleted_at)
         SELECT token_hash, $1 FROM account_tokens WHERE user_id IN ({users}) AND purpose = 'activation'"
    ))
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // Sessions, tokens and the messages queued for the candidates go with the accounts.
    sqlx::query(&format!("DELETE FROM users WHERE id IN ({users})"))
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok((claimed.len(), moved.len(), keys))
}
