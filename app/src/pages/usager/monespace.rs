//! The candidate's home: « Mon espace », with « Mes démarches en cours ».

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::usager::{mes_demarches, mon_espace, Demarche, EspaceConducteur, ONGLETS};
use crate::components::franceconnect::FranceConnectButton;
use crate::components::guard::RequireRole;
use crate::components::layout::LastLogin;
use crate::components::loader::use_page_data;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Etat;
use crate::domain::messages::{pieces, MessagePart};
use crate::routes::Page;

#[component]
pub fn MonEspacePage() -> impl IntoView {
    // Each tab is a page of its own, with its own title.
    let query = use_query_map();
    let title_of = |q: &leptos_router::params::ParamsMap| {
        let o = q.get("onglet").unwrap_or_default();
        match ONGLETS
            .iter()
            .find(|(code, _)| *code == o && *code != "demarches")
        {
            Some((_, label)) => format!("{label} — Mon espace"),
            None => "Mes démarches en cours — Mon espace".to_string(),
        }
    };
    // The server writes the title once the page is drawn, maybe after the page's reactive
    // values are gone (seen under load: a panic per request): it then uses the title computed
    // now.
    let first_title = query.with_untracked(title_of);
    let title = move || {
        query
            .try_with(title_of)
            .unwrap_or_else(|| first_title.clone())
    };
    view! {
        <Title text=title />
        <RequireRole roles=&[Role::Usager] espace=Espace::Usager children=|user| {
            view! {
                <div class="fr-container fr-my-6w">
                    <h1>"Mon espace"</h1>
                    <p class="fr-text--lead fr-mb-1w">{format!("Bienvenue, {}", user.display_name())}</p>
                    <LastLogin user=user.clone() />
                    <FranceConnectLink relie=user.franceconnect_relie />
                    <Demarches />
                </div>
            }
        } />
    }
}

/// « Reliez FranceConnect à votre compte », or that it is (after linking: a confirmation).
#[component]
fn FranceConnectLink(relie: bool) -> impl IntoView {
    let query = use_query_map();
    let just_linked = query.with_untracked(|q| q.get("franceconnect").as_deref() == Some("relie"));
    let just_unlinked =
        query.with_untracked(|q| q.get("franceconnect").as_deref() == Some("delie"));
    // Asked only of a linked account (an account without a password is one).
    let compte =
        relie.then(|| use_page_data(|| (), |_| crate::api::connexion::compte_sans_mot_de_passe()));
    let sans_mot_de_passe = move || {
        compte
            .and_then(|c| c.get())
            .and_then(|r| r.ok())
            .is_some_and(|s| s.0)
    };
    if !crate::components::franceconnect::offered() {
        return None;
    }
    Some(if relie {
        view! {
            {just_linked
                .then(|| {
                    view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>"FranceConnect est relié à votre compte : la prochaine fois, choisissez « S’identifier avec FranceConnect »."</p>
                        </div>
                    }
                })}
            {move || if sans_mot_de_passe() {
                view! {
                    <div class="fr-callout fr-mb-4w">
                        <h2 class="fr-callout__title fr-h5">"Votre compte n’a pas de mot de passe"</h2>
                        <p class="fr-callout__text">
                            "Vous vous connectez avec FranceConnect. S’il est indisponible, ou si votre identité y change, vous ne pourriez plus vous connecter : choisissez aussi un mot de passe et une question secrète."
                        </p>
                        <a class="fr-btn fr-btn--secondary" href=crate::routes::Page::ChangerMotDePasse.href()>
                            "Choisir un mot de passe"
                        </a>
                    </div>
                }
                .into_any()
            } else {
                view! {
                    <p class="fr-text--sm fr-mb-1w">"Votre compte est relié à FranceConnect."</p>
                    <form method="post" action=crate::routes::FC_DELIER class="fr-mb-4w">
                        <button class="fr-btn fr-btn--tertiary fr-btn--sm" type="submit">
                            "Délier FranceConnect"
                        </button>
                    </form>
                }
                .into_any()
            }}
        }
        .into_any()
    } else {
        view! {
            {just_unlinked
                .then(|| {
                    view! {
                        <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                            <p>"FranceConnect n’est plus relié à votre compte : connectez-vous avec votre identifiant et votre mot de passe."</p>
                        </div>
                    }
                })}
            <div class="fr-callout fr-mb-4w">
                <h2 class="fr-callout__title fr-h5">"Connectez-vous plus simplement"</h2>
                <p class="fr-callout__text">
                    "Reliez FranceConnect à votre compte : vous vous connecterez ensuite sans mot de passe, et votre identité certifiée sera comparée à ce que votre école saisit."
                </p>
                <FranceConnectButton action=crate::routes::FC_LIER />
            </div>
        }
        .into_any()
    })
}

#[component]
fn Demarches() -> impl IntoView {
    let query = use_query_map();
    let q = move || query.read().get("q").filter(|v| !v.is_empty());
    let onglet = move || {
        let o = query.read().get("onglet").unwrap_or_default();
        ONGLETS
            .iter()
            .find(|(code, _)| *code == o)
            .map(|(code, _)| *code)
            .unwrap_or("demarches")
    };
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
    // Paper forms to post (or late): the candidate has something to do.
    let papers = move || {
        list.get()
            .and_then(|r| r.ok())
            .map(|rows| {
                rows.into_iter()
                    .filter(|r| r.etat.awaits_paper_form())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    view! {
        <section class="fr-mt-4w" aria-labelledby="notifications-title">
            <h2 id="notifications-title" class="fr-h4">"Mes notifications"</h2>
            {move || {
                papers()
                    .into_iter()
                    .map(|r| {
                        let text = if r.etat == Etat::PapierNonRecu {
                            format!("Le formulaire photo-signature de la demande N° {} n'est pas arrivé au centre de traitement : envoyez-le sans tarder. ", r.numero)
                        } else {
                            format!("Dernière étape de la demande N° {} : envoyez le formulaire photo-signature au centre de traitement. ", r.numero)
                        };
                        view! {
                            <div class="fr-notice fr-notice--info fr-mb-2w">
                                <div class="fr-container">
                                    <div class="fr-notice__body">
                                        <p class="fr-notice__title">
                                            {text}
                                            <a href=Page::DemandeUsager { id: r.id }.href()>{format!("Voir la demande N° {}", r.numero)}</a>
                                        </p>
                                    </div>
                                </div>
                            </div>
                        }
                    })
                    .collect_view()
            }}
            {move || match waiting() {
                0 if papers().is_empty() => view! { <p>"Vous n'avez aucune nouvelle notification."</p> }.into_any(),
                0 => ().into_any(),
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
                                    <a href=Page::AValider.href()>"Voir la demande à valider"</a>
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
        <Onglets current=onglet() />
        {move || (onglet() != "demarches").then(|| view! { <AutreOnglet onglet=onglet() /> })}
        <div hidden=move || onglet() != "demarches">
        <h3 class="fr-h6" id="demarches-title">"Mes démarches en cours"</h3>
        <form method="get" action=Page::MonEspace.href() role="search" class="fr-search-bar fr-mb-3w permis-search" id="recherche-demarches">
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
        </div>
        </section>
    }
}

#[component]
fn DemarchesTable(rows: Vec<Demarche>) -> impl IntoView {
    view! {
        <div class="fr-table permis-demarches">
            <table role="table" aria-labelledby="demarches-title">
                <thead>
                    <tr role="row">
                        <th role="columnheader" scope="col">"Prénom"</th>
                        <th role="columnheader" scope="col">"Nom"</th>
                        <th role="columnheader" scope="col">"Numéro"</th>
                        <th role="columnheader" scope="col">"Date de création"</th>
                        <th role="columnheader" scope="col">"Date de mise à jour"</th>
                        <th role="columnheader" scope="col">"État"</th>
                        <th role="columnheader" scope="col">"Action"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|r| view! { <DemarcheRow r /> }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
fn DemarcheRow(r: Demarche) -> impl IntoView {
    let select_id = format!("action-{}", r.id);
    let waiting = r.etat == Etat::AttenteUsager;
    view! {
        <tr role="row">
            <td role="cell" data-label="Prénom">{r.prenom.clone()}</td>
            <td role="cell" data-label="Nom">{r.nom.clone()}</td>
            <td role="cell" data-label="Numéro">{r.numero.clone()}</td>
            <td role="cell" data-label="Date de création">{r.created.clone()}</td>
            <td role="cell" data-label="Date de mise à jour">{r.updated.clone()}</td>
            <td role="cell" data-label="État">{r.etat.label()}</td>
            <td role="cell" data-label="Action">
                <form method="get" action=crate::routes::ALLER class="permis-row-action">
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

/// The tabs, as links (each tab is its own address, shown by the server before any WASM).
#[component]
fn Onglets(current: &'static str) -> impl IntoView {
    view! {
        <nav class="fr-mb-3w" aria-label="Mon espace conducteur">
            <ul class="fr-btns-group fr-btns-group--inline-md fr-btns-group--sm permis-onglets">
                {ONGLETS
                    .iter()
                    .map(|(code, label)| {
                        let selected = *code == current;
                        view! {
                            <li>
                                <a
                                    class="fr-btn fr-btn--sm"
                                    class:fr-btn--tertiary=!selected
                                    href=Page::MonEspace.href_with(&format!("onglet={code}"))
                                    aria-current=selected.then_some("page")
                                >
                                    {*label}
                                </a>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}

#[component]
fn AutreOnglet(onglet: &'static str) -> impl IntoView {
    let espace = use_page_data(|| (), |_| mon_espace());
    move || {
        match espace.get() {
        None => view! { <p>"Chargement…"</p> }.into_any(),
        Some(Err(e)) => view! { <div class="fr-alert fr-alert--error" role="alert"><p>{e.to_string()}</p></div> }.into_any(),
        Some(Ok(e)) => match onglet {
            "documents" => view! { <Documents e /> }.into_any(),
            "messages" => view! { <Messages e /> }.into_any(),
            _ => view! { <DonneesPersonnelles e /> }.into_any(),
        },
    }
    }
}

#[component]
fn Documents(e: EspaceConducteur) -> impl IntoView {
    view! {
        <h3 class="fr-h6">"Mes documents"</h3>
        {if e.documents.is_empty() {
            view! { <p>"Vos justificatifs et formulaires apparaîtront ici quand vous aurez validé une demande."</p> }.into_any()
        } else {
            view! {
                <ul class="permis-documents">
                    {e.documents
                        .into_iter()
                        .map(|d| {
                            view! {
                                <li class="fr-mb-1w">
                                    <a class="fr-link fr-icon-download-line fr-link--icon-left" href=d.href download="">
                                        {format!("{} — demande N° {} (PDF)", d.title, d.numero)}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
}

#[component]
fn Messages(e: EspaceConducteur) -> impl IntoView {
    view! {
        <h3 class="fr-h6">"Mes messages"</h3>
        <p class="fr-text--sm">"Les courriels et SMS que le service vous a envoyés, du plus récent au plus ancien. Les liens personnels (activation, mot de passe) ne sont pas conservés."</p>
        {if e.messages.is_empty() {
            view! { <p>"Aucun message."</p> }.into_any()
        } else {
            view! {
                <ul class="permis-mailbox">
                    {e.messages
                        .into_iter()
                        .map(|m| {
                            let title = if m.sms { "SMS".to_string() } else { m.subject.clone() };
                            view! {
                                <li class="fr-card fr-mb-2w">
                                    <div class="fr-card__body">
                                        <div class="fr-card__content">
                                            <h4 class="fr-card__title fr-h6">{title}</h4>
                                            <p class="fr-card__detail">
                                                {format!("{} le {}{}", if m.sms { "SMS envoyé" } else { "Courriel envoyé" }, m.created, if m.delivered { "" } else { " (en cours d'envoi)" })}
                                            </p>
                                            <div class="fr-card__desc permis-sent-message">
                                                {pieces(&m.body)
                                                    .into_iter()
                                                    .map(|p| match p {
                                                        MessagePart::Link(url) => view! {
                                                            <p><a class="fr-link" href=url.clone()>{url.clone()}</a></p>
                                                        }
                                                        .into_any(),
                                                        MessagePart::Text(lines) => view! {
                                                            <p>
                                                                {lines
                                                                    .into_iter()
                                                                    .enumerate()
                                                                    .map(|(i, l)| view! { {(i > 0).then(|| view! { <br /> })} {l} })
                                                                    .collect_view()}
                                                            </p>
                                                        }
                                                        .into_any(),
                                                    })
                                                    .collect_view()}
                                            </div>
                                        </div>
                                    </div>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            }
            .into_any()
        }}
    }
}

#[component]
fn DonneesPersonnelles(e: EspaceConducteur) -> impl IntoView {
    let d = e.donnees;
    let rows = [
        ("Identifiant de connexion", d.identifiant),
        ("Prénom", d.prenom),
        ("Nom", d.nom),
        ("Sexe", d.sexe),
        ("Adresse électronique", d.email),
        ("Téléphone portable", d.telephone),
        ("Adresse", d.adresse),
        ("Compte activé le", d.activated),
    ];
    view! {
        <h3 class="fr-h6">"Mes données personnelles"</h3>
        <dl class="permis-recap">
            {rows
                .into_iter()
                .map(|(label, value)| {
                    view! {
                        <div class="permis-recap__row">
                            <dt>{label}</dt>
                            <dd>{if value.is_empty() { "—".to_string() } else { value }}</dd>
                        </div>
                    }
                })
                .collect_view()}
        </dl>
        <p class="fr-text--sm">
            "Ces informations viennent de votre dernière demande. Pour les corriger, refusez une demande en attente et indiquez l'erreur, ou adressez-vous à votre école de conduite."
        </p>
    }
}
