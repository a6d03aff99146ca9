use leptos::prelude::*;

use crate::auth::CurrentUser;

/// « Dernière connexion : 26/11/2026 à 23:05 » — the login before this one.
#[component]
pub fn LastLogin(user: CurrentUser) -> impl IntoView {
    view! {
        <p class="fr-text--sm permis-last-login">
            {match user.derniere_connexion {
                Some(when) => format!("Dernière connexion : {when}"),
                None => "Première connexion : bienvenue !".to_string(),
            }}
        </p>
    }
}
