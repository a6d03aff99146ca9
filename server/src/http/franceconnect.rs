//! FranceConnect's addresses (plain HTTP: the browser goes to the provider and comes back).
//!
//! - `POST /franceconnect/connexion`, `…/activation` (field `token`), `…/lier` (logged-in
//!   candidate): a login under way is recorded (`state`, `nonce`, a random value in a cookie
//!   of this browser) and the browser is sent to the provider.
//! - `GET /franceconnect/retour`: the provider's answer. The login is taken once, for the
//!   browser that started it, within ten minutes; the code is exchanged, the tokens checked;
//!   then the account is logged in, activated or linked. Every refusal is a page in French with
//!   a way back, opens no session, and writes a log line with its reason.
//! - `POST /franceconnect/deconnexion`: ends the session, then logs out of FranceConnect
//!   (`end_session_endpoint`, `id_token_hint`) when the session was opened through it.

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;

use app::domain::account::Role;
use app::domain::activation::{activation_refusal, LinkState};
use app::routes::{
    home_of, Page, FC_ACTIVATION, FC_CONNEXION, FC_DECONNEXION, FC_DECONNEXION_RETOUR, FC_DELIER,
    FC_LIER, FC_RETOUR,
};
use app::server::franceconnect::{
    self as store, ActivationRefusal, But, Flow, LinkRefusal, Linked,
};
use app::server::{audit, sessions, users, AppContext, ClientIp};

use super::page::{escape, render};
use crate::franceconnect::{FcError, Login};
use crate::state::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(FC_CONNEXION, post(start_login))
        .route(FC_ACTIVATION, post(start_activation))
        .route(FC_LIER, post(start_link))
        .route(FC_DELIER, post(unlink))
        .route(FC_RETOUR, get(back))
        .route(FC_DECONNEXION, post(logout))
        .route(FC_DECONNEXION_RETOUR, get(logged_out))
}

/// The cookie that binds a login under way to the browser that started it, and its path:
/// over https, `__Host-` (the browser keeps it for this very host, Secure, whole site: no
/// subdomain can plant one); over plain http (development), confined to `/franceconnect`.
fn flow_cookie_name(secure: bool) -> (&'static str, &'static str) {
    if secure {
        ("__Host-permis_fc", "/")
    } else {
        ("permis_fc", "/franceconnect")
    }
}

fn flow_cookie(ctx: &AppContext, value: &str, max_age: i64) -> String {
    flow_cookie_for(ctx.settings.secure(), value, max_age)
}

fn flow_cookie_for(secure: bool, value: &str, max_age: i64) -> String {
    let (name, path) = flow_cookie_name(secure);
    let secure = if secure { "; Secure" } else { "" };
    // Lax: sent with the provider's redirect back (a top-level GET), not with other sites'
    // requests.
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

fn see_other(location: &str, cookies: &[String]) -> Response {
    let mut res = (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response();
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

/// A way back from an error page, and what became of the session.
struct Back {
    href: String,
    label: &'static str,
    session: &'static str,
}

fn back_to_login() -> Back {
    Back {
        href: Page::Connexion.href(),
        label: "Revenir à la page de connexion",
        session: "Aucune session n'a été ouverte.",
    }
}

fn back_for(but: Option<But>) -> Back {
    match but {
        // Linking starts from a session, which a refusal leaves as it was.
        Some(But::Lier) => Back {
            href: Page::MonEspace.href(),
            label: "Revenir à Mon espace",
            session: "Vous êtes toujours connecté ; votre compte n'a pas été modifié.",
        },
        _ => back_to_login(),
    }
}

/// A refusal: a page in French with a way back, and a log line with the reason.
fn refused(
    status: StatusCode,
    title: &str,
    message: &str,
    back: Back,
    reason: &str,
    ip: Option<std::net::IpAddr>,
) -> Response {
    audit::franceconnect_refused(ip, reason);
    let body = format!(
        "<div class=\"fr-alert fr-alert--error fr-mb-3w\" role=\"alert\"><p>{}</p></div>\
         <p>{}</p>\
         <ul class=\"fr-btns-group fr-btns-group--inline-md\"><li>\
         <a class=\"fr-btn\" href=\"{}\">{}</a></li></ul>",
        escape(message),
        back.session,
        escape(&back.href),
        back.label,
    );
    let mut res = render(status, title, &body);
    // The login under way is over either way (whichever of the two names it had).
    for secure in [false, true] {
        if let Ok(v) = HeaderValue::from_str(&flow_cookie_for(secure, "", 0)) {
            res.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    res
}

const UNAVAILABLE: &str = "La connexion avec FranceConnect n'est pas proposée par ce service pour le moment. Connectez-vous avec votre identifiant et votre mot de passe.";
const PROVIDER_DOWN: &str = "FranceConnect ne répond pas pour le moment. Réessayez dans quelques minutes, ou connectez-vous avec votre identifiant et votre mot de passe.";

fn unavailable(ip: Option<std::net::IpAddr>) -> Response {
    refused(
        StatusCode::NOT_FOUND,
        "FranceConnect indisponible",
        UNAVAILABLE,
        back_to_login(),
        "non_configure",
        ip,
    )
}

fn ip_of(ip: &Option<axum::Extension<ClientIp>>) -> Option<std::net::IpAddr> {
    ip.as_ref().map(|e| e.0 .0)
}

/// Logins started from one address within `STARTS_WINDOW`: past `MAX_STARTS`, « réessayez
/// plus tard » (each start writes a row; a school's or a school's network shares an address,
/// hence a generous bound). Counted in this process.
const MAX_STARTS: u32 = 120;
const STARTS_WINDOW: std::time::Duration = std::time::Duration::from_secs(600);

/// The logins started per address in the current window.
#[derive(Default)]
struct Starts(std::collections::HashMap<std::net::IpAddr, (std::time::Instant, u32)>);

impl Starts {
    /// Counts a start from `ip` at `now`; `false` when the address is over its bound.
    fn allow(&mut self, ip: std::net::IpAddr, now: std::time::Instant) -> bool {
        if self.0.len() > 10_000 {
            self.0
                .retain(|_, (since, _)| now.duration_since(*since) < STARTS_WINDOW);
        }
        let (since, count) = self.0.entry(ip).or_insert((now, 0));
        if now.duration_since(*since) >= STARTS_WINDOW {
            (*since, *count) = (now, 0);
        }
        *count += 1;
        *count <= MAX_STARTS
    }
}

fn starts() -> &'static std::sync::Mutex<Starts> {
    static STARTS: std::sync::OnceLock<std::sync::Mutex<Starts>> = std::sync::OnceLock::new();
    STARTS.get_or_init(Default::default)
}

/// Records the login under way and sends the browser to the provider.
async fn start(
    state: &AppState,
    but: But,
    activation_token: Option<&str>,
    user_id: Option<i64>,
    ip: Option<std::net::IpAddr>,
) -> Response {
    let Some(fc) = state.franceconnect.as_deref() else {
        return unavailable(ip);
    };
    if let Some(ip) = ip {
        let allowed = starts()
            .lock()
            .map(|mut s| s.allow(ip, std::time::Instant::now()))
            .unwrap_or(true);
        if !allowed {
            return refused(
                StatusCode::TOO_MANY_REQUESTS,
                "Trop de connexions commencées",
                "Trop de connexions avec FranceConnect ont été commencées depuis votre adresse. Réessayez dans quelques minutes, ou connectez-vous avec votre identifiant et votre mot de passe.",
                back_for(Some(but)),
                "trop_de_connexions_commencees",
                Some(ip),
            );
        }
    }
    let ctx = &state.ctx;
    let started = match store::begin(&ctx.db, but, activation_token, user_id, ctx.now()).await {
        Ok(s) => s,
        Err(e) => return super::access::error_response(e),
    };
    match fc.authorize_url(&started.state, &started.nonce).await {
        Ok(url) => see_other(
            url.as_str(),
            &[flow_cookie(ctx, &started.browser, store::FLOW_SECS)],
        ),
        Err(e) => refused(
            StatusCode::BAD_GATEWAY,
            "FranceConnect ne répond pas",
            PROVIDER_DOWN,
            back_for(Some(but)),
            &e.log_reason(),
            ip,
        ),
    }
}

async fn start_login(
    State(state): State<AppState>,
    ip: Option<axum::Extension<ClientIp>>,
) -> Response {
    start(&state, But::Connexion, None, None, ip_of(&ip)).await
}

#[derive(Deserialize)]
struct ActivationStart {
    #[serde(default)]
    token: String,
}

/// The activation link can't activate (used, expired, replaced, deleted account…).
fn link_unusable(link: LinkState, ip: Option<std::net::IpAddr>) -> Response {
    refused(
        StatusCode::CONFLICT,
        "Activation impossible",
        activation_refusal(link),
        back_to_login(),
        link.code(),
        ip,
    )
}

async fn start_activation(
    State(state): State<AppState>,
    ip: Option<axum::Extension<ClientIp>>,
    Form(form): Form<ActivationStart>,
) -> Response {
    let ip = ip_of(&ip);
    let ctx = &state.ctx;
    // A link that cannot activate any more says so now, not after FranceConnect.
    match app::server::activation::activation_link(&ctx.db, &form.token, ctx.now()).await {
        Ok((LinkState::Valid, Some(_))) => {}
        Ok((link, _)) => return link_unusable(link, ip),
        Err(e) => return super::access::error_response(e),
    }
    start(&state, But::Activation, Some(&form.token), None, ip).await
}

async fn start_link(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
) -> Response {
    let user = match super::access::session_user(&state.ctx, &headers).await {
        Ok(u) if u.role() == Some(Role::Usager) => u,
        Ok(_) => return super::access::error_response(app::error::AppError::Forbidden),
        Err(_) => return see_other(&Page::Connexion.href(), &[]),
    };
    start(&state, But::Lier, None, Some(user.user_id), ip_of(&ip)).await
}

/// « Délier FranceConnect » from Mon espace (an account with a password only); back to Mon
/// espace, which says what happened. Works without FranceConnect being offered (an account
/// linked before it was withdrawn).
async fn unlink(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
) -> Response {
    let ctx = &state.ctx;
    let user = match super::access::session_user(ctx, &headers).await {
        Ok(u) if u.role() == Some(Role::Usager) => u,
        Ok(_) => return super::access::error_response(app::error::AppError::Forbidden),
        Err(_) => return see_other(&Page::Connexion.href(), &[]),
    };
    match store::unlink(&ctx.db, user.user_id).await {
        Ok(true) => {
            audit::franceconnect_unlinked(ip_of(&ip), user.user_id);
            see_other(&Page::MonEspace.href_with("franceconnect=delie"), &[])
        }
        Ok(false) => see_other(
            &Page::MonEspace.href_with("franceconnect=sans-mot-de-passe"),
            &[],
        ),
        Err(e) => super::access::error_response(e),
    }
}

#[derive(Deserialize, Default)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// The provider's answer.
async fn back(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
    Query(answer): Query<Answer>,
) -> Response {
    let ip = ip_of(&ip);
    let Some(fc) = state.franceconnect.as_deref() else {
        return unavailable(ip);
    };
    let ctx = &state.ctx;
    let browser = sessions::cookie(&headers, flow_cookie_name(ctx.settings.secure()).0);
    // The login is taken (used up) whatever the answer: an answer can't be played twice.
    let flow = match answer.state.as_deref() {
        Some(s) => store::take(&ctx.db, s, browser.as_deref(), ctx.now()).await,
        None => Ok(Err(store::FlowRefusal::Unknown)),
    };
    let flow = match flow {
        Ok(f) => f,
        Err(e) => return super::access::error_response(e),
    };
    if let Some(error) = answer.error.as_deref() {
        let but = flow.as_ref().ok().map(|f| f.but);
        // What the provider wrote is shown to no one and logged shortened, on one line.
        let printable = |s: &str, max: usize| -> String {
            s.chars().filter(|c| !c.is_control()).take(max).collect()
        };
        let reason = format!(
            "erreur_fournisseur: {} ({})",
            printable(error, 64),
            printable(answer.error_description.as_deref().unwrap_or(""), 200)
        );
        let (title, message) = if error == "access_denied" {
            (
                "Connexion avec FranceConnect annulée",
                "Vous êtes revenu sans vous identifier auprès de FranceConnect. Vous pouvez recommencer, ou vous connecter avec votre identifiant et votre mot de passe.",
            )
        } else {
            (
                "FranceConnect a refusé la connexion",
                "FranceConnect n'a pas pu vous identifier. Réessayez dans quelques minutes, ou connectez-vous avec votre identifiant et votre mot de passe.",
            )
        };
        return refused(StatusCode::OK, title, message, back_for(but), &reason, ip);
    }
    let flow = match flow {
        Ok(f) => f,
        Err(refusal) => {
            return refused(
                StatusCode::BAD_REQUEST,
                "Connexion avec FranceConnect expirée",
                "Cette connexion avec FranceConnect n'est plus valable : elle a déjà servi, elle a expiré (10 minutes) ou elle a été commencée dans un autre navigateur. Recommencez depuis la page de connexion.",
                back_to_login(),
                refusal.code(),
                ip,
            )
        }
    };
    let Some(code) = answer.code.as_deref().filter(|c| !c.is_empty()) else {
        return refused(
            StatusCode::BAD_REQUEST,
            "Réponse de FranceConnect incomplète",
            "La réponse de FranceConnect est incomplète. Recommencez la connexion.",
            back_for(Some(flow.but)),
            "code_absent",
            ip,
        );
    };
    let login = match fc.finish(code, &flow.nonce).await {
        Ok(l) => l,
        Err(e) => {
            let (status, title, message) = match &e {
                FcError::Unreachable(_) => (
                    StatusCode::BAD_GATEWAY,
                    "FranceConnect ne répond pas",
                    PROVIDER_DOWN,
                ),
                FcError::Provider { .. } | FcError::Invalid(_) => (
                    StatusCode::BAD_REQUEST,
                    "Réponse de FranceConnect refusée",
                    "La réponse de FranceConnect n'a pas pu être vérifiée. Par sécurité, aucune session n'a été ouverte. Recommencez la connexion ; si cela se reproduit, connectez-vous avec votre identifiant et votre mot de passe.",
                ),
            };
            return refused(
                status,
                title,
                message,
                back_for(Some(flow.but)),
                &e.log_reason(),
                ip,
            );
        }
    };
    if let Err(missing) = login.who.pivot.complete() {
        return refused(
            StatusCode::OK,
            "Identité incomplète",
            &format!(
                "Votre identité FranceConnect ne contient pas {} : elle ne permet pas de vous identifier pour une demande de permis de conduire. Connectez-vous avec votre identifiant et votre mot de passe, ou vérifiez votre identité auprès du compte que vous avez choisi dans FranceConnect.",
                missing.libelle()
            ),
            back_for(Some(flow.but)),
            &format!("claim_manquante: {}", missing.claim()),
            ip,
        );
    }
    let checked = Checked {
        state: &state,
        headers: &headers,
        ip,
        login,
    };
    match flow.but {
        But::Connexion => log_in(checked).await,
        But::Activation => activate(checked, &flow).await,
        But::Lier => link(checked, &flow).await,
    }
}

/// Opens a session for `user_id` (the one the browser came with, if any, ends) and sends the
/// browser to `to`.
async fn open_session(
    ctx: &AppContext,
    headers: &HeaderMap,
    user_id: i64,
    id_token: &str,
    to: &str,
) -> Response {
    let now = ctx.now();
    let opened = async {
        if let Some(old) = sessions::token_from_headers(&ctx.settings, headers) {
            sessions::delete_by_hash(&ctx.db, &sessions::hash_token(&old)).await?;
        }
        let token = sessions::create_with(&ctx.db, user_id, now, Some(id_token)).await?;
        users::record_login(&ctx.db, user_id, now).await?;
        store::record_login(&ctx.db, user_id, now).await?;
        Ok::<_, app::error::AppError>(token)
    }
    .await;
    match opened {
        Ok(token) => see_other(
            to,
            &[
                sessions::set_cookie_header(&ctx.settings, &token),
                flow_cookie(ctx, "", 0),
            ],
        ),
        Err(e) => super::access::error_response(e),
    }
}

/// The provider's answer, checked: the browser's request and the login it brings.
struct Checked<'a> {
    state: &'a AppState,
    headers: &'a HeaderMap,
    ip: Option<std::net::IpAddr>,
    login: Login,
}

async fn log_in(c: Checked<'_>) -> Response {
    let (ctx, headers, ip, login) = (&c.state.ctx, c.headers, c.ip, c.login);
    match store::linked_account(&ctx.db, &login.who).await {
        Ok(Some(Linked::Account(user_id))) => {
            audit::login_succeeded(ip, user_id, Some(Role::Usager));
            open_session(
                ctx,
                headers,
                user_id,
                &login.id_token,
                &home_of(Role::Usager).href(),
            )
            .await
        }
        Ok(Some(Linked::Changed(user_id))) => refused(
                StatusCode::OK,
                "Votre identité FranceConnect a changé",
                "L'identité que FranceConnect certifie aujourd'hui n'est plus celle que vous aviez reliée à votre compte (un nom ou un prénom corrigé à l'état civil, par exemple). Par sécurité, elle n'ouvre pas votre compte : connectez-vous avec votre identifiant et votre mot de passe, puis reliez à nouveau FranceConnect depuis Mon espace. Si votre compte n'a pas de mot de passe, écrivez à l'assistance (page « Aide et contact »).",
                back_to_login(),
                &format!("identite_modifiee (compte {user_id})"),
                ip,
            ),
        Ok(None) => refused(
            StatusCode::OK,
            "Aucun compte relié à cette identité",
            "Aucun compte de ce service n'est relié à cette identité FranceConnect. Si vous avez reçu un lien d'activation par courriel, ouvrez-le et choisissez « Activer avec FranceConnect ». Si votre compte est déjà activé, connectez-vous avec votre identifiant et votre mot de passe, puis reliez FranceConnect depuis Mon espace.",
            back_to_login(),
            "aucun_compte_relie",
            ip,
        ),
        Err(e) => super::access::error_response(e),
    }
}

fn link_refusal_message(r: LinkRefusal) -> &'static str {
    match r {
        LinkRefusal::OtherAccount => "Cette identité FranceConnect est déjà reliée à un autre compte de ce service. Connectez-vous à ce compte avec « S'identifier avec FranceConnect ».",
        LinkRefusal::OtherIdentity => "Votre compte est déjà relié à une autre identité FranceConnect.",
    }
}

async fn activate(c: Checked<'_>, flow: &Flow) -> Response {
    let (ctx, headers, ip, login) = (&c.state.ctx, c.headers, c.ip, c.login);
    let Some(token_hash) = flow.token_hash.as_deref() else {
        return super::access::error_response(app::error::AppError::BadRequest);
    };
    match store::activate(&ctx.db, &ctx.settings, token_hash, &login.who, ctx.now()).await {
        Ok(Ok(user_id)) => {
            audit::activation_attempt(ip, Some(user_id), None);
            audit::franceconnect_linked(ip, user_id);
            ctx.outbox_wake.notify_one();
            open_session(
                ctx,
                headers,
                user_id,
                &login.id_token,
                &Page::AValider.href(),
            )
            .await
        }
        Ok(Err(ActivationRefusal::Link(link))) => {
            audit::activation_attempt(ip, None, Some(link.code()));
            link_unusable(link, ip)
        }
        Ok(Err(ActivationRefusal::AutrePersonne)) => refused(
            StatusCode::CONFLICT,
            "Cette identité n'est pas celle du candidat",
            "L'identité certifiée par FranceConnect n'est pas celle de la personne pour qui l'école de conduite a saisi la demande (la date de naissance et le prénom diffèrent). Le compte n'a pas été activé. Si vous êtes son parent, c'est à lui ou à elle d'activer son compte : avec son propre FranceConnect, ou en choisissant un mot de passe depuis le lien d'activation reçu par courriel.",
            back_to_login(),
            "identite_autre_personne",
            ip,
        ),
        Ok(Err(ActivationRefusal::Identity(r))) => refused(
            StatusCode::CONFLICT,
            "Activation impossible",
            link_refusal_message(r),
            back_to_login(),
            r.code(),
            ip,
        ),
        Err(e) => super::access::error_response(e),
    }
}

async fn link(c: Checked<'_>, flow: &Flow) -> Response {
    let (ctx, headers, ip, login) = (&c.state.ctx, c.headers, c.ip, c.login);
    // The candidate who asked must still be the one logged in, in this browser.
    let current = super::access::session_user(ctx, headers).await.ok();
    let (Some(user), Some(asked_by)) = (current, flow.user_id) else {
        return refused(
            StatusCode::FORBIDDEN,
            "Session terminée",
            "Votre session a pris fin pendant la connexion avec FranceConnect. Connectez-vous, puis recommencez depuis Mon espace.",
            back_to_login(),
            "lier_sans_session",
            ip,
        );
    };
    if user.user_id != asked_by {
        return refused(
            StatusCode::FORBIDDEN,
            "Session changée",
            "Ce n'est plus le même compte qui est connecté dans ce navigateur. Recommencez depuis Mon espace.",
            back_to_login(),
            "lier_autre_compte",
            ip,
        );
    }
    match store::link(&ctx.db, user.user_id, &login.who, ctx.now()).await {
        Ok(Ok(())) => {
            audit::franceconnect_linked(ip, user.user_id);
            if let Err(e) =
                sessions::attach_franceconnect(&ctx.db, &user.id_hash, &login.id_token).await
            {
                return super::access::error_response(e);
            }
            see_other(
                &Page::MonEspace.href_with("franceconnect=relie"),
                &[flow_cookie(ctx, "", 0)],
            )
        }
        Ok(Err(r)) => refused(
            StatusCode::CONFLICT,
            "FranceConnect non relié",
            link_refusal_message(r),
            back_for(Some(But::Lier)),
            r.code(),
            ip,
        ),
        Err(e) => super::access::error_response(e),
    }
}

async fn logout(
    State(state): State<AppState>,
    headers: HeaderMap,
    ip: Option<axum::Extension<ClientIp>>,
) -> Response {
    let ctx = &state.ctx;
    let mut id_token = None;
    if let Some(token) = sessions::token_from_headers(&ctx.settings, &headers) {
        let hash = sessions::hash_token(&token);
        let user = sessions::lookup(&ctx.db, &token, ctx.now())
            .await
            .ok()
            .flatten();
        match sessions::end(&ctx.db, &hash).await {
            Ok(t) => id_token = t,
            Err(e) => return super::access::error_response(e),
        }
        audit::logout(ip_of(&ip), user.map(|u| u.user_id));
    }
    let clear = sessions::clear_cookie_header(&ctx.settings);
    let home = Page::Accueil.href_with("deconnexion=1");
    let (Some(fc), Some(id_token)) = (state.franceconnect.as_deref(), id_token) else {
        return see_other(&home, &[clear]);
    };
    let (state_value, _) = sessions::new_token();
    match fc.logout_url(&id_token, &state_value).await {
        Ok(url) => see_other(url.as_str(), &[clear]),
        // The session is over here; FranceConnect's will end on its own.
        Err(e) => {
            tracing::warn!(
                motif = e.log_reason(),
                "déconnexion de FranceConnect impossible"
            );
            see_other(&home, &[clear])
        }
    }
}

async fn logged_out() -> Response {
    see_other(&Page::Accueil.href_with("deconnexion=1"), &[])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One address starts at most `MAX_STARTS` logins in a window; another address, or the
    /// next window, starts again.
    #[test]
    fn an_address_starts_a_bounded_number_of_logins() {
        let mut starts = Starts::default();
        let (a, b): (std::net::IpAddr, std::net::IpAddr) =
            ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let t0 = std::time::Instant::now();
        for _ in 0..MAX_STARTS {
            assert!(starts.allow(a, t0));
        }
        assert!(!starts.allow(a, t0 + std::time::Duration::from_secs(1)));
        assert!(starts.allow(b, t0));
        assert!(starts.allow(a, t0 + STARTS_WINDOW));
    }

    /// Over https the flow cookie is a `__Host-` cookie (Secure, Path=/, no Domain); over
    /// plain http it stays under `/franceconnect`.
    #[test]
    fn the_flow_cookie_is_bound_to_this_host_over_https() {
        let https = flow_cookie_for(true, "abc", 600);
        assert_eq!(
            https,
            "__Host-permis_fc=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=600; Secure"
        );
        assert!(!https.contains("Domain"));
        assert_eq!(
            flow_cookie_for(false, "abc", 600),
            "permis_fc=abc; Path=/franceconnect; HttpOnly; SameSite=Lax; Max-Age=600"
        );
    }
}
