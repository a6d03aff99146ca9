//! Demandes in the database. Every function takes the school the caller belongs to: a demande
//! of another school is « not found », never « forbidden » (its existence is not revealed).

use sqlx::any::{AnyTypeInfo, AnyValueRef};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::{Any, AnyConnection, Database, Decode, Encode, FromRow, Type};

use crate::domain::demande::{DemandeData, Etat, Evenement};
use crate::error::AppError;

use super::db::{bind_all, page_window, Backend, Bind, SEARCH_AT_ONCE};
use super::mots;
use super::Db;

// A state crosses the database boundary as its code, and a row carries an `Etat`: an unknown
// value in the table is one logged internal error (a decoding error), never a guess.
impl Type<Any> for Etat {
    fn type_info() -> AnyTypeInfo {
        <String as Type<Any>>::type_info()
    }

    fn compatible(ty: &AnyTypeInfo) -> bool {
        <String as Type<Any>>::compatible(ty)
    }
}

impl<'q> Encode<'q, Any> for Etat {
    fn encode_by_ref(
        &self,
        buf: &mut <Any as Database>::ArgumentBuffer<'q>,
    ) -> Result<IsNull, BoxDynError> {
        <&str as Encode<'q, Any>>::encode_by_ref(&self.code(), buf)
    }
}

impl<'r> Decode<'r, Any> for Etat {
    fn decode(value: AnyValueRef<'r>) -> Result<Self, BoxDynError> {
        let code = <String as Decode<'r, Any>>::decode(value)?;
        Etat::parse(&code).ok_or_else(|| format!("état de demande inconnu : {code:?}").into())
    }
}

/// Applies `evenement` to demande `id`, read in state `from`: the guarded UPDATE (the demande
/// is still in `from` and, with `version`, unchanged since it was read) and its
/// `demande_events` row, with the event's code and who acted. Every change of a demande's
/// state goes through here; the caller writes the event's other columns in the same
/// transaction. `Ok(None)`: the demande changed meanwhile, nothing was written. An event that
/// does not apply to `from` is refused before anything is written.
pub async fn transition(
    conn: &mut AnyConnection,
    id: i64,
    from: Etat,
    evenement: Evenement,
    version: Option<i64>,
    actor: Option<i64>,
    now: i64,
) -> Result<Option<Etat>, AppError> {
    let to = next_state(from, evenement)?;
    let changed = sqlx::query(
        "UPDATE demandes SET etat = $1, updated_at = $2, version = version + 1
         WHERE id = $3 AND etat = $4 AND ($5 < 0 OR version = $5)",
    )
    .bind(to)
    .bind(now)
    .bind(id)
    .bind(from)
    .bind(version.unwrap_or(-1))
    .execute(&mut *conn)
    .await?;
    if changed.rows_affected() == 0 {
        return Ok(None);
    }
    record_event(conn, id, evenement.code(), actor, now).await?;
    Ok(Some(to))
}

/// The state `evenement` leads to from `from`, or the rule's refusal as a conflict.
fn next_state(from: Etat, evenement: Evenement) -> Result<Etat, AppError> {
    from.apres(evenement)
        .map_err(|refus| AppError::Conflict(refus.message()))
}

/// `transition` for many demandes at once, by the jobs (no actor, no version): those still in
/// `from` move, each with its `demande_events` row, in two statements. Returns the ids moved.
pub async fn transition_all(
    conn: &mut AnyConnection,
    ids: &[i64],
    from: Etat,
    evenement: Evenement,
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let to = next_state(from, evenement)?;
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let moved: Vec<(i64,)> = sqlx::query_as(&format!(
        "UPDATE demandes SET etat = $1, updated_at = $2, version = version + 1
         WHERE id IN ({}) AND etat = $3 RETURNING id",
        super::db::id_list(ids)
    ))
    .bind(to)
    .bind(now)
    .bind(from)
    .fetch_all(&mut *conn)
    .await?;
    let mut moved: Vec<i64> = moved.into_iter().map(|(id,)| id).collect();
    moved.sort_unstable();
    record_events(conn, &moved, evenement, now).await?;
    Ok(moved)
}

/// The `demande_events` rows of the demandes `moved` (sorted) by a job, in one statement.
async fn record_events(
    conn: &mut AnyConnection,
    moved: &[i64],
    evenement: Evenement,
    now: i64,
) -> Result<(), AppError> {
    if moved.is_empty() {
        return Ok(());
    }
    sqlx::query(&format!(
        "INSERT INTO demande_events (demande_id, kind, created_at)
         SELECT id, $1, $2 FROM demandes WHERE id IN ({}) ORDER BY id",
        super::db::id_list(moved)
    ))
    .bind(evenement.code())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A line of a demande's history (`demande_events`) that is not a change of state (« lien
/// renvoyé »), or the line of one (`transition`).
pub async fn record_event(
    conn: &mut AnyConnection,
    id: i64,
    kind: &str,
    actor: Option<i64>,
    now: i64,
) -> Result<(), AppError> {
    sqlx::query(
        "INSERT INTO demande_events (demande_id, kind, created_at, actor_id) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(kind)
    .bind(now)
    .bind(actor)
    .execute(conn)
    .await?;
    Ok(())
}

/// Takes the row locks of the demandes of `ids` still in state `etat` (a write, so that SQLite
/// takes its write lock at once): what the caller reads next cannot change under it — a job's
/// batch reminds nobody whose demande moved meanwhile. Returns them in id order.
pub async fn lock_all(
    conn: &mut AnyConnection,
    ids: &[i64],
    etat: Etat,
) -> Result<Vec<i64>, AppError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let locked: Vec<(i64,)> = sqlx::query_as(&format!(
        "UPDATE demandes SET version = version WHERE id IN ({}) AND etat = $1 RETURNING id",
        super::db::id_list(ids)
    ))
    .bind(etat)
    .fetch_all(&mut *conn)
    .await?;
    let mut locked: Vec<i64> = locked.into_iter().map(|(id,)| id).collect();
    locked.sort_unstable();
    Ok(locked)
}

/// Erases the personal data of demandes `rows` (id, number) still in `etat` with their content:
/// each stays as a trace without personal data, its number still searchable (folded in Rust,
/// as every search text is), dated `stamp` (its age counts for its deletion). One statement
/// per 500; returns the ids erased. The pieces are the caller's (`pieces::remove_all_of`). A
/// change of state and the erasure together: `transition_and_erase_all` (one write).
pub async fn erase_to_traces(
    conn: &mut AnyConnection,
    rows: &[(i64, Option<String>)],
    etat: Etat,
    stamp: i64,
) -> Result<Vec<i64>, AppError> {
    let mut erased = Vec::new();
    for rows in rows.chunks(ERASED_PER_STATEMENT) {
        let (erase, next) = erased_columns(rows);
        let sql = format!(
            "UPDATE demandes SET {erase}, updated_at = ${}
             WHERE id IN ({}) AND etat = ${next} AND data <> '{{}}' RETURNING id",
            next + 1,
            id_list_of(rows)
        );
        let done = run_erase(conn, &sql, rows, |q| q.bind(etat).bind(stamp)).await?;
        erased.extend(done);
    }
    erased.sort_unstable();
    Ok(erased)
}

/// `transition_all` and `erase_to_traces` in one write per demande, by the jobs: the demandes
/// of `rows` (id, number) still in `from` move on `evenement` and become traces. Each row is
/// written once and each index that holds the state, the date, the search text or the
/// candidate is updated once (PostgreSQL rewrites every index of a row it updates). Returns the
/// ids moved, sorted.
///
/// Under PostgreSQL the schools' counters of the moved demandes are written once for the whole
/// call, not by the trigger for each demande (migration 0016: 60 µs a call, more than the
/// erasure itself).
///
/// A transaction, not a bare connection: outside one, the setting that turns the trigger off
/// would last one statement, and each counter would be written twice.
pub async fn transition_and_erase_all(
    tx: &mut sqlx::Transaction<'_, Any>,
    rows: &[(i64, Option<String>)],
    from: Etat,
    evenement: Evenement,
    now: i64,
) -> Result<Vec<i64>, AppError> {
    let conn: &mut AnyConnection = tx;
    let to = next_state(from, evenement)?;
    let counted_here = Backend::of_name(conn.backend_name()) == Backend::Postgres;
    if counted_here {
        counters_by_batch(conn, true).await?;
    }
    let mut moved = Vec::new();
    for rows in rows.chunks(ERASED_PER_STATEMENT) {
        let (erase, next) = erased_columns(rows);
        let sql = format!(
            "UPDATE demandes SET {erase}, etat = ${next}, updated_at = ${}
             WHERE id IN ({}) AND etat = ${} RETURNING id",
            next + 1,
            id_list_of(rows),
            next + 2
        );
        let done = run_erase(conn, &sql, rows, |q| q.bind(to).bind(now).bind(from)).await?;
        moved.extend(done);
    }
    moved.sort_unstable();
    if counted_here {
        counters_by_batch(conn, false).await?;
        count_moved(conn, &moved, from, to).await?;
    }
    record_events(conn, &moved, evenement, now).await?;
    Ok(moved)
}

/// `on`: the batch writes the counters itself, the trigger that keeps `demandes_comptes` at each
/// change of state skips its rows (PostgreSQL; migration 0016); `!on`: the trigger again. The
/// setting ends with the transaction at the latest.
async fn counters_by_batch(conn: &mut AnyConnection, on: bool) -> Result<(), AppError> {
    sqlx::query("SELECT set_config('permis.comptes_par_lot', $1, true)")
        .bind(if on { "on" } else { "off" })
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// The counters of the demandes `moved` from `from` to `to` (their school unchanged), in one
/// statement taking the counters in the order of their key, as the trigger does for one
/// demande: two batches, or a batch and a single change, never wait for each other in a cycle.
async fn count_moved(
    conn: &mut AnyConnection,
    moved: &[i64],
    from: Etat,
    to: Etat,
) -> Result<(), AppError> {
    if moved.is_empty() {
        return Ok(());
    }
    let ids = super::db::id_list(moved);
    sqlx::query(&format!(
        "INSERT INTO demandes_comptes (school_id, etat, n)
         SELECT d.school_id, c.etat, SUM(c.k) FROM demandes d
         CROSS JOIN (VALUES (CAST($1 AS TEXT), -1), (CAST($2 AS TEXT), 1)) AS c (etat, k)
         WHERE d.id IN ({ids})
         GROUP BY d.school_id, c.etat ORDER BY d.school_id, c.etat
         ON CONFLICT (school_id, etat) DO UPDATE SET n = demandes_comptes.n + EXCLUDED.n"
    ))
    .bind(from)
    .bind(to)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// 500 numbers bound per statement: sqlx's SQLite binding grows with the square of them.
const ERASED_PER_STATEMENT: usize = 500;

/// The columns a trace keeps empty, and its search text: the number, bound as `$1`… in the
/// order of `rows` (`run_erase`). Returns the SET list and the next parameter's number.
fn erased_columns(rows: &[(i64, Option<String>)]) -> (String, usize) {
    let cases: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(k, (id, _))| format!("WHEN {id} THEN ${}", k + 1))
        .collect();
    (
        format!(
            "data = '{{}}', prenom = '', nom = '', categories = '',
             recherche = CASE id {} END, refus_motif = NULL, usager_id = NULL,
             version = version + 1",
            cases.join(" ")
        ),
        rows.len() + 1,
    )
}

fn id_list_of(rows: &[(i64, Option<String>)]) -> String {
    let ids: Vec<i64> = rows.iter().map(|(id, _)| *id).collect();
    super::db::id_list(&ids)
}

type ErasedIds<'q> = sqlx::query::QueryAs<'q, sqlx::Any, (i64,), sqlx::any::AnyArguments<'q>>;

/// Runs a statement that writes `erased_columns` over `rows`: the folded numbers bound first
/// (the search texts), then what `more` binds. Takes the names of the demandes written out of
/// the word index; returns their ids.
async fn run_erase<'q>(
    conn: &mut AnyConnection,
    sql: &'q str,
    rows: &[(i64, Option<String>)],
    more: impl FnOnce(ErasedIds<'q>) -> ErasedIds<'q>,
) -> Result<Vec<i64>, AppError> {
    let mut q = sqlx::query_as::<_, (i64,)>(sql);
    for (_, numero) in rows {
        q = q.bind(crate::domain::communes::fold(
            numero.as_deref().unwrap_or(""),
        ));
    }
    let done: Vec<i64> = more(q)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(id,)| id)
        .collect();
    mots::unindex_erased(conn, &done).await?;
    Ok(done)
}

#[derive(Debug, Clone, FromRow)]
pub struct DemandeRow {
    pub id: i64,
    pub school_id: i64,
    pub etat: Etat,
    pub numero: Option<String>,
    pub data: String,
    pub etape: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub validated_at: Option<i64>,
    pub version: i64,
    pub decided_at: Option<i64>,
    pub refus_motif: Option<String>,
    /// The refused demande this draft was started from (« Corriger et renvoyer »).
    pub reprise_de: Option<i64>,
    /// The steps typed and not yet validated with « Suivant » (autosave), as JSON.
    pub saisie: Option<String>,
    pub saisie_at: Option<i64>,
}

impl DemandeRow {
    pub fn data(&self) -> Result<DemandeData, AppError> {
        serde_json::from_str(&self.data).map_err(|e| AppError::internal("demande data", e))
    }
}

pub(crate) const COLUMNS: &str =
    "id, school_id, etat, numero, data, etape, created_at, updated_at, validated_at, version, \
     decided_at, refus_motif, reprise_de, saisie, saisie_at";

pub const CHANGED_MEANWHILE: &str = "La demande a été modifiée entre-temps (dans un autre onglet ?) : rechargez la page puis recommencez.";

/// What the lists' search looks in (`mots`): number and names, folded (case, accents) the
/// same way on both databases.
pub(crate) fn search_text(numero: Option<&str>, prenom: &str, nom: &str) -> String {
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

/// The most a step's autosaved form may weigh (what a person types is far less).
pub const AUTOSAVE_MAX_BYTES: usize = 16 * 1024;

/// The autosaved forms of a demande (step number → form), read inside the caller's
/// transaction after it took the row's lock.
async fn saisie_map(
    conn: &mut AnyConnection,
    id: i64,
) -> Result<std::collections::BTreeMap<String, String>, AppError> {
    let (saisie,): (Option<String>,) = sqlx::query_as("SELECT saisie FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
    Ok(saisie
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default())
}

/// Keeps what the school typed on `step` of a draft and has not validated with « Suivant »
/// (the form as the browser encodes it). Touches the draft (it is not abandoned).
pub async fn autosave(
    db: &Db,
    school_id: i64,
    id: i64,
    step: usize,
    fields: &str,
    now: i64,
) -> Result<(), AppError> {
    if fields.len() > AUTOSAVE_MAX_BYTES || !(1..=4).contains(&step) {
        return Err(AppError::BadRequest);
    }
    let mut tx = db.pool().begin().await?;
    let locked = sqlx::query(
        "UPDATE demandes SET version = version WHERE id = $1 AND school_id = $2 AND etat = $3",
    )
    .bind(id)
    .bind(school_id)
    .bind(Etat::Brouillon)
    .execute(&mut *tx)
    .await?;
    if locked.rows_affected() == 0 {
        tx.rollback().await?;
        get(db, school_id, id).await?;
        return Err(AppError::Conflict(NOT_EDITABLE.into()));
    }
    let mut map = saisie_map(&mut tx, id).await?;
    map.insert(step.to_string(), fields.to_string());
    let json = serde_json::to_string(&map).map_err(|e| AppError::internal("saisie json", e))?;
    sqlx::query("UPDATE demandes SET saisie = $1, saisie_at = $2, updated_at = $2 WHERE id = $3")
        .bind(json)
        .bind(now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets the autosaved form of `step` once the step is saved with « Suivant ».
pub async fn clear_autosave(db: &Db, id: i64, step: usize) -> Result<(), AppError> {
    let mut tx = db.pool().begin().await?;
    sqlx::query("UPDATE demandes SET version = version WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let mut map = saisie_map(&mut tx, id).await?;
    if map.remove(&step.to_string()).is_none() {
        return Ok(());
    }
    let json = (!map.is_empty())
        .then(|| serde_json::to_string(&map))
        .transpose()
        .map_err(|e| AppError::internal("saisie json", e))?;
    sqlx::query("UPDATE demandes SET saisie = $1 WHERE id = $2")
        .bind(json)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Whether the demande waits for a candidate whose account is not activated yet.
pub async fn waits_for_activation(db: &Db, id: i64) -> Result<bool, AppError> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT d.id FROM demandes d JOIN users u ON u.id = d.usager_id
         WHERE d.id = $1 AND d.etat = $2 AND u.status = 'pending_activation'",
    )
    .bind(id)
    .bind(Etat::AttenteUsager)
    .fetch_optional(db.pool())
    .await?;
    Ok(row.is_some())
}

/// Deletes a draft of the school with its files' records; returns the stored objects for the
/// caller to remove once committed. Deleting it twice is the same answer (a double click).
pub async fn delete_draft(db: &Db, school_id: i64, id: i64) -> Result<Vec<String>, AppError> {
    let mut tx = db.pool().begin().await?;
    // The row's lock first (a write), so that a validation and a deletion never cross.
    sqlx::query("UPDATE demandes SET version = version WHERE id = $1 AND school_id = $2")
        .bind(id)
        .bind(school_id)
        .execute(&mut *tx)
        .await?;
    let row: Option<(Etat,)> =
        sqlx::query_as("SELECT etat FROM demandes WHERE id = $1 AND school_id = $2")
            .bind(id)
            .bind(school_id)
            .fetch_optional(&mut *tx)
            .await?;
    match row {
        None => return Ok(Vec::new()),
        Some((etat,)) if etat != Etat::Brouillon => {
            return Err(AppError::Conflict(format!(
                "Cette demande est « {} » : seul un brouillon peut être supprimé.",
                etat.label()
            )))
        }
        Some(_) => {}
    }
    let keys = super::pieces::remove_all(&mut tx, id).await?;
    for sql in [
        "DELETE FROM demande_events WHERE demande_id = $1",
        "DELETE FROM demandes WHERE id = $1",
    ] {
        sqlx::query(sql).bind(id).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(keys)
}

/// « Corriger et renvoyer »: a new draft of the school, prefilled from a demande its candidate
/// refused (its pieces copied too when `with_pieces`), to resume at the recap. One copy per
/// refused demande: a double click, or a second click later, opens the same draft (as long as
/// it exists).
pub async fn copy_refused(
    db: &Db,
    storage: &super::storage::Storage,
    school_id: i64,
    user_id: i64,
    source_id: i64,
    with_pieces: bool,
    now: i64,
) -> Result<i64, AppError> {
    let source = get(db, school_id, source_id).await?;
    if source.etat != Etat::RefuseeUsager {
        return Err(AppError::Conflict(format!(
            "Cette demande est « {} » : seule une demande refusée par le candidat peut être reprise.",
            source.etat.label()
        )));
    }
    let data = source.data()?;
    let (prenom, nom) = data.listing_names();
    let categories = data.listing_categories();
    let mut tx = db.pool().begin().await?;
    let created: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO demandes (school_id, created_by, created_at, updated_at, data, prenom, nom,
                               categories, recherche, etape, reprise_de)
         VALUES ($1, $2, $3, $3, $4, $5, $6, $7, $8, 6, $9)
         ON CONFLICT DO NOTHING
         RETURNING id",
    )
    .bind(school_id)
    .bind(user_id)
    .bind(now)
    .bind(&source.data)
    .bind(&prenom)
    .bind(&nom)
    .bind(&categories)
    .bind(search_text(None, &prenom, &nom))
    .bind(source_id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((id,)) = created {
        mots::reindex(&mut tx, &[id]).await?;
    }
    tx.commit().await?;
    let Some((id,)) = created else {
        let (existing,): (i64,) =
            sqlx::query_as("SELECT id FROM demandes WHERE reprise_de = $1 AND school_id = $2")
                .bind(source_id)
                .bind(school_id)
                .fetch_one(db.pool())
                .await?;
        return Ok(existing);
    };
    if with_pieces {
        for p in super::pieces::list_pieces(db, source_id).await? {
            let prefix = format!("demandes/{id}");
            let extension = p
                .storage_key
                .rsplit_once('.')
                .map(|(_, e)| e)
                .unwrap_or("bin");
            let key = super::storage::new_key(&prefix, extension);
            storage
                .put(&key, storage.get(&p.storage_key).await?.to_vec())
                .await?;
            let thumb_key = match &p.thumb_key {
                Some(t) => {
                    let k = super::storage::new_key(&prefix, "vignette.jpg");
                    storage.put(&k, storage.get(t).await?.to_vec()).await?;
                    Some(k)
                }
                None => None,
            };
            sqlx::query(
                "INSERT INTO pieces (demande_id, kind, storage_key, thumb_key, filename, content_type, size, pages, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(&p.kind)
            .bind(&key)
            .bind(&thumb_key)
            .bind(&p.filename)
            .bind(&p.content_type)
            .bind(p.size)
            .bind(p.pages)
            .bind(now)
            .execute(db.pool())
            .await?;
        }
    }
    let mut conn = db.pool().acquire().await?;
    record_event(&mut conn, id, "reprise", Some(user_id), now).await?;
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
    let categories = data.listing_categories();
    let recherche = search_text(None, &prenom, &nom);
    let mut tx = db.pool().begin().await?;
    let r = sqlx::query(
        "UPDATE demandes SET data = $1, prenom = $2, nom = $3, categories = $4, etape = $5, updated_at = $6,
                recherche = $7, version = version + 1
         WHERE id = $8 AND school_id = $9 AND etat = $11 AND version = $10",
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
    .bind(Etat::Brouillon)
    .execute(&mut *tx)
    .await?;
    if r.rows_affected() == 0 {
        tx.rollback().await?;
        // Not this school's (404), no longer a draft, or changed since it was read.
        let row = get(db, school_id, id).await?;
        return Err(AppError::Conflict(if row.etat == Etat::Brouillon {
            CHANGED_MEANWHILE.into()
        } else {
            NOT_EDITABLE.into()
        }));
    }
    mots::reindex(&mut tx, &[id]).await?;
    tx.commit().await?;
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
    pub etat: Etat,
    pub etape: i64,
    pub created_at: i64,
    pub updated_at: i64,
    pub liens_renvoyes: i64,
    /// 1 when the demande waits for a candidate whose account is not activated yet.
    pub compte_a_activer: i64,
    /// The deadline of the candidate's latest usable activation link.
    pub activation_deadline: Option<i64>,
    pub decided_at: Option<i64>,
    /// A complement asked by the centre: its deadline and how many items it lists.
    pub complement_avant: Option<i64>,
    pub complement_items: Option<i64>,
}

/// A page of the school's demandes, and how many match in all.
///
/// Without a search, the total is read from `demandes_comptes` (kept by the database on every
/// change) and the page from the index, a deep page from the list's other end
/// (`db::page_window`). With a search, its matches are read through the word index
/// (`mots::indexed_matches`) when its most selective word is selective enough; otherwise its first
/// matches are read once from the list's index (`db::few_matches`): up to `SEARCH_AT_ONCE` of
/// them are the whole result; beyond, they are counted and the page is read like the others.
pub async fn list(
    db: &Db,
    school_id: i64,
    f: &ListFilter,
) -> Result<(Vec<SummaryRow>, i64), AppError> {
    let per_page = f.per_page.clamp(1, 100) as i64;
    let offset = (f.page.max(1) as i64 - 1) * per_page;
    let st = list_statements(school_id, f);
    let listed = match &st.search.indexed {
        Some(_) => {
            // The school's entries for the other filters (kept counts): what a search reads
            // without the word index.
            let unsearched = list_statements(
                school_id,
                &ListFilter {
                    search: String::new(),
                    ..f.clone()
                },
            );
            let (listed,) = bind_all(
                sqlx::query_as::<_, (i64,)>(&unsearched.count),
                &unsearched.binds,
            )
            .fetch_one(db.pool())
            .await?;
            listed
        }
        None => 0,
    };
    let found = mots::search_matches(db, &st.search, listed, &st.binds, offset, per_page).await?;
    if let Some((page, total)) = found {
        let rows = if page.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as::<_, SummaryRow>(&rows_of(&page))
                .bind(Etat::AttenteUsager)
                .fetch_all(db.pool())
                .await?
        };
        return Ok((in_list_order(rows, f), total));
    }
    let (total,) = bind_all(sqlx::query_as::<_, (i64,)>(&st.count), &st.binds)
        .fetch_one(db.pool())
        .await?;
    let (limit, offset, reversed) = page_window(offset, per_page, total);
    let st = if reversed {
        let other_end = ListFilter {
            oldest_first: !f.oldest_first,
            ..f.clone()
        };
        list_statements(school_id, &other_end)
    } else {
        st
    };
    let rows = bind_all(sqlx::query_as::<_, SummaryRow>(&st.page), &st.binds)
        .bind(limit)
        .bind(offset)
        .bind(Etat::AttenteUsager)
        .fetch_all(db.pool())
        .await?;
    Ok((in_list_order(rows, f), total))
}

/// The page's rows came in index order, or from the other end; the join may not keep it, and
/// sorting a page's few rows here spares the database a sort.
fn in_list_order(mut rows: Vec<SummaryRow>, f: &ListFilter) -> Vec<SummaryRow> {
    rows.sort_by_key(|r| (r.updated_at, r.id));
    if !f.oldest_first {
        rows.reverse();
    }
    rows
}

/// The statements of `list` for a school and a filter. Apart so that a test checks each plan.
#[derive(Debug)]
pub struct ListStatements {
    /// How many match; parameters: `binds`.
    pub count: String,
    /// With a search: its statements (`mots::Search`), parameters `binds`.
    pub search: mots::Search,
    /// A page; parameters: `binds`, then the limit, the offset and the state
    /// « attente_usager ».
    pub page: String,
    pub binds: Vec<Bind>,
}

/// Only the conditions in use are written, so that each filter has its index (school, state,
/// date, id); the page is found in the index alone, then its rows are read (a deep page does
/// not read the rows it skips), and `list` puts them back in order.
pub fn list_statements(school_id: i64, f: &ListFilter) -> ListStatements {
    let mut binds = vec![Bind::I(school_id)];
    let mut filter = String::from("school_id = $1");
    if let Some(etat) = f.etat {
        binds.push(Bind::T(etat.code().to_string()));
        filter.push_str(&format!(" AND etat = ${}", binds.len()));
    }
    let order = if f.oldest_first { "ASC" } else { "DESC" };
    let words = mots::of_search(&f.search);
    let (count, search) = if words.is_empty() {
        let count = format!(
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM demandes_comptes WHERE {filter}"
        );
        (count, mots::Search::default())
    } else {
        mots::push_word_checks(&mut filter, &mut binds, &words);
        let in_order = format!("ORDER BY updated_at {order}, id {order}");
        (
            format!("SELECT COUNT(*) FROM demandes WHERE {filter}"),
            mots::Search {
                indexed: mots::indexed_search(
                    "demande_mots",
                    "school_id",
                    school_id,
                    &filter,
                    &binds,
                    &in_order,
                    &words,
                ),
                matches: Some(format!(
                    "SELECT id FROM demandes WHERE {filter} {in_order} LIMIT {}",
                    SEARCH_AT_ONCE + 1
                )),
            },
        )
    };
    let next = binds.len() + 1;
    let (limit_at, offset_at, waiting_at) = (next, next + 1, next + 2);
    let page = format!(
        "SELECT {} FROM (SELECT id FROM demandes WHERE {filter}
               ORDER BY updated_at {order}, id {order} LIMIT ${limit_at} OFFSET ${offset_at}) p
         JOIN demandes d ON d.id = p.id",
        summary_columns(waiting_at)
    );
    ListStatements {
        count,
        search,
        page,
        binds,
    }
}

/// The rows of the demandes `ids` (read from the database); parameter: « attente_usager ».
pub fn rows_of(ids: &[i64]) -> String {
    format!(
        "SELECT {} FROM demandes d WHERE d.id IN ({})",
        summary_columns(1),
        super::db::id_list(ids)
    )
}

/// A `SummaryRow`'s columns of `demandes d`; `$waiting_at` is the state « attente_usager ».
fn summary_columns(waiting_at: usize) -> String {
    format!(
        "d.id, d.numero, d.prenom, d.nom, d.categories, d.etat, d.etape, d.created_at,
                d.updated_at, d.liens_renvoyes,
                CAST(CASE WHEN d.etat = ${waiting_at} AND EXISTS (
                    SELECT 1 FROM users u WHERE u.id = d.usager_id
                    AND u.status = 'pending_activation') THEN 1 ELSE 0 END AS BIGINT)
                    AS compte_a_activer,
                (SELECT MAX(t.expires_at) FROM account_tokens t
                  WHERE t.user_id = d.usager_id AND t.purpose = 'activation'
                    AND t.used_at IS NULL AND t.revoked_at IS NULL) AS activation_deadline,
                d.decided_at, d.complement_avant,
                (SELECT c.nb_items FROM complements c WHERE c.demande_id = d.id
                  ORDER BY c.id DESC LIMIT 1) AS complement_items"
    )
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
    let moved = transition(
        &mut tx,
        v.id,
        Etat::Brouillon,
        Evenement::ValideeParEcole,
        Some(v.version),
        None,
        now,
    )
    .await?;
    if moved.is_none() {
        tx.rollback().await?;
        let row = get(db, v.school_id, v.id).await?;
        return match row.numero {
            Some(n) => Ok(Validation::AlreadyDone(n)),
            None => Err(AppError::Conflict(CHANGED_MEANWHILE.into())),
        };
    }
    sqlx::query(
        "UPDATE demandes SET numero = $1, validated_at = $2, etape = 6, recherche = $3
         WHERE id = $4",
    )
    .bind(&numero)
    .bind(now)
    .bind(search_text(Some(&numero), v.prenom, v.nom))
    .bind(v.id)
    .execute(&mut *tx)
    .await?;
    mots::reindex(&mut tx, &[v.id]).await?;
    super::handover::hand_over(
        &mut tx,
        v.settings,
        v.id,
        &numero,
        v.school_id,
        v.school_name,
        v.candidate,
        now,
        "",
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
        .bind(crate::domain::deadlines::ephoto_issued_since(now))
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
        Some((created, _)) if crate::domain::deadlines::ephoto_expired(created, now) => {
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
