//! Background jobs run inside the server on a schedule (no external cron): housekeeping every
//! ten minutes, the deadline jobs every minute. Every run is recorded in `job_runs`; the jobs
//! are idempotent and safe with several instances (see `app::server::deadlines`).
//! `permis jobs --at <instant>` runs the deadline jobs as of a given instant (tests, demos).

use std::time::Duration;

use app::server::{deadlines, sessions, throttle, AppContext};

/// Every ten minutes: expired sessions and stale failed-login records are removed.
pub fn spawn_housekeeping(ctx: AppContext) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(600));
        loop {
            tick.tick().await;
            run_housekeeping(&ctx).await;
        }
    })
}

pub async fn run_housekeeping(ctx: &AppContext) {
    let now = ctx.now();
    match sessions::purge_expired(&ctx.db, now).await {
        Ok(n) if n > 0 => tracing::info!(sessions = n, "sessions expirées supprimées"),
        Ok(_) => {}
        Err(e) => tracing::error!("purge des sessions : {e}"),
    }
    if let Err(e) = throttle::purge(&ctx.db, now).await {
        tracing::error!("purge des échecs de connexion : {e}");
    }
}

/// What a run of the deadline jobs did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeadlineReport {
    pub reminders: usize,
    pub expired: deadlines::Expired,
    pub paper_reminders: usize,
    pub paper_overdue: usize,
}

impl DeadlineReport {
    /// How many items the run handled.
    pub fn processed(&self) -> usize {
        self.reminders + self.expired.accounts + self.paper_reminders + self.paper_overdue
    }
}

async fn deadline_jobs(
    ctx: &AppContext,
    as_of: i64,
) -> Result<DeadlineReport, app::error::AppError> {
    Ok(DeadlineReport {
        reminders: deadlines::send_activation_reminders(ctx, as_of).await?,
        expired: deadlines::expire_unactivated(ctx, as_of).await?,
        paper_reminders: deadlines::send_paper_reminders(ctx, as_of).await?,
        paper_overdue: deadlines::expire_paper_forms(ctx, as_of).await?,
    })
}

/// Runs the deadline jobs as of the context's clock, recording the run.
pub async fn run_deadlines(
    ctx: &AppContext,
    owner: &str,
) -> Result<DeadlineReport, app::error::AppError> {
    let as_of = ctx.now();
    let started = jiff::Timestamp::now().as_second();
    let (run_id,): (i64,) = sqlx::query_as(
        "INSERT INTO job_runs (job, owner, as_of, started_at) VALUES ('echeances', $1, $2, $3) RETURNING id",
    )
    .bind(owner)
    .bind(as_of)
    .bind(started)
    .fetch_one(ctx.db.pool())
    .await?;
    let result = deadline_jobs(ctx, as_of).await;
    let (processed, error) = match &result {
        Ok(r) => (r.processed() as i64, None),
        Err(e) => (0, Some(format!("{e:?}"))),
    };
    sqlx::query("UPDATE job_runs SET finished_at = $1, processed = $2, error = $3 WHERE id = $4")
        .bind(jiff::Timestamp::now().as_second())
        .bind(processed)
        .bind(error)
        .bind(run_id)
        .execute(ctx.db.pool())
        .await?;
    if processed > 0 {
        ctx.outbox_wake.notify_one();
    }
    result
}

/// Every minute: the deadline jobs.
pub fn spawn_deadlines(ctx: AppContext) -> tokio::task::JoinHandle<()> {
    let owner = format!("{}-echeances", std::process::id());
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(60));
        loop {
            tick.tick().await;
            match run_deadlines(&ctx, &owner).await {
                Ok(r) if r.expired.accounts > 0 => tracing::info!(
                    comptes = r.expired.accounts,
                    demandes = r.expired.demandes,
                    fichiers = r.expired.files,
                    "comptes non activés supprimés"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!("échéances : {e:?}"),
            }
        }
    })
}
