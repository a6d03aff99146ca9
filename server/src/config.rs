//! Configuration from flags and environment variables (see the README's table).

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Args;

#[derive(Args, Clone, Debug)]
pub struct Config {
    /// Database: `sqlite://path/to/file.db` (embedded default) or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/permis.db")]
    pub database_url: String,

    /// Address and port the server listens on.
    #[arg(long, env = "PERMIS_LISTEN", default_value = "127.0.0.1:3000")]
    pub listen: SocketAddr,

    /// Public base URL of the service, used in links sent to users and for the origin check.
    /// With `https://`, cookies are Secure and HSTS is sent.
    #[arg(
        long,
        env = "PERMIS_PUBLIC_URL",
        default_value = "http://127.0.0.1:3000"
    )]
    pub public_url: url::Url,

    /// SMTP server for emails, e.g. `smtp://localhost:2525` or `smtps://user:pass@host`.
    /// Unset: messages go to the local development mailbox.
    #[arg(long, env = "PERMIS_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// HTTP endpoint of the SMS provider. Unset: SMS go to the local development mailbox.
    #[arg(long, env = "PERMIS_SMS_URL")]
    pub sms_url: Option<String>,

    /// Where uploaded documents are stored: a local directory, or an `s3://` bucket URL.
    #[arg(long, env = "PERMIS_STORAGE", default_value = "data/files")]
    pub storage: String,

    /// Number of reverse proxies in front of the server whose `X-Forwarded-For` entries are
    /// trusted for the client address (0: use the TCP peer address, ignore the header).
    #[arg(long, env = "PERMIS_TRUSTED_PROXIES", default_value_t = 0)]
    pub trusted_proxies: usize,

    /// Directory of the built site (CSS, WASM, DSFR assets), as produced by cargo-leptos.
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: PathBuf,
}

impl Config {
    pub fn settings(&self) -> app::server::Settings {
        app::server::Settings {
            public_url: self.public_url.clone(),
        }
    }
}
