//! The `pro` area (`/pro`): agents and administrators of the processing centre (`ssr::staff`).
//! The paper forms expected and their receipt; for administrators, the background jobs (what
//! is due, the recent runs) and the messages that could not be delivered.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::demande::Etat;
use crate::error::AppError;

/// A demande whose paper photo-signature form is expected.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FormulaireAttendu {
    pub numero: String,
    pub validated: String,
    pub deadline: String,
    pub etat: Etat,
}

/// A deadline job: how many items are due now, and when the next one falls due.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobDue {
    pub label: String,
    pub due_now: i64,
    pub next: Option<String>,
}

/// A run of the background jobs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobRun {
    pub job: String,
    pub owner: String,
    pub as_of: String,
    pub started: String,
    /// « 0,4 s », or « en cours ».
    pub duration: String,
    pub processed: i64,
    pub error: Option<String>,
}

/// A message the outbox gave up on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedMessage {
    pub id: i64,
    /// Its personal link was erased: only a new link helps.
    pub had_link: bool,
    pub created: String,
    pub kind: String,
    pub channel: String,
    /// Masked: « l•••••@example.fr », « •••••• 78 ».
    pub recipient: String,
    pub attempts: i64,
    pub error: String,
}

/// What administrators see on top.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supervision {
    pub due: Vec<JobDue>,
    pub runs: Vec<JobRun>,
    pub failed: Vec<FailedMessage>,
    pub failed_total: i64,
}

/// A row of the agents' queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueItem {
    pub id: i64,
    pub numero: String,
    pub candidat: String,
    pub categories: String,
    pub etat: Etat,
    pub departement: String,
    pub ecole: String,
    /// « 28/11/2026 »
    pub transmise: String,
    /// « 3 jours »
    pub age: String,
    pub suivie_par: Option<String>,
    pub par_moi: bool,
    pub complement_avant: Option<String>,
}

/// The queue of the agent's centre: the tab shown, the counts, a page of rows, the filters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileAgent {
    pub cert: String,
    /// The tab shown (its code) and every tab: (code, label, count).
    pub onglet: String,
    pub onglets: Vec<(String, String, i64)>,
    pub rows: Vec<QueueItem>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    /// (code, « 44 — Loire-Atlantique »)
    pub departements: Vec<(String, String)>,
    pub ecoles: Vec<(i64, String)>,
}

/// The query of the queue (all optional).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueQuery {
    pub onglet: Option<String>,
    pub q: Option<String>,
    pub dep: Option<String>,
    pub ecole: Option<String>,
    pub tri: Option<String>,
    pub page: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Professionnel {
    /// An agent's queue; `None` for an administrator or an agent without a centre.
    pub file: Option<FileAgent>,
    /// An agent not attached to a centre (an administrator must attach them).
    pub sans_cert: bool,
    pub formulaires: Vec<FormulaireAttendu>,
    /// Administrators only.
    pub supervision: Option<Supervision>,
}

/// What a refused receipt form keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceptionTyped {
    pub numero: String,
}

#[server(prefix = "/api", endpoint = "pro/espace")]
pub async fn espace_pro(#[server(default)] query: QueueQuery) -> Result<Professionnel, AppError> {
    let (ctx, user) = ssr::staff(&ssr::AGENTS)
        .await
        .map_err(AppError::with_status)?;
    ssr::load(&ctx, &user, &query)
        .await
        .map_err(AppError::with_status)
}

/// A verdict on one item, as shown on the instruction page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerdictView {
    pub item: crate::domain::instruction::Item,
    /// `None`: conforme.
    pub non_conformite: Option<crate::domain::instruction::NonConformite>,
    pub commentaire: Option<String>,
    pub le: String,
}

/// A private note of the centre's agents.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoteView {
    pub texte: String,
    pub le: String,
    pub auteur: String,
}

/// The instruction page of a demande.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionView {
    pub demande: crate::api::DemandeView,
    pub cert: String,
    pub departement: String,
    pub ecole: String,
    pub transmise: String,
    pub suivie_par: Option<String>,
    pub par_moi: bool,
    pub verdicts: Vec<VerdictView>,
    pub notes: Vec<NoteView>,
    /// The delay a complement gets by default (days).
    pub delai_complement: i64,
    /// Versions of pièces replaced by a complement (still viewable).
    pub anciennes: Vec<crate::api::PieceFile>,
    /// Validated by a candidate whose identity FranceConnect certified, matching the état
    /// civil: when.
    pub identite_certifiee: Option<String>,
}

/// What a refused instruction form keeps (the field that caused it is marked).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionTyped {
    pub item: String,
    pub commentaire: String,
    pub texte: String,
    pub motif: String,
    pub motivation: String,
}

#[server(prefix = "/api", endpoint = "pro/instruction")]
pub async fn instruction(id: i64) -> Result<InstructionView, AppError> {
    let (ctx, user) = ssr::staff(&[crate::domain::account::Role::Agent])
        .await
        .map_err(AppError::with_status)?;
    ssr::load_instruction(&ctx, &user, id)
        .await
        .map_err(AppError::with_status)
}

/// « Suivre »: the agent takes the demande.
#[server(prefix = "/api", endpoint = "pro/suivre")]
pub async fn suivre(id: i64) -> Result<(), AppError> {
    ssr::act(id, ssr::Action::Suivre).await
}

/// A verdict on one item: `conforme` = "oui" or "non" (then a reason from the catalogue).
#[server(prefix = "/api", endpoint = "pro/verdict")]
pub async fn enregistrer_verdict(
    id: i64,
    item: String,
    #[server(default)] conforme: String,
    #[server(default)] motif: String,
    #[server(default)] commentaire: String,
) -> Result<(), AppError> {
    ssr::act(
        id,
        ssr::Action::Verdict {
            item,
            conforme,
            motif,
            commentaire,
        },
    )
    .await
}

#[server(prefix = "/api", endpoint = "pro/note")]
pub async fn ajouter_note(id: i64, #[server(default)] texte: String) -> Result<(), AppError> {
    ssr::act(id, ssr::Action::Note { texte }).await
}

/// « Demander un complément »: one request listing every item marked « Non conforme ».
#[server(prefix = "/api", endpoint = "pro/complement")]
pub async fn demander_complement(
    id: i64,
    #[server(default)] delai: String,
) -> Result<(), AppError> {
    ssr::act(id, ssr::Action::Complement { delai }).await
}

#[server(prefix = "/api", endpoint = "pro/accepter")]
pub async fn accepter(id: i64) -> Result<(), AppError> {
    ssr::act(id, ssr::Action::Accepter).await
}

#[server(prefix = "/api", endpoint = "pro/rejeter")]
pub async fn rejeter(
    id: i64,
    #[server(default)] motif: String,
    #[server(default)] motivation: String,
) -> Result<(), AppError> {
    ssr::act(id, ssr::Action::Rejeter { motif, motivation }).await
}

/// An agent records that the processing centre received a paper form: the demande goes to
/// instruction.
#[server(prefix = "/api", endpoint = "pro/reception")]
pub async fn enregistrer_reception(numero: String) -> Result<String, AppError> {
    let typed = ReceptionTyped {
        numero: numero.clone(),
    };
    ssr::reception(numero)
        .await
        .map_err(|e| crate::flash::or_back(e, &crate::routes::Page::Pro.href(), &typed))
}

/// An administrator sends a failed message once more.
#[server(prefix = "/api", endpoint = "pro/relancer-message")]
pub async fn relancer_message(id: i64) -> Result<(), AppError> {
    ssr::relancer(id).await.map_err(|e| {
        crate::flash::or_back(
            e,
            &crate::routes::Page::Pro.href(),
            &ReceptionTyped::default(),
        )
    })
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::domain::account::Role;
    use crate::domain::deadlines::paper_form_deadline;
    use crate::routes::Page;
    use crate::server::context::app_context;
    use crate::server::sessions::{self, SessionUser};
    use crate::server::time::{format_date, format_date_time};
    use crate::server::{outbox, reception, supervision, AppContext};

    /// Who may open the professional space.
    pub const AGENTS: [Role; 2] = [Role::Agent, Role::Admin];

    /// The guard of the area: an agent or an administrator (`roles`: those allowed).
    pub async fn staff(roles: &[Role]) -> Result<(AppContext, SessionUser), AppError> {
        let ctx = app_context()?;
        let user = sessions::require(&ctx, roles).await?;
        Ok((ctx, user))
    }

    /// The agent's queue (`None`: not an agent of a centre).
    async fn load_file(
        ctx: &AppContext,
        user: &SessionUser,
        q: &QueueQuery,
    ) -> Result<Option<FileAgent>, AppError> {
        use crate::server::instruction::{self as inst, Onglet, QueueFilter, QUEUE_PAGE};
        let Some(cert_id) = user.cert_id.filter(|_| user.role() == Some(Role::Agent)) else {
            return Ok(None);
        };
        let cert = inst::cert(&ctx.db, cert_id).await?;
        let onglet = ONGLETS
            .iter()
            .position(|(code, _)| Some(*code) == q.onglet.as_deref())
            .unwrap_or(0);
        let nonempty = |v: &Option<String>| v.clone().filter(|v| !v.trim().is_empty());
        let filter = QueueFilter {
            onglet: Onglet::ALL[onglet],
            search: nonempty(&q.q)
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect(),
            departement: nonempty(&q.dep),
            school_id: nonempty(&q.ecole).and_then(|e| e.parse().ok()),
            recent_first: q.tri.as_deref() == Some("recentes"),
            page: q.page.as_deref().and_then(|p| p.parse().ok()).unwrap_or(1),
        };
        let (rows, total, counts) = inst::queue(&ctx.db, cert_id, user.user_id, &filter).await?;
        let now = ctx.now();
        let departements = inst::departements_of(&ctx.db, cert_id)
            .await?
            .into_iter()
            .map(|d| {
                let name = crate::domain::departements::find(&d)
                    .map(|f| f.1)
                    .unwrap_or("");
                (d.clone(), format!("{d} — {name}"))
            })
            .collect();
        Ok(Some(FileAgent {
            cert: cert.nom,
            onglet: ONGLETS[onglet].0.to_string(),
            onglets: ONGLETS
                .iter()
                .zip(counts)
                .map(|((code, label), n)| (code.to_string(), label.to_string(), n))
                .collect(),
            rows: rows
                .into_iter()
                .map(|r| {
                    let days = r
                        .transmise_at
                        .map(|t| crate::domain::deadlines::days_waited(t, now))
                        .unwrap_or(0);
                    QueueItem {
                        id: r.id,
                        numero: r.numero.unwrap_or_default(),
                        candidat: format!("{} {}", r.prenom, r.nom),
                        categories: r.categories,
                        etat: r.etat,
                        departement: r.departement.unwrap_or_default(),
                        ecole: r.school_name,
                        transmise: r.transmise_at.map(format_date).unwrap_or_default(),
                        age: crate::domain::formats::plural(days, "jour", "jours"),
                        par_moi: r.agent_id == Some(user.user_id),
                        suivie_par: r.agent_name,
                        complement_avant: r.complement_avant.map(format_date),
                    }
                })
                .collect(),
            total,
            page: filter.page.max(1),
            pages: ((total as u32).div_ceil(QUEUE_PAGE as u32)).max(1),
            departements,
            ecoles: inst::schools_of(&ctx.db, cert_id).await?,
        }))
    }

    /// The tabs of the queue: (code in the URL, label).
    pub const ONGLETS: [(&str, &str); 5] = [
        ("a-instruire", "À instruire"),
        ("suivies", "Suivies par moi"),
        ("complement-demande", "Complément demandé"),
        ("complement-recu", "Complément reçu"),
        ("traitees", "Traitées"),
    ];

    /// The instruction page's data (also preloaded by the server).
    pub async fn load_instruction(
        ctx: &AppContext,
        user: &SessionUser,
        id: i64,
    ) -> Result<InstructionView, AppError> {
        use crate::server::instruction as inst;
        let cert_id = user.cert_id.ok_or(AppError::NotFound)?;
        let row = inst::get(&ctx.db, cert_id, id).await?;
        let school = crate::server::users::school(&ctx.db, row.school_id).await?;
        let suivi = inst::suivi(&ctx.db, id).await?;
        let verdicts = inst::verdicts(&ctx.db, id)
            .await?
            .into_iter()
            .filter_map(|v| {
                let verdict = v.verdict()?;
                Some(VerdictView {
                    item: verdict.item,
                    non_conformite: verdict.non_conformite,
                    commentaire: verdict.commentaire,
                    le: format_date_time(v.created_at),
                })
            })
            .collect();
        let notes = inst::notes(&ctx.db, id)
            .await?
            .into_iter()
            .map(|n| NoteView {
                texte: n.texte,
                le: format_date_time(n.created_at),
                auteur: n.agent_name,
            })
            .collect();
        let demande = crate::api::ssr::view_of(ctx, row).await?;
        Ok(InstructionView {
            demande,
            cert: suivi.cert_nom.unwrap_or_default(),
            departement: suivi.departement.unwrap_or_default(),
            ecole: format!("{} (agrément {})", school.name, school.agrement),
            transmise: suivi.transmise_at.map(format_date_time).unwrap_or_default(),
            par_moi: suivi.agent_id == Some(user.user_id),
            suivie_par: suivi.agent_name,
            verdicts,
            notes,
            delai_complement: ctx.settings.complement_days,
            identite_certifiee: suivi.identite_certifiee_at.map(format_date_time),
            anciennes: crate::server::pieces::replaced_pieces(&ctx.db, id)
                .await?
                .into_iter()
                .filter_map(crate::api::ssr::piece_file)
                .collect(),
        })
    }

    /// What an agent does on the instruction page.
    pub enum Action {
        Suivre,
        Verdict {
            item: String,
            conforme: String,
            motif: String,
            commentaire: String,
        },
        Note {
            texte: String,
        },
        Complement {
            delai: String,
        },
        Accepter,
        Rejeter {
            motif: String,
            motivation: String,
        },
    }

    /// Runs an agent's action on a demande of their centre, then back to the page with what
    /// happened (`fait=…`); a refused form comes back with what was typed.
    pub async fn act(id: i64, action: Action) -> Result<(), AppError> {
        use crate::domain::instruction::{Item, MotifRejet, NonConformite, Verdict};
        use crate::server::instruction as inst;
        let page = Page::Instruction { id };
        let typed = match &action {
            Action::Verdict {
                item, commentaire, ..
            } => InstructionTyped {
                item: item.clone(),
                commentaire: commentaire.clone(),
                ..Default::default()
            },
            Action::Note { texte } => InstructionTyped {
                texte: texte.clone(),
                ..Default::default()
            },
            Action::Rejeter { motif, motivation } => InstructionTyped {
                motif: motif.clone(),
                motivation: motivation.clone(),
                ..Default::default()
            },
            _ => InstructionTyped::default(),
        };
        let run = async {
            let (ctx, user) = staff(&[Role::Agent]).await?;
            let cert_id = user.cert_id.ok_or(AppError::NotFound)?;
            let now = ctx.now();
            let db = &ctx.db;
            let done = match action {
                Action::Suivre => {
                    inst::follow(db, cert_id, user.user_id, id).await?;
                    "suivie".to_string()
                }
                Action::Verdict {
                    item,
                    conforme,
                    motif,
                    commentaire,
                } => {
                    let item = Item::parse(&item).ok_or(AppError::BadRequest)?;
                    let non_conformite = match conforme.as_str() {
                        "oui" => None,
                        "non" => Some(NonConformite::parse(&motif).ok_or_else(|| {
                            AppError::field("motif", "Choisissez le motif de non-conformité.")
                        })?),
                        _ => {
                            return Err(AppError::field(
                                "conforme",
                                "Indiquez si l'élément est conforme ou non.",
                            ))
                        }
                    };
                    let v = Verdict {
                        item,
                        non_conformite,
                        commentaire: Some(commentaire).filter(|c| !c.trim().is_empty()),
                    };
                    inst::set_verdict(db, cert_id, user.user_id, id, &v, now).await?;
                    format!("verdict#{}", item.code().replace(':', "-"))
                }
                Action::Note { texte } => {
                    inst::add_note(db, cert_id, user.user_id, id, &texte, now).await?;
                    "note#notes".to_string()
                }
                Action::Complement { delai } => {
                    let days = match delai.trim() {
                        "" => ctx.settings.complement_days,
                        d => d
                            .parse::<i64>()
                            .ok()
                            .filter(|d| (1..=90).contains(d))
                            .ok_or_else(|| {
                                AppError::field("delai", "Indiquez un délai de 1 à 90 jours.")
                            })?,
                    };
                    inst::ask_complement(db, &ctx.settings, cert_id, user.user_id, id, days, now)
                        .await?;
                    ctx.outbox_wake.notify_one();
                    "complement".to_string()
                }
                Action::Accepter => {
                    inst::accept(db, &ctx.settings, cert_id, user.user_id, id, now).await?;
                    ctx.outbox_wake.notify_one();
                    "acceptee".to_string()
                }
                Action::Rejeter { motif, motivation } => {
                    inst::reject(
                        db,
                        &ctx.settings,
                        cert_id,
                        user.user_id,
                        id,
                        MotifRejet::parse(&motif),
                        &motivation,
                        now,
                    )
                    .await?;
                    ctx.outbox_wake.notify_one();
                    "rejetee".to_string()
                }
            };
            tracing::info!(demande = id, agent = user.user_id, action = %done, "instruction");
            Ok::<_, AppError>(done)
        };
        match run.await {
            Ok(done) => {
                let (what, anchor) = done.split_once('#').unwrap_or((&done, ""));
                let mut target = page.href_with(&format!("fait={what}"));
                if !anchor.is_empty() {
                    target.push('#');
                    target.push_str(anchor);
                }
                leptos_axum::redirect(&target);
                Ok(())
            }
            Err(e) => Err(crate::flash::or_back(e, &page.href(), &typed)),
        }
    }

    pub async fn load(
        ctx: &AppContext,
        user: &SessionUser,
        query: &QueueQuery,
    ) -> Result<Professionnel, AppError> {
        let formulaires = supervision::expected_paper_forms(&ctx.db)
            .await?
            .into_iter()
            .map(|(numero, decided, etat)| FormulaireAttendu {
                numero: numero.unwrap_or_default(),
                validated: format_date(decided),
                deadline: format_date(paper_form_deadline(decided)),
                etat,
            })
            .collect();
        let supervision = if user.role() == Some(Role::Admin) {
            Some(load_supervision(ctx).await?)
        } else {
            None
        };
        Ok(Professionnel {
            file: load_file(ctx, user, query).await?,
            sans_cert: user.role() == Some(Role::Agent) && user.cert_id.is_none(),
            formulaires,
            supervision,
        })
    }

    async fn load_supervision(ctx: &AppContext) -> Result<Supervision, AppError> {
        let now = ctx.now();
        let due = supervision::due(&ctx.db, now)
            .await?
            .into_iter()
            .map(|d| JobDue {
                label: d.label.to_string(),
                due_now: d.due_now,
                next: d.next.map(format_date_time),
            })
            .collect();
        let runs = supervision::job_runs(&ctx.db, 20)
            .await?
            .into_iter()
            .map(|r| JobRun {
                job: match r.job.as_str() {
                    "echeances" => "Échéances".to_string(),
                    "conservation" => "Conservation des données".to_string(),
                    "fichiers-orphelins" => "Fichiers orphelins".to_string(),
                    _ => r.job,
                },
                owner: r.owner,
                as_of: format_date_time(r.as_of),
                started: format_date_time(r.started_at),
                duration: match r.finished_at {
                    Some(f) => format!("{} s", (f - r.started_at).max(0)),
                    None => "en cours".to_string(),
                },
                processed: r.processed,
                error: r.error,
            })
            .collect();
        let failed = outbox::failed(&ctx.db, 50)
            .await?
            .into_iter()
            .map(|m| {
                let recipient = if m.channel == "sms" {
                    mask_phone(&m.recipient)
                } else {
                    crate::domain::activation::mask_email(&m.recipient)
                };
                // Servers often repeat the address in their answer.
                let error = m
                    .last_error
                    .unwrap_or_default()
                    .replace(&m.recipient, &recipient)
                    .replace(&m.recipient.to_lowercase(), &recipient);
                FailedMessage {
                    id: m.id,
                    had_link: m.had_link == 1,
                    created: format_date_time(m.created_at),
                    kind: kind_label(&m.kind).to_string(),
                    channel: if m.channel == "sms" {
                        "SMS"
                    } else {
                        "Courriel"
                    }
                    .to_string(),
                    recipient,
                    attempts: m.attempts,
                    error,
                }
            })
            .collect();
        let failed_total = supervision::failed_messages_count(&ctx.db).await?;
        Ok(Supervision {
            due,
            runs,
            failed,
            failed_total,
        })
    }

    /// What a message was, in words.
    pub fn kind_label(kind: &str) -> &str {
        match kind {
            "activation" => "Activation du compte",
            "invitation" => "Demande à valider",
            "rappel_activation" => "Rappel d'activation",
            "identifiant" => "Identifiant",
            "reinitialisation" => "Mot de passe oublié",
            "refus_usager" => "Refus du candidat",
            "validee_usager" => "Validation du candidat",
            "supprimee_non_activee" => "Compte non activé supprimé",
            "rappel_papier" => "Rappel du formulaire papier",
            "papier_non_recu" => "Formulaire papier non reçu",
            "papier_recu" => "Formulaire papier reçu",
            "complement_ecole" | "complement_usager" => "Complément demandé",
            "rappel_complement" => "Rappel du complément",
            "classee_sans_suite" => "Classée sans suite",
            "inscrite_ecole" | "inscrite_usager" => "Inscription enregistrée",
            "rejetee_ecole" | "rejetee_usager" => "Décision de rejet",
            other => other,
        }
    }

    /// « +33612345678 » → « •••••• 78 »: enough to recognise a number someone reads out.
    pub fn mask_phone(phone: &str) -> String {
        let digits: Vec<char> = phone.chars().filter(|c| c.is_ascii_digit()).collect();
        let tail: String = digits[digits.len().saturating_sub(2)..].iter().collect();
        format!("•••••• {tail}")
    }

    pub async fn relancer(id: i64) -> Result<(), AppError> {
        let (ctx, user) = staff(&[Role::Admin]).await?;
        if !outbox::retry_failed(&ctx.db, id, ctx.now()).await? {
            return Err(AppError::Conflict(
                "Ce message n'est plus en échec, ou il contenait un lien personnel effacé : il ne peut pas être renvoyé tel quel.".into(),
            ));
        }
        crate::server::audit::admin_action(
            crate::server::context::client_ip(),
            user.user_id,
            "message_relance",
            &format!("message {id}"),
        );
        ctx.outbox_wake.notify_one();
        leptos_axum::redirect(&Page::Pro.href_with("relance=1#echecs"));
        Ok(())
    }

    pub async fn reception(numero: String) -> Result<String, AppError> {
        let (ctx, user) = staff(&AGENTS).await?;
        let numero = numero.trim().to_uppercase();
        if numero.is_empty() {
            return Err(AppError::field(
                "numero",
                "Saisissez le numéro de la demande inscrit sur le formulaire (par exemple 75-261126-0042).",
            ));
        }
        let recorded = reception::record_paper_received(
            &ctx.db,
            &ctx.settings,
            &numero,
            user.user_id,
            ctx.now(),
        )
        .await?;
        match recorded {
            Some(n) => {
                ctx.outbox_wake.notify_one();
                leptos_axum::redirect(&Page::Pro.href_with(&format!("recu={n}")));
                Ok(n)
            }
            None => Err(AppError::field(
                "numero",
                "Aucune demande portant ce numéro n'attend de formulaire photo-signature : vérifiez le numéro inscrit sur le formulaire.",
            )),
        }
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn phones_are_masked_but_recognisable() {
            assert_eq!(super::mask_phone("+33612345678"), "•••••• 78");
            assert_eq!(super::mask_phone(""), "•••••• ");
        }
    }
}
