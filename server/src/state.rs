//! The state every handler receives: the Leptos options and the application context.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use app::server::AppContext;

#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub ctx: AppContext,
    /// FranceConnect, when configured (`PERMIS_FRANCECONNECT_*`).
    pub franceconnect: Option<std::sync::Arc<crate::franceconnect::FranceConnect>>,
    /// The pages every anonymous visitor gets alike, kept rendered.
    pub public_pages: std::sync::Arc<crate::public_pages::PublicPages>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl FromRef<AppState> for AppContext {
    fn from_ref(state: &AppState) -> Self {
        state.ctx.clone()
    }
}
