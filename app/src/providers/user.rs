//! The logged-in user, and the login and logout actions, for every page and component.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::ServerFn;

use crate::api::connexion::{CurrentUser, Login, Logout};
use crate::components::loader::shared_from_request;
use crate::error::AppError;

/// The user the server resolved for a page request (see the server's session middleware),
/// shared with the browser in the page itself: no round trip, no loading state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResolvedUser(pub Option<CurrentUser>);

/// What every page can reach: the logged-in user (updated after login and logout) and the
/// login and logout actions.
#[derive(Clone, Copy)]
pub struct UserContext {
    pub user: RwSignal<Option<CurrentUser>>,
    pub login: Action<Login, Result<CurrentUser, AppError>>,
    pub logout: Action<Logout, Result<(), AppError>>,
}

impl UserContext {
    /// The context for `initial` (the user the server resolved, if any), with its two actions.
    pub fn new(initial: Option<CurrentUser>) -> Self {
        // Plain actions calling the server functions, not `ServerAction`: the two forms are
        // plain HTML forms whose no-JavaScript answer comes back as a flash (`flash.rs`), so
        // the `ServerAction` reading of an error from the address (base64, URL decoding) was
        // dead weight in the WASM every visitor downloads.
        UserContext {
            user: RwSignal::new(initial),
            login: Action::new(|input: &Login| Login::run_on_client(input.clone())),
            logout: Action::new(|input: &Logout| Logout::run_on_client(input.clone())),
        }
    }
}

/// Provides the user context (called once, by `App`).
pub fn provide_user() {
    let context = UserContext::new(shared_from_request::<ResolvedUser>().and_then(|r| r.0));
    let UserContext {
        user,
        login,
        logout,
    } = context;
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
    provide_context(context);
}

pub fn use_user() -> UserContext {
    expect_context::<UserContext>()
}
