//! Password hashing with argon2id (OWASP parameters: 19 MiB, 2 passes, 1 lane), always off the
//! async runtime, and never at the expense of pages:
//! - at most one hash per core but one runs at a time (the other core keeps serving pages), the
//!   others wait their turn in order (tokio's semaphore is fair);
//! - at most `WAITING_PER_SLOT` wait per slot: past that (a storm of logins), the answer is
//!   « réessayez dans un instant » at once rather than a page that hangs;
//! - each slot hashes in its own 19 MiB buffer, allocated once and reused: the memory of a storm
//!   is that of its slots, and stays the same after it (a fresh buffer per hash let the
//!   allocator keep hundreds of megabytes).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

use crate::error::AppError;

fn params() -> Params {
    // The parameters are constants known to be valid.
    Params::new(19_456, 2, 1, None).unwrap_or_default()
}

/// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$…`). Never serialised, never logged.
pub struct PasswordHashString(pub String);

impl std::fmt::Debug for PasswordHashString {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordHashString(…)")
    }
}

/// What a user reads when the queue of hashes is full.
pub const BUSY: &str =
    "Le service reçoit beaucoup de connexions en ce moment : réessayez dans un instant.";

/// Hashes that may wait for each slot (a hash takes a few tens of milliseconds: the last one
/// waits well under a second).
pub const WAITING_PER_SLOT: usize = 16;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn hash_with(password: &str, memory: &mut [Block]) -> Result<String, Failure> {
    let salt = SaltString::encode_b64(&rand::random::<[u8; 16]>())?;
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt.as_salt().decode_b64(&mut salt_bytes)?;
    let params = params();
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let output = Output::init_with(Params::DEFAULT_OUTPUT_LEN, |out| {
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut *memory)
            .map_err(|_| argon2::password_hash::Error::Crypto)
    })?;
    Ok(PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: (&params).try_into()?,
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string())
}

/// Recomputes the hash with the parameters stored in `phc` (older hashes keep verifying) and
/// compares in constant time.
fn verify_with(password: &str, phc: &str, memory: &mut Vec<Block>) -> bool {
    let mut check = || -> Result<bool, Failure> {
        let parsed = PasswordHash::new(phc)?;
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(&parsed)?;
        let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
            return Ok(false);
        };
        let mut salt_bytes = [0u8; 64];
        let salt_bytes = salt.decode_b64(&mut salt_bytes)?;
        if memory.len() < params.block_count() {
            // A hash made with more memory than today's: a buffer of its own, this once.
            *memory = vec![Block::default(); params.block_count()];
        }
        let argon2 = Argon2::new(algorithm, version, params);
        let computed = Output::init_with(expected.len(), |out| {
            argon2
                .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut **memory)
                .map_err(|_| argon2::password_hash::Error::Crypto)
        })?;
        Ok(computed == expected)
    };
    check().unwrap_or(false)
}

/// The slots, the queue and the buffers.
pub struct Hashing {
    slots: tokio::sync::Semaphore,
    slot_count: usize,
    waiting: AtomicUsize,
    max_waiting: usize,
    buffers: Mutex<Vec<Vec<Block>>>,
}

impl Hashing {
    pub fn new(slots: usize) -> Hashing {
        Hashing {
            slots: tokio::sync::Semaphore::new(slots),
            slot_count: slots,
            waiting: AtomicUsize::new(0),
            max_waiting: slots * WAITING_PER_SLOT,
            buffers: Mutex::new(Vec::new()),
        }
    }

    /// `work` with a slot and its buffer, on a blocking thread; `BUSY` when the queue is full.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, AppError> {
        let permit = {
            // Counted while waiting only; a dropped request (client gone) leaves the queue.
            struct Waiting<'a>(&'a AtomicUsize);
            impl Drop for Waiting<'_> {
                fn drop(&mut self) {
                    self.0.fetch_sub(1, Ordering::SeqCst);
                }
            }
            let before = self.waiting.fetch_add(1, Ordering::SeqCst);
            let _waiting = Waiting(&self.waiting);
            if before >= self.max_waiting {
                return Err(AppError::Busy(BUSY.into()));
            }
            self.slots
                .acquire()
                .await
                .map_err(|e| AppError::internal("hash slots", e))?
        };
        let mut buffer = self
            .buffers
            .lock()
            .ok()
            .and_then(|mut b| b.pop())
            .unwrap_or_else(|| vec![Block::default(); params().block_count()]);
        let (result, buffer) = tokio::task::spawn_blocking(move || {
            let result = work(&mut buffer);
            (result, buffer)
        })
        .await
        .map_err(|e| AppError::internal("hash task", e))?;
        if let Ok(mut buffers) = self.buffers.lock() {
            // Today's size only: a larger one (an old hash) is given back to the system.
            if buffer.len() == params().block_count() {
                buffers.push(buffer);
            }
        }
        drop(permit);
        Ok(result)
    }

    /// Requests waiting for a slot now.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::SeqCst)
    }

    /// How many may wait before « réessayez dans un instant ».
    pub fn max_waiting(&self) -> usize {
        self.max_waiting
    }

    /// Every slot, held until the guard is dropped, as a storm of slow hashes would hold them:
    /// what lets a test fill the queue at a moment it chooses rather than by racing the CPU.
    pub async fn hold_every_slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        self.slots
            .acquire_many(self.slot_count as u32)
            .await
            .map_err(|e| AppError::internal("hash slots", e))
    }

    /// Buffers kept for reuse (at most one per slot).
    pub fn kept_buffers(&self) -> usize {
        self.buffers.lock().map(|b| b.len()).unwrap_or(0)
    }
}

/// The service's hashing: one slot per core but one (at least one).
pub fn hashing() -> &'static Hashing {
    static HASHING: OnceLock<Hashing> = OnceLock::new();
    HASHING.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Hashing::new(cores.saturating_sub(1).max(1))
    })
}

/// A hash of a random password, verified when the account does not exist so that a wrong
/// identifiant takes as long as a wrong password.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let mut memory = vec![Block::default(); params().block_count()];
        hash_with(
            "permis: compte inexistant, mot de passe factice",
            &mut memory,
        )
        .unwrap_or_default()
    })
}

pub async fn hash_password(password: String) -> Result<PasswordHashString, AppError> {
    hashing()
        .run(move |memory| hash_with(&password, memory))
        .await?
        .map(PasswordHashString)
        .map_err(|e| AppError::internal("argon2 hash", e))
}

/// Verifies `password` against `phc`, or against a dummy hash when there is none (same cost).
pub async fn verify_password(password: String, phc: Option<String>) -> Result<bool, AppError> {
    hashing()
        .run(move |memory| match phc {
            Some(phc) => verify_with(&password, &phc, memory),
            None => {
                let _ = verify_with(&password, dummy_hash(), memory);
                false
            }
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hashes made before (by the argon2 crate's own hasher) still verify, and the crate
    /// verifies ours: stored passwords keep working.
    #[test]
    fn hashes_are_those_of_the_argon2_crate() {
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params());
        let salt = SaltString::encode_b64(&[7u8; 16]).unwrap();
        let theirs = argon2
            .hash_password(b"tartine du dimanche", &salt)
            .unwrap()
            .to_string();
        let mut memory = vec![Block::default(); params().block_count()];
        assert!(verify_with("tartine du dimanche", &theirs, &mut memory));
        assert!(!verify_with("tartine du lundi", &theirs, &mut memory));
        let ours = hash_with("tartine du dimanche", &mut memory).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(argon2
            .verify_password(b"tartine du dimanche", &parsed)
            .is_ok());
        // A hash with more memory than today's verifies too (its own buffer, not kept).
        let bigger = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(32_768, 2, 1, None).unwrap(),
        )
        .hash_password(b"tartine du dimanche", &salt)
        .unwrap()
        .to_string();
        assert!(verify_with("tartine du dimanche", &bigger, &mut memory));
    }

    /// A storm of logins waits its turn in a bounded queue: beyond it, « réessayez dans un
    /// instant » at once; the buffers are reused (one per slot), whatever the number of hashes.
    #[tokio::test]
    async fn the_queue_is_bounded_and_the_buffers_reused() {
        let hashing = std::sync::Arc::new(Hashing::new(1));
        // The slot is taken: everything else waits.
        let held = hashing.slots.acquire().await.unwrap();
        let mut waiting = Vec::new();
        for _ in 0..WAITING_PER_SLOT {
            let h = hashing.clone();
            waiting.push(tokio::spawn(async move {
                h.run(|memory| hash_with("tartine du dimanche", memory).is_ok())
                    .await
            }));
        }
        while hashing.waiting.load(Ordering::SeqCst) < WAITING_PER_SLOT {
            tokio::task::yield_now().await;
        }
        match hashing.run(|_| true).await {
            Err(AppError::Busy(message)) => assert_eq!(message, BUSY),
            other => panic!("a full queue answers at once: {other:?}"),
        }
        drop(held);
        for w in waiting {
            assert!(w.await.unwrap().unwrap());
        }
        assert_eq!(hashing.kept_buffers(), 1);
        assert_eq!(hashing.waiting.load(Ordering::SeqCst), 0);
    }

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
