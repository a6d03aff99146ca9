//! The benchmark's data (`permis bench-seed`, run by `scripts/bench.sh`): a national-scale
//! database built by set-based SQL, the same statements on SQLite and PostgreSQL — schools, one
//! of them big, their users, a million demandes in every state with their candidates, accounts
//! due for the 7-day deletion and accounts due a reminder, a centre (CERT) per département with
//! the demandes transmitted to it, and an agent of the big school's centre. Never on a database
//! that holds demandes already.

use crate::domain::date::Date;
use crate::domain::demande::{
    Adresse, Categorie, DemandeData, EtatCivil, Filiere, ModePhoto, Motif, MotifStep, PhotoStep,
    Sexe,
};
use crate::error::AppError;

use super::db::Backend;
use super::Db;

/// How big the benchmark's database is.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub demandes: i64,
    pub ecoles: i64,
    /// The demandes of the first school (`banc.ecole.1`).
    pub grande_ecole: i64,
    /// Unactivated accounts whose link expired: due for the 7-day deletion.
    pub a_expirer: i64,
    /// Unactivated accounts whose link was sent 3 and a half days ago: due the day-3 reminder.
    pub a_relancer: i64,
}

/// The password of every account the benchmark creates.
pub const PASSWORD: &str = "Banc-essai-permis-2026";

/// The agent the benchmark logs in (`banc.agent.1`): a member of the centre of `banc.ecole.1`.
pub const AGENT: &str = "banc.agent.1";

/// Surnames of the candidates, « Martin » first (one candidate in 50: what a search finds).
const NOMS: [&str; 50] = [
    "Martin",
    "Bernard",
    "Thomas",
    "Petit",
    "Robert",
    "Richard",
    "Durand",
    "Dubois",
    "Moreau",
    "Laurent",
    "Simon",
    "Michel",
    "Lefebvre",
    "Leroy",
    "Roux",
    "David",
    "Bertrand",
    "Morel",
    "Fournier",
    "Girard",
    "Bonnet",
    "Dupont",
    "Lambert",
    "Fontaine",
    "Rousseau",
    "Vincent",
    "Muller",
    "Lefevre",
    "Faure",
    "Andre",
    "Mercier",
    "Blanc",
    "Guerin",
    "Boyer",
    "Garnier",
    "Chevalier",
    "Francois",
    "Legrand",
    "Gauthier",
    "Garcia",
    "Perrin",
    "Robin",
    "Clement",
    "Morin",
    "Nicolas",
    "Henry",
    "Roussel",
    "Mathieu",
    "Gautier",
    "Masson",
];

const PRENOMS: [&str; 20] = [
    "Lea", "Hugo", "Chloe", "Louis", "Emma", "Gabriel", "Manon", "Arthur", "Jade", "Jules",
    "Louise", "Adam", "Alice", "Raphael", "Lina", "Paul", "Rose", "Nathan", "Anna", "Tom",
];

/// The states of a demande that reached its centre (it has an arrival date, a centre and the
/// département it came from).
const AT_CENTRE: &str =
    "'transmise', 'inscrite', 'rejetee', 'complement_demande', 'classee_sans_suite'";

/// The state of demande `i`, by `i % 20`: a twentieth of drafts, most at the centre or done.
const ETATS: [&str; 20] = [
    "brouillon",
    "attente_usager",
    "attente_papier",
    "attente_papier",
    "transmise",
    "transmise",
    "transmise",
    "transmise",
    "transmise",
    "transmise",
    "inscrite",
    "inscrite",
    "inscrite",
    "inscrite",
    "inscrite",
    "refusee_usager",
    "rejetee",
    "complement_demande",
    "papier_non_recu",
    "classee_sans_suite",
];

const DEPARTEMENTS: [&str; 8] = ["75", "69", "13", "33", "59", "44", "31", "67"];

// `recherche` is what `domain::communes::fold` makes of « numéro prénom nom »: upper case,
// hyphens as spaces (the seeded names are plain ASCII).

/// What every seeded demande holds (the candidate's own names are in the columns).
fn template() -> DemandeData {
    DemandeData {
        motif: Some(MotifStep {
            motif: Motif::Premier,
            categories: vec![Categorie::B],
            filiere: Filiere::Traditionnelle,
            boite_automatique: false,
            handicap: false,
        }),
        etat_civil: Some(EtatCivil {
            sexe: Sexe::Feminin,
            nom_naissance: "Martin".into(),
            nom_usage: None,
            prenoms: "Lea".into(),
            date_naissance: Date {
                year: 2008,
                month: 5,
                day: 14,
            },
            pays_naissance: "France".into(),
            commune_naissance: "Lyon".into(),
            departement_naissance: Some("69".into()),
            nationalite: "Française".into(),
            neph: None,
            representant: None,
        }),
        adresse: Some(Adresse {
            numero: Some("12".into()),
            extension: None,
            type_voie: Some("rue".into()),
            nom_voie: "de la Gare".into(),
            complement: None,
            code_postal: "75010".into(),
            commune: "Paris".into(),
            prefecture: "Paris".into(),
            email: "candidat@exemple.invalid".into(),
            telephone: "+33600000000".into(),
            refus_reutilisation: false,
        }),
        photo: Some(PhotoStep {
            mode: ModePhoto::Papier,
            code_ephoto: None,
        }),
    }
}

/// `SELECT … FROM` a list of values as a table `name(k, v)` numbered from 0, written inline.
fn values_table(name: &str, values: &[&str]) -> String {
    let rows: Vec<String> = values
        .iter()
        .enumerate()
        .map(|(k, v)| format!("SELECT {k} AS k, '{v}' AS v"))
        .collect();
    format!("{name} AS ({})", rows.join(" UNION ALL "))
}

/// The numbers 1..=n as a table `n(i)`.
fn numbers(n: i64) -> String {
    format!("n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < {n})")
}

/// Fills an empty database; returns the number of demandes created. `password_hash` is the
/// PHC string every seeded account with a password gets.
pub async fn seed(db: &Db, size: Size, password_hash: &str, now: i64) -> Result<i64, AppError> {
    let Size {
        demandes: n,
        ecoles: e,
        grande_ecole: g,
        a_expirer: x,
        a_relancer: r,
    } = size;
    if e < 2 || g > n || x + r + g > n || n < 20 {
        return Err(AppError::Refused(
            "Tailles incohérentes : il faut au moins 2 écoles et 20 demandes, et la grande école comme les comptes à expirer et à relancer doivent tenir dans les demandes.".into(),
        ));
    }
    let (existing,): (i64,) =
        sqlx::query_as("SELECT (SELECT COUNT(*) FROM demandes) + (SELECT COUNT(*) FROM schools)")
            .fetch_one(db.pool())
            .await?;
    if existing > 0 {
        return Err(AppError::Refused(
            "La base contient déjà des écoles ou des demandes : le banc d'essai ne remplit qu'une base vide.".into(),
        ));
    }
    let data =
        serde_json::to_string(&template()).map_err(|e| AppError::internal("bench template", e))?;
    let noms = values_table("noms", &NOMS);
    let prenoms = values_table("prenoms", &PRENOMS);
    let etats = values_table("etats", &ETATS);
    let deps = values_table("deps", &DEPARTEMENTS);
    // Candidate of demande i: user e + 1 + i (user e + 1 is `banc.usager.1`).
    let usager = e + 1;
    // The last x + r demandes wait for an unactivated candidate: x expired, r due a reminder.
    let pending_from = n - x - r + 1;
    let expired_from = n - x + 1;
    let day = crate::domain::deadlines::DAY;
    // A centre per département of the seed (school i is in département i % 8, covered by centre
    // i % 8 + 1); the agent, after the candidates, belongs to the big school's centre.
    let centres = DEPARTEMENTS.len() as i64;
    let agent = usager + n + 1;
    // Every date within the last 8 days: the jobs then find what the issue measures (the
    // unactivated accounts, the reminders), not a year of paper forms and refusals due at once.
    let span = 8 * day;

    let mut tx = db.pool().begin().await?;
    let statements = [
        format!(
            "WITH RECURSIVE {}, {deps}
             INSERT INTO schools (id, name, agrement, departement, created_at)
             SELECT i, 'Auto-école du banc ' || i, 'E99' || (1000000 + i), deps.v, {now}
             FROM n JOIN deps ON deps.k = i % 8",
            numbers(e)
        ),
        format!(
            "WITH RECURSIVE {}
             INSERT INTO users (id, role, espace, identifiant, email, email_norm, password_hash,
                                status, prenom, nom, school_id, created_at, activated_at)
             SELECT i, 'ecole', 'pro', 'banc.ecole.' || i, 'banc.ecole.' || i || '@exemple.invalid',
                    'banc.ecole.' || i || '@exemple.invalid', $1, 'active', 'Secrétariat', 'Banc',
                    i, {now}, {now}
             FROM n",
            numbers(e)
        ),
        format!(
            "WITH RECURSIVE {}
             INSERT INTO certs (id, nom, adresse, email, telephone, created_at)
             SELECT i, 'CERT du banc ' || i, 'Centre du banc ' || i, 'cert.' || i || '@exemple.invalid',
                    '0100000000', {now}
             FROM n",
            numbers(centres)
        ),
        format!(
            "WITH {deps}
             INSERT INTO cert_departements (departement, cert_id) SELECT v, k + 1 FROM deps"
        ),
        format!(
            "INSERT INTO users (id, role, espace, identifiant, email, email_norm, password_hash,
                                status, prenom, nom, cert_id, created_at, activated_at)
             VALUES ({agent}, 'agent', 'pro', '{AGENT}', '{AGENT}@exemple.invalid',
                     '{AGENT}@exemple.invalid', $1, 'active', 'Agent', 'Banc', 1 % {centres} + 1,
                     {now}, {now})"
        ),
        format!(
            "INSERT INTO users (id, role, espace, identifiant, email, email_norm, password_hash,
                                status, prenom, nom, created_at, activated_at, sexe)
             VALUES ({usager}, 'usager', 'usager', 'banc.usager.1', 'banc.usager.1@exemple.invalid',
                     'banc.usager.1@exemple.invalid', $1, 'active', 'Lea', 'Martin', {now}, {now}, 'F')"
        ),
        // Every demande that is not a draft has its candidate.
        format!(
            "WITH RECURSIVE {}, {prenoms}, {noms}
             INSERT INTO users (id, role, espace, identifiant, email, email_norm, password_hash,
                                status, prenom, nom, created_at, activated_at, sexe,
                                created_by_school)
             SELECT {usager} + i, 'usager', 'usager', 'banc.candidat.' || i,
                    'banc.candidat.' || i || '@exemple.invalid',
                    'banc.candidat.' || i || '@exemple.invalid',
                    CASE WHEN i < {pending_from} THEN $1 END,
                    CASE WHEN i < {pending_from} THEN 'active' ELSE 'pending_activation' END,
                    prenoms.v, noms.v, {now} - ({n} - i) * {span} / {n},
                    CASE WHEN i < {pending_from} THEN {now} - ({n} - i) * {span} / {n} END, 'F',
                    CASE WHEN i <= {g} THEN 1 ELSE 2 + (i - {g}) % ({e} - 1) END
             FROM n JOIN prenoms ON prenoms.k = (i / 20) % 20 JOIN noms ON noms.k = (i * 7) % 50
             WHERE i % 20 <> 0 OR i >= {pending_from}",
            numbers(n)
        ),
        format!(
            "WITH RECURSIVE {}, {prenoms}, {noms}, {etats}, {deps}
             INSERT INTO demandes (id, school_id, created_by, etat, numero, data, prenom, nom,
                                   categories, recherche, version, etape, created_at, updated_at,
                                   validated_at, usager_id, transmise_at, decided_at, cert_id,
                                   departement)
             SELECT i, s, s, etat,
                    CASE WHEN etat <> 'brouillon' THEN '99-261101-' || i END,
                    $1, prenoms.v, noms.v, 'B',
                    UPPER(CASE WHEN etat <> 'brouillon' THEN '99 261101 ' || i ELSE '' END
                          || ' ' || prenoms.v || ' ' || noms.v),
                    1, CASE WHEN etat = 'brouillon' THEN 3 ELSE 6 END, at, at,
                    CASE WHEN etat <> 'brouillon' THEN at END,
                    CASE WHEN etat <> 'brouillon' THEN {usager} + i END,
                    CASE WHEN etat IN ({AT_CENTRE}) THEN at END,
                    CASE WHEN etat NOT IN ('brouillon', 'attente_usager') THEN at END,
                    CASE WHEN etat IN ({AT_CENTRE}) THEN s % {centres} + 1 END,
                    CASE WHEN etat IN ({AT_CENTRE}) THEN deps.v END
             FROM (SELECT i, CASE WHEN i <= {g} THEN 1 ELSE 2 + (i - {g}) % ({e} - 1) END AS s,
                          CASE WHEN i >= {pending_from} THEN 'attente_usager' ELSE etats.v END
                              AS etat,
                          {now} - ({n} - i) * {span} / {n} AS at
                   FROM n JOIN etats ON etats.k = i % 20) d
             JOIN prenoms ON prenoms.k = (i / 20) % 20 JOIN noms ON noms.k = (i * 7) % 50
             JOIN deps ON deps.k = s % {centres}",
            numbers(n)
        ),
        // Activation links: expired for the last x, sent three and a half days ago for the r
        // before them.
        format!(
            "WITH RECURSIVE {}
             INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at)
             SELECT {usager} + i, 'activation', 'banc-' || i,
                    CASE WHEN i >= {expired_from} THEN {now} - 8 * {day} ELSE {now} - 84 * 3600 END,
                    CASE WHEN i >= {expired_from} THEN {now} - {day} ELSE {now} + 84 * 3600 END
             FROM n WHERE i >= {pending_from}",
            numbers(n)
        ),
        // `banc.usager.1` owns three demandes of the second school, the first awaiting them.
        format!(
            "UPDATE demandes SET usager_id = {usager},
                    etat = CASE WHEN id = {g} + 1 THEN 'attente_usager' ELSE etat END
             WHERE id IN ({g} + 1, {g} + 2, {g} + 3)"
        ),
    ];
    for sql in &statements {
        // The demandes' statement binds the template, the others a password.
        let bound = if sql.contains("INSERT INTO demandes") {
            &data
        } else {
            password_hash
        };
        let q = sqlx::query(sql);
        let q = if sql.contains("$1") { q.bind(bound) } else { q };
        q.execute(&mut *tx).await?;
    }
    // The search's word index, as the migration fills it.
    for sql in super::mots::fill_all(db.backend()) {
        sqlx::query(&sql).execute(&mut *tx).await?;
    }
    tx.commit().await?;
    if db.backend() == Backend::Postgres {
        // Explicit ids: the identity columns start after them.
        for table in ["schools", "users", "demandes", "account_tokens", "certs"] {
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"
            ))
            .execute(db.pool())
            .await?;
        }
        // What autovacuum does to a table that received this many rows (statistics, and the
        // visibility map that lets a count read the index alone).
        sqlx::query("VACUUM ANALYZE").execute(db.pool()).await?;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_template_is_a_complete_demande_with_a_candidate_to_remind() {
        let data = super::template();
        let json = serde_json::to_string(&data).unwrap();
        let back: crate::domain::demande::DemandeData = serde_json::from_str(&json).unwrap();
        assert!(back.etat_civil.is_some() && back.adresse.is_some());
        assert!(
            !json.contains('\''),
            "the template is bound, but keep it plain: {json}"
        );
    }
}
