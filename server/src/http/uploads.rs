//! Supporting documents over plain HTTP: upload (multipart), delete, download, thumbnail.
//! Forms post here directly, so they work before (and without) the WASM; the browser is sent
//! back to the documents step with the outcome in the address.

use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use futures::StreamExt;

use app::domain::demande::{Etat, Piece};
use app::domain::upload::{clean_filename, UploadProblem, MAX_FILE_BYTES};
use app::error::AppError;
use app::routes::Page;
use app::server::pieces::{self, NewPiece};
use app::server::storage::new_key;

use super::access::{error_response, owned_demande, readable_demande};
use crate::state::AppState;

/// The largest body the upload form may send: one file and the form's few fields.
const MAX_BODY: usize = MAX_FILE_BYTES + 256 * 1024;

/// A body announced as too large is still read (and thrown away) up to this size, so that the
/// browser, which sends the whole body before reading the answer, gets the app's message
/// rather than a reset connection. Beyond it the connection is closed.
const DRAIN_CAP: u64 = 128 * 1024 * 1024;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/api/demandes/{id}/pieces/{kind}",
            post(upload).layer(DefaultBodyLimit::max(MAX_BODY)),
        )
        .route("/api/demandes/{id}/pieces/{piece}/supprimer", post(delete))
        .route("/api/demandes/{id}/pieces/{piece}/fichier", get(download))
        .route("/api/demandes/{id}/pieces/{piece}/vignette", get(thumbnail))
}

/// Whether the page's script sent the file (it wants a short answer, not a redirect).
fn from_script(headers: &HeaderMap) -> bool {
    headers
        .get("x-requested-with")
        .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"XMLHttpRequest"))
}

/// The outcome: for the page's script, `204` or the French message with its status; for the
/// plain form, back to the page it came from (the documents step, or the complement page)
/// with the outcome in the address.
fn outcome(script: bool, page: &Page, kind: &str, problem: Option<UploadProblem>) -> Response {
    if !script {
        return back(page, kind, problem);
    }
    match problem {
        None => StatusCode::NO_CONTENT.into_response(),
        Some(p) => {
            let status = match p {
                UploadProblem::TooBig => StatusCode::PAYLOAD_TOO_LARGE,
                UploadProblem::NotEditable => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            (
                status,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                p.message(),
            )
                .into_response()
        }
    }
}

/// When the demande waits for a complement that asks for `piece`: the request's date (files
/// deposited since are the replacements). `None` otherwise.
async fn complement_open_for(
    ctx: &app::server::AppContext,
    demande: &app::server::demandes::DemandeRow,
    piece: Piece,
) -> Result<Option<i64>, AppError> {
    if demande.etat != Etat::ComplementDemande {
        return Ok(None);
    }
    let complement = app::server::instruction::latest_complement(&ctx.db, demande.id).await?;
    Ok(complement
        .filter(|c| c.recu_at.is_none())
        .filter(|c| {
            c.items
                .iter()
                .any(|v| v.item == app::domain::instruction::Item::Piece(piece))
        })
        .map(|c| c.created_at))
}

/// Reads what is left of a body, up to `cap` bytes, and throws it away.
async fn drain(body: Body, cap: u64) {
    let mut stream = body.into_data_stream();
    let mut read = 0u64;
    while let Some(Ok(chunk)) = stream.next().await {
        read += chunk.len() as u64;
        if read > cap {
            break;
        }
    }
}

fn back(page: &Page, kind: &str, problem: Option<UploadProblem>) -> Response {
    let base = page.href();
    let target = match problem {
        None => format!("{base}?depot={kind}#piece-{kind}"),
        Some(p) => {
            let (pages, max) = match p {
                UploadProblem::TooManyPages { pages, max } => (pages, max),
                _ => (0, 0),
            };
            format!(
                "{base}?erreur={}&piece={kind}&pages={pages}&max={max}#piece-{kind}",
                p.code()
            )
        }
    };
    Redirect::to(&target).into_response()
}

async fn upload(
    State(state): State<AppState>,
    Path((id, kind)): Path<(i64, String)>,
    request: Request,
) -> Response {
    let headers = request.headers().clone();
    let script = from_script(&headers);
    let ctx = &state.ctx;
    let demande = match owned_demande(ctx, &headers, id).await {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    let Some(piece) = Piece::parse(&kind) else {
        return error_response(AppError::NotFound);
    };
    // A draft takes any piece; a demande waiting for a complement only the pieces asked.
    let complement_since = match complement_open_for(ctx, &demande, piece).await {
        Ok(c) => c,
        Err(e) => return error_response(e),
    };
    let page = match complement_since {
        Some(_) => Page::Complement { id },
        None => Page::Etape { id, n: 5 },
    };
    let back = |kind: &str, problem: Option<UploadProblem>| outcome(script, &page, kind, problem);
    if demande.etat != Etat::Brouillon && complement_since.is_none() {
        return back(&kind, Some(UploadProblem::NotEditable));
    }
    // Too large by its own announcement: read it to the end (the browser waits to have sent it
    // all before it reads the answer), then answer with the message.
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > MAX_BODY as u64) {
        drain(request.into_body(), DRAIN_CAP).await;
        return back(&kind, Some(UploadProblem::TooBig));
    }
    let Ok(mut multipart) = Multipart::from_request(request, &state).await else {
        return back(&kind, Some(UploadProblem::Missing));
    };
    // The file field, and whether it replaces the files already there.
    let mut file: Option<(String, Vec<u8>)> = None;
    let mut replace = false;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("fichier") => {
                let raw_name = field.file_name().unwrap_or("document");
                if app::domain::formats::has_bidi_control(raw_name) {
                    return back(&kind, Some(UploadProblem::MisleadingName));
                }
                let name = clean_filename(raw_name);
                match field.bytes().await {
                    Ok(bytes) => file = Some((name, bytes.to_vec())),
                    // The body limit cut the upload short: the file is too big.
                    Err(_) => return back(&kind, Some(UploadProblem::TooBig)),
                }
            }
            Ok(Some(field)) if field.name() == Some("remplacer") => {
                replace = field.text().await.is_ok_and(|v| v == "on");
            }
            Ok(Some(_)) => continue,
            Ok(None) => break,
            Err(_) => return back(&kind, Some(UploadProblem::TooBig)),
        }
    }
    let Some((filename, bytes)) = file else {
        return back(&kind, Some(UploadProblem::Missing));
    };
    let processed = match pieces::process_bounded(bytes).await {
        Ok(Ok(p)) => p,
        Ok(Err(problem)) => return back(&kind, Some(problem)),
        Err(e) => return error_response(e),
    };
    let max = piece.max_pages();
    if processed.pages > max {
        return back(
            &kind,
            Some(UploadProblem::TooManyPages {
                pages: processed.pages,
                max,
            }),
        );
    }
    let prefix = format!("demandes/{id}");
    let key = new_key(&prefix, processed.kind.extension());
    let thumb_key = processed
        .thumbnail
        .as_ref()
        .map(|_| new_key(&prefix, "vignette.jpg"));
    let size = processed.bytes.len() as i64;
    if let Err(e) = ctx.storage.put(&key, processed.bytes).await {
        return error_response(e);
    }
    if let (Some(k), Some(t)) = (&thumb_key, processed.thumbnail) {
        if let Err(e) = ctx.storage.put(k, t).await {
            let _ = ctx.storage.delete(&key).await;
            return error_response(e);
        }
    }
    let recorded = pieces::add_piece(
        &ctx.db,
        &NewPiece {
            demande_id: id,
            replace,
            kind: piece.code(),
            storage_key: &key,
            thumb_key: thumb_key.as_deref(),
            filename: &filename,
            content_type: processed.kind.content_type(),
            size,
            pages: i64::from(processed.pages),
            complement_since,
        },
        i64::from(max),
        ctx.now(),
    )
    .await;
    match recorded {
        Ok(Ok((_, stale))) => {
            for key in stale {
                let _ = ctx.storage.delete(&key).await;
            }
            back(&kind, None)
        }
        Ok(Err(total)) => {
            // Not recorded: the stored copy is removed.
            let _ = ctx.storage.delete(&key).await;
            if let Some(t) = &thumb_key {
                let _ = ctx.storage.delete(t).await;
            }
            back(
                &kind,
                Some(UploadProblem::TooManyPages {
                    pages: total as u32,
                    max,
                }),
            )
        }
        Err(e) => {
            // Not recorded (validated meanwhile, or a database error): no stray copies.
            let _ = ctx.storage.delete(&key).await;
            if let Some(t) = &thumb_key {
                let _ = ctx.storage.delete(t).await;
            }
            match e {
                AppError::Conflict(_) => back(&kind, Some(UploadProblem::NotEditable)),
                e => error_response(e),
            }
        }
    }
}

async fn delete(
    State(state): State<AppState>,
    Path((id, piece_id)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    let ctx = &state.ctx;
    let demande = match owned_demande(ctx, &headers, id).await {
        Ok(d) => d,
        Err(e) => return error_response(e),
    };
    let kind = match pieces::get_piece(&ctx.db, id, piece_id).await {
        Ok(p) => p.kind,
        Err(e) => return error_response(e),
    };
    let since = match Piece::parse(&kind) {
        Some(piece) => match complement_open_for(ctx, &demande, piece).await {
            Ok(s) => s,
            Err(e) => return error_response(e),
        },
        None => None,
    };
    if let Some(since) = since {
        let page = Page::Complement { id };
        return match pieces::delete_complement_piece(&ctx.db, id, piece_id, since, ctx.now()).await
        {
            Err(AppError::Conflict(_)) => back(&page, &kind, Some(UploadProblem::NotEditable)),
            Ok(row) => {
                let _ = ctx.storage.delete(&row.storage_key).await;
                if let Some(t) = &row.thumb_key {
                    let _ = ctx.storage.delete(t).await;
                }
                Redirect::to(&format!("{}?supprime={kind}#piece-{kind}", page.href()))
                    .into_response()
            }
            Err(e) => error_response(e),
        };
    }
    let step = Page::Etape { id, n: 5 };
    if demande.etat != Etat::Brouillon {
        return back(&step, &kind, Some(UploadProblem::NotEditable));
    }
    match pieces::delete_piece(&ctx.db, id, piece_id, ctx.now()).await {
        Err(AppError::Conflict(_)) => back(&step, &kind, Some(UploadProblem::NotEditable)),
        Ok(row) => {
            let _ = ctx.storage.delete(&row.storage_key).await;
            if let Some(t) = &row.thumb_key {
                let _ = ctx.storage.delete(t).await;
            }
            Redirect::to(&format!(
                "{}?supprime={kind}#piece-{kind}",
                Page::Etape { id, n: 5 }.href()
            ))
            .into_response()
        }
        Err(e) => error_response(e),
    }
}

async fn serve_file(
    state: &AppState,
    headers: &HeaderMap,
    id: i64,
    piece_id: i64,
    thumbnail: bool,
    inline: bool,
) -> Response {
    let ctx = &state.ctx;
    if let Err(e) = readable_demande(ctx, headers, id).await {
        return error_response(e);
    }
    // Shown inline to the centre's agents only (their instruction page frames PDFs); anyone
    // else always gets a download.
    let inline = inline
        && super::access::session_user(ctx, headers)
            .await
            .is_ok_and(|u| u.role() == Some(app::domain::account::Role::Agent));
    let row = match pieces::get_piece(&ctx.db, id, piece_id).await {
        Ok(r) => r,
        Err(e) => return error_response(e),
    };
    let (key, content_type) = match (thumbnail, &row.thumb_key) {
        (true, Some(t)) => (t.clone(), "image/jpeg".to_string()),
        (true, None) => return error_response(AppError::NotFound),
        (false, _) => (row.storage_key.clone(), row.content_type.clone()),
    };
    let bytes = match ctx.storage.get(&key).await {
        Ok(b) => b,
        Err(e) => return error_response(e),
    };
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    if inline {
        // The agents' instruction page shows it in a frame of the same origin: no script, no
        // style, nothing but the document itself.
        h.insert(
            header::CONTENT_DISPOSITION,
            HeaderValue::from_static("inline"),
        );
        h.insert(
            crate::middleware::FRAMED_PREVIEW,
            HeaderValue::from_static("1"),
        );
    } else if !thumbnail {
        // Always a download, never rendered by the browser in the site's origin.
        let ascii: String = row
            .filename
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let encoded: String = row
            .filename
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        if let Ok(v) = HeaderValue::from_str(&format!(
            "attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}"
        )) {
            h.insert(header::CONTENT_DISPOSITION, v);
        }
    }
    res
}

async fn download(
    State(state): State<AppState>,
    Path((id, piece)): Path<(i64, i64)>,
    axum::extract::Query(query): axum::extract::Query<std::collections::HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let inline = query.get("vue").is_some_and(|v| v == "1");
    serve_file(&state, &headers, id, piece, false, inline).await
}

async fn thumbnail(
    State(state): State<AppState>,
    Path((id, piece)): Path<(i64, i64)>,
    headers: HeaderMap,
) -> Response {
    serve_file(&state, &headers, id, piece, true, false).await
}
