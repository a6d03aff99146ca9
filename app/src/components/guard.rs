//! Pages reserved to some roles: the server answers a redirect to the right login page before
//! anything is rendered (these routes use `SsrMode::Async`), the browser does the same on
//! client-side navigation.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::app::use_session;
use crate::auth::CurrentUser;
use crate::domain::account::{Espace, Role};

#[component]
pub fn RequireRole<F, V>(
    roles: &'static [Role],
    /// Login page to send anonymous visitors to.
    espace: Espace,
    children: F,
) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let session = use_session();
    let children = std::sync::Arc::new(children);
    view! {
        <Suspense fallback=|| view! { <p class="fr-container fr-my-4w">"Chargement…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match session.user.await {
                        Ok(Some(user)) if roles.contains(&user.role) => children(user).into_any(),
                        Ok(Some(user)) => view! { <Redirect path=user.role.home_path() /> }.into_any(),
                        Ok(None) => view! { <Redirect path=espace.login_path() /> }.into_any(),
                        Err(e) => view! {
                            <div class="fr-container fr-my-4w">
                                <div class="fr-alert fr-alert--error" role="alert">
                                    <p>{e.to_string()}</p>
                                </div>
                            </div>
                        }
                        .into_any(),
                    }
                })
            }}
        </Suspense>
    }
}
