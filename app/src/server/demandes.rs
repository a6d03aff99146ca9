//! Demandes in the database. Every function takes the school the caller belongs to: a demande
//! of another school is « not found », never « forbidden » (its existence is not revealed).

use sqlx::FromRow;

use crate::domain::demande::{DemandeData, Etat};
use crate::error::AppError;

use super::Db;

#[derive(Debug, Clone, FromRow)]
pub struct DemandeRow {
    pub id: i64,
    pub school_id: i64,
    pub etat: String,
    pub numero: Option<String>,
    pub data: String,
    pub etape: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub validated_at: Option<i64>,
    pub version: i64,
}

impl DemandeRow {
    /// An unknown state is never treated as an editable draft.
    pub fn etat(&self) -> Etat {
        Etat::parse(&self.etat).unwrap_or(Etat::AttenteUsager)
    }

    pub fn data(&self) -> Result<DemandeData, AppError> {
        serde_json::from_str(&self.data).map_err(|e| AppError::internal("demande data", e))
    }
}

pub(crate) const COLUMNS: &str =
    "id, school_id, etat, numero, data, etape, created_at, updated_at, validated_at, version";

pub const CHANGED_MEANWHILE: &str = "La demande a été modifiée entre-temps (dans un autre onglet ?) : rechargez la page puis recommencez.";

/// What the list's search looks in: number and names, folded (case, accents) the same way on
/// both databases.
fn search_text(numero: Option<&str>, prenom: &str, nom: &str) -> String {
    crate::domain::communes::fold(&format!("{} {prenom} {nom}", numero.unwrap_or("")))
}

pub async fn create(db: &Db, school_id: i64, user_id: i64, now: i64) -> Result<i64, AppError> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO demandes (school_id, created_by, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(now)
    .fetch_one(db.pool())
    .await?;
    Ok(id)
}

pub async fn get(db: &Db, school_id: i64, id: i64) -> Result<DemandeRow, AppError> {
    sqlx::query_as::<_, DemandeRow>(&format!(
        "SELECT {COLUMNS} FROM demandes WHERE id = $1 AND school_id = $2"
    ))
    .bind(id)
    .bind(school_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

pub const NOT_EDITABLE: &str =
    "Cette demande a déjà été validée : elle ne peut plus être modifiée.";

/// Saves the steps of a draft read at `version`, and the step to resume at.
#[allow(clippy::too_many_arguments)]
pub async fn save(
    db: &Db,
    school_id: i64,
    id: i64,
    version: i64,
    data: &DemandeData,
    etape: i64,
    now: i64,
) -> Result<(), AppError> {
    let json = serde_json::to_string(data).map_err(|e| AppError::internal("demande json", e))?;
    let (prenom, nom) = data.listing_names();
    let categories = data
        .motif
        .as_ref()
        .map(|m| {
            m.categories
                .iter()
                .map(|c| c.code())
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default();
    let recherche = search_text(None, &prenom, &nom);
    let r = sqlx::query(
        "UPDATE demandes SET data = $1, prenom = $2, nom = $3, categories = $4, etape = $5, updated_at = $6,
                recherche = $7, version = version + 1
         WHERE id = $8 AND school_id = $9 AND etat = 'brouillon' AND version = $10",
    )
    .bind(json)
    .bind(prenom)
    .bind(nom)
    .bind(categories)
    .bind(etape)
    .bind(now)
    .bind(recherche)
    .bind(id)
    .bind(school_id)
    .bind(version)
    .execute(db.pool())
    .await?;
    if r.rows_affected() == 0 {
        // Not this school's (404), no longer a draft, or changed since it was read.
        let row = get(db, school_id, id).await?;
        return Err(AppError::Conflict(if row.etat() == Etat::Brouillon {
            CHANGED_MEANWHILE.into()
        } else {
            NOT_EDITABLE.into()
        }));
    }
    Ok(())
}

/// Filters of the school's list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub search: String,
    pub etat: Option<Etat>,
    pub oldest_first: bool,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, FromRow)]
pub struct SummaryRow {
    pub id: i64,
    pub numero: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub categories: String,
    pub etat: String,
    pub etape: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub liens_renvoyes: i64,
    /// 1 when the demande waits for a candidate whose account is not activated yet.
    pub compte_a_activer: i64,
    /// The deadline of the candidate's latest usable activation link.
    pub activation_deadline: Option<i64>,
    pub decided_at: Option<i64>,
}

/// A page of the school's demandes, and how many match in all.
pub async fn list(
    db: &Db,
    school_id: i64,
    f: &ListFilter,
) -> Result<(Vec<SummaryRow>, i64), AppError> {
    let pattern = format!(
        "%{}%",
        crate::domain::communes::fold(f.search.trim())
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    );
    let etat = f.etat.map(|e| e.code().to_string()).unwrap_or_default();
    let filter = "school_id = $1
        AND ($2 = '' OR etat = $2)
        AND ($3 = '%%' OR recherche LIKE $3 ESCAPE '\\')";
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM demandes WHERE {filter}"))
        .bind(school_id)
        .bind(&etat)
        .bind(&pattern)
        .fetch_one(db.pool())
        .await?;
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let per_page = f.per_page.clamp(1, 100) as i64;
    let offset = (f.page.max(1) as i64 - 1) * per_page;
    let rows = sqlx::query_as::<_, SummaryRow>(&format!(
        "SELECT id, numero, prenom, nom, categories, etat, etape, created_at, updated_at,
                liens_renvoyes,
                CAST(CASE WHEN etat = 'attente_usager' AND EXISTS (
                    SELECT 1 FROM users u WHERE u.id = demandes.usager_id
                    AND u.status = 'pending_activation') THEN 1 ELSE 0 END AS BIGINT)
                    AS compte_a_activer,
                (SELECT MAX(t.expires_at) FROM account_tokens t
                  WHERE t.user_id = demandes.usager_id AND t.purpose = 'activation'
                    AND t.used_at IS NULL AND t.revoked_at IS NULL) AS activation_deadline,
                decided_at
         FROM demandes WHERE {filter}
         ORDER BY updated_at {order}, id {order} LIMIT $4 OFFSET $5"
    ))
    .bind(school_id)
    .bind(&etat)
    .bind(&pattern)
    .bind(per_page)
    .bind(offset)
    .fetch_all(db.pool())
    .await?;
    Ok((rows, total))
}

/// « 75-261126-0042 »: département of the school, date (YYMMDD, Paris), daily sequence.
pub fn format_numero(departement: &str, yymmdd: &str, seq: i64) -> String {
    format!("{departement}-{yymmdd}-{seq:04}")
}

/// What validating did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validation {
    /// This call validated the demande and assigned its number.
    Done(String),
    /// It had been validated already (double click, another tab): same number, nothing changed.
    AlreadyDone(String),
}

/// What validating needs, read from the draft before the transaction.
pub struct ValidationRequest<'a> {
    pub school_id: i64,
    pub id: i64,
    /// The version the completeness checks were made on.
    pub version: i64,
    pub departement: &'a str,
    pub yymmdd: &'a str,
    pub ephoto_code: Option<&'a str>,
    pub prenom: &'a str,
    pub nom: &'a str,
    pub school_name: &'a str,
    pub candidate: &'a super::handover::Candidate,
    pub settings: &'a super::Settings,
}

/// Moves a complete draft to « En attente de validation usager », assigns its number, claims
/// its e-photo code and records the event, in one transaction. The first statement is a write,
/// so SQLite takes its write lock at once; on PostgreSQL a second validation waits on the row
/// and then finds it validated. If the draft changed after it was checked, nothing happens.
/// The candidate's account and the notifications are part of the same transaction (see
/// `handover`).
pub async fn validate(
    db: &Db,
    v: &ValidationRequest<'_>,
    now: i64,
) -> Result<Validation, AppError> {
    let scope = format!("{}-{}", v.departement, v.yymmdd);
    let mut tx = db.pool().begin().await?;
    let (seq,): (i64,) = sqlx::query_as(
        "INSERT INTO numero_sequences (scope, last) VALUES ($1, 1)
         ON CONFLICT (scope) DO UPDATE SET last = numero_sequences.last + 1 RETURNING last",
    )
    .bind(&scope)
    .fetch_one(&mut *tx)
    .await?;
    let numero = format_numero(v.departement, v.yymmdd, seq);
    let r = sqlx::query(
        "UPDATE demandes SET etat = $1, numero = $2, validated_at = $3, updated_at = $3, etape = 6,
                recherche = $4, version = version + 1
         WHERE id = $5 AND school_id = $6 AND etat = 'brouillon' AND version = $7",
    )
    .bind(Etat::AttenteUsager.code())
    .bind(&numero)
    .bind(now)
    .bind(search_text(Some(&numero), v.prenom, v.nom))
    .bind(v.id)
    .bind(v.school_id)
    .bind(v.version)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        tx.rollback().await?;
        let row = get(db, v.school_id, v.id).await?;
        return match row.numero {
            Some(n) => Ok(Validation::AlreadyDone(n)),
            None => Err(AppError::Conflict(CHANGED_MEANWHILE.into())),
        };
    }
    sqlx::query("INSERT INTO demande_events (demande_id, kind, created_at) VALUES ($1, 'validee_par_ecole', $2)")
        .bind(v.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    super::handover::hand_over(
        &mut tx,
        v.settings,
        v.id,
        &numero,
        v.school_id,
        v.school_name,
        v.candidate,
        now,
    )
    .await?;
    if let Some(code) = v.ephoto_code {
        // Claimed last: a code taken meanwhile rolls back the account and the messages too.
        // Claimed only if still free (or already ours) and recent: two demandes validated at
        // the same moment cannot both take it.
        let claimed = sqlx::query(
            "UPDATE ephoto_codes SET demande_id = $1
             WHERE code = $2 AND (demande_id IS NULL OR demande_id = $1) AND created_at > $3",
        )
        .bind(v.id)
        .bind(code)
        .bind(now - EPHOTO_VALIDITY_SECS)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            tx.rollback().await?;
            return Err(AppError::Conflict(
                "Le code e-photo n'est plus utilisable (déjà pris par une autre demande, ou expiré) : corrigez l'étape 4.".into(),
            ));
        }
    }
    tx.commit().await?;
    Ok(Validation::Done(numero))
}

/// E-photo codes are valid six months (183 days) after issue.
pub const EPHOTO_VALIDITY_SECS: i64 = 183 * 86_400;

/// Why an e-photo code cannot be used, if it cannot.
pub async fn ephoto_problem(
    db: &Db,
    code: &str,
    demande_id: i64,
    now: i64,
) -> Result<Option<&'static str>, AppError> {
    let row: Option<(i64, Option<i64>)> =
        sqlx::query_as("SELECT created_at, demande_id FROM ephoto_codes WHERE code = $1")
            .bind(code)
            .fetch_optional(db.pool())
            .await?;
    Ok(match row {
        None => Some("Ce code e-photo est inconnu : vérifiez-le sur la planche remise par la cabine ou le photographe."),
        Some((_, Some(other))) if other != demande_id => {
            Some("Ce code e-photo a déjà servi pour une autre demande : une nouvelle photo est nécessaire.")
        }
        Some((created, _)) if now - created > EPHOTO_VALIDITY_SECS => {
            Some("Ce code e-photo a plus de 6 mois : il n'est plus valable, une nouvelle photo est nécessaire.")
        }
        Some(_) => None,
    })
}

pub async fn register_ephoto_code(
    db: &Db,
    code: &str,
    provider: &str,
    created_at: i64,
) -> Result<(), AppError> {
    sqlx::query("INSERT INTO ephoto_codes (code, provider, created_at) VALUES ($1, $2, $3) ON CONFLICT (code) DO NOTHING")
        .bind(code)
        .bind(provider)
        .bind(created_at)
        .execute(db.pool())
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_are_readable() {
        assert_eq!(super::format_numero("75", "261126", 42), "75-261126-0042");
        assert_eq!(
            super::format_numero("2A", "261126", 12345),
            "2A-261126-12345"
        );
    }
}

/// A stored file of a supporting document.
#[derive(Debug, Clone, FromRow)]
pub struct PieceRow {
    pub id: i64,
    pub demande_id: i64,
    pub kind: String,
    pub storage_key: String,
    pub thumb_key: Option<String>,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub pages: i64,
    pub created_at: i64,
}

const PIECE_COLUMNS: &str =
    "id, demande_id, kind, storage_key, thumb_key, filename, content_type, size, pages, created_at";

pub async fn list_pieces(db: &Db, demande_id: i64) -> Result<Vec<PieceRow>, AppError> {
    Ok(sqlx::query_as::<_, PieceRow>(&format!(
        "SELECT {PIECE_COLUMNS} FROM pieces WHERE demande_id = $1 ORDER BY kind, id"
    ))
    .bind(demande_id)
    .fetch_all(db.pool())
    .await?)
}

pub async fn get_piece(db: &Db, demande_id: i64, piece_id: i64) -> Result<PieceRow, AppError> {
    sqlx::query_as::<_, PieceRow>(&format!(
        "SELECT {PIECE_COLUMNS} FROM pieces WHERE demande_id = $1 AND id = $2"
    ))
    .bind(demande_id)
    .bind(piece_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)
}

pub struct NewPiece<'a> {
    pub demande_id: i64,
    /// The new file replaces the files already deposited for this piece.
    pub replace: bool,
    pub kind: &'a str,
    pub storage_key: &'a str,
    pub thumb_key: Option<&'a str>,
    pub filename: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub pages: i64,
}

/// Records a file if the piece stays within `max_pages` (after removing the piece's previous
/// files when it replaces them); returns the pages the piece would have had when it does not
/// (nothing recorded).
pub async fn add_piece(
    db: &Db,
    p: &NewPiece<'_>,
    max_pages: i64,
    now: i64,
) -> Result<Result<(i64, Vec<String>), i64>, AppError> {
    let mut tx = db.pool().begin().await?;
    // A write first: concurrent uploads for one demande are decided one after the other, and
    // a demande validated meanwhile takes no more files.
    let draft = sqlx::query(
        "UPDATE demandes SET updated_at = $1, version = version + 1 WHERE id = $2 AND etat = 'brouillon'",
    )
    .bind(now)
    .bind(p.demande_id)
    .execute(&mut *tx)
    .await?;
    if draft.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::Conflict(NOT_EDITABLE.into()));
    }
    let replaced: Vec<(String, Option<String>)> = if p.replace {
        let rows = sqlx::query_as(
            "SELECT storage_key, thumb_key FROM pieces WHERE demande_id = $1 AND kind = $2",
        )
        .bind(p.demande_id)
        .bind(p.kind)
        .fetch_all(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM pieces WHERE demande_id = $1 AND kind = $2")
            .bind(p.demande_id)
            .bind(p.kind)
            .execute(&mut *tx)
            .await?;
        rows
    } else {
        Vec::new()
    };
    let (already,): (i64,) = sqlx::query_as(
        "SELECT CAST(COALESCE(SUM(pages), 0) AS BIGINT) FROM pieces WHERE demande_id = $1 AND kind = $2",
    )
    .bind(p.demande_id)
    .bind(p.kind)
    .fetch_one(&mut *tx)
    .await?;
    if already + p.pages > max_pages {
        tx.rollback().await?;
        return Ok(Err(already + p.pages));
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO pieces (demande_id, kind, storage_key, thumb_key, filename, content_type, size, pages, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
    )
    .bind(p.demande_id)
    .bind(p.kind)
    .bind(p.storage_key)
    .bind(p.thumb_key)
    .bind(p.filename)
    .bind(p.content_type)
    .bind(p.size)
    .bind(p.pages)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    // The replaced files' stored objects, for the caller to remove.
    let stale = replaced
        .into_iter()
        .flat_map(|(key, thumb)| std::iter::once(key).chain(thumb))
        .collect();
    Ok(Ok((id, stale)))
}

/// Deletes a file of a draft (never of a validated demande), in one transaction.
pub async fn delete_piece(
    db: &Db,
    demande_id: i64,
    piece_id: i64,
    now: i64,
) -> Result<PieceRow, AppError> {
    let row = get_piece(db, demande_id, piece_id).await?;
    let mut tx = db.pool().begin().await?;
    let draft = sqlx::query(
        "UPDATE demandes SET updated_at = $1, version = version + 1 WHERE id = $2 AND etat = 'brouillon'",
    )
    .bind(now)
    .bind(demande_id)
    .execute(&mut *tx)
    .await?;
    if draft.rows_affected() == 0 {
        tx.rollback().await?;
        return Err(AppError::Conflict(NOT_EDITABLE.into()));
    }
    sqlx::query("DELETE FROM pieces WHERE id = $1 AND demande_id = $2")
        .bind(piece_id)
        .bind(demande_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(row)
}
