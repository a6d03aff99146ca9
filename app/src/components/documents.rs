//! The PDF documents of a validated demande, as download buttons (the school's recap and the
//! candidate's review).

use leptos::prelude::*;

use crate::routes::{document_href, Document};

/// The PDFs of a validated demande, as downloads.
#[component]
pub fn Documents(id: i64, paper: bool) -> impl IntoView {
    view! {
        <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--icon-left fr-mb-4w">
            {paper
                .then(|| {
                    view! {
                        <li>
                            <a class="fr-btn fr-btn--icon-left fr-icon-download-line" href=document_href(id, Document::FormulairePhotoSignature) download="">
                                "Télécharger le formulaire photo-signature (PDF)"
                            </a>
                        </li>
                    }
                })}
            <li>
                <a
                    class="fr-btn fr-btn--icon-left fr-icon-download-line"
                    class:fr-btn--secondary=paper
                    href=document_href(id, Document::Justificatif)
                    download=""
                >
                    "Télécharger le justificatif de dépôt (PDF)"
                </a>
            </li>
        </ul>
    }
}
