//! The generated PDFs (for the demande's school and candidate) and the public verification page
//! of a justificatif de dépôt (number, date, state: no personal data).

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use app::server::decision::verify;
use app::server::documents::{render, Kind};
use app::server::time::format_date_time;

use super::access::{error_response, readable_demande};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/demandes/{id}/documents/justificatif",
            get(|s, p, h| document(s, p, h, Kind::Justificatif)),
        )
        .route(
            "/api/demandes/{id}/documents/formulaire-photo-signature",
            get(|s, p, h| document(s, p, h, Kind::FormulairePhoto)),
        )
        .route(
            "/api/demandes/{id}/documents/attestation-inscription",
            get(|s, p, h| document(s, p, h, Kind::Attestation)),
        )
        .route(
            "/api/demandes/{id}/documents/decision-rejet",
            get(|s, p, h| document(s, p, h, Kind::Rejet)),
        )
        .route("/v/{code}", get(verification))
}

async fn document(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    headers: HeaderMap,
    kind: Kind,
) -> Response {
    let ctx = &state.ctx;
    let row = match readable_demande(ctx, &headers, id).await {
        Ok(r) => r,
        Err(e) => return error_response(e),
    };
    match render(ctx, &row, kind).await {
        Ok((filename, bytes)) => {
            let mut res = (StatusCode::OK, bytes).into_response();
            let h = res.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
                h.insert(header::CONTENT_DISPOSITION, v);
            }
            res
        }
        Err(e) => error_response(e),
    }
}

async fn verification(State(state): State<AppState>, Path(code): Path<String>) -> Response {
    let found = match verify(&state.ctx.db, &code).await {
        Ok(f) => f,
        Err(e) => return error_response(e),
    };
    let (status, body) = match found {
        Some(v) => (
            StatusCode::OK,
            format!(
                "<div class=\"fr-alert fr-alert--success\"><h2 class=\"fr-alert__title\">Justificatif authentique</h2>\
                 <p>La demande de permis de conduire n° {} a été validée par son titulaire le {}. État : {}.</p>{}</div>\
                 <p class=\"fr-mt-3w\">Cette page ne montre aucune donnée personnelle : comparez le numéro avec celui du document présenté.</p>",
                v.numero,
                format_date_time(v.validated_at),
                v.etat.label(),
                v.inscrite_at
                    .map(|at| format!(
                        "<p>Attestation d'inscription au permis de conduire authentique : inscription enregistrée le {}, valable jusqu'au {}.</p>",
                        app::server::time::format_date(at),
                        app::domain::deadlines::attestation_valid_until(at).french()
                    ))
                    .unwrap_or_default()
            ),
        ),
        None => (
            StatusCode::NOT_FOUND,
            "<div class=\"fr-alert fr-alert--error\"><h2 class=\"fr-alert__title\">Code inconnu</h2>\
             <p>Aucune demande ne correspond à ce code. Vérifiez l'adresse imprimée sur le justificatif, ou scannez à nouveau son QR code.</p></div>"
                .to_string(),
        ),
    };
    super::page::render(status, "Vérification d'un justificatif de dépôt", &body)
}
