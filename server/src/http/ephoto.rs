//! The API of approved photo booths and photographers: they post a photo and a signature and
//! receive the 22-character e-photo code the candidate gives to the driving school.
//!
//! `POST /api/ephoto/codes`, `Authorization: Bearer <key>`, multipart fields `photo` (JPEG) and
//! `signature` (JPEG or PNG); answers `201 {"code": "…", "valable_jusqu_au": "AAAA-MM-JJ"}`.

use axum::extract::{DefaultBodyLimit, Multipart, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::json;

use app::domain::date::Date;
use app::domain::deadlines::ephoto_valid_until;
use app::domain::upload::MAX_FILE_BYTES;
use app::server::pieces::{self, FileKind};
use app::server::storage::new_key;
use app::server::{ephoto, throttle, ClientIp};

use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/api/ephoto/codes",
        post(issue).layer(DefaultBodyLimit::max(2 * MAX_FILE_BYTES + 64 * 1024)),
    )
}

fn problem(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "erreur": message }))).into_response()
}

/// Wrong keys from one address: 10 an hour, then the address waits 15 minutes (like logins).
const KEY_POLICY: app::domain::lockout::Policy = app::domain::lockout::ACCOUNT;

async fn issue(
    State(state): State<AppState>,
    client: Option<axum::Extension<ClientIp>>,
    headers: HeaderMap,
    multipart: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let ctx = &state.ctx;
    let now = ctx.now();
    // Every attempt counts against the address until its key is found good: guessing keys
    // from one address stops after a few tries, whoever the keys belong to.
    let address = format!(
        "ephoto:{}",
        client
            .map(|c| throttle::ip_key(c.0 .0))
            .unwrap_or_else(|| "inconnue".into())
    );
    let attempt = match throttle::begin_attempt(&ctx.db, &KEY_POLICY, &address, &[], now).await {
        Ok(Ok(attempt)) => attempt,
        Ok(Err(until)) => {
            let wait = (until - now).max(1);
            let mut response = problem(
                StatusCode::TOO_MANY_REQUESTS,
                &format!(
                    "Trop de clés d'accès erronées depuis votre adresse : réessayez à partir de {}.",
                    app::server::time::format_time(until)
                ),
            );
            if let Ok(v) = header::HeaderValue::from_str(&wait.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return response;
        }
        Err(e) => return problem(e.status(), &e.to_string()),
    };
    let key = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|k| !k.is_empty() && k.len() <= 64);
    let provider = match key {
        Some(k) => match ephoto::provider_for_key(&ctx.db, k).await {
            Ok(Some(p)) => {
                if let Err(e) = throttle::forget(&ctx.db, &attempt).await {
                    return problem(e.status(), &e.to_string());
                }
                p
            }
            Ok(None) => {
                app::server::audit::ephoto_key_refused(client.map(|c| c.0 .0));
                return problem(StatusCode::UNAUTHORIZED, "Clé d'accès inconnue.");
            }
            Err(e) => return problem(e.status(), &e.to_string()),
        },
        None => {
            return problem(
                StatusCode::UNAUTHORIZED,
                "En-tête Authorization: Bearer <clé> attendu.",
            )
        }
    };
    let Ok(mut multipart) = multipart else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Corps multipart/form-data attendu (champs photo et signature).",
        );
    };
    let (mut photo, mut signature) = (None, None);
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                let Ok(bytes) = field.bytes().await else {
                    return problem(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "Fichier trop volumineux (10 Mo au plus).",
                    );
                };
                match name.as_str() {
                    "photo" => photo = Some(bytes.to_vec()),
                    "signature" => signature = Some(bytes.to_vec()),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                return problem(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "Fichier trop volumineux (10 Mo au plus).",
                )
            }
        }
    }
    let (Some(photo), Some(signature)) = (photo, signature) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "Les champs photo et signature sont obligatoires.",
        );
    };
    let checked = async {
        let photo = pieces::process_bounded(photo).await?;
        Ok::<_, app::error::AppError>((photo, pieces::process_bounded(signature).await?))
    }
    .await;
    let (photo, signature) = match checked {
        Ok((Ok(p), Ok(s))) if p.kind == FileKind::Jpeg && s.kind != FileKind::Pdf => (p, s),
        Ok((Ok(_), Ok(_))) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                "La photo doit être un JPEG, la signature un JPEG ou un PNG.",
            )
        }
        Ok((Err(e), _)) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("Photo : {}", e.message()),
            )
        }
        Ok((_, Err(e))) => {
            return problem(
                StatusCode::UNPROCESSABLE_ENTITY,
                &format!("Signature : {}", e.message()),
            )
        }
        Err(_) => return problem(StatusCode::INTERNAL_SERVER_ERROR, "Erreur technique."),
    };
    let photo_key = new_key("ephoto", "jpg");
    let signature_key = new_key("ephoto", signature.kind.extension());
    for (k, bytes) in [(&photo_key, photo.bytes), (&signature_key, signature.bytes)] {
        if let Err(e) = ctx.storage.put(k, bytes).await {
            return problem(e.status(), &e.to_string());
        }
    }
    let now = ctx.now();
    match ephoto::issue_code(&ctx.db, &provider, &photo_key, &signature_key, now).await {
        Ok(code) => {
            let until = Date::from_unix(ephoto_valid_until(now)).iso();
            (
                StatusCode::CREATED,
                Json(json!({ "code": code, "valable_jusqu_au": until })),
            )
                .into_response()
        }
        Err(e) => problem(e.status(), &e.to_string()),
    }
}
