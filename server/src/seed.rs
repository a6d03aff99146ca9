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
    let hash = hash_password(account.password).await?;
    users::create_user(
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
    .await
}

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
        "Agent du centre d'instruction",
        Role::Agent,
        "agent.ctn",
        "agent@ctn.example",
        "Marc",
        "Lefebvre",
        "centre instruction nantes",
    ),
];

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
