//! DSFR form fields for the stepper. A field's HTML name is `form[key]` (the server function
//! receives one struct per step); its id and its error key are `key`.

use leptos::prelude::*;

use crate::error::AppError;

fn message_for(error: Signal<Option<AppError>>, key: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.field_message(key)))
}

/// What every field computes first: its error message, the id of its messages group, and its
/// label (« (facultatif) » added when it is optional).
fn field_parts(
    error: Signal<Option<AppError>>,
    key: &'static str,
    label: String,
    required: bool,
) -> (Signal<Option<String>>, String, String) {
    let label = if required {
        label
    } else {
        format!("{label} (facultatif)")
    };
    (message_for(error, key), format!("{key}-messages"), label)
}

/// The DSFR messages group under a field: its error, read out when it appears.
#[component]
fn FieldMessages(id: String, message: Signal<Option<String>>) -> impl IntoView {
    view! {
        <div class="fr-messages-group" id=id aria-live="polite">
            {move || message.get().map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })}
        </div>
    }
}

pub fn form_name(key: &str) -> String {
    format!("form[{key}]")
}

#[component]
pub fn Input(
    key: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] value: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] inputmode: Option<&'static str>,
    #[prop(optional)] maxlength: Option<u32>,
    #[prop(default = true)] required: bool,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (message, messages_id, label) = field_parts(error, key, label, required);
    view! {
        <div class="fr-input-group" class:fr-input-group--error=move || message.get().is_some()>
            <label class="fr-label" for=key>
                {label}
                {hint.map(|h| view! { <span class="fr-hint-text">{h}</span> })}
            </label>
            <input
                class="fr-input"
                class:fr-input--error=move || message.get().is_some()
                id=key
                name=form_name(key)
                type=input_type
                value=value
                autocomplete=autocomplete
                inputmode=inputmode
                maxlength=maxlength
                aria-required=required.then_some("true")
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=messages_id.clone()
            />
            <FieldMessages id=messages_id message />
        </div>
    }
}

#[component]
pub fn Select(
    key: &'static str,
    #[prop(into)] label: String,
    options: Vec<(String, String)>,
    #[prop(default = None)] selected: Option<String>,
    #[prop(default = true)] required: bool,
    /// When the field is required only in some cases, says which (instead of « facultatif »).
    #[prop(optional)]
    required_when: Option<&'static str>,
    #[prop(into, default = "Sélectionner une option".to_string())] placeholder: String,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let (message, messages_id, label) = match required_when {
        Some(when) => field_parts(error, key, format!("{label} ({when})"), true),
        None => field_parts(error, key, label, required),
    };
    let required = required && required_when.is_none();
    let nothing_selected = selected.is_none();
    view! {
        <div class="fr-select-group" class:fr-select-group--error=move || message.get().is_some()>
            <label class="fr-label" for=key>{label}</label>
            <select
                class="fr-select"
                class:fr-select--error=move || message.get().is_some()
                id=key
                name=form_name(key)
                aria-required=required.then_some("true")
                aria-invalid=move || message.get().is_some().then_some("true")
                aria-describedby=messages_id.clone()
            >
                <option value="" selected=nothing_selected>{placeholder}</option>
                {options
                    .into_iter()
                    .map(|(code, text)| {
                        let is_selected = selected.as_deref() == Some(code.as_str());
                        view! { <option value=code selected=is_selected>{text}</option> }
                    })
                    .collect_view()}
            </select>
            <FieldMessages id=messages_id message />
        </div>
    }
}

/// Radio buttons in a fieldset; `on_pick` lets a step react at once (instant rules).
#[component]
pub fn Radios(
    key: &'static str,
    #[prop(into)] legend: String,
    options: Vec<(String, String)>,
    #[prop(default = None)] selected: Option<String>,
    #[prop(optional)] inline: bool,
    #[prop(optional)] on_pick: Option<Callback<String>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = message_for(error, key);
    let legend_id = format!("{key}-legend");
    let messages_id = format!("{key}-messages");
    let labelledby = format!("{legend_id} {messages_id}");
    view! {
        <fieldset
            class="fr-fieldset"
            class:fr-fieldset--error=move || message.get().is_some()
            id=key
            aria-labelledby=labelledby
        >
            <legend class="fr-fieldset__legend--regular fr-fieldset__legend" id=legend_id>
                {legend}
            </legend>
            {options
                .into_iter()
                .map(|(code, text)| {
                    let id = format!("{key}-{code}");
                    let checked = selected.as_deref() == Some(code.as_str());
                    let value = code.clone();
                    view! {
                        <div class="fr-fieldset__element" class:fr-fieldset__element--inline=inline>
                            <div class="fr-radio-group">
                                <input
                                    type="radio"
                                    id=id.clone()
                                    name=form_name(key)
                                    value=code
                                    checked=checked
                                    on:change=move |_| {
                                        if let Some(cb) = on_pick {
                                            cb.run(value.clone());
                                        }
                                    }
                                />
                                <label class="fr-label" for=id>{text}</label>
                            </div>
                        </div>
                    }
                })
                .collect_view()}
            <FieldMessages id=messages_id message />
        </fieldset>
    }
}

/// A single checkbox; `name` is the full HTML name.
#[component]
pub fn Checkbox(
    id: String,
    name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional)] checked: bool,
    #[prop(optional)] on_toggle: Option<Callback<bool>>,
) -> impl IntoView {
    view! {
        <div class="fr-checkbox-group">
            <input
                type="checkbox"
                id=id.clone()
                name=name
                checked=checked
                on:change=move |ev| {
                    if let Some(cb) = on_toggle {
                        cb.run(event_target_checked(&ev));
                    }
                }
            />
            <label class="fr-label" for=id>
                {label}
                {hint.map(|h| view! { <span class="fr-hint-text">{h}</span> })}
            </label>
        </div>
    }
}

/// The list of a form's errors, each a link to its field (RGAA 11.10).
#[component]
pub fn ErrorSummary(error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().map(|e| {
            let fields = e.field_errors();
            view! {
                <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
                    <h2 class="fr-alert__title">{e.to_string()}</h2>
                    {(!fields.is_empty())
                        .then(|| {
                            view! {
                                <ul>
                                    {fields
                                        .into_iter()
                                        .map(|f| {
                                            view! {
                                                <li>
                                                    <a href=format!("#{}", f.field)>{f.message}</a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                        })}
                </div>
            }
        })
    }
}

/// A new-password field (DSFR « fr-password ») with « Afficher » and the rules as hint.
#[component]
pub fn PasswordInput(
    key: &'static str,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "new-password")] autocomplete: &'static str,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let message = message_for(error, key);
    let messages_id = format!("{key}-messages");
    let hint_id = format!("{key}-hint");
    let show_id = format!("{key}-show");
    let (show, set_show) = signal(false);
    let describedby = if hint.is_some() {
        format!("{hint_id} {messages_id}")
    } else {
        messages_id.clone()
    };
    view! {
        <div class="fr-password" class:fr-input-group--error=move || message.get().is_some()>
            <label class="fr-label" for=key>
                {label}
                {hint.map(|h| view! { <span class="fr-hint-text" id=hint_id.clone()>{h}</span> })}
            </label>
            <div class="fr-input-wrap">
                <input
                    class="fr-password__input fr-input"
                    class:fr-input--error=move || message.get().is_some()
                    id=key
                    name=form_name(key)
                    type=move || if show.get() { "text" } else { "password" }
                    autocomplete=autocomplete
                    aria-required="true"
                    aria-invalid=move || message.get().is_some().then_some("true")
                    aria-describedby=describedby
                />
            </div>
            <FieldMessages id=messages_id message />
            <div class="fr-password__checkbox fr-checkbox-group fr-checkbox-group--sm">
                <input
                    id=show_id.clone()
                    type="checkbox"
                    prop:checked=show
                    on:change=move |ev| set_show.set(event_target_checked(&ev))
                />
                <label class="fr-password__checkbox fr-label" for=show_id>
                    "Afficher"
                </label>
            </div>
        </div>
    }
}

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
