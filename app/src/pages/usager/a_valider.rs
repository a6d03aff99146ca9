//! « Demande à valider »: where a candidate lands after activating, the demandes that wait
//! for them.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::connexion::CurrentUser;
use crate::api::usager::demandes_a_valider;
use crate::components::guard::RequireRole;
use crate::components::layout::LastLogin;
use crate::components::loader::{respond_with, use_page_data};
use crate::domain::account::{Espace, Role};
use crate::routes::Page;

#[component]
pub fn AValiderPage() -> impl IntoView {
    view! {
        <Title text="Demande à valider" />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|user| view! { <AValiderList user /> } />
    }
}

#[component]
fn AValiderList(user: CurrentUser) -> impl IntoView {
    let list = use_page_data(|| (), |_| demandes_a_valider());
    view! {
        <div class="fr-container fr-my-6w">
            <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", user.display_name())}</p>
            <LastLogin user=user.clone() />
            <h1>"Demande à valider"</h1>
            {move || match list.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => {
                    respond_with(&e);
                    view! { <div class="fr-alert fr-alert--error" role="alert"><p>{e.to_string()}</p></div> }.into_any()
                }
                Some(Ok(items)) if items.is_empty() => view! {
                    <p>"Aucune demande n'attend votre validation."</p>
                    <p><A href=Page::MonEspace.href()>"Retour à Mon espace"</A></p>
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
