//! Failed-login records, read through the pure rules of `domain::lockout`.

use crate::domain::lockout::Policy;
use crate::error::AppError;

use super::Db;

pub fn account_key_for_user(user_id: i64) -> String {
    format!("user:{user_id}")
}

/// Failures on an identifier that matches no account are counted too, so a locked message
/// never reveals whether an account exists.
pub fn account_key_for_name(normalized: &str) -> String {
    format!("name:{normalized}")
}

pub fn ip_key(ip: std::net::IpAddr) -> String {
    // IPv4 clients seen through an IPv6 socket (::ffff:a.b.c.d) are IPv4 clients; IPv6 clients
    // are grouped by /64, the block one subscriber gets.
    match ip.to_canonical() {
        std::net::IpAddr::V4(v4) => format!("ip:{v4}"),
        std::net::IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("ip:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
    }
}

/// Until when `key` is locked at `now`, if it is.
pub async fn locked_until(
    db: &Db,
    policy: &Policy,
    key: &str,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let since = now - policy.lookback_secs();
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at")
            .bind(key)
            .bind(since)
            .fetch_all(db.pool())
            .await?;
    let failures: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
    Ok(policy.locked_until(&failures, now))
}

/// The failure rows written for one login attempt.
pub struct Attempt(Vec<i64>);

pub async fn forget(db: &Db, attempt: &Attempt) -> Result<(), AppError> {
    for id in &attempt.0 {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(*id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// Starts a login attempt on `account_key`: under a per-key lock, either the account is locked
/// (returns `Err(until)`, nothing recorded) or the attempt is recorded as a failure under every
/// key before the password is checked (returns the rows, to forget on success). Parallel guesses
/// are thus decided one after the other and cannot slip under the limit together.
pub async fn begin_attempt(
    db: &Db,
    policy: &Policy,
    account_key: &str,
    other_keys: &[&str],
    now: i64,
) -> Result<Result<Attempt, i64>, AppError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("INSERT INTO login_locks (key) VALUES ($1) ON CONFLICT (key) DO UPDATE SET key = excluded.key")
        .bind(account_key)
        .execute(&mut *tx)
        .await?;
    let rows: Vec<(i64,)> =
        sqlx::query_as("SELECT at FROM login_failures WHERE key = $1 AND at > $2")
            .bind(account_key)
            .bind(now - policy.lookback_secs())
            .fetch_all(&mut *tx)
            .await?;
    let failures: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
    if let Some(until) = policy.locked_until(&failures, now) {
        tx.commit().await?;
        return Ok(Err(until));
    }
    let mut ids = Vec::new();
    for key in std::iter::once(account_key).chain(other_keys.iter().copied()) {
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id")
                .bind(key)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Ok(Attempt(ids)))
}

pub async fn clear(db: &Db, key: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM login_failures WHERE key = $1")
        .bind(key)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes records too old to matter for any policy.
pub async fn purge(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let oldest_useful = now
        - crate::domain::lockout::ACCOUNT
            .lookback_secs()
            .max(crate::domain::lockout::IP.lookback_secs());
    let r = sqlx::query("DELETE FROM login_failures WHERE at <= $1")
        .bind(oldest_useful)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}
