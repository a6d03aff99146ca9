//! Forms that fail before the WASM has loaded (slow phone, script blocked): the browser posted
//! the form itself, so it would show the server function's JSON error. Instead the server sends
//! it back to the form's page with the error and what was typed, in a short-lived cookie, and
//! the page shows them exactly as the WASM would have.

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Flash<F> {
    /// The page it is meant for.
    pub path: String,
    pub error: AppError,
    pub form: F,
}

pub const COOKIE: &str = "permis_flash";

/// The flash cookie's header: two minutes, HttpOnly, SameSite=Lax, and `Secure` when the
/// service is served over https (what was typed never travels in clear).
pub fn flash_cookie(value: &str, max_age: u32, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Lax{secure}")
}

/// Whether this request's service is served over https.
#[cfg(feature = "ssr")]
fn over_https() -> bool {
    crate::server::context::app_context().is_ok_and(|c| c.settings.secure())
}

/// The error of a form-backed server function: for a plain form post, a redirect back to
/// `back` carrying the error and `form`; otherwise the error with its HTTP status.
#[cfg(feature = "ssr")]
pub fn or_back<F: Serialize>(error: AppError, back: &str, form: &F) -> AppError {
    use base64::Engine as _;
    let plain_form_post = is_plain_form_post();
    let Some(res) = use_context::<leptos_axum::ResponseOptions>() else {
        return error;
    };
    if !plain_form_post {
        return error.with_status();
    }
    let flash = Flash {
        path: back.to_string(),
        error: error.clone(),
        form,
    };
    let value = serde_json::to_string(&flash)
        .map(|json| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json))
        .unwrap_or_default();
    // Browsers keep cookies up to 4 KB; a bigger form comes back without what was typed.
    if !value.is_empty() && value.len() < 3800 {
        if let Ok(v) = http::HeaderValue::from_str(&flash_cookie(&value, 120, over_https())) {
            res.append_header(http::header::SET_COOKIE, v);
        }
    }
    leptos_axum::redirect(back);
    res.set_status(http::StatusCode::SEE_OTHER);
    error
}

/// Whether the current request is a plain form post (no WASM yet): it expects a page back.
#[cfg(feature = "ssr")]
pub fn is_plain_form_post() -> bool {
    use_context::<http::request::Parts>().is_some_and(|p| {
        p.headers
            .get(http::header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"))
    })
}

/// The flash meant for this page, if the last plain form post failed (read once).
pub fn use_flash<F>() -> Option<Flash<F>>
where
    F: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    leptos::server::SharedValue::new(|| {
        #[cfg(feature = "ssr")]
        {
            read::<F>()
        }
        #[cfg(not(feature = "ssr"))]
        {
            None::<Flash<F>>
        }
    })
    .into_inner()
}

#[cfg(feature = "ssr")]
fn read<F: DeserializeOwned>() -> Option<Flash<F>> {
    use base64::Engine as _;
    let parts = use_context::<http::request::Parts>()?;
    let raw = parts
        .headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())?;
    let json = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(raw)
        .ok()?;
    let flash: Flash<F> = serde_json::from_slice(&json).ok()?;
    if flash.path != parts.uri.path() {
        return None;
    }
    // Shown once.
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) = http::HeaderValue::from_str(&flash_cookie("", 0, over_https())) {
            res.append_header(http::header::SET_COOKIE, v);
        }
    }
    Some(flash)
}

/// A form's current error: the last answer of its action, or the flash the page came with.
pub fn form_error<A>(action: ServerAction<A>, flash: Option<AppError>) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(r) => r.err(),
        None => flash.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flash_cookie_is_secure_over_https_and_short_lived() {
        let https = flash_cookie("abc", 120, true);
        assert!(https.ends_with("; Secure"), "{https}");
        assert!(https.contains("HttpOnly") && https.contains("SameSite=Lax"));
        assert!(https.contains("Max-Age=120"));
        assert!(!flash_cookie("abc", 120, false).contains("Secure"));
        assert!(flash_cookie("", 0, true).starts_with("permis_flash=; Path=/; Max-Age=0"));
    }
}
