//! Pages the server writes itself, outside the Leptos app (nothing of them in the WASM): the
//! development mailbox and the public verification of a justificatif. DSFR look, one landmark
//! per region, no script.

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// `body` is HTML already escaped by the caller.
pub fn render(status: StatusCode, title: &str, site_suffix: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\" data-fr-scheme=\"light\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} — Permis de conduire</title>\
         <link rel=\"icon\" href=\"/dsfr/favicon/favicon.svg\" type=\"image/svg+xml\">\
         <link rel=\"stylesheet\" href=\"/dsfr/dsfr.min.css\"><link rel=\"stylesheet\" href=\"/pkg/permis.css\"></head>\
         <body><header class=\"fr-header\"><div class=\"fr-container fr-py-2w\">\
         <p class=\"fr-h5 fr-mb-0\"><a href=\"/\">Permis de conduire</a>{site_suffix}</p></div></header>\
         <main id=\"contenu\" class=\"fr-container fr-my-6w\"><h1>{title}</h1>{body}</main></body></html>"
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
