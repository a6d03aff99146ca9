//! permis — the Leptos application: pages, components, domain rules and server functions.
//!
//! Compiled twice: with `ssr` into the server binary, with `hydrate` into the WASM bundle.
#![recursion_limit = "256"]

pub mod app;
pub mod auth;
pub mod components;
pub mod compte;
pub mod demandes;
pub mod domain;
pub mod error;
pub mod flash;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
    // Marks the document once interactive (used by the end-to-end tests to wait for it).
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        let _ = root.set_attribute("data-hydrated", "true");
    }
}
