//! Requests for a complement: a reminder to the school 7 days before the deadline, and past
//! the deadline with no answer the demande is « Classée sans suite » (school and candidate
//! told, with the motivation and the routes of appeal). Each once, whatever the instances.

use crate::domain::demande::{DemandeData, Etat, Evenement};
use crate::error::AppError;
use crate::routes::Page;
use crate::server::db::id_list;
use crate::server::demandes::{lock_all, transition_all};
use crate::server::jobs::expiry::BATCH;
use crate::server::outbox::{enqueue_many, not_all_queued, NewMessage};
use crate::server::users::recipients_by_school;
use crate::server::AppContext;

/// A demande waiting for its complement, as the jobs need it.
#[derive(sqlx::FromRow)]
struct Waiting {
    id: i64,
    numero: Option<String>,
    school_id: i64,
    complement_avant: i64,
    usager_id: Option<i64>,
    email: Option<String>,
    data: String,
}

impl Waiting {
    fn names(&self) -> (String, String) {
        let data: DemandeData = serde_json::from_str(&self.data).unwrap_or_default();
        let (prenoms, nom) = data.listing_names();
        (
            prenoms.split_whitespace().next().unwrap_or("").to_string(),
            format!("{prenoms} {nom}").trim().to_string(),
        )
    }
}

/// The demandes waiting for a complement due before `due_before`.
async fn waiting(ctx: &AppContext, due_before: i64) -> Result<Vec<Waiting>, AppError> {
    Ok(sqlx::query_as(&waiting_sql())
        .bind(due_before)
        .fetch_all(ctx.db.pool())
        .await?)
}

/// The statement of `waiting` ($1: due before): a range of the partial index
/// `demandes_complement_du` (migration 0015), whose state is written here so that both
/// databases see that the index applies.
pub fn waiting_sql() -> String {
    format!(
        "SELECT d.id, d.numero, d.school_id, d.complement_avant, u.id AS usager_id, u.email, d.data
         FROM demandes d LEFT JOIN users u ON u.id = d.usager_id
         WHERE d.etat = '{}' AND d.complement_avant <= $1
         ORDER BY d.id",
        Etat::ComplementDemande.code()
    )
}

/// The key of a complement's reminder, before its recipient (`:ecole:{user}`).
fn reminder_key(w: &Waiting) -> String {
    format!("demande:{}:complement:{}:rappel", w.id, w.complement_avant)
}

/// The demandes of `due` whose reminder has not reached each of their school's users yet
/// (keys read before any lock: until the deadline, every demande reminded is due again each
/// minute). A user added to the school since still gets it, under the locks, as before; a
/// school without a user to tell is looked at again at the next pass.
async fn not_yet_reminded(ctx: &AppContext, due: Vec<Waiting>) -> Result<Vec<Waiting>, AppError> {
    if due.is_empty() {
        return Ok(due);
    }
    let mut schools: Vec<i64> = due.iter().map(|w| w.school_id).collect();
    schools.sort_unstable();
    schools.dedup();
    let mut conn = ctx.db.pool().acquire().await?;
    let recipients = recipients_by_school(&mut conn, &schools).await?;
    drop(conn);
    not_all_queued(&ctx.db, due, |w| {
        recipients
            .get(&w.school_id)
            .into_iter()
            .flatten()
            .map(|(user_id, _)| format!("{}:ecole:{user_id}", reminder_key(w)))
            .collect()
    })
    .await
}

/// 7 days before the deadline of a complement not sent back: a reminder to the school's users,
/// once per request (the messages' keys are the claim). By batches, each one transaction.
pub async fn send_complement_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::{complement_overdue, COMPLEMENT_REMINDER_DAYS_BEFORE};
    // Due for a reminder: the deadline is at most 7 days away.
    let horizon =
        crate::domain::deadlines::complement_deadline(now, COMPLEMENT_REMINDER_DAYS_BEFORE);
    let due: Vec<Waiting> = waiting(ctx, horizon)
        .await?
        .into_iter()
        .filter(|w| {
            !complement_overdue(w.complement_avant, now)
                && now >= crate::domain::deadlines::complement_reminder_at(w.complement_avant)
        })
        .collect();
    let due = not_yet_reminded(ctx, due).await?;
    let mut sent = 0;
    for batch in due.chunks(BATCH) {
        let mut tx = ctx.db.pool().begin().await?;
        let ids: Vec<i64> = batch.iter().map(|w| w.id).collect();
        let still = lock_all(&mut tx, &ids, Etat::ComplementDemande).await?;
        let still: Vec<&Waiting> = batch
            .iter()
            .filter(|w| still.binary_search(&w.id).is_ok())
            .collect();
        let schools: Vec<i64> = still.iter().map(|w| w.school_id).collect();
        let recipients = recipients_by_school(&mut tx, &schools).await?;
        let mut messages = Vec::new();
        let mut keys = Vec::new();
        for w in &still {
            let numero = w.numero.clone().unwrap_or_default();
            let (_, candidat) = w.names();
            let mail = crate::domain::messages::rappel_complement_email(
                &numero,
                &candidat,
                &crate::server::time::format_date(w.complement_avant),
                &ctx.settings.url(&Page::Complement { id: w.id }.href()),
            );
            let key = reminder_key(w);
            for (user_id, address) in recipients.get(&w.school_id).into_iter().flatten() {
                messages.push(
                    NewMessage::email(
                        format!("{key}:ecole:{user_id}"),
                        "rappel_complement",
                        address,
                        &mail,
                        None,
                    )
                    .about(*user_id, Some(w.id)),
                );
            }
            keys.push(format!("{key}:"));
        }
        let queued = enqueue_many(&mut tx, &messages, now).await?;
        tx.commit().await?;
        sent += keys
            .iter()
            .filter(|k| queued.iter().any(|q| q.starts_with(k.as_str())))
            .count();
    }
    Ok(sent)
}

/// Past the deadline with no answer: « Classée sans suite »; the school and the candidate are
/// told. The guarded change of state is the claim. By batches, each one transaction.
pub async fn close_unanswered(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    let due: Vec<Waiting> = waiting(ctx, now)
        .await?
        .into_iter()
        .filter(|w| crate::domain::deadlines::complement_overdue(w.complement_avant, now))
        .collect();
    let mut closed = 0;
    for batch in due.chunks(BATCH) {
        let mut tx = ctx.db.pool().begin().await?;
        let ids: Vec<i64> = batch.iter().map(|w| w.id).collect();
        let moved = transition_all(
            &mut tx,
            &ids,
            Etat::ComplementDemande,
            Evenement::ComplementNonRecu,
            now,
        )
        .await?;
        if moved.is_empty() {
            tx.rollback().await?;
            continue;
        }
        sqlx::query(&format!(
            "UPDATE demandes SET complement_avant = NULL WHERE id IN ({})",
            id_list(&moved)
        ))
        .execute(&mut *tx)
        .await?;
        let moved: Vec<&Waiting> = batch
            .iter()
            .filter(|w| moved.binary_search(&w.id).is_ok())
            .collect();
        let schools: Vec<i64> = moved.iter().map(|w| w.school_id).collect();
        let recipients = recipients_by_school(&mut tx, &schools).await?;
        let mut messages = Vec::new();
        for w in &moved {
            let numero = w.numero.clone().unwrap_or_default();
            let (prenom, candidat) = w.names();
            let key = format!("demande:{}:classee_sans_suite", w.id);
            let school_mail = crate::domain::messages::classement_email(
                None,
                &numero,
                &candidat,
                &ctx.settings.url(&Page::Etape { id: w.id, n: 6 }.href()),
            );
            for (user_id, address) in recipients.get(&w.school_id).into_iter().flatten() {
                messages.push(
                    NewMessage::email(
                        format!("{key}:ecole:{user_id}"),
                        "classee_sans_suite",
                        address,
                        &school_mail,
                        None,
                    )
                    .about(*user_id, Some(w.id)),
                );
            }
            if let (Some(user_id), Some(address)) = (w.usager_id, w.email.as_deref()) {
                let mail = crate::domain::messages::classement_email(
                    Some(&prenom),
                    &numero,
                    &candidat,
                    &ctx.settings.url(&Page::DemandeUsager { id: w.id }.href()),
                );
                messages.push(
                    NewMessage::email(
                        format!("{key}:usager:email"),
                        "classee_sans_suite",
                        address,
                        &mail,
                        None,
                    )
                    .about(user_id, Some(w.id)),
                );
            }
        }
        enqueue_many(&mut tx, &messages, now).await?;
        tx.commit().await?;
        closed += moved.len();
    }
    Ok(closed)
}
