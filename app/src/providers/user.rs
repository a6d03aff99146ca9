//! The logged-in user, and the login and logout actions, for every page and component.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::api::connexion::{CurrentUser, Login, Logout};
use crate::components::loader::shared_from_request;

/// The user the server resolved for a page request (see the server's session middleware),
/// shared with the browser in the page itself: no round trip, no loading state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedUser(pub Option<CurrentUser>);

/// What every page can reach: the logged-in user (updated after login and logout) and the
/// login and logout actions.
#[derive(Clone, Copy)]
pub struct UserContext {
    pub user: RwSignal<Option<CurrentUser>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
}

/// Provides the user context (called once, by `App`).
pub fn provide_user() {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let initial = shared_from_request::<ResolvedUser>().and_then(|r| r.0);
    let user = RwSignal::new(initial);
    Effect::new(move || {
        if let Some(Ok(u)) = login.value().get() {
            user.set(Some(u));
        }
    });
    Effect::new(move || {
        if let Some(Ok(())) = logout.value().get() {
            user.set(None);
        }
    });
    provide_context(UserContext {
        user,
        login,
        logout,
    });
}

pub fn use_user() -> UserContext {
    expect_context::<UserContext>()
}
