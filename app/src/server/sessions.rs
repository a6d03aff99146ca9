//! Server-side sessions: a random token in an HttpOnly cookie, its SHA-256 in the database.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use sha2::{Digest, Sha256};
use sqlx::FromRow;

use crate::domain::account::Role;
use crate::domain::session::{session_state, SessionState, ABSOLUTE_SECS};
use crate::error::AppError;

use super::{AppContext, Db, Settings};

const COOKIE_PLAIN: &str = "permis_session";
/// With https, the `__Host-` prefix makes the browser refuse the cookie unless it is Secure,
/// host-only and for path `/`.
const COOKIE_SECURE: &str = "__Host-permis_session";

pub fn cookie_name(settings: &Settings) -> &'static str {
    if settings.secure() {
        COOKIE_SECURE
    } else {
        COOKIE_PLAIN
    }
}

/// A new random token (256 bits) and the hash stored for it.
pub fn new_token() -> (String, String) {
    let bytes: [u8; 32] = rand::random();
    let token = URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn set_cookie_header(settings: &Settings, token: &str) -> String {
    let secure = if settings.secure() { "; Secure" } else { "" };
    format!(
        "{}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_SECS}{secure}",
        cookie_name(settings)
    )
}

pub fn clear_cookie_header(settings: &Settings) -> String {
    let secure = if settings.secure() { "; Secure" } else { "" };
    format!(
        "{}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}",
        cookie_name(settings)
    )
}

/// The session token in a request's `Cookie` headers, if any.
pub fn token_from_headers(settings: &Settings, headers: &http::HeaderMap) -> Option<String> {
    cookie(headers, cookie_name(settings))
}

/// The value of cookie `name` in a request's `Cookie` headers (at most 64 characters: our
/// cookies hold tokens), if any.
pub fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 64)
}

/// The logged-in user behind a valid session.
#[derive(Debug, Clone, FromRow)]
pub struct SessionUser {
    pub id_hash: String,
    pub user_id: i64,
    pub role: String,
    pub identifiant: String,
    pub prenom: String,
    pub nom: String,
    pub previous_login_at: Option<i64>,
    pub school_id: Option<i64>,
    pub school_name: Option<String>,
    pub school_agrement: Option<String>,
    /// An agent's centre (CERT).
    pub cert_id: Option<i64>,
    pub created_at: i64,
    pub last_seen_at: i64,
    /// 1 when the session was opened through FranceConnect (logging out goes through it).
    pub franceconnect: i64,
    /// 1 when the account is linked to a FranceConnect identity.
    pub franceconnect_relie: i64,
    /// 1 when the account has no password (activated through FranceConnect).
    pub sans_mot_de_passe: i64,
}

impl SessionUser {
    pub fn role(&self) -> Option<Role> {
        Role::parse(&self.role)
    }
}

/// Creates a session for `user_id` and returns the token to put in the cookie.
pub async fn create(db: &Db, user_id: i64, now: i64) -> Result<String, AppError> {
    create_with(db, user_id, now, None).await
}

/// Creates a session; `franceconnect_id_token`: the ID token of a login through FranceConnect
/// (kept for the logout, `id_token_hint`).
pub async fn create_with(
    db: &Db,
    user_id: i64,
    now: i64,
    franceconnect_id_token: Option<&str>,
) -> Result<String, AppError> {
    let (token, hash) = new_token();
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, franceconnect_id_token)
         VALUES ($1, $2, $3, $3, $4)",
    )
    .bind(&hash)
    .bind(user_id)
    .bind(now)
    .bind(franceconnect_id_token)
    .execute(db.pool())
    .await?;
    Ok(token)
}

/// Keeps the FranceConnect ID token of a login made from a password session (linking
/// FranceConnect): logging out then goes through FranceConnect too.
pub async fn attach_franceconnect(db: &Db, hash: &str, id_token: &str) -> Result<(), AppError> {
    sqlx::query("UPDATE sessions SET franceconnect_id_token = $1 WHERE id_hash = $2")
        .bind(id_token)
        .bind(hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Ends the session `hash` and gives back the FranceConnect ID token it was opened with, if
/// any (to log out of FranceConnect too).
pub async fn end(db: &Db, hash: &str) -> Result<Option<String>, AppError> {
    // One statement: the row read is the row deleted (no second logout can read it between).
    let found: Option<(Option<String>,)> =
        sqlx::query_as("DELETE FROM sessions WHERE id_hash = $1 RETURNING franceconnect_id_token")
            .bind(hash)
            .fetch_optional(db.pool())
            .await?;
    Ok(found.and_then(|(t,)| t))
}

/// The user behind `token` at `now`, enforcing idle and absolute expiry; an expired session
/// is deleted.
pub async fn lookup(db: &Db, token: &str, now: i64) -> Result<Option<SessionUser>, AppError> {
    let hash = hash_token(token);
    let found = sqlx::query_as::<_, SessionUser>(
        "SELECT s.id_hash, s.user_id, u.role, u.identifiant, u.prenom, u.nom, u.previous_login_at,
                u.school_id, sc.name AS school_name, sc.agrement AS school_agrement, u.cert_id, s.created_at, s.last_seen_at,
                CAST(CASE WHEN s.franceconnect_id_token IS NULL THEN 0 ELSE 1 END AS BIGINT)
                    AS franceconnect,
                CAST(CASE WHEN EXISTS (SELECT 1 FROM franceconnect_links l WHERE l.user_id = u.id)
                     THEN 1 ELSE 0 END AS BIGINT) AS franceconnect_relie,
                CAST(CASE WHEN u.password_hash IS NULL THEN 1 ELSE 0 END AS BIGINT)
                    AS sans_mot_de_passe
         FROM sessions s
         JOIN users u ON u.id = s.user_id
         LEFT JOIN schools sc ON sc.id = u.school_id
         WHERE s.id_hash = $1 AND u.status = 'active'",
    )
    .bind(&hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(user) = found else {
        return Ok(None);
    };
    match session_state(user.created_at, user.last_seen_at, now) {
        SessionState::Active { touch } => {
            if touch {
                sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                    .bind(now)
                    .bind(&hash)
                    .execute(db.pool())
                    .await?;
            }
            Ok(Some(user))
        }
        SessionState::IdleExpired | SessionState::AbsoluteExpired => {
            delete_by_hash(db, &hash).await?;
            Ok(None)
        }
    }
}

pub async fn delete_by_hash(db: &Db, hash: &str) -> Result<(), AppError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(hash)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// Removes sessions past their idle or absolute limit.
pub async fn purge_expired(db: &Db, now: i64) -> Result<u64, sqlx::Error> {
    let r = sqlx::query("DELETE FROM sessions WHERE last_seen_at <= $1 OR created_at <= $2")
        .bind(now - crate::domain::session::IDLE_SECS)
        .bind(now - ABSOLUTE_SECS)
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}

/// The user of the current request, if logged in.
pub async fn current(ctx: &AppContext) -> Result<Option<SessionUser>, AppError> {
    let parts = super::context::request_parts()?;
    match token_from_headers(&ctx.settings, &parts.headers) {
        Some(token) => lookup(&ctx.db, &token, ctx.now()).await,
        None => Ok(None),
    }
}

/// The user of the current request, who must have one of `roles`.
pub async fn require(ctx: &AppContext, roles: &[Role]) -> Result<SessionUser, AppError> {
    let user = current(ctx).await?.ok_or(AppError::Unauthenticated)?;
    match user.role() {
        Some(role) if roles.contains(&role) => Ok(user),
        _ => Err(AppError::Forbidden),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(url: &str) -> Settings {
        Settings {
            public_url: url.parse().unwrap(),
            dev_mailbox: false,
            pdf_font: crate::server::documents::DEFAULT_FONT.into(),
            complement_days: 30,
            franceconnect: false,
            flash_key: crate::server::FlashKey::random(),
        }
    }

    #[test]
    fn tokens_are_random_and_only_their_hash_is_kept() {
        let (t1, h1) = new_token();
        let (t2, _) = new_token();
        assert_ne!(t1, t2);
        assert_eq!(t1.len(), 43); // 256 bits in base64url
        assert_eq!(h1, hash_token(&t1));
        assert_eq!(h1.len(), 64, "SHA-256 in hex");
    }

    #[test]
    fn cookies_are_http_only_lax_and_secure_over_https() {
        let http = set_cookie_header(&settings("http://127.0.0.1:3000"), "abc");
        assert!(http.starts_with("permis_session=abc;"));
        assert!(http.contains("HttpOnly") && http.contains("SameSite=Lax"));
        assert!(!http.contains("Secure"));
        let https = set_cookie_header(&settings("https://permis.example.fr"), "abc");
        assert!(https.starts_with("__Host-permis_session=abc;"));
        assert!(https.contains("; Secure"));
    }

    #[test]
    fn the_token_is_read_from_any_cookie_header() {
        let s = settings("http://127.0.0.1:3000");
        let mut h = http::HeaderMap::new();
        h.append(
            http::header::COOKIE,
            "a=1; permis_session=tok; b=2".parse().unwrap(),
        );
        assert_eq!(token_from_headers(&s, &h).as_deref(), Some("tok"));
        let mut h = http::HeaderMap::new();
        h.append(http::header::COOKIE, "permis_session=".parse().unwrap());
        assert_eq!(token_from_headers(&s, &h), None);
    }
}
