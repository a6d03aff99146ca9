//! What server functions reach through the Leptos context: the database, the clock, the settings.

use std::net::IpAddr;
use std::sync::Arc;

use crate::error::AppError;

/// The current instant, injected so deadline rules can be tested and demonstrated without waiting.
pub trait Clock: Send + Sync + 'static {
    /// Unix time in seconds.
    fn now(&self) -> i64;
}

/// The real clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> i64 {
        jiff::Timestamp::now().as_second()
    }
}

/// A clock stopped at one instant (`permis jobs --at`).
#[derive(Clone, Copy, Debug)]
pub struct FixedClock(pub i64);

impl Clock for FixedClock {
    fn now(&self) -> i64 {
        self.0
    }
}

/// Settings the application code needs (the server crate reads them from the environment).
#[derive(Clone, Debug)]
pub struct Settings {
    /// The public base URL, e.g. `https://permis.example.gouv.fr`; links in messages are built from it,
    /// never from the request's Host header.
    pub public_url: url::Url,
    /// The development mailbox page is served (never in production, see the server's config).
    pub dev_mailbox: bool,
    /// TrueType font embedded in the generated PDFs.
    pub pdf_font: std::path::PathBuf,
    /// Days a school has to answer a request for a complement (30 by default).
    pub complement_days: i64,
    /// « S'identifier avec FranceConnect » is offered (the server has its settings).
    pub franceconnect: bool,
    /// Seals the flash cookie (see `flash`); shared by the instances through the database.
    pub flash_key: FlashKey,
}

/// A 256-bit key. Its `Debug` shows nothing of it.
#[derive(Clone, PartialEq, Eq)]
pub struct FlashKey(pub [u8; 32]);

impl FlashKey {
    pub fn random() -> FlashKey {
        FlashKey(rand::random())
    }
}

impl std::fmt::Debug for FlashKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FlashKey(…)")
    }
}

impl Settings {
    /// Cookies get `Secure` (and the `__Host-` prefix) when the service is served over https.
    pub fn secure(&self) -> bool {
        self.public_url.scheme() == "https"
    }

    /// The absolute address of a path of the site (links in messages and documents): always
    /// built on the public URL, never on the request's Host header.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.as_str().trim_end_matches('/'))
    }

    /// `scheme://host[:port]` of the public URL, as browsers send it in `Origin`.
    pub fn public_origin(&self) -> String {
        self.public_url.origin().ascii_serialization()
    }
}

/// Everything a request handler needs, cheap to clone.
#[derive(Clone)]
pub struct AppContext {
    pub db: Db,
    pub storage: super::storage::Storage,
    /// Postal codes and communes (Etalab).
    pub communes: Arc<crate::domain::communes::Communes>,
    pub clock: Arc<dyn Clock>,
    pub settings: Arc<Settings>,
    /// Wakes the outbox dispatcher when a transaction has queued messages.
    pub outbox_wake: Arc<tokio::sync::Notify>,
}

use super::Db;

impl AppContext {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}

/// The client's address as the server established it (peer address, or the configured proxy's
/// view of it); a header the client sets itself is never trusted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The application context of the current request.
pub fn app_context() -> Result<AppContext, AppError> {
    leptos::prelude::use_context::<AppContext>()
        .ok_or_else(|| AppError::internal("context", "AppContext missing"))
}

/// The current request's head (headers, extensions).
pub fn request_parts() -> Result<http::request::Parts, AppError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .ok_or_else(|| AppError::internal("context", "request parts missing"))
}

/// The current request's client address.
pub fn client_ip() -> Option<IpAddr> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<ClientIp>().copied())
        .map(|c| c.0)
}
