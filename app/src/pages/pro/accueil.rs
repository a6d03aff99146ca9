//! Home of agents and administrators: the paper forms expected and their receipt; for
//! administrators, the background jobs and the messages that could not be delivered.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::connexion::CurrentUser;
use crate::api::pro::{
    espace_pro, EnregistrerReception, FailedMessage, FileAgent, FormulaireAttendu, Professionnel,
    QueueItem, QueueQuery, ReceptionTyped, RelancerMessage, Suivre, Supervision,
};
use crate::components::guard::RequireRole;
use crate::components::layout::LastLogin;
use crate::components::loader::{respond_with, use_page_data};
use crate::components::table::{Pagination, Table};
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Etat;
use crate::flash::use_flash;
use crate::routes::Page;

#[component]
pub fn ProHomePage() -> impl IntoView {
    view! {
        <Title text="Espace professionnel" />
        <RequireRole roles=&[Role::Agent, Role::Admin] espace=Espace::Pro children=|user| view! { <ProHome user /> } />
    }
}

#[component]
fn ProHome(user: CurrentUser) -> impl IntoView {
    let query = use_query_map();
    let data = use_page_data(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
            QueueQuery {
                onglet: get("onglet"),
                q: get("q"),
                dep: get("dep"),
                ecole: get("ecole"),
                tri: get("tri"),
                page: get("page"),
            }
        },
        espace_pro,
    );
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
                Some(Ok(Professionnel { file, sans_cert, formulaires, supervision })) => view! {
                    {sans_cert.then(|| view! {
                        <div class="fr-alert fr-alert--warning fr-my-3w">
                            <h2 class="fr-alert__title">"Vous n'êtes rattaché(e) à aucun centre"</h2>
                            <p>"Un administrateur doit vous rattacher à votre CERT (commande « permis create-user --role agent --cert … ») : vous verrez alors les demandes à instruire."</p>
                        </div>
                    })}
                    {file.map(|f| view! { <FileView f /> })}
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
                <Table caption="Demandes validées par le candidat, en attente du formulaire papier (les 20 plus anciennes)" head=&["Numéro", "Validée le", "À recevoir avant le", "État"]>
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

fn queue_badge(etat: Etat) -> &'static str {
    match etat {
        Etat::ComplementDemande => "fr-badge fr-badge--sm fr-badge--warning",
        Etat::ComplementRecu => "fr-badge fr-badge--sm fr-badge--new",
        Etat::Inscrite => "fr-badge fr-badge--sm fr-badge--success",
        Etat::Rejetee | Etat::ClasseeSansSuite => "fr-badge fr-badge--sm fr-badge--error",
        _ => "fr-badge fr-badge--sm fr-badge--info",
    }
}

/// The centre's queue: tabs with counts, search and filters, a page of 20 rows.
#[component]
fn FileView(f: FileAgent) -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read_untracked().get(k).filter(|v| !v.is_empty());
    // An address of the queue with some parameters changed.
    let href = move |changes: &[(&str, String)]| {
        let mut params: Vec<(String, String)> = ["onglet", "q", "dep", "ecole", "tri"]
            .iter()
            .filter_map(|k| param(k).map(|v| (k.to_string(), v)))
            .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
            .collect();
        params.extend(
            changes
                .iter()
                .filter(|(_, v)| !v.is_empty())
                .map(|(k, v)| (k.to_string(), v.clone())),
        );
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::routes::urlencode(v)))
            .collect();
        Page::Pro.href_with(&qs.join("&"))
    };
    let FileAgent {
        cert,
        onglet,
        onglets,
        rows,
        total,
        page,
        pages,
        departements,
        ecoles,
    } = f;
    let current_label = onglets
        .iter()
        .find(|o| o.0 == onglet)
        .map(|o| o.1.clone())
        .unwrap_or_default();
    view! {
        <h2 class="fr-h3 fr-mt-4w" id="file">{format!("Demandes du {cert}")}</h2>
        <nav aria-label="Onglets de la file des demandes">
            <ul class="fr-tags-group">
                {onglets
                    .into_iter()
                    .map(|(code, label, n)| {
                        let current = (code == onglet).then_some("page");
                        view! {
                            <li>
                                <a class="fr-tag" href=href(&[("onglet", code.clone()), ("page", String::new())]) aria-current=current>
                                    {format!("{label} ({n})")}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
        <form method="get" action=Page::Pro.href() class="permis-filters" role="search" aria-label="Rechercher dans la file">
            <input type="hidden" name="onglet" value=onglet.clone() />
            <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
                <div class="fr-col-12 fr-col-md-4">
                    <div class="fr-input-group">
                        <label class="fr-label" for="q">
                            "Rechercher"
                            <span class="fr-hint-text">"Numéro, nom ou prénom du candidat"</span>
                        </label>
                        <input class="fr-input" type="search" id="q" name="q" value=param("q") />
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-2">
                    <div class="fr-select-group">
                        <label class="fr-label" for="dep">"Département"</label>
                        <select class="fr-select" id="dep" name="dep">
                            <option value="">"Tous"</option>
                            {departements
                                .into_iter()
                                .map(|(code, label)| {
                                    let selected = param("dep").as_deref() == Some(code.as_str());
                                    view! { <option value=code selected=selected>{label}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-3">
                    <div class="fr-select-group">
                        <label class="fr-label" for="ecole">"École de conduite"</label>
                        <select class="fr-select" id="ecole" name="ecole">
                            <option value="">"Toutes"</option>
                            {ecoles
                                .into_iter()
                                .map(|(id, name)| {
                                    let selected = param("ecole") == Some(id.to_string());
                                    view! { <option value=id selected=selected>{name}</option> }
                                })
                                .collect_view()}
                        </select>
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-2">
                    <div class="fr-select-group">
                        <label class="fr-label" for="tri">"Tri"</label>
                        <select class="fr-select" id="tri" name="tri">
                            <option value="anciennes" selected=param("tri").as_deref() != Some("recentes")>"Plus anciennes d'abord"</option>
                            <option value="recentes" selected=param("tri").as_deref() == Some("recentes")>"Plus récentes d'abord"</option>
                        </select>
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-1">
                    <button class="fr-btn fr-btn--secondary fr-mb-3v" type="submit">"Filtrer"</button>
                </div>
            </div>
        </form>
        <p aria-live="polite">
            {match total {
                0 => format!("{current_label} : aucune demande ne correspond."),
                n => format!("{current_label} : {}", crate::domain::formats::plural(n, "demande", "demandes")),
            }}
        </p>
        {(total > 0).then(|| view! {
            <Table caption="Demandes de la file" head=&["Numéro", "Candidat", "Catégories", "Dép.", "École", "Transmise le", "Attente", "État", "Suivie par"]>
                {rows.into_iter().map(|r| view! { <QueueRow r /> }).collect_view()}
            </Table>
        })}
        {(pages > 1).then(|| view! {
            <Pagination current=page pages href=move |n: u32| href(&[("page", n.to_string())]) label="Pagination de la file" />
        })}
    }
    .into_any()
}

#[component]
fn QueueRow(r: QueueItem) -> impl IntoView {
    let suivi = match (r.par_moi, r.suivie_par.clone()) {
        (true, _) => view! { <span>"Moi"</span> }.into_any(),
        (false, Some(name)) => view! { <span>{name}</span> }.into_any(),
        (false, None) if !r.etat.decided_by_the_centre() => view! {
            <form method="post" action=Suivre::PATH>
                <input type="hidden" name="id" value=r.id />
                <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary">
                    "Suivre"
                    <span class="fr-sr-only">{format!(" la demande {}", r.numero)}</span>
                </button>
            </form>
        }
        .into_any(),
        (false, None) => view! { <span>"—"</span> }.into_any(),
    };
    view! {
        <tr>
            <td><a href=Page::Instruction { id: r.id }.href()>{r.numero.clone()}</a></td>
            <td>{r.candidat}</td>
            <td>{r.categories}</td>
            <td>{r.departement}</td>
            <td>{r.ecole}</td>
            <td>{r.transmise}</td>
            <td>{r.age}</td>
            <td>
                <p class=queue_badge(r.etat)>{r.etat.label()}</p>
                {r.complement_avant.filter(|_| r.etat == Etat::ComplementDemande).map(|d| view! { <p class="fr-text--xs fr-mb-0">{format!("Réponse attendue avant le {d}")}</p> })}
            </td>
            <td>{suivi}</td>
        </tr>
    }
    .into_any()
}
