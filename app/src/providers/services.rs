//! What the service offers on this server (its settings), for the pages that show it.

/// What this server offers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Services {
    /// « S'identifier avec FranceConnect » is offered.
    pub franceconnect: bool,
}

/// On the server, from its settings; in the browser, from the page the server wrote
/// (`data-franceconnect` on `<html>`, see `app::shell`). Not shared as a serialized value:
/// one more such value brought every page's strings into the main WASM module (`wasm-split`
/// then kept the whole data segment there: 263 → 313 KB brotli).
pub fn use_services() -> Services {
    #[cfg(feature = "ssr")]
    {
        Services {
            franceconnect: leptos::prelude::use_context::<crate::server::AppContext>()
                .is_some_and(|c| c.settings.franceconnect),
        }
    }
    #[cfg(all(feature = "hydrate", not(feature = "ssr")))]
    {
        Services {
            franceconnect: web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .is_some_and(|e| e.has_attribute("data-franceconnect")),
        }
    }
    #[cfg(not(any(feature = "ssr", feature = "hydrate")))]
    {
        Services::default()
    }
}
