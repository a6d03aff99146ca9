//! Days 3 and 6: reminders to activate the account, each carrying a working link to the same
//! deadline.

use std::collections::{HashMap, HashSet};

use crate::domain::demande::Etat;
use crate::error::AppError;
use crate::server::db::id_list;
use crate::server::outbox::{enqueue_many, not_all_queued, set_links, NewMessage};
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
    use crate::domain::demande::DemandeData;
    use crate::domain::messages::{rappel_activation_email, rappel_activation_sms};
    use crate::server::time::{format_date, format_date_time};
    use crate::server::tokens::{issue_many_until, Purpose};

    let due = activation_reminders_to_do(&ctx.db, now).await?;
    let mut sent = 0;
    // A batch of accounts per transaction (one durable commit for all), each step one statement
    // over the batch.
    for batch in due.chunks(super::expiry::BATCH) {
        // The reminders already queued are skipped before any lock: locking every account
        // reminded before (100 000 on the bench: 50 write transactions) held the database from
        // logins for seconds. Since links keep their reminders' day, this only happens to links
        // reminded before that column, or by an instance that stopped before marking them.
        let todo = not_all_queued(&ctx.db, batch.to_vec(), |&(user_id, deadline, day)| {
            vec![format!(
                "{}:email",
                activation_reminder_key(user_id, deadline, day)
            )]
        })
        .await?;
        // Those queued before (by another instance, or before links kept their reminders'
        // day) are marked, so that the next minutes do not read them again.
        let kept: HashSet<&(i64, i64, i64)> = todo.iter().collect();
        let queued: Vec<(i64, i64)> = batch
            .iter()
            .filter(|item| !kept.contains(item))
            .map(|&(user_id, _, day)| (user_id, day))
            .collect();
        if !queued.is_empty() {
            let mut conn = ctx.db.pool().acquire().await?;
            mark_reminded(&mut conn, &queued, now).await?;
        }
        let batch = todo;
        if batch.is_empty() {
            continue;
        }
        let batch = batch.as_slice();
        let ids: Vec<i64> = batch.iter().map(|&(user_id, _, _)| user_id).collect();
        let ids = id_list(&ids);
        let mut tx = ctx.db.pool().begin().await?;
        // The accounts' locks (a second instance waits here, then finds the reminders sent).
        let locked: Vec<(i64,)> = sqlx::query_as(&format!(
            "UPDATE users SET status = status
             WHERE id IN ({ids}) AND status = 'pending_activation' RETURNING id"
        ))
        .fetch_all(&mut *tx)
        .await?;
        let locked: HashSet<i64> = locked.into_iter().map(|(id,)| id).collect();
        // Under the locks, the deadlines read above still stand (no resend since).
        let deadlines: HashMap<i64, i64> = sqlx::query_as::<_, (i64, i64)>(&format!(
            "SELECT user_id, MAX(expires_at) FROM account_tokens
             WHERE user_id IN ({ids}) AND purpose = 'activation'
               AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1
             GROUP BY user_id"
        ))
        .bind(now)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        // Each account's latest demande waiting for it.
        let mut latest: HashMap<i64, (i64, Option<String>, String)> = HashMap::new();
        let rows: Vec<(i64, i64, Option<String>, String)> = sqlx::query_as(&format!(
            "SELECT usager_id, id, numero, data FROM demandes
             WHERE usager_id IN ({ids}) AND etat = $1 ORDER BY usager_id, id DESC"
        ))
        .bind(Etat::AttenteUsager)
        .fetch_all(&mut *tx)
        .await?;
        for (user_id, id, numero, data) in rows {
            latest.entry(user_id).or_insert((id, numero, data));
        }

        // The emails; their keys are the claim.
        let mut planned = Vec::new();
        let mut emails = Vec::new();
        // The links done with, sent or not (an account without a demande waiting for it has
        // none to send); those whose deadline moved since are read again next minute.
        let mut done = Vec::new();
        for &(user_id, deadline, day) in batch {
            if !locked.contains(&user_id) || deadlines.get(&user_id) != Some(&deadline) {
                continue;
            }
            done.push((user_id, day));
            let Some((demande_id, numero, data)) = latest.get(&user_id) else {
                continue;
            };
            let numero = numero.clone().unwrap_or_default();
            let data: DemandeData = serde_json::from_str(data).unwrap_or_default();
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
            let key = activation_reminder_key(user_id, deadline, day);
            let mail = rappel_activation_email(&prenom, &numero, &format_date_time(deadline));
            emails.push(
                NewMessage::email(
                    format!("{key}:email"),
                    "rappel_activation",
                    &email,
                    &mail,
                    None,
                )
                .about(user_id, Some(*demande_id)),
            );
            planned.push((user_id, deadline, *demande_id, numero, telephone, key));
        }
        let claimed: HashSet<String> = enqueue_many(&mut tx, &emails, now)
            .await?
            .into_iter()
            .collect();
        // Already there (another instance): nothing more for that account.
        planned.retain(|p| claimed.contains(&format!("{}:email", p.5)));
        // A working link to the same deadline in each email, and the SMS.
        let links: Vec<(i64, i64)> = planned.iter().map(|p| (p.0, p.1)).collect();
        let tokens = issue_many_until(&mut tx, Purpose::Activation, &links, now).await?;
        let mut email_links = Vec::new();
        let mut texts = Vec::new();
        for ((user_id, deadline, demande_id, numero, telephone, key), token) in
            planned.iter().zip(tokens)
        {
            email_links.push((
                format!("{key}:email"),
                crate::server::handover::activation_url(&ctx.settings, &token),
            ));
            let day_text = format_date(*deadline);
            let sms = rappel_activation_sms(numero, day_text.get(..5).unwrap_or(&day_text));
            texts.push(
                NewMessage::sms(format!("{key}:sms"), "rappel_activation", telephone, sms)
                    .about(*user_id, Some(*demande_id)),
            );
        }
        set_links(&mut tx, &email_links).await?;
        enqueue_many(&mut tx, &texts, now).await?;
        // After the new links: they carry the day too.
        mark_reminded(&mut tx, &done, now).await?;
        tx.commit().await?;
        sent += planned.len();
    }
    Ok(sent)
}

/// The activation reminders to do at `now`: (account, deadline of its link, day), the latest
/// day due only (a server down for days does not send two at once). Reads only the links whose
/// day has come and which do not say it is done (`account_tokens.reminded_day`, index
/// `account_tokens_rappels`): a link reminded on day 3 is not read again before day 6.
pub async fn activation_reminders_to_do(
    db: &crate::server::db::Db,
    now: i64,
) -> Result<Vec<(i64, i64, i64)>, AppError> {
    use crate::domain::deadlines::{activation_link_sent_at, activation_reminders_due};

    let sql = activation_reminders_sql();
    let mut query = sqlx::query_as::<_, (i64, i64)>(&sql);
    for bind in activation_reminders_binds(now) {
        query = query.bind(bind);
    }
    // Each account's latest deadline (a reminder's new link shares its deadline).
    let mut pending: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
    for (user_id, deadline) in query.fetch_all(db.pool()).await? {
        let latest = pending.entry(user_id).or_insert(deadline);
        *latest = (*latest).max(deadline);
    }
    Ok(pending
        .into_iter()
        .filter_map(|(user_id, deadline)| {
            let sent_at = activation_link_sent_at(deadline);
            let day = activation_reminders_due(sent_at, now, &[])
                .last()
                .copied()?;
            Some((user_id, deadline, day))
        })
        .collect())
}

/// The statement of `activation_reminders_to_do` (public for the plans test): for each
/// reminder day, the links that reached it with the reminder before it done (none before the
/// first): `reminded_day = previous AND now < expires_at <= now + validity - day`, each a range
/// of the index `account_tokens_rappels` (joined by `UNION ALL`: with an `OR`, or a `GROUP BY`,
/// SQLite reads the whole index instead). Binds: `activation_reminders_binds`.
pub fn activation_reminders_sql() -> String {
    use crate::domain::deadlines::ACTIVATION_REMINDER_DAYS;

    let mut previous = 0;
    ACTIVATION_REMINDER_DAYS
        .iter()
        .enumerate()
        .map(|(i, &day)| {
            let select = format!(
                "SELECT t.user_id, t.expires_at FROM account_tokens t
                 JOIN users u ON u.id = t.user_id
                 WHERE t.purpose = 'activation' AND t.used_at IS NULL AND t.revoked_at IS NULL
                   AND t.reminded_day = {previous} AND t.expires_at > $1 AND t.expires_at <= ${}
                   AND u.status = 'pending_activation'",
                i + 2
            );
            previous = day;
            select
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ")
}

/// The parameters of `activation_reminders_sql` at `now`: now, then the latest deadline of a
/// link that has reached each reminder day.
pub fn activation_reminders_binds(now: i64) -> Vec<i64> {
    use crate::domain::deadlines::{activation_reminder_deadline_bound, ACTIVATION_REMINDER_DAYS};

    std::iter::once(now)
        .chain(
            ACTIVATION_REMINDER_DAYS
                .iter()
                .map(|&day| activation_reminder_deadline_bound(now, day)),
        )
        .collect()
}

/// Marks the activation links of these accounts as reminded up to `day`: those whose deadline
/// is near enough for that day (a link sent again since, with a later deadline, keeps its own
/// reminders).
async fn mark_reminded(
    conn: &mut sqlx::AnyConnection,
    done: &[(i64, i64)],
    now: i64,
) -> Result<(), AppError> {
    use crate::domain::deadlines::{activation_reminder_deadline_bound, ACTIVATION_REMINDER_DAYS};

    for day in ACTIVATION_REMINDER_DAYS {
        let users: Vec<i64> = done
            .iter()
            .filter(|&&(_, d)| d == day)
            .map(|&(user_id, _)| user_id)
            .collect();
        if users.is_empty() {
            continue;
        }
        sqlx::query(&format!(
            "UPDATE account_tokens SET reminded_day = $1
             WHERE user_id IN ({}) AND purpose = 'activation' AND reminded_day < $1
               AND expires_at <= $2",
            id_list(&users)
        ))
        .bind(day)
        .bind(activation_reminder_deadline_bound(now, day))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}
