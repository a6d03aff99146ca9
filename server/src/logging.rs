//! Logs: JSON lines in production (one object per event, with the span of the request: its
//! `x-request-id`, method and path), readable text in development. `PERMIS_JOURNAL=json` or
//! `texte` chooses; `RUST_LOG` filters (default `info,sqlx=warn`).

use axum::extract::Request;
use tracing::Span;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Texte,
}

impl Format {
    /// `PERMIS_JOURNAL`, else JSON unless `PERMIS_ENV=development`.
    pub fn from_env() -> Format {
        match std::env::var("PERMIS_JOURNAL").as_deref() {
            Ok("json") => Format::Json,
            Ok("texte") => Format::Texte,
            _ if std::env::var("PERMIS_ENV").as_deref() == Ok("development") => Format::Texte,
            _ => Format::Json,
        }
    }
}

fn filter() -> EnvFilter {
    EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into())
}

/// The JSON subscriber the server installs, writing to `writer` (tests read it).
pub fn json_subscriber<W>(writer: W, filter: EnvFilter) -> impl tracing::Subscriber + Send + Sync
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .flatten_event(true)
        .with_current_span(true)
        .with_span_list(false)
        .with_env_filter(filter)
        .with_writer(writer)
        .finish()
}

pub fn init(format: Format) {
    match format {
        Format::Json => {
            let _ =
                tracing::subscriber::set_global_default(json_subscriber(std::io::stdout, filter()));
        }
        Format::Texte => {
            let _ = tracing_subscriber::fmt()
                .with_env_filter(filter())
                .try_init();
        }
    }
}

/// The span of one request: its id (set by the server, or by a trusted proxy), method and
/// path with the secrets of one-time links hidden.
pub fn request_span(request: &Request) -> Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        target: "requete",
        "requete",
        id = %id,
        methode = %request.method(),
        chemin = %loggable_path(request.uri().path()),
    )
}

/// A path as it may be logged: a segment that looks like a link's secret (20 characters or
/// more of letters, digits, `-` and `_`) is replaced by `…`.
pub fn loggable_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            let secret = segment.len() >= 20
                && segment
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if secret {
                "…"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_paths_are_not_logged() {
        assert_eq!(
            loggable_path("/activation/Zx8k2Lq9_Vb7Nc1Md4Pf6Rg3Th5"),
            "/activation/…"
        );
        assert_eq!(
            loggable_path("/ecole/demandes/42/etape/pieces"),
            "/ecole/demandes/42/etape/pieces"
        );
    }
}
