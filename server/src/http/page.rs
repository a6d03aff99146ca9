//! Pages the server writes itself, outside the Leptos app (nothing of them in the WASM): the
//! development mailbox and the public verification of a justificatif. The same DSFR frame as
//! the app's pages (skip links, header with the bloc-marque, footer), one landmark per region,
//! no script.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// Text as HTML (element content and quoted attribute values).
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `body` is HTML already escaped by the caller.
pub fn render(status: StatusCode, title: &str, body: &str) -> Response {
    static FRAME: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();
    let (top, bottom) = FRAME.get_or_init(app::components::layout::static_frame);
    let styles = app::server::assets::get();
    let (dsfr, icons, own) = (&styles.dsfr, &styles.icons, &styles.app);
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\" data-fr-scheme=\"light\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Permis de conduire</title>\
         <link rel=\"icon\" href=\"/dsfr/favicon/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"{dsfr}\"><link rel=\"stylesheet\" href=\"{icons}\">\
         <link rel=\"stylesheet\" href=\"{own}\"></head>\
         <body>{top}<main id=\"contenu\" tabindex=\"-1\" class=\"permis-main\">\
         <div class=\"fr-container fr-my-6w\"><h1>{title}</h1>{body}</div></main>{bottom}</body></html>"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        html,
    )
        .into_response()
}
