//! The centres (CERT) and the instruction of a demande: routing to the centre of the
//! candidate's département, the agents' queue, follow-up, verdicts, notes, the request for a
//! complement, acceptance (NEPH) and rejection. Every function takes the agent's centre: a
//! demande of another centre is « not found », never « forbidden ».

use sqlx::{AnyConnection, FromRow};

use crate::domain::deadlines::complement_deadline;
use crate::domain::demande::{DemandeData, Etat, Evenement, Refus};
use crate::domain::instruction::{
    check_rejet, check_verdict, kept_neph, new_neph, Item, MotifRejet, NonConformite, Verdict,
    COMMENT_MAX_CHARS,
};
use crate::domain::messages;
use crate::error::AppError;
use crate::routes::Page;

use super::db::{bind_all, id_list, page_window, Bind, SEARCH_AT_ONCE};
use super::demandes::{transition, DemandeRow, COLUMNS};
use super::mots;
use super::outbox::{enqueue, NewMessage};
use super::time::format_date;
use super::{Db, Settings};

/// A centre as created by `permis create-cert`.
#[derive(Clone, Debug)]
pub struct NewCert {
    pub nom: String,
    pub adresse: Vec<String>,
    pub email: String,
    pub telephone: String,
    pub departements: Vec<String>,
}

#[derive(Clone, Debug, FromRow, PartialEq, Eq)]
pub struct Cert {
    pub id: i64,
    pub nom: String,
    pub adresse: String,
    pub email: String,
    pub telephone: String,
}

/// Creates a centre covering `departements` (each covered by one centre only). Creating it
/// again with the same name adds the départements not yet covered.
pub async fn create_cert(db: &Db, c: &NewCert, now: i64) -> Result<i64, AppError> {
    let nom = c.nom.trim();
    if nom.is_empty() || c.email.trim().is_empty() || c.telephone.trim().is_empty() {
        return Err(AppError::BadRequest);
    }
    for d in &c.departements {
        if crate::domain::departements::find(d).is_none() {
            return Err(AppError::field(
                "departements",
                format!("Département inconnu : « {d} »."),
            ));
        }
    }
    let mut tx = db.pool().begin().await?;
    let existing: Option<(i64,)> = sqlx::query_as("SELECT id FROM certs WHERE nom = $1")
        .bind(nom)
        .fetch_optional(&mut *tx)
        .await?;
    let id = match existing {
        Some((id,)) => id,
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO certs (nom, adresse, email, telephone, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(nom)
            .bind(c.adresse.join("\n"))
            .bind(c.email.trim())
            .bind(c.telephone.trim())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            id
        }
    };
    for d in &c.departements {
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT cert_id FROM cert_departements WHERE departement = $1")
                .bind(d)
                .fetch_optional(&mut *tx)
                .await?;
        match taken {
            Some((other,)) if other != id => {
                return Err(AppError::field(
                    "departements",
                    format!("Le département {d} est déjà couvert par un autre centre."),
                ))
            }
            Some(_) => {}
            None => {
                sqlx::query("INSERT INTO cert_departements (departement, cert_id) VALUES ($1, $2)")
                    .bind(d)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn find_cert(db: &Db, nom: &str) -> Result<Option<Cert>, AppError> {
    Ok(
        sqlx::query_as("SELECT id, nom, adresse, email, telephone FROM certs WHERE nom = $1")
            .bind(nom.trim())
            .fetch_optional(db.pool())
            .await?,
    )
}

pub async fn cert(db: &Db, id: i64) -> Result<Cert, AppError> {
    sqlx::query_as("SELECT id, nom, adresse, email, telephone FROM certs WHERE id = $1")
        .bind(id)
        .fetch_optional(db.pool())
        .await?
        .ok_or(AppError::NotFound)
}

/// The départements a centre covers, in order.
pub async fn departements_of(db: &Db, cert_id: i64) -> Result<Vec<String>, AppError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT departement FROM cert_departements WHERE cert_id = $1 ORDER BY departement",
    )
    .bind(cert_id)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Sends demande `id`, just transmitted, to the centre of the candidate's département of
/// domicile (inside the caller's transaction). `None`: no centre covers it (logged; the
/// administrators see it).
pub async fn route(
    conn: &mut AnyConnection,
    id: i64,
    data: &DemandeData,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let departement = data
        .adresse
        .as_ref()
        .and_then(|a| crate::domain::departements::departement_of_postal_code(&a.code_postal));
    let cert: Option<(i64,)> = match departement {
        Some(d) => {
            sqlx::query_as("SELECT cert_id FROM cert_departements WHERE departement = $1")
                .bind(d)
                .fetch_optional(&mut *conn)
                .await?
        }
        None => None,
    };
    sqlx::query(
        "UPDATE demandes SET cert_id = $1, departement = $2, transmise_at = $3 WHERE id = $4",
    )
    .bind(cert.map(|c| c.0))
    .bind(departement)
    .bind(now)
    .bind(id)
    .execute(&mut *conn)
    .await?;
    mots::reindex(conn, &[id]).await?;
    if cert.is_none() {
        tracing::warn!(
            demande = id,
            departement = departement.unwrap_or("?"),
            "aucun CERT ne couvre le département du candidat : demande non routée"
        );
    }
    Ok(cert.map(|c| c.0))
}

/// The centre of agent `user_id`, if any.
pub async fn cert_of_agent(db: &Db, user_id: i64) -> Result<Option<i64>, AppError> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("SELECT cert_id FROM users WHERE id = $1 AND role = 'agent'")
            .bind(user_id)
            .fetch_optional(db.pool())
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// Gives agent `user_id` to centre `cert_id`.
pub async fn set_agent_cert(db: &Db, user_id: i64, cert_id: i64) -> Result<(), AppError> {
    sqlx::query("UPDATE users SET cert_id = $1 WHERE id = $2 AND role = 'agent'")
        .bind(cert_id)
        .bind(user_id)
        .execute(db.pool())
        .await?;
    Ok(())
}

/// A demande of centre `cert_id` that reached the centre; any other is « not found ».
pub async fn get(db: &Db, cert_id: i64, id: i64) -> Result<DemandeRow, AppError> {
    let row = sqlx::query_as::<_, DemandeRow>(&format!(
        "SELECT {COLUMNS} FROM demandes WHERE id = $1 AND cert_id = $2"
    ))
    .bind(id)
    .bind(cert_id)
    .fetch_optional(db.pool())
    .await?
    .ok_or(AppError::NotFound)?;
    if !row.etat.at_the_centre() {
        return Err(AppError::NotFound);
    }
    Ok(row)
}

/// What the centre recorded about a demande beyond its row.
#[derive(Clone, Debug, FromRow)]
pub struct Suivi {
    pub cert_id: Option<i64>,
    pub departement: Option<String>,
    pub transmise_at: Option<i64>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub complement_avant: Option<i64>,
    pub neph: Option<String>,
    pub inscrite_at: Option<i64>,
    pub rejet_motif: Option<String>,
    pub rejet_motivation: Option<String>,
    pub verification_code: Option<String>,
    pub cert_nom: Option<String>,
    pub identite_certifiee_at: Option<i64>,
}

pub async fn suivi(db: &Db, id: i64) -> Result<Suivi, AppError> {
    Ok(sqlx::query_as(
        "SELECT d.cert_id, d.departement, d.transmise_at, d.agent_id,
                CASE WHEN u.id IS NULL THEN NULL ELSE u.prenom || ' ' || u.nom END AS agent_name,
                d.complement_avant, d.neph, d.inscrite_at, d.rejet_motif, d.rejet_motivation,
                d.verification_code, c.nom AS cert_nom, d.identite_certifiee_at
         FROM demandes d
         LEFT JOIN users u ON u.id = d.agent_id
         LEFT JOIN certs c ON c.id = d.cert_id
         WHERE d.id = $1",
    )
    .bind(id)
    .fetch_one(db.pool())
    .await?)
}

/// The tabs of the agents' queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Onglet {
    AInstruire,
    Suivies,
    ComplementDemande,
    ComplementRecu,
    Traitees,
}

impl Onglet {
    pub const ALL: [Onglet; 5] = [
        Onglet::AInstruire,
        Onglet::Suivies,
        Onglet::ComplementDemande,
        Onglet::ComplementRecu,
        Onglet::Traitees,
    ];

    /// The tab's value of `demandes.file_cert` (computed by the database from the state);
    /// « Suivies » is the agent's demandes in the first three.
    fn file(self) -> Option<&'static str> {
        match self {
            Onglet::AInstruire => Some(Etat::Transmise.code()),
            Onglet::Suivies => None,
            Onglet::ComplementDemande => Some(Etat::ComplementDemande.code()),
            Onglet::ComplementRecu => Some(Etat::ComplementRecu.code()),
            Onglet::Traitees => Some(TRAITEES),
        }
    }
}

/// `demandes.file_cert` of the demandes decided by the centre (see migration 0011).
const TRAITEES: &str = "traitees";

/// The tabs a demande followed by an agent can be in.
const FOLLOWED: [Etat; 3] = [
    Etat::Transmise,
    Etat::ComplementDemande,
    Etat::ComplementRecu,
];

#[derive(Clone, Debug)]
pub struct QueueFilter {
    pub onglet: Onglet,
    pub search: String,
    pub departement: Option<String>,
    pub school_id: Option<i64>,
    pub recent_first: bool,
    pub page: u32,
}

pub const QUEUE_PAGE: i64 = 20;

#[derive(Clone, Debug, FromRow)]
pub struct QueueRow {
    pub id: i64,
    pub numero: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub categories: String,
    pub etat: Etat,
    pub departement: Option<String>,
    pub school_name: String,
    pub transmise_at: Option<i64>,
    pub agent_id: Option<i64>,
    pub agent_name: Option<String>,
    pub complement_avant: Option<i64>,
}

/// The statements of `queue` for centre `cert_id`, agent `agent_id` and a filter; apart so
/// that a test checks each plan. Every one takes `binds`; `page` takes the limit and the
/// offset after them.
#[derive(Debug)]
pub struct QueueStatements {
    /// How many match: from `cert_comptes` unless a département or a search narrows the tab.
    pub count: String,
    /// With a search: its statements (`mots::Search`, the centre's word index).
    pub search: mots::Search,
    pub page: String,
    pub binds: Vec<Bind>,
}

/// Only the conditions in use are written: each tab is one range of an index in the order of
/// arrival (`demandes_file_cert`, or `demandes_agent` for « Suivies »), the other filters
/// read from the same index entries.
pub fn queue_statements(cert_id: i64, agent_id: i64, f: &QueueFilter) -> QueueStatements {
    let mut binds = vec![Bind::I(cert_id)];
    let at = |binds: &mut Vec<Bind>, b: Bind| {
        binds.push(b);
        format!("${}", binds.len())
    };
    let mut filter = String::from("cert_id = $1");
    let mut counted = String::from("cert_id = $1");
    match f.onglet.file() {
        Some(file) => {
            let p = at(&mut binds, Bind::T(file.into()));
            filter.push_str(&format!(" AND file_cert = {p}"));
            counted.push_str(&format!(" AND file = {p}"));
        }
        None => {
            let agent = at(&mut binds, Bind::I(agent_id));
            let files: Vec<String> = FOLLOWED
                .iter()
                .map(|e| at(&mut binds, Bind::T(e.code().into())))
                .collect();
            filter = format!(
                "agent_id = {agent} AND {filter} AND file_cert IN ({})",
                files.join(", ")
            );
        }
    }
    if let Some(school) = f.school_id {
        let p = at(&mut binds, Bind::I(school));
        filter.push_str(&format!(" AND school_id = {p}"));
        counted.push_str(&format!(" AND school_id = {p}"));
    }
    let mut narrowed = f.onglet == Onglet::Suivies;
    if let Some(dep) = f.departement.as_ref().filter(|d| !d.trim().is_empty()) {
        let p = at(&mut binds, Bind::T(dep.clone()));
        filter.push_str(&format!(" AND departement = {p}"));
        narrowed = true;
    }
    let order = if f.recent_first { "DESC" } else { "ASC" };
    let mut search = mots::Search::default();
    let words = mots::of_search(&f.search);
    if !words.is_empty() {
        mots::push_word_checks(&mut filter, &mut binds, &words);
        narrowed = true;
        let in_order = format!("ORDER BY transmise_at {order}, id {order}");
        search.indexed = mots::indexed_search(
            "cert_mots",
            "cert_id",
            cert_id,
            &filter,
            &binds,
            &in_order,
            &words,
        );
        search.matches = Some(format!(
            "SELECT id FROM demandes WHERE {filter} {in_order} LIMIT {}",
            SEARCH_AT_ONCE + 1
        ));
    }
    let count = if narrowed {
        format!("SELECT COUNT(*) FROM demandes WHERE {filter}")
    } else {
        format!("SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) FROM cert_comptes WHERE {counted}")
    };
    let (limit_at, offset_at) = (binds.len() + 1, binds.len() + 2);
    let page = format!(
        "SELECT {QUEUE_COLUMNS}
         FROM (SELECT id FROM demandes WHERE {filter}
               ORDER BY transmise_at {order}, id {order} LIMIT ${limit_at} OFFSET ${offset_at}) p
         JOIN demandes d ON d.id = p.id
         JOIN schools s ON s.id = d.school_id
         LEFT JOIN users u ON u.id = d.agent_id"
    );
    QueueStatements {
        count,
        search,
        page,
        binds,
    }
}

const QUEUE_COLUMNS: &str = "d.id, d.numero, d.prenom, d.nom, d.categories, d.etat,
    d.departement, s.name AS school_name, d.transmise_at, d.agent_id,
    CASE WHEN u.id IS NULL THEN NULL ELSE u.prenom || ' ' || u.nom END AS agent_name,
    d.complement_avant";

/// The queue rows of demandes `ids` (read from the database).
pub fn queue_rows_of(ids: &[i64]) -> String {
    format!(
        "SELECT {QUEUE_COLUMNS} FROM demandes d
         JOIN schools s ON s.id = d.school_id
         LEFT JOIN users u ON u.id = d.agent_id
         WHERE d.id IN ({})",
        id_list(ids)
    )
}

/// The count of every tab: « À instruire », the complements and « Traitées » from
/// `cert_comptes` ($1 the centre), « Suivies » from the agent's index ($1 the agent, $2 the
/// centre, then the three states).
pub const TAB_COUNTS: &str =
    "SELECT file, CAST(SUM(n) AS BIGINT) FROM cert_comptes WHERE cert_id = $1 GROUP BY file";
pub const FOLLOWED_COUNT: &str = "SELECT COUNT(*) FROM demandes
     WHERE agent_id = $1 AND cert_id = $2 AND file_cert IN ($3, $4, $5)";

/// A page of a tab of centre `cert_id`'s queue, how many match, and the count of every tab.
/// Read like the school's list (`demandes::list`): counts kept by the database, a selective
/// search read once, a deep page from the other end.
pub async fn queue(
    db: &Db,
    cert_id: i64,
    agent_id: i64,
    f: &QueueFilter,
) -> Result<(Vec<QueueRow>, i64, [i64; 5]), AppError> {
    let counts = tab_counts(db, cert_id, agent_id).await?;
    let offset = (f.page.max(1) as i64 - 1) * QUEUE_PAGE;
    let st = queue_statements(cert_id, agent_id, f);
    let in_order = |mut rows: Vec<QueueRow>| {
        rows.sort_by_key(|r| (r.transmise_at, r.id));
        if f.recent_first {
            rows.reverse();
        }
        rows
    };
    // The tab's entries in the queue's index: what a search reads without the word index.
    let listed = Onglet::ALL
        .iter()
        .position(|o| *o == f.onglet)
        .map_or(0, |k| counts[k]);
    let found = mots::search_matches(db, &st.search, listed, &st.binds, offset, QUEUE_PAGE).await?;
    if let Some((page, total)) = found {
        let rows = if page.is_empty() {
            Vec::new()
        } else {
            sqlx::query_as::<_, QueueRow>(&queue_rows_of(&page))
                .fetch_all(db.pool())
                .await?
        };
        return Ok((in_order(rows), total, counts));
    }
    let (total,) = bind_all(sqlx::query_as::<_, (i64,)>(&st.count), &st.binds)
        .fetch_one(db.pool())
        .await?;
    let (limit, offset, reversed) = page_window(offset, QUEUE_PAGE, total);
    let st = if reversed {
        let other_end = QueueFilter {
            recent_first: !f.recent_first,
            ..f.clone()
        };
        queue_statements(cert_id, agent_id, &other_end)
    } else {
        st
    };
    let rows = bind_all(sqlx::query_as::<_, QueueRow>(&st.page), &st.binds)
        .bind(limit)
        .bind(offset)
        .fetch_all(db.pool())
        .await?;
    Ok((in_order(rows), total, counts))
}

/// The count of each tab, in the order of `Onglet::ALL`.
async fn tab_counts(db: &Db, cert_id: i64, agent_id: i64) -> Result<[i64; 5], AppError> {
    let by_file: Vec<(String, i64)> = sqlx::query_as(TAB_COUNTS)
        .bind(cert_id)
        .fetch_all(db.pool())
        .await?;
    let mut q = sqlx::query_as::<_, (i64,)>(FOLLOWED_COUNT)
        .bind(agent_id)
        .bind(cert_id);
    for e in FOLLOWED {
        q = q.bind(e);
    }
    let (followed,) = q.fetch_one(db.pool()).await?;
    Ok(Onglet::ALL.map(|o| match o.file() {
        None => followed,
        Some(file) => by_file
            .iter()
            .find(|(f, _)| f == file)
            .map_or(0, |(_, n)| *n),
    }))
}

/// The schools with demandes at centre `cert_id`, for the queue's filter: (id, name), by name.
pub async fn schools_of(db: &Db, cert_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    let mut schools: Vec<(i64, String)> = sqlx::query_as(
        "SELECT s.id, s.name FROM schools s
         WHERE s.id IN (SELECT school_id FROM cert_comptes WHERE cert_id = $1 AND n > 0)",
    )
    .bind(cert_id)
    .fetch_all(db.pool())
    .await?;
    schools.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(schools)
}

/// « Suivre »: agent `agent_id` takes demande `id`. Taken by someone else: refused with their
/// name (never silently taken over).
pub async fn follow(db: &Db, cert_id: i64, agent_id: i64, id: i64) -> Result<(), AppError> {
    let row = get(db, cert_id, id).await?;
    if row.etat.decided_by_the_centre() {
        return Err(AppError::Conflict(format!(
            "Cette demande est « {} » : il n'y a plus rien à suivre.",
            row.etat.label()
        )));
    }
    let taken = sqlx::query(
        "UPDATE demandes SET agent_id = $1 WHERE id = $2 AND cert_id = $3
         AND (agent_id IS NULL OR agent_id = $1)",
    )
    .bind(agent_id)
    .bind(id)
    .bind(cert_id)
    .execute(db.pool())
    .await?;
    if taken.rows_affected() == 1 {
        return Ok(());
    }
    let s = suivi(db, id).await?;
    Err(AppError::Conflict(format!(
        "Cette demande est déjà suivie par {} : voyez avec cette personne avant d'y toucher.",
        s.agent_name.unwrap_or_else(|| "un autre agent".into())
    )))
}

/// Only the agent who follows a demande (or anyone, if nobody does) acts on it.
fn check_follower(s: &Suivi, agent_id: i64) -> Result<(), AppError> {
    match (s.agent_id, &s.agent_name) {
        (Some(a), name) if a != agent_id => Err(AppError::Conflict(format!(
            "Cette demande est suivie par {} : seul cet agent peut l'instruire.",
            name.clone().unwrap_or_else(|| "un autre agent".into())
        ))),
        _ => Ok(()),
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct VerdictRow {
    pub item: String,
    pub non_conformite: Option<String>,
    pub commentaire: Option<String>,
    pub agent_id: i64,
    pub created_at: i64,
}

impl VerdictRow {
    pub fn verdict(&self) -> Option<Verdict> {
        Some(Verdict {
            item: Item::parse(&self.item)?,
            non_conformite: match &self.non_conformite {
                Some(c) => Some(NonConformite::parse(c)?),
                None => None,
            },
            commentaire: self.commentaire.clone(),
        })
    }
}

pub async fn verdicts(db: &Db, id: i64) -> Result<Vec<VerdictRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT item, non_conformite, commentaire, agent_id, created_at FROM verdicts
         WHERE demande_id = $1 ORDER BY item",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// Records an agent's verdict on an item of a demande being instructed (replacing the
/// previous one).
pub async fn set_verdict(
    db: &Db,
    cert_id: i64,
    agent_id: i64,
    id: i64,
    v: &Verdict,
    now: i64,
) -> Result<(), AppError> {
    check_verdict(v).map_err(|(field, message)| AppError::field(field, message))?;
    let row = get(db, cert_id, id).await?;
    if !row.etat.to_instruct() {
        return Err(not_to_instruct(row.etat));
    }
    check_follower(&suivi(db, id).await?, agent_id)?;
    let comment = v
        .commentaire
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    let mut tx = db.pool().begin().await?;
    sqlx::query("DELETE FROM verdicts WHERE demande_id = $1 AND item = $2")
        .bind(id)
        .bind(v.item.code())
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO verdicts (demande_id, item, non_conformite, commentaire, agent_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id)
    .bind(v.item.code())
    .bind(v.non_conformite.map(|n| n.code()))
    .bind(comment)
    .bind(agent_id)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

fn not_to_instruct(etat: Etat) -> AppError {
    match etat {
        Etat::ComplementDemande => AppError::Conflict(
            Refus::Impossible {
                etat,
                evenement: Evenement::Acceptee,
            }
            .message(),
        ),
        _ => AppError::Conflict(format!(
            "Cette demande est « {} » : elle n'est plus à instruire.",
            etat.label()
        )),
    }
}

#[derive(Clone, Debug, FromRow)]
pub struct NoteRow {
    pub texte: String,
    pub created_at: i64,
    pub agent_name: String,
}

pub async fn notes(db: &Db, id: i64) -> Result<Vec<NoteRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT n.texte, n.created_at, u.prenom || ' ' || u.nom AS agent_name
         FROM agent_notes n JOIN users u ON u.id = n.agent_id
         WHERE n.demande_id = $1 ORDER BY n.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// A private note of an agent on a demande of their centre.
pub async fn add_note(
    db: &Db,
    cert_id: i64,
    agent_id: i64,
    id: i64,
    texte: &str,
    now: i64,
) -> Result<(), AppError> {
    let texte = texte.trim();
    if texte.is_empty() {
        return Err(AppError::field(
            "texte",
            "Écrivez la note avant de l'ajouter.",
        ));
    }
    if texte.chars().count() > COMMENT_MAX_CHARS {
        return Err(AppError::field(
            "texte",
            "La note dépasse 1 000 caractères : abrégez-la.",
        ));
    }
    if crate::domain::formats::has_bidi_control(texte) {
        return Err(AppError::field(
            "texte",
            crate::domain::formats::BIDI_MESSAGE,
        ));
    }
    get(db, cert_id, id).await?;
    sqlx::query(
        "INSERT INTO agent_notes (demande_id, agent_id, texte, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(id)
    .bind(agent_id)
    .bind(texte)
    .bind(now)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// The latest request for a complement of a demande: (id, items, deadline, answered at).
#[derive(Clone, Debug)]
pub struct Complement {
    pub id: i64,
    pub items: Vec<Verdict>,
    pub avant: i64,
    pub created_at: i64,
    pub recu_at: Option<i64>,
}

pub async fn latest_complement(db: &Db, id: i64) -> Result<Option<Complement>, AppError> {
    let row: Option<(i64, String, i64, i64, Option<i64>)> = sqlx::query_as(
        "SELECT id, items, avant, created_at, recu_at FROM complements WHERE demande_id = $1
         ORDER BY id DESC LIMIT 1",
    )
    .bind(id)
    .fetch_optional(db.pool())
    .await?;
    Ok(
        row.map(|(id, items, avant, created_at, recu_at)| Complement {
            id,
            items: serde_json::from_str(&items).unwrap_or_default(),
            avant,
            created_at,
            recu_at,
        }),
    )
}

/// The people a decision is told to: the candidate (id, email, phone, first name) and the
/// school's users (id, email).
struct Recipients {
    candidate: Option<(i64, Option<String>, Option<String>)>,
    school: Vec<(i64, String)>,
}

impl Recipients {
    /// Queues `mail` to each of the school's users (`{key}:ecole:{user}`).
    async fn email_school(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        kind: &'static str,
        mail: &messages::Email,
        id: i64,
        now: i64,
    ) -> Result<(), AppError> {
        for (user_id, address) in &self.school {
            let message =
                NewMessage::email(format!("{key}:ecole:{user_id}"), kind, address, mail, None)
                    .about(*user_id, Some(id));
            enqueue(&mut *conn, &message, now).await?;
        }
        Ok(())
    }

    /// Queues `mail` to the candidate, if they have an email (`{key}:usager:email`).
    async fn email_candidate(
        &self,
        conn: &mut AnyConnection,
        key: &str,
        kind: &'static str,
        mail: &messages::Email,
        id: i64,
        now: i64,
    ) -> Result<(), AppError> {
        if let Some((user_id, Some(address), _)) = &self.candidate {
            let message =
                NewMessage::email(format!("{key}:usager:email"), kind, address, mail, None)
                    .about(*user_id, Some(id));
            enqueue(conn, &message, now).await?;
        }
        Ok(())
    }
}

async fn recipients(conn: &mut AnyConnection, row: &DemandeRow) -> Result<Recipients, AppError> {
    let candidate: Option<(i64, Option<String>)> = sqlx::query_as(
        "SELECT u.id, u.email FROM demandes d JOIN users u ON u.id = d.usager_id WHERE d.id = $1",
    )
    .bind(row.id)
    .fetch_optional(&mut *conn)
    .await?;
    let phone = row.data().ok().and_then(|d| d.adresse.map(|a| a.telephone));
    let school = super::users::school_recipients(conn, row.school_id).await?;
    Ok(Recipients {
        candidate: candidate.map(|(id, email)| (id, email, phone)),
        school,
    })
}

/// « Demander un complément »: one request listing every item found non conforme, with a
/// deadline `days` from now; the school (email) and the candidate (email and SMS) are told.
/// Returns the deadline.
#[allow(clippy::too_many_arguments)]
pub async fn ask_complement(
    db: &Db,
    settings: &Settings,
    cert_id: i64,
    agent_id: i64,
    id: i64,
    days: i64,
    now: i64,
) -> Result<i64, AppError> {
    let row = get(db, cert_id, id).await?;
    if row.etat == Etat::ComplementDemande {
        // A double click: the request made already.
        if let Some(c) = latest_complement(db, id)
            .await?
            .filter(|c| c.recu_at.is_none())
        {
            return Ok(c.avant);
        }
    }
    if !row.etat.to_instruct() {
        return Err(not_to_instruct(row.etat));
    }
    let s = suivi(db, id).await?;
    check_follower(&s, agent_id)?;
    let items: Vec<Verdict> = verdicts(db, id)
        .await?
        .iter()
        .filter_map(VerdictRow::verdict)
        .filter(|v| v.non_conformite.is_some())
        .collect();
    if items.is_empty() {
        return Err(AppError::Conflict(
            "Aucun élément n'est marqué « Non conforme » : marquez ceux que l'école doit remplacer, avec leur motif, avant de demander un complément.".into(),
        ));
    }
    let avant = complement_deadline(now, days.clamp(1, 90));
    let mut tx = db.pool().begin().await?;
    let Some(_) = transition(
        &mut tx,
        id,
        row.etat,
        Evenement::ComplementDemande,
        None,
        Some(agent_id),
        now,
    )
    .await?
    else {
        tx.rollback().await?;
        return Err(AppError::Conflict(
            super::demandes::CHANGED_MEANWHILE.into(),
        ));
    };
    let (cid,): (i64,) = sqlx::query_as(
        "INSERT INTO complements (demande_id, items, nb_items, avant, agent_id, created_at)
         VALUES ($1, $2, $6, $3, $4, $5) RETURNING id",
    )
    .bind(id)
    .bind(serde_json::to_string(&items).map_err(|e| AppError::internal("complement", e))?)
    .bind(avant)
    .bind(agent_id)
    .bind(now)
    .bind(items.len() as i64)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE demandes SET complement_avant = $1, agent_id = $2 WHERE id = $3")
        .bind(avant)
        .bind(agent_id)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    let listing: Vec<String> = items.iter().map(item_line).collect();
    sqlx::query(
        "UPDATE demande_events SET motif = $1, commentaire = $2
         WHERE id = (SELECT MAX(id) FROM demande_events WHERE demande_id = $3)",
    )
    .bind(format!("{} élément(s)", items.len()))
    .bind(listing.join("\n"))
    .bind(id)
    .execute(&mut *tx)
    .await?;

    let numero = row.numero.clone().unwrap_or_default();
    let data = row.data()?;
    let (prenom, nom) = data.listing_names();
    let deadline = format_date(avant);
    let to = recipients(&mut tx, &row).await?;
    let school_mail = messages::complement_email_ecole(
        &numero,
        &format!("{prenom} {nom}"),
        &listing,
        &deadline,
        &settings.url(&Page::Etape { id, n: 6 }.href()),
    );
    let key = format!("demande:{id}:complement:{cid}");
    to.email_school(&mut tx, &key, "complement_ecole", &school_mail, id, now)
        .await?;
    let first = prenom.split_whitespace().next().unwrap_or("");
    let mail = messages::complement_email_usager(
        first,
        &numero,
        &listing,
        &deadline,
        &settings.url(&Page::DemandeUsager { id }.href()),
    );
    to.email_candidate(&mut tx, &key, "complement_usager", &mail, id, now)
        .await?;
    if let Some((user_id, _, phone)) = &to.candidate {
        if let Some(phone) = phone {
            enqueue(
                &mut tx,
                &NewMessage::sms(
                    format!("demande:{id}:complement:{cid}:usager:sms"),
                    "complement_usager",
                    phone,
                    messages::complement_sms(&numero, &deadline),
                )
                .about(*user_id, Some(id)),
                now,
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(avant)
}

/// « Pièce d'identité : Illisible ou flou — le verso est coupé ».
pub fn item_line(v: &Verdict) -> String {
    let mut line = v.item.label();
    if let Some(n) = v.non_conformite {
        line.push_str(" : ");
        line.push_str(n.label());
    }
    if let Some(c) = v
        .commentaire
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        line.push_str(" — ");
        line.push_str(c);
    }
    line
}

/// What a decision did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decided {
    /// Registered with this NEPH.
    Inscrite(String),
    Rejetee,
}

/// « Accepter »: the candidate is registered. A NEPH is given (the candidate's own for an
/// extension or a return), the demande is « Inscription enregistrée », school and candidate
/// are emailed. A repeat answers the same NEPH.
pub async fn accept(
    db: &Db,
    settings: &Settings,
    cert_id: i64,
    agent_id: i64,
    id: i64,
    now: i64,
) -> Result<Decided, AppError> {
    let row = get(db, cert_id, id).await?;
    let s = suivi(db, id).await?;
    if let Err(refus) = row.etat.apres(Evenement::Acceptee) {
        return match (refus, s.neph) {
            (Refus::DejaFait, Some(neph)) => Ok(Decided::Inscrite(neph)),
            _ => Err(AppError::Conflict(refus_message(refus, row.etat))),
        };
    }
    check_follower(&s, agent_id)?;
    let non_conformes = verdicts(db, id)
        .await?
        .iter()
        .filter(|v| v.non_conformite.is_some())
        .count();
    if non_conformes > 0 {
        return Err(AppError::Conflict(format!(
            "{} marqué(s) « Non conforme » : demandez un complément, ou changez le verdict, avant d'accepter.",
            crate::domain::formats::plural(non_conformes as i64, "élément", "éléments")
        )));
    }
    let data = row.data()?;
    let motif = data.motif.as_ref().map(|m| m.motif);
    let typed = data.etat_civil.as_ref().and_then(|e| e.neph.as_deref());
    let mut tx = match decision_tx(db, id, row.etat, Evenement::Acceptee, agent_id, now).await? {
        Ok(tx) => tx,
        Err(done) => return Ok(done),
    };
    let neph = match motif.and_then(|m| kept_neph(m, typed)) {
        Some(kept) => {
            sqlx::query(
                "INSERT INTO nephs (neph, attribue_at) VALUES ($1, $2) ON CONFLICT (neph) DO NOTHING",
            )
            .bind(&kept)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            kept
        }
        None => {
            let today = super::time::date_paris(now);
            let (seq,): (i64,) = sqlx::query_as(
                "INSERT INTO numero_sequences (scope, last) VALUES ($1, 1)
                 ON CONFLICT (scope) DO UPDATE SET last = numero_sequences.last + 1 RETURNING last",
            )
            .bind(format!("neph-{:04}{:02}", today.year, today.month))
            .fetch_one(&mut *tx)
            .await?;
            let neph = new_neph(today.year, today.month, seq).ok_or_else(|| {
                AppError::internal("neph", "plus de 99 999 999 inscriptions dans le mois")
            })?;
            sqlx::query("INSERT INTO nephs (neph, attribue_at) VALUES ($1, $2)")
                .bind(&neph)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            neph
        }
    };
    sqlx::query(
        "UPDATE demandes SET neph = $1, inscrite_at = $2, agent_id = $3, complement_avant = NULL
         WHERE id = $4",
    )
    .bind(&neph)
    .bind(now)
    .bind(agent_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let numero = row.numero.clone().unwrap_or_default();
    let (prenom, nom) = data.listing_names();
    let valid_until = crate::domain::deadlines::attestation_valid_until(now).french();
    let to = recipients(&mut tx, &row).await?;
    let school_mail = messages::inscription_email_ecole(
        &numero,
        &format!("{prenom} {nom}"),
        &neph,
        &settings.url(&Page::EcoleDemandes.href_with("etat=inscrite")),
    );
    let key = format!("demande:{id}:inscrite");
    to.email_school(&mut tx, &key, "inscrite_ecole", &school_mail, id, now)
        .await?;
    let mail = messages::inscription_email_usager(
        prenom.split_whitespace().next().unwrap_or(""),
        &numero,
        &neph,
        &valid_until,
        &settings.url(&Page::DemandeUsager { id }.href()),
    );
    to.email_candidate(&mut tx, &key, "inscrite_usager", &mail, id, now)
        .await?;
    tx.commit().await?;
    Ok(Decided::Inscrite(neph))
}

fn refus_message(refus: Refus, etat: Etat) -> String {
    match refus {
        Refus::DejaFait => format!("Cette demande est déjà « {} ».", etat.label()),
        Refus::Impossible { .. } => refus.message(),
    }
}

/// Opens a decision's transaction with its transition; `Err`: another decision came first
/// (what it was, or a conflict).
async fn decision_tx(
    db: &Db,
    id: i64,
    from: Etat,
    evenement: Evenement,
    agent_id: i64,
    now: i64,
) -> Result<Result<sqlx::Transaction<'static, sqlx::Any>, Decided>, AppError> {
    let mut tx = db.pool().begin().await?;
    if transition(&mut tx, id, from, evenement, None, Some(agent_id), now)
        .await?
        .is_some()
    {
        return Ok(Ok(tx));
    }
    tx.rollback().await?;
    Ok(Err(decided_meanwhile(db, id, evenement).await?))
}

/// Another agent (or another tab) decided between our read and our write.
async fn decided_meanwhile(db: &Db, id: i64, evenement: Evenement) -> Result<Decided, AppError> {
    let (etat,): (Etat,) = sqlx::query_as("SELECT etat FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(db.pool())
        .await?;
    let s = suivi(db, id).await?;
    match (etat.apres(evenement), etat, s.neph) {
        (Err(Refus::DejaFait), Etat::Inscrite, Some(neph)) => Ok(Decided::Inscrite(neph)),
        (Err(Refus::DejaFait), Etat::Rejetee, _) => Ok(Decided::Rejetee),
        _ => Err(AppError::Conflict(format!(
            "Une autre décision vient d'être prise : la demande est « {} ».",
            etat.label()
        ))),
    }
}

/// « Rejeter »: a motivated rejection (ground and facts), with the routes of appeal; school
/// and candidate are emailed.
#[allow(clippy::too_many_arguments)]
pub async fn reject(
    db: &Db,
    settings: &Settings,
    cert_id: i64,
    agent_id: i64,
    id: i64,
    motif: Option<MotifRejet>,
    motivation: &str,
    now: i64,
) -> Result<Decided, AppError> {
    let row = get(db, cert_id, id).await?;
    if let Err(refus) = row.etat.apres(Evenement::Rejetee) {
        return match refus {
            Refus::DejaFait => Ok(Decided::Rejetee),
            _ => Err(AppError::Conflict(refus_message(refus, row.etat))),
        };
    }
    check_rejet(motif, motivation).map_err(|(field, message)| AppError::field(field, message))?;
    let motif = motif.ok_or(AppError::BadRequest)?;
    let motivation = motivation.trim();
    check_follower(&suivi(db, id).await?, agent_id)?;
    let mut tx = match decision_tx(db, id, row.etat, Evenement::Rejetee, agent_id, now).await? {
        Ok(tx) => tx,
        Err(done) => return Ok(done),
    };
    sqlx::query(
        "UPDATE demandes SET rejet_motif = $1, rejet_motivation = $2, agent_id = $3,
         complement_avant = NULL WHERE id = $4",
    )
    .bind(motif.code())
    .bind(motivation)
    .bind(agent_id)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "UPDATE demande_events SET motif = $1, commentaire = $2
         WHERE id = (SELECT MAX(id) FROM demande_events WHERE demande_id = $3)",
    )
    .bind(motif.code())
    .bind(motivation)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let numero = row.numero.clone().unwrap_or_default();
    let data = row.data()?;
    let (prenom, nom) = data.listing_names();
    let to = recipients(&mut tx, &row).await?;
    let school_mail = messages::rejet_email(
        None,
        &numero,
        &format!("{prenom} {nom}"),
        motif,
        motivation,
        &settings.url(&Page::EcoleDemandes.href_with("etat=rejetee")),
    );
    let key = format!("demande:{id}:rejetee");
    to.email_school(&mut tx, &key, "rejetee_ecole", &school_mail, id, now)
        .await?;
    let mail = messages::rejet_email(
        Some(prenom.split_whitespace().next().unwrap_or("")),
        &numero,
        &format!("{prenom} {nom}"),
        motif,
        motivation,
        &settings.url(&Page::DemandeUsager { id }.href()),
    );
    to.email_candidate(&mut tx, &key, "rejetee_usager", &mail, id, now)
        .await?;
    tx.commit().await?;
    Ok(Decided::Rejetee)
}

/// A line of a demande's timeline.
#[derive(Clone, Debug, FromRow)]
pub struct EventRow {
    pub kind: String,
    pub created_at: i64,
    pub motif: Option<String>,
    pub commentaire: Option<String>,
    /// The role of who acted (`agent`, `ecole`, `usager`…), if someone did.
    pub actor_role: Option<String>,
}

/// What happened to a demande, oldest first.
pub async fn timeline(db: &Db, id: i64) -> Result<Vec<EventRow>, AppError> {
    Ok(sqlx::query_as(
        "SELECT e.kind, e.created_at, e.motif, e.commentaire, u.role AS actor_role
         FROM demande_events e LEFT JOIN users u ON u.id = e.actor_id
         WHERE e.demande_id = $1 ORDER BY e.id",
    )
    .bind(id)
    .fetch_all(db.pool())
    .await?)
}

/// Copies into `form` the état-civil fields an item reopens, as the school typed them (the
/// others stay as validated).
fn reopen(
    champ: crate::domain::instruction::Champ,
    form: &mut crate::domain::steps::EtatCivilForm,
    typed: &crate::domain::steps::EtatCivilForm,
) {
    use crate::domain::instruction::Champ;
    match champ {
        Champ::NomNaissance => form.nom_naissance = typed.nom_naissance.clone(),
        Champ::NomUsage => form.nom_usage = typed.nom_usage.clone(),
        Champ::Prenoms => form.prenoms = typed.prenoms.clone(),
        Champ::DateNaissance => form.date_naissance = typed.date_naissance.clone(),
        Champ::LieuNaissance => {
            form.pays_naissance = typed.pays_naissance.clone();
            form.commune_naissance = typed.commune_naissance.clone();
            form.departement_naissance = typed.departement_naissance.clone();
        }
        Champ::Nationalite => form.nationalite = typed.nationalite.clone(),
    }
}

/// The school sends its complement back: every piece asked has a new file (the versions from
/// before are kept for the agents, marked replaced), every field asked is corrected (checked
/// like step 2; fields not asked cannot change), and the demande returns to its agent as
/// « Complément reçu ». A repeat (double click) changes nothing.
pub async fn answer_complement(
    db: &Db,
    school_id: i64,
    user_id: i64,
    id: i64,
    typed: &crate::domain::steps::EtatCivilForm,
    now: i64,
) -> Result<(), AppError> {
    use crate::domain::steps::{parse_etat_civil, EtatCivilForm};
    let row = super::demandes::get(db, school_id, id).await?;
    if row.etat == Etat::ComplementRecu {
        return Ok(());
    }
    if row.etat != Etat::ComplementDemande {
        return Err(AppError::Conflict(format!(
            "Cette demande est « {} » : aucun complément n'est attendu.",
            row.etat.label()
        )));
    }
    let complement = latest_complement(db, id)
        .await?
        .filter(|c| c.recu_at.is_none())
        .ok_or_else(|| AppError::Conflict("Aucun complément n'est attendu.".into()))?;
    let mut data = row.data()?;
    let mut errors = Vec::new();
    // The fields asked, from what the school typed; the others as they were.
    let champs: Vec<crate::domain::instruction::Champ> = complement
        .items
        .iter()
        .filter_map(|v| match v.item {
            Item::Champ(c) => Some(c),
            Item::Piece(_) => None,
        })
        .collect();
    if !champs.is_empty() {
        let current = data.etat_civil.as_ref().ok_or(AppError::BadRequest)?;
        let mut form = EtatCivilForm::from_step(current);
        for champ in &champs {
            reopen(*champ, &mut form, typed);
        }
        let today = super::time::date_paris(row.validated_at.unwrap_or(now));
        match parse_etat_civil(&form, data.motif.as_ref(), today) {
            Ok(ec) => data.etat_civil = Some(ec),
            Err(e) => errors.extend(e),
        }
    }
    let mut replaced = Vec::new();
    for v in &complement.items {
        if let Item::Piece(p) = v.item {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM pieces WHERE demande_id = $1 AND kind = $2
                 AND created_at >= $3 AND remplacee_at IS NULL",
            )
            .bind(id)
            .bind(p.code())
            .bind(complement.created_at)
            .fetch_one(db.pool())
            .await?;
            if n == 0 {
                errors.push(crate::error::FieldError {
                    field: format!("piece-{}", p.code()),
                    message: format!("Déposez le nouveau document : « {} ».", p.label()),
                });
            } else {
                replaced.push(p);
            }
        }
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let mut tx = db.pool().begin().await?;
    let Some(_) = transition(
        &mut tx,
        id,
        Etat::ComplementDemande,
        Evenement::ComplementEnvoye,
        None,
        Some(user_id),
        now,
    )
    .await?
    else {
        tx.rollback().await?;
        return Err(AppError::Conflict(
            super::demandes::CHANGED_MEANWHILE.into(),
        ));
    };
    for p in &replaced {
        sqlx::query(
            "UPDATE pieces SET remplacee_at = $1 WHERE demande_id = $2 AND kind = $3
             AND created_at < $4 AND remplacee_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(p.code())
        .bind(complement.created_at)
        .execute(&mut *tx)
        .await?;
    }
    let (prenom, nom) = data.listing_names();
    sqlx::query(
        "UPDATE demandes SET data = $1, prenom = $2, nom = $3, recherche = $4,
         complement_avant = NULL WHERE id = $5",
    )
    .bind(serde_json::to_string(&data).map_err(|e| AppError::internal("demande data", e))?)
    .bind(&prenom)
    .bind(&nom)
    .bind(super::demandes::search_text(
        row.numero.as_deref(),
        &prenom,
        &nom,
    ))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    mots::reindex(&mut tx, &[id]).await?;
    sqlx::query("UPDATE complements SET recu_at = $1 WHERE id = $2")
        .bind(now)
        .bind(complement.id)
        .execute(&mut *tx)
        .await?;
    // The agent checks the replaced items again.
    for v in &complement.items {
        sqlx::query("DELETE FROM verdicts WHERE demande_id = $1 AND item = $2")
            .bind(id)
            .bind(v.item.code())
            .execute(&mut *tx)
            .await?;
    }
    let listing: Vec<String> = complement.items.iter().map(|v| v.item.label()).collect();
    sqlx::query(
        "UPDATE demande_events SET commentaire = $1
         WHERE id = (SELECT MAX(id) FROM demande_events WHERE demande_id = $2)",
    )
    .bind(format!("Éléments remplacés : {}", listing.join(", ")))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}
