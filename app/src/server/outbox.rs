//! The outbox: emails and SMS written in the transaction of the change they announce (nothing is
//! sent for a rolled-back change, nothing is lost for a committed one), then delivered by the
//! dispatcher (`server::dispatch`) with leases, retries and a record of every attempt.

use sqlx::{AnyConnection, FromRow};

use crate::domain::messages::{Email, LINK};
use crate::error::AppError;

use super::db::Backend;
use super::Db;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Email => "email",
            Channel::Sms => "sms",
        }
    }
}

/// A message to queue.
#[derive(Clone, Debug)]
pub struct NewMessage {
    /// Unique per message: queuing the same key twice queues it once. Sent along (SMTP
    /// Message-ID, `Idempotency-Key` header) so that a provider can recognise a repeat.
    pub key: String,
    pub user_id: Option<i64>,
    pub demande_id: Option<i64>,
    pub kind: &'static str,
    pub channel: Channel,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    /// The personal link for « {{lien}} » (kept only until the message is sent).
    pub link: Option<String>,
}

impl NewMessage {
    pub fn email(
        key: String,
        kind: &'static str,
        to: &str,
        email: &Email,
        link: Option<String>,
    ) -> NewMessage {
        NewMessage {
            key,
            user_id: None,
            demande_id: None,
            kind,
            channel: Channel::Email,
            recipient: to.to_string(),
            subject: email.subject.clone(),
            body_text: email.text(),
            body_html: Some(email.html()),
            link,
        }
    }

    pub fn sms(key: String, kind: &'static str, to: &str, text: String) -> NewMessage {
        NewMessage {
            key,
            user_id: None,
            demande_id: None,
            kind,
            channel: Channel::Sms,
            recipient: to.to_string(),
            subject: String::new(),
            body_text: text,
            body_html: None,
            link: None,
        }
    }

    pub fn about(mut self, user_id: i64, demande_id: Option<i64>) -> NewMessage {
        self.user_id = Some(user_id);
        self.demande_id = demande_id;
        self
    }
}

/// A random key for messages that are not tied to one event (e.g. « Identifiant oublié ? »).
pub fn random_key(prefix: &str) -> String {
    let bytes: [u8; 16] = rand::random();
    format!("{prefix}:{}", hex::encode(bytes))
}

/// Queues a message on the caller's connection (inside its transaction).
pub async fn enqueue(conn: &mut AnyConnection, m: &NewMessage, now: i64) -> Result<(), AppError> {
    enqueue_new(conn, m, now).await.map(|_| ())
}

/// Queues a message unless its key was queued before; `true` when this call queued it (a job
/// uses that as its claim: of two instances, one queues, the other does nothing).
pub async fn enqueue_new(
    conn: &mut AnyConnection,
    m: &NewMessage,
    now: i64,
) -> Result<bool, AppError> {
    Ok(!enqueue_many(conn, std::slice::from_ref(m), now)
        .await?
        .is_empty())
}

/// `items` but those whose messages (the `keys` of each) are all in the outbox already: a job
/// whose claim is a message's key skips them before taking any lock (from day 3 to day 6, every
/// account reminded on day 3 is due again each minute). An item without a key is skipped.
pub async fn not_all_queued<T>(
    db: &Db,
    items: Vec<T>,
    keys: impl Fn(&T) -> Vec<String>,
) -> Result<Vec<T>, AppError> {
    let all: Vec<String> = items.iter().flat_map(&keys).collect();
    let queued = queued_keys(db, &all).await?;
    Ok(items
        .into_iter()
        .filter(|item| keys(item).iter().any(|k| !queued.contains(k)))
        .collect())
}

/// Which of `keys` are in the outbox already. One read per 2 000; the keys are written in the
/// statement, quotes doubled.
async fn queued_keys(
    db: &Db,
    keys: &[String],
) -> Result<std::collections::HashSet<String>, AppError> {
    let mut queued = std::collections::HashSet::new();
    for keys in keys.chunks(2_000) {
        let list: Vec<String> = keys
            .iter()
            .map(|k| format!("'{}'", k.replace('\'', "''")))
            .collect();
        let rows: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT idempotency_key FROM outbox WHERE idempotency_key IN ({})",
            list.join(", ")
        ))
        .fetch_all(db.pool())
        .await?;
        queued.extend(rows.into_iter().map(|(k,)| k));
    }
    Ok(queued)
}

/// `enqueue_new` for many messages, 50 per statement: returns the keys queued now (a key already
/// there — another instance, an earlier run — is left as it was). Not more per statement: sqlx
/// finds each parameter of a SQLite statement by its name, a search through all of them, so a
/// statement's binding cost grows with the square of its parameters (11 per message).
pub async fn enqueue_many(
    conn: &mut AnyConnection,
    messages: &[NewMessage],
    now: i64,
) -> Result<Vec<String>, AppError> {
    const COLUMNS: usize = 11;
    let mut queued = Vec::new();
    for chunk in messages.chunks(50) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| {
                let at = r * COLUMNS;
                let cols: Vec<String> = (1..=COLUMNS).map(|c| format!("${}", at + c)).collect();
                // `next_attempt_at` and `created_at` are both `now`.
                format!("({}, ${})", cols.join(", "), at + COLUMNS)
            })
            .collect();
        let sql = format!(
            "INSERT INTO outbox (idempotency_key, user_id, demande_id, kind, channel, recipient,
                                 subject, body_text, body_html, link, next_attempt_at, created_at)
             VALUES {}
             ON CONFLICT (idempotency_key) DO NOTHING RETURNING idempotency_key",
            rows.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String,)>(&sql);
        for m in chunk {
            q = q
                .bind(&m.key)
                .bind(m.user_id)
                .bind(m.demande_id)
                .bind(m.kind)
                .bind(m.channel.as_str())
                .bind(&m.recipient)
                .bind(&m.subject)
                .bind(&m.body_text)
                .bind(m.body_html.as_deref())
                .bind(m.link.as_deref())
                .bind(now);
        }
        queued.extend(q.fetch_all(&mut *conn).await?.into_iter().map(|(k,)| k));
    }
    Ok(queued)
}

/// Sets the personal link of queued messages, by key, a few hundred per statement.
pub async fn set_links(
    conn: &mut AnyConnection,
    links: &[(String, String)],
) -> Result<(), AppError> {
    for chunk in links.chunks(250) {
        let cases: Vec<String> = (0..chunk.len())
            .map(|r| format!("WHEN ${} THEN ${}", 2 * r + 1, 2 * r + 2))
            .collect();
        let keys: Vec<String> = (0..chunk.len())
            .map(|r| format!("${}", 2 * r + 1))
            .collect();
        let sql = format!(
            "UPDATE outbox SET link = CASE idempotency_key {} END WHERE idempotency_key IN ({})",
            cases.join(" "),
            keys.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (key, link) in chunk {
            q = q.bind(key).bind(link);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// How long a dispatcher owns a message it claimed, by default (`PERMIS_OUTBOX_LEASE`). Sending times out well before (30 s); past
/// the lease, the message is considered interrupted and another dispatcher may take it.
pub const LEASE_SECS: i64 = 120;

/// Waits before the next attempt, after the 1st, 2nd… failure. After the last, the message
/// is marked failed (about 9 hours after it was queued).
pub const RETRY_DELAYS: [i64; 5] = [60, 300, 1_800, 7_200, 21_600];
pub const MAX_ATTEMPTS: i64 = RETRY_DELAYS.len() as i64 + 1;

/// When to try again after failed attempt number `attempt` (1-based); `None`: give up.
pub fn next_attempt_after(attempt: i64, now: i64) -> Option<i64> {
    usize::try_from(attempt - 1)
        .ok()
        .and_then(|i| RETRY_DELAYS.get(i))
        .map(|d| now + d)
}

/// A message a dispatcher has claimed for one attempt.
#[derive(Clone, Debug, FromRow)]
pub struct Claimed {
    pub id: i64,
    pub idempotency_key: String,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: Option<String>,
    pub link: Option<String>,
    pub attempts: i64,
}

impl Claimed {
    pub fn text(&self) -> String {
        render(&self.body_text, self.link.as_deref())
    }

    pub fn html(&self) -> Option<String> {
        self.body_html
            .as_deref()
            .map(|h| render(h, self.link.as_deref()))
    }
}

fn render(body: &str, link: Option<&str>) -> String {
    match link {
        Some(l) => body.replace(LINK, l),
        None => body.replace(LINK, "(lien personnel déjà envoyé)"),
    }
}

/// Claims up to `limit` due messages for `owner`: pending ones whose time has come, and ones
/// whose previous attempt was interrupted (lease over). Each claim opens an attempt record.
/// On PostgreSQL, rows another dispatcher is claiming are skipped (`FOR UPDATE SKIP LOCKED`);
/// SQLite has one writer at a time, which serialises claims by itself.
pub async fn claim(
    db: &Db,
    owner: &str,
    now: i64,
    limit: i64,
    lease_secs: i64,
) -> Result<Vec<Claimed>, AppError> {
    let lock = match db.backend() {
        Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let sql = format!(
        "UPDATE outbox SET status = 'sending', lease_owner = $1, lease_until = $2, attempts = attempts + 1
         WHERE id IN (SELECT id FROM outbox
                      WHERE (status = 'pending' AND next_attempt_at <= $3)
                         OR (status = 'sending' AND lease_until <= $3)
                      ORDER BY id LIMIT $4 {lock})
         RETURNING id, idempotency_key, channel, recipient, subject, body_text, body_html, link, attempts"
    );
    let mut tx = db.pool().begin().await?;
    let mut claimed: Vec<Claimed> = sqlx::query_as(&sql)
        .bind(owner)
        .bind(now + lease_secs)
        .bind(now)
        .bind(limit)
        .fetch_all(&mut *tx)
        .await?;
    // RETURNING gives no order: messages leave in the order they were queued.
    claimed.sort_by_key(|c| c.id);
    for c in &claimed {
        sqlx::query(
            "INSERT INTO outbox_attempts (outbox_id, attempt, owner, started_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(c.id)
        .bind(c.attempts)
        .bind(owner)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(claimed)
}

/// Renews the lease on a claimed message just before sending it: a batch is sent one message
/// after the other, so each message gets the whole lease for its own sending (≤ 30 s). `false`
/// when the lease was lost (expired and taken by another dispatcher): the message is then not
/// sent by this one.
pub async fn renew_lease(
    db: &Db,
    id: i64,
    owner: &str,
    now: i64,
    lease_secs: i64,
) -> Result<bool, AppError> {
    let r = sqlx::query(
        "UPDATE outbox SET lease_until = $1
         WHERE id = $2 AND status = 'sending' AND lease_owner = $3",
    )
    .bind(now + lease_secs)
    .bind(id)
    .bind(owner)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Messages never tried and due after `now` become due at `now` (`permis jobs --at` queues
/// them as of a later instant).
pub async fn send_now_if_later(db: &Db, now: i64) -> Result<u64, AppError> {
    Ok(sqlx::query(
        "UPDATE outbox SET next_attempt_at = $1
         WHERE status = 'pending' AND attempts = 0 AND next_attempt_at > $1",
    )
    .bind(now)
    .execute(db.pool())
    .await?
    .rows_affected())
}

/// What the dev mailbox keeps of a delivered message.
async fn store_in_mailbox(conn: &mut AnyConnection, c: &Claimed, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO dev_mailbox (outbox_key, channel, recipient, subject, body_text, body_html, received_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&c.idempotency_key)
    .bind(&c.channel)
    .bind(&c.recipient)
    .bind(&c.subject)
    .bind(c.text())
    .bind(c.html())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Records a successful attempt: the message is sent and its personal link erased. With the
/// development mailbox as transport, delivering is this same transaction (exactly once).
pub async fn record_sent(
    db: &Db,
    c: &Claimed,
    owner: &str,
    transport: &str,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    if transport == "mailbox" {
        store_in_mailbox(&mut tx, c, now).await?;
    }
    sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $1, link = NULL, lease_owner = NULL,
                           lease_until = NULL, last_error = NULL, transport = $2
         WHERE id = $3",
    )
    .bind(now)
    .bind(transport)
    .bind(c.id)
    .execute(&mut *tx)
    .await?;
    finish_attempt(&mut tx, c, owner, "sent", None, now).await?;
    tx.commit().await?;
    Ok(())
}

async fn finish_attempt(
    conn: &mut AnyConnection,
    c: &Claimed,
    owner: &str,
    outcome: &str,
    error: Option<&str>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE outbox_attempts SET finished_at = $1, outcome = $2, error = $3
         WHERE outbox_id = $4 AND attempt = $5 AND owner = $6",
    )
    .bind(now)
    .bind(outcome)
    .bind(error)
    .bind(c.id)
    .bind(c.attempts)
    .bind(owner)
    .execute(conn)
    .await?;
    Ok(())
}

/// What became of a failed attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterFailure {
    RetryAt(i64),
    Failed,
}

/// Records a failed attempt: another one later, or « failed » after the last attempt or on a
/// permanent refusal (unknown address…). The link is erased from a failed message.
pub async fn record_failure(
    db: &Db,
    c: &Claimed,
    owner: &str,
    error: &str,
    permanent: bool,
    now: i64,
) -> Result<AfterFailure, AppError> {
    let error: String = error.chars().take(500).collect();
    let next = if permanent {
        None
    } else {
        next_attempt_after(c.attempts, now)
    };
    let mut tx = db.pool().begin().await?;
    let outcome = match next {
        Some(at) => {
            sqlx::query(
                "UPDATE outbox SET status = 'pending', next_attempt_at = $1, lease_owner = NULL,
                                   lease_until = NULL, last_error = $2
                 WHERE id = $3 AND status = 'sending'",
            )
            .bind(at)
            .bind(&error)
            .bind(c.id)
            .execute(&mut *tx)
            .await?;
            finish_attempt(&mut tx, c, owner, "retry", Some(&error), now).await?;
            AfterFailure::RetryAt(at)
        }
        None => {
            sqlx::query(
                "UPDATE outbox SET status = 'failed', link = NULL, lease_owner = NULL,
                                   lease_until = NULL, last_error = $1
                 WHERE id = $2 AND status = 'sending'",
            )
            .bind(&error)
            .bind(c.id)
            .execute(&mut *tx)
            .await?;
            finish_attempt(&mut tx, c, owner, "failed", Some(&error), now).await?;
            AfterFailure::Failed
        }
    };
    tx.commit().await?;
    Ok(outcome)
}

/// A message as the development mailbox shows it.
#[derive(Clone, Debug, FromRow)]
pub struct MailboxRow {
    pub id: i64,
    pub channel: String,
    pub recipient: String,
    pub subject: String,
    pub body_text: String,
    pub received_at: i64,
}

pub async fn mailbox(db: &Db, limit: i64) -> Result<Vec<MailboxRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, channel, recipient, subject, body_text, received_at FROM dev_mailbox
         ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.pool())
    .await?)
}

/// A message that could not be delivered, for administrators.
#[derive(Clone, Debug, FromRow)]
pub struct FailedRow {
    pub id: i64,
    pub kind: String,
    pub channel: String,
    pub recipient: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    /// 1 when the body had a personal link: erased when the message failed, it cannot be sent
    /// again (a new link must be issued, e.g. « Renvoyer le lien »).
    pub had_link: i64,
}

pub async fn failed(db: &Db, limit: i64) -> Result<Vec<FailedRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, kind, channel, recipient, attempts, last_error, created_at,
                CAST(CASE WHEN body_text LIKE $2 THEN 1 ELSE 0 END AS BIGINT) AS had_link
         FROM outbox WHERE status = 'failed' ORDER BY id DESC LIMIT $1",
    )
    .bind(limit)
    .bind(format!("%{LINK}%"))
    .fetch_all(db.pool())
    .await?)
}

/// An administrator sends a failed message once more, now (after fixing the address or once
/// the mail server is back). If that attempt fails too, the message is failed again. Not for a
/// message whose personal link was erased. `false` when there is no such failed message; a
/// message relaunched already (double click) is `true` again.
pub async fn retry_failed(db: &Db, id: i64, now: i64) -> Result<bool, AppError> {
    let r = sqlx::query(
        "UPDATE outbox SET status = 'pending', next_attempt_at = $1
         WHERE id = $2 AND status = 'failed' AND body_text NOT LIKE $3",
    )
    .bind(now)
    .bind(id)
    .bind(format!("%{LINK}%"))
    .execute(db.pool())
    .await?;
    if r.rows_affected() == 1 {
        return Ok(true);
    }
    // Not failed (any more): on its way or sent — nothing to do.
    let status: Option<(String,)> = sqlx::query_as("SELECT status FROM outbox WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?;
    Ok(matches!(status, Some((s,)) if s != "failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_grow_then_stop() {
        let now = 1_000;
        assert_eq!(next_attempt_after(1, now), Some(now + 60));
        assert_eq!(next_attempt_after(2, now), Some(now + 300));
        assert_eq!(next_attempt_after(5, now), Some(now + 21_600));
        assert_eq!(next_attempt_after(MAX_ATTEMPTS, now), None);
        assert_eq!(next_attempt_after(0, now), None);
    }

    #[test]
    fn links_are_put_in_at_sending_only() {
        let c = Claimed {
            id: 1,
            idempotency_key: "k".into(),
            channel: "email".into(),
            recipient: "a@b.fr".into(),
            subject: "s".into(),
            body_text: format!("Cliquez :\n{LINK}\n"),
            body_html: Some(format!("<a href=\"{LINK}\">{LINK}</a>")),
            link: Some("https://x/monespace/activer/abc".into()),
            attempts: 1,
        };
        assert!(c.text().contains("https://x/monespace/activer/abc"));
        assert!(!c.html().unwrap().contains(LINK));
        let gone = Claimed { link: None, ..c };
        assert!(!gone.text().contains(LINK));
    }
}
