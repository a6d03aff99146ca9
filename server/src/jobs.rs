//! Background jobs run inside the server on a schedule (no external cron): the deadline jobs
//! every minute; housekeeping (sessions, login failures, retention) every ten minutes, with the
//! orphan-file sweep once a day. Every run is recorded in `job_runs`; the jobs are idempotent
//! and safe with several instances (see `app::server::jobs`). `permis jobs --at <instant>`
//! runs the deadline, retention and sweep jobs as of a given instant (tests, demos).

use std::time::Duration;

use app::server::jobs::{complements, expiry, paper, reminders, retention};
use app::server::{sessions, throttle, AppContext};

/// Every ten minutes: expired sessions and stale failed-login records are removed, the
/// retention rules applied, and once a day the orphan files swept.
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
    if let Err(e) = app::server::franceconnect::purge(&ctx.db, now).await {
        tracing::error!("purge des connexions FranceConnect : {e}");
    }
    let owner = format!("{}-conservation", std::process::id());
    match run_retention(ctx, &owner).await {
        Ok(r) if r.total() > 0 => tracing::info!(?r, "durées de conservation appliquées"),
        Ok(_) => {}
        Err(e) => tracing::error!("conservation : {e:?}"),
    }
    // The orphan-file sweep lists the whole storage: once a day (whichever instance is first).
    let last: Result<(Option<i64>,), _> = sqlx::query_as(
        "SELECT MAX(started_at) FROM job_runs WHERE job = 'fichiers-orphelins' AND error IS NULL",
    )
    .fetch_one(ctx.db.pool())
    .await;
    let real_now = jiff::Timestamp::now().as_second();
    if matches!(last, Ok((last,)) if last.is_none_or(|t| t <= real_now - 86_400)) {
        match run_orphan_sweep(ctx, &owner).await {
            Ok(n) if n > 0 => tracing::info!(fichiers = n, "fichiers orphelins supprimés"),
            Ok(_) => {}
            Err(e) => tracing::error!("fichiers orphelins : {e:?}"),
        }
    }
}

/// Deletes the stored files no piece refers to (a day after they were written, real clock),
/// recording the run.
pub async fn run_orphan_sweep(
    ctx: &AppContext,
    owner: &str,
) -> Result<usize, app::error::AppError> {
    let real_now = jiff::Timestamp::now().as_second();
    recorded(
        ctx,
        "fichiers-orphelins",
        owner,
        retention::sweep_orphan_files(ctx, real_now),
        |n| *n,
    )
    .await
}

/// What a run of the deadline jobs did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeadlineReport {
    pub reminders: usize,
    pub expired: expiry::Expired,
    pub paper_reminders: usize,
    pub paper_overdue: usize,
    /// Schools reminded of a complement due in 7 days.
    pub complement_reminders: usize,
    /// Demandes « classées sans suite » (complement not sent back in time).
    pub complement_overdue: usize,
    /// How long each job took, in the order they ran.
    pub timings: Vec<(&'static str, std::time::Duration)>,
}

impl DeadlineReport {
    /// How many items the run handled.
    pub fn processed(&self) -> usize {
        self.reminders
            + self.expired.accounts
            + self.paper_reminders
            + self.paper_overdue
            + self.complement_reminders
            + self.complement_overdue
    }
}

async fn deadline_jobs(
    ctx: &AppContext,
    as_of: i64,
) -> Result<DeadlineReport, app::error::AppError> {
    let mut timings = Vec::new();
    let mut timed = |name: &'static str, started: std::time::Instant| {
        timings.push((name, started.elapsed()));
    };
    let t = std::time::Instant::now();
    let reminders = reminders::send_activation_reminders(ctx, as_of).await?;
    timed("rappels d'activation", t);
    let t = std::time::Instant::now();
    let expired = expiry::expire_unactivated(ctx, as_of).await?;
    timed("suppression des comptes non activés", t);
    let t = std::time::Instant::now();
    let paper_reminders = paper::send_paper_reminders(ctx, as_of).await?;
    let paper_overdue = paper::expire_paper_forms(ctx, as_of).await?;
    timed("formulaires papier", t);
    let t = std::time::Instant::now();
    let complement_reminders = complements::send_complement_reminders(ctx, as_of).await?;
    let complement_overdue = complements::close_unanswered(ctx, as_of).await?;
    timed("compléments", t);
    Ok(DeadlineReport {
        reminders,
        expired,
        paper_reminders,
        paper_overdue,
        complement_reminders,
        complement_overdue,
        timings,
    })
}

/// Runs `work` as job `job`, recording the run in `job_runs` (when, who, how much, error).
async fn recorded<T>(
    ctx: &AppContext,
    job: &str,
    owner: &str,
    work: impl std::future::Future<Output = Result<T, app::error::AppError>>,
    processed: impl Fn(&T) -> usize,
) -> Result<T, app::error::AppError> {
    let as_of = ctx.now();
    let started = jiff::Timestamp::now().as_second();
    let (run_id,): (i64,) = sqlx::query_as(
        "INSERT INTO job_runs (job, owner, as_of, started_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(job)
    .bind(owner)
    .bind(as_of)
    .bind(started)
    .fetch_one(ctx.db.pool())
    .await?;
    let result = work.await;
    let (count, error) = match &result {
        Ok(r) => (processed(r) as i64, None),
        Err(e) => (0, Some(format!("{e:?}"))),
    };
    sqlx::query("UPDATE job_runs SET finished_at = $1, processed = $2, error = $3 WHERE id = $4")
        .bind(jiff::Timestamp::now().as_second())
        .bind(count)
        .bind(error)
        .bind(run_id)
        .execute(ctx.db.pool())
        .await?;
    result
}

/// Runs the deadline jobs as of the context's clock, recording the run.
pub async fn run_deadlines(
    ctx: &AppContext,
    owner: &str,
) -> Result<DeadlineReport, app::error::AppError> {
    let report = recorded(
        ctx,
        "echeances",
        owner,
        deadline_jobs(ctx, ctx.now()),
        DeadlineReport::processed,
    )
    .await?;
    if report.processed() > 0 {
        ctx.outbox_wake.notify_one();
    }
    Ok(report)
}

/// Applies the retention rules (`app::server::retention`) as of the context's clock, recording
/// the run.
pub async fn run_retention(
    ctx: &AppContext,
    owner: &str,
) -> Result<retention::Purged, app::error::AppError> {
    recorded(
        ctx,
        "conservation",
        owner,
        retention::purge(ctx, ctx.now()),
        |r| r.total() as usize,
    )
    .await
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
