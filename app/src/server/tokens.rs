//! One-time links (activation, password reset): 256 random bits, only the SHA-256 stored, single
//! use, limited in time; issuing a new one revokes the user's previous ones of that purpose.

use sqlx::{AnyConnection, FromRow};

use crate::domain::activation::{token_state, TokenState};
use crate::error::AppError;

use super::sessions::{hash_token, new_token};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    Activation,
    Reset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Activation => "activation",
            Purpose::Reset => "reset",
        }
    }
}

/// Issues a token on the caller's connection; returns it in clear (for the link) with its id.
pub async fn issue(
    conn: &mut AnyConnection,
    user_id: i64,
    purpose: Purpose,
    validity_secs: i64,
    now: i64,
) -> Result<(String, i64), AppError> {
    sqlx::query(
        "UPDATE account_tokens SET revoked_at = $1
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL AND revoked_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(&mut *conn)
    .await?;
    let (token, hash) = new_token();
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(hash)
    .bind(now)
    .bind(now + validity_secs)
    .fetch_one(&mut *conn)
    .await?;
    Ok((token, id))
}

/// New links for many users at once, without revoking the others, each expiring at its own
/// instant (a reminder carries a working link but does not move the deadline), in one statement per few hundred: (user, expires at) → the tokens, in order.
pub async fn issue_many_until(
    conn: &mut AnyConnection,
    purpose: Purpose,
    links: &[(i64, i64)],
    now: i64,
) -> Result<Vec<String>, AppError> {
    let mut tokens = Vec::with_capacity(links.len());
    for chunk in links.chunks(500) {
        let rows: Vec<String> = (0..chunk.len())
            .map(|r| format!("(${}, $1, ${}, $2, ${})", 3 * r + 3, 3 * r + 4, 3 * r + 5))
            .collect();
        let sql = format!(
            "INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at)
             VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(&sql).bind(purpose.as_str()).bind(now);
        for &(user_id, expires_at) in chunk {
            let (token, hash) = new_token();
            tokens.push(token);
            q = q.bind(user_id).bind(hash).bind(expires_at);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(tokens)
}

#[derive(Clone, Debug, FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl TokenRow {
    pub fn state(&self, now: i64) -> TokenState {
        token_state(self.expires_at, self.used_at, self.revoked_at, now)
    }
}

/// The token a link carries, if it is one of ours for `purpose`. Tokens that cannot be ours
/// (wrong length, characters) are not looked up.
pub async fn find(
    conn: &mut AnyConnection,
    token: &str,
    purpose: Purpose,
) -> Result<Option<TokenRow>, AppError> {
    if token.len() != 43
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Ok(None);
    }
    find_by_hash(conn, &hash_token(token), purpose).await
}

/// The token whose hash is `token_hash` (a flow that kept only the hash of its link's token).
pub async fn find_by_hash(
    conn: &mut AnyConnection,
    token_hash: &str,
    purpose: Purpose,
) -> Result<Option<TokenRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, user_id, expires_at, used_at, revoked_at FROM account_tokens
         WHERE token_hash = $1 AND purpose = $2",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(conn)
    .await?)
}

/// Marks a valid token used; `false` when it was used (or revoked, or expired) meanwhile, so of
/// two concurrent uses exactly one succeeds.
pub async fn consume(conn: &mut AnyConnection, id: i64, now: i64) -> Result<bool, AppError> {
    let r = sqlx::query(
        "UPDATE account_tokens SET used_at = $1
         WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $1",
    )
    .bind(now)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// The deadline of the account's latest activation link still usable at `now` (`None`: no
/// usable link left).
pub async fn activation_deadline(
    conn: &mut AnyConnection,
    user_id: i64,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let (deadline,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(expires_at) FROM account_tokens
         WHERE user_id = $1 AND purpose = 'activation' AND used_at IS NULL AND revoked_at IS NULL
           AND expires_at > $2",
    )
    .bind(user_id)
    .bind(now)
    .fetch_one(conn)
    .await?;
    Ok(deadline)
}

/// Takes the lock of an account waiting for activation (a no-op write: resend, reminder and
/// deletion of that account then run one after the other); `false` when it is not waiting any
/// more (activated or deleted).
pub async fn lock_pending_account(
    conn: &mut AnyConnection,
    user_id: i64,
) -> Result<bool, AppError> {
    let r = sqlx::query(
        "UPDATE users SET status = status WHERE id = $1 AND status = 'pending_activation'",
    )
    .bind(user_id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}
