//! Requests for a complement: a reminder to the school 7 days before the deadline, and past
//! the deadline with no answer the demande is « Classée sans suite » (school and candidate
//! told, with the motivation and the routes of appeal). Each once, whatever the instances.

use crate::domain::demande::{DemandeData, Etat, Evenement};
use crate::error::AppError;
use crate::routes::Page;
use crate::server::demandes::{lock, transition};
use crate::server::outbox::{enqueue, enqueue_new, NewMessage};
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
    Ok(sqlx::query_as(
        "SELECT d.id, d.numero, d.school_id, d.complement_avant, u.id AS usager_id, u.email, d.data
         FROM demandes d LEFT JOIN users u ON u.id = d.usager_id
         WHERE d.etat = $1 AND d.complement_avant IS NOT NULL AND d.complement_avant <= $2
         ORDER BY d.complement_avant, d.id",
    )
    .bind(Etat::ComplementDemande)
    .bind(due_before)
    .fetch_all(ctx.db.pool())
    .await?)
}

/// 7 days before the deadline of a complement not sent back: a reminder to the school's users,
/// once per request (the first email's key is the claim).
pub async fn send_complement_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::{complement_overdue, COMPLEMENT_REMINDER_DAYS_BEFORE};
    let mut sent = 0;
    // Due for a reminder: the deadline is at most 7 days away.
    let horizon =
        crate::domain::deadlines::complement_deadline(now, COMPLEMENT_REMINDER_DAYS_BEFORE);
    for w in waiting(ctx, horizon).await? {
        if complement_overdue(w.complement_avant, now)
            || now < crate::domain::deadlines::complement_reminder_at(w.complement_avant)
        {
            continue;
        }
        let mut tx = ctx.db.pool().begin().await?;
        if !lock(&mut tx, w.id, Etat::ComplementDemande).await? {
            tx.rollback().await?;
            continue;
        }
        let numero = w.numero.clone().unwrap_or_default();
        let (_, candidat) = w.names();
        let mail = crate::domain::messages::rappel_complement_email(
            &numero,
            &candidat,
            &crate::server::time::format_date(w.complement_avant),
            &ctx.settings.url(&Page::Complement { id: w.id }.href()),
        );
        let key = format!("demande:{}:complement:{}:rappel", w.id, w.complement_avant);
        let mut claimed = false;
        for (user_id, address) in
            crate::server::users::school_recipients(&mut tx, w.school_id).await?
        {
            let message = NewMessage::email(
                format!("{key}:ecole:{user_id}"),
                "rappel_complement",
                &address,
                &mail,
                None,
            )
            .about(user_id, Some(w.id));
            claimed |= enqueue_new(&mut tx, &message, now).await?;
        }
        if !claimed {
            tx.rollback().await?;
            continue;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Past the deadline with no answer: « Classée sans suite »; the school and the candidate are
/// told. The guarded transition is the claim.
pub async fn close_unanswered(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    let mut closed = 0;
    for w in waiting(ctx, now).await? {
        if !crate::domain::deadlines::complement_overdue(w.complement_avant, now) {
            continue;
        }
        let mut tx = ctx.db.pool().begin().await?;
        let moved = transition(
            &mut tx,
            w.id,
            Etat::ComplementDemande,
            Evenement::ComplementNonRecu,
            None,
            None,
            now,
        )
        .await?;
        if moved.is_none() {
            tx.rollback().await?;
            continue;
        }
        sqlx::query("UPDATE demandes SET complement_avant = NULL WHERE id = $1")
            .bind(w.id)
            .execute(&mut *tx)
            .await?;
        let numero = w.numero.clone().unwrap_or_default();
        let (prenom, candidat) = w.names();
        let key = format!("demande:{}:classee_sans_suite", w.id);
        let school_mail = crate::domain::messages::classement_email(
            None,
            &numero,
            &candidat,
            &ctx.settings.url(&Page::Etape { id: w.id, n: 6 }.href()),
        );
        for (user_id, address) in
            crate::server::users::school_recipients(&mut tx, w.school_id).await?
        {
            enqueue(
                &mut tx,
                &NewMessage::email(
                    format!("{key}:ecole:{user_id}"),
                    "classee_sans_suite",
                    &address,
                    &school_mail,
                    None,
                )
                .about(user_id, Some(w.id)),
                now,
            )
            .await?;
        }
        if let (Some(user_id), Some(address)) = (w.usager_id, w.email.as_deref()) {
            let mail = crate::domain::messages::classement_email(
                Some(&prenom),
                &numero,
                &candidat,
                &ctx.settings.url(&Page::DemandeUsager { id: w.id }.href()),
            );
            enqueue(
                &mut tx,
                &NewMessage::email(
                    format!("{key}:usager:email"),
                    "classee_sans_suite",
                    address,
                    &mail,
                    None,
                )
                .about(user_id, Some(w.id)),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        closed += 1;
    }
    Ok(closed)
}
