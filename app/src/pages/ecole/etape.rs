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
use crate::components::loader::{respond_with, use_page_data};
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
    view! {
        <Title text=move || format!("Étape {} sur 6 : {} — Nouvelle demande", step(), STEPS[step() - 1]) />
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
                    Some(Err(e)) => {
                        respond_with(&e);
                        view! {
                        <div class="fr-alert fr-alert--error" role="alert">
                            <h1 class="fr-alert__title">"Demande introuvable"</h1>
                            <p>{e.to_string()}</p>
                        </div>
                    }
                    .into_any()
                    },
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
    let header = view! { <Stepper n numero=d.numero.clone() updated=d.updated.clone() /> };
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
    A: leptos::server_fn::ServerFn<Error = AppError, Output = ()> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    Signal::derive(move || action.value().get().and_then(|r| r.err()))
}

/// A step's form: its action, its current error (last answer, or the flash of a post made
/// before the WASM loaded) and its initial values (what was typed then, or what is saved).
fn step_form<A, F>(saved: Option<F>) -> (ServerAction<A>, Signal<Option<AppError>>, F)
where
    A: leptos::server_fn::ServerFn<Error = AppError, Output = ()> + Clone + Send + Sync + 'static,
    F: serde::Serialize + serde::de::DeserializeOwned + Clone + Default + Send + Sync + 'static,
{
    let action = ServerAction::<A>::new();
    let flash = use_flash::<F>();
    let error = form_error(action, flash.as_ref().map(|f| f.error.clone()));
    let initial = flash.map(|f| f.form).or(saved).unwrap_or_default();
    (action, error, initial)
}

// ------------------------------------------------------------------ step 1

#[component]
fn MotifStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, initial) =
        step_form::<SaveMotif, MotifForm>(d.data.motif.as_ref().map(MotifForm::from_step));
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
        </ActionForm>
    }
}

// ------------------------------------------------------------------ step 2

#[component]
fn EtatCivilStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, f) = step_form::<SaveEtatCivil, EtatCivilForm>(
        d.data.etat_civil.as_ref().map(EtatCivilForm::from_step),
    );
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
        </ActionForm>
    }
}

// ------------------------------------------------------------------ step 3

#[component]
fn AdresseStepForm(d: DemandeView) -> impl IntoView {
    let (action, error, f) =
        step_form::<SaveAdresse, AdresseForm>(d.data.adresse.as_ref().map(AdresseForm::from_step));
    let id = d.id;
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
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
    let (action, error, f) =
        step_form::<SavePhoto, PhotoForm>(d.data.photo.as_ref().map(PhotoForm::from_step));
    let mode = RwSignal::new(f.mode.clone());
    let id = d.id;
    view! {
        <ErrorSummary error />
        <ActionForm action attr:novalidate=true>
            <input type="hidden" name="id" value=id />
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
    view! {
        <ErrorSummary error />
        <p>
            "Déposez chaque pièce en PDF, JPEG ou PNG (10 Mo au plus par fichier). Une pièce de plusieurs pages peut être un PDF ou plusieurs photos, une par page."
        </p>
        {kinds
            .into_iter()
            .map(|kind| {
                let files: Vec<PieceFile> = d.pieces.iter().filter(|f| f.kind == kind).cloned().collect();
                let pages: i64 = files.iter().map(|f| f.pages).sum();
                let required = d.required_pieces.contains(&kind);
                let message = (problem_piece.as_deref() == Some(kind.code())).then_some(problem).flatten();
                let ok = deposited.as_deref() == Some(kind.code());
                view! { <PieceBlock id kind files pages required message ok /> }
            })
            .collect_view()}
        <ActionForm action>
            <input type="hidden" name="id" value=id />
            <StepButtons id n=5 pending=action.pending().into() />
        </ActionForm>
    }
}

#[component]
fn PieceBlock(
    id: i64,
    kind: Piece,
    files: Vec<PieceFile>,
    pages: i64,
    required: bool,
    message: Option<UploadProblem>,
    ok: bool,
) -> impl IntoView {
    let code = kind.code();
    let input_id = format!("fichier-{code}");
    let messages_id = format!("fichier-{code}-messages");
    let max = kind.max_pages();
    let (sending, set_sending) = signal(false);
    let status = if files.is_empty() {
        if required {
            "fr-badge fr-badge--sm fr-badge--warning"
        } else {
            "fr-badge fr-badge--sm"
        }
    } else {
        "fr-badge fr-badge--sm fr-badge--success"
    };
    let status_text = if files.is_empty() {
        if required {
            "À déposer".to_string()
        } else {
            "Facultative".to_string()
        }
    } else {
        format!("{} sur {max}", plural(pages, "page", "pages"))
    };
    view! {
        <section class="fr-mt-4w permis-piece" id=format!("piece-{code}") aria-labelledby=format!("piece-{code}-title")>
            <h2 class="fr-h5" id=format!("piece-{code}-title")>
                {kind.label()}
                " "
                <span class=status>{status_text}</span>
            </h2>
            {ok.then(|| view! {
                <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-2w" role="status">
                    <p>"Fichier déposé."</p>
                </div>
            })}
            {(!files.is_empty())
                .then(|| {
                    view! {
                        <ul class="permis-files">
                            {files
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
                {(pages > 0)
                    .then(|| {
                        view! {
                            <div class="fr-checkbox-group fr-checkbox-group--sm fr-mb-2w">
                                <input type="checkbox" id=format!("remplacer-{code}") name="remplacer" />
                                <label class="fr-label" for=format!("remplacer-{code}")>
                                    "Remplacer les fichiers déjà déposés pour cette pièce"
                                </label>
                            </div>
                        }
                    })}
                <div class="fr-upload-group" class:fr-upload-group--error=message.is_some()>
                    <label class="fr-label" for=input_id.clone()>
                        {if pages == 0 { "Ajouter un fichier" } else { "Ajouter une page ou un fichier" }}
                        <span class="fr-hint-text">{format!("PDF, JPEG ou PNG, 10 Mo au plus ; {} au plus pour cette pièce.", plural(max, "page", "pages"))}</span>
                    </label>
                    <input
                        class="fr-upload"
                        type="file"
                        id=input_id
                        name="fichier"
                        accept=ACCEPT
                        aria-describedby=messages_id.clone()
                        aria-invalid=message.is_some().then_some("true")
                    />
                    <div class="fr-messages-group" id=messages_id aria-live="polite">
                        {message.map(|m| view! { <p class="fr-message fr-message--error">{m.message()}</p> })}
                    </div>
                </div>
                <button type="submit" class="fr-btn fr-btn--secondary fr-btn--sm fr-mt-1w" disabled=move || sending.get()>
                    {move || if sending.get() { "Envoi en cours…".to_string() } else { format!("Envoyer — {}", kind.label()) }}
                </button>
            </form>
        </section>
    }
}

// ------------------------------------------------------------------ step 6

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
                view! {
                    <div class="fr-alert fr-alert--info fr-mb-3w">
                        <p>{format!("Cette demande est « {} » : elle ne peut plus être modifiée.", d.etat.label())}</p>
                    </div>
                    {d.etat
                        .validated_by_candidate()
                        .then(|| view! { <Documents id paper=d.etat.awaits_paper_form() /> })}
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
                                >
                                    {move || if action.pending().get() { "Validation…" } else { "Valider" }}
                                </button>
                            </li>
                        </ul>
                    </ActionForm>
                }
            })}
    }
}
