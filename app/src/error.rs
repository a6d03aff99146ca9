//! The error type every server function returns. Its messages are shown to users, in French;
//! internal details are logged on the server and never sent.

use serde::{Deserialize, Serialize};
use server_fn::codec::JsonEncoding;
use server_fn::error::{FromServerFnError, ServerFnErrorErr};

/// A message about one form field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// Several fields are not acceptable; every message is shown next to its field.
    #[error("Le formulaire contient {} : corrigez les champs signalés.", crate::domain::formats::plural(.0.len() as i64, "erreur", "erreurs"))]
    Invalid(Vec<FieldError>),
    /// A field's value is not acceptable; `field` is the form field's name.
    #[error("{message}")]
    Field { field: String, message: String },
    /// A refusal that concerns the whole form (wrong identifiant or password, locked account…).
    #[error("{0}")]
    Refused(String),
    /// The server is too busy to do this now (too many passwords being checked at once): try
    /// again in a moment. HTTP 503 with `Retry-After`.
    #[error("{0}")]
    Busy(String),
    /// The action no longer fits the state of what it acts on (validated, changed meanwhile).
    #[error("{0}")]
    Conflict(String),
    /// The request needs a logged-in user.
    #[error("Votre session a expiré ou vous n'êtes pas connecté. Connectez-vous pour continuer.")]
    Unauthenticated,
    /// The user is logged in but may not do this.
    #[error("Vous n'avez pas accès à cette page ou à cette action.")]
    Forbidden,
    #[error("La page ou l'élément demandé n'existe pas.")]
    NotFound,
    /// The request itself is malformed (missing or undecodable fields).
    #[error("La requête est incomplète ou mal formée. Rechargez la page et recommencez.")]
    BadRequest,
    /// Anything else: logged on the server with its cause, shown to the user without it.
    #[error("Une erreur technique est survenue. Vos informations n'ont pas été perdues : réessayez dans quelques instants.")]
    Internal,
    /// The server could not be reached (browser side) or answered something unreadable.
    #[error("Le service n'a pas pu être joint. Vérifiez votre connexion internet et réessayez.")]
    Network,
}

impl AppError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        AppError::Field {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The message for a given form field, if this error is about it.
    pub fn field_message(&self, name: &str) -> Option<String> {
        match self {
            AppError::Field { field, message } if field == name => Some(message.clone()),
            AppError::Invalid(errors) => errors
                .iter()
                .filter(|e| e.field == name)
                .map(|e| e.message.clone())
                .reduce(|a, b| format!("{a} {b}")),
            _ => None,
        }
    }

    /// All field errors, in form order (for the summary at the top of a form).
    pub fn field_errors(&self) -> Vec<FieldError> {
        match self {
            AppError::Field { field, message } => vec![FieldError {
                field: field.clone(),
                message: message.clone(),
            }],
            AppError::Invalid(errors) => errors.clone(),
            _ => Vec::new(),
        }
    }

    /// The message to show above a form (None when it belongs next to a field).
    pub fn form_message(&self) -> Option<String> {
        match self {
            AppError::Field { .. } => None,
            other => Some(other.to_string()),
        }
    }

    #[cfg(feature = "ssr")]
    pub fn status(&self) -> http::StatusCode {
        use http::StatusCode;
        match self {
            AppError::Field { .. } | AppError::Invalid(_) | AppError::BadRequest => {
                StatusCode::BAD_REQUEST
            }
            AppError::Refused(_) | AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
            AppError::Forbidden => StatusCode::FORBIDDEN,
            AppError::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Internal | AppError::Network => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Sets the HTTP status of the current server-function response to match this error.
    #[cfg(feature = "ssr")]
    pub fn with_status(self) -> Self {
        if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            res.set_status(self.status());
            if matches!(self, AppError::Busy(_)) {
                res.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from_static("2"),
                );
            }
        }
        self
    }

    /// Logs an unexpected failure and turns it into the generic message.
    #[cfg(feature = "ssr")]
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!("{context}: {err}");
        AppError::Internal
    }
}

impl AppError {
    /// `Ok` when no field has a problem; otherwise the one field's error, or all of them.
    pub fn check(errors: Vec<FieldError>) -> Result<(), AppError> {
        match errors.len() {
            0 => Ok(()),
            _ => Err(AppError::from(errors)),
        }
    }
}

/// One problem is shown on its field; several are listed, each on its field.
impl From<Vec<FieldError>> for AppError {
    fn from(mut errors: Vec<FieldError>) -> Self {
        match errors.len() {
            1 => {
                let e = errors.remove(0);
                AppError::Field {
                    field: e.field,
                    message: e.message,
                }
            }
            _ => AppError::Invalid(errors),
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        let err = match value {
            ServerFnErrorErr::Args(_)
            | ServerFnErrorErr::Deserialization(_)
            | ServerFnErrorErr::MissingArg(_) => AppError::BadRequest,
            ServerFnErrorErr::Request(_) | ServerFnErrorErr::Response(_) => AppError::Network,
            _ => AppError::Internal,
        };
        #[cfg(feature = "ssr")]
        let err = err.with_status();
        err
    }
}

#[cfg(feature = "ssr")]
impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::internal("database", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_belong_next_to_their_field() {
        let e = AppError::field("identifiant", "Saisissez votre identifiant.");
        assert_eq!(
            e.field_message("identifiant").as_deref(),
            Some("Saisissez votre identifiant.")
        );
        assert_eq!(e.field_message("password"), None);
        assert_eq!(e.form_message(), None);
        assert!(AppError::Internal.form_message().is_some());
    }
}
