//! Who asks, for the plain HTTP endpoints: the session behind the cookie, and the demandes it
//! may read (its school, its candidate) or change (its school).

use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use app::domain::account::Role;
use app::error::AppError;
use app::server::demandes::{self as store, DemandeRow};
use app::server::{sessions, AppContext};

/// An error as a plain-text answer with its status.
pub fn error_response(e: AppError) -> Response {
    (
        e.status(),
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        e.to_string(),
    )
        .into_response()
}

/// The logged-in user of the request.
pub async fn session_user(
    ctx: &AppContext,
    headers: &HeaderMap,
) -> Result<sessions::SessionUser, AppError> {
    let token =
        sessions::token_from_headers(&ctx.settings, headers).ok_or(AppError::Unauthenticated)?;
    sessions::lookup(&ctx.db, &token, ctx.now())
        .await?
        .ok_or(AppError::Unauthenticated)
}

/// The demande, if the request comes from a user of the school that owns it.
pub async fn owned_demande(
    ctx: &AppContext,
    headers: &HeaderMap,
    id: i64,
) -> Result<DemandeRow, AppError> {
    let user = session_user(ctx, headers).await?;
    if user.role() != Some(Role::Ecole) {
        return Err(AppError::Forbidden);
    }
    let school_id = user.school_id.ok_or(AppError::Forbidden)?;
    store::get(&ctx.db, school_id, id).await
}

/// The demande, if the request comes from its school, from the candidate it was handed to
/// (who may open its documents, not change them), or from an agent of the centre it was
/// routed to.
pub async fn readable_demande(
    ctx: &AppContext,
    headers: &HeaderMap,
    id: i64,
) -> Result<DemandeRow, AppError> {
    let user = session_user(ctx, headers).await?;
    match (user.role(), user.school_id) {
        (Some(Role::Ecole), Some(school_id)) => store::get(&ctx.db, school_id, id).await,
        (Some(Role::Usager), _) => {
            app::server::decision::get_for_usager(&ctx.db, user.user_id, id).await
        }
        // An agent reads the demandes of their centre only.
        (Some(Role::Agent), _) => match user.cert_id {
            Some(cert_id) => app::server::instruction::get(&ctx.db, cert_id, id).await,
            None => Err(AppError::NotFound),
        },
        _ => Err(AppError::Forbidden),
    }
}
