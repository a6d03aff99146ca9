//! The school's stepper: one page per step, « Étape n sur 6 », Précédent / Suivant.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::ecole::*;
use crate::api::{DemandeView, PieceFile};
use crate::components::documents::Documents;
use crate::components::fields::{form_name, Checkbox, ErrorSummary, Input, Radios, Select};
use crate::components::forms::Attestation;
use crate::components::guard::RequireRole;
use crate::components::instruction::InstructionPanel;
use crate::components::layout::DemandeIntrouvable;
use crate::components::loader::use_page_data;
use crate::components::recap::RecapSections;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::*;
use crate::domain::departements::DEPARTEMENTS;
use crate::domain::eligibility;
use crate::domain::formats::plural;
use crate::domain::steps::*;
use crate::domain::upload::{human_size, UploadProblem, ACCEPT};
use crate::error::AppError;
use crate::flash::{form_error, use_flash};
use crate::routes::{piece_href, piece_upload_href, Page};

#[component]
pub fn DemandeStepPage() -> impl IntoView {
    view! {
        <RequireRole roles=&[Role::Ecole] espace=Espace::Pro children=|_| view! { <StepView /> } />
    }
}

fn options<T: Copy>(
    all: &[T],
    code: fn(T) -> &'static str,
    label: fn(T) -> &'static str,
) -> Vec<(String, String)> {
    all.iter()
        .map(|v| (code(*v).to_string(), label(*v).to_string()))
        .collect()
}

#[component]
fn StepView() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|v| v.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let step = move || {
        params
            .read()
            .get("n")
            .and_then(|v| v.parse::<usize>().ok())
            .filter(|n| (1..=6).contains(n))
            .unwrap_or(1)
    };
    let demande = use_page_data(move || (id(), step()), |(id, _)| get_demande(id));
    // A validated demande is shown, not edited: its title says which one.
    let title_of = move |data: &Option<Result<DemandeView, AppError>>| match data {
        Some(Ok(d)) if d.etat != Etat::Brouillon => format!(
            "Demande n° {} ({}) — Mes demandes",
            d.numero.clone().unwrap_or_default(),
            d.etat.label()
        ),
        _ => format!(
            "Étape {} sur 6 : {} — Nouvelle demande",
            step(),
            STEPS[step() - 1]
        ),
    };
    // The server writes the title once the page is drawn, maybe after the page's data is
    // gone: it then uses the title computed now.
    let first_title = demande.with_untracked(title_of);
    view! {
        <Title text=move || demande.try_with(title_of).unwrap_or_else(|| first_title.clone()) />
        <div class="fr-container fr-my-6w">
            <p>
                <A href=Page::EcoleDemandes.href() attr:class="fr-link fr-icon-arrow-left-line fr-link--icon-left">
                    "Retour à mes demandes"
                </A>
            </p>
            {move || {
                let n = step();
                match demande.get() {
                    None => view! { <p>"Chargement de la demande…"</p> }.into_any(),
                    Some(Ok(d)) => view! { <Step d n /> }.into_any(),
                    Some(Err(error)) => view! { <DemandeIntrouvable error /> }.into_any(),
                }
            }}
        </div>
    }
}

#[component]
fn Stepper(n: usize, numero: Option<String>, updated: String) -> impl IntoView {
    let next = STEPS.get(n).copied();
    view! {
        <div class="fr-stepper">
            <h1 class="fr-stepper__title">
                {STEPS[n - 1]}
                <span class="fr-stepper__state">{format!("Étape {n} sur 6")}</span>
            </h1>
            <div class="fr-stepper__steps" data-fr-current-step=n.to_string() data-fr-steps="6"></div>
            {next
                .map(|s| {
                    view! {
                        <p class="fr-stepper__details">
                            <span class="fr-text--bold">"Étape suivante : "</span>
                            {s}
                        </p>
                    }
                })}
        </div>
        <p class="fr-text--sm permis-saved">
            {match numero {
                Some(num) => format!("Demande n° {num} — mise à jour le {updated}"),
                None => format!("Brouillon enregistré le {updated}"),
            }}
        </p>
    }
}

#[component]
fn Step(d: DemandeView, n: usize) -> impl IntoView {
    // A validated demande is read-only: every step shows the summary.
    let n = if d.etat != Etat::Brouillon { 6 } else { n };
    let header = view! {
        <Stepper n numero=d.numero.clone() updated=d.updated.clone() />
        {d.reprise_de.filter(|_| d.etat == Etat::Brouillon).map(|from| view! {
            <div class="fr-notice fr-notice--info fr-mb-3w">
                <div class="fr-container">
                    <div class="fr-notice__body">
                        <p class="fr-notice__title">
                            "Nouvelle demande reprise d'une demande refusée par le candidat. "
                            <A href=Page::Etape { id: from, n: 6 }.href()>"Voir le motif du refus"</A>
                        </p>
                    </div>
                </div>
            </div>
        })}
    };
    let body = match n {
        1 => view! { <MotifStepForm d /> }.into_any(),
        2 => view! { <EtatCivilStepForm d /> }.into_any(),
        3 => view! { <AdresseStepForm d /> }.into_any(),
        4 => view! { <PhotoStepForm d /> }.into_any(),
        5 => view! { <PiecesStepForm d /> }.into_any(),
        _ => view! { <Recap d /> }.into_any(),
    };
    view! {
        {header}
        {body}
    }
}

/// Précédent (a link, nothing is lost: every step is saved on Suivant) and Suivant (submit).
#[component]
fn StepButtons(id: i64, n: usize, pending: Signal<bool>) -> impl IntoView {
    view! {
        <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-4w">
            {(n > 1)
                .then(|| {
                    view! {
                        <li>
                            <A href=Page::Etape { id, n: n - 1 }.href() attr:class="fr-btn fr-btn--secondary">
                                "Précédent"
                            </A>
                        </li>
                    }
                })}
            <li>
                <button class="fr-btn" type="submit" disabled=move || pending.get()>
                    {move || if pending.get() { "Enregistrement…" } else { "Suivant" }}
                </button>
            </li>
        </ul>
    }
}

fn action_error<A>(action: ServerAction<A>) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// A step's form: its action, its current error (last answer, or the flash of a post made
/// before the WASM loaded) and its initial values (what was typed then, or what is saved).
fn step_form<A, F>(saved: Option<F>) -> (ServerAction<A>, Signal<Option<AppError>>, F)
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
    F: serde::Serialize + serde::de::DeserializeOwned + Clone + Default + Send + Sync + 'static,
{
    let action = ServerAction::<A>::new();
    let flash = use_flash::<F>();
    let error = form_error(*action, flash.as_ref().map(|f| f.error.clone()));
    let initial = flash.map(|f| f.form).or(saved).unwrap_or_default();
    (action, error, initial)
}

// ------------------------------------------------------------------ autosave

/// Wraps a step's fields: what is typed is kept on the server as it is typed (a second and a
/// half after the last key, at once after a choice), with « Enregistré à 10:42 » shown; a page
/// closed with unsaved typing asks first, and leaving the step inside the app saves it.
#[component]
fn AutoSave(id: i64, step: usize, saved_at: Option<String>, children: Children) -> impl IntoView {
    let status = RwSignal::new(match saved_at {
        Some(t) => format!("Saisie non validée reprise (enregistrée à {t})."),
        None => "Ce que vous saisissez est enregistré automatiquement.".to_string(),
    });
    #[cfg(feature = "hydrate")]
    let (on_input, on_change, on_submitting) = autosave::watch(id, step, status);
    #[cfg(not(feature = "hydrate"))]
    let (on_input, on_change, on_submitting) = {
        let _ = (id, step);
        (
            |_: leptos::ev::Event| {},
            |_: leptos::ev::Event| {},
            |_: leptos::ev::Event| {},
        )
    };
    view! {
        <div
            on:input=on_input
            on:change=on_change
            on:click=move |ev: leptos::ev::MouseEvent| on_submitting(ev.into())
            on:keydown=move |ev: leptos::ev::KeyboardEvent| on_submitting(ev.into())
        >
            {children()}
        </div>
        <p class="fr-text--sm fr-mt-2w fr-mb-0 permis-autosave" role="status">{move || status.get()}</p>
    }
}

#[cfg(feature = "hydrate")]
mod autosave {
    use std::time::Duration;

    use leptos::prelude::*;
    use wasm_bindgen::JsCast;

    use crate::api::ecole::enregistrer_saisie;

    /// The form the event came from, as the browser would post it.
    fn fields_of(target: Option<web_sys::EventTarget>) -> Option<String> {
        let element = target?.dyn_into::<web_sys::Element>().ok()?;
        let form = element
            .closest("form")
            .ok()??
            .dyn_into::<web_sys::HtmlFormElement>()
            .ok()?;
        let data = web_sys::FormData::new_with_form(&form).ok()?;
        let params = web_sys::UrlSearchParams::new_with_str_sequence_sequence(&data).ok()?;
        Some(params.to_string().into())
    }

    pub fn watch(
        id: i64,
        step: usize,
        status: RwSignal<String>,
    ) -> (
        impl Fn(leptos::ev::Event) + 'static,
        impl Fn(leptos::ev::Event) + 'static,
        impl Fn(leptos::ev::Event) + Copy + 'static,
    ) {
        // The form's latest state not yet sent, and the pending timer.
        let pending = StoredValue::new(None::<String>);
        let timer = StoredValue::new(None::<TimeoutHandle>);
        // The page may be gone when the answer comes (leaving the step saves on the way out):
        // nothing here may assume the component still exists.
        let save = move || {
            let Some(fields) = pending.try_get_value().flatten() else {
                return;
            };
            pending.try_set_value(None);
            status.try_set("Enregistrement…".to_string());
            leptos::task::spawn_local(async move {
                match enregistrer_saisie(id, step, fields.clone()).await {
                    Ok(at) => {
                        status.try_set(format!("Enregistré à {at}."));
                    }
                    Err(e) => {
                        // Kept for the next try (and the warning before leaving).
                        if pending.try_get_value().is_some_and(|p| p.is_none()) {
                            pending.try_set_value(Some(fields));
                        }
                        status.try_set(format!("Enregistrement automatique impossible : {e}"));
                    }
                }
            });
        };
        let schedule = move |ev: leptos::ev::Event, delay: u64| {
            let Some(fields) = fields_of(ev.target()) else {
                return;
            };
            pending.try_set_value(Some(fields));
            if let Some(Some(h)) = timer.try_get_value() {
                h.clear();
            }
            timer.try_set_value(set_timeout_with_handle(save, Duration::from_millis(delay)).ok());
        };
        // « Suivant » (or Enter in a field) saves the step itself: nothing is left to autosave.
        let on_submitting = move |ev: leptos::ev::Event| {
            let submit = match ev.dyn_ref::<web_sys::KeyboardEvent>() {
                Some(k) => {
                    k.key() == "Enter"
                        && ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                            .is_some()
                }
                None => ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|e| e.closest("button[type=submit]").ok().flatten())
                    .is_some(),
            };
            if submit {
                pending.try_set_value(None);
                if let Some(Some(h)) = timer.try_get_value() {
                    h.clear();
                }
            }
        };
        // Closing the tab or reloading with unsaved typing: the browser asks first.
        let unload = window_event_listener(leptos::ev::beforeunload, move |ev| {
            if pending.try_get_value().flatten().is_some() {
                ev.prevent_default();
                ev.set_return_value("");
            }
        });
        // Leaving the step inside the app (« Précédent », a link): what is pending is saved.
        on_cleanup(move || {
            unload.remove();
            if let Some(Some(h)) = timer.try_get_value() {
                h.clear();
            }
            save();
        });
        let on_input = move |ev| schedule(ev, 1500);
        let on_change = move |ev| schedule(ev, 200);
        (on_input, on_change, on_submitting)
    }
}

// ------------------------------------------------------------------ step 1

#[component]
fn MotifStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, initial) = step_form::<SaveMotif, MotifForm>(
        d.saisie
            .motif
            .clone()
            .or_else(|| d.data.motif.as_ref().map(MotifForm::from_step)),
    );
    let saved_at = d.saisie.at.clone();
    // What the school ticks, followed live so the rules answer at once.
    let form = RwSignal::new(initial.clone());
    // The category rules, checked as the school ticks (the server checks them again).
    let live = Signal::derive(move || {
        let f = form.get();
        let categories: Vec<Categorie> = f
            .categories
            .keys()
            .filter_map(|k| Categorie::parse(k))
            .collect();
        if categories.is_empty() {
            return Vec::new();
        }
        let step = MotifStep {
            motif: f
                .motif
                .as_deref()
                .and_then(Motif::parse)
                .unwrap_or(Motif::Premier),
            categories,
            filiere: f
                .filiere
                .as_deref()
                .and_then(Filiere::parse)
                .unwrap_or(Filiere::Traditionnelle),
            boite_automatique: false,
            handicap: false,
        };
        eligibility::check_motif(&step)
            .into_iter()
            .map(|b| b.message)
            .collect::<Vec<_>>()
    });
    let cat_message =
        Signal::derive(move || error.get().and_then(|e| e.field_message("categories")));
    let id = d.id;
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <AutoSave id step=1 saved_at=saved_at.clone()>
            <Radios
                key="motif"
                legend="Motif de la demande"
                options=options(Motif::ALL, Motif::code, Motif::label)
                selected=initial.motif.clone()
                on_pick=Callback::new(move |v: String| form.update(|f| f.motif = Some(v)))
                error
            />
            <fieldset
                class="fr-fieldset"
                class:fr-fieldset--error=move || cat_message.get().is_some()
                id="categories"
                aria-labelledby="categories-legend categories-messages"
            >
                <legend class="fr-fieldset__legend--regular fr-fieldset__legend" id="categories-legend">
                    "Catégories demandées"
                    <span class="fr-hint-text">"Plusieurs catégories sont possibles lorsque les règles le permettent (par exemple B et BE)."</span>
                </legend>
                {Categorie::ALL
                    .iter()
                    .map(|c| {
                        let code = c.code();
                        let checked = initial.categories.contains_key(code);
                        view! {
                            <div class="fr-fieldset__element fr-fieldset__element--inline permis-categorie">
                                <Checkbox
                                    id=format!("categorie-{code}")
                                    name=format!("form[categories][{code}]")
                                    label=c.label()
                                    checked
                                    on_toggle=Callback::new(move |on: bool| {
                                        form.update(|f| {
                                            if on {
                                                f.categories.insert(code.to_string(), "on".into());
                                            } else {
                                                f.categories.remove(code);
                                            }
                                        })
                                    })
                                />
                            </div>
                        }
                    })
                    .collect_view()}
                <div class="fr-messages-group" id="categories-messages" aria-live="polite">
                    {move || {
                        let server = cat_message.get();
                        let live = live.get();
                        match server {
                            Some(m) => vec![m],
                            None => live,
                        }
                        .into_iter()
                        .map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })
                        .collect_view()
                    }}
                </div>
            </fieldset>
            <Radios
                key="filiere"
                legend="Filière de formation"
                options=options(Filiere::ALL, Filiere::code, Filiere::label)
                selected=initial.filiere.clone()
                on_pick=Callback::new(move |v: String| form.update(|f| f.filiere = Some(v)))
                error
            />
            <fieldset class="fr-fieldset" aria-labelledby="options-legend">
                <legend class="fr-fieldset__legend--regular fr-fieldset__legend" id="options-legend">
                    "Conditions particulières"
                </legend>
                <div class="fr-fieldset__element">
                    <Checkbox
                        id="boite_automatique".to_string()
                        name=form_name("boite_automatique")
                        label="Formation sur boîte de vitesses automatique"
                        checked=initial.boite_automatique.is_some()
                    />
                </div>
                <div class="fr-fieldset__element">
                    <Checkbox
                        id="handicap".to_string()
                        name=form_name("handicap")
                        label="Handicap déclaré ou véhicule aménagé"
                        hint="Un avis médical sera demandé parmi les pièces justificatives."
                        checked=initial.handicap.is_some()
                        on_toggle=Callback::new(move |on: bool| form.update(|f| f.handicap = on.then(|| "on".into())))
                    />
                </div>
            </fieldset>
                <StepButtons id n=1 pending=action.pending().into() />
            </AutoSave>
        </ActionForm>
    }
}

// ------------------------------------------------------------------ step 2

#[component]
fn EtatCivilStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, f) = step_form::<SaveEtatCivil, EtatCivilForm>(
        d.saisie
            .etat_civil
            .clone()
            .or_else(|| d.data.etat_civil.as_ref().map(EtatCivilForm::from_step)),
    );
    let saved_at = d.saisie.at.clone();
    let today = d.today;
    // The legal representative's block appears as soon as the birth date makes a minor.
    let birth = RwSignal::new(f.date_naissance.clone().unwrap_or_default());
    let minor = Signal::derive(move || {
        crate::domain::date::Date::parse(&birth.get())
            .map(|b| eligibility::is_minor(b, today))
            .unwrap_or(false)
    });
    let age_hint = Signal::derive(move || {
        let b = crate::domain::date::Date::parse(&birth.get()).ok()?;
        let motif = d.data.motif.as_ref()?;
        let msgs: Vec<String> = eligibility::check_age(motif, b, today)
            .into_iter()
            .map(|b| b.message)
            .collect();
        (!msgs.is_empty()).then(|| msgs.join(" "))
    });
    let date_message =
        Signal::derive(move || error.get().and_then(|e| e.field_message("date_naissance")));
    let id = d.id;
    let sexes = options(Sexe::ALL, Sexe::code, Sexe::label);
    let rep = f.clone();
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <AutoSave id step=2 saved_at=saved_at.clone()>
            <Radios key="sexe" legend="Sexe" options=sexes selected=f.sexe.clone() inline=true error />
            <Input key="nom_naissance" label="Nom de naissance" value=f.nom_naissance.clone().unwrap_or_default() autocomplete="family-name" error />
            <Input key="nom_usage" label="Nom d'usage" hint="Par exemple le nom d'époux ou d'épouse" value=f.nom_usage.clone().unwrap_or_default() required=false error />
            <Input key="prenoms" label="Prénoms" hint="Tous les prénoms, dans l'ordre de l'état civil, séparés par un espace" value=f.prenoms.clone().unwrap_or_default() autocomplete="given-name" error />
            <div class="fr-input-group" class:fr-input-group--error=move || date_message.get().is_some()>
                <label class="fr-label" for="date_naissance">
                    "Date de naissance"
                    <span class="fr-hint-text">"Au format JJ/MM/AAAA"</span>
                </label>
                <input
                    class="fr-input"
                    class:fr-input--error=move || date_message.get().is_some()
                    type="date"
                    id="date_naissance"
                    name="form[date_naissance]"
                    value=f.date_naissance.clone()
                    max=today.iso()
                    autocomplete="bday"
                    aria-required="true"
                    aria-invalid=move || date_message.get().is_some().then_some("true")
                    aria-describedby="date_naissance-messages"
                    on:input=move |ev| birth.set(event_target_value(&ev))
                    on:change=move |ev| birth.set(event_target_value(&ev))
                />
                <div class="fr-messages-group" id="date_naissance-messages" aria-live="polite">
                    {move || {
                        date_message
                            .get()
                            .or_else(|| age_hint.get())
                            .map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })
                    }}
                </div>
            </div>
            <Input key="pays_naissance" label="Pays de naissance" value=f.pays_naissance.clone().unwrap_or_else(|| "France".into()) autocomplete="country-name" error />
            <Input key="commune_naissance" label="Commune de naissance" value=f.commune_naissance.clone().unwrap_or_default() error />
            <Select
                key="departement_naissance"
                label="Département de naissance"
                options=DEPARTEMENTS.iter().map(|(c, n, _)| (c.to_string(), format!("{c} — {n}"))).collect()
                selected=f.departement_naissance.clone()
                required_when="obligatoire pour une naissance en France"
                error
            />
            <Input key="nationalite" label="Nationalité" value=f.nationalite.clone().unwrap_or_else(|| "Française".into()) error />
            <Input key="neph" label="Numéro NEPH" hint="12 chiffres, si le candidat en a déjà un (précédent permis ou inscription)" value=f.neph.clone().unwrap_or_default() inputmode="numeric" maxlength=14 required=false error />
            <Show when=move || minor.get()>
                <fieldset class="fr-fieldset fr-mt-3w" aria-labelledby="rep-legend">
                    <legend class="fr-fieldset__legend" id="rep-legend">
                        "Représentant légal"
                        <span class="fr-hint-text">"Le candidat est mineur : l'état civil de son représentant légal est demandé."</span>
                    </legend>
                    <div class="fr-fieldset__element">
                        <Radios key="rep_qualite" legend="Qualité" options=options(Qualite::ALL, Qualite::code, Qualite::label) selected=rep.rep_qualite.clone() inline=true error />
                    </div>
                    <div class="fr-fieldset__element">
                        <Input key="rep_nom" label="Nom du représentant légal" value=rep.rep_nom.clone().unwrap_or_default() error />
                    </div>
                    <div class="fr-fieldset__element">
                        <Input key="rep_prenoms" label="Prénoms du représentant légal" value=rep.rep_prenoms.clone().unwrap_or_default() error />
                    </div>
                    <div class="fr-fieldset__element">
                        <Input key="rep_date_naissance" label="Date de naissance du représentant légal" hint="Au format JJ/MM/AAAA" input_type="date" value=rep.rep_date_naissance.clone().unwrap_or_default() error />
                    </div>
                </fieldset>
            </Show>
                <StepButtons id n=2 pending=action.pending().into() />
            </AutoSave>
        </ActionForm>
    }
}

// ------------------------------------------------------------------ step 3

#[component]
fn AdresseStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, f) = step_form::<SaveAdresse, AdresseForm>(
        d.saisie
            .adresse
            .clone()
            .or_else(|| d.data.adresse.as_ref().map(AdresseForm::from_step)),
    );
    let saved_at = d.saisie.at.clone();
    let id = d.id;
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <AutoSave id step=3 saved_at=saved_at.clone()>
            <h2 class="fr-h4">"Adresse"</h2>
            <div class="fr-grid-row fr-grid-row--gutters">
                <div class="fr-col-6 fr-col-md-2">
                    <Input key="numero" label="Numéro" value=f.numero.clone().unwrap_or_default() inputmode="numeric" required=false error />
                </div>
                <div class="fr-col-6 fr-col-md-2">
                    <Select key="extension" label="Extension" options=EXTENSIONS_VOIE.iter().map(|e| (e.to_string(), e.to_string())).collect() selected=f.extension.clone() required=false placeholder="—" error />
                </div>
                <div class="fr-col-12 fr-col-md-3">
                    <Select key="type_voie" label="Type de voie" options=TYPES_VOIE.iter().map(|e| (e.to_string(), e.to_string())).collect() selected=f.type_voie.clone() required=false placeholder="—" error />
                </div>
                <div class="fr-col-12 fr-col-md-5">
                    <Input key="nom_voie" label="Nom de la voie ou lieu-dit" value=f.nom_voie.clone().unwrap_or_default() error />
                </div>
            </div>
            <Input key="complement" label="Complément d'adresse" hint="Bâtiment, étage, chez…" value=f.complement.clone().unwrap_or_default() required=false error />
            <CodePostalCommune code_postal=f.code_postal.clone().unwrap_or_default() commune=f.commune.clone().unwrap_or_default() error />
            <Input key="prefecture" label="Préfecture de rattachement" hint="Déduite du code postal si vous laissez ce champ vide ; modifiable" value=f.prefecture.clone().unwrap_or_default() required=false error />
            <h2 class="fr-h4 fr-mt-4w">"Coordonnées du candidat"</h2>
            <Input key="email" label="Adresse électronique" hint="Le candidat y recevra le lien pour vérifier et valider sa demande" input_type="email" value=f.email.clone().unwrap_or_default() autocomplete="email" error />
            <Input key="telephone" label="Téléphone portable" hint="Par exemple 06 12 34 56 78 : le candidat y recevra un SMS" input_type="tel" value=f.telephone.clone().unwrap_or_default() autocomplete="tel" error />
            <Checkbox
                id="refus_reutilisation".to_string()
                name=form_name("refus_reutilisation")
                label="Le candidat n'accepte pas que ses données personnelles soient réutilisées à des fins d'information (elles ne seront ni vendues ni cédées à des organismes à but lucratif)."
                checked=f.refus_reutilisation.is_some()
            />
                <StepButtons id n=3 pending=action.pending().into() />
            </AutoSave>
        </ActionForm>
    }
}

/// Postal code and commune: as soon as the postal code has 5 digits, the communes it serves
/// (official data) are offered as suggestions and named under the field.
#[component]
fn CodePostalCommune(
    code_postal: String,
    commune: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let cp_message =
        Signal::derive(move || error.get().and_then(|e| e.field_message("code_postal")));
    let commune_message =
        Signal::derive(move || error.get().and_then(|e| e.field_message("commune")));
    let suggestions = RwSignal::new(Vec::<String>::new());
    let lookup = move |cp: String| {
        if cp.len() == 5 && cp.bytes().all(|b| b.is_ascii_digit()) {
            leptos::task::spawn_local(async move {
                if let Ok(list) = communes_du_code_postal(cp).await {
                    suggestions.set(list);
                }
            });
        } else {
            suggestions.set(Vec::new());
        }
    };
    let hint = move || {
        let list = suggestions.get();
        match list.len() {
            0 => None,
            1 => Some(format!("Commune de ce code postal : {}", list[0])),
            _ => Some(format!("Communes de ce code postal : {}", list.join(", "))),
        }
    };
    view! {
        <div class="fr-grid-row fr-grid-row--gutters">
            <div class="fr-col-12 fr-col-md-4">
                <div class="fr-input-group" class:fr-input-group--error=move || cp_message.get().is_some()>
                    <label class="fr-label" for="code_postal">"Code postal"</label>
                    <input
                        class="fr-input"
                        class:fr-input--error=move || cp_message.get().is_some()
                        id="code_postal"
                        name="form[code_postal]"
                        value=code_postal
                        inputmode="numeric"
                        maxlength="5"
                        autocomplete="postal-code"
                        aria-required="true"
                        aria-invalid=move || cp_message.get().is_some().then_some("true")
                        aria-describedby="code_postal-messages"
                        on:input=move |ev| lookup(event_target_value(&ev).trim().to_string())
                    />
                    <div class="fr-messages-group" id="code_postal-messages" aria-live="polite">
                        {move || cp_message.get().map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })}
                    </div>
                </div>
            </div>
            <div class="fr-col-12 fr-col-md-8">
                <div class="fr-input-group" class:fr-input-group--error=move || commune_message.get().is_some()>
                    <label class="fr-label" for="commune">"Commune"</label>
                    <input
                        class="fr-input"
                        class:fr-input--error=move || commune_message.get().is_some()
                        id="commune"
                        name="form[commune]"
                        value=commune
                        list="communes-du-code-postal"
                        autocomplete="address-level2"
                        aria-required="true"
                        aria-invalid=move || commune_message.get().is_some().then_some("true")
                        aria-describedby="commune-messages"
                    />
                    <datalist id="communes-du-code-postal">
                        {move || suggestions.get().into_iter().map(|c| view! { <option value=c></option> }).collect_view()}
                    </datalist>
                    <div class="fr-messages-group" id="commune-messages" aria-live="polite">
                        {move || {
                            commune_message
                                .get()
                                .map(|m| view! { <p class="fr-message fr-message--error">{m}</p> }.into_any())
                                .or_else(|| hint().map(|h| view! { <p class="fr-message fr-message--info">{h}</p> }.into_any()))
                        }}
                    </div>
                </div>
            </div>
        </div>
    }
}

// ------------------------------------------------------------------ step 4

#[component]
fn PhotoStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, f) = step_form::<SavePhoto, PhotoForm>(
        d.saisie
            .photo
            .clone()
            .or_else(|| d.data.photo.as_ref().map(PhotoForm::from_step)),
    );
    let saved_at = d.saisie.at.clone();
    let mode = RwSignal::new(f.mode.clone());
    let id = d.id;
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
            <AutoSave id step=4 saved_at=saved_at.clone()>
            <Radios
                key="mode"
                legend="Comment la photo et la signature seront-elles transmises ?"
                options=options(ModePhoto::ALL, ModePhoto::code, ModePhoto::label)
                selected=f.mode.clone()
                on_pick=Callback::new(move |v: String| mode.set(Some(v)))
                error
            />
            <Show when=move || mode.get().as_deref() == Some("ephoto")>
                <Input key="code_ephoto" label="Code e-photo" hint="22 lettres et chiffres, imprimés sur la planche photo (valable 6 mois)" value=f.code_ephoto.clone().unwrap_or_default() maxlength=30 error />
            </Show>
            <Show when=move || mode.get().as_deref() == Some("papier")>
                <div class="fr-callout fr-mb-3w">
                    <p class="fr-callout__text">
                        "Après avoir validé la demande, le candidat imprimera le formulaire photo-signature, le remplira et l'enverra par courrier au centre d'instruction dans les 15 jours."
                    </p>
                </div>
            </Show>
                <StepButtons id n=4 pending=action.pending().into() />
            </AutoSave>
        </ActionForm>
    }
}

// ------------------------------------------------------------------ step 5

#[component]
fn PiecesStepForm(d: DemandeView) -> impl IntoView {
    let action = ServerAction::<SavePieces>::new();
    let error = action_error(action);
    let query = use_query_map();
    let param = move |k: &str| query.read_untracked().get(k);
    let problem = param("erreur").and_then(|code| {
        let n = |k: &str| param(k).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        UploadProblem::parse(&code, n("pages"), n("max"))
    });
    let problem_piece = param("piece");
    let deposited = param("depot");
    let id = d.id;
    let mut kinds = d.required_pieces.clone();
    for f in &d.pieces {
        if !kinds.contains(&f.kind) {
            kinds.push(f.kind);
        }
    }
    // The files, updated in place after each sending made by the page's script.
    let files = RwSignal::new(d.pieces.clone());
    let uploads = RwSignal::new(Vec::<Upload>::new());
    // Set once the page's script runs: files are then sent as soon as they are chosen.
    let enhanced = RwSignal::new(false);
    Effect::new(move |_| enhanced.set(true));
    view! {
        <ErrorSummary error />
        <p>
            "Déposez chaque pièce en PDF, JPEG ou PNG (10 Mo au plus par fichier). Une pièce de plusieurs pages peut être un PDF ou plusieurs photos, une par page."
        </p>
        {kinds
            .into_iter()
            .map(|kind| {
                let required = d.required_pieces.contains(&kind);
                let message = (problem_piece.as_deref() == Some(kind.code())).then_some(problem).flatten();
                let ok = deposited.as_deref() == Some(kind.code());
                view! { <PieceBlock id kind files uploads enhanced required message ok /> }
            })
            .collect_view()}
        <Show when=move || uploads.with(|u| u.iter().any(|x| x.state.is_active()))>
            <p class="fr-mt-4w fr-mb-0">"Envoi des fichiers en cours : « Suivant » sera disponible à la fin de l'envoi."</p>
        </Show>
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <StepButtons
                id
                n=5
                pending=Signal::derive(move || {
                    action.pending().get() || uploads.with(|u| u.iter().any(|x| x.state.is_active()))
                })
            />
        </ActionForm>
    }
}

/// A file chosen on the page, sent by the page's script.
#[derive(Clone, Debug, PartialEq)]
struct Upload {
    key: u64,
    kind: Piece,
    name: String,
    state: UploadState,
}

#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
enum UploadState {
    Waiting,
    Sending(u32),
    Failed(String),
}

impl UploadState {
    fn is_active(&self) -> bool {
        matches!(self, UploadState::Waiting | UploadState::Sending(_))
    }
}

#[component]
fn PieceBlock(
    id: i64,
    kind: Piece,
    files: RwSignal<Vec<PieceFile>>,
    uploads: RwSignal<Vec<Upload>>,
    enhanced: RwSignal<bool>,
    required: bool,
    message: Option<UploadProblem>,
    ok: bool,
) -> impl IntoView {
    let code = kind.code();
    let input_id = format!("fichier-{code}");
    let replace_id = format!("remplacer-{code}");
    let messages_id = format!("fichier-{code}-messages");
    let max = kind.max_pages();
    let (sending, set_sending) = signal(false);
    let mine = Memo::new(move |_| {
        files.with(|f| {
            f.iter()
                .filter(|f| f.kind == kind)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    let pages = Memo::new(move |_| mine.with(|f| f.iter().map(|f| f.pages).sum::<i64>()));
    let rows = Memo::new(move |_| {
        uploads.with(|u| {
            u.iter()
                .filter(|u| u.kind == kind)
                .cloned()
                .collect::<Vec<_>>()
        })
    });
    // « 2 fichiers déposés. », after the page's script sent them (or the plain form's redirect).
    let notice = RwSignal::new(ok.then(|| "Fichier déposé.".to_string()));
    let failed = Memo::new(move |_| {
        rows.with(|r| r.iter().any(|u| matches!(u.state, UploadState::Failed(_))))
    });
    let status = move || {
        if pages.get() == 0 {
            if required {
                (
                    "fr-badge fr-badge--sm fr-badge--warning",
                    "À déposer".to_string(),
                )
            } else {
                ("fr-badge fr-badge--sm", "Facultative".to_string())
            }
        } else {
            (
                "fr-badge fr-badge--sm fr-badge--success",
                format!("{} sur {max}", plural(pages.get(), "page", "pages")),
            )
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        choose_files(ev, id, kind, files, uploads, notice);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, notice);
    };
    view! {
        <section class="fr-mt-4w permis-piece" id=format!("piece-{code}") aria-labelledby=format!("piece-{code}-title")>
            <h2 class="fr-h5" id=format!("piece-{code}-title")>
                {kind.label()}
                " "
                <span class=move || status().0>{move || status().1}</span>
            </h2>
            <div role="status">
                {move || notice.get().map(|text| view! {
                    <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w">
                        <p>{text}</p>
                    </div>
                })}
            </div>
            {move || (!mine.with(|f| f.is_empty()))
                .then(|| {
                    view! {
                        <ul class="permis-files">
                            {mine.get()
                                .into_iter()
                                .map(|f| {
                                    let what = format!("{} — {}, {}", f.filename, plural(f.pages, "page", "pages"), human_size(f.size.max(0) as u64));
                                    view! {
                                        <li class="permis-file">
                                            {f.has_thumbnail.then(|| view! {
                                                <img src=piece_href(id, f.id, "vignette") alt=format!("Aperçu de {}", f.filename) class="permis-thumb" />
                                            })}
                                            <span class="permis-file__name">{what}</span>
                                            <a class="fr-link fr-link--sm fr-icon-download-line fr-link--icon-left" href=piece_href(id, f.id, "fichier") rel="external">
                                                "Télécharger"
                                                <span class="fr-sr-only">{format!(" {}", f.filename)}</span>
                                            </a>
                                            <form method="post" action=piece_href(id, f.id, "supprimer") class="permis-inline-form">
                                                <button type="submit" class="fr-btn fr-btn--tertiary-no-outline fr-btn--sm fr-icon-delete-line fr-btn--icon-left">
                                                    "Supprimer"
                                                    <span class="fr-sr-only">{format!(" {}", f.filename)}</span>
                                                </button>
                                            </form>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    }
                })}
            <form
                method="post"
                enctype="multipart/form-data"
                action=piece_upload_href(id, code)
                on:submit=move |_| set_sending.set(true)
            >
                <Show when=move || { pages.get() > 0 }>
                    <div class="fr-checkbox-group fr-checkbox-group--sm fr-mb-2w">
                        <input type="checkbox" id=replace_id.clone() name="remplacer" />
                        <label class="fr-label" for=replace_id.clone()>
                            "Remplacer les fichiers déjà déposés pour cette pièce"
                        </label>
                    </div>
                </Show>
                <div class="fr-upload-group" class:fr-upload-group--error=move || message.is_some() || failed.get()>
                    <label class="fr-label" for=input_id.clone()>
                        {move || match (pages.get() == 0, enhanced.get()) {
                            (true, false) => "Ajouter un fichier",
                            (true, true) => "Ajouter un ou plusieurs fichiers",
                            (false, _) => "Ajouter une page ou un fichier",
                        }}
                        <span class="fr-hint-text">{move || format!(
                            "PDF, JPEG ou PNG, 10 Mo au plus ; {} au plus pour cette pièce.{}",
                            plural(max, "page", "pages"),
                            if enhanced.get() { " Chaque fichier est envoyé dès qu'il est choisi." } else { "" },
                        )}</span>
                    </label>
                    <input
                        class="fr-upload"
                        type="file"
                        id=input_id
                        name="fichier"
                        accept=ACCEPT
                        multiple=move || enhanced.get()
                        aria-describedby=messages_id.clone()
                        aria-invalid=move || (message.is_some() || failed.get()).then_some("true")
                        on:change=on_change
                    />
                    <div class="fr-messages-group" id=messages_id aria-live="polite">
                        {message.map(|m| view! { <p class="fr-message fr-message--error">{m.message()}</p> })}
                        {move || rows
                            .get()
                            .into_iter()
                            .filter_map(|u| match u.state {
                                UploadState::Failed(m) => Some(view! {
                                    <p class="fr-message fr-message--error">{format!("« {} » : {m}", u.name)}</p>
                                }),
                                _ => None,
                            })
                            .collect_view()}
                    </div>
                </div>
                <ul class="permis-uploads">
                    {move || rows
                        .get()
                        .into_iter()
                        .filter(|u| u.state.is_active())
                        .map(|u| {
                            let percent = match u.state {
                                UploadState::Sending(p) => p,
                                _ => 0,
                            };
                            let label = if matches!(u.state, UploadState::Waiting) {
                                format!("{} — en attente", u.name)
                            } else {
                                format!("{} — envoi : {percent} %", u.name)
                            };
                            view! {
                                <li class="permis-upload">
                                    <span class="permis-file__name">{label.clone()}</span>
                                    <progress max="100" value=percent.to_string() aria-label=label>{format!("{percent} %")}</progress>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
                <button
                    type="submit"
                    class="fr-btn fr-btn--secondary fr-btn--sm fr-mt-1w"
                    class:fr-hidden=move || enhanced.get()
                    disabled=move || sending.get()
                >
                    {move || if sending.get() { "Envoi en cours…".to_string() } else { format!("Envoyer — {}", kind.label()) }}
                </button>
            </form>
        </section>
    }
}

/// The files just chosen for `kind`: checked here (size, type), then sent one after the other
/// with their progress; the list is read again from the server once they are all sent.
#[cfg(feature = "hydrate")]
fn choose_files(
    ev: leptos::ev::Event,
    id: i64,
    kind: Piece,
    files: RwSignal<Vec<PieceFile>>,
    uploads: RwSignal<Vec<Upload>>,
    notice: RwSignal<Option<String>>,
) {
    use crate::domain::upload::check_before_sending;
    use wasm_bindgen::JsCast;

    let input: web_sys::HtmlInputElement = event_target(&ev);
    let Some(list) = input.files() else { return };
    let replace = document()
        .get_element_by_id(&format!("remplacer-{}", kind.code()))
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok());
    let mut replace_first = replace.as_ref().is_some_and(|r| r.checked());
    if let Some(r) = &replace {
        r.set_checked(false);
    }
    notice.set(None);
    // Earlier refusals of this piece make way for the new choice.
    uploads.update(|u| u.retain(|x| x.kind != kind || x.state.is_active()));
    let mut queue = Vec::new();
    for i in 0..list.length() {
        let Some(file) = list.get(i) else { continue };
        let key = next_key();
        let name = crate::domain::upload::clean_filename(&file.name());
        let state = match check_before_sending(&file.name(), &file.type_(), file.size() as u64) {
            Ok(()) => {
                queue.push((key, file, std::mem::take(&mut replace_first)));
                UploadState::Waiting
            }
            Err(p) => UploadState::Failed(p.message_before_sending()),
        };
        uploads.update(|u| {
            u.push(Upload {
                key,
                kind,
                name,
                state,
            })
        });
    }
    // The same file may be chosen again after a failure.
    input.set_value("");
    send_next(
        id,
        kind,
        std::rc::Rc::new(std::cell::RefCell::new(queue.into())),
        0,
        files,
        uploads,
        notice,
    );
}

#[cfg(feature = "hydrate")]
fn next_key() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[cfg(feature = "hydrate")]
type Queue =
    std::rc::Rc<std::cell::RefCell<std::collections::VecDeque<(u64, web_sys::File, bool)>>>;

#[cfg(feature = "hydrate")]
fn send_next(
    id: i64,
    kind: Piece,
    queue: Queue,
    sent: usize,
    files: RwSignal<Vec<PieceFile>>,
    uploads: RwSignal<Vec<Upload>>,
    notice: RwSignal<Option<String>>,
) {
    let next = queue.borrow_mut().pop_front();
    let Some((key, file, replace)) = next else {
        if sent > 0 {
            notice.set(Some(format!(
                "{} — la liste est à jour.",
                plural(sent as i64, "fichier déposé", "fichiers déposés")
            )));
            leptos::task::spawn_local(async move {
                if let Ok(d) = get_demande(id).await {
                    files.set(d.pieces);
                }
            });
        }
        return;
    };
    let set = move |state: UploadState| {
        uploads.update(|u| {
            if let Some(x) = u.iter_mut().find(|x| x.key == key) {
                x.state = state;
            }
        })
    };
    set(UploadState::Sending(0));
    crate::components::upload::send(
        &piece_upload_href(id, kind.code()),
        &file,
        replace,
        move |p| set(UploadState::Sending(p)),
        move |result| {
            let sent = match result {
                Ok(()) => {
                    uploads.update(|u| u.retain(|x| x.key != key));
                    sent + 1
                }
                Err(message) => {
                    set(UploadState::Failed(message));
                    sent
                }
            };
            send_next(id, kind, queue, sent, files, uploads, notice);
        },
    );
}

// ------------------------------------------------------------------ step 6

/// The candidate refused: when, the reason they gave, and « Corriger et renvoyer » (a new
/// draft with the same information, and the pieces unless the school unticks them).
#[component]
fn Refused(id: i64, refus: crate::api::RefusView) -> impl IntoView {
    let action = ServerAction::<ReprendreDemande>::new();
    let error = action_error(action);
    view! {
        <div class="fr-alert fr-alert--warning fr-mb-3w">
            <h2 class="fr-alert__title">{format!("Refusée par le candidat le {}", refus.le)}</h2>
            <p>
                {match refus.motif {
                    Some(m) => format!("Motif indiqué par le candidat : « {m} »"),
                    None => "Le candidat n'a pas indiqué de motif : contactez-le pour savoir ce qui est inexact.".to_string(),
                }}
            </p>
        </div>
        <section class="fr-mb-6w" aria-labelledby="reprendre-title">
            <h2 class="fr-h5" id="reprendre-title">"Corriger et renvoyer"</h2>
            <p>
                "Une nouvelle demande est créée à partir de celle-ci, avec les mêmes informations : corrigez ce que le candidat a signalé, puis validez-la. Le candidat la recevra comme la première."
            </p>
            <ErrorSummary error />
            <ActionForm action>
                <input type="hidden" name="id" value=id />
                <div class="fr-checkbox-group fr-mb-3w">
                    <input type="checkbox" id="reprendre-pieces" name="pieces" checked=true />
                    <label class="fr-label" for="reprendre-pieces">
                        "Reprendre les pièces justificatives déposées"
                        <span class="fr-hint-text">"Décochez si le refus concerne les pièces : vous les déposerez de nouveau."</span>
                    </label>
                </div>
                <button class="fr-btn fr-btn--icon-left fr-icon-edit-line" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Création de la nouvelle demande…" } else { "Corriger et renvoyer" }}
                </button>
            </ActionForm>
        </section>
    }
}

/// Before the candidate activates their account: the school corrects the email or mobile and
/// the link goes again.
#[component]
fn CorrectContact(id: i64, email: String, telephone: String) -> impl IntoView {
    let (action, error, f) =
        step_form::<CorrigerContact, ContactForm>(Some(ContactForm { email, telephone }));
    view! {
        <section class="fr-mb-6w" aria-labelledby="contact-title">
            <h2 class="fr-h5" id="contact-title">"Le candidat n'a pas reçu le lien d'activation ?"</h2>
            <p>
                "Vérifiez avec lui son adresse électronique et son téléphone portable. Une fois corrigés ici, un nouveau lien lui est envoyé aussitôt (les précédents ne fonctionnent plus), valable 7 jours."
            </p>
            <ErrorSummary error />
            <ActionForm action attr:novalidate=true>
                <input type="hidden" name="id" value=id />
                <Input key="email" label="Adresse électronique du candidat" input_type="email" autocomplete="off" value=f.email maxlength=254 error />
                <Input key="telephone" label="Téléphone portable du candidat" hint="Format attendu : 06 12 34 56 78" input_type="tel" value=f.telephone maxlength=20 error />
                <button class="fr-btn fr-btn--secondary" type="submit" disabled=move || action.pending().get()>
                    {move || if action.pending().get() { "Envoi…" } else { "Corriger et renvoyer le lien" }}
                </button>
            </ActionForm>
        </section>
    }
}

#[component]
fn Recap(d: DemandeView) -> impl IntoView {
    let action = ServerAction::<ValiderDemande>::new();
    let error = Signal::derive(move || action.value().get().and_then(|r| r.err()));
    let attestation_message =
        Signal::derive(move || error.get().and_then(|e| e.field_message("attestation")));
    let (ticked, set_ticked) = signal(false);
    let id = d.id;
    let editable = d.etat == Etat::Brouillon;
    let complete = d.missing.is_empty();
    view! {
        {(!editable)
            .then(|| {
                let corrected = use_query_map().read_untracked().get("contact-corrige").is_some();
                view! {
                    <div class="fr-alert fr-alert--info fr-mb-3w">
                        <p>{format!("Cette demande est « {} » : elle ne peut plus être modifiée.", d.etat.label())}</p>
                    </div>
                    {corrected.then(|| view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>"Le contact du candidat est corrigé : un nouveau lien d'activation lui a été envoyé par courriel et par SMS."</p>
                        </div>
                    })}
                    {d.etat
                        .validated_by_candidate()
                        .then(|| view! { <Documents id paper=d.etat.awaits_paper_form() /> })}
                    {d.refus.clone().map(|refus| view! { <Refused id refus /> })}
                    {d.instruction.clone().map(|instruction| view! { <InstructionPanel id instruction ecole=true /> })}
                    {(d.compte_a_activer)
                        .then(|| {
                            let (email, telephone) = d
                                .data
                                .adresse
                                .as_ref()
                                .map(|a| (a.email.clone(), crate::domain::formats::display_phone(&a.telephone)))
                                .unwrap_or_default();
                            view! { <CorrectContact id email telephone /> }
                        })}
                }
            })}
        {(editable && !complete)
            .then(|| {
                view! {
                    <div class="fr-alert fr-alert--warning fr-mb-3w">
                        <h2 class="fr-alert__title">"La demande n'est pas complète"</h2>
                        <ul>
                            {d.missing
                                .iter()
                                .map(|(step, m)| {
                                    view! {
                                        <li>
                                            <A href=Page::Etape { id, n: *step }.href()>{format!("Étape {step} : {m}")}</A>
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ul>
                    </div>
                }
            })}
        <RecapSections d=d.clone() editable />
        {editable
            .then(|| {
                view! {
                    <h2 class="fr-h4 fr-mt-6w">"Relisez-vous !"</h2>
                    <p>
                        "Relisez soigneusement les informations du récapitulatif. Une fois validée, la demande ne pourra en effet plus être modifiée et toute erreur risque d'entraîner l'échec de la procédure de délivrance du titre."
                    </p>
                    <ErrorSummary error=Signal::derive(move || error.get().filter(|e| e.field_message("attestation").is_none())) />
                    <ActionForm action attr:novalidate=true>
                        <input type="hidden" name="id" value=id />
                        <Attestation
                            label=ATTESTATION_ECOLE
                            message=attestation_message
                            on_toggle=set_ticked
                        />
                        <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-4w">
                            <li>
                                <A href=Page::Etape { id, n: 5 }.href() attr:class="fr-btn fr-btn--secondary">"Précédent"</A>
                            </li>
                            <li>
                                <button
                                    class="fr-btn"
                                    type="submit"
                                    disabled=move || !ticked.get() || !complete || action.pending().get()
                                    aria-describedby="valider-aide"
                                >
                                    {move || if action.pending().get() { "Validation…" } else { "Valider" }}
                                </button>
                            </li>
                        </ul>
                        <p class="fr-text--sm fr-mb-0" id="valider-aide">
                            {move || if !complete {
                                Some("« Valider » sera disponible quand la demande sera complète (voir ce qui manque en haut de la page).")
                            } else if !ticked.get() {
                                Some("« Valider » devient disponible quand vous avez coché l'attestation ci-dessus.")
                            } else {
                                None
                            }}
                        </p>
                    </ActionForm>
                }
            })}
    }
}
