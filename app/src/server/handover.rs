//! What happens the instant a school validates a demande: the candidate's account is found by
//! email (or created, waiting for activation), the demande is attached to it, and the email and
//! SMS are queued — all on the validation's transaction.

use sqlx::AnyConnection;

use crate::domain::activation::{self, first_free_identifiant, identifiant_base, mask_email};
use crate::domain::demande::Sexe;
use crate::domain::messages::{self, DemandeRef};
use crate::error::AppError;
use crate::routes::Page;

use super::outbox::{enqueue, NewMessage};
use super::time::{format_date, format_date_time};
use super::tokens::{self, Purpose};
use super::Settings;

/// The candidate as the school entered them.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub email: String,
    /// E.164
    pub telephone: String,
    pub prenoms: String,
    pub nom: String,
    pub sexe: Sexe,
}

/// What the handover did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Handover {
    /// A new account, waiting for activation.
    NewAccount { user_id: i64 },
    /// An account not activated yet: a new activation link replaces the previous one.
    PendingAccount { user_id: i64 },
    /// An active account: the candidate is invited to log in.
    ExistingAccount { user_id: i64 },
}

impl Handover {
    pub fn user_id(&self) -> i64 {
        match self {
            Handover::NewAccount { user_id }
            | Handover::PendingAccount { user_id }
            | Handover::ExistingAccount { user_id } => *user_id,
        }
    }
}

pub fn activation_url(settings: &Settings, token: &str) -> String {
    settings.url(
        &Page::Activer {
            token: token.to_string(),
        }
        .href(),
    )
}

/// Generates a free identifiant from the names (« pmartin », « pmartin2 »…).
async fn free_identifiant(
    conn: &mut AnyConnection,
    prenoms: &str,
    nom: &str,
) -> Result<String, AppError> {
    let base = identifiant_base(prenoms, nom);
    let taken: Vec<(String,)> =
        sqlx::query_as("SELECT identifiant FROM users WHERE identifiant LIKE $1")
            .bind(format!("{base}%"))
            .fetch_all(&mut *conn)
            .await?;
    let taken: Vec<String> = taken.into_iter().map(|t| t.0).collect();
    Ok(first_free_identifiant(&base, &taken))
}

/// Who an activation link goes to.
struct Recipient<'a> {
    user_id: i64,
    demande_id: i64,
    email: &'a str,
    telephone: &'a str,
}

/// A new activation link (7 days; the previous ones revoked) by email and SMS, the messages'
/// keys `{key}:email` and `{key}:sms`. Returns the link's deadline.
async fn send_activation_link(
    conn: &mut AnyConnection,
    settings: &Settings,
    d: &DemandeRef<'_>,
    to: &Recipient<'_>,
    key: &str,
    now: i64,
) -> Result<i64, AppError> {
    let (token, _) = tokens::issue(
        conn,
        to.user_id,
        Purpose::Activation,
        activation::ACTIVATION_VALIDITY_SECS,
        now,
    )
    .await?;
    let expires = crate::domain::deadlines::activation_deadline(now);
    let email = messages::activation_email(d, &format_date_time(expires));
    let day = format_date(expires);
    let sms = messages::activation_sms(d, &mask_email(to.email), day.get(..5).unwrap_or(&day));
    enqueue(
        conn,
        &NewMessage::email(
            format!("{key}:email"),
            "activation",
            to.email.trim(),
            &email,
            Some(activation_url(settings, &token)),
        )
        .about(to.user_id, Some(to.demande_id)),
        now,
    )
    .await?;
    enqueue(
        conn,
        &NewMessage::sms(format!("{key}:sms"), "activation", to.telephone, sms)
            .about(to.user_id, Some(to.demande_id)),
        now,
    )
    .await?;
    Ok(expires)
}

#[allow(clippy::too_many_arguments)]
pub async fn hand_over(
    conn: &mut AnyConnection,
    settings: &Settings,
    demande_id: i64,
    numero: &str,
    school_id: i64,
    school_name: &str,
    c: &Candidate,
    now: i64,
    round: &str,
) -> Result<Handover, AppError> {
    let email_norm = c.email.trim().to_lowercase();
    // Two schools may create the same new account at the same moment (PostgreSQL): the insert
    // that comes second waits for the first, does nothing, and the account is then found.
    let mut handover = None;
    for _ in 0..5 {
        let existing: Option<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM users WHERE espace = 'usager' AND email_norm = $1",
        )
        .bind(&email_norm)
        .fetch_optional(&mut *conn)
        .await?;
        match existing {
            Some((id, status)) if status == "pending_activation" => {
                handover = Some(Handover::PendingAccount { user_id: id });
                break;
            }
            Some((id, _)) => {
                handover = Some(Handover::ExistingAccount { user_id: id });
                break;
            }
            None => {}
        }
        let identifiant = free_identifiant(conn, &c.prenoms, &c.nom).await?;
        let created: Option<(i64,)> = sqlx::query_as(
            "INSERT INTO users (role, espace, identifiant, email, email_norm, status, prenom, nom,
                                sexe, created_by_school, created_at)
             VALUES ('usager', 'usager', $1, $2, $3, 'pending_activation', $4, $5, $6, $7, $8)
             ON CONFLICT DO NOTHING
             RETURNING id",
        )
        .bind(&identifiant)
        .bind(c.email.trim())
        .bind(&email_norm)
        .bind(c.prenoms.trim())
        .bind(c.nom.trim())
        .bind(c.sexe.code())
        .bind(school_id)
        .bind(now)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((id,)) = created {
            handover = Some(Handover::NewAccount { user_id: id });
            break;
        }
    }
    let handover = handover
        .ok_or_else(|| AppError::internal("handover", "no free identifiant after 5 tries"))?;
    let user_id = handover.user_id();
    sqlx::query("UPDATE demandes SET usager_id = $1 WHERE id = $2")
        .bind(user_id)
        .bind(demande_id)
        .execute(&mut *conn)
        .await?;

    let prenom = c.prenoms.split_whitespace().next().unwrap_or("");
    let d = DemandeRef {
        prenom,
        school_name,
        numero,
    };
    // `round` tells a later handover (after a correction of the contact) from the first one.
    let key = |what: &str| format!("demande:{demande_id}:{what}{round}");
    match handover {
        Handover::NewAccount { .. } | Handover::PendingAccount { .. } => {
            let to = Recipient {
                user_id,
                demande_id,
                email: &c.email,
                telephone: &c.telephone,
            };
            send_activation_link(conn, settings, &d, &to, &key("activation"), now).await?;
        }
        Handover::ExistingAccount { .. } => {
            let email = messages::invitation_email(&d, &settings.url(&Page::Connexion.href()));
            enqueue(
                conn,
                &NewMessage::email(
                    key("invitation:email"),
                    "invitation",
                    c.email.trim(),
                    &email,
                    None,
                )
                .about(user_id, Some(demande_id)),
                now,
            )
            .await?;
            enqueue(
                conn,
                &NewMessage::sms(
                    key("invitation:sms"),
                    "invitation",
                    &c.telephone,
                    messages::invitation_sms(&d),
                )
                .about(user_id, Some(demande_id)),
                now,
            )
            .await?;
        }
    }
    Ok(handover)
}

/// A demande of the school waiting for a candidate whose account is not activated yet.
struct Waiting {
    numero: String,
    user_id: i64,
    liens_renvoyes: i64,
    data: String,
    school_name: String,
}

/// Why a demande no longer waits for its candidate's activation.
enum NotWaiting {
    /// It left « En attente de validation usager ».
    State,
    /// The candidate activated the account.
    Activated,
    /// The activation deadline passed (the deletion is due).
    Expired,
}

/// Locks demande `demande_id` of the school, then its candidate's account (the expiry job
/// claims them the same way, so a resend or a correction and a deletion never cross), and
/// says whether it still waits for the activation. Not the school's: « not found ».
async fn claim_waiting(
    tx: &mut AnyConnection,
    school_id: i64,
    demande_id: i64,
    now: i64,
) -> Result<Result<Waiting, (String, NotWaiting)>, AppError> {
    use crate::domain::demande::Etat;
    // The demande's lock first (a write: on SQLite a transaction that reads first cannot
    // become a writer while another one does): two clicks at once run one after the other.
    let mine =
        sqlx::query("UPDATE demandes SET version = version WHERE id = $1 AND school_id = $2")
            .bind(demande_id)
            .bind(school_id)
            .execute(&mut *tx)
            .await?;
    if mine.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    let (numero, etat, usager_id, liens_renvoyes, data, school_name): (
        Option<String>,
        Etat,
        Option<i64>,
        i64,
        String,
        String,
    ) = sqlx::query_as(
        "SELECT d.numero, d.etat, d.usager_id, d.liens_renvoyes, d.data, s.name
         FROM demandes d JOIN schools s ON s.id = d.school_id WHERE d.id = $1",
    )
    .bind(demande_id)
    .fetch_one(&mut *tx)
    .await?;
    let numero = numero.unwrap_or_default();
    if etat != Etat::AttenteUsager {
        return Ok(Err((numero, NotWaiting::State)));
    }
    let user_id = usager_id.ok_or(AppError::NotFound)?;
    if !tokens::lock_pending_account(&mut *tx, user_id).await? {
        return Ok(Err((numero, NotWaiting::Activated)));
    }
    if tokens::activation_deadline(&mut *tx, user_id, now)
        .await?
        .is_none()
    {
        return Ok(Err((numero, NotWaiting::Expired)));
    }
    Ok(Ok(Waiting {
        numero,
        user_id,
        liens_renvoyes,
        data,
        school_name,
    }))
}

/// What « Renvoyer le lien » did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resend {
    /// A new link went (the previous ones no longer work); `left` more may be sent.
    Sent {
        numero: String,
        expires_at: i64,
        left: i64,
    },
    /// The same request came twice (double click): the first one sent the link.
    AlreadySent { numero: String },
}

/// « Renvoyer le lien » from the school's list: a new activation link (7 days from now, the
/// previous ones revoked) by email and SMS, at most twice per demande. `seen` is the number of
/// resends the school's page showed: the claim `liens_renvoyes = seen → seen + 1` makes a double
/// click send one link.
pub async fn resend_activation(
    db: &super::Db,
    settings: &Settings,
    school_id: i64,
    demande_id: i64,
    seen: i64,
    now: i64,
) -> Result<Resend, AppError> {
    use crate::domain::deadlines::{link_resends_left, MAX_LINK_RESENDS};
    use crate::domain::demande::DemandeData;
    let mut tx = db.pool().begin().await?;
    let Waiting {
        numero,
        user_id,
        liens_renvoyes: done,
        data,
        school_name,
    } = match claim_waiting(&mut tx, school_id, demande_id, now).await? {
        Ok(w) => w,
        Err((numero, why)) => {
            return Err(AppError::Conflict(match why {
                NotWaiting::State => format!(
                    "La demande n° {numero} n'attend plus l'activation du compte du candidat : aucun lien n'a été envoyé."
                ),
                NotWaiting::Activated => format!(
                    "Le candidat de la demande n° {numero} a déjà activé son compte : il peut se connecter à son espace pour la valider."
                ),
                NotWaiting::Expired => format!(
                    "Le délai d'activation de la demande n° {numero} est dépassé : le compte et la demande vont être supprimés. Vérifiez l'adresse électronique avec le candidat et saisissez une nouvelle demande."
                ),
            }))
        }
    };
    if done > seen {
        // The page was older than the last resend: that one (maybe this very click) went.
        return Ok(Resend::AlreadySent { numero });
    }
    if done >= MAX_LINK_RESENDS {
        return Err(AppError::Conflict(format!(
            "Le lien de la demande n° {numero} a déjà été renvoyé {MAX_LINK_RESENDS} fois : vérifiez avec le candidat son adresse électronique et ses courriers indésirables. S'il ne peut pas activer son compte à temps, vous devrez saisir une nouvelle demande."
        )));
    }
    let claimed = sqlx::query(
        "UPDATE demandes SET liens_renvoyes = liens_renvoyes + 1, updated_at = $1
         WHERE id = $2 AND liens_renvoyes = $3",
    )
    .bind(now)
    .bind(demande_id)
    .bind(done)
    .execute(&mut *tx)
    .await?;
    if claimed.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(Resend::AlreadySent { numero });
    }
    let data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
    let (Some(ec), Some(adresse)) = (&data.etat_civil, &data.adresse) else {
        return Err(AppError::Conflict("La demande est incomplète.".into()));
    };
    let prenom = ec.prenoms.split_whitespace().next().unwrap_or("");
    let d = DemandeRef {
        prenom,
        school_name: &school_name,
        numero: &numero,
    };
    let to = Recipient {
        user_id,
        demande_id,
        email: &adresse.email,
        telephone: &adresse.telephone,
    };
    let key = format!("demande:{demande_id}:activation:renvoi{}", done + 1);
    let expires_at = send_activation_link(&mut tx, settings, &d, &to, &key, now).await?;
    super::demandes::record_event(&mut tx, demande_id, "lien_renvoye", None, now).await?;
    tx.commit().await?;
    Ok(Resend::Sent {
        numero,
        expires_at,
        left: link_resends_left(done + 1),
    })
}

/// What « Corriger et renvoyer le lien » did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Correction {
    /// The contact was changed and a new link went to it (the previous links no longer work).
    Sent { numero: String },
    /// The contact was already this one (a double click): nothing more was sent.
    Unchanged { numero: String },
}

/// Before the candidate activates their account, the school corrects the email or mobile it
/// typed and the link goes again, to the corrected contact. A corrected email may be that of
/// another account (the demande then goes to it, as at validation); the account created for
/// the wrong address is deleted if nothing else waits in it. `email` and `telephone` are
/// already normalised.
#[allow(clippy::too_many_arguments)]
pub async fn correct_contact(
    db: &super::Db,
    settings: &Settings,
    school_id: i64,
    demande_id: i64,
    email: &str,
    telephone: &str,
    now: i64,
) -> Result<Correction, AppError> {
    use crate::domain::demande::DemandeData;
    let mut tx = db.pool().begin().await?;
    let Waiting {
        numero,
        user_id,
        data,
        school_name,
        ..
    } = match claim_waiting(&mut tx, school_id, demande_id, now).await? {
        Ok(w) => w,
        Err((numero, why)) => {
            return Err(AppError::Conflict(match why {
                NotWaiting::State => format!(
                    "La demande n° {numero} n'attend plus l'activation du compte du candidat : son adresse électronique et son mobile ne peuvent plus être corrigés ici."
                ),
                NotWaiting::Activated => format!(
                    "Le candidat de la demande n° {numero} a déjà activé son compte : il reçoit les messages à l'adresse de son compte."
                ),
                NotWaiting::Expired => format!(
                    "Le délai d'activation de la demande n° {numero} est dépassé : le compte et la demande vont être supprimés."
                ),
            }))
        }
    };
    let mut data: DemandeData = serde_json::from_str(&data).unwrap_or_default();
    let (_, nom) = data.listing_names();
    let (Some(ec), Some(adresse)) = (data.etat_civil.clone(), data.adresse.as_mut()) else {
        return Err(AppError::Conflict("La demande est incomplète.".into()));
    };
    let email_changed = !adresse.email.trim().eq_ignore_ascii_case(email.trim());
    if !email_changed && adresse.telephone == telephone {
        return Ok(Correction::Unchanged { numero });
    }
    adresse.email = email.trim().to_string();
    adresse.telephone = telephone.to_string();
    let json = serde_json::to_string(&data).map_err(|e| AppError::internal("demande json", e))?;
    sqlx::query("UPDATE demandes SET data = $1, updated_at = $2 WHERE id = $3")
        .bind(json)
        .bind(now)
        .bind(demande_id)
        .execute(&mut *tx)
        .await?;
    let round = format!(":correction{now}");
    if email_changed {
        sqlx::query("UPDATE demandes SET usager_id = NULL WHERE id = $1")
            .bind(demande_id)
            .execute(&mut *tx)
            .await?;
        let (others,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM demandes WHERE usager_id = $1")
                .bind(user_id)
                .fetch_one(&mut *tx)
                .await?;
        if others == 0 {
            // The account made for the wrong address: its sessions, tokens and queued
            // messages go with it.
            sqlx::query("DELETE FROM users WHERE id = $1 AND status = 'pending_activation'")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        let candidate = Candidate {
            email: email.trim().to_string(),
            telephone: telephone.to_string(),
            prenoms: ec.prenoms.clone(),
            nom,
            sexe: ec.sexe,
        };
        hand_over(
            &mut tx,
            settings,
            demande_id,
            &numero,
            school_id,
            &school_name,
            &candidate,
            now,
            &round,
        )
        .await?;
    } else {
        let prenom = ec.prenoms.split_whitespace().next().unwrap_or("");
        let d = DemandeRef {
            prenom,
            school_name: &school_name,
            numero: &numero,
        };
        let to = Recipient {
            user_id,
            demande_id,
            email,
            telephone,
        };
        send_activation_link(
            &mut tx,
            settings,
            &d,
            &to,
            &format!("demande:{demande_id}:activation{round}"),
            now,
        )
        .await?;
    }
    super::demandes::record_event(&mut tx, demande_id, "contact_corrige", None, now).await?;
    tx.commit().await?;
    Ok(Correction::Sent { numero })
}
