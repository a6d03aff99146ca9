//! Login, logout and "who am I": the server functions and the types the pages share.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::{Espace, Role};
use crate::error::AppError;

/// The logged-in user as the pages see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub role: Role,
    pub identifiant: String,
    pub prenom: String,
    pub nom: String,
    pub school_name: Option<String>,
    pub school_agrement: Option<String>,
    /// « Dernière connexion » — the login before this one, formatted in Paris time.
    pub derniere_connexion: Option<String>,
}

impl CurrentUser {
    pub fn display_name(&self) -> String {
        let name = format!("{} {}", self.prenom, self.nom);
        let name = name.trim();
        if name.is_empty() {
            self.identifiant.clone()
        } else {
            name.to_string()
        }
    }
}

/// What the login page keeps of a failed attempt.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginFlashForm {
    pub identifiant: String,
}

/// The user of the current request, or `None` when not logged in.
#[server(prefix = "/api", endpoint = "session")]
pub async fn fetch_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::server::{context::app_context, sessions};
    let ctx = app_context()?;
    let user = sessions::current(&ctx)
        .await
        .map_err(AppError::with_status)?;
    Ok(user.and_then(|u| u.to_current_user()))
}

/// Logs in with an identifiant or an email and a password, on the login page of `espace`.
/// On success the session cookie is set (a new session id every time) and the browser is sent
/// to the role's home page.
#[server(prefix = "/api", endpoint = "connexion")]
pub async fn login(
    espace: Espace,
    identifiant: String,
    password: String,
) -> Result<CurrentUser, AppError> {
    // What was typed comes back after a failed plain form post; the password never does.
    let typed = LoginFlashForm {
        identifiant: identifiant.clone(),
    };
    ssr::login(espace, identifiant, password)
        .await
        .map_err(|e| crate::flash::or_back(e, espace.login_path(), &typed))
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "deconnexion")]
pub async fn logout() -> Result<(), AppError> {
    ssr::logout().await.map_err(AppError::with_status)
}

/// Messages of the login page, shared with the tests.
pub mod messages {
    pub const WRONG_CREDENTIALS: &str =
        "Identifiant ou mot de passe incorrect. Vérifiez votre saisie : \
        après 10 essais infructueux en une heure, le compte est bloqué pendant 15 minutes.";
    pub const PASSWORD_EMPTY: &str = "Saisissez votre mot de passe.";

    pub fn account_locked(until: &str) -> String {
        format!(
            "Par sécurité, ce compte est bloqué pendant 15 minutes après 10 tentatives de connexion \
             infructueuses. Vous pourrez réessayer à partir de {until}."
        )
    }

    pub fn address_blocked(until: &str) -> String {
        format!(
            "Trop de tentatives de connexion ont échoué depuis votre réseau. Par sécurité, les \
             connexions depuis votre adresse sont suspendues jusqu'à {until}."
        )
    }
}

#[cfg(feature = "ssr")]
pub(crate) mod ssr {
    use http::header::SET_COOKIE;
    use http::HeaderValue;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::messages;
    use crate::domain::account::{normalize_identifier, Espace, Role};
    use crate::domain::{lockout, password};
    use crate::error::AppError;
    use crate::server::context::{app_context, client_ip, request_parts};
    use crate::server::time::format_time;
    use crate::server::{passwords, sessions, throttle, users};

    pub async fn login(
        espace: Espace,
        identifiant: String,
        password: String,
    ) -> Result<super::CurrentUser, AppError> {
        let ctx = app_context()?;
        let now = ctx.now();

        let normalized = normalize_identifier(&identifiant)
            .map_err(|p| AppError::field("identifiant", p.message()))?;
        if password.is_empty() {
            return Err(AppError::field("password", messages::PASSWORD_EMPTY));
        }
        if password.chars().count() > password::MAX_CHARS {
            return Err(AppError::field(
                "password",
                format!(
                    "Le mot de passe ne peut pas dépasser {} caractères.",
                    password::MAX_CHARS
                ),
            ));
        }

        // The address limit is checked first, so a flood costs no password hashing.
        let ip_key = client_ip().map(throttle::ip_key);
        if let Some(key) = &ip_key {
            if let Some(until) = throttle::locked_until(&ctx.db, &lockout::IP, key, now).await? {
                return Err(AppError::Refused(messages::address_blocked(&format_time(
                    until,
                ))));
            }
        }

        let candidate = users::find_for_login(&ctx.db, espace, &normalized).await?;
        let account_key = match &candidate {
            Some(c) => throttle::account_key_for_user(c.id),
            None => throttle::account_key_for_name(&normalized),
        };
        let other_keys: Vec<&str> = ip_key.iter().map(String::as_str).collect();
        let attempt = match throttle::begin_attempt(
            &ctx.db,
            &lockout::ACCOUNT,
            &account_key,
            &other_keys,
            now,
        )
        .await?
        {
            Ok(attempt) => attempt,
            Err(until) => {
                return Err(AppError::Refused(messages::account_locked(&format_time(
                    until,
                ))))
            }
        };

        let usable_hash = candidate
            .as_ref()
            .filter(|c| c.status == "active")
            .and_then(|c| c.password_hash.clone());
        let verified = passwords::verify_password(password, usable_hash).await?;
        let user = match candidate {
            Some(c) if verified => c,
            _ => {
                if let Some(until) =
                    throttle::locked_until(&ctx.db, &lockout::ACCOUNT, &account_key, now).await?
                {
                    return Err(AppError::Refused(messages::account_locked(&format_time(
                        until,
                    ))));
                }
                return Err(AppError::Refused(messages::WRONG_CREDENTIALS.into()));
            }
        };
        // Success: the account's failures (this attempt included) are forgotten; the address
        // keeps no trace of a successful login either.
        throttle::forget(&ctx.db, &attempt).await?;
        let role = Role::parse(&user.role).ok_or_else(|| AppError::internal("role", &user.role))?;
        throttle::clear(&ctx.db, &account_key).await?;

        let session = open_session(&ctx, user.id, now).await?;
        leptos_axum::redirect(role.home_path());
        Ok(session)
    }

    /// Logs `user_id` in: a new session id (the session the browser came with, if any, ends),
    /// the cookie, and « dernière connexion ».
    pub async fn open_session(
        ctx: &crate::server::AppContext,
        user_id: i64,
        now: i64,
    ) -> Result<super::CurrentUser, AppError> {
        let parts = request_parts()?;
        if let Some(old) = sessions::token_from_headers(&ctx.settings, &parts.headers) {
            sessions::delete_by_hash(&ctx.db, &sessions::hash_token(&old)).await?;
        }
        let token = sessions::create(&ctx.db, user_id, now).await?;
        users::record_login(&ctx.db, user_id, now).await?;

        let response = expect_context::<ResponseOptions>();
        let cookie = HeaderValue::from_str(&sessions::set_cookie_header(&ctx.settings, &token))
            .map_err(|e| AppError::internal("cookie", e))?;
        response.append_header(SET_COOKIE, cookie);
        sessions::lookup(&ctx.db, &token, now)
            .await?
            .and_then(|s| s.to_current_user())
            .ok_or_else(|| AppError::internal("login", "new session not found"))
    }

    pub async fn logout() -> Result<(), AppError> {
        let ctx = app_context()?;
        let parts = request_parts()?;
        if let Some(token) = sessions::token_from_headers(&ctx.settings, &parts.headers) {
            sessions::delete_by_hash(&ctx.db, &sessions::hash_token(&token)).await?;
        }
        let response = expect_context::<ResponseOptions>();
        let cookie = HeaderValue::from_str(&sessions::clear_cookie_header(&ctx.settings))
            .map_err(|e| AppError::internal("cookie", e))?;
        response.append_header(SET_COOKIE, cookie);
        leptos_axum::redirect("/?deconnexion=1");
        Ok(())
    }
}
