//! Home of agents and administrators.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::guard::RequireRole;
use crate::components::layout_bits::LastLogin;
use crate::domain::account::{Espace, Role};

#[component]
pub fn ProHomePage() -> impl IntoView {
    view! {
        <Title text="Espace professionnel" />
        <RequireRole roles=&[Role::Agent, Role::Admin] espace=Espace::Pro children=|user| {
            view! {
                <div class="fr-container fr-my-6w">
                    <h1>"Espace professionnel"</h1>
                    <p class="fr-mb-1w">{format!("{} — {}", user.display_name(), user.role.label())}</p>
                    <LastLogin user=user.clone() />
                    <p class="fr-mt-4w">"Aucune demande n'est en attente d'instruction."</p>
                </div>
            }
        } />
    }
}
