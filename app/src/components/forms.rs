//! DSFR form pieces that show a field's error next to it.

use leptos::prelude::*;

use crate::error::AppError;

/// A DSFR text input with its label, hint and error message. The error comes from the last
/// answer of the server (or the browser-side check) for this field's `name`.
#[component]
pub fn TextField(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] value: Option<String>,
    #[prop(default = true)] required: bool,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let field_name = name.clone();
    let message = Signal::derive(move || error.get().and_then(|e| e.field_message(&field_name)));
    let error_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let describedby = {
        let error_id = error_id.clone();
        let has_hint = hint.is_some();
        let hint_id = hint_id.clone();
        move || {
            let mut ids = Vec::new();
            if has_hint {
                ids.push(hint_id.clone());
            }
            if message.get().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="fr-input-group" class:fr-input-group--error=move || message.get().is_some()>
            <label class="fr-label" for=id.clone()>
                {label}
                {hint.map(|h| view! { <span class="fr-hint-text" id=hint_id.clone()>{h}</span> })}
            </label>
            <input
                class="fr-input"
                class:fr-input--error=move || message.get().is_some()
                id=id
                name=name
                type=input_type
                value=value
                autocomplete=autocomplete
                aria-required=required.then_some("true")
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=describedby
            />
            {move || {
                message
                    .get()
                    .map(|m| view! { <p id=error_id.clone() class="fr-error-text">{m}</p> })
            }}
        </div>
    }
}
