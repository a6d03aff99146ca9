//! Forms: DSFR pieces shared by the pages (fields live in `fields`) — the form the browser
//! posts itself (`PostForm`), its errors, whole-page notices, and the password and secret
//! question helpers.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::domain::activation::SECRET_QUESTIONS;
use crate::domain::password::MIN_CHARS;
use crate::error::AppError;

/// On a page where a password is chosen: the browser fetches the lists of leaked passwords its
/// check uses (`leaked_passwords::PATH`), once the page is interactive.
pub fn load_leaked_password_lists() {
    #[cfg(feature = "hydrate")]
    Effect::new(|_| leaked_lists::fetch());
}

#[cfg(feature = "hydrate")]
mod leaked_lists {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    use crate::leaked_passwords::{receive, received, PATH};

    pub fn fetch() {
        if received() {
            return;
        }
        let Ok(request) = web_sys::XmlHttpRequest::new() else {
            return;
        };
        if request.open("GET", PATH).is_err() {
            return;
        }
        let answer = request.clone();
        let loaded = Closure::once_into_js(move || {
            if answer.status() == Ok(200) {
                if let Ok(Some(file)) = answer.response_text() {
                    receive(&file);
                }
            }
        });
        let _ = request.add_event_listener_with_callback("load", loaded.unchecked_ref());
        let _ = request.send();
    }
}

pub fn password_hint() -> String {
    format!("Au moins {MIN_CHARS} caractères. Une phrase facile à retenir convient très bien, par exemple « quatre chats sur le toit ».")
}

pub fn question_options() -> Vec<(String, String)> {
    SECRET_QUESTIONS
        .iter()
        .map(|(c, q)| (c.to_string(), q.to_string()))
        .collect()
}

/// A new password twice, a secret question (`selected`: the one chosen before a refusal) and
/// its answer: the activation form and « Choisir un mot de passe ».
#[component]
pub fn NewPasswordAndQuestion(
    selected: Option<String>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    use crate::components::fields::{Input, PasswordInput, Select};
    view! {
        <PasswordInput key="password" label="Mot de passe" hint=password_hint() error />
        <PasswordInput key="confirmation" label="Confirmez le mot de passe" error />
        <Select
            key="question"
            label="Question secrète"
            options=question_options()
            selected=selected
            placeholder="Choisissez une question"
            error
        />
        <Input
            key="reponse"
            label="Réponse à votre question secrète"
            hint="Les majuscules et les accents ne comptent pas."
            autocomplete="off"
            error
        />
    }
}

pub fn token_param() -> impl Fn() -> String + Send + Sync + Copy + 'static {
    let params = use_params_map();
    move || params.read().get("token").unwrap_or_default()
}

/// A whole-page message in a DSFR alert.
#[component]
pub fn Notice(
    #[prop(into)] title: String,
    #[prop(into)] text: String,
    #[prop(default = "error")] kind: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class=format!("fr-alert fr-alert--{kind} fr-mb-3w")>
            <h1 class="fr-alert__title">{title}</h1>
            <p>{text}</p>
        </div>
        {children()}
    }
}

/// The values of a form being submitted (browser only; empty on the server, which never runs it).
pub struct FormValues {
    #[cfg(feature = "hydrate")]
    data: Option<web_sys::FormData>,
}

impl FormValues {
    /// The values of the form `ev` submits.
    pub fn of(ev: &leptos::ev::SubmitEvent) -> FormValues {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            FormValues {
                data: ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlFormElement>().ok())
                    .and_then(|f| web_sys::FormData::new_with_form(&f).ok()),
            }
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = ev;
            FormValues {}
        }
    }

    pub fn get(&self, name: &str) -> String {
        #[cfg(feature = "hydrate")]
        {
            self.data
                .as_ref()
                .and_then(|d| d.get(name).as_string())
                .unwrap_or_default()
        }
        #[cfg(not(feature = "hydrate"))]
        {
            let _ = name;
            String::new()
        }
    }
}

/// A form the browser posts itself, page to page (a refused one comes back with its errors,
/// see `flash`): these pages are visited once in a while and need little code in the WASM.
/// Once hydrated, `check` runs first — the same rules as the server, so that a mistake is shown
/// at once and nothing typed (passwords included) is lost — and the button is disabled at the
/// first submission (no double post).
#[component]
pub fn PostForm(
    action: &'static str,
    #[prop(into)] id: String,
    #[prop(into)] button: String,
    #[prop(optional)] secondary: Option<(String, &'static str)>,
    #[prop(optional)] check: Option<Callback<FormValues, Option<AppError>>>,
    #[prop(optional)] client_error: Option<RwSignal<Option<AppError>>>,
    children: Children,
) -> impl IntoView {
    let (sent, set_sent) = signal(false);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let (Some(check), Some(client_error)) = (check, client_error) {
            if let Some(e) = check.run(FormValues::of(&ev)) {
                ev.prevent_default();
                client_error.set(Some(e));
                return;
            }
        }
        set_sent.set(true);
    };
    view! {
        <form method="post" action=action novalidate=true id=id on:submit=on_submit>
            {children()}
            <ul class="fr-btns-group fr-btns-group--inline-md fr-mt-3w">
                <li>
                    <button class="fr-btn" type="submit" disabled=sent>
                        {button}
                    </button>
                </li>
                {secondary
                    .map(|(href, label)| {
                        view! { <li><a class="fr-btn fr-btn--secondary" href=href>{label}</a></li> }
                    })}
            </ul>
        </form>
    }
}

/// The error a refused post came back with.
pub fn flash_error<F>(flash: &Option<crate::flash::Flash<F>>) -> Signal<Option<AppError>> {
    let error = flash.as_ref().map(|f| f.error.clone());
    Signal::derive(move || error.clone())
}

/// The error to show: the browser's check of this submission, else the server's last refusal.
pub fn shown_error(
    client: RwSignal<Option<AppError>>,
    server: Signal<Option<AppError>>,
) -> Signal<Option<AppError>> {
    Signal::derive(move || client.get().or_else(|| server.get()))
}

/// « Je soussigné(e)… »: the attestation box of a validation (the school's recap, the
/// candidate's review), with its error; `on_toggle` learns whether it is ticked (the button
/// waits for it).
#[component]
pub fn Attestation(
    #[prop(into)] label: String,
    message: Signal<Option<String>>,
    on_toggle: WriteSignal<bool>,
) -> impl IntoView {
    view! {
        <div class="fr-checkbox-group" class:fr-checkbox-group--error=move || message.get().is_some()>
            <input
                type="checkbox"
                id="attestation"
                name="attestation"
                aria-describedby="attestation-messages"
                on:change=move |ev| on_toggle.set(event_target_checked(&ev))
            />
            <label class="fr-label" for="attestation">{label}</label>
            <div class="fr-messages-group" id="attestation-messages" aria-live="polite">
                {move || message.get().map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })}
            </div>
        </div>
    }
}
