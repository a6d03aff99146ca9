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

/// Room for `wasm-split` (cargo-leptos `--split`): it lays out again, per WASM module, the
/// constant data (`.rodata`) each one uses; strings shared by several modules are written once
/// per module and each module's part starts aligned, so the result is a little longer than the
/// input. When it comes out longer at all, the tool gives up and keeps **all** the data in the
/// main module (`wasm_split_cli_support` 0.2.3, `emit.rs`, « Overlong segment … putting it in
/// main module »): 74 → 207 KB of data, the texts of every page, downloaded by every visitor.
/// Without this block the margin was a few dozen bytes, and a small change (a field, a prop)
/// crossed it. This block is kept by the linker (`#[used]`) and reached by no code: its bytes
/// are the margin, and no module carries them. Not zero, or it would go to `.bss`.
/// `scripts/rodata-margin.py` prints the margin after each build.
#[cfg(feature = "hydrate")]
#[used]
static SPLIT_ROOM: [u8; 4096] = [0xA5; 4096];

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
