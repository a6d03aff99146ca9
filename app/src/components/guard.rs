//! Pages reserved to some roles: the server answers a redirect before rendering (session
//! middleware, `domain::account::page_access`); the browser does the same on client navigation.

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
    move || match session.user.get() {
        Some(user) if roles.contains(&user.role) => children(user).into_any(),
        Some(user) => view! { <Redirect path=user.role.home_path() /> }.into_any(),
        None => view! { <Redirect path=espace.login_path() /> }.into_any(),
    }
}
