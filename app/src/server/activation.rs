//! Candidate accounts after the handover: activation through the emailed link, the forgotten
//! identifiant, the forgotten password and its reset link. Each function takes what it needs;
//! the caller (the `usager` and `connexion` API) checks who asks, throttles and opens sessions.

use crate::domain::activation::{
    check_activation, check_new_answer, check_password_change, check_password_choice,
    check_password_pair, ActivationForm, ChangementMotDePasseForm, ChoixMotDePasseForm, LinkState,
    NouveauMotDePasseForm, TokenState, RESET_VALIDITY_SECS,
};
use crate::domain::demande::Sexe;
use crate::domain::messages as texts;
use crate::error::AppError;
use crate::routes::Page;

use super::context::Settings;
use super::outbox::{enqueue, random_key, NewMessage};
use super::tokens::{self, Purpose};
use super::{passwords, Db};

/// A candidate account as activation and recovery need it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Account {
    pub id: i64,
    pub identifiant: String,
    pub email: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub sexe: Option<String>,
    pub status: String,
    pub secret_question: Option<String>,
    pub secret_answer_hash: Option<String>,
}

impl Account {
    pub fn pending(&self) -> bool {
        self.status == "pending_activation"
    }

    fn first_name(&self) -> &str {
        self.prenom.split_whitespace().next().unwrap_or("")
    }

    /// What a new password must not contain.
    fn identity(&self) -> [&str; 3] {
        [
            &self.identifiant,
            self.email.as_deref().unwrap_or_default(),
            &self.nom,
        ]
    }
}

const ACCOUNT_COLUMNS: &str =
    "id, identifiant, email, prenom, nom, sexe, status, secret_question, secret_answer_hash";

pub async fn account(db: &Db, id: i64) -> Result<Account, AppError> {
    sqlx::query_as::<_, Account>(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM users WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

/// Whether a link belonged to an account deleted for want of activation.
pub async fn link_of_deleted_account(db: &Db, token: &str) -> Result<bool, AppError> {
    let found: Option<(i64,)> =
        sqlx::query_as("SELECT deleted_at FROM expired_links WHERE token_hash = $1")
            .bind(super::sessions::hash_token(token))
            .fetch_optional(db.pool())
            .await?;
    Ok(found.is_some())
}

/// Where an activation link stands at `now`, and its account (while it exists).
pub async fn activation_link(
    db: &Db,
    token: &str,
    now: i64,
) -> Result<(LinkState, Option<Account>), AppError> {
    let mut conn = db.pool().acquire().await?;
    let found = tokens::find(&mut conn, token, Purpose::Activation).await?;
    drop(conn);
    let Some(row) = found else {
        let state = if link_of_deleted_account(db, token).await? {
            LinkState::Deleted
        } else {
            LinkState::Unknown
        };
        return Ok((state, None));
    };
    let user = account(db, row.user_id).await?;
    let state = match row.state(now) {
        // An account activated by another link (a newer one) shows as activated.
        TokenState::Valid | TokenState::Revoked if !user.pending() => LinkState::Used,
        s => LinkState::from(s),
    };
    Ok((state, Some(user)))
}

/// Activates the account of an activation link: sex, password, secret question and answer; the
/// link is used up and the candidate is emailed their identifiant. `Ok(Err(state))`: the link
/// cannot be used (and why); field problems are an `AppError`.
pub async fn activate(
    db: &Db,
    settings: &Settings,
    token: &str,
    form: &ActivationForm,
    now: i64,
) -> Result<Result<i64, LinkState>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let row = tokens::find(&mut conn, token, Purpose::Activation).await?;
    drop(conn);
    let Some(row) = row else {
        return Ok(Err(LinkState::Unknown));
    };
    let user = account(db, row.user_id).await?;
    if !user.pending() {
        return Ok(Err(LinkState::Used));
    }
    match row.state(now) {
        TokenState::Valid => {}
        s => return Ok(Err(LinkState::from(s))),
    }
    AppError::check(check_activation(form, &user.identity()))?;
    let (Some(sexe), Ok(answer)) = (Sexe::parse(&form.sexe), check_new_answer(&form.reponse))
    else {
        return Err(AppError::BadRequest);
    };
    let password_hash = passwords::hash_password(form.password.clone()).await?;
    let answer_hash = passwords::hash_password(answer).await?;
    let mut tx = db.pool().begin().await?;
    if !tokens::consume(&mut tx, row.id, now).await? {
        tx.rollback().await?;
        return Ok(Err(LinkState::Used));
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
        return Ok(Err(LinkState::Used));
    }
    queue_identifiant_email(&mut tx, settings, &user, row.id, now).await?;
    tx.commit().await?;
    Ok(Ok(user.id))
}

/// The email that confirms an activation (through link `token_id`) and gives the identifiant,
/// queued in the activation's transaction.
pub(crate) async fn queue_identifiant_email(
    conn: &mut sqlx::AnyConnection,
    settings: &Settings,
    user: &Account,
    token_id: i64,
    now: i64,
) -> Result<(), AppError> {
    let email_text = texts::identifiant_email(
        user.first_name(),
        &user.identifiant,
        &settings.url(&Page::Connexion.href()),
        true,
    );
    enqueue(
        conn,
        &NewMessage::email(
            format!("activation:{token_id}:identifiant"),
            "identifiant",
            user.email.as_deref().unwrap_or_default(),
            &email_text,
            None,
        )
        .about(user.id, None),
        now,
    )
    .await?;
    Ok(())
}

/// « Identifiant oublié ? »: emails the identifiant of the active candidate account with this
/// (normalised) address, if there is one. `true` when a message was queued.
pub async fn send_identifiant(
    db: &Db,
    settings: &Settings,
    email_norm: &str,
    now: i64,
) -> Result<bool, AppError> {
    let found: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM users WHERE espace = 'usager' AND email_norm = $1 AND status = 'active'",
    )
    .bind(email_norm)
    .fetch_optional(db.pool())
    .await?;
    let Some((id,)) = found else {
        return Ok(false);
    };
    let user = account(db, id).await?;
    let text = texts::identifiant_email(
        user.first_name(),
        &user.identifiant,
        &settings.url(&Page::Connexion.href()),
        false,
    );
    let mut conn = db.pool().acquire().await?;
    enqueue(
        &mut conn,
        &NewMessage::email(
            random_key("identifiant-oublie"),
            "identifiant",
            user.email.as_deref().unwrap_or(email_norm),
            &text,
            None,
        )
        .about(user.id, None),
        now,
    )
    .await?;
    Ok(true)
}

/// The active candidate account with this normalised identifiant (or email).
pub async fn find_active_usager(db: &Db, identifiant: &str) -> Result<Option<i64>, AppError> {
    find_active(db, "usager", identifiant).await
}

/// The active professional account (school, agent, administrator) with this normalised
/// identifiant (or email).
pub async fn find_active_pro(db: &Db, identifiant: &str) -> Result<Option<i64>, AppError> {
    find_active(db, "pro", identifiant).await
}

async fn find_active(db: &Db, espace: &str, identifiant: &str) -> Result<Option<i64>, AppError> {
    let column = if crate::domain::account::looks_like_email(identifiant) {
        "email_norm"
    } else {
        "identifiant"
    };
    let found: Option<(i64,)> = sqlx::query_as(&format!(
        "SELECT id FROM users WHERE espace = $1 AND status = 'active' AND {column} = $2"
    ))
    .bind(espace)
    .bind(identifiant)
    .fetch_optional(db.pool())
    .await?;
    Ok(found.map(|(id,)| id))
}

/// « Mot de passe oublié ? » of a professional account: a reset link valid one hour, emailed
/// to the account's address (no secret question: staff accounts have none; the mailbox is the
/// proof). `true` when a link was sent.
pub async fn send_pro_reset_link(
    db: &Db,
    settings: &Settings,
    user_id: Option<i64>,
    now: i64,
) -> Result<bool, AppError> {
    let Some(id) = user_id else {
        return Ok(false);
    };
    let user = account(db, id).await?;
    if user.email.is_none() {
        return Ok(false);
    }
    email_reset_link(db, settings, &user, now).await?;
    Ok(true)
}

/// A reset link for `user`, emailed (the previous ones are revoked by `tokens::issue`).
async fn email_reset_link(
    db: &Db,
    settings: &Settings,
    user: &Account,
    now: i64,
) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    let (token, token_id) =
        tokens::issue(&mut tx, user.id, Purpose::Reset, RESET_VALIDITY_SECS, now).await?;
    let link = settings.url(&Page::Reinitialiser { token }.href());
    enqueue(
        &mut tx,
        &NewMessage::email(
            format!("reset:{token_id}"),
            "reinitialisation",
            user.email.as_deref().unwrap_or_default(),
            &texts::reset_email(user.first_name()),
            Some(link),
        )
        .about(user.id, None),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Queues `text` to the account's owner, when it has an address (`key`: the message's key and
/// kind), in the caller's transaction.
async fn tell_owner(
    conn: &mut sqlx::AnyConnection,
    user: &Account,
    (key, kind): (String, &'static str),
    text: &texts::Email,
    now: i64,
) -> Result<(), AppError> {
    if let Some(email) = user.email.as_deref() {
        enqueue(
            conn,
            &NewMessage::email(key, kind, email, text, None).about(user.id, None),
            now,
        )
        .await?;
    }
    Ok(())
}

/// A logged-in user changes their password: the current one must be right (`Ok(false)`
/// otherwise, nothing written), the new one pass the rules and differ from it. The other
/// sessions of the account end (this one stays), and an email tells the account's owner, in
/// case it was not them.
pub async fn change_password(
    db: &Db,
    user_id: i64,
    keep_session_hash: &str,
    form: &ChangementMotDePasseForm,
    now: i64,
) -> Result<bool, AppError> {
    let user = account(db, user_id).await?;
    AppError::check(check_password_change(form, &user.identity()))?;
    let stored: Option<(Option<String>,)> =
        sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    let stored = stored.and_then(|(h,)| h);
    if !passwords::verify_password(form.actuel.clone(), stored).await? {
        return Ok(false);
    }
    let hash = passwords::hash_password(form.password.clone()).await?;
    let mut tx = db.pool().begin().await?;
    super::users::set_password(&mut tx, user.id, hash).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user.id)
        .bind(keep_session_hash)
        .execute(&mut *tx)
        .await?;
    tell_owner(
        &mut tx,
        &user,
        (
            format!("mot-de-passe-change:{}:{now}", user.id),
            "mot_de_passe_change",
        ),
        &texts::password_changed_email(user.first_name()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A candidate activated through FranceConnect, who has no password, chooses one with a secret
/// question (to log in, and recover, without FranceConnect). Written only while the account
/// has no password: `Ok(false)` when it has one already (a second click, say: nothing
/// changes). The owner is told by email.
pub async fn choose_password(
    db: &Db,
    user_id: i64,
    form: &ChoixMotDePasseForm,
    now: i64,
) -> Result<bool, AppError> {
    let user = account(db, user_id).await?;
    AppError::check(check_password_choice(form, &user.identity()))?;
    let answer = check_new_answer(&form.reponse).map_err(|_| AppError::BadRequest)?;
    let password_hash = passwords::hash_password(form.password.clone()).await?;
    let answer_hash = passwords::hash_password(answer).await?;
    let mut tx = db.pool().begin().await?;
    let updated = sqlx::query(
        "UPDATE users SET password_hash = $1, secret_question = $2, secret_answer_hash = $3
         WHERE id = $4 AND password_hash IS NULL AND status = 'active'",
    )
    .bind(password_hash.0)
    .bind(&form.question)
    .bind(answer_hash.0)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    tell_owner(
        &mut tx,
        &user,
        (
            format!("mot-de-passe-choisi:{}", user.id),
            "mot_de_passe_choisi",
        ),
        &texts::password_chosen_email(user.first_name(), &user.identifiant),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// « Mot de passe oublié ? »: when the account exists, the question is its question and the
/// (folded) answer is right, emails a reset link valid one hour. The same work (one hash
/// check) is done whatever was wrong. `true` when a link was sent.
pub async fn send_reset_link(
    db: &Db,
    settings: &Settings,
    user_id: Option<i64>,
    question: &str,
    folded_answer: String,
    now: i64,
) -> Result<bool, AppError> {
    let user = match user_id {
        Some(id) => Some(account(db, id).await?),
        None => None,
    };
    let hash = user
        .as_ref()
        .filter(|u| u.secret_question.as_deref() == Some(question))
        .and_then(|u| u.secret_answer_hash.clone());
    let right = passwords::verify_password(folded_answer, hash).await?;
    let (true, Some(user)) = (right, user) else {
        return Ok(false);
    };
    email_reset_link(db, settings, &user, now).await?;
    Ok(true)
}

/// Where a reset link stands at `now`.
pub async fn reset_link_state(db: &Db, token: &str, now: i64) -> Result<LinkState, AppError> {
    let mut conn = db.pool().acquire().await?;
    Ok(
        match tokens::find(&mut conn, token, Purpose::Reset).await? {
            Some(row) => LinkState::from(row.state(now)),
            None => LinkState::Unknown,
        },
    )
}

/// Sets the new password of a reset link's account and closes all its sessions (whoever knew
/// the old password is logged out everywhere). `Ok(Err(state))`: the link cannot be used.
pub async fn reset_password(
    db: &Db,
    token: &str,
    form: &NouveauMotDePasseForm,
    now: i64,
) -> Result<Result<i64, LinkState>, AppError> {
    let mut conn = db.pool().acquire().await?;
    let row = tokens::find(&mut conn, token, Purpose::Reset).await?;
    drop(conn);
    let Some(row) = row else {
        return Ok(Err(LinkState::Unknown));
    };
    match row.state(now) {
        TokenState::Valid => {}
        s => return Ok(Err(LinkState::from(s))),
    }
    let user = account(db, row.user_id).await?;
    let mut errors = Vec::new();
    check_password_pair(
        &form.password,
        &form.confirmation,
        &user.identity(),
        &mut errors,
    );
    AppError::check(errors)?;
    let hash = passwords::hash_password(form.password.clone()).await?;
    let mut tx = db.pool().begin().await?;
    if !tokens::consume(&mut tx, row.id, now).await? {
        tx.rollback().await?;
        return Ok(Err(LinkState::Used));
    }
    super::users::set_password(&mut tx, user.id, hash).await?;
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Ok(user.id))
}
