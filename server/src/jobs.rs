//! Background jobs run inside the server on a schedule.

use std::time::Duration;

use app::server::{sessions, throttle, AppContext};

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
