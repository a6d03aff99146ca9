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

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Professionnel {
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
pub async fn espace_pro() -> Result<Professionnel, AppError> {
    let (ctx, user) = ssr::staff(&ssr::AGENTS)
        .await
        .map_err(AppError::with_status)?;
    ssr::load(&ctx, &user).await.map_err(AppError::with_status)
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

    pub async fn load(ctx: &AppContext, user: &SessionUser) -> Result<Professionnel, AppError> {
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
        tracing::info!(
            message = id,
            admin = user.user_id,
            "message en échec relancé"
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
