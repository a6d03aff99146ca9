//! The reset link's page: a new password, twice.

use leptos::prelude::*;
use leptos_meta::Title;
use server_fn::ServerFn;

use crate::api::connexion::{lire_reinitialisation, Reinitialiser};
use crate::components::fields::{ErrorSummary, PasswordInput};
use crate::components::forms::{
    flash_error, password_hint, shown_error, token_param, FormValues, Notice, PostForm,
};
use crate::components::loader::{respond_with, use_page_data};
use crate::domain::activation::{check_password_pair, LinkState, NouveauMotDePasseForm};
use crate::error::AppError;
use crate::flash::use_flash;
use crate::routes::Page;

#[component]
pub fn ReinitialiserPage() -> impl IntoView {
    crate::components::forms::load_leaked_password_lists();
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
        AppError::check(errors).err()
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
                                    <p><a class="fr-btn" href=Page::MotDePasseOublie.href()>"Refaire une demande"</a></p>
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
