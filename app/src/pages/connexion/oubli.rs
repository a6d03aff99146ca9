//! « Identifiant oublié ? » and « Mot de passe oublié ? » (candidates: identifiant and secret
//! question; professionals: identifiant only): plain form posts, the same answer whether or not
//! an account exists.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::connexion::{
    messages, IdentifiantOublie, LoginFlashForm, MotDePasseOublie, MotDePasseOubliePro,
};
use crate::components::fields::{ErrorSummary, Input, Select, TextField};
use crate::components::forms::{flash_error, question_options, PostForm};
use crate::domain::activation::MotDePasseOublieForm;
use crate::flash::use_flash;
use crate::routes::Page;

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
                        secondary=(Page::Connexion.href(), "Retour à la connexion")
                    >
                        <TextField
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
                        secondary=(Page::Connexion.href(), "Retour à la connexion")
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
                        "Vous ne vous souvenez plus de votre question ou de votre réponse ? Adressez-vous au centre d'instruction (voir "
                        <a href=Page::Aide.href()>"Aide et contact"</a>
                        ") : votre identité sera vérifiée avant tout changement."
                    </p>
                </div>
            </div>
        </div>
    }
}

// ------------------------------------------------------------------ espace professionnel

/// « Mot de passe oublié ? » of the professional space: staff accounts have no secret
/// question; the link goes to the account's email address.
#[component]
pub fn MotDePasseOublieProPage() -> impl IntoView {
    let query = use_query_map();
    let sent = move || query.read().get("envoye").is_some();
    let flash = use_flash::<LoginFlashForm>();
    let kept = flash
        .as_ref()
        .map(|f| f.form.identifiant.clone())
        .unwrap_or_default();
    let error = flash_error(&flash);
    view! {
        <Title text="Mot de passe oublié — espace professionnel" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Mot de passe oublié — espace professionnel"</h1>
                    {move || sent().then(|| view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>{messages::PRO_RECOVERY_SENT}</p>
                        </div>
                    })}
                    <p>"Saisissez l'identifiant ou l'adresse électronique de votre compte professionnel : un lien pour choisir un nouveau mot de passe sera envoyé à l'adresse du compte."</p>
                    <ErrorSummary error />
                    <PostForm
                        action=MotDePasseOubliePro::PATH
                        id="mot-de-passe-pro-form"
                        button="Recevoir un lien"
                        secondary=(Page::ConnexionPro.href(), "Retour à la connexion")
                    >
                        <TextField
                            id="identifiant"
                            name="identifiant"
                            label="Identifiant ou adresse électronique"
                            autocomplete="username"
                            value=kept
                            error
                        />
                    </PostForm>
                    <p class="fr-text--sm fr-mt-3w">
                        "Cette adresse n'est plus la vôtre ? Demandez à l'administration du service de la mettre à jour (voir "
                        <a href=Page::Aide.href()>"Aide et contact"</a>
                        ")."
                    </p>
                </div>
            </div>
        </div>
    }
}
