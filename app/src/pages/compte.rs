//! Account pages: activation (« Vous y êtes presque ! »), « Demande à valider », forgotten
//! identifiant and password, the reset link, and the development mailbox.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use server_fn::ServerFn;

use crate::components::fields::{ErrorSummary, Input, PasswordInput, Radios, Select};
use crate::components::guard::RequireRole;
use crate::components::loader::{respond_with, use_page_data};
use crate::compte::*;
use crate::domain::account::{Espace, Role};
use crate::domain::activation::SECRET_QUESTIONS;
use crate::domain::demande::Sexe;
use crate::domain::password::MIN_CHARS;
use crate::error::AppError;
use crate::flash::use_flash;

fn password_hint() -> String {
    format!("Au moins {MIN_CHARS} caractères. Une phrase facile à retenir convient très bien, par exemple « quatre chats sur le toit ».")
}

fn question_options() -> Vec<(String, String)> {
    SECRET_QUESTIONS
        .iter()
        .map(|(c, q)| (c.to_string(), q.to_string()))
        .collect()
}

fn token_param() -> impl Fn() -> String + Send + Sync + Copy + 'static {
    let params = use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

/// A whole-page message in a DSFR alert.
#[component]
fn Notice(
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(default = "error")] kind: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class=format!("fr-alert fr-alert--{kind} fr-mb-3w")>
            <h1 class="fr-alert__title">{title}</h1>
            <p>{text}</p>
        </div>
        {children()}
    }
}

/// The values of a form being submitted (browser only; empty on the server, which never runs it).
pub struct FormValues {
    #[cfg(feature = "hydrate")]
    data: Option<web_sys::FormData>,
}

impl FormValues {
    pub fn get(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        {
            self.data
                .as_ref()
                .and_then(|d| d.get(name).as_string())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            String::new()
        }
    }
}

/// A form the browser posts itself, page to page (a refused one comes back with its errors,
/// see `flash`): these pages are visited once in a while and need little code in the WASM.
/// Once hydrated, `check` runs first — the same rules as the server, so that a mistake is shown
/// at once and nothing typed (passwords included) is lost — and the button is disabled at the
/// first submission (no double post).
#[component]
fn PostForm(
    action: &'static str,
    #[prop(into)] id: String,
    #[prop(into)] button: String,
    #[prop(optional)] secondary: Option<(&'static str, &'static str)>,
    #[prop(optional)] check: Option<Callback<FormValues, Option<AppError>>>,
    #[prop(optional)] client_error: Option<RwSignal<Option<AppError>>>,
    children: Children,
) -> impl IntoView {
    let (sent, set_sent) = signal(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let (Some(check), Some(client_error)) = (check, client_error) {
            #[cfg(feature = "hydrate")]
            let values = {
                use wasm_bindgen::JsCast;
                FormValues {
                    data: ev
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                        .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
                }
            };
            #[cfg(not(feature = "hydrate"))]
            let values = FormValues {};
            if let Some(e) = check.run(values) {
                ev.prevent_default();
                client_error.set(Some(e));
                return;
            }
        }
        set_sent.set(true);
    };
    view! {
        <form method="post" action=action novalidate=true id=id on:submit=on_submit>
            {children()}
            <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                <li>
                    <button class="fr-btn" type="submit" disabled=sent>
                        {button}
                    </button>
                </li>
                {secondary
                    .map(|(href, label)| {
                        view! { <li><a class="fr-btn fr-btn--secondary" href=href>{label}</a></li> }
                    })}
            </ul>
        </form>
    }
}

/// The error a refused post came back with.
fn flash_error<F>(flash: &Option<crate::flash::Flash<F>>) -> Signal<Option<AppError>> {
    let error = flash.as_ref().map(|f| f.error.clone());
    Signal::derive(move || error.clone())
}

/// The error to show: the browser's check of this submission, else the server's last refusal.
fn shown_error(
    client: RwSignal<Option<AppError>>,
    server: Signal<Option<AppError>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || client.get().or_else(|| server.get()))
}

// ------------------------------------------------------------------ activation

#[component]
pub fn ActivationPage() -> impl IntoView {
    let token = token_param();
    let info = use_page_data(token, lire_activation);
    view! {
        <Title text="Activation de votre compte" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-10 fr-col-lg-8">
                    {move || match info.get() {
                        None => view! { <p>"Chargement…"</p> }.into_any(),
                        Some(Err(e)) => {
                            respond_with(&e);
                            view! { <Notice title="Lien inutilisable" text=e.to_string()><span></span></Notice> }.into_any()
                        }
                        Some(Ok(i)) if i.state == LinkState::Valid => {
                            view! { <ActivationForm token=token() info=i /> }.into_any()
                        }
                        Some(Ok(i)) => view! { <LinkProblem state=i.state /> }.into_any(),
                    }}
                </div>
            </div>
        </div>
    }
}

#[component]
fn LinkProblem(state: LinkState) -> impl IntoView {
    let (title, text, login) = match state {
        LinkState::Used => (
            "Votre compte est déjà activé",
            "Ce lien a déjà servi. Connectez-vous avec l'identifiant reçu par courriel après l'activation, ou avec votre adresse électronique.",
            true,
        ),
        LinkState::Expired => (
            "Ce lien d'activation a expiré",
            "Un lien d'activation est valable 7 jours. Demandez à votre école de conduite de vous renvoyer le lien : vous recevrez un nouveau courriel.",
            false,
        ),
        LinkState::Revoked => (
            "Ce lien a été remplacé",
            "Un lien plus récent vous a été envoyé par courriel : utilisez le dernier reçu. Les liens précédents ne fonctionnent plus.",
            false,
        ),
        LinkState::Deleted => (
            "Ce compte a été supprimé",
            DELETED_ACCOUNT,
            false,
        ),
        LinkState::Unknown | LinkState::Valid => (
            "Ce lien d'activation n'est pas valable",
            "Vérifiez que l'adresse est complète, telle qu'elle figure dans le courriel (copiez-la entièrement si le lien est coupé). Si votre compte est déjà activé, connectez-vous.",
            true,
        ),
    };
    view! {
        <Notice title=title text=text kind=if login { "info" } else { "warning" }>
            {login
                .then(|| {
                    view! {
                        <ul class="fr-btns-group fr-btns-group--inline-md">
                            <li><a class="fr-btn" href="/connexion">"Me connecter"</a></li>
                            <li>
                                <a class="fr-btn fr-btn--secondary" href="/connexion/identifiant-oublie">
                                    "Identifiant oublié ?"
                                </a>
                            </li>
                        </ul>
                    }
                })}
        </Notice>
    }
}

#[component]
fn ActivationForm(token: String, info: ActivationInfo) -> impl IntoView {
    let flash = use_flash::<crate::compte::ActivationForm>();
    let client_error = RwSignal::new(None);
    let error = shown_error(client_error, flash_error(&flash));
    let kept = flash.map(|f| f.form).unwrap_or_default();
    let nom = info.nom.clone();
    let check = Callback::new(move |v: FormValues| {
        let form = crate::compte::ActivationForm {
            sexe: v.get("form[sexe]"),
            password: v.get("form[password]"),
            confirmation: v.get("form[confirmation]"),
            question: v.get("form[question]"),
            reponse: v.get("form[reponse]"),
        };
        errors_to_app_error(check_activation(&form, &[&nom]))
    });
    let sexe = Some(kept.sexe.clone())
        .filter(|s| !s.is_empty())
        .or(info.sexe.clone());
    let question = Some(kept.question.clone()).filter(|s| !s.is_empty());
    let sexes = Sexe::ALL
        .iter()
        .map(|s| (s.code().to_string(), s.label().to_string()))
        .collect::<Vec<_>>();
    let name = format!("{} {}", info.prenom, info.nom);
    view! {
        <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", name.trim())}</p>
        <h1 class="permis-shout">"Vous y êtes presque !"</h1>
        <p>
            "Votre école de conduite a créé votre compte en saisissant votre demande de permis de conduire. "
            "Choisissez votre mot de passe et une question secrète (elle vous servira si vous oubliez votre mot de passe), puis validez la demande à l'étape suivante."
        </p>
        <p class="fr-text--sm">"Tous les champs sont obligatoires."</p>
        <ErrorSummary error />
        <PostForm action=ActiverCompte::PATH id="activation-form" button="Me connecter" check client_error>
            <input type="hidden" name="token" value=token />
            <Radios key="sexe" legend="Sexe" options=sexes selected=sexe inline=true error />
            <PasswordInput key="password" label="Mot de passe" hint=password_hint() error />
            <PasswordInput key="confirmation" label="Confirmez le mot de passe" error />
            <Select
                key="question"
                label="Question secrète"
                options=question_options()
                selected=question
                placeholder="Choisissez une question"
                error
            />
            <Input
                key="reponse"
                label="Réponse à votre question secrète"
                hint="Les majuscules et les accents ne comptent pas."
                autocomplete="off"
                error
            />
        </PostForm>
    }
}

// ------------------------------------------------------------------ « Demande à valider »

#[component]
pub fn AValiderPage() -> impl IntoView {
    view! {
        <Title text="Demande à valider" />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|user| view! { <AValiderList user /> } />
    }
}

#[component]
fn AValiderList(user: crate::auth::CurrentUser) -> impl IntoView {
    let list = use_page_data(|| (), |_| demandes_a_valider());
    view! {
        <div class="fr-container fr-my-6w">
            <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", user.display_name())}</p>
            <crate::components::layout_bits::LastLogin user=user.clone() />
            <h1>"Demande à valider"</h1>
            {move || match list.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => {
                    respond_with(&e);
                    view! { <div class="fr-alert fr-alert--error" role="alert"><p>{e.to_string()}</p></div> }.into_any()
                }
                Some(Ok(items)) if items.is_empty() => view! {
                    <p>"Aucune demande n'attend votre validation."</p>
                    <p><A href="/monespace">"Retour à Mon espace"</A></p>
                }
                .into_any(),
                Some(Ok(items)) => view! {
                    <p>"Cliquez sur le lien ci-dessous pour vérifier et valider la demande saisie par votre école de conduite."</p>
                    <ul class="permis-a-valider">
                        {items
                            .into_iter()
                            .map(|d| {
                                view! {
                                    <li class="fr-mb-2w">
                                        <a class="fr-link fr-link--lg fr-icon-arrow-right-line fr-link--icon-right" href=d.href()>
                                            {format!("Permis de conduire — Pré-demande N° {}", d.numero)}
                                        </a>
                                        <p class="fr-text--sm fr-mb-0">
                                            {format!("Saisie par {} le {}", d.school_name, d.validated_at)}
                                        </p>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                .into_any(),
            }}
        </div>
    }
}

// ------------------------------------------------------------------ identifiant oublié

#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
struct EmailTyped {
    email: String,
}

#[component]
pub fn IdentifiantOubliePage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("envoye").is_some();
    let flash = use_flash::<EmailTyped>();
    let typed = flash.as_ref().map(|f| f.form.email.clone());
    let error = flash_error(&flash);
    view! {
        <Title text="Identifiant oublié" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Identifiant oublié"</h1>
                    {move || sent().then(|| view! { <Sent extra="" /> })}
                    <p>"Saisissez l'adresse électronique de votre compte : nous vous y envoyons votre identifiant de connexion."</p>
                    <ErrorSummary error />
                    <PostForm
                        action=IdentifiantOublie::PATH
                        id="identifiant-form"
                        button="Recevoir mon identifiant"
                        secondary=("/connexion", "Retour à la connexion")
                    >
                        <crate::components::forms::TextField
                            id="email"
                            name="email"
                            label="Adresse électronique"
                            hint="Format attendu : nom@domaine.fr"
                            input_type="email"
                            autocomplete="email"
                            value=typed.unwrap_or_default()
                            error
                        />
                    </PostForm>
                </div>
            </div>
        </div>
    }
}

#[component]
fn Sent(extra: &'static str) -> impl IntoView {
    view! {
        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
            <p>{messages::RECOVERY_SENT} {extra}</p>
        </div>
    }
}

// ------------------------------------------------------------------ mot de passe oublié

#[component]
pub fn MotDePasseOubliePage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("envoye").is_some();
    let flash = use_flash::<MotDePasseOublieForm>();
    let kept = flash.as_ref().map(|f| f.form.clone()).unwrap_or_default();
    let error = flash_error(&flash);
    let question = Some(kept.question.clone()).filter(|q| !q.is_empty());
    view! {
        <Title text="Mot de passe oublié" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Mot de passe oublié"</h1>
                    {move || sent().then(|| view! { <Sent extra=" Le lien reçu est valable une heure." /> })}
                    <p>"Saisissez votre identifiant, choisissez la question secrète que vous avez choisie à l'activation et donnez votre réponse : un lien pour choisir un nouveau mot de passe vous sera envoyé par courriel."</p>
                    <ErrorSummary error />
                    <PostForm
                        action=MotDePasseOublie::PATH
                        id="mot-de-passe-form"
                        button="Recevoir un lien"
                        secondary=("/connexion", "Retour à la connexion")
                    >
                        <Input
                            key="identifiant"
                            label="Identifiant ou adresse électronique"
                            autocomplete="username"
                            value=kept.identifiant.clone()
                            error
                        />
                        <Select
                            key="question"
                            label="Votre question secrète"
                            options=question_options()
                            selected=question
                            placeholder="Choisissez votre question"
                            error
                        />
                        <Input
                            key="reponse"
                            label="Votre réponse"
                            hint="Les majuscules et les accents ne comptent pas."
                            autocomplete="off"
                            error
                        />
                    </PostForm>
                    <p class="fr-text--sm fr-mt-3w">
                        "Vous ne vous souvenez plus de votre question ou de votre réponse ? Adressez-vous au centre d'instruction par la rubrique d'aide : votre identité sera vérifiée avant tout changement."
                    </p>
                </div>
            </div>
        </div>
    }
}

#[component]
pub fn ReinitialiserPage() -> impl IntoView {
    let token = token_param();
    let state = use_page_data(token, lire_reinitialisation);
    let flash = use_flash::<NouveauMotDePasseForm>();
    let client_error = RwSignal::new(None);
    let error = shown_error(client_error, flash_error(&flash));
    let check = Callback::new(move |v: FormValues| {
        let mut errors = Vec::new();
        check_password_pair(
            &v.get("form[password]"),
            &v.get("form[confirmation]"),
            &[],
            &mut errors,
        );
        errors_to_app_error(errors)
    });
    view! {
        <Title text="Nouveau mot de passe" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    {move || match state.get() {
                        None => view! { <p>"Chargement…"</p> }.into_any(),
                        Some(Err(e)) => {
                            respond_with(&e);
                            view! { <Notice title="Lien inutilisable" text=e.to_string()><span></span></Notice> }.into_any()
                        }
                        Some(Ok(LinkState::Valid)) => view! {
                            <h1>"Choisissez un nouveau mot de passe"</h1>
                            <ErrorSummary error />
                            <PostForm action=Reinitialiser::PATH id="reinitialisation-form" button="Enregistrer le mot de passe" check client_error>
                                <input type="hidden" name="token" value=token() />
                                <PasswordInput key="password" label="Nouveau mot de passe" hint=password_hint() error />
                                <PasswordInput key="confirmation" label="Confirmez le mot de passe" error />
                            </PostForm>
                        }
                        .into_any(),
                        Some(Ok(s)) => {
                            let text = match s {
                                LinkState::Expired => "Ce lien a expiré : il était valable une heure. Refaites une demande.",
                                LinkState::Used => "Ce lien a déjà servi. Si vous n'avez pas changé votre mot de passe vous-même, refaites une demande.",
                                LinkState::Revoked => "Un lien plus récent vous a été envoyé : utilisez le dernier courriel reçu.",
                                _ => "Ce lien n'est pas valable. Vérifiez que l'adresse est complète, telle qu'elle figure dans le courriel.",
                            };
                            view! {
                                <Notice title="Lien de réinitialisation inutilisable" text=text kind="warning">
                                    <p><a class="fr-btn" href="/connexion/mot-de-passe-oublie">"Refaire une demande"</a></p>
                                </Notice>
                            }
                            .into_any()
                        }
                    }}
                </div>
            </div>
        </div>
    }
}
