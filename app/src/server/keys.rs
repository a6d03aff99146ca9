//! Keys the server instances share, kept in the database (`server_keys`): created by the first
//! instance that needs one, read by the others (and after a restart).

use base64::Engine as _;

use super::context::FlashKey;
use super::Db;
use crate::error::AppError;

/// The key that seals the flash cookie.
pub async fn flash_key(db: &Db) -> Result<FlashKey, AppError> {
    named(db, "flash").await.map(FlashKey)
}

async fn named(db: &Db, name: &str) -> Result<[u8; 32], AppError> {
    let engine = base64::engine::general_purpose::STANDARD;
    let fresh: [u8; 32] = rand::random();
    // Two instances starting together: one insert wins, both read the same key.
    sqlx::query(
        "INSERT INTO server_keys (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
    )
    .bind(name)
    .bind(engine.encode(fresh))
    .execute(db.pool())
    .await?;
    let (value,): (String,) = sqlx::query_as("SELECT value FROM server_keys WHERE name = $1")
        .bind(name)
        .fetch_one(db.pool())
        .await?;
    engine
        .decode(value)
        .ok()
        .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
        .ok_or_else(|| AppError::internal("server key", name))
}
