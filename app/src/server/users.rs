//! Accounts and schools.

use sqlx::FromRow;

use crate::domain::account::{Espace, Role};
use crate::error::AppError;

use super::db::ResultExt;
use super::passwords::PasswordHashString;
use super::Db;

/// What login needs to know about an account.
#[derive(FromRow)]
pub struct LoginCandidate {
    pub id: i64,
    pub role: String,
    pub status: String,
    pub password_hash: Option<String>,
}

impl std::fmt::Debug for LoginCandidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoginCandidate")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

/// Finds the account a login form designates: by email when the identifier has an `@`,
/// otherwise by identifiant; only among the roles of that login page.
pub async fn find_for_login(
    db: &Db,
    espace: Espace,
    normalized: &str,
) -> Result<Option<LoginCandidate>, AppError> {
    let sql = if crate::domain::account::looks_like_email(normalized) {
        "SELECT id, role, status, password_hash FROM users WHERE espace = $1 AND email_norm = $2"
    } else {
        "SELECT id, role, status, password_hash FROM users WHERE espace = $1 AND identifiant = $2"
    };
    Ok(sqlx::query_as::<_, LoginCandidate>(sql)
        .bind(espace.as_str())
        .bind(normalized)
        .fetch_optional(db.pool())
        .await?)
}

/// Records a successful login: the previous « dernière connexion » is kept for display.
/// The password hashes of the accounts with this identifiant (in any espace).
pub async fn password_hashes_of(
    db: &Db,
    identifiant: &str,
) -> Result<Vec<Option<String>>, AppError> {
    let rows: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT password_hash FROM users WHERE identifiant = $1")
            .bind(identifiant)
            .fetch_all(db.pool())
            .await?;
    Ok(rows.into_iter().map(|(h,)| h).collect())
}

pub async fn record_login(db: &Db, user_id: i64, now: i64) -> Result<(), AppError> {
    sqlx::query(
        "UPDATE users SET previous_login_at = last_login_at, last_login_at = $1 WHERE id = $2",
    )
    .bind(now)
    .bind(user_id)
    .execute(db.pool())
    .await?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct NewSchool {
    pub name: String,
    pub agrement: String,
    pub departement: String,
}

#[derive(Debug, Clone, FromRow)]
pub struct School {
    pub id: i64,
    pub name: String,
    pub agrement: String,
    pub departement: String,
}

pub async fn create_school(db: &Db, school: &NewSchool, now: i64) -> Result<i64, AppError> {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO schools (name, agrement, departement, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(school.name.trim())
    .bind(school.agrement.trim().to_uppercase())
    .bind(school.departement.trim())
    .bind(now)
    .fetch_one(db.pool())
    .await
    .on_unique(
        "agrement",
        "Une école de conduite avec ce numéro d'agrément existe déjà.",
    )?;
    Ok(row.0)
}

pub async fn find_school_by_agrement(db: &Db, agrement: &str) -> Result<Option<School>, AppError> {
    Ok(sqlx::query_as::<_, School>(
        "SELECT id, name, agrement, departement FROM schools WHERE agrement = $1",
    )
    .bind(agrement.trim().to_uppercase())
    .fetch_optional(db.pool())
    .await?)
}

#[derive(Debug)]
pub struct NewUser {
    pub role: Role,
    pub identifiant: String,
    pub email: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub school_id: Option<i64>,
    pub password_hash: Option<PasswordHashString>,
}

pub async fn create_user(db: &Db, user: NewUser, now: i64) -> Result<i64, AppError> {
    let identifiant = crate::domain::account::normalize_identifier(&user.identifiant)
        .map_err(|p| AppError::field("identifiant", p.message()))?;
    if identifiant.contains('@') {
        return Err(AppError::field(
            "identifiant",
            "L'identifiant ne peut pas contenir « @ » (il se distingue ainsi d'une adresse électronique).",
        ));
    }
    let email = user
        .email
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty());
    let status = if user.password_hash.is_some() {
        "active"
    } else {
        "pending_activation"
    };
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO users (role, espace, identifiant, email, email_norm, password_hash, status, prenom, nom, school_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
    )
    .bind(user.role.as_str())
    .bind(user.role.espace().as_str())
    .bind(&identifiant)
    .bind(email)
    .bind(email.map(str::to_lowercase))
    .bind(user.password_hash.map(|h| h.0))
    .bind(status)
    .bind(user.prenom.trim())
    .bind(user.nom.trim())
    .bind(user.school_id)
    .bind(now)
    .fetch_one(db.pool())
    .await
    .on_unique(
        "identifiant",
        "Un compte utilise déjà cet identifiant ou cette adresse électronique.",
    )?;
    Ok(row.0)
}

/// Replaces a user's password (inside the caller's transaction).
pub async fn set_password(
    conn: &mut sqlx::AnyConnection,
    user_id: i64,
    hash: PasswordHashString,
) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash.0)
        .bind(user_id)
        .execute(conn)
        .await?;
    Ok(())
}

pub async fn find_id_by_identifiant(db: &Db, identifiant: &str) -> Result<Option<i64>, AppError> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE identifiant = $1")
        .bind(identifiant.trim().to_lowercase())
        .fetch_optional(db.pool())
        .await?;
    Ok(row.map(|r| r.0))
}

pub async fn school(db: &Db, school_id: i64) -> Result<School, AppError> {
    Ok(sqlx::query_as::<_, School>(
        "SELECT id, name, agrement, departement FROM schools WHERE id = $1",
    )
    .bind(school_id)
    .fetch_one(db.pool())
    .await?)
}

/// Who at a school receives its notices: its active users with an email, as (id, email).
pub async fn school_recipients(
    conn: &mut sqlx::AnyConnection,
    school_id: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    Ok(recipients_of_schools(conn, &[school_id])
        .await?
        .into_iter()
        .map(|(_, id, email)| (id, email))
        .collect())
}

/// `school_recipients` of many schools in one statement: (school, user, email).
pub async fn recipients_of_schools(
    conn: &mut sqlx::AnyConnection,
    school_ids: &[i64],
) -> Result<Vec<(i64, i64, String)>, AppError> {
    if school_ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(sqlx::query_as(&recipients_sql(school_ids))
        .fetch_all(conn)
        .await?)
}

/// `recipients_of_schools` grouped by school: each school's (user, email), in id order — for
/// the jobs' batches, where each demande's message goes to its school's users.
pub async fn recipients_by_school(
    conn: &mut sqlx::AnyConnection,
    school_ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<(i64, String)>>, AppError> {
    let mut by_school: std::collections::HashMap<i64, Vec<(i64, String)>> = Default::default();
    for (school, user, email) in recipients_of_schools(conn, school_ids).await? {
        by_school.entry(school).or_default().push((user, email));
    }
    Ok(by_school)
}

/// The statement of `recipients_of_schools`; apart so that a test checks its plan.
pub fn recipients_sql(school_ids: &[i64]) -> String {
    format!(
        "SELECT school_id, id, email FROM users WHERE school_id IN ({}) AND role = 'ecole'
         AND status = 'active' AND email IS NOT NULL ORDER BY school_id, id",
        super::db::id_list(school_ids)
    )
}
