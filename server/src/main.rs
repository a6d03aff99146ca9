//! `permis`: the server binary and its administration commands.

use std::io::BufRead;
use std::sync::Arc;

use clap::{Parser, Subcommand};
use leptos::config::get_configuration;

use app::domain::account::Role;
use app::server::{AppContext, Db, SystemClock};
use server::seed::{self, NewAccount};
use server::{build_router, AppState, Config};

#[derive(Parser)]
#[command(name = "permis", about = "Demande de permis de conduire en ligne")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Migrates the database and serves the site (the default).
    Serve,
    /// Applies the database migrations and exits.
    Migrate,
    /// Creates the demo school and accounts when missing and prints how to log in.
    Demo,
    /// Fills an empty database with the benchmark's national-scale data (scripts/bench.sh):
    /// schools `banc.ecole.N`, candidate `banc.usager.1`, password `Banc-essai-permis-2026`.
    /// Development only.
    BenchSeed {
        #[arg(long, default_value_t = 1_000_000)]
        demandes: i64,
        #[arg(long, default_value_t = 500)]
        ecoles: i64,
        /// The demandes of `banc.ecole.1`.
        #[arg(long, default_value_t = 50_000)]
        grande_ecole: i64,
        /// Unactivated accounts due for the 7-day deletion.
        #[arg(long, default_value_t = 100_000)]
        a_expirer: i64,
        /// Unactivated accounts due the day-3 reminder.
        #[arg(long, default_value_t = 100_000)]
        a_relancer: i64,
    },
    /// Creates a driving school.
    CreateSchool {
        #[arg(long)]
        name: String,
        /// Numéro d'agrément préfectoral, e.g. E2407500010.
        #[arg(long)]
        agrement: String,
        /// Département, e.g. 75 or 2A.
        #[arg(long)]
        departement: String,
    },
    /// Runs the deadline and retention jobs once, as of `--at` (RFC 3339, e.g.
    /// `2026-12-04T10:00:00Z`; development only) or now: to demonstrate or test without waiting.
    Jobs {
        #[arg(long)]
        at: Option<String>,
    },
    /// Lists the emails and SMS given up on (refused address, server unreachable for 9 hours).
    MessagesEnEchec,
    /// Registers an approved e-photo provider and prints its API key (shown only once).
    CreateEphotoProvider {
        #[arg(long)]
        name: String,
    },
    /// Creates a driving-school user, an agent or an admin. The password is read from standard input.
    CreateUser {
        /// ecole, agent or admin.
        #[arg(long)]
        role: String,
        #[arg(long)]
        identifiant: String,
        #[arg(long)]
        email: Option<String>,
        #[arg(long, default_value = "")]
        prenom: String,
        #[arg(long, default_value = "")]
        nom: String,
        /// For role ecole: the school's agrément number.
        #[arg(long)]
        agrement: Option<String>,
        /// For role agent: the name of their centre (CERT), as given to create-cert.
        #[arg(long)]
        cert: Option<String>,
    },
    /// Creates a centre (CERT) and the départements it covers (or adds départements to it).
    CreateCert {
        /// « CERT de Nantes ».
        #[arg(long)]
        nom: String,
        /// Postal address, one line per `--adresse`.
        #[arg(long, required = true)]
        adresse: Vec<String>,
        #[arg(long)]
        email: String,
        #[arg(long)]
        telephone: String,
        /// Départements covered, comma-separated: 44,49,53,72,85.
        #[arg(long, value_delimiter = ',', required = true)]
        departements: Vec<String>,
    },
}

fn fail(message: impl std::fmt::Display) -> ! {
    eprintln!("permis : {message}");
    std::process::exit(1);
}

async fn context(config: &Config) -> AppContext {
    let db = Db::connect(&config.database_url)
        .await
        .unwrap_or_else(|e| fail(format!("connexion à la base impossible : {e}")));
    db.migrate()
        .await
        .unwrap_or_else(|e| fail(format!("migration impossible : {e}")));
    let storage = app::server::storage::Storage::from_config(&config.storage)
        .unwrap_or_else(|e| fail(format!("stockage {} inaccessible : {e}", config.storage)));
    let communes = std::fs::read_to_string(&config.communes).unwrap_or_else(|e| {
        fail(format!(
            "données des codes postaux introuvables ({}: {e}) : lancez scripts/setup.sh",
            config.communes.display()
        ))
    });
    let flash_key = app::server::keys::flash_key(&db)
        .await
        .unwrap_or_else(|e| fail(format!("clé du serveur : {e}")));
    AppContext {
        db,
        storage,
        communes: Arc::new(app::domain::communes::Communes::from_tsv(&communes)),
        clock: Arc::new(SystemClock),
        settings: Arc::new(app::server::Settings {
            flash_key,
            ..config.settings()
        }),
        outbox_wake: Arc::new(tokio::sync::Notify::new()),
    }
}

#[tokio::main]
async fn main() {
    server::logging::init(server::logging::Format::from_env());
    let cli = Cli::parse();
    let config = cli.config;
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            context(&config).await;
            println!("Base de données à jour.");
        }
        Command::Demo => {
            if config.env == server::config::RunMode::Production {
                fail("permis demo crée des comptes dont les mots de passe sont publiés (README) : réservé au développement (PERMIS_ENV=development).");
            }
            let ctx = context(&config).await;
            let accounts = seed::seed_demo(&ctx).await.unwrap_or_else(|e| fail(e));
            println!("Comptes de démonstration ({}):", config.public_url);
            for a in accounts {
                let url = format!(
                    "{}{}",
                    config.public_url.as_str().trim_end_matches('/'),
                    a.login_path
                );
                println!(
                    "  {:<32} {:<38} identifiant : {:<12} mot de passe : {}",
                    a.label, url, a.identifiant, a.password
                );
            }
            println!(
                "Codes e-photo de démonstration : {}",
                seed::DEMO_EPHOTO_CODES.join(", ")
            );
        }
        Command::BenchSeed {
            demandes,
            ecoles,
            grande_ecole,
            a_expirer,
            a_relancer,
        } => {
            if config.env == server::config::RunMode::Production {
                fail("permis bench-seed crée des comptes au mot de passe publié : réservé au développement (PERMIS_ENV=development).");
            }
            let ctx = context(&config).await;
            let started = std::time::Instant::now();
            let hash = app::server::passwords::hash_password(app::server::bench::PASSWORD.into())
                .await
                .unwrap_or_else(|e| fail(e));
            let size = app::server::bench::Size {
                demandes,
                ecoles,
                grande_ecole,
                a_expirer,
                a_relancer,
            };
            let n = app::server::bench::seed(&ctx.db, size, &hash.0, ctx.now())
                .await
                .unwrap_or_else(|e| fail(e));
            println!(
                "Banc d'essai : {n} demandes, {ecoles} écoles (banc.ecole.1 : {grande_ecole}), {a_expirer} comptes à supprimer, {a_relancer} à relancer, en {:.1} s. Mot de passe de tous les comptes : {}",
                started.elapsed().as_secs_f64(),
                app::server::bench::PASSWORD
            );
        }
        Command::CreateSchool {
            name,
            agrement,
            departement,
        } => {
            let ctx = context(&config).await;
            let id = seed::create_school(
                &ctx,
                app::server::users::NewSchool {
                    name,
                    agrement,
                    departement,
                },
            )
            .await
            .unwrap_or_else(|e| fail(e));
            println!("École créée (n° interne {id}).");
        }
        Command::Jobs { at } => {
            if at.is_some() && config.env == server::config::RunMode::Production {
                fail("--at simule un autre instant et efface des données en conséquence : réservé au développement (PERMIS_ENV=development).");
            }
            let mut ctx = context(&config).await;
            if let Some(at) = at {
                let instant: jiff::Timestamp = at.parse().unwrap_or_else(|e| {
                    fail(format!(
                        "--at : instant invalide « {at} » ({e}) ; exemple : 2026-12-04T10:00:00Z"
                    ))
                });
                ctx.clock = Arc::new(app::server::FixedClock(instant.as_second()));
            }
            let report = server::jobs::run_deadlines(&ctx, "commande")
                .await
                .unwrap_or_else(|e| fail(format!("{e:?}")));
            let started = std::time::Instant::now();
            let purged = server::jobs::run_retention(&ctx, "commande")
                .await
                .unwrap_or_else(|e| fail(format!("{e:?}")));
            let retention_took = started.elapsed();
            let orphans = server::jobs::run_orphan_sweep(&ctx, "commande")
                .await
                .unwrap_or_else(|e| fail(format!("{e:?}")));
            // Messages queued « as of » a later instant leave now: the jump is simulated, the
            // delivery is real (the running server sends them).
            app::server::outbox::send_now_if_later(&ctx.db, jiff::Timestamp::now().as_second())
                .await
                .unwrap_or_else(|e| fail(format!("{e:?}")));
            println!(
                "Échéances au {} : {} rappel(s) d'activation, {} compte(s) non activé(s) supprimé(s), {} demande(s), {} fichier(s) ; {} rappel(s) du formulaire papier, {} demande(s) passée(s) en « Formulaire photo-signature non reçu » ; {} rappel(s) de complément, {} demande(s) classée(s) sans suite.",
                app::server::time::format_date_time(ctx.now()),
                report.reminders,
                report.expired.accounts,
                report.expired.demandes,
                report.expired.files,
                report.paper_reminders,
                report.paper_overdue,
                report.complement_reminders,
                report.complement_overdue
            );
            println!(
                "Conservation : {} demande(s) refusée(s) effacée(s), {} brouillon(s) abandonné(s) supprimé(s) ({} fichier(s)), {} trace(s), {} lien(s), {} exécution(s), {} message(s) supprimés ; {} fichier(s) orphelin(s) supprimé(s).",
                purged.refused_erased,
                purged.drafts,
                purged.files,
                purged.traces,
                purged.links,
                purged.job_runs,
                purged.messages,
                orphans
            );
            let timings: Vec<String> = report
                .timings
                .iter()
                .map(|(name, took)| format!("{name} {:.1} s", took.as_secs_f64()))
                .chain(std::iter::once(format!(
                    "conservation {:.1} s",
                    retention_took.as_secs_f64()
                )))
                .collect();
            println!("Durées : {}.", timings.join(", "));
        }
        Command::MessagesEnEchec => {
            let ctx = context(&config).await;
            let failed = app::server::outbox::failed(&ctx.db, 500)
                .await
                .unwrap_or_else(|e| fail(format!("{e:?}")));
            if failed.is_empty() {
                println!("Aucun message en échec.");
            }
            for m in failed {
                println!(
                    "n° {:<6} {:<5} {:<14} {:<32} créé le {}  {} essai(s) : {}",
                    m.id,
                    m.channel,
                    m.kind,
                    m.recipient,
                    app::server::time::format_date_time(m.created_at),
                    m.attempts,
                    m.last_error.unwrap_or_default()
                );
            }
        }
        Command::CreateCert {
            nom,
            adresse,
            email,
            telephone,
            departements,
        } => {
            let ctx = context(&config).await;
            let id = app::server::instruction::create_cert(
                &ctx.db,
                &app::server::instruction::NewCert {
                    nom: nom.clone(),
                    adresse,
                    email,
                    telephone,
                    departements: departements
                        .iter()
                        .map(|d| d.trim().to_uppercase())
                        .collect(),
                },
                ctx.now(),
            )
            .await
            .unwrap_or_else(|e| fail(e));
            app::server::audit::admin_action(None, 0, "centre_cree", &format!("centre {id}"));
            println!("Centre « {nom} » enregistré (n° interne {id}).");
        }
        Command::CreateEphotoProvider { name } => {
            let ctx = context(&config).await;
            let key = app::server::ephoto::create_provider(&ctx.db, &name, ctx.now())
                .await
                .unwrap_or_else(|e| fail(e));
            println!("Prestataire e-photo « {name} » enregistré. Clé d'accès (à conserver, elle ne sera plus affichée) :");
            println!("{key}");
        }
        Command::CreateUser {
            role,
            identifiant,
            email,
            prenom,
            nom,
            agrement,
            cert,
        } => {
            let role = match Role::parse(&role) {
                Some(r) if r != Role::Usager => r,
                _ => fail("--role doit valoir ecole, agent ou admin (les comptes usagers sont créés par les demandes)."),
            };
            if role == Role::Agent && cert.is_none() {
                fail("un agent appartient à un centre : --cert « CERT de … » (voir permis create-cert).");
            }
            eprintln!("Mot de passe (au moins 12 caractères), puis Entrée :");
            let mut password = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut password)
                .unwrap_or_else(|e| fail(e));
            let password = password.trim_end_matches(['\r', '\n']).to_string();
            let ctx = context(&config).await;
            let id = seed::create_account(
                &ctx,
                NewAccount {
                    role,
                    identifiant,
                    email,
                    prenom,
                    nom,
                    agrement,
                    cert,
                    password,
                },
            )
            .await
            .unwrap_or_else(|e| fail(e));
            app::server::audit::admin_action(None, 0, "compte_cree", &format!("compte {id}"));
            println!("Compte créé (n° interne {id}).");
        }
    }
}

async fn serve(config: Config) {
    config.check().unwrap_or_else(|e| fail(e));
    let transports = server::dispatch::Transports::from_config(&config).unwrap_or_else(|e| fail(e));
    let ctx = context(&config).await;
    if config.env == server::config::RunMode::Production {
        let published = seed::demo_passwords_in_use(&ctx)
            .await
            .unwrap_or_else(|e| fail(e));
        if !published.is_empty() {
            fail(format!(
                "Compte(s) de démonstration avec leur mot de passe publié dans le README : {}. Changez leur mot de passe ou supprimez-les avant de démarrer en production.",
                published.join(", ")
            ));
        }
    }
    let mut leptos_options = get_configuration(None)
        .unwrap_or_else(|e| fail(format!("configuration Leptos : {e}")))
        .leptos_options;
    leptos_options.site_addr = config.listen;
    leptos_options.site_root = config.site_root.to_string_lossy().into_owned().into();
    // A release build names the site's files with their hash (cargo-leptos `hash-files`) and
    // lists them in the site's hash.txt: the pages then link to those names (kept a year by
    // browsers). Leptos looks for the file from the binary's directory: an absolute path.
    if let Ok(hashes) = std::fs::canonicalize(config.site_root.join(app::server::assets::HASH_FILE))
    {
        leptos_options.hash_files = true;
        leptos_options.hash_file = hashes.to_string_lossy().into_owned().into();
    }
    app::server::assets::init(&config.site_root, &leptos_options.output_name);

    server::jobs::spawn_housekeeping(ctx.clone());
    server::jobs::spawn_deadlines(ctx.clone());
    server::dispatch::Dispatcher::new(ctx.clone(), transports)
        .with_lease(config.outbox_lease)
        .spawn();
    let franceconnect = config.franceconnect().unwrap_or_else(|e| fail(e)).map(|c| {
        server::franceconnect::FranceConnect::new(&c)
            .map(std::sync::Arc::new)
            .unwrap_or_else(|e| fail(e))
    });
    let app = build_router(
        AppState {
            leptos_options,
            ctx: ctx.clone(),
            franceconnect,
            public_pages: Default::default(),
        },
        config.trusted_proxies,
    );
    let open_files = server::listener::raise_open_files_limit();
    let limits = server::listener::Limits {
        max_connections: config
            .max_connections
            .unwrap_or_else(|| server::listener::Limits::connections_for_open_files(open_files)),
        header_timeout: std::time::Duration::from_secs(config.header_timeout),
        idle_timeout: std::time::Duration::from_secs(config.idle_timeout),
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .unwrap_or_else(|e| fail(format!("écoute sur {} impossible : {e}", config.listen)));
    tracing::info!(
        "permis écoute sur http://{} (adresse publique {}) ; au plus {} connexions à la fois ({} fichiers ouverts permis)",
        config.listen,
        config.public_url,
        limits.max_connections,
        open_files
    );
    server::listener::serve(listener, app, limits, shutdown_signal()).await;
    ctx.db.close().await;
}

/// Ctrl-C or SIGTERM: stop accepting connections and finish the requests in flight.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("arrêt demandé");
}
