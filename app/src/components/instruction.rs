//! What the school and the candidate see of the centre's instruction: the complement asked
//! (every item and its reason, the date), the decision (NEPH and attestation, or the
//! motivated rejection with the routes of appeal), and the dated timeline of the demande.

use leptos::prelude::*;

use crate::api::{ComplementView, DecisionView, EventView, InstructionPublique};
use crate::domain::instruction::VOIES_DE_RECOURS;
use crate::routes::{document_href, Document};

/// The instruction panel of a demande. `ecole`: the school's view (it may answer a
/// complement); otherwise the candidate's.
#[component]
pub fn InstructionPanel(id: i64, instruction: InstructionPublique, ecole: bool) -> impl IntoView {
    let InstructionPublique {
        cert,
        complement,
        decision,
        timeline,
    } = instruction;
    let cert = cert.unwrap_or_else(|| "Centre d'instruction".into());
    let pending = complement.clone().filter(|c| c.recu_le.is_none());
    view! {
        <section class="fr-mb-6w" aria-labelledby="instruction-titre">
            <h2 id="instruction-titre" class="fr-h4">"Instruction de la demande"</h2>
            <p class="fr-text--sm">{format!("Instruite par : {cert}.")}</p>
            {match (decision, pending) {
                (Some(d), _) => view! { <Decision id d /> }.into_any(),
                (None, Some(c)) => view! { <ComplementAsked c ecole /> }.into_any(),
                (None, None) => view! {
                    <div class="fr-alert fr-alert--info fr-mb-3w">
                        <p>"La demande est en cours d'instruction. Vous serez informé(e) par courriel de la décision, ou de tout document à remplacer."</p>
                    </div>
                }
                .into_any(),
            }}
            <Timeline events=timeline />
        </section>
    }
    .into_any()
}

#[component]
fn ComplementAsked(c: ComplementView, ecole: bool) -> impl IntoView {
    let n = c.items.len();
    view! {
        <div class="fr-alert fr-alert--warning fr-mb-3w">
            <h3 class="fr-alert__title">
                {format!(
                    "Complément demandé ({}) — avant le {}",
                    crate::domain::formats::plural(n as i64, "élément", "éléments"),
                    c.avant
                )}
            </h3>
            <p>
                {if ecole {
                    "Le centre demande de remplacer ces éléments. Seuls ceux-ci sont à reprendre ; sans réponse à cette date, la demande sera classée sans suite."
                } else {
                    "Le centre a demandé à votre école de conduite de remplacer ces éléments. Elle s'en occupe ; elle peut avoir besoin de vous pour un nouveau document."
                }}
            </p>
            <ul>
                {c.items
                    .into_iter()
                    .map(|i| {
                        view! {
                            <li>
                                <strong>{i.label}</strong>
                                {format!(" : {}", i.motif)}
                                {i.commentaire.map(|m| format!(" — {m}"))}
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </div>
    }
    .into_any()
}

#[component]
fn Decision(id: i64, d: DecisionView) -> impl IntoView {
    match d {
        DecisionView::Inscrite {
            neph,
            le,
            valable_jusqu_au,
        } => view! {
            <div class="fr-alert fr-alert--success fr-mb-3w">
                <h3 class="fr-alert__title">"Inscription enregistrée"</h3>
                <p>{format!("Demande acceptée le {le}. Numéro d'inscription (NEPH) : {neph}.")}</p>
                <p>{format!("L'attestation d'inscription au permis de conduire est valable jusqu'au {valable_jusqu_au}.")}</p>
            </div>
            <p>
                <a class="fr-btn fr-btn--icon-left fr-icon-download-line" href=document_href(id, Document::AttestationInscription) download="">
                    "Télécharger l'attestation d'inscription (PDF)"
                </a>
            </p>
        }
        .into_any(),
        DecisionView::Rejetee {
            le,
            motif,
            fondement,
            motivation,
        } => view! {
            <div class="fr-alert fr-alert--error fr-mb-3w">
                <h3 class="fr-alert__title">"Demande rejetée"</h3>
                <p>{format!("Décision du {le}.")}</p>
                <p><strong>"Motif : "</strong>{motif}</p>
                <p><strong>"Motivation : "</strong>{motivation}</p>
                <p><strong>"Fondement : "</strong>{fondement}</p>
            </div>
            <Recours />
            <p>
                <a class="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-download-line" href=document_href(id, Document::DecisionRejet) download="">
                    "Télécharger la décision (PDF)"
                </a>
            </p>
        }
        .into_any(),
        DecisionView::ClasseeSansSuite { le } => view! {
            <div class="fr-alert fr-alert--error fr-mb-3w">
                <h3 class="fr-alert__title">"Demande classée sans suite"</h3>
                <p>{format!("Le {le}, faute d'avoir reçu dans le délai le complément demandé. Les éléments demandés sont nécessaires à l'instruction (code des relations entre le public et l'administration, art. L114-5). L'école de conduite doit saisir une nouvelle demande.")}</p>
            </div>
            <Recours />
        }
        .into_any(),
    }
}

/// « Voies et délais de recours ».
#[component]
fn Recours() -> impl IntoView {
    view! {
        <div class="fr-callout fr-mb-3w">
            <h3 class="fr-callout__title fr-h6">"Voies et délais de recours"</h3>
            {VOIES_DE_RECOURS
                .iter()
                .map(|l| view! { <p class="fr-callout__text fr-text--sm">{*l}</p> })
                .collect_view()}
        </div>
    }
}

/// The dated steps of the demande, oldest first.
#[component]
fn Timeline(events: Vec<EventView>) -> impl IntoView {
    view! {
        <h3 class="fr-h6 fr-mt-4w">"Historique de la demande"</h3>
        <ol class="permis-historique">
            {events
                .into_iter()
                .map(|e| {
                    view! {
                        <li>
                            <p class="fr-text--sm fr-mb-0">
                                <strong>{e.le}</strong>
                                {format!(" — {} ({})", e.label, e.par)}
                            </p>
                            {e.motif.map(|m| view! { <p class="fr-text--xs fr-mb-0">{format!("Motif : {m}")}</p> })}
                            {e.commentaire.map(|c| view! { <p class="fr-text--xs fr-mb-0 permis-multiligne">{c}</p> })}
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
