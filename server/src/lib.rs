//! The `permis` server: configuration, state, router, security middleware and background jobs.

pub mod config;
pub mod dispatch;
pub mod documents_api;
pub mod ephoto_api;
pub mod jobs;
pub mod mailbox_page;
pub mod middleware;
pub mod plain_page;
pub mod router;
pub mod seed;
pub mod uploads;

pub use config::Config;
pub use router::{build_router, AppState};
