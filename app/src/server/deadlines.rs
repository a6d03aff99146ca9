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
    let mut report = Expired::default();
    for user_id in expired_accounts(ctx, now).await? {
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

/// Accounts waiting for activation whose every link is over at `now` (expired, revoked).
async fn expired_accounts(ctx: &AppContext, now: i64) -> Result<Vec<i64>, AppError> {
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
    .fetch_all(ctx.db.pool())
    .await?;
    Ok(ids.into_iter().map(|(id,)| id).collect())
}

/// The key of an activation reminder (its email's key is the claim): one per link deadline
/// and day.
fn activation_reminder_key(user_id: i64, deadline: i64, day: i64) -> String {
    format!("rappel:{user_id}:{deadline}:{day}")
}

/// The key of a demande's day-10 paper form reminder.
fn paper_reminder_key(demande_id: i64) -> String {
    format!("demande:{demande_id}:papier:rappel")
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
    // Re-checked under the lock: a link resent just before the deadline keeps the account.
    if super::tokens::activation_deadline(&mut tx, user_id, now)
        .await?
        .is_some()
    {
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
        let school_users = super::users::school_recipients(&mut tx, *school_id).await?;
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
        let key = activation_reminder_key(user_id, deadline, day);
        let mut tx = ctx.db.pool().begin().await?;
        // Under the account's lock, the deadline read above still stands (no resend since).
        if !super::tokens::lock_pending_account(&mut tx, user_id).await?
            || super::tokens::activation_deadline(&mut tx, user_id, now).await? != Some(deadline)
        {
            tx.rollback().await?;
            continue;
        }
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
         WHERE d.etat = 'attente_papier' AND d.decided_at <= $1
         ORDER BY d.id",
    )
    .bind(validated_before)
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
/// the candidate (email + SMS), once — the email's idempotency key is the claim.
pub async fn send_paper_reminders(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use super::time::format_date;
    use crate::domain::deadlines::{paper_reminder_due, PAPER_REMINDER_DAY};
    use crate::domain::demande::PAPER_FORM_DAYS;
    use crate::domain::messages::{rappel_papier_email, rappel_papier_sms};
    let mut sent = 0;
    for d in paper_demandes(ctx, now - PAPER_REMINDER_DAY * 86_400).await? {
        if !paper_reminder_due(d.decided_at, now) {
            continue;
        }
        let deadline = format_date(d.decided_at + PAPER_FORM_DAYS * 86_400);
        let key = paper_reminder_key(d.id);
        let mut tx = ctx.db.pool().begin().await?;
        // Under the demande's lock: a form received meanwhile needs no reminder.
        let waiting = sqlx::query(
            "UPDATE demandes SET etat = etat WHERE id = $1 AND etat = 'attente_papier'",
        )
        .bind(d.id)
        .execute(&mut *tx)
        .await?;
        if waiting.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        let mail = rappel_papier_email(
            &d.prenom,
            &d.numero,
            &deadline,
            &url(&ctx.settings, &format!("/monespace/demandes/{}", d.id)),
        );
        let claimed = super::outbox::enqueue_new(
            &mut tx,
            &NewMessage::email(
                format!("{key}:email"),
                "rappel_papier",
                &d.email,
                &mail,
                None,
            )
            .about(d.usager_id, Some(d.id)),
            now,
        )
        .await?;
        if !claimed {
            tx.rollback().await?;
            continue;
        }
        if !d.telephone.is_empty() {
            let sms = rappel_papier_sms(&d.numero, deadline.get(..5).unwrap_or(&deadline));
            enqueue(
                &mut tx,
                &NewMessage::sms(format!("{key}:sms"), "rappel_papier", &d.telephone, sms)
                    .about(d.usager_id, Some(d.id)),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        sent += 1;
    }
    Ok(sent)
}

/// Day 15 after the candidate's validation with no receipt recorded: the demande becomes
/// « Formulaire photo-signature non reçu »; the candidate (email + SMS) and the school (email)
/// are told what to do. The guarded UPDATE is the claim: once, whatever the instances.
pub async fn expire_paper_forms(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    use crate::domain::deadlines::paper_form_overdue;
    use crate::domain::demande::PAPER_FORM_DAYS;
    use crate::domain::messages::{
        papier_non_recu_email, papier_non_recu_email_ecole, papier_non_recu_sms,
    };
    let mut changed = 0;
    for d in paper_demandes(ctx, now - PAPER_FORM_DAYS * 86_400).await? {
        if !paper_form_overdue(d.decided_at, now) {
            continue;
        }
        let mut tx = ctx.db.pool().begin().await?;
        let claimed = sqlx::query(
            "UPDATE demandes SET etat = 'papier_non_recu', updated_at = $1, version = version + 1
             WHERE id = $2 AND etat = 'attente_papier'",
        )
        .bind(now)
        .bind(d.id)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() == 0 {
            tx.rollback().await?;
            continue;
        }
        sqlx::query("INSERT INTO demande_events (demande_id, kind, created_at) VALUES ($1, 'papier_non_recu', $2)")
            .bind(d.id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        let key = format!("demande:{}:papier_non_recu", d.id);
        let mail = papier_non_recu_email(
            &d.prenom,
            &d.numero,
            &url(&ctx.settings, &format!("/monespace/demandes/{}", d.id)),
        );
        enqueue(
            &mut tx,
            &NewMessage::email(
                format!("{key}:email"),
                "papier_non_recu",
                &d.email,
                &mail,
                None,
            )
            .about(d.usager_id, Some(d.id)),
            now,
        )
        .await?;
        if !d.telephone.is_empty() {
            enqueue(
                &mut tx,
                &NewMessage::sms(
                    format!("{key}:sms"),
                    "papier_non_recu",
                    &d.telephone,
                    papier_non_recu_sms(&d.numero),
                )
                .about(d.usager_id, Some(d.id)),
                now,
            )
            .await?;
        }
        let school_users = super::users::school_recipients(&mut tx, d.school_id).await?;
        let candidat = format!("{} {}", d.prenom, d.nom.to_uppercase());
        let school_mail = papier_non_recu_email_ecole(
            &d.numero,
            candidat.trim(),
            &url(&ctx.settings, "/ecole/demandes?etat=papier_non_recu"),
        );
        for (school_user, address) in school_users {
            enqueue(
                &mut tx,
                &NewMessage::email(
                    format!("{key}:ecole:{school_user}"),
                    "papier_non_recu",
                    &address,
                    &school_mail,
                    None,
                )
                .about(school_user, Some(d.id)),
                now,
            )
            .await?;
        }
        tx.commit().await?;
        changed += 1;
    }
    Ok(changed)
}

/// The processing centre received the paper form (recorded by an agent): the demande goes to
/// instruction, from « En attente » or « non reçu ». `false` when the demande does not wait
/// for a form (unknown number, already received…).
pub async fn record_paper_received(
    ctx: &AppContext,
    numero: &str,
    agent_id: i64,
    now: i64,
) -> Result<Option<String>, AppError> {
    let mut tx = ctx.db.pool().begin().await?;
    let found: Option<(i64, String)> = sqlx::query_as(
        "UPDATE demandes SET etat = 'transmise', papier_recu_at = $1, updated_at = $1,
                version = version + 1
         WHERE numero = $2 AND etat IN ('attente_papier', 'papier_non_recu')
         RETURNING id, etat",
    )
    .bind(now)
    .bind(numero.trim())
    .fetch_optional(&mut *tx)
    .await?;
    let Some((id, _)) = found else {
        tx.rollback().await?;
        // Recorded already (a double click, the same form scanned twice): the same answer.
        let already: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM demandes WHERE numero = $1 AND papier_recu_at IS NOT NULL",
        )
        .bind(numero.trim())
        .fetch_optional(ctx.db.pool())
        .await?;
        return Ok(already.map(|_| numero.trim().to_string()));
    };
    sqlx::query("INSERT INTO demande_events (demande_id, kind, created_at, actor_id) VALUES ($1, 'papier_recu', $2, $3)")
        .bind(id)
        .bind(now)
        .bind(agent_id)
        .execute(&mut *tx)
        .await?;
    // The candidate is told their démarche is over.
    let candidate: Option<(i64, Option<String>, String)> = sqlx::query_as(
        "SELECT u.id, u.email, d.data FROM demandes d JOIN users u ON u.id = d.usager_id
         WHERE d.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((user_id, Some(email), data)) = candidate {
        let data: crate::domain::demande::DemandeData =
            serde_json::from_str(&data).unwrap_or_default();
        let (prenoms, _) = data.listing_names();
        let mail = crate::domain::messages::papier_recu_email(
            prenoms.split_whitespace().next().unwrap_or(""),
            numero.trim(),
            &url(&ctx.settings, &format!("/monespace/demandes/{id}")),
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
    ctx.outbox_wake.notify_one();
    Ok(Some(numero.trim().to_string()))
}

/// A deadline job as the administrators' page shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub label: &'static str,
    /// Items the next run will handle.
    pub due_now: i64,
    /// When the next item (not due yet) falls due.
    pub next: Option<i64>,
}

/// What the deadline jobs have to do as of `now`, and what comes next.
pub async fn due(ctx: &AppContext, now: i64) -> Result<Vec<Due>, AppError> {
    use crate::domain::activation::ACTIVATION_VALIDITY_SECS;
    use crate::domain::deadlines::{
        activation_reminders_due, paper_form_overdue, paper_reminder_due, ACTIVATION_REMINDER_DAYS,
        PAPER_REMINDER_DAY,
    };
    use crate::domain::demande::PAPER_FORM_DAYS;
    const DAY: i64 = 86_400;
    let sent_keys = |keys: Vec<(String,)>| -> std::collections::HashSet<String> {
        keys.into_iter().map(|k| k.0).collect()
    };
    let earliest = |a: Option<i64>, b: i64| Some(a.map_or(b, |a| a.min(b)));

    // Pending accounts: the deadline of their latest link.
    let pending: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT t.user_id, MAX(t.expires_at) FROM account_tokens t
         JOIN users u ON u.id = t.user_id
         WHERE t.purpose = 'activation' AND u.status = 'pending_activation' AND u.role = 'usager'
           AND t.revoked_at IS NULL AND t.used_at IS NULL
         GROUP BY t.user_id",
    )
    .fetch_all(ctx.db.pool())
    .await?;
    let reminder_keys = sent_keys(
        sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE kind = 'rappel_activation'
             AND user_id IN (SELECT id FROM users WHERE status = 'pending_activation')",
        )
        .fetch_all(ctx.db.pool())
        .await?,
    );
    let (mut reminders, mut next_reminder) = (0, None);
    let (mut expiries, mut next_expiry) = (0, None);
    for (user_id, deadline) in &pending {
        let sent_at = deadline - ACTIVATION_VALIDITY_SECS;
        if let Some(day) = activation_reminders_due(sent_at, now, &[]).last() {
            let key = activation_reminder_key(*user_id, *deadline, *day);
            if !reminder_keys.contains(&format!("{key}:email")) {
                reminders += 1;
            }
        }
        for day in ACTIVATION_REMINDER_DAYS {
            let at = sent_at + day * DAY;
            if at > now && at < *deadline {
                next_reminder = earliest(next_reminder, at);
            }
        }
        if *deadline > now {
            next_expiry = earliest(next_expiry, *deadline);
        }
    }
    // Accounts whose every link is over: the next run deletes them.
    expiries += expired_accounts(ctx, now).await?.len() as i64;

    let papers: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, decided_at FROM demandes WHERE etat = 'attente_papier' AND decided_at IS NOT NULL",
    )
    .fetch_all(ctx.db.pool())
    .await?;
    let paper_keys = sent_keys(
        sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE kind = 'rappel_papier'
             AND demande_id IN (SELECT id FROM demandes WHERE etat = 'attente_papier')",
        )
        .fetch_all(ctx.db.pool())
        .await?,
    );
    let (mut paper_reminders, mut next_paper_reminder) = (0, None);
    let (mut overdue, mut next_overdue) = (0, None);
    for (id, decided) in &papers {
        let reminded = paper_keys.contains(&format!("{}:email", paper_reminder_key(*id)));
        if paper_reminder_due(*decided, now) && !reminded {
            paper_reminders += 1;
        }
        let reminder_at = decided + PAPER_REMINDER_DAY * DAY;
        if reminder_at > now {
            next_paper_reminder = earliest(next_paper_reminder, reminder_at);
        }
        if paper_form_overdue(*decided, now) {
            overdue += 1;
        } else {
            next_overdue = earliest(next_overdue, decided + PAPER_FORM_DAYS * DAY);
        }
    }
    Ok(vec![
        Due {
            label: "Rappels d'activation (jours 3 et 6)",
            due_now: reminders,
            next: next_reminder,
        },
        Due {
            label: "Suppression des comptes non activés (jour 7)",
            due_now: expiries,
            next: next_expiry,
        },
        Due {
            label: "Rappel du formulaire photo-signature (jour 10)",
            due_now: paper_reminders,
            next: next_paper_reminder,
        },
        Due {
            label: "Formulaire photo-signature non reçu (jour 15)",
            due_now: overdue,
            next: next_overdue,
        },
    ])
}
