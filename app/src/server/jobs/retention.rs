//! How long ended demandes and technical records are kept (the README's « Conservation »
//! section says what and why). Run with the housekeeping every ten minutes; every step is a
//! guarded statement or a transaction per batch of demandes, so several instances may run it at
//! once.

use crate::domain::demande::Etat;
use crate::error::AppError;
use crate::server::db::id_list;
use crate::server::demandes::erase_to_traces;
use crate::server::jobs::expiry::BATCH;
use crate::server::pieces::remove_all_of;
use crate::server::AppContext;

use crate::domain::deadlines::ephoto_issued_since;
pub use crate::domain::deadlines::retention::*;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Purged {
    pub refused_erased: usize,
    /// Drafts untouched for `DRAFT_KEPT_DAYS`, deleted with their files.
    pub drafts: usize,
    pub files: usize,
    pub traces: u64,
    pub links: u64,
    pub job_runs: u64,
    pub messages: u64,
    /// E-photo codes never used, past their 6 months, with their photo and signature.
    pub ephoto_codes: usize,
}

impl Purged {
    pub fn total(&self) -> u64 {
        self.refused_erased as u64
            + self.drafts as u64
            + self.traces
            + self.links
            + self.job_runs
            + self.messages
            + self.ephoto_codes as u64
    }
}

pub async fn purge(ctx: &AppContext, now: i64) -> Result<Purged, AppError> {
    let mut report = Purged::default();
    let pool = ctx.db.pool();

    // Refused demandes: content and pieces erased after 30 days, the trace stays. By batches,
    // each one transaction; the files go once it is committed.
    let refused: Vec<(i64, Option<String>)> = sqlx::query_as(
        "SELECT id, numero FROM demandes
         WHERE etat = $2 AND data <> '{}' AND decided_at <= $1 ORDER BY id",
    )
    .bind(kept_since(REFUSED_KEPT_DAYS, now))
    .bind(Etat::RefuseeUsager)
    .fetch_all(pool)
    .await?;
    for batch in refused.chunks(BATCH) {
        let mut tx = pool.begin().await?;
        let erased = erase_to_traces(&mut tx, batch, Etat::RefuseeUsager, now).await?;
        let keys = remove_all_of(&mut tx, &erased).await?;
        tx.commit().await?;
        report.refused_erased += erased.len();
        report.files += ctx.storage.delete_all(keys).await;
    }

    // Drafts nobody touched for 90 days (a change in another instance meanwhile keeps it).
    let stale: Vec<(i64,)> =
        sqlx::query_as("SELECT id FROM demandes WHERE etat = $2 AND updated_at <= $1 ORDER BY id")
            .bind(kept_since(DRAFT_KEPT_DAYS, now))
            .bind(Etat::Brouillon)
            .fetch_all(pool)
            .await?;
    let stale: Vec<i64> = stale.into_iter().map(|(id,)| id).collect();
    for batch in stale.chunks(BATCH) {
        let mut tx = pool.begin().await?;
        // The claim: still an untouched draft.
        let claimed: Vec<(i64,)> = sqlx::query_as(&format!(
            "UPDATE demandes SET version = version
             WHERE id IN ({}) AND etat = $1 AND updated_at <= $2 RETURNING id",
            id_list(batch)
        ))
        .bind(Etat::Brouillon)
        .bind(kept_since(DRAFT_KEPT_DAYS, now))
        .fetch_all(&mut *tx)
        .await?;
        let claimed: Vec<i64> = claimed.into_iter().map(|(id,)| id).collect();
        if claimed.is_empty() {
            tx.rollback().await?;
            continue;
        }
        let keys = remove_all_of(&mut tx, &claimed).await?;
        for table in ["demande_events", "demandes"] {
            let column = if table == "demandes" {
                "id"
            } else {
                "demande_id"
            };
            sqlx::query(&format!(
                "DELETE FROM {table} WHERE {column} IN ({})",
                id_list(&claimed)
            ))
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        report.drafts += claimed.len();
        report.files += ctx.storage.delete_all(keys).await;
    }

    // Traces: one year after the content went.
    report.traces = sqlx::query(
        "DELETE FROM demandes WHERE etat IN ($2, $3) AND data = '{}'
         AND updated_at <= $1",
    )
    .bind(kept_since(TRACE_KEPT_DAYS, now))
    .bind(Etat::Supprimee)
    .bind(Etat::RefuseeUsager)
    .execute(pool)
    .await?
    .rows_affected();

    let links_before = kept_since(LINKS_KEPT_DAYS, now);
    report.links = sqlx::query(
        "DELETE FROM account_tokens
         WHERE (used_at IS NOT NULL AND used_at <= $1)
            OR (revoked_at IS NOT NULL AND revoked_at <= $1)
            OR (expires_at <= $1 AND user_id NOT IN
                (SELECT id FROM users WHERE status = 'pending_activation'))",
    )
    .bind(links_before)
    .execute(pool)
    .await?
    .rows_affected();
    report.links += sqlx::query("DELETE FROM expired_links WHERE deleted_at <= $1")
        .bind(links_before)
        .execute(pool)
        .await?
        .rows_affected();

    report.job_runs = sqlx::query("DELETE FROM job_runs WHERE started_at <= $1")
        .bind(kept_since(JOB_RUNS_KEPT_DAYS, now))
        .execute(pool)
        .await?
        .rows_affected();

    // Messages: those of an account go with it (« Mes messages »); the others after a year.
    report.messages = sqlx::query(
        "DELETE FROM outbox WHERE status IN ('sent', 'failed') AND created_at <= $1
         AND (user_id IS NULL OR user_id NOT IN (SELECT id FROM users WHERE role = 'usager'))",
    )
    .bind(kept_since(MESSAGES_KEPT_DAYS, now))
    .execute(pool)
    .await?
    .rows_affected();

    // E-photo codes nobody used before they lapsed: the photo and signature go.
    let lapsed: Vec<(Option<String>, Option<String>)> = sqlx::query_as(
        "DELETE FROM ephoto_codes
         WHERE demande_id IS NULL AND consumed_at IS NULL AND created_at <= $1
         RETURNING photo_key, signature_key",
    )
    .bind(ephoto_issued_since(now))
    .fetch_all(pool)
    .await?;
    report.ephoto_codes = lapsed.len();
    report.files += ctx
        .storage
        .delete_all(lapsed.into_iter().flat_map(|(p, s)| p.into_iter().chain(s)))
        .await;
    Ok(report)
}

/// Files under `demandes/` that no piece refers to, a day after they were written: left by a
/// crash between storing a file and recording it, or between erasing a demande and deleting its
/// files. Personal data must not outlive the demande in a forgotten file.
pub const ORPHAN_FILE_GRACE_SECS: i64 = crate::domain::deadlines::retention::ORPHAN_FILE_GRACE_SECS;

/// Files are aged by the real clock: pass the real time (a jump ahead with `permis jobs --at`
/// must not make a file being uploaded right now look old). Lists the whole `demandes/` tree:
/// run daily (`server::jobs`).
pub async fn sweep_orphan_files(ctx: &AppContext, now: i64) -> Result<usize, AppError> {
    let candidates = ctx
        .storage
        .keys_older_than("demandes", now - ORPHAN_FILE_GRACE_SECS)
        .await?;
    if candidates.is_empty() {
        return Ok(0);
    }
    let referenced: Vec<(String, Option<String>)> =
        sqlx::query_as("SELECT storage_key, thumb_key FROM pieces")
            .fetch_all(ctx.db.pool())
            .await?;
    let referenced: std::collections::HashSet<String> = referenced
        .into_iter()
        .flat_map(|(k, t)| std::iter::once(k).chain(t))
        .collect();
    let mut deleted = 0;
    for key in candidates {
        if !referenced.contains(&key) {
            ctx.storage.delete(&key).await?;
            deleted += 1;
        }
    }
    Ok(deleted)
}
