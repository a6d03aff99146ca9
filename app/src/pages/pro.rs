//! Home of agents and administrators: the paper forms expected and their receipt; for
//! administrators, the background jobs and the messages that could not be delivered.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::connexion::CurrentUser;
use crate::api::pro::{
    espace_pro, EnregistrerReception, FailedMessage, FormulaireAttendu, Professionnel,
    ReceptionTyped, RelancerMessage, Supervision,
};
use crate::components::guard::RequireRole;
use crate::components::layout::LastLogin;
use crate::components::loader::{respond_with, use_page_data};
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Etat;
use crate::flash::use_flash;

#[component]
pub fn ProHomePage() -> impl IntoView {
    view! {
        <Title text="Espace professionnel" />
        <RequireRole roles=&[Role::Agent, Role::Admin] espace=Espace::Pro children=|user| view! { <ProHome user /> } />
    }
}

#[component]
fn ProHome(user: CurrentUser) -> impl IntoView {
    let data = use_page_data(|| (), |_| espace_pro());
    let query = use_query_map();
    let recu = move || query.read().get("recu").filter(|v| !v.is_empty());
    let relance = move || query.read().get("relance").is_some();
    // A refused form comes back here: the receipt's number on its field, anything else on top.
    let flash = use_flash::<ReceptionTyped>();
    let typed = flash
        .as_ref()
        .map(|f| f.form.numero.clone())
        .unwrap_or_default();
    let numero_error = flash.as_ref().and_then(|f| f.error.field_message("numero"));
    let other_error = flash
        .map(|f| f.error)
        .filter(|e| e.field_message("numero").is_none());
    view! {
        <div class="fr-container fr-my-6w">
            <h1>"Espace professionnel"</h1>
            <p class="fr-mb-1w">{format!("{} — {}", user.display_name(), user.role.label())}</p>
            <LastLogin user=user.clone() />
            {move || {
                recu()
                    .map(|n| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-my-3w" role="status">
                                <h2 class="fr-alert__title">{format!("Formulaire de la demande n° {n} reçu")}</h2>
                                <p>"La réception est enregistrée : la demande est transmise à l'instruction."</p>
                            </div>
                        }
                    })
            }}
            {move || {
                relance()
                    .then(|| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-my-3w" role="status">
                                <h2 class="fr-alert__title">"Message relancé"</h2>
                                <p>"Il part dans quelques secondes ; s'il échoue encore, il revient dans la liste des messages en échec."</p>
                            </div>
                        }
                    })
            }}
            {other_error
                .map(|e| {
                    view! {
                        <div class="fr-alert fr-alert--error fr-alert--sm fr-my-3w" role="alert">
                            <p>{e.to_string()}</p>
                        </div>
                    }
                })}
            <Reception typed message=numero_error />
            {move || match data.get() {
                None => view! { <p>"Chargement…"</p> }.into_any(),
                Some(Err(e)) => {
                    respond_with(&e);
                    view! { <div class="fr-alert fr-alert--error fr-alert--sm" role="alert"><p>{e.to_string()}</p></div> }.into_any()
                }
                Some(Ok(Professionnel { formulaires, supervision })) => view! {
                    <Formulaires rows=formulaires />
                    {supervision.map(|s| view! { <SupervisionView s /> })}
                }
                .into_any(),
            }}
        </div>
    }
}

/// Recording the receipt of a paper form, by the number printed on it.
#[component]
fn Reception(typed: String, message: Option<String>) -> impl IntoView {
    let has_error = message.is_some();
    let (sent, set_sent) = signal(false);
    view! {
        <h2 class="fr-h4 fr-mt-4w">"Enregistrer la réception d'un formulaire photo-signature"</h2>
        <form method="post" action=EnregistrerReception::PATH novalidate=true on:submit=move |_| set_sent.set(true)>
            <div class="fr-input-group" class:fr-input-group--error=has_error>
                <label class="fr-label" for="numero">
                    "Numéro de la demande"
                    <span class="fr-hint-text">"Inscrit en haut du formulaire, par exemple 75-261126-0042."</span>
                </label>
                <input
                    class="fr-input"
                    class:fr-input--error=has_error
                    type="text"
                    id="numero"
                    name="numero"
                    autocomplete="off"
                    spellcheck="false"
                    value=typed
                    aria-describedby="numero-messages"
                />
                <div class="fr-messages-group" id="numero-messages" aria-live="polite">
                    {message.map(|m| view! { <p class="fr-message fr-message--error">{m}</p> })}
                </div>
            </div>
            <button class="fr-btn" type="submit" disabled=sent>"Enregistrer la réception"</button>
        </form>
    }
}

fn etat_badge(etat: Etat) -> &'static str {
    match etat {
        Etat::PapierNonRecu => "fr-badge fr-badge--sm fr-badge--error",
        _ => "fr-badge fr-badge--sm fr-badge--warning",
    }
}

#[component]
fn Formulaires(rows: Vec<FormulaireAttendu>) -> impl IntoView {
    view! {
        <h2 class="fr-h4 fr-mt-6w">"Formulaires photo-signature attendus"</h2>
        {if rows.is_empty() {
            view! { <p>"Aucun formulaire n'est attendu."</p> }.into_any()
        } else {
            view! {
                <Table caption="Demandes validées par le candidat, en attente du formulaire papier" head=&["Numéro", "Validée le", "À recevoir avant le", "État"]>
                    {rows
                        .into_iter()
                        .map(|r| view! {
                            <tr>
                                <td>{r.numero}</td>
                                <td>{r.validated}</td>
                                <td>{r.deadline}</td>
                                <td><p class=etat_badge(r.etat)>{r.etat.label()}</p></td>
                            </tr>
                        })
                        .collect_view()}
                </Table>
            }
            .into_any()
        }}
    }
}

/// A DSFR table with a caption.
#[component]
fn Table(
    caption: &'static str,
    head: &'static [&'static str],
    children: Children,
) -> impl IntoView {
    view! {
        <div class="fr-table">
            <div class="fr-table__wrapper">
                <div class="fr-table__container">
                    <div class="fr-table__content">
                        <table>
                            <caption>{caption}</caption>
                            <thead>
                                <tr>{head.iter().map(|h| view! { <th scope="col">{*h}</th> }).collect_view()}</tr>
                            </thead>
                            <tbody>{children()}</tbody>
                        </table>
                    </div>
                </div>
            </div>
        </div>
    }
    .into_any()
}

#[component]
fn SupervisionView(s: Supervision) -> impl IntoView {
    let Supervision {
        due,
        runs,
        failed,
        failed_total,
    } = s;
    view! {
        <h2 class="fr-h4 fr-mt-6w" id="taches">"Tâches planifiées"</h2>
        <p class="fr-text--sm">
            "Elles tournent chaque minute dans le serveur, une seule fois par élément même avec plusieurs instances."
        </p>
        <Table caption="Échéances à traiter" head=&["Tâche", "À traiter maintenant", "Prochaine échéance"]>
            {due
                .into_iter()
                .map(|d| view! {
                    <tr>
                        <td>{d.label}</td>
                        <td>{d.due_now}</td>
                        <td>{d.next.unwrap_or_else(|| "—".to_string())}</td>
                    </tr>
                })
                .collect_view()}
        </Table>
        <h2 class="fr-h4 fr-mt-6w" id="executions">"Dernières exécutions"</h2>
        {if runs.is_empty() {
            view! { <p>"Aucune exécution enregistrée."</p> }.into_any()
        } else {
            view! {
                <Table caption="Les 20 dernières exécutions des tâches" head=&["Tâche", "Instance", "Au", "Début", "Durée", "Éléments traités", "Erreur"]>
                    {runs
                        .into_iter()
                        .map(|r| view! {
                            <tr>
                                <td>{r.job}</td>
                                <td>{r.owner}</td>
                                <td>{r.as_of}</td>
                                <td>{r.started}</td>
                                <td>{r.duration}</td>
                                <td>{r.processed}</td>
                                <td>{r.error.unwrap_or_else(|| "—".to_string())}</td>
                            </tr>
                        })
                        .collect_view()}
                </Table>
            }
            .into_any()
        }}
        <h2 class="fr-h4 fr-mt-6w" id="echecs">{format!("Messages en échec ({failed_total})")}</h2>
        {if failed.is_empty() {
            view! { <p>"Aucun message en échec : tous les courriels et SMS sont partis."</p> }.into_any()
        } else {
            view! {
                <p class="fr-text--sm">
                    "Abandonnés après 6 tentatives sur environ 9 heures, ou refusés définitivement par le serveur (adresse inconnue…). Les 50 plus récents :"
                </p>
                <Table caption="Messages non distribués" head=&["Créé le", "Type", "Canal", "Destinataire", "Tentatives", "Dernière erreur", "Action"]>
                    {failed.into_iter().map(|m| view! { <FailedRow m /> }).collect_view()}
                </Table>
            }
            .into_any()
        }}
    }
    .into_any()
}

#[component]
fn FailedRow(m: FailedMessage) -> impl IntoView {
    let action = if m.had_link {
        view! {
            <p class="fr-text--xs fr-mb-0">
                "Lien personnel effacé : il ne peut pas repartir tel quel. Un nouveau lien doit être envoyé (« Renvoyer le lien » pour l'école, « Mot de passe oublié » pour le candidat)."
            </p>
        }
        .into_any()
    } else {
        let label = format!(" le message {} à {}", m.kind, m.recipient);
        view! {
            <form method="post" action=RelancerMessage::PATH>
                <input type="hidden" name="id" value=m.id />
                <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary">
                    "Relancer"
                    <span class="fr-sr-only">{label}</span>
                </button>
            </form>
        }
        .into_any()
    };
    view! {
        <tr>
            <td>{m.created}</td>
            <td>{m.kind}</td>
            <td>{m.channel}</td>
            <td>{m.recipient}</td>
            <td>{m.attempts}</td>
            <td>{m.error}</td>
            <td>{action}</td>
        </tr>
    }
}
