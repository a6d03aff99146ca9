//! The `permis` server: configuration, state, router, security middleware, the thin HTTP API
//! (`http`), the FranceConnect client (`franceconnect`), the listener (connection limits), the outbox dispatcher and the background jobs.

// The login page's view type (a plain form since it left `<ActionForm>`) is deep: its layout
// is computed here, where the app's views are rendered.
#![recursion_limit = "256"]

pub mod config;
pub mod dispatch;
pub mod franceconnect;
pub mod http;
pub mod jobs;
pub mod listener;
pub mod logging;
pub mod middleware;
pub mod public_pages;
pub mod router;
pub mod seed;
pub mod state;

pub use config::Config;
pub use router::build_router;
pub use state::AppState;
