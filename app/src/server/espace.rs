//! « Mon espace »: what a candidate's pages read — their demandes, the messages sent to them,
//! their account. Only what belongs to `usager_id`.

use crate::domain::demande::Etat;
use crate::error::AppError;

use super::Db;

/// A line of « Mes démarches en cours ».
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DemarcheRow {
    pub id: i64,
    pub prenom: String,
    pub nom: String,
    pub numero: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub etat: Etat,
    /// Number and names, folded (case, accents).
    pub recherche: String,
}

/// The candidate's demandes but drafts ($2), newest first (index `demandes_usager`).
pub const DEMARCHES: &str =
    "SELECT id, prenom, nom, numero, created_at, updated_at, etat, recherche FROM demandes
     WHERE usager_id = $1 AND etat <> $2 ORDER BY updated_at DESC, id DESC";

/// The demandes waiting for the candidate's decision ($2), newest first.
pub const A_VALIDER: &str = "SELECT d.id, d.numero, s.name, d.validated_at FROM demandes d
     JOIN schools s ON s.id = d.school_id
     WHERE d.usager_id = $1 AND d.etat = $2
     ORDER BY d.validated_at DESC, d.id DESC";

/// The candidate's demandes (never a draft), newest first; `q` searches number and names like
/// the lists (`mots::matches`: each word starts one of theirs), case and accents ignored.
pub async fn demarches(
    db: &Db,
    usager_id: i64,
    q: Option<&str>,
) -> Result<Vec<DemarcheRow>, AppError> {
    let rows: Vec<DemarcheRow> = sqlx::query_as(DEMARCHES)
        .bind(usager_id)
        .bind(Etat::Brouillon)
        .fetch_all(db.pool())
        .await?;
    let words = super::mots::of_search(q.unwrap_or(""));
    Ok(rows
        .into_iter()
        .filter(|r| super::mots::matches(&r.recherche, &words))
        .collect())
}

/// The demandes awaiting the candidate's decision: (id, numéro, school, validated at), newest
/// first.
pub async fn a_valider(
    db: &Db,
    usager_id: i64,
) -> Result<Vec<(i64, String, String, i64)>, AppError> {
    Ok(sqlx::query_as(A_VALIDER)
        .bind(usager_id)
        .bind(Etat::AttenteUsager)
        .fetch_all(db.pool())
        .await?)
}

/// A message sent to the candidate (its personal link is not kept).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct MessageRow {
    pub channel: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub created_at: i64,
}

/// The 100 latest messages sent to the candidate, newest first.
pub async fn messages(db: &Db, usager_id: i64) -> Result<Vec<MessageRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT channel, subject, body_text, status, created_at FROM outbox
         WHERE user_id = $1 ORDER BY id DESC LIMIT 100",
    )
    .bind(usager_id)
    .fetch_all(db.pool())
    .await?)
}

/// The candidate's demandes with their content (JSON), newest first: (id, numéro, état, data).
pub async fn demandes(
    db: &Db,
    usager_id: i64,
) -> Result<Vec<(i64, Option<String>, Etat, String)>, AppError> {
    Ok(sqlx::query_as(
        "SELECT id, numero, etat, data FROM demandes
         WHERE usager_id = $1 AND etat <> $2 ORDER BY updated_at DESC, id DESC",
    )
    .bind(usager_id)
    .bind(Etat::Brouillon)
    .fetch_all(db.pool())
    .await?)
}

/// « Mes données personnelles »: what the account holds.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AccountRow {
    pub identifiant: String,
    pub prenom: String,
    pub nom: String,
    pub sexe: Option<String>,
    pub email: Option<String>,
    pub activated_at: Option<i64>,
}

pub async fn account(db: &Db, usager_id: i64) -> Result<AccountRow, AppError> {
    Ok(sqlx::query_as(
        "SELECT identifiant, prenom, nom, sexe, email, activated_at FROM users WHERE id = $1",
    )
    .bind(usager_id)
    .fetch_one(db.pool())
    .await?)
}

/// A demande as its candidate sees it, and what the review page adds: the school's name,
/// when the candidate decided and the reason of a refusal.
pub async fn demande(
    db: &Db,
    usager_id: i64,
    id: i64,
) -> Result<
    (
        super::demandes::DemandeRow,
        String,
        Option<i64>,
        Option<String>,
    ),
    AppError,
> {
    let row = super::decision::get_for_usager(db, usager_id, id).await?;
    let (school_name, decided_at, refus_motif): (String, Option<i64>, Option<String>) =
        sqlx::query_as(
            "SELECT s.name, d.decided_at, d.refus_motif FROM demandes d
             JOIN schools s ON s.id = d.school_id WHERE d.id = $1",
        )
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    Ok((row, school_name, decided_at, refus_motif))
}
