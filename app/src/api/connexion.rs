//! The `connexion` area (`/connexion/…`): logging in and out, « Identifiant oublié ? »,
//! « Mot de passe oublié ? » and the reset link. Anyone may call these (no role guard): each
//! answers the same whether or not an account exists, and the recovery requests are throttled
//! like logins.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::account::{Espace, Role};
use crate::domain::activation::{
    ChangementMotDePasseForm, ChoixMotDePasseForm, LinkState, MotDePasseOublieForm,
    NouveauMotDePasseForm,
};
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
    /// Logged in through FranceConnect: logging out goes through FranceConnect too.
    pub franceconnect: bool,
    /// The account is linked to a FranceConnect identity.
    pub franceconnect_relie: bool,
}

/// Whether the logged-in account has no password (activated through FranceConnect), for the
/// pages that offer to choose one. Not a field of `CurrentUser`: every page deserializes that
/// one in the main WASM module, where a new field brought the texts of every page (README).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SansMotDePasse(pub bool);

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

/// The user of the current request, or `None` when not logged in (the pages get it from the
/// HTML; machine clients and the tests ask here).
#[server(prefix = "/api", endpoint = "session")]
pub async fn fetch_current_user() -> Result<Option<CurrentUser>, AppError> {
    use crate::server::{context::app_context, sessions};
    let ctx = app_context()?;
    let user = sessions::current(&ctx)
        .await
        .map_err(AppError::with_status)?;
    Ok(user.as_ref().and_then(ssr::current_user))
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
        .map_err(|e| crate::flash::or_back(e, &crate::routes::login_of(espace).href(), &typed))
}

/// Ends the session on the server and clears the cookie.
#[server(prefix = "/api", endpoint = "deconnexion")]
pub async fn logout() -> Result<(), AppError> {
    ssr::logout().await.map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "compte/identifiant-oublie")]
pub async fn identifiant_oublie(email: String) -> Result<(), AppError> {
    #[derive(Serialize)]
    struct Typed {
        email: String,
    }
    let typed = Typed {
        email: email.clone(),
    };
    ssr::identifiant_oublie(email).await.map_err(|e| {
        crate::flash::or_back(e, &crate::routes::Page::IdentifiantOublie.href(), &typed)
    })
}

#[server(prefix = "/api", endpoint = "compte/mot-de-passe-oublie")]
pub async fn mot_de_passe_oublie(
    #[server(default)] form: MotDePasseOublieForm,
) -> Result<(), AppError> {
    let keep = MotDePasseOublieForm {
        reponse: String::new(),
        ..form.clone()
    };
    ssr::mot_de_passe_oublie(form)
        .await
        .map_err(|e| crate::flash::or_back(e, &crate::routes::Page::MotDePasseOublie.href(), &keep))
}

/// « Mot de passe oublié ? » of the professional space: a reset link by email (staff accounts
/// have no secret question; the same answer whether or not the account exists).
#[server(prefix = "/api", endpoint = "compte/mot-de-passe-oublie-pro")]
pub async fn mot_de_passe_oublie_pro(identifiant: String) -> Result<(), AppError> {
    let typed = LoginFlashForm {
        identifiant: identifiant.clone(),
    };
    ssr::mot_de_passe_oublie_pro(identifiant)
        .await
        .map_err(|e| {
            crate::flash::or_back(e, &crate::routes::Page::MotDePasseOubliePro.href(), &typed)
        })
}

/// A logged-in user (any role) changes their password, giving the current one.
#[server(prefix = "/api", endpoint = "compte/changer-mot-de-passe")]
pub async fn changer_mot_de_passe(
    #[server(default)] form: ChangementMotDePasseForm,
) -> Result<(), AppError> {
    // Nothing typed comes back: every field is a password.
    ssr::changer_mot_de_passe(form).await.map_err(|e| {
        crate::flash::or_back(
            e,
            &crate::routes::Page::ChangerMotDePasse.href(),
            &ChangementMotDePasseForm::default(),
        )
    })
}

/// A candidate activated through FranceConnect (no password yet), in a session opened through
/// it, chooses a password and a secret question.
#[server(prefix = "/api", endpoint = "compte/choisir-mot-de-passe")]
pub async fn choisir_mot_de_passe(
    #[server(default)] form: ChoixMotDePasseForm,
) -> Result<(), AppError> {
    let keep = form.keep();
    ssr::choisir_mot_de_passe(form).await.map_err(|e| {
        crate::flash::or_back(e, &crate::routes::Page::ChangerMotDePasse.href(), &keep)
    })
}

#[server(prefix = "/api", endpoint = "compte/sans-mot-de-passe")]
pub async fn compte_sans_mot_de_passe() -> Result<SansMotDePasse, AppError> {
    let ctx = crate::server::context::app_context()?;
    let user = crate::server::sessions::current(&ctx)
        .await?
        .ok_or(AppError::Unauthenticated)?;
    ssr::sans_mot_de_passe_of(&user)
}

#[server(prefix = "/api", endpoint = "compte/reinitialisation")]
pub async fn lire_reinitialisation(token: String) -> Result<LinkState, AppError> {
    let ctx = crate::server::context::app_context()?;
    ssr::load_reset(&ctx, &token).await
}

#[server(prefix = "/api", endpoint = "compte/reinitialiser")]
pub async fn reinitialiser(
    token: String,
    #[server(default)] form: NouveauMotDePasseForm,
) -> Result<(), AppError> {
    let back = crate::routes::Page::Reinitialiser {
        token: token.clone(),
    }
    .href();
    ssr::reinitialiser(token, form)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &NouveauMotDePasseForm::default()))
}

/// Messages of the login and recovery pages, shared with the tests.
pub mod messages {
    pub const RECOVERY_SENT: &str = "Si ces informations correspondent à un compte activé, un courriel vient d'être envoyé à son adresse électronique. Pensez à regarder dans les courriers indésirables.";
    pub const PASSWORD_CHANGED: &str =
        "Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.";

    pub const WRONG_CREDENTIALS: &str =
        "Identifiant ou mot de passe incorrect. Vérifiez votre saisie : \
        après 10 essais infructueux en une heure, le compte est bloqué pendant 15 minutes.";
    pub const PASSWORD_EMPTY: &str = "Saisissez votre mot de passe.";
    pub const WRONG_CURRENT_PASSWORD: &str = "Ce n'est pas votre mot de passe actuel : vérifiez votre saisie (après 10 essais infructueux en une heure, le compte est bloqué 15 minutes).";
    pub const PASSWORD_CHOSEN: &str = "Votre mot de passe est enregistré : vous pouvez désormais vous connecter avec votre identifiant et ce mot de passe, ou avec FranceConnect.";
    pub const PASSWORD_CHANGED_HERE: &str = "Votre mot de passe a été modifié. Vos autres sessions ont été fermées et un courriel de confirmation vous a été envoyé.";
    pub const PRO_RECOVERY_SENT: &str = "Si cet identifiant correspond à un compte professionnel actif, un courriel contenant un lien pour choisir un nouveau mot de passe vient d'être envoyé à son adresse. Le lien est valable une heure.";

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
pub mod ssr {
    use http::header::SET_COOKIE;
    use http::HeaderValue;
    use leptos::prelude::*;
    use leptos_axum::ResponseOptions;

    use super::{messages, ChangementMotDePasseForm, ChoixMotDePasseForm, CurrentUser};
    use crate::domain::account::{normalize_identifier, Espace, Role};
    use crate::domain::activation::{
        check_recovery, fold_answer, reset_refusal, LinkState, MotDePasseOublieForm,
        NouveauMotDePasseForm,
    };
    use crate::domain::{lockout, password};
    use crate::error::AppError;
    use crate::routes::{home_of, Page};
    use crate::server::context::{app_context, client_ip, request_parts};
    use crate::server::sessions::SessionUser;
    use crate::server::time::{format_date_time, format_time};
    use crate::server::{activation, audit, passwords, sessions, throttle, users, AppContext};

    /// What the pages see of a session's user.
    pub fn current_user(s: &SessionUser) -> Option<CurrentUser> {
        Some(CurrentUser {
            role: s.role()?,
            identifiant: s.identifiant.clone(),
            prenom: s.prenom.clone(),
            nom: s.nom.clone(),
            school_name: s.school_name.clone(),
            school_agrement: s.school_agrement.clone(),
            derniere_connexion: s.previous_login_at.map(format_date_time),
            franceconnect: s.franceconnect != 0,
            franceconnect_relie: s.franceconnect_relie != 0,
        })
    }

    pub async fn login(
        espace: Espace,
        identifiant: String,
        password: String,
    ) -> Result<CurrentUser, AppError> {
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
                audit::address_blocked(crate::server::context::client_ip(), until);
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
                audit::account_locked(
                    crate::server::context::client_ip(),
                    &normalized,
                    candidate.as_ref().map(|c| c.id),
                    until,
                );
                return Err(AppError::Refused(messages::account_locked(&format_time(
                    until,
                ))));
            }
        };

        let usable_hash = candidate
            .as_ref()
            .filter(|c| c.status == "active")
            .and_then(|c| c.password_hash.clone());
        let verified = match passwords::verify_password(password, usable_hash).await {
            Ok(verified) => verified,
            Err(e) => {
                // Not checked (too many logins being checked at once, « réessayez dans un
                // instant »): not a wrong guess, nothing is counted against the account.
                throttle::forget(&ctx.db, &attempt).await?;
                return Err(e);
            }
        };
        let user = match candidate {
            Some(c) if verified => c,
            other => {
                let motif = match &other {
                    Some(c) if c.status != "active" => "compte_inactif",
                    Some(_) => "mot_de_passe",
                    None => "compte_inconnu",
                };
                audit::login_failed(
                    crate::server::context::client_ip(),
                    &normalized,
                    other.as_ref().map(|c| c.id),
                    motif,
                );
                if let Some(until) =
                    throttle::locked_until(&ctx.db, &lockout::ACCOUNT, &account_key, now).await?
                {
                    audit::account_locked(
                        crate::server::context::client_ip(),
                        &normalized,
                        other.as_ref().map(|c| c.id),
                        until,
                    );
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
        audit::login_succeeded(crate::server::context::client_ip(), user.id, Some(role));
        leptos_axum::redirect(&home_of(role).href());
        Ok(session)
    }

    /// Logs `user_id` in: a new session id (the session the browser came with, if any, ends),
    /// the cookie, and « dernière connexion ».
    pub async fn open_session(
        ctx: &AppContext,
        user_id: i64,
        now: i64,
    ) -> Result<CurrentUser, AppError> {
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
            .as_ref()
            .and_then(current_user)
            .ok_or_else(|| AppError::internal("login", "new session not found"))
    }

    pub async fn logout() -> Result<(), AppError> {
        let ctx = app_context()?;
        let parts = request_parts()?;
        if let Some(token) = sessions::token_from_headers(&ctx.settings, &parts.headers) {
            let user = sessions::lookup(&ctx.db, &token, ctx.now()).await?;
            sessions::delete_by_hash(&ctx.db, &sessions::hash_token(&token)).await?;
            audit::logout(crate::server::context::client_ip(), user.map(|u| u.user_id));
        }
        let response = expect_context::<ResponseOptions>();
        let cookie = HeaderValue::from_str(&sessions::clear_cookie_header(&ctx.settings))
            .map_err(|e| AppError::internal("cookie", e))?;
        response.append_header(SET_COOKIE, cookie);
        leptos_axum::redirect(&Page::Accueil.href_with("deconnexion=1"));
        Ok(())
    }

    /// Counts a recovery request against `key` and the client's address like a failed login
    /// (10 per hour and key, 50 per hour and address); refuses when over.
    async fn throttle_recovery(ctx: &AppContext, key: &str) -> Result<throttle::Attempt, AppError> {
        let now = ctx.now();
        let ip_key = client_ip().map(throttle::ip_key);
        if let Some(k) = &ip_key {
            if let Some(until) = throttle::locked_until(&ctx.db, &lockout::IP, k, now).await? {
                audit::address_blocked(crate::server::context::client_ip(), until);
                return Err(AppError::Refused(format!(
                    "Trop de demandes depuis votre réseau. Réessayez à partir de {}.",
                    format_time(until)
                )));
            }
        }
        let others: Vec<&str> = ip_key.iter().map(String::as_str).collect();
        match throttle::begin_attempt(&ctx.db, &lockout::ACCOUNT, key, &others, now).await? {
            Ok(a) => Ok(a),
            Err(until) => Err(AppError::Refused(format!(
                "Trop de demandes pour ce compte en peu de temps. Par sécurité, réessayez à partir de {}.",
                format_time(until)
            ))),
        }
    }

    pub async fn identifiant_oublie(email: String) -> Result<(), AppError> {
        let ctx = app_context()?;
        let email_norm = crate::domain::formats::normalize_email(&email)
            .map_err(|m| AppError::field("email", m))?
            .to_lowercase();
        throttle_recovery(&ctx, &format!("identifiant:{email_norm}")).await?;
        let sent =
            activation::send_identifiant(&ctx.db, &ctx.settings, &email_norm, ctx.now()).await?;
        audit::identifiant_requested(crate::server::context::client_ip(), &email_norm, sent);
        if sent {
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&Page::IdentifiantOublie.href_with("envoye=1"));
        Ok(())
    }

    pub async fn mot_de_passe_oublie(form: MotDePasseOublieForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let identifiant = check_recovery(&form).map_err(AppError::from)?;
        let found = activation::find_active_usager(&ctx.db, &identifiant).await?;
        let key = match found {
            Some(id) => format!("reset:{}", throttle::account_key_for_user(id)),
            None => format!("reset:{}", throttle::account_key_for_name(&identifiant)),
        };
        let attempt = throttle_recovery(&ctx, &key).await?;
        // The same work (one hash check) and the same answer whether or not the account
        // exists and whatever was wrong.
        let sent = match activation::send_reset_link(
            &ctx.db,
            &ctx.settings,
            found,
            &form.question,
            fold_answer(&form.reponse),
            ctx.now(),
        )
        .await
        {
            Ok(sent) => sent,
            Err(e) => {
                // Not checked (the server busy): not a wrong answer.
                throttle::forget(&ctx.db, &attempt).await?;
                return Err(e);
            }
        };
        audit::reset_requested(crate::server::context::client_ip(), &identifiant, sent);
        if sent {
            throttle::forget(&ctx.db, &attempt).await?;
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&Page::MotDePasseOublie.href_with("envoye=1"));
        Ok(())
    }

    pub async fn mot_de_passe_oublie_pro(identifiant: String) -> Result<(), AppError> {
        let ctx = app_context()?;
        let normalized = normalize_identifier(&identifiant)
            .map_err(|p| AppError::field("identifiant", p.message()))?;
        let found = activation::find_active_pro(&ctx.db, &normalized).await?;
        let key = match found {
            Some(id) => format!("reset:{}", throttle::account_key_for_user(id)),
            None => format!("reset:{}", throttle::account_key_for_name(&normalized)),
        };
        // Every request counts (10 an hour for an account): nobody can flood a mailbox.
        throttle_recovery(&ctx, &key).await?;
        let sent =
            activation::send_pro_reset_link(&ctx.db, &ctx.settings, found, ctx.now()).await?;
        audit::reset_requested(crate::server::context::client_ip(), &normalized, sent);
        if sent {
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&Page::MotDePasseOubliePro.href_with("envoye=1"));
        Ok(())
    }

    pub fn sans_mot_de_passe_of(user: &SessionUser) -> Result<super::SansMotDePasse, AppError> {
        Ok(super::SansMotDePasse(user.sans_mot_de_passe != 0))
    }

    pub async fn choisir_mot_de_passe(form: ChoixMotDePasseForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let user = sessions::require(&ctx, &[Role::Usager]).await?;
        // An account without a password is reached through FranceConnect only: the identity
        // it has just certified is what allows choosing one.
        if user.franceconnect == 0 {
            return Err(AppError::Forbidden);
        }
        if activation::choose_password(&ctx.db, user.user_id, &form, ctx.now()).await? {
            audit::password_change(client_ip(), user.user_id, None);
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&Page::ChangerMotDePasse.href_with("choisi=1"));
        Ok(())
    }

    pub async fn changer_mot_de_passe(form: ChangementMotDePasseForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let now = ctx.now();
        let user = sessions::current(&ctx)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        // A wrong current password counts like a failed login: a stolen session cannot try
        // passwords without limit.
        let key = throttle::account_key_for_user(user.user_id);
        let attempt =
            match throttle::begin_attempt(&ctx.db, &lockout::ACCOUNT, &key, &[], now).await? {
                Ok(a) => a,
                Err(until) => {
                    audit::account_locked(
                        crate::server::context::client_ip(),
                        &user.identifiant,
                        Some(user.user_id),
                        until,
                    );
                    return Err(AppError::Refused(messages::account_locked(&format_time(
                        until,
                    ))));
                }
            };
        let changed =
            activation::change_password(&ctx.db, user.user_id, &user.id_hash, &form, now).await;
        match changed {
            Ok(true) => {
                throttle::forget(&ctx.db, &attempt).await?;
                audit::password_change(crate::server::context::client_ip(), user.user_id, None);
                ctx.outbox_wake.notify_one();
                leptos_axum::redirect(&Page::ChangerMotDePasse.href_with("modifie=1"));
                Ok(())
            }
            Ok(false) => {
                audit::password_change(
                    crate::server::context::client_ip(),
                    user.user_id,
                    Some("mot_de_passe_actuel"),
                );
                Err(AppError::field("actuel", messages::WRONG_CURRENT_PASSWORD))
            }
            Err(e) => {
                // A new password refused by the rules is not a guess.
                throttle::forget(&ctx.db, &attempt).await?;
                Err(e)
            }
        }
    }

    pub async fn load_reset(ctx: &AppContext, token: &str) -> Result<LinkState, AppError> {
        activation::reset_link_state(&ctx.db, token, ctx.now()).await
    }

    pub async fn reinitialiser(token: String, form: NouveauMotDePasseForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let user_id = activation::reset_password(&ctx.db, &token, &form, ctx.now())
            .await?
            .map_err(|state| {
                audit::reset_attempt(
                    crate::server::context::client_ip(),
                    None,
                    Some(state.code()),
                );
                AppError::Conflict(reset_refusal(state).into())
            })?;
        audit::reset_attempt(crate::server::context::client_ip(), Some(user_id), None);
        throttle::clear(&ctx.db, &throttle::account_key_for_user(user_id)).await?;
        leptos_axum::redirect(&Page::Connexion.href_with("mot-de-passe=modifie"));
        Ok(())
    }
}
