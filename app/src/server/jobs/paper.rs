//! The paper photo-signature form: a reminder on day 10, « non reçu » on day 15.

use crate::domain::demande::{Etat, Evenement};
use crate::error::AppError;
use crate::routes::Page;
use crate::server::demandes::{lock_all, transition_all};
use crate::server::jobs::expiry::BATCH;
use crate::server::outbox::{enqueue_many, NewMessage};
use crate::server::users::recipients_by_school;
use crate::server::AppContext;

/// The key of a demande's day-10 paper form reminder.
pub fn paper_reminder_key(demande_id: i64) -> String {
    format!("demande:{demande_id}:papier:rappel")
}

/// A demande waiting for its paper form, as the paper jobs need it.
struct PaperDemande {
    id: i64,
    numero: String,
    school_id: i64,
    decided_at: i64,
    usager_id: i64,
    email: String,
    prenom: String,
    nom: String,
    telephone: String,
}

impl PaperDemande {
    /// A message to the candidate of the demande, keyed `{key}:email`.
    fn email_to_candidate(
        &self,
        key: &str,
        kind: &'static str,
        mail: &crate::domain::messages::Email,
    ) -> NewMessage {
        NewMessage::email(format!("{key}:email"), kind, &self.email, mail, None)
            .about(self.usager_id, Some(self.id))
    }

    /// An SMS to the candidate of the demande, keyed `{key}:sms`.
    fn sms_to_candidate(&self, key: &str, kind: &'static str, text: String) -> NewMessage {
        NewMessage::sms(format!("{key}:sms"), kind, &self.telephone, text)
            .about(self.usager_id, Some(self.id))
    }
}

/// The demandes waiting for the paper form validated before `validated_before`.
async fn paper_demandes(
    ctx: &AppContext,
    validated_before: i64,
) -> Result<Vec<PaperDemande>, AppError> {
    use crate::domain::demande::DemandeData;
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        numero: Option<String>,
        school_id: i64,
        decided_at: i64,
        usager_id: i64,
        email: String,
        data: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT d.id, d.numero, d.school_id, d.decided_at, u.id AS usager_id,
                COALESCE(u.email, '') AS email, d.data
         FROM demandes d JOIN users u ON u.id = d.usager_id
         WHERE d.etat = $2 AND d.decided_at <= $1
         ORDER BY d.id",
    )
    .bind(validated_before)
    .bind(Etat::AttentePapier)
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let Row {
                id,
                numero,
                school_id,
                decided_at,
                usager_id,
                email,
                data,
            } = r;
            let data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
            let (prenoms, nom) = data.listing_names();
            let prenom = prenoms.split_whitespace().next().unwrap_or("").to_string();
            PaperDemande {
                id,
                numero: numero.unwrap_or_default(),
                school_id,
                decided_at,
                usager_id,
                email,
                prenom,
                nom,
                telephone: data.adresse.map(|a| a.telephone).unwrap_or_default(),
            }
        })
        .collect())
}

/// Day 10 after the candidate's validation, the paper form still not received: a reminder to
/// the candidate (email + SMS), once — the messages' idempotency keys are the claim. By batches,
/// each one transaction.
pub async fn send_paper_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::{paper_form_deadline, paper_reminder_due, paper_reminder_since};
    use crate::domain::messages::{rappel_papier_email, rappel_papier_sms};
    use crate::server::time::format_date;
    let due: Vec<PaperDemande> = paper_demandes(ctx, paper_reminder_since(now))
        .await?
        .into_iter()
        .filter(|d| paper_reminder_due(d.decided_at, now))
        .collect();
    // Reminded already (day 10 to 15, each minute): skipped before any lock.
    let due = crate::server::outbox::not_all_queued(&ctx.db, due, |d| {
        vec![format!("{}:email", paper_reminder_key(d.id))]
    })
    .await?;
    let mut sent = 0;
    for batch in due.chunks(BATCH) {
        let mut tx = ctx.db.pool().begin().await?;
        // Under the demandes' locks: a form received meanwhile needs no reminder.
        let ids: Vec<i64> = batch.iter().map(|d| d.id).collect();
        let waiting = lock_all(&mut tx, &ids, Etat::AttentePapier).await?;
        let mut messages = Vec::new();
        for d in batch
            .iter()
            .filter(|d| waiting.binary_search(&d.id).is_ok())
        {
            let deadline = format_date(paper_form_deadline(d.decided_at));
            let key = paper_reminder_key(d.id);
            let mail = rappel_papier_email(
                &d.prenom,
                &d.numero,
                &deadline,
                &ctx.settings.url(&Page::DemandeUsager { id: d.id }.href()),
            );
            messages.push(d.email_to_candidate(&key, "rappel_papier", &mail));
            if !d.telephone.is_empty() {
                let sms = rappel_papier_sms(&d.numero, deadline.get(..5).unwrap_or(&deadline));
                messages.push(d.sms_to_candidate(&key, "rappel_papier", sms));
            }
        }
        let queued = enqueue_many(&mut tx, &messages, now).await?;
        tx.commit().await?;
        sent += queued.iter().filter(|k| k.ends_with(":email")).count();
    }
    Ok(sent)
}

/// Day 15 after the candidate's validation with no receipt recorded: the demande becomes
/// « Formulaire photo-signature non reçu »; the candidate (email + SMS) and the school (email)
/// are told what to do. The guarded change of state is the claim: once, whatever the
/// instances. By batches, each one transaction.
pub async fn expire_paper_forms(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::{paper_form_overdue, paper_overdue_since};
    use crate::domain::messages::{
        papier_non_recu_email, papier_non_recu_email_ecole, papier_non_recu_sms,
    };
    let due: Vec<PaperDemande> = paper_demandes(ctx, paper_overdue_since(now))
        .await?
        .into_iter()
        .filter(|d| paper_form_overdue(d.decided_at, now))
        .collect();
    let list_url = ctx
        .settings
        .url(&Page::EcoleDemandes.href_with("etat=papier_non_recu"));
    let mut changed = 0;
    for batch in due.chunks(BATCH) {
        let mut tx = ctx.db.pool().begin().await?;
        let ids: Vec<i64> = batch.iter().map(|d| d.id).collect();
        let moved = transition_all(
            &mut tx,
            &ids,
            Etat::AttentePapier,
            Evenement::PapierNonRecu,
            now,
        )
        .await?;
        let moved: Vec<&PaperDemande> = batch
            .iter()
            .filter(|d| moved.binary_search(&d.id).is_ok())
            .collect();
        let schools: Vec<i64> = moved.iter().map(|d| d.school_id).collect();
        let recipients = recipients_by_school(&mut tx, &schools).await?;
        let mut messages = Vec::new();
        for d in &moved {
            let key = format!("demande:{}:papier_non_recu", d.id);
            let mail = papier_non_recu_email(
                &d.prenom,
                &d.numero,
                &ctx.settings.url(&Page::DemandeUsager { id: d.id }.href()),
            );
            messages.push(d.email_to_candidate(&key, "papier_non_recu", &mail));
            if !d.telephone.is_empty() {
                let sms = papier_non_recu_sms(&d.numero);
                messages.push(d.sms_to_candidate(&key, "papier_non_recu", sms));
            }
            let candidat = format!("{} {}", d.prenom, d.nom.to_uppercase());
            let school_mail = papier_non_recu_email_ecole(&d.numero, candidat.trim(), &list_url);
            for (school_user, address) in recipients.get(&d.school_id).into_iter().flatten() {
                messages.push(
                    NewMessage::email(
                        format!("{key}:ecole:{school_user}"),
                        "papier_non_recu",
                        address,
                        &school_mail,
                        None,
                    )
                    .about(*school_user, Some(d.id)),
                );
            }
        }
        enqueue_many(&mut tx, &messages, now).await?;
        tx.commit().await?;
        changed += moved.len();
    }
    Ok(changed)
}
