//! The candidate's review of a demande: read everything, tick « Je soussigné(e)… », validate or
//! refuse; then what comes next (procedure complete, or the paper form to post).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use server_fn::ServerFn;

use crate::api::usager::*;
use crate::components::documents::Documents;
use crate::components::fields::ErrorSummary;
use crate::components::forms::Attestation;
use crate::components::guard::RequireRole;
use crate::components::instruction::InstructionPanel;
use crate::components::layout::DemandeIntrouvable;
use crate::components::loader::{respond_with, use_page_data};
use crate::components::recap::RecapSections;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::{Etat, ModePhoto, ATTESTATION_USAGER, CENTRE_ADRESSE};
use crate::error::AppError;
use crate::flash::use_flash;
use crate::routes::Page;

fn id_param() -> impl Fn() -> i64 + Send + Sync + Copy + 'static {
    let params = use_params_map();
    move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

#[component]
pub fn DemandeUsagerPage() -> impl IntoView {
    view! {
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|_| view! { <Review /> } />
    }
}

#[component]
fn Review() -> impl IntoView {
    let id = id_param();
    let demande = use_page_data(id, lire_demande_usager);
    // One title for the page, following its data (a title inside the part that is redrawn
    // would be removed and put back at each change, and the page would be left without one).
    let title_of = |data: &Option<Result<DemandeUsager, AppError>>| match data {
        Some(Ok(d)) => {
            let h = heading(d);
            let numero = d.view.numero.clone().unwrap_or_default();
            if h.contains(&numero) {
                format!("{h} — Mon espace")
            } else {
                format!("{h} (demande N° {numero}) — Mon espace")
            }
        }
        Some(Err(_)) => "Demande introuvable — Mon espace".to_string(),
        None => "Demande — Mon espace".to_string(),
    };
    // The server writes the title once the page is drawn, maybe after the page's data is
    // gone: it then uses the title computed now.
    let first_title = demande.with_untracked(title_of);
    let title = move || {
        demande
            .try_with(title_of)
            .unwrap_or_else(|| first_title.clone())
    };
    view! {
        <Title text=title />
        <div class="fr-container fr-my-6w">
            <p>
                <A href=Page::MonEspace.href() attr:class="fr-link fr-icon-arrow-left-line fr-link--icon-left">
                    "Retour à Mon espace"
                </A>
            </p>
            {move || match demande.get() {
                None => view! { <p>"Chargement de la demande…"</p> }.into_any(),
                Some(Err(error)) => view! { <DemandeIntrouvable error /> }.into_any(),
                Some(Ok(d)) => view! { <ReviewBody d /> }.into_any(),
            }}
        </div>
    }
}

/// The page's heading, which its title repeats.
fn heading(d: &DemandeUsager) -> String {
    let numero = d.view.numero.clone().unwrap_or_default();
    match d.view.etat {
        Etat::AttenteUsager => format!("Pré-demande N° {numero} à vérifier"),
        Etat::Transmise => format!("Demande N° {numero} transmise"),
        Etat::AttentePapier => "Dernières actions à réaliser".to_string(),
        Etat::PapierNonRecu => "Formulaire photo-signature non reçu".to_string(),
        Etat::ComplementDemande => format!("Demande N° {numero} : complément demandé"),
        Etat::Inscrite => format!("Demande N° {numero} acceptée"),
        Etat::Rejetee => format!("Demande N° {numero} rejetée"),
        Etat::ClasseeSansSuite => format!("Demande N° {numero} classée sans suite"),
        _ => format!("Demande N° {numero}"),
    }
}

#[component]
fn ReviewBody(d: DemandeUsager) -> impl IntoView {
    let etat = d.view.etat;
    let title = heading(&d);
    view! {
        <h1>{title}</h1>
        <p class="fr-text--sm">
            {format!("Permis de conduire — saisie par {} le {}. État : {}.", d.school_name, d.validated_at, etat.label())}
        </p>
        {match etat {
            Etat::AttenteUsager => view! { <Decide d=d.clone() /> }.into_any(),
            Etat::Transmise => view! {
                <div class="fr-alert fr-alert--success fr-mb-4w">
                    <h2 class="fr-alert__title">"Votre démarche est terminée"</h2>
                    <p>
                        {if d.view.data.photo.as_ref().map(|p| p.mode) == Some(ModePhoto::EPhoto) {
                            format!("Vous avez validé la demande le {}. Elle est transmise au service instructeur, avec la photo et la signature de votre code e-photo. Vous serez informé(e) par courriel de la suite.", d.decided_at.clone().unwrap_or_default())
                        } else {
                            format!("Vous avez validé la demande le {} et le centre de traitement a reçu votre formulaire photo-signature. Elle est transmise au service instructeur. Vous serez informé(e) par courriel de la suite.", d.decided_at.clone().unwrap_or_default())
                        }}
                    </p>
                </div>
                {d.view.instruction.clone().map(|instruction| view! { <InstructionPanel id=d.view.id instruction ecole=false /> })}
                <Documents id=d.view.id paper=false />
                <RecapSections d=d.view.clone() editable=false />
            }
            .into_any(),
            Etat::AttentePapier | Etat::PapierNonRecu => view! { <PaperSteps d=d.clone() /> }.into_any(),
            Etat::RefuseeUsager => view! {
                <div class="fr-alert fr-alert--info fr-mb-4w">
                    <h2 class="fr-alert__title">"Vous avez refusé cette demande"</h2>
                    <p>
                        {format!("Refusée le {}. Votre école de conduite en a été informée : elle doit saisir une nouvelle demande avec les informations corrigées.", d.decided_at.clone().unwrap_or_default())}
                    </p>
                    {d.refus_motif.clone().map(|m| view! { <p>{format!("Motif indiqué : « {m} »")}</p> })}
                </div>
                <RecapSections d=d.view.clone() editable=false />
            }
            .into_any(),
            Etat::ComplementDemande
            | Etat::ComplementRecu
            | Etat::Inscrite
            | Etat::Rejetee
            | Etat::ClasseeSansSuite => view! {
                {d.view.instruction.clone().map(|instruction| view! { <InstructionPanel id=d.view.id instruction ecole=false /> })}
                <Documents id=d.view.id paper=false />
                <RecapSections d=d.view.clone() editable=false />
            }
            .into_any(),
            Etat::Brouillon | Etat::Supprimee => view! { <p>"Cette demande n'est pas disponible."</p> }.into_any(),
        }}
    }
}

/// The whole demande, the attestation, « Valider » (disabled until ticked) and « Refuser ».
#[component]
fn Decide(d: DemandeUsager) -> impl IntoView {
    let flash = use_flash::<RefusTyped>();
    let server_error = flash.map(|f| f.error);
    let attestation_message = server_error
        .as_ref()
        .and_then(|e| e.field_message("attestation"));
    let summary_error = server_error.filter(|e| e.field_message("attestation").is_none());
    let (ticked, set_ticked) = signal(false);
    let (sent, set_sent) = signal(false);
    let id = d.view.id;
    if !d.ecarts.is_empty() {
        return view! { <Ecarts d=d.clone() /> }.into_any();
    }
    view! {
        <p>
            "Vérifiez soigneusement les informations saisies par votre école de conduite, et les pièces justificatives (cliquez pour les ouvrir). "
            "Si une information est inexacte, refusez la demande : votre école de conduite en saisira une nouvelle."
        </p>
        {d.identite_certifiee
            .then(|| {
                view! {
                    <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w">
                        <p>"L'état civil saisi par votre école correspond à votre identité certifiée par FranceConnect."</p>
                    </div>
                }
            })}
        <ErrorSummary error=Signal::derive(move || summary_error.clone()) />
        <RecapSections d=d.view.clone() editable=false />
        <h2 class="fr-h4 fr-mt-6w" id="decision">"Votre décision"</h2>
        <form method="post" action=Decider::PATH novalidate=true on:submit=move |_| set_sent.set(true)>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="decision" value="valider" />
            <Attestation
                label=ATTESTATION_USAGER
                message=Signal::derive(move || attestation_message.clone())
                on_toggle=set_ticked
            />
            <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-4w">
                <li>
                    <button class="fr-btn" type="submit" disabled=move || !ticked.get() || sent.get() aria-describedby="valider-aide">
                        {move || if sent.get() { "Validation…" } else { "Valider" }}
                    </button>
                </li>
                <li>
                    <a class="fr-btn fr-btn--secondary" href=Page::Refus { id }.href()>"Refuser"</a>
                </li>
            </ul>
            <p class="fr-text--sm fr-mb-0" id="valider-aide">
                {move || (!ticked.get()).then_some("« Valider » devient disponible quand vous avez coché la case « Je soussigné(e)… » ci-dessus.")}
            </p>
        </form>
    }
    .into_any()
}

/// The état civil differs from the certified identity: each difference with both values, and
/// the only way on, « Refuser — l'école corrigera » (the reason written for the candidate).
#[component]
fn Ecarts(d: DemandeUsager) -> impl IntoView {
    let id = d.view.id;
    view! {
        <div class="fr-alert fr-alert--warning fr-mb-4w" id="ecarts">
            <h2 class="fr-alert__title">"L'état civil saisi ne correspond pas à votre identité certifiée"</h2>
            <p>
                "FranceConnect a certifié votre identité. Ce que votre école de conduite a saisi en diffère :"
            </p>
            <ul>
                {d.ecarts
                    .iter()
                    .map(|e| view! { <li><strong>{e.champ.clone()}</strong>" : "{e.phrase()}</li> })
                    .collect_view()}
            </ul>
            <p>
                "Vous ne pouvez pas valider une demande dont l'état civil est inexact : refusez-la, votre école de conduite saisira une nouvelle demande corrigée."
            </p>
        </div>
        <ul class="fr-btns-group fr-btns-group--inline-md fr-mb-4w">
            <li>
                <a class="fr-btn" href=Page::Refus { id }.href_with("ecarts=1")>
                    "Refuser — l'école corrigera"
                </a>
            </li>
        </ul>
        <RecapSections d=d.view.clone() editable=false ecarts=d.ecarts.clone() />
    }
}

/// Paper form: what to print, fill and post, and by when.
#[component]
fn PaperSteps(d: DemandeUsager) -> impl IntoView {
    let decided = d.decided_at.clone().unwrap_or_default();
    let deadline = d.paper_deadline.clone().unwrap_or_default();
    let alert = if d.view.etat == Etat::PapierNonRecu {
        view! {
            <div class="fr-alert fr-alert--error fr-mb-4w">
                <h2 class="fr-alert__title">"Le centre n'a pas reçu votre formulaire photo-signature"</h2>
                <p>
                    {format!("Vous avez validé la demande le {decided}, mais le formulaire n'était pas arrivé le {deadline}. Sans lui, votre demande ne peut pas être instruite.")}
                </p>
                <p>
                    "Si vous ne l'avez pas encore envoyé, imprimez-le et envoyez-le dès aujourd'hui en suivant les étapes ci-dessous : la demande sera instruite à sa réception. Si vous l'avez déjà envoyé, il peut encore arriver ; en cas de doute, parlez-en à votre école de conduite."
                </p>
            </div>
        }
        .into_any()
    } else {
        view! {
            <div class="fr-alert fr-alert--warning fr-mb-4w">
                <h2 class="fr-alert__title">"Votre demande attend le formulaire photo-signature"</h2>
                <p>
                    {format!("Vous avez validé la demande le {decided}. Pour qu'elle soit instruite, le formulaire photo-signature doit parvenir au centre de traitement avant le {deadline}.")}
                </p>
            </div>
        }
        .into_any()
    };
    view! {
        {alert}
        <ol class="permis-steps">
            <li>"Imprimez le formulaire photo-signature (format A4, sans le réduire)."</li>
            <li>"Remplissez-le à l'encre noire, lisiblement, sans rature ni surcharge, et signez dans le cadre prévu sans en dépasser."</li>
            <li>"Collez une photo d'identité récente, conforme aux normes (35 × 45 mm, de face, tête nue, fond uni clair), dans le cadre prévu."</li>
            <li>"Envoyez le formulaire seul (rien d'autre dans l'enveloppe) à l'adresse ci-dessous."</li>
        </ol>
        <address class="fr-mb-4w permis-address">
            {CENTRE_ADRESSE.iter().map(|l| view! { {*l} <br /> }).collect_view()}
        </address>
        <Documents id=d.view.id paper=true />
        <RecapSections d=d.view.clone() editable=false />
    }
}

fn refusal_title(data: &Option<Result<DemandeUsager, AppError>>) -> String {
    match data {
        Some(Ok(d)) => format!(
            "Refuser la demande N° {} — Mon espace",
            d.view.numero.clone().unwrap_or_default()
        ),
        _ => "Refuser la demande — Mon espace".to_string(),
    }
}

#[component]
pub fn RefusPage() -> impl IntoView {
    view! {
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|_| view! { <Refus /> } />
    }
}

#[component]
fn Refus() -> impl IntoView {
    let id = id_param();
    let demande = use_page_data(id, lire_demande_usager);
    let first_title = demande.with_untracked(refusal_title);
    let flash = use_flash::<RefusTyped>();
    let typed = flash
        .as_ref()
        .map(|f| f.form.motif.clone())
        .unwrap_or_default();
    let error: Option<AppError> = flash.map(|f| f.error);
    let motif_message = error.as_ref().and_then(|e| e.field_message("motif"));
    view! {
        <Title text=move || {
            demande
                .try_with(refusal_title)
                .unwrap_or_else(|| first_title.clone())
        } />
        <div class="fr-container fr-my-6w">
            {move || match demande.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => {
                    respond_with(&e);
                    view! { <div class="fr-alert fr-alert--error" role="alert"><p>{e.to_string()}</p></div> }.into_any()
                }
                Some(Ok(d)) => {
                    let numero = d.view.numero.clone().unwrap_or_default();
                    let id = d.view.id;
                    // The differences with the certified identity, written for the candidate.
                    let typed = if typed.is_empty() && !d.ecarts.is_empty() {
                        crate::domain::identite::motif_de_refus(&d.ecarts)
                    } else {
                        typed.clone()
                    };
                    let motif_message = motif_message.clone();
                    let motif_error = motif_message.is_some();
                    view! {
                        <h1>{format!("Refuser la demande N° {numero} ?")}</h1>
                        <p>
                            {format!("La demande ne pourra plus être validée : {} sera informée de votre refus et devra saisir une nouvelle demande. Indiquez si vous le souhaitez ce qui est inexact, pour l'aider à la corriger.", d.school_name)}
                        </p>
                        <form method="post" action=Decider::PATH novalidate=true>
                            <input type="hidden" name="id" value=id />
                            <input type="hidden" name="decision" value="refuser" />
                            <div class="fr-input-group" class:fr-input-group--error=motif_error>
                                <label class="fr-label" for="motif">
                                    "Ce qui est inexact (facultatif)"
                                    <span class="fr-hint-text">"500 caractères au plus. Par exemple : « mon deuxième prénom est Marie »."</span>
                                </label>
                                <textarea class="fr-input" id="motif" name="motif" maxlength="500" rows="4" aria-describedby="motif-messages">
                                    {typed.clone()}
                                </textarea>
                                <div class="fr-messages-group" id="motif-messages" aria-live="polite">
                                    {motif_message.map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })}
                                </div>
                            </div>
                            <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-4w">
                                <li><button class="fr-btn" type="submit">"Confirmer le refus"</button></li>
                                <li><a class="fr-btn fr-btn--secondary" href=Page::DemandeUsager { id }.href()>"Annuler"</a></li>
                            </ul>
                        </form>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}
