//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), always off the
//! async runtime.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::AppError;

fn argon2() -> Argon2<'static> {
    // The parameters are constants known to be valid.
    let params = Params::new(19_456, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). Never serialised, never logged.
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(…)")
    }
}

fn hash_blocking(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())?;
    Ok(argon2()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

fn verify_blocking(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        // The parameters stored in the hash are used, so older hashes keep verifying.
        Ok(parsed) => argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash of a random password, verified when the account does not exist so that a wrong
/// identifiant takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        hash_blocking("permis: compte inexistant, mot de passe factice").unwrap_or_default()
    })
}

/// At most this many hashes are computed at once (19 MiB each): a burst of logins queues
/// instead of exhausting memory and blocking threads.
fn hashing_permits() -> &'static tokio::sync::Semaphore {
    static PERMITS: OnceLock<tokio::sync::Semaphore> = OnceLock::new();
    PERMITS.get_or_init(|| {
        let cpus = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cpus * 2)
    })
}

pub async fn hash_password(password: String) -> Result<PasswordHashString, AppError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(|e| AppError::internal("hash permits", e))?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|e| AppError::internal("hash task", e))?
        .map(PasswordHashString)
        .map_err(|e| AppError::internal("argon2 hash", e))
}

/// Verifies `password` against `phc`, or against a dummy hash when there is none (same cost).
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, AppError> {
    let _permit = hashing_permits()
        .acquire()
        .await
        .map_err(|e| AppError::internal("hash permits", e))?;
    tokio::task::spawn_blocking(move || match phc {
        Some(phc) => verify_blocking(&password, &phc),
        None => {
            let _ = verify_blocking(&password, dummy_hash());
            false
        }
    })
    .await
    .map_err(|e| AppError::internal("verify task", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let a = hash_password("cheval bleu du lundi".into()).await.unwrap();
        let b = hash_password("cheval bleu du lundi".into()).await.unwrap();
        assert!(
            a.0.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{}",
            a.0
        );
        assert_ne!(a.0, b.0, "each hash has its own salt");
        assert!(
            verify_password("cheval bleu du lundi".into(), Some(a.0.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("cheval bleu du mardi".into(), Some(a.0))
            .await
            .unwrap());
        assert!(!verify_password("x".into(), None).await.unwrap());
        assert!(!verify_password("x".into(), Some("not a hash".into()))
            .await
            .unwrap());
    }
}
