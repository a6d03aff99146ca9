//! The two login pages: « Espace professionnel » and « Mon espace ».

use leptos::either::Either;
use leptos::prelude::*;
use leptos_meta::Title;

use server_fn::ServerFn;

use crate::api::connexion::{messages, Login, LoginFlashForm};
use crate::components::fields::TextField;
use crate::components::forms::FormValues;
use crate::components::franceconnect::FranceConnectButton;
use crate::domain::account::Espace;
use crate::error::AppError;
use crate::flash::{form_error, use_flash};
use crate::providers::user::use_user;
use crate::routes::Page;

#[component]
pub fn ProLoginPage() -> impl IntoView {
    view! {
        <Title text="Connexion — Espace professionnel" />
        <LoginForm
            espace=Espace::Pro
            title="Connexion à l'espace professionnel"
            intro="Écoles de conduite, agents du centre d'instruction : connectez-vous avec l'identifiant ou l'adresse électronique de votre compte professionnel."
        />
    }
}

#[component]
pub fn UsagerLoginPage() -> impl IntoView {
    view! {
        <Title text="Connexion — Mon espace" />
        <LoginForm
            espace=Espace::Usager
            title="Connexion à Mon espace"
            intro="Connectez-vous avec l'identifiant reçu par courriel après l'activation de votre compte, ou avec votre adresse électronique."
        />
    }
}

#[component]
fn LoginForm(espace: Espace, title: &'static str, intro: &'static str) -> impl IntoView {
    let session = use_user();
    let login = session.login;
    let query = leptos_router::hooks::use_query_map();
    let password_changed = move || query.read().get("mot-de-passe").is_some();
    let flash = use_flash::<LoginFlashForm>();
    let typed = flash.as_ref().map(|f| f.form.identifiant.clone());
    let error: Signal<Option<AppError>> = form_error(login, flash.map(|f| f.error));
    let form_error = move || error.get().and_then(|e| e.form_message());
    let (show_password, set_show_password) = signal(false);
    let password_error =
        Signal::derive(move || error.get().and_then(|e| e.field_message("password")));

    view! {
        <div class="fr-container fr-my-6w">
            <div class="fr-grid-row fr-grid-row--center">
                <div class="fr-col-12 fr-col-md-8 fr-col-lg-6">
                    <h1>{title}</h1>
                    {move || {
                        password_changed()
                            .then(|| {
                                view! {
                                    <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                        <p>{messages::PASSWORD_CHANGED}</p>
                                    </div>
                                }
                            })
                    }}
                    <p>{intro}</p>
                    {(espace == Espace::Usager && crate::components::franceconnect::offered())
                        .then(|| {
                            view! {
                                <h2 class="fr-h4">"Avec FranceConnect"</h2>
                                <p class="fr-text--sm">
                                    "FranceConnect vous identifie avec un compte que vous avez déjà (impots.gouv.fr, ameli.fr, l’Identité Numérique La Poste…). Votre compte doit d’abord être relié à FranceConnect : à l’activation, ou depuis Mon espace."
                                </p>
                                <FranceConnectButton action=crate::routes::FC_CONNEXION />
                                <p class="fr-hr-or">"ou"</p>
                            }
                        })}
                    <div aria-live="polite">
                        {move || {
                            form_error()
                                .map(|m| {
                                    view! {
                                        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
                                            <p>{m}</p>
                                        </div>
                                    }
                                })
                        }}
                    </div>
                    // A plain form (posted by the browser itself before the WASM runs); once
                    // hydrated, sent through the login action. Not `<ActionForm>`: its form
                    // decoding (serde_qs) weighed 20 KB in the WASM every visitor downloads.
                    <form
                        method="post"
                        action=Login::PATH
                        novalidate=true
                        id="login-form"
                        on:submit=move |ev| {
                            ev.prevent_default();
                            let v = FormValues::of(&ev);
                            login.dispatch(Login {
                                espace,
                                identifiant: v.get("identifiant"),
                                password: v.get("password"),
                            });
                        }
                    >
                        <input type="hidden" name="espace" value=espace.as_str() />
                        <fieldset class="fr-fieldset" aria-labelledby="login-legend">
                            <legend class="fr-fieldset__legend" id="login-legend">
                                "Se connecter avec son compte"
                            </legend>
                            <div class="fr-fieldset__element">
                                <TextField
                                    id="identifiant"
                                    name="identifiant"
                                    label="Identifiant ou adresse électronique"
                                    hint="Par exemple : pmartin ou pierre.martin@exemple.fr"
                                    autocomplete="username"
                                    value=typed.clone().unwrap_or_default()
                                    error
                                />
                            </div>
                            <div class="fr-fieldset__element">
                                <div
                                    class="fr-password"
                                    class:fr-input-group--error=move || password_error.get().is_some()
                                    id="password-group"
                                >
                                    <label class="fr-label" for="password">"Mot de passe"</label>
                                    <div class="fr-input-wrap">
                                        <input
                                            class="fr-password__input fr-input"
                                            class:fr-input--error=move || password_error.get().is_some()
                                            id="password"
                                            name="password"
                                            type=move || if show_password.get() { "text" } else { "password" }
                                            autocomplete="current-password"
                                            aria-required="true"
                                            aria-invalid=move || password_error.get().is_some().then_some("true")
                                            aria-describedby="password-messages"
                                        />
                                    </div>
                                    <div class="fr-messages-group" id="password-messages" aria-live="polite">
                                        {move || {
                                            password_error
                                                .get()
                                                .map(|m| view! { <p id="password-error" class="fr-message fr-message--error">{m}</p> })
                                        }}
                                    </div>
                                    <div class="fr-password__checkbox fr-checkbox-group fr-checkbox-group--sm">
                                        <input
                                            id="password-show"
                                            type="checkbox"
                                            aria-label="Afficher le mot de passe"
                                            prop:checked=show_password
                                            on:change=move |ev| set_show_password.set(event_target_checked(&ev))
                                        />
                                        <label class="fr-password__checkbox fr-label" for="password-show">
                                            "Afficher"
                                        </label>
                                    </div>
                                </div>
                            </div>
                            <div class="fr-fieldset__element">
                                <ul class="fr-btns-group">
                                    <li>
                                        <button
                                            class="fr-btn"
                                            type="submit"
                                            disabled=move || login.pending().get()
                                        >
                                            {move || if login.pending().get() { "Connexion…" } else { "Se connecter" }}
                                        </button>
                                    </li>
                                </ul>
                            </div>
                        </fieldset>
                    </form>
                    {match espace {
                        Espace::Usager => Either::Left(view! {
                            <ul class="fr-links-group fr-mt-2w">
                                <li><a class="fr-link" href=Page::IdentifiantOublie.href()>"Identifiant oublié ?"</a></li>
                                <li><a class="fr-link" href=Page::MotDePasseOublie.href()>"Mot de passe oublié ?"</a></li>
                            </ul>
                            <p class="fr-text--sm fr-mt-2w">
                                "Pas encore de compte ? Il est créé quand votre école de conduite valide votre demande : vous recevez alors un courriel pour l'activer."
                            </p>
                        }),
                        Espace::Pro => Either::Right(view! {
                            <ul class="fr-links-group fr-mt-2w">
                                <li><a class="fr-link" href=Page::MotDePasseOubliePro.href()>"Mot de passe oublié ?"</a></li>
                            </ul>
                            <p class="fr-text--sm fr-mt-2w">
                                "Les comptes professionnels sont créés par l'administration du service pour chaque école de conduite agréée."
                            </p>
                        }),
                    }}
                </div>
            </div>
        </div>
    }
}
