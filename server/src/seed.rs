//! Administration commands (schools, users) and the demo accounts.

use app::domain::account::Role;
use app::domain::password::check_new_password;
use app::error::AppError;
use app::server::passwords::hash_password;
use app::server::users::{self, NewSchool, NewUser};
use app::server::AppContext;

pub struct NewAccount {
    pub role: Role,
    pub identifiant: String,
    pub email: Option<String>,
    pub prenom: String,
    pub nom: String,
    /// For a driving-school user: the school's agrément number.
    pub agrement: Option<String>,
    /// For an agent: the name of their centre (CERT).
    pub cert: Option<String>,
    pub password: String,
}

/// Creates an account after checking the password rules; returns its id.
pub async fn create_account(ctx: &AppContext, account: NewAccount) -> Result<i64, AppError> {
    let identity: Vec<&str> = std::iter::once(account.identifiant.as_str())
        .chain(account.email.as_deref())
        .collect();
    check_new_password(&account.password, &identity)
        .map_err(|p| AppError::field("password", p.message()))?;
    let school_id = match (account.role, account.agrement.as_deref()) {
        (Role::Ecole, Some(agrement)) => Some(
            users::find_school_by_agrement(&ctx.db, agrement)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "agrement",
                        format!("Aucune école n'a l'agrément « {agrement} »."),
                    )
                })?
                .id,
        ),
        (Role::Ecole, None) => {
            return Err(AppError::field(
                "agrement",
                "Un compte d'école de conduite doit être rattaché à une école (--agrement).",
            ))
        }
        (_, Some(_)) => {
            return Err(AppError::field(
                "agrement",
                "Seuls les comptes d'école de conduite sont rattachés à une école.",
            ))
        }
        (_, None) => None,
    };
    let cert_id = match (account.role, account.cert.as_deref()) {
        (Role::Agent, Some(nom)) => Some(
            app::server::instruction::find_cert(&ctx.db, nom)
                .await?
                .ok_or_else(|| {
                    AppError::field(
                        "cert",
                        format!("Aucun centre ne s'appelle « {nom} » (permis create-cert)."),
                    )
                })?
                .id,
        ),
        (_, Some(_)) => {
            return Err(AppError::field(
                "cert",
                "Seuls les agents sont rattachés à un centre.",
            ))
        }
        (_, None) => None,
    };
    let hash = hash_password(account.password).await?;
    let id = users::create_user(
        &ctx.db,
        NewUser {
            role: account.role,
            identifiant: account.identifiant,
            email: account.email,
            prenom: account.prenom,
            nom: account.nom,
            school_id,
            password_hash: Some(hash),
        },
        ctx.now(),
    )
    .await?;
    if let Some(cert_id) = cert_id {
        app::server::instruction::set_agent_cert(&ctx.db, id, cert_id).await?;
    }
    Ok(id)
}

/// The demo centres: Paris for Île-de-France, Nantes for every other département (every
/// demande of the demo is routed).
pub fn demo_certs() -> Vec<app::server::instruction::NewCert> {
    let idf = ["75", "77", "78", "91", "92", "93", "94", "95"];
    vec![
        app::server::instruction::NewCert {
            nom: DEMO_CERT_PARIS.into(),
            adresse: vec![
                "CERT permis de conduire de Paris".into(),
                "1 bis rue de Lutèce".into(),
                "75004 Paris".into(),
            ],
            email: "cert-paris@interieur.example".into(),
            telephone: "01 53 71 00 00".into(),
            departements: idf.iter().map(|d| d.to_string()).collect(),
        },
        app::server::instruction::NewCert {
            nom: DEMO_CERT_NANTES.into(),
            adresse: vec![
                "CERT permis de conduire de Nantes".into(),
                "TSA 30127".into(),
                "44945 Nantes Cedex 9".into(),
            ],
            email: "cert-nantes@interieur.example".into(),
            telephone: "02 40 00 00 00".into(),
            departements: app::domain::departements::DEPARTEMENTS
                .iter()
                .map(|d| d.0.to_string())
                .filter(|d| !idf.contains(&d.as_str()))
                .collect(),
        },
    ]
}

pub const DEMO_CERT_PARIS: &str = "CERT de Paris";
pub const DEMO_CERT_NANTES: &str = "CERT de Nantes";

pub async fn create_school(ctx: &AppContext, school: NewSchool) -> Result<i64, AppError> {
    if school.name.trim().is_empty() {
        return Err(AppError::field(
            "name",
            "Le nom de l'école est obligatoire.",
        ));
    }
    let agrement = school.agrement.trim();
    if agrement.is_empty()
        || agrement.len() > 20
        || !agrement.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(AppError::field(
            "agrement",
            "Le numéro d'agrément est obligatoire (lettres et chiffres, 20 au plus), par exemple E2407500010.",
        ));
    }
    users::create_school(&ctx.db, &school, ctx.now()).await
}

/// A demo account, printed on the console by `permis demo`.
pub struct DemoAccount {
    pub label: &'static str,
    pub login_path: String,
    pub identifiant: &'static str,
    pub password: &'static str,
}

pub const DEMO_SCHOOL_AGREMENT: &str = "E2407500010";

pub const DEMO_ACCOUNTS: &[(&str, Role, &str, &str, &str, &str, &str)] = &[
    // label, role, identifiant, email, prénom, nom, password
    (
        "École de conduite",
        Role::Ecole,
        "ecole.gare",
        "contact@autoecole-gare.example",
        "Nadia",
        "Benali",
        "vitesse limitee a 50",
    ),
    (
        "Candidat avec un compte",
        Role::Usager,
        "pmartin",
        "pierre.martin@example.fr",
        "Pierre",
        "Martin",
        "tartine du dimanche",
    ),
    (
        "Administrateur",
        Role::Admin,
        "admin",
        "admin@permis.example",
        "Claire",
        "Durand",
        "chef de bureau 2026",
    ),
    (
        "Agent du CERT de Nantes",
        Role::Agent,
        "agent.ctn",
        "agent@ctn.example",
        "Marc",
        "Lefebvre",
        "centre instruction nantes",
    ),
    (
        "Agent du CERT de Paris",
        Role::Agent,
        "agent.paris",
        "agent@cert-paris.example",
        "Sophie",
        "Moreau",
        "instruction a paris 2026",
    ),
];

/// The centre of a demo agent.
fn demo_cert_of(identifiant: &str) -> Option<&'static str> {
    match identifiant {
        "agent.ctn" => Some(DEMO_CERT_NANTES),
        "agent.paris" => Some(DEMO_CERT_PARIS),
        _ => None,
    }
}

/// The demo accounts that exist with their published password (the README prints them): a
/// server in production refuses to start while one does.
pub async fn demo_passwords_in_use(ctx: &AppContext) -> Result<Vec<&'static str>, AppError> {
    let mut found = Vec::new();
    for (_, _, identifiant, _, _, _, password) in DEMO_ACCOUNTS {
        for hash in users::password_hashes_of(&ctx.db, identifiant).await? {
            if app::server::passwords::verify_password(password.to_string(), hash).await? {
                found.push(*identifiant);
                break;
            }
        }
    }
    Ok(found)
}

/// E-photo codes registered by `permis demo` (as if issued yesterday by a photo booth).
pub const DEMO_EPHOTO_CODES: &[&str] = &[
    "DEMO2026EPHOTO00000001",
    "DEMO2026EPHOTO00000002",
    "DEMO2026EPHOTO00000003",
    "DEMO2026EPHOTO00000004",
    "DEMO2026EPHOTO00000005",
];

/// Creates the demo school and accounts when missing (idempotent) and returns them.
pub async fn seed_demo(ctx: &AppContext) -> Result<Vec<DemoAccount>, AppError> {
    for cert in demo_certs() {
        app::server::instruction::create_cert(&ctx.db, &cert, ctx.now()).await?;
    }
    for code in DEMO_EPHOTO_CODES {
        app::server::demandes::register_ephoto_code(
            &ctx.db,
            code,
            "démonstration",
            ctx.now() - 86_400,
        )
        .await?;
    }
    if users::find_school_by_agrement(&ctx.db, DEMO_SCHOOL_AGREMENT)
        .await?
        .is_none()
    {
        create_school(
            ctx,
            NewSchool {
                name: "Auto-école de la Gare".into(),
                agrement: DEMO_SCHOOL_AGREMENT.into(),
                departement: "75".into(),
            },
        )
        .await?;
    }
    let mut out = Vec::new();
    for &(label, role, identifiant, email, prenom, nom, password) in DEMO_ACCOUNTS {
        if users::find_id_by_identifiant(&ctx.db, identifiant)
            .await?
            .is_none()
        {
            create_account(
                ctx,
                NewAccount {
                    role,
                    identifiant: identifiant.into(),
                    email: Some(email.into()),
                    prenom: prenom.into(),
                    nom: nom.into(),
                    agrement: (role == Role::Ecole).then(|| DEMO_SCHOOL_AGREMENT.into()),
                    cert: demo_cert_of(identifiant).map(Into::into),
                    password: password.into(),
                },
            )
            .await?;
        }
        out.push(DemoAccount {
            label,
            login_path: app::routes::login_of(role.espace()).href(),
            identifiant,
            password,
        });
    }
    Ok(out)
}
