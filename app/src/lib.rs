//! permis — the Leptos application: pages, components, domain rules and server functions.
//!
//! Compiled twice: with `ssr` into the server binary, with `hydrate` into the WASM bundle.
//! The floors, top to bottom (a floor imports only the floors below it; README › Organisation):
//! `app` + `pages` → `components` + `providers` → `api` (server functions) → `server` (SQL,
//! ssr only) → `domain` (rules, no IO); `routes`, `error`, `flash` and `leaked_passwords` serve
//! them all.
#![recursion_limit = "256"]

pub mod api;
pub mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod flash;
pub mod leaked_passwords;
pub mod pages;
pub mod providers;
pub mod routes;

#[cfg(feature = "ssr")]
pub mod server;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Some(body) = document.body() else {
        return;
    };
    // Lazy routes (separate WASM chunks) are hydrated asynchronously: their chunk is fetched
    // first, then the page is hydrated as a whole.
    let _ = any_spawner::Executor::init_wasm_bindgen();
    leptos::task::spawn_local(async move {
        leptos::mount::hydrate_from_async(body, app::App)
            .await
            .forget();
        // Marks the document once interactive (used by the end-to-end tests to wait for it).
        if let Some(root) = document.document_element() {
            let _ = root.set_attribute("data-hydrated", "true");
        }
    });
}
