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
                (Etat::AttentePapier, Some(at)) => Some(format_date(at + PAPER_FORM_DAYS * 86_400)),
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
