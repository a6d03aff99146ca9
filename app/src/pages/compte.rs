//! Account pages: activation (« Vous y êtes presque ! »), « Demande à valider », forgotten
//! identifiant and password, the reset link, and the development mailbox.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map, use_query_map};

use crate::app::use_session;
use crate::components::fields::{ErrorSummary, Input, PasswordInput, Radios, Select};
use crate::components::guard::RequireRole;
use crate::components::loader::{respond_with, use_page_data};
use crate::compte::*;
use crate::domain::account::{Espace, Role};
use crate::domain::activation::SECRET_QUESTIONS;
use crate::domain::demande::Sexe;
use crate::domain::password::MIN_CHARS;
use crate::error::AppError;
use crate::flash::{form_error, use_flash};

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
    let session = use_session();
    let action = ServerAction::<ActiverCompte>::new();
    let flash = use_flash::<crate::compte::ActivationForm>();
    let error: Signal<Option<AppError>> =
        form_error(action, flash.as_ref().map(|f| f.error.clone()));
    let kept = flash.map(|f| f.form).unwrap_or_default();
    let sexe = Some(kept.sexe.clone())
        .filter(|s| !s.is_empty())
        .or(info.sexe.clone());
    let question = Some(kept.question.clone()).filter(|s| !s.is_empty());
    let navigate = use_navigate();
    Effect::new(move || {
        if let Some(Ok(user)) = action.value().get() {
            session.user.set(Some(user));
            navigate(A_VALIDER, Default::default());
        }
    });
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
        <ActionForm action attr:novalidate=true attr:id="activation-form">
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
            <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                <li>
                    <button class="fr-btn" type="submit" disabled=move || action.pending().get()>
                        {move || if action.pending().get() { "Activation en cours…" } else { "Me connecter" }}
                    </button>
                </li>
            </ul>
        </ActionForm>
    }
}

// ------------------------------------------------------------------ « Demande à valider »

#[component]
pub fn AValiderPage() -> impl IntoView {
    view! {
        <Title text="Demande à valider" />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|_| view! { <AValiderList /> } />
    }
}

#[component]
fn AValiderList() -> impl IntoView {
    let list = use_page_data(|| (), |_| demandes_a_valider());
    view! {
        <div class="fr-container fr-my-6w">
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
    let action = ServerAction::<IdentifiantOublie>::new();
    let flash = use_flash::<EmailTyped>();
    let typed = flash.as_ref().map(|f| f.form.email.clone());
    let error = form_error(action, flash.map(|f| f.error));
    view! {
        <Title text="Identifiant oublié" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Identifiant oublié"</h1>
                    {move || {
                        sent()
                            .then(|| {
                                view! {
                                    <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                        <p>{messages::RECOVERY_SENT}</p>
                                    </div>
                                }
                            })
                    }}
                    <p>"Saisissez l'adresse électronique de votre compte : nous vous y envoyons votre identifiant de connexion."</p>
                    <ErrorSummary error />
                    <ActionForm action attr:novalidate=true>
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
                        <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                            <li>
                                <button class="fr-btn" type="submit" disabled=move || action.pending().get()>
                                    "Recevoir mon identifiant"
                                </button>
                            </li>
                            <li><a class="fr-btn fr-btn--secondary" href="/connexion">"Retour à la connexion"</a></li>
                        </ul>
                    </ActionForm>
                </div>
            </div>
        </div>
    }
}

// ------------------------------------------------------------------ mot de passe oublié

#[component]
pub fn MotDePasseOubliePage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("envoye").is_some();
    let action = ServerAction::<MotDePasseOublie>::new();
    let flash = use_flash::<MotDePasseOublieForm>();
    let kept = flash.as_ref().map(|f| f.form.clone()).unwrap_or_default();
    let error = form_error(action, flash.map(|f| f.error));
    let question = Some(kept.question.clone()).filter(|q| !q.is_empty());
    view! {
        <Title text="Mot de passe oublié" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Mot de passe oublié"</h1>
                    {move || {
                        sent()
                            .then(|| {
                                view! {
                                    <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                        <p>{messages::RECOVERY_SENT} " Le lien reçu est valable une heure."</p>
                                    </div>
                                }
                            })
                    }}
                    <p>"Saisissez votre identifiant, choisissez la question secrète que vous avez choisie à l'activation et donnez votre réponse : un lien pour choisir un nouveau mot de passe vous sera envoyé par courriel."</p>
                    <ErrorSummary error />
                    <ActionForm action attr:novalidate=true>
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
                        <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                            <li>
                                <button class="fr-btn" type="submit" disabled=move || action.pending().get()>
                                    "Recevoir un lien"
                                </button>
                            </li>
                            <li><a class="fr-btn fr-btn--secondary" href="/connexion">"Retour à la connexion"</a></li>
                        </ul>
                    </ActionForm>
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
    let action = ServerAction::<Reinitialiser>::new();
    let flash = use_flash::<NouveauMotDePasseForm>();
    let error = form_error(action, flash.map(|f| f.error));
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
                            <ActionForm action attr:novalidate=true>
                                <input type="hidden" name="token" value=token() />
                                <PasswordInput key="password" label="Nouveau mot de passe" hint=password_hint() error />
                                <PasswordInput key="confirmation" label="Confirmez le mot de passe" error />
                                <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                                    <li>
                                        <button class="fr-btn" type="submit" disabled=move || action.pending().get()>
                                            "Enregistrer le mot de passe"
                                        </button>
                                    </li>
                                </ul>
                            </ActionForm>
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

// ------------------------------------------------------------------ development mailbox

#[component]
pub fn BoiteMailPage() -> impl IntoView {
    let messages = use_page_data(|| (), |_| boite_mail());
    view! {
        <Title text="Boîte de développement" />
        <div class="fr-container fr-my-6w">
            {move || match messages.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => {
                    respond_with(&e);
                    view! { <crate::pages::not_found::NotFound /> }.into_any()
                }
                Some(Ok(list)) => view! {
                    <h1>"Boîte de développement"</h1>
                    <p>
                        "Les courriels et SMS envoyés par le service en développement arrivent ici (PERMIS_DEV_MAILBOX). "
                        <a href="/dev/boite-mail">"Actualiser"</a>
                    </p>
                    {list.is_empty().then(|| view! { <p>"Aucun message pour l'instant."</p> })}
                    <ol class="permis-mailbox" reversed=true>
                        {list.into_iter().map(|m| view! { <MailboxItem m /> }).collect_view()}
                    </ol>
                }
                .into_any(),
            }}
        </div>
    }
}

#[component]
fn MailboxItem(m: MailboxMessage) -> impl IntoView {
    let kind = if m.sms { "SMS" } else { "Courriel" };
    let title = if m.sms {
        format!("SMS à {}", m.recipient)
    } else {
        format!("{} — à {}", m.subject, m.recipient)
    };
    view! {
        <li class="fr-card fr-mb-2w permis-message" data-channel=if m.sms { "sms" } else { "email" }>
            <div class="fr-card__body">
                <div class="fr-card__content">
                    <h2 class="fr-card__title fr-h6">{title}</h2>
                    <p class="fr-card__detail">{format!("{kind} reçu le {}", m.received_at)}</p>
                    <div class="fr-card__desc permis-message__body">
                        {m.body.split('\n').map(|line| view! { <Linkified line=line.to_string() /> <br /> }).collect_view()}
                    </div>
                </div>
            </div>
        </li>
    }
}

/// A line of text with its URLs clickable.
#[component]
fn Linkified(line: String) -> impl IntoView {
    line.split(' ')
        .map(|word| {
            if word.starts_with("http://") || word.starts_with("https://") {
                view! { <a href=word.to_string()>{word.to_string()}</a> " " }.into_any()
            } else {
                format!("{word} ").into_any()
            }
        })
        .collect_view()
}
