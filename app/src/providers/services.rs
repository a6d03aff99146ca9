//! What the service offers on this server (its settings), for the pages that show it.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::components::loader::shared_from_request;

/// Set by the server for every page request (its session middleware), shared with the
/// browser in the page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Services {
    /// « S'identifier avec FranceConnect » is offered.
    pub franceconnect: bool,
}

/// Provides the services (called once, by `App`).
pub fn provide_services() {
    provide_context(shared_from_request::<Services>().unwrap_or_default());
}

pub fn use_services() -> Services {
    use_context::<Services>().unwrap_or_default()
}
