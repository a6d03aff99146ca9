//! « Changer de mot de passe »: any logged-in user, with the current password; « Choisir un
//! mot de passe » for a candidate activated through FranceConnect, who has none.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::connexion::{
    compte_sans_mot_de_passe, messages, ChangerMotDePasse, ChoisirMotDePasse,
};
use crate::components::fields::{ErrorSummary, PasswordInput};
use crate::components::forms::{
    flash_error, password_hint, shown_error, FormValues, NewPasswordAndQuestion, PostForm,
};
use crate::components::loader::use_page_data;
use crate::domain::activation::{
    check_password_change, check_password_choice, ChangementMotDePasseForm, ChoixMotDePasseForm,
};
use crate::error::AppError;
use crate::flash::use_flash;
use crate::providers::user::use_user;
use crate::routes::{home_of, Page};

#[component]
pub fn ChangerMotDePassePage() -> impl IntoView {
    let compte = use_page_data(|| (), |_| compte_sans_mot_de_passe());
    let sans = move || compte.get().and_then(|r| r.ok()).is_some_and(|s| s.0);
    view! {
        <Show when=sans fallback=|| view! { <Changer /> }.into_any()>
            {view! { <Choisir /> }.into_any()}
        </Show>
    }
}

#[component]
fn Changer() -> impl IntoView {
    crate::components::forms::load_leaked_password_lists();
    let query = use_query_map();
    let changed = move || query.read().get("modifie").is_some();
    let flash = use_flash::<ChangementMotDePasseForm>();
    let client_error = RwSignal::new(None);
    let error = shown_error(client_error, flash_error(&flash));
    let check = Callback::new(move |v: FormValues| {
        let form = ChangementMotDePasseForm {
            actuel: v.get("form[actuel]"),
            password: v.get("form[password]"),
            confirmation: v.get("form[confirmation]"),
        };
        AppError::check(check_password_change(&form, &[])).err()
    });
    let session = use_user();
    let back = move || {
        session
            .user
            .get()
            .map(|u| home_of(u.role).href())
            .unwrap_or_else(|| "/".into())
    };
    let chosen = move || query.read().get("choisi").is_some();
    view! {
        <Title text="Changer de mot de passe" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Changer de mot de passe"</h1>
                    {move || changed().then(|| view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>{messages::PASSWORD_CHANGED_HERE}</p>
                        </div>
                    })}
                    {move || chosen().then(|| view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>{messages::PASSWORD_CHOSEN}</p>
                        </div>
                    })}
                    <p>"Saisissez votre mot de passe actuel, puis le nouveau deux fois. Vos autres sessions (sur un autre appareil, par exemple) seront fermées."</p>
                    <ErrorSummary error />
                    <PostForm
                        action=ChangerMotDePasse::PATH
                        id="changement-mot-de-passe-form"
                        button="Enregistrer le nouveau mot de passe"
                        secondary=(back(), "Retour")
                        check
                        client_error
                    >
                        <PasswordInput key="actuel" label="Mot de passe actuel" autocomplete="current-password" error />
                        <PasswordInput key="password" label="Nouveau mot de passe" hint=password_hint() error />
                        <PasswordInput key="confirmation" label="Confirmez le nouveau mot de passe" error />
                    </PostForm>
                </div>
            </div>
        </div>
    }
}

/// « Choisir un mot de passe »: the account was activated through FranceConnect and has no
/// password; without one, the candidate could not log in while FranceConnect is unavailable.
#[component]
fn Choisir() -> impl IntoView {
    crate::components::forms::load_leaked_password_lists();
    let flash = use_flash::<ChoixMotDePasseForm>();
    let client_error = RwSignal::new(None);
    let error = shown_error(client_error, flash_error(&flash));
    let question = flash.map(|f| f.form.question).filter(|q| !q.is_empty());
    let check = Callback::new(move |v: FormValues| {
        let form = ChoixMotDePasseForm {
            password: v.get("form[password]"),
            confirmation: v.get("form[confirmation]"),
            question: v.get("form[question]"),
            reponse: v.get("form[reponse]"),
        };
        AppError::check(check_password_choice(&form, &[])).err()
    });
    view! {
        <Title text="Choisir un mot de passe" />
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>"Choisir un mot de passe"</h1>
                    <p>"Votre compte a été activé avec FranceConnect : il n'a pas de mot de passe. Choisissez-en un, avec une question secrète (elle vous servira si vous l'oubliez) : vous pourrez vous connecter même quand FranceConnect est indisponible."</p>
                    <p class="fr-text--sm">"Tous les champs sont obligatoires."</p>
                    <ErrorSummary error />
                    <PostForm
                        action=ChoisirMotDePasse::PATH
                        id="choix-mot-de-passe-form"
                        button="Enregistrer mon mot de passe"
                        secondary=(Page::MonEspace.href(), "Retour")
                        check
                        client_error
                    >
                        <NewPasswordAndQuestion selected=question error />
                    </PostForm>
                </div>
            </div>
        </div>
    }
}
