//! The `usager` area (`/monespace/…`): the candidate. Activation through the emailed link
//! (before any password: no guard), then, for a logged-in candidate only (`ssr::candidate`),
//! « Demande à valider », « Mon espace » and its tabs, the review of a demande and the decision.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::connexion::CurrentUser;
use super::DemandeView;
use crate::domain::activation::{ActivationForm, LinkState};
use crate::error::AppError;
use crate::routes::Page;

/// What the activation page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivationInfo {
    pub state: LinkState,
    pub prenom: String,
    pub nom: String,
    /// Code of the sex the school entered (prefills the form).
    pub sexe: Option<String>,
}

/// A demande the candidate has to look at (« Demande à valider »).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeAValider {
    pub id: i64,
    pub numero: String,
    pub school_name: String,
    pub validated_at: String,
}

impl DemandeAValider {
    pub fn href(&self) -> String {
        Page::DemandeUsager { id: self.id }.href()
    }
}

/// A demande as its candidate sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeUsager {
    pub view: DemandeView,
    pub school_name: String,
    /// When the school validated it.
    pub validated_at: String,
    /// When the candidate decided.
    pub decided_at: Option<String>,
    /// Paper form: the day it must reach the processing centre by.
    pub paper_deadline: Option<String>,
    pub refus_motif: Option<String>,
    /// The account is linked to FranceConnect: its certified identity was compared with the
    /// état civil the school typed.
    pub identite_certifiee: bool,
    /// Where they differ (the candidate can't validate then: the school must correct).
    pub ecarts: Vec<crate::domain::identite::Ecart>,
}

/// What a refused refusal form keeps.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusTyped {
    pub motif: String,
}

/// A line of « Mes démarches en cours ».
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Demarche {
    pub id: i64,
    pub prenom: String,
    pub nom: String,
    pub numero: String,
    pub created: String,
    pub updated: String,
    pub etat: crate::domain::demande::Etat,
}

/// The candidate's demandes, newest first; `q` searches number and names (case and accents
/// ignored).
#[server(prefix = "/api", endpoint = "monespace/demarches")]
pub async fn mes_demarches(q: Option<String>) -> Result<Vec<Demarche>, AppError> {
    let (ctx, user_id) = ssr::candidate().await.map_err(AppError::with_status)?;
    ssr::load_demarches(&ctx, user_id, q.as_deref()).await
}

/// The tabs of « Mon espace conducteur ».
pub const ONGLETS: [(&str, &str); 4] = [
    ("demarches", "Mes démarches en cours"),
    ("documents", "Mes documents"),
    ("messages", "Mes messages"),
    ("donnees", "Mes données personnelles"),
];

/// A message we sent the candidate (« Mes messages »): personal links are not kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEnvoye {
    pub sms: bool,
    pub subject: String,
    pub body: String,
    pub created: String,
    pub delivered: bool,
}

/// A document of a demande (« Mes documents »).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    pub title: String,
    pub numero: String,
    pub href: String,
}

/// « Mes données personnelles ».
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Donnees {
    pub identifiant: String,
    pub prenom: String,
    pub nom: String,
    pub sexe: String,
    pub email: String,
    /// From the latest demande.
    pub telephone: String,
    pub adresse: String,
    pub activated: String,
}

/// Everything the tabs other than « Mes démarches en cours » show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EspaceConducteur {
    pub messages: Vec<MessageEnvoye>,
    pub documents: Vec<Document>,
    pub donnees: Donnees,
}

#[server(prefix = "/api", endpoint = "monespace/espace")]
pub async fn mon_espace() -> Result<EspaceConducteur, AppError> {
    let (ctx, user_id) = ssr::candidate().await.map_err(AppError::with_status)?;
    ssr::load_espace(&ctx, user_id).await
}

#[server(prefix = "/api", endpoint = "monespace/demande")]
pub async fn lire_demande_usager(id: i64) -> Result<DemandeUsager, AppError> {
    let (ctx, user_id) = ssr::candidate().await.map_err(AppError::with_status)?;
    ssr::load_demande(&ctx, user_id, id)
        .await
        .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "compte/activation")]
pub async fn lire_activation(token: String) -> Result<ActivationInfo, AppError> {
    let ctx = crate::server::context::app_context()?;
    ssr::load_activation(&ctx, &token).await
}

/// Activates the account of the link: sex, password, secret question; then logs the candidate
/// in and sends them to « Demande à valider ».
#[server(prefix = "/api", endpoint = "compte/activer")]
pub async fn activer_compte(
    token: String,
    #[server(default)] form: ActivationForm,
) -> Result<CurrentUser, AppError> {
    let back = Page::Activer {
        token: token.clone(),
    }
    .href();
    let keep = form.keep();
    ssr::activer(token, form)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &keep))
}

#[server(prefix = "/api", endpoint = "monespace/a-valider")]
pub async fn demandes_a_valider() -> Result<Vec<DemandeAValider>, AppError> {
    let (ctx, user_id) = ssr::candidate().await.map_err(AppError::with_status)?;
    ssr::load_a_valider(&ctx, user_id).await
}

/// « Valider » (with the attestation ticked) or « Refuser » (with an optional reason).
#[server(prefix = "/api", endpoint = "monespace/decider")]
pub async fn decider(
    id: i64,
    decision: String,
    attestation: Option<String>,
    motif: Option<String>,
) -> Result<(), AppError> {
    let back = if decision == "refuser" {
        Page::Refus { id }.href()
    } else {
        Page::DemandeUsager { id }.href()
    };
    let typed = RefusTyped {
        motif: motif.clone().unwrap_or_default(),
    };
    ssr::decider(id, &decision, attestation, motif)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &typed))
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::api::connexion::ssr::open_session;
    use crate::api::ssr::view_of;
    use crate::domain::account::Role;
    use crate::domain::activation::activation_refusal;
    use crate::domain::deadlines::paper_form_deadline;
    use crate::domain::demande::{Decision, DemandeData, Etat, Sexe};
    use crate::domain::formats::display_phone;
    use crate::domain::steps::ticked;
    use crate::routes::{document_href, Document as Doc};
    use crate::server::context::app_context;
    use crate::server::decision::{self, MOTIF_MAX_CHARS};
    use crate::server::time::{format_date, format_date_time};
    use crate::server::{activation, audit, espace, sessions, AppContext};

    /// The guard of the area: a logged-in candidate.
    pub async fn candidate() -> Result<(AppContext, i64), AppError> {
        let ctx = app_context()?;
        let user = sessions::require(&ctx, &[Role::Usager]).await?;
        Ok((ctx, user.user_id))
    }

    pub async fn load_demarches(
        ctx: &AppContext,
        usager_id: i64,
        q: Option<&str>,
    ) -> Result<Vec<Demarche>, AppError> {
        Ok(espace::demarches(&ctx.db, usager_id, q)
            .await?
            .into_iter()
            .map(|r| Demarche {
                id: r.id,
                prenom: r.prenom,
                nom: r.nom,
                numero: r.numero.unwrap_or_default(),
                created: format_date(r.created_at),
                updated: format_date(r.updated_at),
                etat: r.etat,
            })
            .collect())
    }

    pub async fn load_espace(
        ctx: &AppContext,
        usager_id: i64,
    ) -> Result<EspaceConducteur, AppError> {
        let messages = espace::messages(&ctx.db, usager_id)
            .await?
            .into_iter()
            .map(|m| MessageEnvoye {
                sms: m.channel == "sms",
                subject: m.subject,
                body: m.body_text.replace(
                    crate::domain::messages::LINK,
                    "(lien personnel, envoyé une seule fois)",
                ),
                created: format_date_time(m.created_at),
                delivered: m.status == "sent",
            })
            .collect();
        let demandes = espace::demandes(&ctx.db, usager_id).await?;
        let mut documents = Vec::new();
        for (id, numero, etat, _) in &demandes {
            let numero = numero.clone().unwrap_or_default();
            if etat.awaits_paper_form() {
                documents.push(Document {
                    title: "Formulaire photo-signature".into(),
                    numero: numero.clone(),
                    href: document_href(*id, Doc::FormulairePhotoSignature),
                });
            }
            if *etat == Etat::Inscrite {
                documents.push(Document {
                    title: "Attestation d'inscription au permis de conduire".into(),
                    numero: numero.clone(),
                    href: document_href(*id, Doc::AttestationInscription),
                });
            }
            if *etat == Etat::Rejetee {
                documents.push(Document {
                    title: "Décision de rejet".into(),
                    numero: numero.clone(),
                    href: document_href(*id, Doc::DecisionRejet),
                });
            }
            if etat.validated_by_candidate() {
                documents.push(Document {
                    title: "Justificatif de dépôt".into(),
                    numero,
                    href: document_href(*id, Doc::Justificatif),
                });
            }
        }
        let account = espace::account(&ctx.db, usager_id).await?;
        let latest: Option<DemandeData> = demandes
            .first()
            .and_then(|(_, _, _, data)| serde_json::from_str(data).ok());
        let adresse = latest.as_ref().and_then(|d| d.adresse.clone());
        let donnees = Donnees {
            identifiant: account.identifiant,
            prenom: account.prenom,
            nom: account.nom,
            sexe: account
                .sexe
                .as_deref()
                .and_then(Sexe::parse)
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            email: account.email.unwrap_or_default(),
            telephone: adresse
                .as_ref()
                .map(|a| display_phone(&a.telephone))
                .unwrap_or_default(),
            adresse: adresse
                .map(|a| {
                    let street = [a.numero, a.extension, a.type_voie, Some(a.nom_voie)]
                        .into_iter()
                        .flatten()
                        .collect::<Vec<_>>()
                        .join(" ");
                    format!("{street}, {} {}", a.code_postal, a.commune)
                })
                .unwrap_or_default(),
            activated: account
                .activated_at
                .map(format_date_time)
                .unwrap_or_default(),
        };
        Ok(EspaceConducteur {
            messages,
            documents,
            donnees,
        })
    }

    pub async fn load_demande(
        ctx: &AppContext,
        usager_id: i64,
        id: i64,
    ) -> Result<DemandeUsager, AppError> {
        let (row, school_name, decided_at, refus_motif) =
            espace::demande(&ctx.db, usager_id, id).await?;
        let certified = crate::server::franceconnect::ecarts_of(
            &ctx.db,
            &ctx.communes,
            usager_id,
            &row.data()?,
        )
        .await?;
        let validated_at = row.validated_at.map(format_date_time).unwrap_or_default();
        let etat = row.etat;
        let view = view_of(ctx, row).await?;
        Ok(DemandeUsager {
            view,
            school_name,
            validated_at,
            decided_at: decided_at.map(format_date_time),
            paper_deadline: match (etat, decided_at) {
                (e, Some(at)) if e.awaits_paper_form() => {
                    Some(format_date(paper_form_deadline(at)))
                }
                _ => None,
            },
            refus_motif,
            identite_certifiee: certified.is_some(),
            ecarts: certified.unwrap_or_default(),
        })
    }

    pub async fn load_a_valider(
        ctx: &AppContext,
        usager_id: i64,
    ) -> Result<Vec<DemandeAValider>, AppError> {
        Ok(espace::a_valider(&ctx.db, usager_id)
            .await?
            .into_iter()
            .map(|(id, numero, school_name, at)| DemandeAValider {
                id,
                numero,
                school_name,
                validated_at: format_date_time(at),
            })
            .collect())
    }

    pub async fn load_activation(
        ctx: &AppContext,
        token: &str,
    ) -> Result<ActivationInfo, AppError> {
        let (state, account) = activation::activation_link(&ctx.db, token, ctx.now()).await?;
        // Only a link that still activates greets its candidate by name: a used, expired or
        // replaced one (an old email, a forwarded message) says what happened to nobody in
        // particular.
        Ok(match account.filter(|_| state == LinkState::Valid) {
            Some(a) => ActivationInfo {
                state,
                prenom: a.prenom,
                nom: a.nom,
                sexe: a.sexe,
            },
            None => ActivationInfo {
                state,
                prenom: String::new(),
                nom: String::new(),
                sexe: None,
            },
        })
    }

    pub async fn activer(token: String, form: ActivationForm) -> Result<CurrentUser, AppError> {
        let ctx = app_context()?;
        let now = ctx.now();
        let user_id = activation::activate(&ctx.db, &ctx.settings, &token, &form, now)
            .await?
            .map_err(|state| {
                audit::activation_attempt(
                    crate::server::context::client_ip(),
                    None,
                    Some(state.code()),
                );
                AppError::Conflict(activation_refusal(state).into())
            })?;
        audit::activation_attempt(crate::server::context::client_ip(), Some(user_id), None);
        ctx.outbox_wake.notify_one();
        let session = open_session(&ctx, user_id, now).await?;
        leptos_axum::redirect(&Page::AValider.href());
        Ok(session)
    }

    pub async fn decider(
        id: i64,
        decision: &str,
        attestation: Option<String>,
        motif: Option<String>,
    ) -> Result<(), AppError> {
        let (ctx, user_id) = candidate().await?;
        let decision = match decision {
            "valider" => {
                if !ticked(attestation.as_deref()) {
                    return Err(AppError::field(
                        "attestation",
                        "Cochez la case « Je soussigné(e)… » pour valider la demande.",
                    ));
                }
                Decision::Valider
            }
            "refuser" => {
                if motif
                    .as_deref()
                    .is_some_and(|m| m.chars().count() > MOTIF_MAX_CHARS)
                {
                    return Err(AppError::field(
                        "motif",
                        format!("Le motif ne peut pas dépasser {MOTIF_MAX_CHARS} caractères."),
                    ));
                }
                if motif
                    .as_deref()
                    .is_some_and(crate::domain::formats::has_bidi_control)
                {
                    return Err(AppError::field(
                        "motif",
                        crate::domain::formats::BIDI_MESSAGE,
                    ));
                }
                Decision::Refuser { motif }
            }
            _ => return Err(AppError::BadRequest),
        };
        let outcome = decision::decide(
            &ctx.db,
            &ctx.settings,
            &ctx.communes,
            user_id,
            id,
            &decision,
            ctx.now(),
        )
        .await?;
        if matches!(outcome, decision::Decided::Done(_)) {
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&Page::DemandeUsager { id }.href());
        Ok(())
    }
}
