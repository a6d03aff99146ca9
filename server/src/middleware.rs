//! Middleware on every response: security headers with a per-response CSP nonce, the refusal of
//! cross-site state-changing requests, and the client address as the server sees it.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

use app::routes::Page;
use app::server::ClientIp;

pub struct SecurityConfig {
    /// `scheme://host[:port]` of the public URL.
    pub public_origin: String,
    pub hsts: bool,
    pub trusted_proxies: usize,
    /// FranceConnect's origin, when configured: the login and logout forms lead there.
    pub franceconnect_origin: Option<String>,
}

/// Marks a response (a pièce shown to an agent) that the site's own pages may frame; removed
/// before the response leaves.
pub const FRAMED_PREVIEW: &str = "x-permis-apercu";

/// The policy of a framed preview: a document only, framed by the site's pages alone.
const PREVIEW_POLICY: &str = "default-src 'none'; img-src 'self'; object-src 'self'; \
     style-src 'unsafe-inline'; frame-ancestors 'self'; base-uri 'none'; form-action 'none'";

/// The policy of an SVG file of the site opened as a document: nothing runs, nothing loads.
const SITE_SVG_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'";

/// A file of the site served as it is (WASM, script, style sheet, font, icon): not a page, not
/// an answer of the API.
fn is_site_file(path: &str, status: StatusCode, content_type: &str) -> bool {
    (path.starts_with("/pkg/") || path.starts_with("/dsfr/"))
        && (status.is_success() || status == StatusCode::NOT_MODIFIED)
        && !content_type.starts_with("text/html")
}

/// The request's id (`SetRequestIdLayer`) in the response: what a user can read out to support
/// from an error page or an answer. The site's files go without it (50 bytes on each of the
/// dozens of files a first visit loads); their requests keep it in the log.
pub async fn request_id_in_response(req: Request, next: Next) -> Response {
    let id = req.headers().get("x-request-id").cloned();
    let path = req.uri().path().to_string();
    let mut res = next.run(req).await;
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if let Some(id) = id {
        if !is_site_file(&path, res.status(), content_type) {
            res.headers_mut().insert("x-request-id", id);
        }
    }
    res
}

/// The nonce of the current response's Content-Security-Policy.
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// `form_target`: another origin a form may lead to (through a redirect: FranceConnect).
pub fn content_security_policy(nonce: &str, form_target: Option<&str>) -> String {
    let other = form_target.map(|o| format!(" {o}")).unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'nonce-{nonce}'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
         form-action 'self'{other}"
    )
}

pub async fn security_headers(
    State(config): State<Arc<SecurityConfig>>,
    mut req: Request,
    next: Next,
) -> Response {
    let nonce = URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let is_api = req.uri().path().starts_with("/api/");
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let mut res = next.run(req).await;
    let status = res.status();
    let headers = res.headers_mut();
    let preview = headers.remove(FRAMED_PREVIEW).is_some();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_html = content_type.starts_with("text/html");
    let is_svg = content_type.starts_with("image/svg");
    let site_file = is_site_file(&path, status, content_type);
    let served = status.is_success() || status == StatusCode::NOT_MODIFIED;
    if is_html || is_api {
        // Pages and answers may hold personal data: never stored by the browser or a proxy.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    } else if served && !headers.contains_key(header::CACHE_CONTROL) {
        // The site's own files: kept by the browser — a year when their address changes with
        // their content, else checked again with the date the server sends (`304 Not
        // Modified`, no body). A repeat visit downloads none of them again.
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(static_cache_control(&path, query.as_deref())),
        );
        // The `.br` or `.gz` sent depends on what the browser accepts: caches must know.
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    // A script, style sheet, WASM module or font of the site is never a document: the headers
    // that rule documents (policy, framing, referrer, features) would only weigh on each of the
    // dozens of files a page loads (850 bytes each). An SVG file can be opened as one: a policy
    // under which nothing in it runs or loads is enough (the DSFR's icons are paths).
    if site_file {
        if is_svg {
            headers.insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(SITE_SVG_POLICY),
            );
        }
        // A file kept a year without asking is never asked « modified since? ».
        if headers
            .get(header::CACHE_CONTROL)
            .is_some_and(|v| v.as_bytes().ends_with(b"immutable"))
        {
            headers.remove(header::LAST_MODIFIED);
        }
        return res;
    }
    if preview {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(PREVIEW_POLICY),
        );
    } else if let Ok(csp) = HeaderValue::from_str(&content_security_policy(
        &nonce,
        config.franceconnect_origin.as_deref(),
    )) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static(if preview { "SAMEORIGIN" } else { "DENY" }),
    );
    headers.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    if config.hsts {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=63072000; includeSubDomains"),
        );
    }
    res
}

/// How long the browser keeps a static file without asking. A file whose address carries its
/// version never changes under that address: a year, `immutable` (no check even on reload) —
/// the application's files renamed with their hash by cargo-leptos (`hash-files`:
/// `permis.kP3…Qw.wasm`) and the DSFR's linked with `?v=<hash>` (`scripts/dsfr-subset.js`).
/// Other files of `/pkg/` (a build without hashes) are checked every time; the DSFR's other
/// files, which change with its version only, are kept a day.
pub fn static_cache_control(path: &str, query: Option<&str>) -> &'static str {
    const YEAR: &str = "public, max-age=31536000, immutable";
    let versioned = query.is_some_and(|q| q.split('&').any(|p| p.starts_with("v=")));
    if versioned || (path.starts_with("/pkg/") && has_content_hash(path)) {
        YEAR
    } else if path.starts_with("/dsfr/") || path.starts_with("/favicon") {
        "public, max-age=86400"
    } else {
        "public, no-cache"
    }
}

/// `name.<hash>.ext`: cargo-leptos's hash, 22 characters of URL-safe base64 (MD5). The
/// placeholder of an unhashed build (22 underscores) is not one.
fn has_content_hash(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let mut parts = name.split('.').rev();
    let (Some(_extension), Some(hash)) = (parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == 22
        && hash
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        && !hash.bytes().all(|b| b == b'_')
}

/// Pages reach the screen sooner without the `<link rel="preload">` and `modulepreload` that
/// Leptos puts in their head for the WASM and JS (the main module, the chunks of the page's
/// lazy routes): fetched at high priority, they compete with the style sheets and fonts the
/// first paint waits for (Lighthouse, mobile profile: the largest paint of /connexion 3.9 s →
/// 1.9 s without them). The hydration script fetches the same files right after; until then
/// the forms work as plain HTML forms.
pub async fn without_preloads(req: Request, next: Next) -> Response {
    let res = next.run(req).await;
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !is_page || res.headers().contains_key(header::CONTENT_ENCODING) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    // Pages are tens of kilobytes; the bound only keeps a runaway body from filling memory.
    let Ok(bytes) = axum::body::to_bytes(body, 8 * 1024 * 1024).await else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    let html = match std::str::from_utf8(&bytes) {
        Ok(html) => strip_preloads(html),
        Err(_) => return Response::from_parts(parts, axum::body::Body::from(bytes)),
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(html))
}

/// The page without the `<link>` tags of its head whose `rel` is `preload` or `modulepreload`.
pub fn strip_preloads(html: &str) -> String {
    let head_end = html.find("</head>").unwrap_or(0);
    let (head, rest) = html.split_at(head_end);
    let mut out = String::with_capacity(html.len());
    let mut remaining = head;
    while let Some(start) = remaining.find("<link") {
        let Some(len) = remaining[start..].find('>') else {
            break;
        };
        let tag = &remaining[start..start + len + 1];
        out.push_str(&remaining[..start]);
        if !(tag.contains("rel=\"preload\"") || tag.contains("rel=\"modulepreload\"")) {
            out.push_str(tag);
        }
        remaining = &remaining[start + len + 1..];
    }
    out.push_str(remaining);
    out.push_str(rest);
    out
}

fn is_safe_method(method: &Method) -> bool {
    matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Whether a state-changing request comes from another site (CSRF). Browsers send
/// `Sec-Fetch-Site` (all current ones) and `Origin` (on every POST); clients that send neither
/// are not browsers and carry no ambient cookie risk.
pub fn is_cross_site(config: &SecurityConfig, headers: &axum::http::HeaderMap) -> bool {
    // Sec-Fetch-Site is set by the browser itself and cannot be forged by a page: when present
    // it decides. (A form submitted from our own pages carries `Origin: null`, because of our
    // `Referrer-Policy: no-referrer`, so Origin alone would refuse it.)
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN) {
        None => false,
        Some(origin) => {
            let Ok(origin) = origin.to_str() else {
                return true;
            };
            if origin == config.public_origin {
                return false;
            }
            // Same origin as the address the browser used (a browser sets Host itself), with
            // the scheme the service is served with.
            let scheme = if config.hsts { "https" } else { "http" };
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
            !matches!(host, Some(h) if origin.eq_ignore_ascii_case(&format!("{scheme}://{h}")))
        }
    }
}

/// Logs the refusals of a logged-in user: 403 (the action is for another kind of account) and
/// 404 on the API, the documents and the pages (what was asked is not theirs, or does not
/// exist: the user is told the same, the log says who asked what).
pub async fn log_denials(
    State(ctx): State<app::server::AppContext>,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let ip = req.extensions().get::<ClientIp>().map(|c| c.0);
    let token = app::server::sessions::token_from_headers(&ctx.settings, req.headers());
    let response = next.run(req).await;
    let status = response.status();
    let denied = status == StatusCode::FORBIDDEN || status == StatusCode::NOT_FOUND;
    let watched = path.starts_with("/api/") || Page::parse(&path).is_some();
    if let (true, true, Some(token)) = (denied, watched, token) {
        let user = app::server::sessions::lookup(&ctx.db, &token, ctx.now())
            .await
            .ok()
            .flatten();
        if let Some(user) = user {
            app::server::audit::access_denied(
                Some(user.user_id),
                user.role(),
                method.as_str(),
                &crate::logging::loggable_path(&path),
                status.as_u16(),
                if status == StatusCode::FORBIDDEN {
                    "role"
                } else {
                    "propriete"
                },
                ip,
            );
        }
    }
    response
}

pub async fn refuse_cross_site(
    State(config): State<Arc<SecurityConfig>>,
    req: Request,
    next: Next,
) -> Response {
    if !is_safe_method(req.method()) && is_cross_site(&config, req.headers()) {
        tracing::warn!(path = %req.uri().path(), "requête inter-sites refusée");
        return (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            "Requête refusée : elle provient d'un autre site. Rechargez la page du service et recommencez.",
        )
            .into_response();
    }
    next.run(req).await
}

/// The client's address: the TCP peer, or — behind `trusted_proxies` reverse proxies — the
/// entry those proxies added to `X-Forwarded-For`. Entries a client writes itself are ignored.
pub fn resolve_client_ip(
    peer: IpAddr,
    forwarded_for: Option<&str>,
    trusted_proxies: usize,
) -> IpAddr {
    let peer = peer.to_canonical();
    if trusted_proxies == 0 {
        return peer;
    }
    let hops: Vec<&str> = forwarded_for
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    // The last proxy appended the address it saw; counting from the right, entry n comes from
    // the n-th trusted proxy.
    hops.len()
        .checked_sub(trusted_proxies)
        .and_then(|i| hops.get(i))
        .and_then(|s| s.parse::<IpAddr>().ok())
        .map(|ip| ip.to_canonical())
        .unwrap_or_else(|| {
            tracing::warn!(
                "X-Forwarded-For absent ou trop court derrière {trusted_proxies} proxy(s)"
            );
            peer
        })
}

pub async fn client_ip(
    State(config): State<Arc<SecurityConfig>>,
    mut req: Request,
    next: Next,
) -> Response {
    // `MockConnectInfo` is how tests give a peer address without a TCP connection.
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0)
        .or_else(|| {
            req.extensions()
                .get::<MockConnectInfo<SocketAddr>>()
                .map(|c| c.0)
        });
    if let Some(peer) = peer {
        // Proxies may add their entry on a line of its own: all lines form one list.
        let xff = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .collect::<Vec<_>>()
            .join(",");
        let ip = resolve_client_ip(peer.ip(), Some(&xff), config.trusted_proxies);
        req.extensions_mut().insert(ClientIp(ip));
    }
    next.run(req).await
}

/// Paths that are never pages: no session lookup for them.
fn is_page_path(path: &str) -> bool {
    ![
        "/api/",
        "/pkg/",
        "/dsfr/",
        "/healthz",
        "/favicon",
        "/franceconnect/",
        app::leaked_passwords::PATH,
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// For page requests: resolves the logged-in user once, before rendering (the page reads it
/// synchronously), and answers a redirect for pages reserved to other roles — to the login page
/// for anonymous visitors, to their own home for users of another role (`routes::access`).
pub async fn session_context(
    State(ctx): State<app::server::AppContext>,
    mut req: Request,
    next: Next,
) -> Response {
    use app::api::connexion::ssr::current_user;
    use app::providers::user::ResolvedUser;
    use app::routes::{access, home_of, login_of};
    use app::server::sessions;
    let path = req.uri().path().to_string();
    if !matches!(*req.method(), Method::GET | Method::HEAD) || !is_page_path(&path) {
        return next.run(req).await;
    }
    let session = match sessions::token_from_headers(&ctx.settings, req.headers()) {
        Some(token) => sessions::lookup(&ctx.db, &token, ctx.now())
            .await
            .ok()
            .flatten(),
        None => None,
    };
    let user = session.as_ref().and_then(current_user);
    if let Some((roles, espace)) = access(&path) {
        let target = match user.as_ref().map(|u| u.role) {
            Some(role) if roles.contains(&role) => None,
            Some(role) => {
                app::server::audit::access_denied(
                    session.as_ref().map(|s| s.user_id),
                    Some(role),
                    req.method().as_str(),
                    &crate::logging::loggable_path(&path),
                    StatusCode::FOUND.as_u16(),
                    "role",
                    req.extensions().get::<ClientIp>().map(|c| c.0),
                );
                Some(home_of(role).href())
            }
            None => Some(login_of(espace).href()),
        };
        if let Some(target) = target {
            return (
                StatusCode::FOUND,
                [
                    (header::LOCATION, target.as_str()),
                    (header::CACHE_CONTROL, "no-store"),
                ],
            )
                .into_response();
        }
    }
    if let Some(page) = Page::parse(&path) {
        let query = req.uri().query().unwrap_or("").to_string();
        preload(&ctx, session.as_ref(), &page, &query, &mut req).await;
    }
    req.extensions_mut().insert(ResolvedUser(user));
    req.extensions_mut()
        .insert(app::providers::services::Services {
            franceconnect: ctx.settings.franceconnect,
        });
    next.run(req).await
}

/// One parameter of a query string (empty values count as absent).
fn param(query: &str, key: &str) -> Option<String> {
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, v)| k == key && !v.is_empty())
        .map(|(_, v)| v.into_owned())
}

/// Computes the data of a page that shows some, before rendering (see
/// `app::components::loader`). Every page is named: a page with data and no arm here would
/// render « Chargement… » without JavaScript (`Page::has_data`; the integration test
/// `every_page_with_data_is_rendered_with_it` opens each one).
pub async fn preload(
    ctx: &app::server::AppContext,
    session: Option<&app::server::sessions::SessionUser>,
    page: &Page,
    query: &str,
    req: &mut Request,
) {
    use app::api::{connexion, ecole, pro, usager};
    use app::components::loader::Preloaded;
    use app::domain::account::Role;
    fn put<T: Clone + Send + Sync + 'static>(req: &mut Request, data: T) {
        req.extensions_mut().insert(Preloaded(data));
    }
    let role = session.and_then(|s| s.role());
    // The pages a role may open were checked before (a redirect otherwise).
    match (page, session) {
        (
            Page::Accueil
            | Page::Accessibilite
            | Page::MentionsLegales
            | Page::DonneesPersonnelles
            | Page::GestionCookies
            | Page::PlanDuSite
            | Page::Aide
            | Page::Connexion
            | Page::ConnexionPro
            | Page::IdentifiantOublie
            | Page::MotDePasseOublie
            | Page::MotDePasseOubliePro,
            _,
        ) => {}
        // Pages anyone may open.
        (Page::Activer { token }, _) => put(req, usager::ssr::load_activation(ctx, token).await),
        (Page::Reinitialiser { token }, _) => {
            put(req, connexion::ssr::load_reset(ctx, token).await)
        }
        (_, None) => {}
        (Page::ChangerMotDePasse, Some(s)) => put(req, connexion::ssr::sans_mot_de_passe_of(s)),
        (Page::MonEspace, Some(s)) if role == Some(Role::Usager) => {
            put(req, connexion::ssr::sans_mot_de_passe_of(s));
            let q = param(query, "q");
            put(
                req,
                usager::ssr::load_demarches(ctx, s.user_id, q.as_deref()).await,
            );
            if param(query, "onglet").is_some_and(|o| o != "demarches") {
                put(req, usager::ssr::load_espace(ctx, s.user_id).await);
            }
        }
        (Page::AValider, Some(s)) if role == Some(Role::Usager) => {
            put(req, usager::ssr::load_a_valider(ctx, s.user_id).await)
        }
        (Page::DemandeUsager { id } | Page::Refus { id }, Some(s))
            if role == Some(Role::Usager) =>
        {
            put(req, usager::ssr::load_demande(ctx, s.user_id, *id).await)
        }
        (Page::Pro, Some(s)) if matches!(role, Some(Role::Agent | Role::Admin)) => {
            let q = pro::QueueQuery {
                onglet: param(query, "onglet"),
                q: param(query, "q"),
                dep: param(query, "dep"),
                ecole: param(query, "ecole"),
                tri: param(query, "tri"),
                page: param(query, "page"),
            };
            put(req, pro::ssr::load(ctx, s, &q).await)
        }
        (Page::Instruction { id }, Some(s)) if role == Some(Role::Agent) => {
            put(req, pro::ssr::load_instruction(ctx, s, *id).await)
        }
        (Page::EcoleDemandes, Some(s)) if role == Some(Role::Ecole) => {
            let Some(school_id) = s.school_id else { return };
            let page = param(query, "page").and_then(|p| p.parse::<u32>().ok());
            let data = ecole::ssr::load_list(
                ctx,
                school_id,
                param(query, "q"),
                param(query, "etat"),
                param(query, "tri"),
                page,
            )
            .await;
            put(req, data);
        }
        (Page::Complement { id }, Some(s)) if role == Some(Role::Ecole) => {
            let Some(school_id) = s.school_id else { return };
            put(req, ecole::ssr::load_complement(ctx, school_id, *id).await)
        }
        (Page::Etape { id, .. }, Some(s)) if role == Some(Role::Ecole) => {
            let Some(school_id) = s.school_id else { return };
            put(req, ecole::ssr::load_view(ctx, school_id, *id).await)
        }
        (
            Page::MonEspace
            | Page::AValider
            | Page::DemandeUsager { .. }
            | Page::Refus { .. }
            | Page::Pro
            | Page::Instruction { .. }
            | Page::EcoleDemandes
            | Page::Complement { .. }
            | Page::Etape { .. },
            Some(_),
        ) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SecurityConfig {
        SecurityConfig {
            public_origin: "https://permis.example.fr".into(),
            hsts: true,
            trusted_proxies: 0,
            franceconnect_origin: None,
        }
    }

    fn headers(pairs: &[(&'static str, &'static str)]) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn preloads_leave_the_head_and_nothing_else_does() {
        let page = "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"/a.css\">\
            <link rel=\"modulepreload\" href=\"/pkg/permis.js\" crossorigin=\"n\"><link rel=\"preload\" href=\"/pkg/permis.wasm\" as=\"fetch\" type=\"application/wasm\" crossorigin=\"n\">\
            <script type=\"module\" nonce=\"n\">hydrate()</script><link rel=\"preload\" href=\"/pkg/chunk_1.wasm\" as=\"fetch\"></head>\
            <body><p>Un texte qui dit rel=\"preload\" <link rel=\"preload\" href=\"x\"></p></body></html>";
        assert_eq!(
            strip_preloads(page),
            "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><link rel=\"stylesheet\" href=\"/a.css\">\
            <script type=\"module\" nonce=\"n\">hydrate()</script></head>\
            <body><p>Un texte qui dit rel=\"preload\" <link rel=\"preload\" href=\"x\"></p></body></html>"
        );
        assert_eq!(strip_preloads("pas une page"), "pas une page");
    }

    #[test]
    fn versioned_files_are_kept_a_year_and_the_others_checked() {
        let year = "public, max-age=31536000, immutable";
        for (path, query) in [
            ("/pkg/permis.kP3xQw-9_aZb0cD1eF2gH3.wasm", None),
            ("/pkg/chunk_12.kP3xQw-9_aZb0cD1eF2gH3.wasm", None),
            ("/pkg/__wasm_split.kP3xQw-9_aZb0cD1eF2gH3.js", None),
            ("/dsfr/permis-dsfr.min.css", Some("v=0123abcd")),
            ("/dsfr/fonts/Marianne-Regular.woff2", Some("v=0123abcd")),
        ] {
            assert_eq!(static_cache_control(path, query), year, "{path}");
        }
        for (path, expected) in [
            ("/pkg/permis.wasm", "public, no-cache"),
            (
                "/pkg/__wasm_split.______________________.js",
                "public, no-cache",
            ),
            ("/pkg/permis.css", "public, no-cache"),
            ("/dsfr/dsfr.min.css", "public, max-age=86400"),
        ] {
            assert_eq!(static_cache_control(path, None), expected, "{path}");
        }
        assert_eq!(
            static_cache_control("/pkg/permis.css", Some("x=1")),
            "public, no-cache"
        );
    }

    #[test]
    fn cross_site_requests_are_recognised() {
        let c = config();
        assert!(is_cross_site(
            &c,
            &headers(&[("sec-fetch-site", "cross-site")])
        ));
        assert!(is_cross_site(
            &c,
            &headers(&[("sec-fetch-site", "same-site")])
        ));
        assert!(!is_cross_site(
            &c,
            &headers(&[("sec-fetch-site", "same-origin")])
        ));
        assert!(is_cross_site(
            &c,
            &headers(&[("origin", "https://evil.example")])
        ));
        assert!(is_cross_site(&c, &headers(&[("origin", "null")])));
        assert!(!is_cross_site(
            &c,
            &headers(&[("origin", "https://permis.example.fr")])
        ));
        // Served over https: the browser's own address, with https, is same-origin…
        assert!(!is_cross_site(
            &c,
            &headers(&[
                ("origin", "https://localhost:3000"),
                ("host", "localhost:3000")
            ])
        ));
        // …but the same host over plain http is another origin.
        assert!(is_cross_site(
            &c,
            &headers(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ])
        ));
        assert!(!is_cross_site(&c, &headers(&[])));
    }

    #[test]
    fn forwarded_for_is_only_trusted_from_known_proxies() {
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        // No trusted proxy: a forged header changes nothing.
        assert_eq!(resolve_client_ip(peer, Some("1.2.3.4"), 0), peer);
        // One proxy: the entry it appended (the last one) is the client; earlier ones are forged.
        assert_eq!(
            resolve_client_ip(peer, Some("6.6.6.6, 203.0.113.9"), 1),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(resolve_client_ip(peer, None, 1), peer);
        // An IPv4 client seen through an IPv6 socket is that IPv4 client.
        let mapped: IpAddr = "::ffff:203.0.113.9".parse().unwrap();
        assert_eq!(
            resolve_client_ip(mapped, None, 0),
            "203.0.113.9".parse::<IpAddr>().unwrap()
        );
        assert_eq!(resolve_client_ip(peer, Some("garbage"), 1), peer);
    }
}
