//! The candidate's side of a demande: review, validate or refuse.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::demandes::DemandeView;
use crate::error::AppError;

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
}

pub fn demande_href(id: i64) -> String {
    format!("/monespace/demandes/{id}")
}

pub fn justificatif_href(id: i64) -> String {
    format!("/api/demandes/{id}/documents/justificatif")
}

pub fn formulaire_href(id: i64) -> String {
    format!("/api/demandes/{id}/documents/formulaire-photo-signature")
}

pub fn refus_href(id: i64) -> String {
    format!("/monespace/demandes/{id}/refuser")
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
    let ctx = crate::server::context::app_context()?;
    let user = crate::server::sessions::require(&ctx, &[crate::domain::account::Role::Usager])
        .await
        .map_err(AppError::with_status)?;
    ssr::demarches(&ctx, user.user_id, q.as_deref()).await
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
    let ctx = crate::server::context::app_context()?;
    let user = crate::server::sessions::require(&ctx, &[crate::domain::account::Role::Usager])
        .await
        .map_err(AppError::with_status)?;
    ssr::espace(&ctx, user.user_id).await
}

#[server(prefix = "/api", endpoint = "monespace/demande")]
pub async fn lire_demande_usager(id: i64) -> Result<DemandeUsager, AppError> {
    let ctx = crate::server::context::app_context()?;
    let user = crate::server::sessions::require(&ctx, &[crate::domain::account::Role::Usager])
        .await
        .map_err(AppError::with_status)?;
    ssr::load(&ctx, user.user_id, id)
        .await
        .map_err(AppError::with_status)
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
        refus_href(id)
    } else {
        demande_href(id)
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
    use crate::domain::account::Role;
    use crate::domain::demande::{Etat, PAPER_FORM_DAYS};
    use crate::server::decision::{self, Decision, MOTIF_MAX_CHARS};
    use crate::server::time::{format_date, format_date_time};
    use crate::server::{sessions, AppContext};

    pub async fn demarches(
        ctx: &AppContext,
        usager_id: i64,
        q: Option<&str>,
    ) -> Result<Vec<Demarche>, AppError> {
        type Row = (
            i64,
            String,
            String,
            Option<String>,
            i64,
            i64,
            String,
            String,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, prenom, nom, numero, created_at, updated_at, etat, recherche FROM demandes
             WHERE usager_id = $1 AND etat <> 'brouillon' ORDER BY updated_at DESC, id DESC",
        )
        .bind(usager_id)
        .fetch_all(ctx.db.pool())
        .await?;
        let words: Vec<String> = q
            .map(crate::domain::communes::fold)
            .unwrap_or_default()
            .split_whitespace()
            .map(str::to_string)
            .collect();
        Ok(rows
            .into_iter()
            .filter(|r| words.iter().all(|w| r.7.contains(w.as_str())))
            .map(
                |(id, prenom, nom, numero, created, updated, etat, _)| Demarche {
                    id,
                    prenom,
                    nom,
                    numero: numero.unwrap_or_default(),
                    created: format_date(created),
                    updated: format_date(updated),
                    etat: Etat::parse(&etat).unwrap_or(Etat::AttenteUsager),
                },
            )
            .collect())
    }

    pub async fn espace(ctx: &AppContext, usager_id: i64) -> Result<EspaceConducteur, AppError> {
        use crate::domain::demande::{DemandeData, Sexe};
        use crate::domain::formats::display_phone;
        let rows: Vec<(String, String, String, String, i64)> = sqlx::query_as(
            "SELECT channel, subject, body_text, status, created_at FROM outbox
             WHERE user_id = $1 ORDER BY id DESC LIMIT 100",
        )
        .bind(usager_id)
        .fetch_all(ctx.db.pool())
        .await?;
        let messages = rows
            .into_iter()
            .map(|(channel, subject, body, status, created)| MessageEnvoye {
                sms: channel == "sms",
                subject,
                body: body.replace(
                    crate::domain::messages::LINK,
                    "(lien personnel, envoyé une seule fois)",
                ),
                created: format_date_time(created),
                delivered: status == "sent",
            })
            .collect();
        let demandes: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
            "SELECT id, numero, etat, data FROM demandes
             WHERE usager_id = $1 AND etat <> 'brouillon' ORDER BY updated_at DESC, id DESC",
        )
        .bind(usager_id)
        .fetch_all(ctx.db.pool())
        .await?;
        let mut documents = Vec::new();
        for (id, numero, etat, _) in &demandes {
            let numero = numero.clone().unwrap_or_default();
            let etat = Etat::parse(etat).unwrap_or(Etat::AttenteUsager);
            if etat.awaits_paper_form() {
                documents.push(Document {
                    title: "Formulaire photo-signature".into(),
                    numero: numero.clone(),
                    href: formulaire_href(*id),
                });
            }
            if etat.validated_by_candidate() {
                documents.push(Document {
                    title: "Justificatif de dépôt".into(),
                    numero,
                    href: justificatif_href(*id),
                });
            }
        }
        let (identifiant, prenom, nom, sexe, email, activated): (
            String,
            String,
            String,
            Option<String>,
            Option<String>,
            Option<i64>,
        ) = sqlx::query_as(
            "SELECT identifiant, prenom, nom, sexe, email, activated_at FROM users WHERE id = $1",
        )
        .bind(usager_id)
        .fetch_one(ctx.db.pool())
        .await?;
        let latest: Option<DemandeData> = demandes
            .first()
            .and_then(|(_, _, _, data)| serde_json::from_str(data).ok());
        let adresse = latest.as_ref().and_then(|d| d.adresse.clone());
        let donnees = Donnees {
            identifiant,
            prenom,
            nom,
            sexe: sexe
                .as_deref()
                .and_then(Sexe::parse)
                .map(|s| s.label().to_string())
                .unwrap_or_default(),
            email: email.unwrap_or_default(),
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
            activated: activated.map(format_date_time).unwrap_or_default(),
        };
        Ok(EspaceConducteur {
            messages,
            documents,
            donnees,
        })
    }

    pub async fn load(
        ctx: &AppContext,
        usager_id: i64,
        id: i64,
    ) -> Result<DemandeUsager, AppError> {
        let row = decision::get_for_usager(&ctx.db, usager_id, id).await?;
        let (school_name, decided_at, refus_motif): (String, Option<i64>, Option<String>) =
            sqlx::query_as(
                "SELECT s.name, d.decided_at, d.refus_motif FROM demandes d
                 JOIN schools s ON s.id = d.school_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_one(ctx.db.pool())
            .await?;
        let validated_at = row.validated_at.map(format_date_time).unwrap_or_default();
        let etat = row.etat();
        let view = crate::demandes::ssr::view_of(ctx, row).await?;
        Ok(DemandeUsager {
            view,
            school_name,
            validated_at,
            decided_at: decided_at.map(format_date_time),
            paper_deadline: match (etat, decided_at) {
                (e, Some(at)) if e.awaits_paper_form() => {
                    Some(format_date(at + PAPER_FORM_DAYS * 86_400))
                }
                _ => None,
            },
            refus_motif,
        })
    }

    pub async fn decider(
        id: i64,
        decision: &str,
        attestation: Option<String>,
        motif: Option<String>,
    ) -> Result<(), AppError> {
        let ctx = crate::server::context::app_context()?;
        let user = sessions::require(&ctx, &[Role::Usager]).await?;
        let decision = match decision {
            "valider" => {
                if !matches!(attestation.as_deref(), Some("on" | "true" | "oui")) {
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
                Decision::Refuser { motif }
            }
            _ => return Err(AppError::BadRequest),
        };
        let outcome = decision::decide(
            &ctx.db,
            &ctx.settings,
            user.user_id,
            id,
            &decision,
            ctx.now(),
        )
        .await?;
        if matches!(outcome, decision::Decided::Done(_)) {
            ctx.outbox_wake.notify_one();
        }
        leptos_axum::redirect(&demande_href(id));
        Ok(())
    }
}
