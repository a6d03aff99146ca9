//! The pages every anonymous visitor gets alike — the home page, the public-service pages, the
//! login pages (`Page::is_shared`) — rendered once a minute and served from memory.
//!
//! Only a request that can't be anyone's: `GET`, no cookie at all (no session, no remembered
//! identifiant, no flash message), no query string, no `Authorization`. Only a response that is
//! anyone's: `200`, HTML, no `Set-Cookie`. The one thing that differs between two such answers is
//! the Content-Security-Policy nonce (`middleware::security_headers`, the outer layer, draws one
//! per response and puts it in the header): the kept page remembers the nonce it was rendered
//! with, and each answer carries its own nonce in its place. The header and the page thus always
//! agree, and a nonce is never sent twice.
//!
//! Why: a national campaign or a link on a news site sends thousands of visitors a second to
//! these pages, and each was rendered anew (Leptos's view tree, the session middleware, the
//! preload stripping): the home page went from 6 341 to 22 818 requests a second on the bench's
//! 2 cores (0.14 → 0.48 × nginx serving the same bytes). README › « Ce que le profilage a
//! trouvé ».

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use app::routes::Page;

use crate::middleware::CspNonce;

/// How long a rendered page is served before it is rendered again (nothing on these pages
/// changes while the server runs; the bound is a safety net, not a schedule).
const KEEP: Duration = Duration::from_secs(60);

/// The largest page kept (the biggest of them weighs 20 KB).
const MAX_PAGE: usize = 256 * 1024;

#[derive(Default)]
pub struct PublicPages {
    pages: RwLock<HashMap<String, Arc<Rendered>>>,
    /// Answers served from memory, for the tests.
    served: AtomicU64,
}

struct Rendered {
    headers: HeaderMap,
    /// The page as rendered, with `nonce` where each answer puts its own.
    html: String,
    nonce: String,
    at: Instant,
}

impl PublicPages {
    /// How many answers came from memory since the server started.
    pub fn served_from_memory(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    fn fresh(&self, path: &str) -> Option<Arc<Rendered>> {
        let pages = self.pages.read().unwrap_or_else(|e| e.into_inner());
        pages
            .get(path)
            .filter(|page| page.at.elapsed() < KEEP)
            .cloned()
    }

    fn keep(&self, path: String, page: Rendered) {
        let mut pages = self.pages.write().unwrap_or_else(|e| e.into_inner());
        pages.insert(path, Arc::new(page));
    }
}

/// The path of a request any anonymous visitor could have made, for a page that is the same for
/// all of them.
fn shared_path(req: &Request) -> Option<String> {
    let anonymous = req.method() == Method::GET
        && req.uri().query().is_none()
        && !req.headers().contains_key(header::COOKIE)
        && !req.headers().contains_key(header::AUTHORIZATION);
    let path = req.uri().path();
    (anonymous && Page::parse(path).is_some_and(|page| page.is_shared())).then(|| path.to_string())
}

pub async fn public_page_cache(
    State(cache): State<Arc<PublicPages>>,
    req: Request,
    next: Next,
) -> Response {
    let (Some(path), Some(CspNonce(nonce))) = (
        shared_path(&req),
        req.extensions().get::<CspNonce>().cloned(),
    ) else {
        return next.run(req).await;
    };
    if let Some(page) = cache.fresh(&path) {
        cache.served.fetch_add(1, Ordering::Relaxed);
        let mut res = Response::new(Body::from(page.html.replace(&page.nonce, &nonce)));
        *res.headers_mut() = page.headers.clone();
        return res;
    }

    let res = next.run(req).await;
    let anyones = res.status() == StatusCode::OK
        && !res.headers().contains_key(header::SET_COOKIE)
        && !res.headers().contains_key(header::CONTENT_ENCODING)
        && res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
    if !anyones {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PAGE).await else {
        // Longer than any of these pages: not kept, and not sent cut.
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    if let Ok(html) = std::str::from_utf8(&bytes) {
        // A page without the nonce would be the same with any other: kept as well.
        cache.keep(
            path,
            Rendered {
                headers: parts.headers.clone(),
                html: html.to_string(),
                nonce,
                at: Instant::now(),
            },
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}
