//! Candidate accounts: activation through the emailed link, « Identifiant oublié ? »,
//! « Mot de passe oublié ? » and the reset link, and the demandes waiting for the candidate.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::CurrentUser;
use crate::error::AppError;

/// Where a one-time link stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinkState {
    Valid,
    Expired,
    Used,
    /// A newer link replaced it.
    Revoked,
    /// The account was deleted: not activated within 7 days.
    Deleted,
    Unknown,
}

/// What the activation page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationInfo {
    pub state: LinkState,
    pub prenom: String,
    pub nom: String,
    /// Code of the sex the school entered (prefills the form).
    pub sexe: Option<String>,
}

/// The activation form (HTML names `form[…]`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationForm {
    #[serde(default)]
    pub sexe: String,
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub reponse: String,
}

impl ActivationForm {
    /// What comes back after a refused plain form post: never a password or the secret answer.
    pub fn keep(&self) -> ActivationForm {
        ActivationForm {
            sexe: self.sexe.clone(),
            question: self.question.clone(),
            ..Default::default()
        }
    }
}

/// A demande the candidate has to look at (« Demande à valider »).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeAValider {
    pub id: i64,
    pub numero: String,
    pub school_name: String,
    pub validated_at: String,
}

impl DemandeAValider {
    pub fn href(&self) -> String {
        format!("/monespace/demandes/{}", self.id)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MotDePasseOublieForm {
    #[serde(default)]
    pub identifiant: String,
    #[serde(default)]
    pub question: String,
    #[serde(default)]
    pub reponse: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NouveauMotDePasseForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub confirmation: String,
}

/// The checks of a new password and its confirmation (browser and server alike).
pub fn check_password_pair(
    password: &str,
    confirmation: &str,
    identity: &[&str],
    errors: &mut Vec<crate::error::FieldError>,
) {
    use crate::error::FieldError;
    if let Err(p) = crate::domain::password::check_new_password(password, identity) {
        errors.push(FieldError {
            field: "password".into(),
            message: p.message(),
        });
    } else if confirmation != password {
        errors.push(FieldError {
            field: "confirmation".into(),
            message: "La confirmation ne correspond pas au mot de passe : saisissez le même mot de passe deux fois.".into(),
        });
    }
}

/// The checks of the activation form, in the order of its fields (browser and server alike).
pub fn check_activation(form: &ActivationForm, identity: &[&str]) -> Vec<crate::error::FieldError> {
    use crate::domain::activation::{check_new_answer, secret_question_label};
    use crate::error::FieldError;
    let mut errors = Vec::new();
    if crate::domain::demande::Sexe::parse(&form.sexe).is_none() {
        errors.push(FieldError {
            field: "sexe".into(),
            message: "Indiquez votre sexe.".into(),
        });
    }
    check_password_pair(&form.password, &form.confirmation, identity, &mut errors);
    if secret_question_label(&form.question).is_none() {
        errors.push(FieldError {
            field: "question".into(),
            message: "Choisissez une question secrète dans la liste.".into(),
        });
    }
    if let Err(m) = check_new_answer(&form.reponse) {
        errors.push(FieldError {
            field: "reponse".into(),
            message: m.into(),
        });
    }
    errors
}

/// One error on its field, or the list of them.
pub fn errors_to_app_error(errors: Vec<crate::error::FieldError>) -> Option<AppError> {
    match errors.len() {
        0 => None,
        1 => {
            let e = errors.into_iter().next()?;
            Some(AppError::Field {
                field: e.field,
                message: e.message,
            })
        }
        _ => Some(AppError::Invalid(errors)),
    }
}

/// Where the candidate lands once the account is activated.
pub const A_VALIDER: &str = "/monespace/a-valider";

/// What an activation link says once its account was deleted.
pub const DELETED_ACCOUNT: &str = "Ce compte a été supprimé, avec la demande saisie par votre école de conduite : il n'avait pas été activé dans les 7 jours suivant l'envoi du lien. Demandez à votre école de conduite de saisir une nouvelle demande ; vous recevrez un nouveau courriel d'activation.";

pub mod messages {
    pub const RECOVERY_SENT: &str = "Si ces informations correspondent à un compte activé, un courriel vient d'être envoyé à son adresse électronique. Pensez à regarder dans les courriers indésirables.";
    pub const PASSWORD_CHANGED: &str =
        "Votre mot de passe a été modifié. Connectez-vous avec votre nouveau mot de passe.";
    pub const TOO_MANY: &str =
        "Trop de demandes en peu de temps. Par sécurité, réessayez dans 15 minutes.";
}

#[server(prefix = "/api", endpoint = "compte/activation")]
pub async fn lire_activation(token: String) -> Result<ActivationInfo, AppError> {
    ssr::activation_info(&token).await
}

/// Activates the account of the link: sex, password, secret question; then logs the candidate
/// in and sends them to « Demande à valider ».
#[server(prefix = "/api", endpoint = "compte/activer")]
pub async fn activer_compte(token: String, form: ActivationForm) -> Result<CurrentUser, AppError> {
    let back = format!("/monespace/activer/{token}");
    let keep = form.keep();
    ssr::activer(token, form)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &keep))
}

#[server(prefix = "/api", endpoint = "monespace/a-valider")]
pub async fn demandes_a_valider() -> Result<Vec<DemandeAValider>, AppError> {
    let ctx = crate::server::context::app_context()?;
    let user = crate::server::sessions::require(&ctx, &[crate::domain::account::Role::Usager])
        .await
        .map_err(AppError::with_status)?;
    ssr::a_valider(&ctx, user.user_id).await
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
    ssr::identifiant_oublie(email)
        .await
        .map_err(|e| crate::flash::or_back(e, "/connexion/identifiant-oublie", &typed))
}

#[server(prefix = "/api", endpoint = "compte/mot-de-passe-oublie")]
pub async fn mot_de_passe_oublie(form: MotDePasseOublieForm) -> Result<(), AppError> {
    let keep = MotDePasseOublieForm {
        reponse: String::new(),
        ..form.clone()
    };
    ssr::mot_de_passe_oublie(form)
        .await
        .map_err(|e| crate::flash::or_back(e, "/connexion/mot-de-passe-oublie", &keep))
}

#[server(prefix = "/api", endpoint = "compte/reinitialisation")]
pub async fn lire_reinitialisation(token: String) -> Result<LinkState, AppError> {
    ssr::reset_info(&token).await
}

#[server(prefix = "/api", endpoint = "compte/reinitialiser")]
pub async fn reinitialiser(token: String, form: NouveauMotDePasseForm) -> Result<(), AppError> {
    let back = format!("/connexion/reinitialiser/{token}");
    ssr::reinitialiser(token, form)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &NouveauMotDePasseForm::default()))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::activation::{
        check_new_answer, fold_answer, secret_question_label, TokenState, RESET_VALIDITY_SECS,
    };
    use crate::domain::demande::Sexe;
    use crate::domain::{lockout, messages as texts};
    use crate::error::FieldError;
    use crate::server::context::{app_context, client_ip};
    use crate::server::handover::url;
    use crate::server::outbox::{enqueue, random_key, NewMessage};
    use crate::server::time::{format_date_time, format_time};
    use crate::server::tokens::{self, Purpose};
    use crate::server::{passwords, throttle, AppContext};

    fn link_state(s: TokenState) -> LinkState {
        match s {
            TokenState::Valid => LinkState::Valid,
            TokenState::Expired => LinkState::Expired,
            TokenState::Used => LinkState::Used,
            TokenState::Revoked => LinkState::Revoked,
        }
    }

    #[derive(sqlx::FromRow)]
    struct Account {
        id: i64,
        identifiant: String,
        email: Option<String>,
        prenom: String,
        nom: String,
        sexe: Option<String>,
        status: String,
        secret_question: Option<String>,
        secret_answer_hash: Option<String>,
    }

    const ACCOUNT_COLUMNS: &str =
        "id, identifiant, email, prenom, nom, sexe, status, secret_question, secret_answer_hash";

    async fn account(ctx: &AppContext, id: i64) -> Result<Account, AppError> {
        sqlx::query_as::<_, Account>(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(ctx.db.pool())
        .await?
        .ok_or(AppError::NotFound)
    }

    pub async fn load_activation(
        ctx: &AppContext,
        token: &str,
    ) -> Result<ActivationInfo, AppError> {
        let mut conn = ctx.db.pool().acquire().await?;
        let unknown = ActivationInfo {
            state: LinkState::Unknown,
            prenom: String::new(),
            nom: String::new(),
            sexe: None,
        };
        let Some(row) = tokens::find(&mut conn, token, Purpose::Activation).await? else {
            drop(conn);
            if crate::server::deadlines::link_of_deleted_account(ctx, token).await? {
                return Ok(ActivationInfo {
                    state: LinkState::Deleted,
                    ..unknown
                });
            }
            return Ok(unknown);
        };
        drop(conn);
        let user = account(ctx, row.user_id).await?;
        let state = match row.state(ctx.now()) {
            // An account activated by another link (a newer one) shows as activated.
            TokenState::Valid if user.status != "pending_activation" => LinkState::Used,
            TokenState::Revoked if user.status != "pending_activation" => LinkState::Used,
            s => link_state(s),
        };
        Ok(ActivationInfo {
            state,
            prenom: user.prenom,
            nom: user.nom,
            sexe: user.sexe,
        })
    }

    pub async fn activation_info(token: &str) -> Result<ActivationInfo, AppError> {
        let ctx = app_context()?;
        load_activation(&ctx, token).await
    }

    /// Why a link cannot be used, in words.
    pub fn activation_refusal(state: LinkState) -> AppError {
        AppError::Conflict(
            match state {
                LinkState::Expired => "Ce lien d'activation a expiré (il était valable 7 jours). Demandez à votre école de conduite de vous en renvoyer un.",
                LinkState::Used => "Ce lien a déjà servi : votre compte est activé. Connectez-vous avec votre identifiant ou votre adresse électronique.",
                LinkState::Revoked => "Ce lien a été remplacé par un lien plus récent : utilisez le dernier courriel reçu.",
                LinkState::Deleted => DELETED_ACCOUNT,
                LinkState::Unknown | LinkState::Valid => "Ce lien d'activation n'est pas valable. Vérifiez que l'adresse est complète, telle que dans le courriel.",
            }
            .into(),
        )
    }

    pub async fn activer(token: String, form: ActivationForm) -> Result<CurrentUser, AppError> {
        let ctx = app_context()?;
        let now = ctx.now();
        let mut conn = ctx.db.pool().acquire().await?;
        let row = tokens::find(&mut conn, &token, Purpose::Activation).await?;
        drop(conn);
        let Some(row) = row else {
            return Err(activation_refusal(LinkState::Unknown));
        };
        let user = account(&ctx, row.user_id).await?;
        if user.status != "pending_activation" {
            return Err(activation_refusal(LinkState::Used));
        }
        match row.state(now) {
            TokenState::Valid => {}
            s => return Err(activation_refusal(link_state(s))),
        }

        let email = user.email.clone().unwrap_or_default();
        if let Some(e) = errors_to_app_error(check_activation(
            &form,
            &[&user.identifiant, &email, &user.nom],
        )) {
            return Err(e);
        }
        let (Some(sexe), Ok(answer)) = (Sexe::parse(&form.sexe), check_new_answer(&form.reponse))
        else {
            return Err(AppError::BadRequest);
        };
        let password_hash = passwords::hash_password(form.password).await?;
        let answer_hash = passwords::hash_password(answer).await?;
        let mut tx = ctx.db.pool().begin().await?;
        if !tokens::consume(&mut tx, row.id, now).await? {
            tx.rollback().await?;
            return Err(activation_refusal(LinkState::Used));
        }
        let updated = sqlx::query(
            "UPDATE users SET password_hash = $1, status = 'active', sexe = $2, secret_question = $3,
                              secret_answer_hash = $4, activated_at = $5
             WHERE id = $6 AND status = 'pending_activation'",
        )
        .bind(password_hash.0)
        .bind(sexe.code())
        .bind(&form.question)
        .bind(answer_hash.0)
        .bind(now)
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
        if updated.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(activation_refusal(LinkState::Used));
        }
        let prenom = user.prenom.split_whitespace().next().unwrap_or("");
        let email_text = texts::identifiant_email(
            prenom,
            &user.identifiant,
            &url(&ctx.settings, "/connexion"),
            true,
        );
        enqueue(
            &mut tx,
            &NewMessage::email(
                format!("activation:{}:identifiant", row.id),
                "identifiant",
                &email,
                &email_text,
                None,
            )
            .about(user.id, None),
            now,
        )
        .await?;
        tx.commit().await?;
        ctx.outbox_wake.notify_one();

        let session = crate::auth::ssr::open_session(&ctx, user.id, now).await?;
        leptos_axum::redirect(A_VALIDER);
        Ok(session)
    }

    pub async fn a_valider(
        ctx: &AppContext,
        user_id: i64,
    ) -> Result<Vec<DemandeAValider>, AppError> {
        let rows: Vec<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT d.id, d.numero, s.name, d.validated_at FROM demandes d
             JOIN schools s ON s.id = d.school_id
             WHERE d.usager_id = $1 AND d.etat = 'attente_usager'
             ORDER BY d.validated_at DESC, d.id DESC",
        )
        .bind(user_id)
        .fetch_all(ctx.db.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, numero, school_name, at)| DemandeAValider {
                id,
                numero,
                school_name,
                validated_at: format_date_time(at),
            })
            .collect())
    }

    /// Counts a recovery request against `key` and the client's address like a failed login
    /// (10 per hour and key, 50 per hour and address); refuses when over.
    async fn throttle_recovery(ctx: &AppContext, key: &str) -> Result<throttle::Attempt, AppError> {
        let now = ctx.now();
        let ip_key = client_ip().map(throttle::ip_key);
        if let Some(k) = &ip_key {
            if let Some(until) = throttle::locked_until(&ctx.db, &lockout::IP, k, now).await? {
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
        let now = ctx.now();
        let email_norm = crate::domain::formats::normalize_email(&email)
            .map_err(|m| AppError::field("email", m))?
            .to_lowercase();
        throttle_recovery(&ctx, &format!("identifiant:{email_norm}")).await?;
        let found: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM users WHERE espace = 'usager' AND email_norm = $1 AND status = 'active'",
        )
        .bind(&email_norm)
        .fetch_optional(ctx.db.pool())
        .await?;
        if let Some((id,)) = found {
            let user = account(&ctx, id).await?;
            let prenom = user.prenom.split_whitespace().next().unwrap_or("");
            let text = texts::identifiant_email(
                prenom,
                &user.identifiant,
                &url(&ctx.settings, "/connexion"),
                false,
            );
            let mut conn = ctx.db.pool().acquire().await?;
            enqueue(
                &mut conn,
                &NewMessage::email(
                    random_key("identifiant-oublie"),
                    "identifiant",
                    user.email.as_deref().unwrap_or(&email_norm),
                    &text,
                    None,
                )
                .about(user.id, None),
                now,
            )
            .await?;
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect("/connexion/identifiant-oublie?envoye=1");
        Ok(())
    }

    pub async fn mot_de_passe_oublie(form: MotDePasseOublieForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let now = ctx.now();
        let mut errors = Vec::new();
        let identifiant = crate::domain::account::normalize_identifier(&form.identifiant);
        if let Err(p) = &identifiant {
            errors.push(FieldError {
                field: "identifiant".into(),
                message: p.message().into(),
            });
        }
        if secret_question_label(&form.question).is_none() {
            errors.push(FieldError {
                field: "question".into(),
                message: "Choisissez votre question secrète dans la liste.".into(),
            });
        }
        if form.reponse.trim().is_empty() {
            errors.push(FieldError {
                field: "reponse".into(),
                message: "Saisissez la réponse à votre question secrète.".into(),
            });
        }
        let Ok(identifiant) = identifiant else {
            return Err(errors_to_app_error(errors).unwrap_or(AppError::BadRequest));
        };
        if !errors.is_empty() {
            return Err(errors_to_app_error(errors).unwrap_or(AppError::BadRequest));
        }
        let column = if crate::domain::account::looks_like_email(&identifiant) {
            "email_norm"
        } else {
            "identifiant"
        };
        let found: Option<(i64,)> = sqlx::query_as(&format!(
            "SELECT id FROM users WHERE espace = 'usager' AND status = 'active' AND {column} = $1"
        ))
        .bind(&identifiant)
        .fetch_optional(ctx.db.pool())
        .await?;
        let key = match found {
            Some((id,)) => format!("reset:{}", throttle::account_key_for_user(id)),
            None => format!("reset:{}", throttle::account_key_for_name(&identifiant)),
        };
        let attempt = throttle_recovery(&ctx, &key).await?;
        let user = match found {
            Some((id,)) => Some(account(&ctx, id).await?),
            None => None,
        };
        // The same work (one hash check) and the same answer whether or not the account
        // exists and whatever was wrong.
        let hash = user
            .as_ref()
            .filter(|u| u.secret_question.as_deref() == Some(form.question.as_str()))
            .and_then(|u| u.secret_answer_hash.clone());
        let right = passwords::verify_password(fold_answer(&form.reponse), hash).await?;
        if let (true, Some(user)) = (right, user) {
            throttle::forget(&ctx.db, &attempt).await?;
            let mut tx = ctx.db.pool().begin().await?;
            let (token, token_id) =
                tokens::issue(&mut tx, user.id, Purpose::Reset, RESET_VALIDITY_SECS, now).await?;
            let prenom = user.prenom.split_whitespace().next().unwrap_or("");
            let link = url(&ctx.settings, &format!("/connexion/reinitialiser/{token}"));
            enqueue(
                &mut tx,
                &NewMessage::email(
                    format!("reset:{token_id}"),
                    "reinitialisation",
                    user.email.as_deref().unwrap_or_default(),
                    &texts::reset_email(prenom),
                    Some(link),
                )
                .about(user.id, None),
                now,
            )
            .await?;
            tx.commit().await?;
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect("/connexion/mot-de-passe-oublie?envoye=1");
        Ok(())
    }

    pub async fn load_reset(ctx: &AppContext, token: &str) -> Result<LinkState, AppError> {
        let mut conn = ctx.db.pool().acquire().await?;
        Ok(
            match tokens::find(&mut conn, token, Purpose::Reset).await? {
                Some(row) => link_state(row.state(ctx.now())),
                None => LinkState::Unknown,
            },
        )
    }

    pub async fn reset_info(token: &str) -> Result<LinkState, AppError> {
        let ctx = app_context()?;
        load_reset(&ctx, token).await
    }

    pub fn reset_refusal(state: LinkState) -> AppError {
        AppError::Conflict(
            match state {
                LinkState::Expired => "Ce lien a expiré (il était valable une heure). Refaites une demande depuis « Mot de passe oublié ? ».",
                LinkState::Used => "Ce lien a déjà servi. Si vous n'avez pas changé votre mot de passe vous-même, refaites une demande depuis « Mot de passe oublié ? ».",
                LinkState::Revoked => "Ce lien a été remplacé par un lien plus récent : utilisez le dernier courriel reçu.",
                LinkState::Unknown | LinkState::Valid | LinkState::Deleted => "Ce lien de réinitialisation n'est pas valable. Vérifiez que l'adresse est complète, telle que dans le courriel.",
            }
            .into(),
        )
    }

    pub async fn reinitialiser(token: String, form: NouveauMotDePasseForm) -> Result<(), AppError> {
        let ctx = app_context()?;
        let now = ctx.now();
        let mut conn = ctx.db.pool().acquire().await?;
        let row = tokens::find(&mut conn, &token, Purpose::Reset).await?;
        drop(conn);
        let Some(row) = row else {
            return Err(reset_refusal(LinkState::Unknown));
        };
        match row.state(now) {
            TokenState::Valid => {}
            s => return Err(reset_refusal(link_state(s))),
        }
        let user = account(&ctx, row.user_id).await?;
        let email = user.email.clone().unwrap_or_default();
        let mut errors = Vec::new();
        check_password_pair(
            &form.password,
            &form.confirmation,
            &[&user.identifiant, &email, &user.nom],
            &mut errors,
        );
        if let Some(e) = errors_to_app_error(errors) {
            return Err(e);
        }
        let hash = passwords::hash_password(form.password).await?;
        let mut tx = ctx.db.pool().begin().await?;
        if !tokens::consume(&mut tx, row.id, now).await? {
            tx.rollback().await?;
            return Err(reset_refusal(LinkState::Used));
        }
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
            .bind(hash.0)
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        // Whoever knew the old password is logged out everywhere.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user.id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        throttle::clear(&ctx.db, &throttle::account_key_for_user(user.id)).await?;
        leptos_axum::redirect("/connexion?mot-de-passe=modifie");
        Ok(())
    }
}
