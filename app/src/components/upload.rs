//! Sending a file from the page, with its progress: the browser side of upload-on-selection.
//! `XMLHttpRequest` is used because it is the browser API that reports upload progress
//! (`fetch` does not). The server answers `204` for a file kept, or its French message.

#[cfg(feature = "hydrate")]
pub use browser::send;

/// What the person sees when the connection drops during a sending.
pub const CONNECTION_LOST: &str = "La connexion a été interrompue : le fichier n'a pas été envoyé. Vérifiez votre connexion puis réessayez.";

/// The message for an answer the server did not write for the page (a proxy's page, an
/// unexpected error).
pub fn unexpected(status: u16) -> String {
    match status {
        401 => {
            "Votre session a expiré : reconnectez-vous, puis déposez de nouveau le fichier.".into()
        }
        413 => crate::domain::upload::UploadProblem::TooBig.message(),
        _ => format!("L'envoi a échoué (erreur {status}) : réessayez dans un instant."),
    }
}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;

    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{File, FormData, ProgressEvent, XmlHttpRequest};

    use super::{unexpected, CONNECTION_LOST};

    type Done = Rc<RefCell<Option<Box<dyn FnOnce(Result<(), String>)>>>>;

    /// Posts `file` as the form field `fichier` (and `remplacer=on` when `replace`) to `url`;
    /// `progress` gets the percentage sent, `done` the outcome, once.
    pub fn send(
        url: &str,
        file: &File,
        replace: bool,
        progress: impl Fn(u32) + 'static,
        done: impl FnOnce(Result<(), String>) + 'static,
    ) {
        let done: Done = Rc::new(RefCell::new(Some(Box::new(done))));
        let finish = {
            let done = done.clone();
            move |result: Result<(), String>| {
                if let Some(f) = done.borrow_mut().take() {
                    f(result);
                }
            }
        };
        let Ok(xhr) = XmlHttpRequest::new() else {
            finish(Err(unexpected(0)));
            return;
        };
        let Ok(form) = FormData::new() else {
            finish(Err(unexpected(0)));
            return;
        };
        if replace {
            let _ = form.append_with_str("remplacer", "on");
        }
        let _ = form.append_with_blob_and_filename("fichier", file, &file.name());
        if xhr.open_with_async("POST", url, true).is_err() {
            finish(Err(unexpected(0)));
            return;
        }
        let _ = xhr.set_request_header("X-Requested-With", "XMLHttpRequest");

        let on_progress = Closure::<dyn FnMut(ProgressEvent)>::new(move |e: ProgressEvent| {
            if e.length_computable() && e.total() > 0.0 {
                progress(((e.loaded() / e.total()) * 100.0).round().min(100.0) as u32);
            }
        });
        if let Ok(upload) = xhr.upload() {
            upload.set_onprogress(Some(on_progress.as_ref().unchecked_ref()));
        }
        on_progress.forget();

        let on_load = {
            let xhr = xhr.clone();
            let finish = finish.clone();
            Closure::<dyn FnMut()>::new(move || {
                let status = xhr.status().unwrap_or(0);
                let text = xhr.response_text().ok().flatten().unwrap_or_default();
                let plain = xhr
                    .get_response_header("content-type")
                    .ok()
                    .flatten()
                    .is_some_and(|t| t.starts_with("text/plain"));
                let result = match status {
                    200..=299 => Ok(()),
                    // The server's own message (written for a person).
                    400..=499 if plain && !text.trim().is_empty() && status != 401 => {
                        Err(text.trim().to_string())
                    }
                    s => Err(unexpected(s)),
                };
                finish(result);
            })
        };
        xhr.set_onload(Some(on_load.as_ref().unchecked_ref()));
        on_load.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || finish(Err(CONNECTION_LOST.into())));
        xhr.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        xhr.set_onabort(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();

        if xhr.send_with_opt_form_data(Some(&form)).is_err() {
            let f = done.borrow_mut().take();
            if let Some(f) = f {
                f(Err(CONNECTION_LOST.into()));
            }
        }
    }
}
