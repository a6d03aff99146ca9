//! FranceConnect, the database's half: the logins under way (`state`, `nonce`, the browser
//! they belong to), the accounts linked to a FranceConnect identity, the activation of an
//! account through FranceConnect. The protocol itself (discovery, tokens, signatures) is the
//! server's (`server/src/franceconnect.rs`).

use sqlx::FromRow;

use crate::domain::activation::{LinkState, TokenState};
use crate::domain::identite::{autre_personne, ecarts, Ecart, IdentitePivot};
use crate::error::AppError;

use super::activation::{account, queue_identifiant_email};
use super::sessions::{hash_token, new_token};
use super::tokens::{self, Purpose};
use super::{Db, Settings};

/// How long a login may stay at the provider (the `state` and `nonce` expire after).
pub use crate::domain::deadlines::FRANCECONNECT_FLOW_SECS as FLOW_SECS;

/// What a FranceConnect login is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum But {
    /// « S'identifier avec FranceConnect »: log in to a linked account.
    Connexion,
    /// From an activation link: activate the account, without password.
    Activation,
    /// From Mon espace, logged in with a password: link FranceConnect to the account.
    Lier,
}

impl But {
    pub fn code(self) -> &'static str {
        match self {
            But::Connexion => "connexion",
            But::Activation => "activation",
            But::Lier => "lier",
        }
    }

    fn parse(s: &str) -> Option<But> {
        [But::Connexion, But::Activation, But::Lier]
            .into_iter()
            .find(|b| b.code() == s)
    }
}

/// A login sent to the provider: what goes in the authorization request (`state`, `nonce`)
/// and in the browser's cookie (`browser`). Only their hashes and the nonce are stored.
pub struct Started {
    pub state: String,
    pub nonce: String,
    pub browser: String,
}

/// Records a login under way. `activation_token`: the activation link's token (`Activation`);
/// `user_id`: the logged-in candidate (`Lier`).
pub async fn begin(
    db: &Db,
    but: But,
    activation_token: Option<&str>,
    user_id: Option<i64>,
    now: i64,
) -> Result<Started, AppError> {
    let (state, state_hash) = new_token();
    let (nonce, _) = new_token();
    let (browser, browser_hash) = new_token();
    sqlx::query(
        "INSERT INTO franceconnect_flows
             (state_hash, browser_hash, nonce, but, token_hash, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&state_hash)
    .bind(&browser_hash)
    .bind(&nonce)
    .bind(but.code())
    .bind(activation_token.map(hash_token))
    .bind(user_id)
    .bind(now)
    .bind(crate::domain::deadlines::franceconnect_flow_expiry(now))
    .execute(db.pool())
    .await?;
    Ok(Started {
        state,
        nonce,
        browser,
    })
}

/// A login back from the provider, taken once.
#[derive(Clone, Debug)]
pub struct Flow {
    pub but: But,
    pub nonce: String,
    pub token_hash: Option<String>,
    pub user_id: Option<i64>,
}

/// Why a `state` is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlowRefusal {
    /// Not one of ours (forged, or purged long ago).
    Unknown,
    /// Started in another browser (its cookie is missing or different).
    OtherBrowser,
    /// Past its ten minutes.
    Expired,
    /// Used already (a replayed answer, a reload of the return page).
    Used,
}

impl FlowRefusal {
    pub fn code(self) -> &'static str {
        match self {
            FlowRefusal::Unknown => "state_inconnu",
            FlowRefusal::OtherBrowser => "state_autre_navigateur",
            FlowRefusal::Expired => "state_expire",
            FlowRefusal::Used => "state_rejoue",
        }
    }
}

#[derive(FromRow)]
struct FlowRow {
    browser_hash: String,
    nonce: String,
    but: String,
    token_hash: Option<String>,
    user_id: Option<i64>,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Takes the login of `state` for the browser whose cookie holds `browser`: once (of two
/// concurrent returns, one wins), within its validity. The first answer that names a known
/// `state` uses it up, even when refused (another browser, too late): it can't be tried again.
pub async fn take(
    db: &Db,
    state: &str,
    browser: Option<&str>,
    now: i64,
) -> Result<Result<Flow, FlowRefusal>, AppError> {
    let state_hash = hash_token(state);
    let row: Option<FlowRow> = sqlx::query_as(
        "SELECT browser_hash, nonce, but, token_hash, user_id, expires_at, used_at
         FROM franceconnect_flows WHERE state_hash = $1",
    )
    .bind(&state_hash)
    .fetch_optional(db.pool())
    .await?;
    let Some(row) = row else {
        return Ok(Err(FlowRefusal::Unknown));
    };
    if row.used_at.is_some() {
        return Ok(Err(FlowRefusal::Used));
    }
    let taken = sqlx::query(
        "UPDATE franceconnect_flows SET used_at = $1 WHERE state_hash = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(&state_hash)
    .execute(db.pool())
    .await?;
    if taken.rows_affected() != 1 {
        return Ok(Err(FlowRefusal::Used));
    }
    if browser.map(hash_token).as_deref() != Some(row.browser_hash.as_str()) {
        return Ok(Err(FlowRefusal::OtherBrowser));
    }
    if row.expires_at <= now {
        return Ok(Err(FlowRefusal::Expired));
    }
    let but = But::parse(&row.but).ok_or_else(|| AppError::internal("but", &row.but))?;
    Ok(Ok(Flow {
        but,
        nonce: row.nonce,
        token_hash: row.token_hash,
        user_id: row.user_id,
    }))
}

/// Forgets the logins older than a day (used or not): the table stays small.
pub async fn purge(db: &Db, now: i64) -> Result<u64, AppError> {
    let r = sqlx::query("DELETE FROM franceconnect_flows WHERE expires_at <= $1")
        .bind(crate::domain::deadlines::franceconnect_flows_forgotten_before(now))
        .execute(db.pool())
        .await?;
    Ok(r.rows_affected())
}

/// An identity as FranceConnect sent it: its subject and its identité pivot.
#[derive(Clone, Debug)]
pub struct Certified {
    pub sub: String,
    pub pivot: IdentitePivot,
    pub email: Option<String>,
}

#[derive(FromRow)]
struct LinkRow {
    user_id: i64,
    given_name: String,
    family_name: String,
    preferred_name: String,
    birthdate: String,
    gender: String,
    birthplace: String,
    birthcountry: String,
}

impl LinkRow {
    fn pivot(self) -> (i64, IdentitePivot) {
        (
            self.user_id,
            IdentitePivot {
                prenoms: self.given_name,
                nom: self.family_name,
                nom_usage: self.preferred_name,
                date_naissance: self.birthdate,
                sexe: self.gender,
                lieu_naissance: self.birthplace,
                pays_naissance: self.birthcountry,
            },
        )
    }
}

const LINK_COLUMNS: &str = "user_id, given_name, family_name, preferred_name, birthdate, gender, \
                            birthplace, birthcountry";

/// The account a FranceConnect identity reaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Linked {
    /// The same subject and the same identité pivot: the account it is linked to.
    Account(i64),
    /// The same subject, but the identity certified today differs from the one linked (a
    /// correction of the civil registry, say): no login until the candidate links it again.
    Changed(i64),
}

/// The active candidate account linked to `who`: the same subject **and** the same identité
/// pivot (an email is never enough). `None` when no account is linked to this subject.
pub async fn linked_account(db: &Db, who: &Certified) -> Result<Option<Linked>, AppError> {
    let row: Option<LinkRow> = sqlx::query_as(&format!(
        "SELECT {LINK_COLUMNS} FROM franceconnect_links l
         JOIN users u ON u.id = l.user_id
         WHERE l.sub = $1 AND u.status = 'active' AND u.role = 'usager'"
    ))
    .bind(&who.sub)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(LinkRow::pivot).map(|(user_id, pivot)| {
        if pivot.same_person(&who.pivot) {
            Linked::Account(user_id)
        } else {
            Linked::Changed(user_id)
        }
    }))
}

/// The identity certified for a candidate's account, if it is linked.
pub async fn certified_identity(db: &Db, user_id: i64) -> Result<Option<IdentitePivot>, AppError> {
    let row: Option<LinkRow> = sqlx::query_as(&format!(
        "SELECT {LINK_COLUMNS} FROM franceconnect_links WHERE user_id = $1"
    ))
    .bind(user_id)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.map(|r| r.pivot().1))
}

/// Why an identity cannot be linked to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRefusal {
    /// This FranceConnect identity is linked to another account already.
    OtherAccount,
    /// This account is linked to another FranceConnect identity already.
    OtherIdentity,
}

impl LinkRefusal {
    pub fn code(self) -> &'static str {
        match self {
            LinkRefusal::OtherAccount => "identite_deja_reliee",
            LinkRefusal::OtherIdentity => "compte_deja_relie",
        }
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `q` with the identité pivot bound next, in the order of the link's columns (`given_name`
/// … `birthcountry`).
fn bind_pivot<'q>(q: AnyQuery<'q>, p: &'q IdentitePivot) -> AnyQuery<'q> {
    q.bind(&p.prenoms)
        .bind(&p.nom)
        .bind(&p.nom_usage)
        .bind(&p.date_naissance)
        .bind(&p.sexe)
        .bind(&p.lieu_naissance)
        .bind(&p.pays_naissance)
}

/// Links `who` to account `user_id` inside the caller's transaction. Linking the same subject
/// again (a second click, or after its identity changed) keeps the link and writes the
/// identity certified today.
async fn link_in(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    who: &Certified,
    now: i64,
) -> Result<Result<(), LinkRefusal>, AppError> {
    let existing: Option<(i64, String)> = sqlx::query_as(
        "SELECT user_id, sub FROM franceconnect_links WHERE user_id = $1 OR sub = $2",
    )
    .bind(user_id)
    .bind(&who.sub)
    .fetch_optional(&mut *conn)
    .await?;
    match existing {
        Some((u, sub)) if u == user_id && sub == who.sub => {
            bind_pivot(
                sqlx::query(
                    "UPDATE franceconnect_links SET given_name = $1, family_name = $2,
                         preferred_name = $3, birthdate = $4, gender = $5, birthplace = $6,
                         birthcountry = $7
                     WHERE user_id = $8",
                ),
                &who.pivot,
            )
            .bind(user_id)
            .execute(&mut *conn)
            .await?;
            return Ok(Ok(()));
        }
        Some((u, _)) if u == user_id => return Ok(Err(LinkRefusal::OtherIdentity)),
        Some(_) => return Ok(Err(LinkRefusal::OtherAccount)),
        None => {}
    }
    let inserted = bind_pivot(
        sqlx::query(
            "INSERT INTO franceconnect_links (user_id, sub, given_name, family_name,
                 preferred_name, birthdate, gender, birthplace, birthcountry, linked_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT DO NOTHING",
        )
        .bind(user_id)
        .bind(&who.sub),
        &who.pivot,
    )
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() != 1 {
        // Linked meanwhile by a concurrent request.
        return Ok(Err(LinkRefusal::OtherAccount));
    }
    Ok(Ok(()))
}

/// Links `who` to the active candidate account `user_id` (from Mon espace).
pub async fn link(
    db: &Db,
    user_id: i64,
    who: &Certified,
    now: i64,
) -> Result<Result<(), LinkRefusal>, AppError> {
    let mut tx = db.pool().begin().await?;
    let linked = link_in(&mut tx, user_id, who, now).await?;
    if linked.is_ok() {
        tx.commit().await?;
    } else {
        tx.rollback().await?;
    }
    Ok(linked)
}

/// Unlinks the candidate account `user_id` from its FranceConnect identity, if the account has
/// a password (without one, it could not log in any more). `false`: nothing unlinked.
pub async fn unlink(db: &Db, user_id: i64) -> Result<bool, AppError> {
    let r = sqlx::query(
        "DELETE FROM franceconnect_links WHERE user_id = $1
           AND EXISTS (SELECT 1 FROM users u WHERE u.id = $1 AND u.password_hash IS NOT NULL)",
    )
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(r.rows_affected() == 1)
}

/// Why an activation through FranceConnect did not happen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActivationRefusal {
    Link(LinkState),
    Identity(LinkRefusal),
    /// The certified identity is plainly not the candidate the school typed (another birth
    /// date and another first name: a parent, say).
    AutrePersonne,
}

/// Activates the account of the activation link whose token hash is `token_hash` with the
/// identity FranceConnect certified: no password, no secret question; the link is used up,
/// the account is active (the 7-day deletion no longer applies), linked to the identity, and
/// the candidate is emailed their identifiant. Returns the account.
pub async fn activate(
    db: &Db,
    settings: &Settings,
    token_hash: &str,
    who: &Certified,
    now: i64,
) -> Result<Result<i64, ActivationRefusal>, AppError> {
    let refused = |s| Ok(Err(ActivationRefusal::Link(s)));
    let mut conn = db.pool().acquire().await?;
    let row = tokens::find_by_hash(&mut conn, token_hash, Purpose::Activation).await?;
    drop(conn);
    let Some(row) = row else {
        return refused(LinkState::Unknown);
    };
    let user = account(db, row.user_id).await?;
    if !user.pending() {
        return refused(LinkState::Used);
    }
    match row.state(now) {
        TokenState::Valid => {}
        s => return refused(LinkState::from(s)),
    }
    if waiting_etat_civil(db, user.id)
        .await?
        .is_some_and(|etat_civil| autre_personne(&etat_civil, &who.pivot))
    {
        return Ok(Err(ActivationRefusal::AutrePersonne));
    }
    let sexe = who.pivot.sexe().map(|s| s.code());
    let mut tx = db.pool().begin().await?;
    if !tokens::consume(&mut tx, row.id, now).await? {
        tx.rollback().await?;
        return refused(LinkState::Used);
    }
    let updated = sqlx::query(
        "UPDATE users SET status = 'active', sexe = COALESCE($1, sexe), activated_at = $2
         WHERE id = $3 AND status = 'pending_activation'",
    )
    .bind(sexe)
    .bind(now)
    .bind(user.id)
    .execute(&mut *tx)
    .await?;
    if updated.rows_affected() != 1 {
        tx.rollback().await?;
        return refused(LinkState::Used);
    }
    if let Err(r) = link_in(&mut tx, user.id, who, now).await? {
        tx.rollback().await?;
        return Ok(Err(ActivationRefusal::Identity(r)));
    }
    queue_identifiant_email(&mut tx, settings, &user, row.id, now).await?;
    tx.commit().await?;
    Ok(Ok(user.id))
}

/// The état civil of the demande waiting for the candidate `user_id` (the latest).
async fn waiting_etat_civil(
    db: &Db,
    user_id: i64,
) -> Result<Option<crate::domain::demande::EtatCivil>, AppError> {
    let data: Option<(String,)> = sqlx::query_as(
        "SELECT data FROM demandes WHERE usager_id = $1 AND etat = $2 ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .bind(crate::domain::demande::Etat::AttenteUsager.code())
    .fetch_optional(db.pool())
    .await?;
    Ok(data
        .and_then(|(d,)| serde_json::from_str::<crate::domain::demande::DemandeData>(&d).ok())
        .and_then(|d| d.etat_civil))
}

/// Where the état civil of a demande (`data`) differs from the identity FranceConnect
/// certified for candidate `usager_id`: `None` when the account is not linked (nothing to
/// compare with).
pub async fn ecarts_of(
    db: &Db,
    communes: &crate::domain::communes::Communes,
    usager_id: i64,
    data: &crate::domain::demande::DemandeData,
) -> Result<Option<Vec<Ecart>>, AppError> {
    let Some(pivot) = certified_identity(db, usager_id).await? else {
        return Ok(None);
    };
    Ok(Some(match data.etat_civil.as_ref() {
        Some(etat_civil) => ecarts(etat_civil, &pivot, |code| {
            communes.name_of(code).map(str::to_string)
        }),
        None => Vec::new(),
    }))
}

/// Records a login through FranceConnect on the link (when it was last used).
pub async fn record_login(db: &Db, user_id: i64, now: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE franceconnect_links SET last_login_at = $1 WHERE user_id = $2")
        .bind(now)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}
