//! Pages reserved to some roles: the server answers a redirect before rendering (session
//! middleware, `routes::access`); the browser does the same on client navigation.

use leptos::either::Either;
use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::api::connexion::CurrentUser;
use crate::domain::account::{Espace, Role};
use crate::providers::user::use_user;
use crate::routes::{home_of, login_of};

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
    let session = use_user();
    move || match session.user.get() {
        Some(user) if roles.contains(&user.role) => Either::Left(children(user)),
        Some(user) => Either::Right(view! { <Redirect path=home_of(user.role).href() /> }),
        None => Either::Right(view! { <Redirect path=login_of(espace).href() /> }),
    }
}
