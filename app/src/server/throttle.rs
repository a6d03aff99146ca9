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
    // IPv6 clients are grouped by /64, the block one subscriber gets.
    match ip {
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

pub async fn record_failure(db: &Db, keys: &[&str], now: i64) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    for key in keys {
        sqlx::query("INSERT INTO login_failures (key, at) VALUES ($1, $2)")
            .bind(*key)
            .bind(now)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
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
