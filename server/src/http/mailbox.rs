//! The development mailbox page (`/dev/boite-mail`): what the « mailbox » transport delivered,
//! links clickable. Mounted only when `PERMIS_DEV_MAILBOX` is on in development; a plain server
//! page, so that nothing of it weighs on the WASM users download.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use app::server::outbox;
use app::server::time::format_date_time;
use app::server::AppContext;

use app::routes::DEV_MAILBOX as PATH;

use super::page::escape;

/// A line of text, escaped, its URLs made links.
fn linkify(line: &str) -> String {
    line.split(' ')
        .map(|word| {
            if word.starts_with("http://") || word.starts_with("https://") {
                let w = escape(word);
                format!("<a href=\"{w}\">{w}</a>")
            } else {
                escape(word)
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

pub async fn page(State(ctx): State<AppContext>) -> Response {
    if !ctx.settings.dev_mailbox {
        return StatusCode::NOT_FOUND.into_response();
    }
    let rows = match outbox::mailbox(&ctx.db, 200).await {
        Ok(r) => r,
        Err(e) => {
            tracing::error!("boîte de développement : {e:?}");
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
    };
    let mut items = String::new();
    for m in &rows {
        let sms = m.channel == "sms";
        let title = if sms {
            format!("SMS à {}", escape(&m.recipient))
        } else {
            format!("{} — à {}", escape(&m.subject), escape(&m.recipient))
        };
        let body = m
            .body_text
            .lines()
            .map(linkify)
            .collect::<Vec<_>>()
            .join("<br>");
        items.push_str(&format!(
            "<li class=\"fr-card fr-mb-2w permis-message\" data-channel=\"{channel}\"><div class=\"fr-card__body\"><div class=\"fr-card__content\">\
             <h2 class=\"fr-card__title fr-h6\">{title}</h2>\
             <p class=\"fr-card__detail\">{kind} reçu le {when}</p>\
             <div class=\"fr-card__desc permis-message__body\">{body}</div></div></div></li>",
            channel = if sms { "sms" } else { "email" },
            kind = if sms { "SMS" } else { "Courriel" },
            when = format_date_time(m.received_at),
        ));
    }
    let empty = if rows.is_empty() {
        "<p>Aucun message pour l'instant.</p>"
    } else {
        ""
    };
    let body = format!(
        "<p>Les courriels et SMS envoyés par le service en développement arrivent ici (PERMIS_DEV_MAILBOX), du plus récent au plus ancien. \
         <a href=\"{PATH}\">Actualiser</a></p>{empty}<ol class=\"permis-mailbox\" reversed>{items}</ol>"
    );
    super::page::render(StatusCode::OK, "Boîte de développement", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_clickable_and_text_escaped() {
        assert_eq!(
            linkify("Voir https://x.fr/a?b=1&c=2 <ici>"),
            "Voir <a href=\"https://x.fr/a?b=1&amp;c=2\">https://x.fr/a?b=1&amp;c=2</a> &lt;ici&gt;"
        );
    }
}
