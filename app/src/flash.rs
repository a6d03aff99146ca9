//! Forms that fail before the WASM has loaded (slow phone, script blocked): the browser posted
//! the form itself, so it would show the server function's JSON error. Instead the server sends
//! it back to the form's page with the error and what was typed, in a short-lived cookie, and
//! the page shows them exactly as the WASM would have. The cookie is sealed (ChaCha20-Poly1305
//! with a key the instances share through the database): what was typed cannot be read from
//! it, in the browser's cookie store or in a proxy's log, nor changed.

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
    let value = match (
        serde_json::to_vec(&flash),
        crate::server::context::app_context(),
    ) {
        (Ok(json), Ok(ctx)) => seal(&ctx.settings.flash_key, &json).unwrap_or_default(),
        _ => String::new(),
    };
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

/// `plain` sealed with `key`: base64url of a random nonce and the ciphertext with its tag.
#[cfg(feature = "ssr")]
pub fn seal(key: &crate::server::FlashKey, plain: &[u8]) -> Option<String> {
    use base64::Engine as _;
    use chacha20poly1305::aead::{Aead, KeyInit};
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(&key.0.into());
    let nonce: [u8; 12] = rand::random();
    let sealed = cipher.encrypt(&nonce.into(), plain).ok()?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&sealed);
    Some(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(out))
}

/// What `seal` sealed, if `value` was sealed with `key` and not changed since.
#[cfg(feature = "ssr")]
pub fn open(key: &crate::server::FlashKey, value: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    use chacha20poly1305::aead::{Aead, KeyInit};
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()?;
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, sealed) = bytes.split_at(12);
    let nonce: [u8; 12] = nonce.try_into().ok()?;
    let cipher = chacha20poly1305::ChaCha20Poly1305::new(&key.0.into());
    cipher.decrypt(&nonce.into(), sealed).ok()
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
    let ctx = crate::server::context::app_context().ok()?;
    let json = open(&ctx.settings.flash_key, &raw)?;
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
pub fn form_error<I, O>(
    action: Action<I, Result<O, AppError>>,
    flash: Option<AppError>,
) -> Signal<Option<AppError>>
where
    I: Send + Sync + 'static,
    O: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(r) => r.err(),
        None => flash.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "ssr")]
    #[test]
    fn the_flash_is_sealed_unreadable_and_tamper_proof() {
        use base64::Engine as _;
        let key = crate::server::FlashKey::random();
        let typed = br#"{"identifiant":"lea.martin@example.fr"}"#;
        let value = seal(&key, typed).unwrap();
        let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(&value)
            .unwrap();
        assert!(!String::from_utf8_lossy(&raw).contains("lea.martin"));
        assert_eq!(open(&key, &value).unwrap(), typed);
        // Sealed twice, never the same cookie.
        assert_ne!(seal(&key, typed).unwrap(), value);
        // Changed, or sealed by another key: nothing.
        let mut changed = raw.clone();
        *changed.last_mut().unwrap() ^= 1;
        let changed = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(changed);
        assert_eq!(open(&key, &changed), None);
        assert_eq!(open(&crate::server::FlashKey::random(), &value), None);
        assert_eq!(open(&key, "court"), None);
    }

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
