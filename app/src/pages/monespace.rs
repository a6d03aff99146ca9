//! The candidate's home: « Mon espace ».

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::guard::RequireRole;
use crate::components::layout_bits::LastLogin;
use crate::domain::account::{Espace, Role};

#[component]
pub fn MonEspacePage() -> impl IntoView {
    view! {
        <Title text="Mon espace" />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|user| {
            view! {
                <div class="fr-container fr-my-6w">
                    <h1>"Mon espace"</h1>
                    <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", user.display_name())}</p>
                    <LastLogin user=user.clone() />
                    <section class="fr-mt-4w" aria-labelledby="notifications-title">
                        <h2 id="notifications-title" class="fr-h4">"Mes notifications"</h2>
                        <p>"Vous n'avez aucune nouvelle notification."</p>
                    </section>
                    <section class="fr-mt-4w" aria-labelledby="conducteur-title">
                        <h2 id="conducteur-title" class="fr-h4">"Mon espace conducteur"</h2>
                        <h3 class="fr-h6">"Mes démarches en cours"</h3>
                        <p>"Vous n'avez aucune démarche en cours."</p>
                    </section>
                </div>
            }
        } />
    }
}
