//! What the professional space shows agents and administrators: the paper forms the centre
//! expects, and for administrators the background jobs (what is due, the recent runs) and the
//! messages that could not be delivered.

use crate::domain::demande::Etat;
use crate::error::AppError;

use super::Db;

/// How many expected paper forms the professional space lists: the oldest, those to chase.
/// (At national scale a hundred rows made most of the agent's page, about 30 of its 62 KB of
/// HTML and hydration data, sent at every turn of the queue — the benchmark, README.)
pub const PAPER_FORMS_SHOWN: i64 = 20;

/// The demandes whose paper form is expected (late or not): (numéro, validated by the
/// candidate at, state), the `PAPER_FORMS_SHOWN` oldest.
pub async fn expected_paper_forms(db: &Db) -> Result<Vec<(Option<String>, i64, Etat)>, AppError> {
    Ok(sqlx::query_as(&paper_forms_statement())
        .bind(Etat::AttentePapier)
        .bind(Etat::PapierNonRecu)
        .fetch_all(db.pool())
        .await?)
}

/// The oldest of each state read in index order (state, date), then merged: PostgreSQL reads
/// `etat IN (…) ORDER BY decided_at` by scanning the whole table and sorting it (135 ms with
/// 200 000 demandes, the agent's page at 15 a second with a million: the benchmark); SQLite
/// managed. Parameters: the two states.
pub fn paper_forms_statement() -> String {
    let oldest = |state: usize| {
        format!(
            "SELECT * FROM (SELECT numero, decided_at, etat, id FROM demandes
                            WHERE etat = ${state} AND decided_at IS NOT NULL
                            ORDER BY decided_at, id LIMIT {PAPER_FORMS_SHOWN}) s{state}"
        )
    };
    format!(
        "SELECT numero, decided_at, etat FROM ({} UNION ALL {}) u
         ORDER BY decided_at, id LIMIT {PAPER_FORMS_SHOWN}",
        oldest(1),
        oldest(2)
    )
}

/// A run of the background jobs.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct JobRunRow {
    pub job: String,
    pub owner: String,
    pub as_of: i64,
    pub started_at: i64,
    pub finished_at: Option<i64>,
    pub processed: i64,
    pub error: Option<String>,
}

/// The latest `limit` runs, newest first.
pub async fn job_runs(db: &Db, limit: i64) -> Result<Vec<JobRunRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT job, owner, as_of, started_at, finished_at, processed, error FROM job_runs
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// How many messages the outbox gave up on.
pub async fn failed_messages_count(db: &Db) -> Result<i64, AppError> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE status = 'failed'")
        .fetch_one(db.pool())
        .await?;
    Ok(n)
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
pub async fn due(db: &Db, now: i64) -> Result<Vec<Due>, AppError> {
    use crate::domain::deadlines::{
        activation_link_sent_at, activation_reminder_at, activation_reminders_due,
        paper_form_deadline, paper_form_overdue, paper_reminder_at, paper_reminder_due,
        ACTIVATION_REMINDER_DAYS,
    };
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
    .fetch_all(db.pool())
    .await?;
    let reminder_keys = sent_keys(
        sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE kind = 'rappel_activation'
             AND user_id IN (SELECT id FROM users WHERE status = 'pending_activation')",
        )
        .fetch_all(db.pool())
        .await?,
    );
    let (mut reminders, mut next_reminder) = (0, None);
    let (mut expiries, mut next_expiry) = (0, None);
    for (user_id, deadline) in &pending {
        let sent_at = activation_link_sent_at(*deadline);
        if let Some(day) = activation_reminders_due(sent_at, now, &[]).last() {
            let key = super::jobs::reminders::activation_reminder_key(*user_id, *deadline, *day);
            if !reminder_keys.contains(&format!("{key}:email")) {
                reminders += 1;
            }
        }
        for day in ACTIVATION_REMINDER_DAYS {
            let at = activation_reminder_at(sent_at, day);
            if at > now && at < *deadline {
                next_reminder = earliest(next_reminder, at);
            }
        }
        if *deadline > now {
            next_expiry = earliest(next_expiry, *deadline);
        }
    }
    // Accounts whose every link is over: the next run deletes them.
    expiries += super::jobs::expiry::count_expired_accounts(db, now).await?;

    let papers: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, decided_at FROM demandes WHERE etat = $1 AND decided_at IS NOT NULL",
    )
    .bind(Etat::AttentePapier)
    .fetch_all(db.pool())
    .await?;
    let paper_keys = sent_keys(
        sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE kind = 'rappel_papier'
             AND demande_id IN (SELECT id FROM demandes WHERE etat = $1)",
        )
        .bind(Etat::AttentePapier)
        .fetch_all(db.pool())
        .await?,
    );
    let (mut paper_reminders, mut next_paper_reminder) = (0, None);
    let (mut overdue, mut next_overdue) = (0, None);
    for (id, decided) in &papers {
        let reminded = paper_keys.contains(&format!(
            "{}:email",
            super::jobs::paper::paper_reminder_key(*id)
        ));
        if paper_reminder_due(*decided, now) && !reminded {
            paper_reminders += 1;
        }
        let reminder_at = paper_reminder_at(*decided);
        if reminder_at > now {
            next_paper_reminder = earliest(next_paper_reminder, reminder_at);
        }
        if paper_form_overdue(*decided, now) {
            overdue += 1;
        } else {
            next_overdue = earliest(next_overdue, paper_form_deadline(*decided));
        }
    }
    // Complements asked: the reminder 7 days before the deadline, the closing at the deadline.
    let complements: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT id, complement_avant FROM demandes WHERE etat = $1 AND complement_avant IS NOT NULL",
    )
    .bind(Etat::ComplementDemande)
    .fetch_all(db.pool())
    .await?;
    let complement_keys = sent_keys(
        sqlx::query_as(
            "SELECT idempotency_key FROM outbox WHERE kind = 'rappel_complement'
             AND demande_id IN (SELECT id FROM demandes WHERE etat = $1)",
        )
        .bind(Etat::ComplementDemande)
        .fetch_all(db.pool())
        .await?,
    );
    let (mut complement_reminders, mut next_complement_reminder) = (0, None);
    let (mut unanswered, mut next_unanswered) = (0, None);
    for (id, avant) in &complements {
        use crate::domain::deadlines::{complement_overdue, complement_reminder_at};
        let reminder_at = complement_reminder_at(*avant);
        let prefix = format!("demande:{id}:complement:{avant}:rappel");
        let reminded = complement_keys.iter().any(|k| k.starts_with(&prefix));
        if complement_overdue(*avant, now) {
            unanswered += 1;
        } else {
            next_unanswered = earliest(next_unanswered, *avant);
            if reminder_at <= now && !reminded {
                complement_reminders += 1;
            } else if reminder_at > now {
                next_complement_reminder = earliest(next_complement_reminder, reminder_at);
            }
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
        Due {
            label: "Rappel de complément à l'école (7 jours avant l'échéance)",
            due_now: complement_reminders,
            next: next_complement_reminder,
        },
        Due {
            label: "Complément non reçu : classement sans suite",
            due_now: unanswered,
            next: next_unanswered,
        },
    ])
}
