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
pub async fn locked_until(db: &Db, policy: &Policy, key: &str, now: i64) -> Result<Option<i64>, AppError> {
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

/// The rows written for one login attempt.
pub struct Attempt(Vec<i64>);

/// Records a failure under each key; returns the rows, so a successful or refused attempt can
/// be forgotten.
pub async fn record_failure(db: &Db, keys: &[&str], now: i64) -> Result<Attempt, AppError> {
    let mut tx = db.pool().begin().await?;
    let mut ids = Vec::with_capacity(keys.len());
    for key in keys {
        let (id,): (i64,) =
            sqlx::query_as("INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id")
                .bind(*key)
                .bind(now)
                .fetch_one(&mut *tx)
                .await?;
        ids.push(id);
    }
    tx.commit().await?;
    Ok(Attempt(ids))
}

pub async fn forget(db: &Db, attempt: &Attempt) -> Result<(), AppError> {
    for id in &attempt.0 {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(*id)
            .execute(db.pool())
            .await?;
    }
    Ok(())
}

/// Like `locked_until`, without the rows of `attempt` (the attempt being decided).
pub async fn locked_until_excluding(
    db: &Db,
    policy: &Policy,
    key: &str,
    now: i64,
    attempt: &Attempt,
) -> Result<Option<i64>, AppError> {
    let since = now - policy.lookback_secs();
    let rows: Vec<(i64, i64)> =
        sqlx::query_as("SELECT id, at FROM login_failures WHERE key = $1 AND at > $2 ORDER BY at")
            .bind(key)
            .bind(since)
            .fetch_all(db.pool())
            .await?;
    let failures: Vec<i64> = rows
        .into_iter()
        .filter(|(id, _)| !attempt.0.contains(id))
        .map(|(_, at)| at)
        .collect();
    Ok(policy.locked_until(&failures, now))
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
