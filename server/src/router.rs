//! The axum router: Leptos pages and server functions, `/healthz`, static files, middleware.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_http::compression::Predicate as _;

use app::app::{shell, App};
use app::routes::{Page, ALLER, DEV_MAILBOX};

use crate::middleware::{self, CspNonce, SecurityConfig};
use crate::state::AppState;

/// The lists of leaked passwords the browser's check uses on the pages where a password is
/// chosen (compressed on the way like any text, kept a day).
async fn leaked_password_lists() -> impl IntoResponse {
    static FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    (
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        FILE.get_or_init(app::leaked_passwords::file).as_str(),
    )
}

async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    if state.ctx.db.ping().await {
        (StatusCode::OK, "ok")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "base de données injoignable",
        )
    }
}

#[derive(serde::Deserialize)]
struct Aller {
    id: i64,
    action: Option<String>,
}

/// « Mes démarches en cours »: the action chosen in a row's list, then « OK ». The page it leads
/// to checks that the demande is the candidate's.
async fn aller(axum::extract::Query(a): axum::extract::Query<Aller>) -> impl IntoResponse {
    let anchor = if a.action.as_deref() == Some("valider") {
        "#decision"
    } else {
        ""
    };
    if anchor.is_empty() {
        return axum::response::Redirect::to(&Page::DemandeUsager { id: a.id }.href());
    }
    axum::response::Redirect::to(&Page::DemandeUsager { id: a.id }.href_with(anchor))
}

/// Builds the whole application. `trusted_proxies`: see `Config::trusted_proxies`.
pub fn build_router(state: AppState, trusted_proxies: usize) -> Router {
    let routes = generate_route_list(App);
    let ctx = state.ctx.clone();
    let dev_mailbox = ctx.settings.dev_mailbox;
    let security = Arc::new(SecurityConfig {
        public_origin: ctx.settings.public_origin(),
        hsts: ctx.settings.secure(),
        trusted_proxies,
        franceconnect_origin: state.franceconnect.as_ref().map(|fc| fc.origin()),
    });

    // Each request's server functions and pages see the application context and the CSP
    // nonce the middleware chose for this response.
    let additional_context = move || {
        provide_context(ctx.clone());
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<CspNonce>().cloned())
        {
            provide_context(leptos::nonce::Nonce::from_value(nonce.0));
        }
    };

    let options = state.leptos_options.clone();
    let public_pages = state.public_pages.clone();
    let mut router = Router::new();
    if dev_mailbox {
        router = router.route(DEV_MAILBOX, get(crate::http::mailbox::page));
    }
    router
        .route("/healthz", get(healthz))
        .route(app::leaked_passwords::PATH, get(leaked_password_lists))
        .route(ALLER, get(aller))
        .merge(crate::http::uploads::routes())
        .merge(crate::http::documents::routes())
        .merge(crate::http::ephoto::routes())
        .merge(crate::http::franceconnect::routes())
        .leptos_routes_with_context(&state, routes, additional_context.clone(), move || {
            shell(options.clone())
        })
        // Static files (the site built by cargo-leptos): the `.br` or `.gz` made at build time
        // when the browser takes it (`scripts/precompress.sh`), else compressed below; the
        // rest is a page the router does not know (404).
        .fallback_service(
            tower_http::services::ServeDir::new(&*state.leptos_options.site_root)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(axum::handler::Handler::with_state(
                    leptos_axum::file_and_error_handler_with_context::<AppState, _>(
                        additional_context,
                        shell,
                    ),
                    state.clone(),
                )),
        )
        .layer(axum::middleware::from_fn_with_state(
            state.ctx.clone(),
            middleware::session_context,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.ctx.clone(),
            middleware::log_denials,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security.clone(),
            middleware::refuse_cross_site,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security.clone(),
            middleware::client_ip,
        ))
        // No request may hang: past 30 seconds the client gets an error, with the headers below.
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            std::time::Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn(middleware::without_preloads))
        // Inside the security headers (which draw the response's nonce), outside everything a
        // page of anyone needs (session, denials, rendering, preload stripping).
        .layer(axum::middleware::from_fn_with_state(
            public_pages,
            crate::public_pages::public_page_cache,
        ))
        .layer(axum::middleware::from_fn_with_state(
            security,
            middleware::security_headers,
        ))
        // Pages, answers and static files not compressed at build time, in brotli or gzip as
        // the browser asks (`Vary: Accept-Encoding`); pictures, PDFs and fonts pass as they are.
        .layer(
            tower_http::compression::CompressionLayer::new()
                .br(true)
                .gzip(true)
                .quality(tower_http::CompressionLevel::Precise(5))
                .compress_when(
                    tower_http::compression::DefaultPredicate::new()
                        .and(
                            tower_http::compression::predicate::NotForContentType::const_new(
                                "application/pdf",
                            ),
                        )
                        // Fonts are compressed already (woff2 is brotli inside).
                        .and(
                            tower_http::compression::predicate::NotForContentType::const_new(
                                "font/woff",
                            ),
                        ),
                ),
        )
        // Each request gets an id, in its log lines and in the `x-request-id` response header
        // (what a user can read out to support); one sent by the client is kept only from a
        // trusted proxy.
        .layer(axum::middleware::from_fn(
            middleware::request_id_in_response,
        ))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(|r: &axum::extract::Request| crate::logging::request_span(r)),
        )
        .layer(tower_http::request_id::SetRequestIdLayer::x_request_id(
            tower_http::request_id::MakeRequestUuid,
        ))
        .layer(axum::middleware::map_request(
            move |mut r: axum::extract::Request| async move {
                if trusted_proxies == 0 {
                    r.headers_mut().remove("x-request-id");
                }
                r
            },
        ))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `<Routes>` of `app.rs` and the route table (`app::routes::Page`) name the same pages.
    #[test]
    fn the_router_and_the_route_table_agree() {
        let mut routed: Vec<String> = generate_route_list(App)
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        routed.sort();
        routed.dedup();
        let mut table: Vec<String> = Page::PATTERNS.iter().map(|p| p.to_string()).collect();
        table.sort();
        assert_eq!(routed, table);
    }
}
