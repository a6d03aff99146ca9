//! Page data without `<Suspense>` on the server.
//!
//! leptos 0.8's streaming SSR can stall a response forever when a resource resolves inside a
//! Suspense boundary at an unlucky moment (a race inside the framework: about one render in a
//! few hundred under load here, see the `many_renders_in_parallel_all_complete` test). Pages
//! therefore get their data from the server *before* rendering (the server's `preload`
//! middleware puts it in the request), render it synchronously, and share it with the browser
//! in the page; on client-side navigation the browser fetches it through the server function.

use std::future::Future;
use std::sync::Arc;

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::AppError;

/// A value the server computed for this page request.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Preloaded<T>(pub T);

/// A value the server put in this request's extensions before rendering, shared with the
/// browser in the page (the browser reads it back while hydrating).
pub fn shared_from_request<T>() -> Option<T>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    leptos::server::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<T>().cloned())
        }
        #[cfg(not(feature = "ssr"))]
        {
            None::<T>
        }
    })
    .into_inner()
}

/// The data of a page for `key` (e.g. the URL's parameters): the server's preloaded value on
/// the first render, then fetched again whenever `key` changes. `None` while loading.
pub fn use_page_data<K, T, F, Fut>(
    key: impl Fn() -> K + Send + Sync + 'static,
    fetch: F,
) -> RwSignal<Option<Result<T, AppError>>>
where
    K: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    F: Fn(K) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let initial = shared_from_request::<Preloaded<Result<T, AppError>>>().map(|p| p.0);
    let data = RwSignal::new(initial);
    let fetch = Arc::new(fetch);
    // Only the latest request may write its answer.
    let latest = StoredValue::new(0u64);
    Effect::new(move |previous: Option<K>| {
        let k = key();
        let changed = previous.as_ref().is_some_and(|p| *p != k);
        if changed || (previous.is_none() && data.get_untracked().is_none()) {
            let ticket = latest.get_value() + 1;
            latest.set_value(ticket);
            let fetch = fetch.clone();
            let k = k.clone();
            leptos::task::spawn_local(async move {
                let result = fetch(k).await;
                if latest.get_value() == ticket {
                    data.set(Some(result));
                }
            });
        }
        k
    });
    data
}

/// On the server, gives the response the status of the error the page shows (404 for a
/// demande that is not the school's, …).
pub fn respond_with(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(error.status());
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// A page about one demande (`:id` in its address): the data loaded like any page's (preloaded
/// by the server), the document's title taken from it, and « Demande introuvable » with a way
/// back when it cannot be shown (another school's, another centre's: 404).
#[component]
pub fn DemandePage<T, Fut>(
    fetch: fn(i64) -> Fut,
    /// The title once loaded.
    title: fn(&T) -> String,
    /// The title while loading.
    loading: &'static str,
    back: crate::routes::Page,
    back_label: &'static str,
    body: fn(T) -> AnyView,
) -> impl IntoView
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
    Fut: Future<Output = Result<T, AppError>> + 'static,
{
    let params = leptos_router::hooks::use_params_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let data = use_page_data(id, move |id| async move {
        match id {
            Some(id) => fetch(id).await,
            None => Err(AppError::NotFound),
        }
    });
    let title_of = move |d: &Option<Result<T, AppError>>| match d {
        Some(Ok(v)) => title(v),
        Some(Err(_)) => "Demande introuvable".to_string(),
        None => loading.to_string(),
    };
    let first_title = title_of(&data.get_untracked());
    let back_href = back.href();
    view! {
        <leptos_meta::Title text=move || data.try_with(title_of).unwrap_or_else(|| first_title.clone()) />
        <div class="fr-container fr-my-6w">
            {move || match data.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => view! {
                    <crate::components::layout::DemandeIntrouvable error=e />
                    <p class="fr-mt-3w"><a class="fr-link" href=back_href.clone()>{back_label}</a></p>
                }
                .into_any(),
                Some(Ok(v)) => body(v),
            }}
        </div>
    }
}
