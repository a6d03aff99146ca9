//! The `ecole` area (`/ecole/…`): the driving school's demandes — list, stepper steps,
//! validation, « Renvoyer le lien ». Every function here requires a school account
//! (`ssr::school`), and a demande of another school is « not found ».

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::DemandeView;
use crate::domain::demande::Etat;
use crate::domain::steps::{AdresseForm, EtatCivilForm, MotifForm, PhotoForm};
use crate::error::AppError;
use crate::routes::Page;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeSummary {
    pub id: i64,
    pub numero: Option<String>,
    pub prenom: String,
    pub nom: String,
    pub categories: String,
    pub etat: Etat,
    pub etape: i64,
    pub created: String,
    pub updated: String,
    /// « Renvoyer le lien »: the links resent so far, and how many more may go — only while
    /// the candidate's account waits for activation.
    pub liens_renvoyes: i64,
    pub renvois_restants: Option<i64>,
    /// What the school should watch: « Compte à activer avant le … », « Formulaire attendu
    /// avant le … ».
    pub echeance: Option<String>,
}

impl DemandeSummary {
    /// Where the row leads: the step to resume for a draft, the summary otherwise.
    pub fn href(&self) -> String {
        let n = match self.etat {
            Etat::Brouillon => self.etape.clamp(1, 6) as usize,
            Etat::ComplementDemande => return Page::Complement { id: self.id }.href(),
            _ => 6,
        };
        Page::Etape { id: self.id, n }.href()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListPage {
    pub rows: Vec<DemandeSummary>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
}

pub const PER_PAGE: u32 = 20;

/// The school's demandes: search on number or name, filter on state, newest or oldest first.
#[server(prefix = "/api", endpoint = "demandes/liste")]
pub async fn list_demandes(
    q: Option<String>,
    etat: Option<String>,
    tri: Option<String>,
    page: Option<u32>,
) -> Result<ListPage, AppError> {
    ssr::list(q, etat, tri, page)
        .await
        .map_err(AppError::with_status)
}

/// « Renvoyer le lien »: a new activation link to the candidate (at most twice). `deja` is the
/// number of links resent the school's page showed (a double click sends one link).
/// A demande waiting for the school's complement: the demande, and the files deposited since
/// the request (the replacements; older ones are the versions being replaced).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplementPage {
    pub view: DemandeView,
    pub nouveaux: Vec<i64>,
}

#[server(prefix = "/api", endpoint = "demandes/complement")]
pub async fn complement_ecole(id: i64) -> Result<ComplementPage, AppError> {
    let (ctx, _, school_id) = ssr::school().await.map_err(AppError::with_status)?;
    ssr::load_complement(&ctx, school_id, id)
        .await
        .map_err(AppError::with_status)
}

/// « Renvoyer au centre »: the fields asked (typed here) and the pieces asked (deposited on
/// the page) go back to the agent.
#[server(prefix = "/api", endpoint = "demandes/renvoyer-complement")]
pub async fn renvoyer_complement(
    id: i64,
    #[server(default)] form: EtatCivilForm,
) -> Result<(), AppError> {
    let back = Page::Complement { id }.href();
    let typed = form.clone();
    ssr::renvoyer_complement(id, form)
        .await
        .map_err(|e| crate::flash::or_back(e, &back, &typed))
}

#[server(prefix = "/api", endpoint = "demandes/renvoyer-lien")]
pub async fn renvoyer_lien(id: i64, deja: i64) -> Result<String, AppError> {
    ssr::renvoyer_lien(id, deja)
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::EcoleDemandes.href(), &()))
}

/// Starts a new demande and opens its first step.
#[server(prefix = "/api", endpoint = "demandes/nouvelle")]
pub async fn nouvelle_demande() -> Result<i64, AppError> {
    ssr::nouvelle().await.map_err(AppError::with_status)
}

/// « Corriger et renvoyer »: a new draft prefilled from a demande the candidate refused (with
/// its pieces when `pieces` is ticked), opened at the recap.
#[server(prefix = "/api", endpoint = "demandes/reprendre")]
pub async fn reprendre_demande(id: i64, pieces: Option<String>) -> Result<i64, AppError> {
    ssr::reprendre(id, pieces)
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 6 }.href(), &()))
}

/// What the school types to correct the candidate's contact before activation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub telephone: String,
}

/// « Corriger et renvoyer le lien »: before the candidate activates their account, the school
/// corrects the email or mobile and the link goes again to the corrected contact.
#[server(prefix = "/api", endpoint = "demandes/corriger-contact")]
pub async fn corriger_contact(
    id: i64,
    #[server(default)] form: ContactForm,
) -> Result<String, AppError> {
    ssr::corriger_contact(id, form.clone())
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 6 }.href(), &form))
}

/// Autosave: what is typed on a step (1 to 4) is kept without checking it, until « Suivant »
/// saves the step. `fields` is the step's form as the browser encodes it. Answers « 10:42 ».
#[server(prefix = "/api", endpoint = "demandes/saisie")]
pub async fn enregistrer_saisie(id: i64, etape: usize, fields: String) -> Result<String, AppError> {
    ssr::enregistrer_saisie(id, etape, fields)
        .await
        .map_err(AppError::with_status)
}

/// Deletes a draft of the school (never a validated demande), with its files.
#[server(prefix = "/api", endpoint = "demandes/supprimer")]
pub async fn supprimer_brouillon(id: i64) -> Result<(), AppError> {
    ssr::supprimer(id)
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::EcoleDemandes.href(), &()))
}

#[server(prefix = "/api", endpoint = "demandes/lire")]
pub async fn get_demande(id: i64) -> Result<DemandeView, AppError> {
    let (ctx, _, school_id) = ssr::school().await.map_err(AppError::with_status)?;
    ssr::load_view(&ctx, school_id, id)
        .await
        .map_err(AppError::with_status)
}

#[server(prefix = "/api", endpoint = "demandes/motif")]
pub async fn save_motif(id: i64, #[server(default)] form: MotifForm) -> Result<(), AppError> {
    ssr::save_motif(id, form.clone())
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 1 }.href(), &form))
}

#[server(prefix = "/api", endpoint = "demandes/etat-civil")]
pub async fn save_etat_civil(
    id: i64,
    #[server(default)] form: EtatCivilForm,
) -> Result<(), AppError> {
    ssr::save_etat_civil(id, form.clone())
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 2 }.href(), &form))
}

#[server(prefix = "/api", endpoint = "demandes/adresse")]
pub async fn save_adresse(id: i64, #[server(default)] form: AdresseForm) -> Result<(), AppError> {
    ssr::save_adresse(id, form.clone())
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 3 }.href(), &form))
}

#[server(prefix = "/api", endpoint = "demandes/photo")]
pub async fn save_photo(id: i64, #[server(default)] form: PhotoForm) -> Result<(), AppError> {
    ssr::save_photo(id, form.clone())
        .await
        .map_err(|e| crate::flash::or_back(e, &Page::Etape { id, n: 4 }.href(), &form))
}

/// The communes a postal code serves (official Etalab data), for the address step.
#[server(prefix = "/api", endpoint = "communes")]
pub async fn communes_du_code_postal(code_postal: String) -> Result<Vec<String>, AppError> {
    let (ctx, _, _) = ssr::school().await.map_err(AppError::with_status)?;
    Ok(ctx
        .communes
        .for_postal_code(code_postal.trim())
        .iter()
        .map(|c| c.nom.clone())
        .collect())
}

/// Moves on from the documents step (the pieces themselves are uploaded one by one).
#[server(prefix = "/api", endpoint = "demandes/pieces")]
pub async fn save_pieces(id: i64) -> Result<(), AppError> {
    ssr::save_pieces(id).await.map_err(AppError::with_status)
}

/// « Valider »: the server checks everything again, then assigns the number (once).
#[server(prefix = "/api", endpoint = "demandes/valider")]
pub async fn valider_demande(id: i64, attestation: Option<String>) -> Result<String, AppError> {
    ssr::valider(id, attestation)
        .await
        .map_err(AppError::with_status)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::api::ssr::view_of;
    use crate::domain::account::Role;
    use crate::domain::demande::{DemandeData, ModePhoto};
    use crate::domain::steps::{self, missing_with_pieces, required_pieces};
    use crate::server::context::app_context;
    use crate::server::demandes::{self as store, ListFilter, Validation};
    use crate::server::handover::{resend_activation, Resend};
    use crate::server::sessions::{self, SessionUser};
    use crate::server::time::{date_paris, format_date, format_date_time, yymmdd_paris};
    use crate::server::{pieces, AppContext};

    /// The guard of the area: a school account, and its school.
    pub async fn school() -> Result<(AppContext, SessionUser, i64), AppError> {
        let ctx = app_context()?;
        let user = sessions::require(&ctx, &[Role::Ecole]).await?;
        let school_id = user.school_id.ok_or(AppError::Forbidden)?;
        Ok((ctx, user, school_id))
    }

    pub async fn renvoyer_lien(id: i64, deja: i64) -> Result<String, AppError> {
        let (ctx, _, school_id) = school().await?;
        let now = ctx.now();
        let resend = resend_activation(&ctx.db, &ctx.settings, school_id, id, deja, now).await?;
        let numero = match resend {
            Resend::Sent { numero, .. } => {
                ctx.outbox_wake.notify_one();
                numero
            }
            Resend::AlreadySent { numero } => numero,
        };
        leptos_axum::redirect(&Page::EcoleDemandes.href_with(&format!("lien-renvoye={numero}")));
        Ok(numero)
    }

    pub async fn list(
        q: Option<String>,
        etat: Option<String>,
        tri: Option<String>,
        page: Option<u32>,
    ) -> Result<ListPage, AppError> {
        let (ctx, _, school_id) = school().await?;
        load_list(&ctx, school_id, q, etat, tri, page).await
    }

    /// The list page's data (also preloaded by the server before rendering the page).
    pub async fn load_list(
        ctx: &AppContext,
        school_id: i64,
        q: Option<String>,
        etat: Option<String>,
        tri: Option<String>,
        page: Option<u32>,
    ) -> Result<ListPage, AppError> {
        let search: String = q.unwrap_or_default().chars().take(100).collect();
        let filter = ListFilter {
            search,
            etat: etat.as_deref().and_then(Etat::parse),
            oldest_first: tri.as_deref() == Some("anciennes"),
            page: page.unwrap_or(1).max(1),
            per_page: PER_PAGE,
        };
        let (rows, total) = store::list(&ctx.db, school_id, &filter).await?;
        let pages = ((total as u32).div_ceil(PER_PAGE)).max(1);
        Ok(ListPage {
            rows: rows
                .into_iter()
                .map(|r| DemandeSummary {
                    id: r.id,
                    numero: r.numero,
                    prenom: r.prenom,
                    nom: r.nom,
                    categories: r.categories,
                    etat: r.etat,
                    etape: r.etape,
                    created: format_date(r.created_at),
                    updated: format_date_time(r.updated_at),
                    liens_renvoyes: r.liens_renvoyes,
                    renvois_restants: (r.compte_a_activer == 1)
                        .then(|| crate::domain::deadlines::link_resends_left(r.liens_renvoyes)),
                    echeance: match (
                        r.etat,
                        r.compte_a_activer,
                        r.activation_deadline,
                        r.decided_at,
                    ) {
                        (Etat::AttenteUsager, 1, Some(d), _) => {
                            Some(format!("Compte à activer avant le {}", format_date_time(d)))
                        }
                        (Etat::AttentePapier, _, _, Some(at)) => Some(format!(
                            "Formulaire attendu avant le {}",
                            format_date(crate::domain::deadlines::paper_form_deadline(at))
                        )),
                        (Etat::RefuseeUsager, _, _, Some(at)) => Some(format!(
                            "Refusée par le candidat le {} : ouvrez-la pour voir le motif et la corriger",
                            format_date(at)
                        )),
                        (Etat::ComplementDemande, _, _, _) => Some(format!(
                            "Complément demandé ({}) — avant le {}",
                            crate::domain::formats::plural(
                                r.complement_items.unwrap_or(0),
                                "élément",
                                "éléments"
                            ),
                            r.complement_avant.map(format_date).unwrap_or_default()
                        )),
                        (Etat::Brouillon, _, _, _) => Some(format!(
                            "Supprimé s'il n'est pas modifié d'ici le {}",
                            format_date(crate::domain::deadlines::retention::draft_deleted_at(
                                r.updated_at
                            ))
                        )),
                        _ => None,
                    },
                })
                .collect(),
            total,
            page: filter.page,
            pages,
        })
    }

    pub async fn reprendre(id: i64, pieces: Option<String>) -> Result<i64, AppError> {
        let (ctx, user, school_id) = school().await?;
        let with_pieces = steps::ticked(pieces.as_deref());
        let new = store::copy_refused(
            &ctx.db,
            &ctx.storage,
            school_id,
            user.user_id,
            id,
            with_pieces,
            ctx.now(),
        )
        .await?;
        leptos_axum::redirect(&Page::Etape { id: new, n: 6 }.href());
        Ok(new)
    }

    pub async fn corriger_contact(id: i64, form: ContactForm) -> Result<String, AppError> {
        use crate::domain::formats::{normalize_email, normalize_mobile};
        use crate::error::FieldError;
        let (ctx, _, school_id) = school().await?;
        let email = normalize_email(&form.email);
        let telephone = normalize_mobile(&form.telephone);
        let mut errors = Vec::new();
        if let Err(m) = &email {
            errors.push(FieldError {
                field: "email".into(),
                message: (*m).to_string(),
            });
        }
        if let Err(m) = &telephone {
            errors.push(FieldError {
                field: "telephone".into(),
                message: (*m).to_string(),
            });
        }
        let (Ok(email), Ok(telephone)) = (email, telephone) else {
            return Err(AppError::Invalid(errors));
        };
        let done = crate::server::handover::correct_contact(
            &ctx.db,
            &ctx.settings,
            school_id,
            id,
            &email,
            &telephone,
            ctx.now(),
        )
        .await?;
        let numero = match done {
            crate::server::handover::Correction::Sent { numero } => {
                ctx.outbox_wake.notify_one();
                numero
            }
            crate::server::handover::Correction::Unchanged { numero } => numero,
        };
        leptos_axum::redirect(&Page::Etape { id, n: 6 }.href_with("contact-corrige=1"));
        Ok(numero)
    }

    pub async fn enregistrer_saisie(
        id: i64,
        etape: usize,
        fields: String,
    ) -> Result<String, AppError> {
        let (ctx, _, school_id) = school().await?;
        let now = ctx.now();
        store::autosave(&ctx.db, school_id, id, etape, &fields, now).await?;
        Ok(clock_time(now))
    }

    /// « 10:42 », Paris time.
    fn clock_time(at: i64) -> String {
        let full = format_date_time(at);
        full.rsplit(" à ").next().unwrap_or(&full).to_string()
    }

    /// The autosaved forms of a draft's steps (each as its server function decodes it).
    fn saisie_of(saisie: Option<&str>, at: Option<i64>) -> crate::api::Saisie {
        let map: std::collections::BTreeMap<String, String> = saisie
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default();
        let qs = serde_qs::Config::new(5, false);
        let get = |n: &str| map.get(n).map(String::as_str);
        crate::api::Saisie {
            motif: get("1")
                .and_then(|f| qs.deserialize_str::<SaveMotif>(f).ok())
                .map(|a| a.form),
            etat_civil: get("2")
                .and_then(|f| qs.deserialize_str::<SaveEtatCivil>(f).ok())
                .map(|a| a.form),
            adresse: get("3")
                .and_then(|f| qs.deserialize_str::<SaveAdresse>(f).ok())
                .map(|a| a.form),
            photo: get("4")
                .and_then(|f| qs.deserialize_str::<SavePhoto>(f).ok())
                .map(|a| a.form),
            at: (!map.is_empty()).then_some(at).flatten().map(clock_time),
        }
    }

    pub async fn supprimer(id: i64) -> Result<(), AppError> {
        let (ctx, _, school_id) = school().await?;
        let keys = store::delete_draft(&ctx.db, school_id, id).await?;
        ctx.storage.delete_all(keys).await;
        leptos_axum::redirect(&Page::EcoleDemandes.href_with("brouillon-supprime=1"));
        Ok(())
    }

    pub async fn nouvelle() -> Result<i64, AppError> {
        let (ctx, user, school_id) = school().await?;
        let id = store::create(&ctx.db, school_id, user.user_id, ctx.now()).await?;
        leptos_axum::redirect(&Page::Etape { id, n: 1 }.href());
        Ok(id)
    }

    /// A step page's data (also preloaded by the server before rendering the page).
    /// The complement page's data (also preloaded by the server).
    pub async fn load_complement(
        ctx: &AppContext,
        school_id: i64,
        id: i64,
    ) -> Result<ComplementPage, AppError> {
        let row = store::get(&ctx.db, school_id, id).await?;
        if row.etat != Etat::ComplementDemande {
            return Err(AppError::NotFound);
        }
        let since = crate::server::instruction::latest_complement(&ctx.db, id)
            .await?
            .map(|c| c.created_at)
            .unwrap_or(i64::MAX);
        let nouveaux = pieces::list_pieces(&ctx.db, id)
            .await?
            .into_iter()
            .filter(|p| p.created_at >= since)
            .map(|p| p.id)
            .collect();
        Ok(ComplementPage {
            view: view_of(ctx, row).await?,
            nouveaux,
        })
    }

    pub async fn renvoyer_complement(id: i64, form: EtatCivilForm) -> Result<(), AppError> {
        let (ctx, user, school_id) = school().await?;
        let row = store::get(&ctx.db, school_id, id).await?;
        crate::server::instruction::answer_complement(
            &ctx.db,
            school_id,
            user.user_id,
            id,
            &form,
            ctx.now(),
        )
        .await?;
        let numero = row.numero.unwrap_or_default();
        leptos_axum::redirect(
            &Page::EcoleDemandes.href_with(&format!("complement-envoye={numero}")),
        );
        Ok(())
    }

    pub async fn load_view(
        ctx: &AppContext,
        school_id: i64,
        id: i64,
    ) -> Result<DemandeView, AppError> {
        let row = store::get(&ctx.db, school_id, id).await?;
        let saisie = saisie_of(row.saisie.as_deref(), row.saisie_at);
        let mut view = view_of(ctx, row).await?;
        view.compte_a_activer = store::waits_for_activation(&ctx.db, id).await?;
        view.saisie = saisie;
        Ok(view)
    }

    /// Loads a draft, applies `change`, saves it and sends the browser to `next_step`.
    async fn save_step(
        id: i64,
        next_step: usize,
        change: impl FnOnce(
            &mut DemandeData,
            crate::domain::date::Date,
            &AppContext,
        ) -> Result<(), AppError>,
    ) -> Result<(), AppError> {
        let (ctx, _, school_id) = school().await?;
        let row = store::get(&ctx.db, school_id, id).await?;
        if row.etat != Etat::Brouillon {
            return Err(AppError::Conflict(store::NOT_EDITABLE.into()));
        }
        let mut data = row.data()?;
        let today = date_paris(ctx.now());
        change(&mut data, today, &ctx)?;
        let etape = (next_step as i64).max(row.etape);
        store::save(&ctx.db, school_id, id, row.version, &data, etape, ctx.now()).await?;
        store::clear_autosave(&ctx.db, id, next_step - 1).await?;
        leptos_axum::redirect(&Page::Etape { id, n: next_step }.href());
        Ok(())
    }

    pub async fn save_motif(id: i64, form: MotifForm) -> Result<(), AppError> {
        save_step(id, 2, |data, _, _| {
            data.motif = Some(steps::parse_motif(&form).map_err(AppError::Invalid)?);
            Ok(())
        })
        .await
    }

    pub async fn save_etat_civil(id: i64, form: EtatCivilForm) -> Result<(), AppError> {
        save_step(id, 3, |data, today, _| {
            data.etat_civil = Some(
                steps::parse_etat_civil(&form, data.motif.as_ref(), today)
                    .map_err(AppError::Invalid)?,
            );
            Ok(())
        })
        .await
    }

    pub async fn save_adresse(id: i64, form: AdresseForm) -> Result<(), AppError> {
        save_step(id, 4, |data, _, ctx| {
            // The postal code and the commune must go together (Etalab data); the commune is
            // stored with its official spelling.
            data.adresse =
                Some(steps::parse_adresse_with(&form, &ctx.communes).map_err(AppError::Invalid)?);
            Ok(())
        })
        .await
    }

    pub async fn save_photo(id: i64, form: PhotoForm) -> Result<(), AppError> {
        // Who asks, and whether the demande is theirs, before anything is said about the code.
        let (ctx, _, school_id) = school().await?;
        store::get(&ctx.db, school_id, id).await?;
        let step = steps::parse_photo(&form).map_err(AppError::Invalid)?;
        if let (ModePhoto::EPhoto, Some(code)) = (step.mode, step.code_ephoto.as_deref()) {
            if let Some(problem) = store::ephoto_problem(&ctx.db, code, id, ctx.now()).await? {
                return Err(AppError::field("code_ephoto", problem));
            }
        }
        save_step(id, 5, move |data, _, _| {
            data.photo = Some(step);
            Ok(())
        })
        .await
    }

    pub async fn save_pieces(id: i64) -> Result<(), AppError> {
        save_step(id, 6, |_, _, _| Ok(())).await
    }

    pub async fn valider(id: i64, attestation: Option<String>) -> Result<String, AppError> {
        let (ctx, _, school_id) = school().await?;
        if !steps::ticked(attestation.as_deref()) {
            return Err(AppError::field(
                "attestation",
                "Cochez la case « Je soussigné(e)… atteste sur l'honneur » pour valider la demande.",
            ));
        }
        let row = store::get(&ctx.db, school_id, id).await?;
        if let (Etat::AttenteUsager, Some(n)) = (row.etat, &row.numero) {
            // Already validated (double click, other tab): the same answer, nothing more.
            leptos_axum::redirect(&Page::EcoleDemandes.href_with(&format!("validee={n}")));
            return Ok(n.clone());
        }
        let data = row.data()?;
        let now = ctx.now();
        let today = date_paris(now);
        let required = required_pieces(&data, today);
        let present = pieces::kinds(&ctx.db, id).await?;
        let missing = missing_with_pieces(&data, today, &required, &present);
        if let Some((step, message)) = missing.first() {
            return Err(AppError::Conflict(format!(
                "La demande est incomplète (étape {step}) : {message}"
            )));
        }
        let code = data.photo.as_ref().and_then(|p| p.code_ephoto.clone());
        if let Some(c) = &code {
            if let Some(problem) = store::ephoto_problem(&ctx.db, c, id, now).await? {
                return Err(AppError::Conflict(format!("Étape 4 : {problem}")));
            }
        }
        let school = crate::server::users::school(&ctx.db, school_id).await?;
        let (prenom, nom) = data.listing_names();
        let (Some(ec), Some(adresse)) = (&data.etat_civil, &data.adresse) else {
            return Err(AppError::Conflict("La demande est incomplète.".into()));
        };
        let candidate = crate::server::handover::Candidate {
            email: adresse.email.clone(),
            telephone: adresse.telephone.clone(),
            prenoms: ec.prenoms.clone(),
            nom: nom.clone(),
            sexe: ec.sexe,
        };
        let yymmdd = yymmdd_paris(now);
        let request = store::ValidationRequest {
            school_id,
            id,
            version: row.version,
            departement: &school.departement,
            yymmdd: &yymmdd,
            ephoto_code: code.as_deref(),
            prenom: &prenom,
            nom: &nom,
            school_name: &school.name,
            candidate: &candidate,
            settings: &ctx.settings,
        };
        let numero = match store::validate(&ctx.db, &request, now).await? {
            Validation::Done(n) => {
                ctx.outbox_wake.notify_one();
                n
            }
            Validation::AlreadyDone(n) => n,
        };
        leptos_axum::redirect(&Page::EcoleDemandes.href_with(&format!("validee={numero}")));
        Ok(numero)
    }
}
