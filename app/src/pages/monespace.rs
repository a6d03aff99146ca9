//! The candidate's home: « Mon espace », with « Mes démarches en cours ».

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::components::guard::RequireRole;
use crate::components::layout_bits::LastLogin;
use crate::components::loader::use_page_data;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Etat;
use crate::usager::{mes_demarches, Demarche};

#[component]
pub fn MonEspacePage() -> impl IntoView {
    view! {
        <Title text="Mon espace" />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|user| {
            view! {
                <div class="fr-container fr-my-6w">
                    <h1>"Mon espace"</h1>
                    <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", user.display_name())}</p>
                    <LastLogin user=user.clone() />
                    <Demarches />
                </div>
            }
        } />
    }
}

#[component]
fn Demarches() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|v| !v.is_empty());
    let list = use_page_data(q, mes_demarches);
    let typed = q().unwrap_or_default();
    let waiting = move || {
        list.get()
            .and_then(|r| r.ok())
            .map(|rows| {
                rows.iter()
                    .filter(|r| r.etat == Etat::AttenteUsager)
                    .count()
            })
            .unwrap_or(0)
    };
    view! {
        <section class="fr-mt-4w" aria-labelledby="notifications-title">
            <h2 id="notifications-title" class="fr-h4">"Mes notifications"</h2>
            {move || match waiting() {
                0 => view! { <p>"Vous n'avez aucune nouvelle notification."</p> }.into_any(),
                n => view! {
                    <div class="fr-notice fr-notice--info">
                        <div class="fr-container">
                            <div class="fr-notice__body">
                                <p class="fr-notice__title">
                                    {if n == 1 {
                                        "Une demande saisie par votre école de conduite attend votre validation. ".to_string()
                                    } else {
                                        format!("{n} demandes saisies par votre école de conduite attendent votre validation. ")
                                    }}
                                    <a href="/monespace/a-valider">"Voir la demande à valider"</a>
                                </p>
                            </div>
                        </div>
                    </div>
                }
                .into_any(),
            }}
        </section>
        <section class="fr-mt-4w" aria-labelledby="conducteur-title">
        <h2 id="conducteur-title" class="fr-h4">"Mon espace conducteur"</h2>
        <h3 class="fr-h6" id="demarches-title">"Mes démarches en cours"</h3>
        <form method="get" action="/monespace" role="search" class="fr-search-bar fr-mb-3w permis-search" id="recherche-demarches">
            <label class="fr-label" for="q">"Rechercher une démarche (numéro, nom, prénom)"</label>
            <input class="fr-input" type="search" id="q" name="q" value=typed />
            <button class="fr-btn" type="submit" title="Rechercher">"Rechercher"</button>
        </form>
        {move || match list.get() {
            None => view! { <p>"Chargement…"</p> }.into_any(),
            Some(Err(e)) => view! { <div class="fr-alert fr-alert--error" role="alert"><p>{e.to_string()}</p></div> }.into_any(),
            Some(Ok(rows)) if rows.is_empty() => view! {
                <p>
                    {if q().is_some() { "Aucune démarche ne correspond à cette recherche." } else { "Vous n'avez aucune démarche en cours." }}
                </p>
            }
            .into_any(),
            Some(Ok(rows)) => view! { <DemarchesTable rows /> }.into_any(),
        }}
        </section>
    }
}

#[component]
fn DemarchesTable(rows: Vec<Demarche>) -> impl IntoView {
    view! {
        <div class="fr-table fr-table--no-caption">
            <div class="fr-table__wrapper">
                <div class="fr-table__container">
                    <div class="fr-table__content">
                        <table aria-labelledby="demarches-title">
                            <thead>
                                <tr>
                                    <th scope="col">"Prénom"</th>
                                    <th scope="col">"Nom"</th>
                                    <th scope="col">"Numéro"</th>
                                    <th scope="col">"Date de création"</th>
                                    <th scope="col">"Date de mise à jour"</th>
                                    <th scope="col">"État"</th>
                                    <th scope="col">"Action"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! { <DemarcheRow r /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </div>
            </div>
        </div>
    }
}

#[component]
fn DemarcheRow(r: Demarche) -> impl IntoView {
    let select_id = format!("action-{}", r.id);
    let waiting = r.etat == Etat::AttenteUsager;
    view! {
        <tr>
            <td>{r.prenom.clone()}</td>
            <td>{r.nom.clone()}</td>
            <td>{r.numero.clone()}</td>
            <td>{r.created.clone()}</td>
            <td>{r.updated.clone()}</td>
            <td>{r.etat.label()}</td>
            <td>
                <form method="get" action="/monespace/aller" class="permis-row-action">
                    <input type="hidden" name="id" value=r.id />
                    <label class="fr-sr-only" for=select_id.clone()>
                        {format!("Action pour la demande N° {}", r.numero)}
                    </label>
                    <select class="fr-select" id=select_id name="action">
                        {waiting.then(|| view! { <option value="valider">"Valider"</option> })}
                        <option value="consulter">"Consulter"</option>
                    </select>
                    <button class="fr-btn fr-btn--sm" type="submit">
                        "OK"
                        <span class="fr-sr-only">{format!(" — demande N° {}", r.numero)}</span>
                    </button>
                </form>
            </td>
        </tr>
    }
}
