//! The e-photo registry: approved providers (photo booths, photographers) and the codes they
//! issue. A provider authenticates with an API key; only its SHA-256 is stored.

use crate::error::AppError;

use super::db::ResultExt;
use super::sessions::hash_token;
use super::Db;

const CODE_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// A new random 22-character code (about 113 bits).
pub fn new_code() -> String {
    use rand::Rng;
    let mut rng = rand::rng();
    (0..22)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// Registers a provider and returns its API key (shown once, never stored in clear).
pub async fn create_provider(db: &Db, name: &str, now: i64) -> Result<String, AppError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AppError::field(
            "name",
            "Le nom du prestataire est obligatoire.",
        ));
    }
    let (key, hash) = super::sessions::new_token();
    sqlx::query("INSERT INTO ephoto_providers (name, key_hash, created_at) VALUES ($1, $2, $3)")
        .bind(name)
        .bind(&hash)
        .bind(now)
        .execute(db.pool())
        .await
        .on_unique("name", "Un prestataire porte déjà ce nom.")?;
    Ok(key)
}

/// The provider's name for an API key, if the key is known.
pub async fn provider_for_key(db: &Db, key: &str) -> Result<Option<String>, AppError> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM ephoto_providers WHERE key_hash = $1")
            .bind(hash_token(key))
            .fetch_optional(db.pool())
            .await?;
    Ok(row.map(|r| r.0))
}

/// Records a new code with the stored photo and signature.
pub async fn issue_code(
    db: &Db,
    provider: &str,
    photo_key: &str,
    signature_key: &str,
    now: i64,
) -> Result<String, AppError> {
    loop {
        let code = new_code();
        let r = sqlx::query(
            "INSERT INTO ephoto_codes (code, provider, photo_key, signature_key, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&code)
        .bind(provider)
        .bind(photo_key)
        .bind(signature_key)
        .bind(now)
        .execute(db.pool())
        .await;
        match r {
            Ok(_) => return Ok(code),
            Err(e) if super::db::is_unique_violation(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn codes_have_the_e_photo_format() {
        let a = super::new_code();
        assert_eq!(
            crate::domain::formats::normalize_ephoto_code(&a),
            Ok(a.clone())
        );
        assert_ne!(a, super::new_code());
    }
}
