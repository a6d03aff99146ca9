//! The driving school's home: « Mes demandes ».

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{Form, A};
use leptos_router::hooks::use_query_map;

use crate::api::connexion::CurrentUser;
use crate::api::ecole::{
    list_demandes, ListPage, NouvelleDemande, RenvoyerLien, SupprimerBrouillon,
};
use crate::components::guard::RequireRole;
use crate::components::layout::LastLogin;
use crate::components::loader::{respond_with, use_page_data};
use crate::components::table::Pagination;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Etat;
use crate::flash::use_flash;
use server_fn::ServerFn;

use crate::routes::Page;

#[component]
pub fn MesDemandesPage() -> impl IntoView {
    view! {
        <Title text="Mes demandes" />
        <RequireRole roles=&[Role::Ecole] espace=Espace::Pro children=|user| view! { <MesDemandes user /> } />
    }
}

#[component]
fn MesDemandes(user: CurrentUser) -> impl IntoView {
    let query = use_query_map();
    let param = move |k: &str| query.read().get(k).filter(|v| !v.is_empty());
    let list = use_page_data(
        move || {
            (
                param("q"),
                param("etat"),
                param("tri"),
                param("page").and_then(|p| p.parse::<u32>().ok()),
            )
        },
        |(q, etat, tri, page)| list_demandes(q, etat, tri, page),
    );
    let validee = move || param("validee");
    let renvoye = move || param("lien-renvoye");
    let supprime = move || param("brouillon-supprime").is_some();
    let complement_envoye = move || param("complement-envoye");
    // « Supprimer » on a draft's row asks first (a page of its own, so it works without the
    // WASM): the draft and its files are deleted for good.
    let a_supprimer = move || param("supprimer").and_then(|v| v.parse::<i64>().ok());
    let resend_error = use_flash::<()>().map(|f| f.error);

    view! {
        <div class="fr-container fr-my-6w">
            <h1>"Mes demandes"</h1>
            <p class="fr-mb-1w">
                {user.school_name.clone().unwrap_or_default()}
                {user.school_agrement.clone().map(|a| format!(" — agrément n° {a}"))}
            </p>
            <LastLogin user=user.clone() />
            {move || {
                validee()
                    .map(|n| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                <h2 class="fr-alert__title">{format!("Demande n° {n} validée")}</h2>
                                <p>
                                    "Elle est maintenant « En attente de validation usager » : le candidat va recevoir un courriel et un SMS pour la vérifier et la valider."
                                </p>
                            </div>
                        }
                    })
            }}
            {move || {
                renvoye()
                    .map(|n| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                <h2 class="fr-alert__title">{format!("Nouveau lien envoyé pour la demande n° {n}")}</h2>
                                <p>
                                    "Le candidat le reçoit par courriel et par SMS. Il est valable 7 jours ; les liens envoyés avant ne fonctionnent plus."
                                </p>
                            </div>
                        }
                    })
            }}
            {move || {
                complement_envoye()
                    .map(|n| {
                        view! {
                            <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                                <h2 class="fr-alert__title">{format!("Complément de la demande n° {n} envoyé")}</h2>
                                <p>"Le centre reprend l'instruction avec les éléments remplacés. Vous serez informé(e) de sa décision par courriel."</p>
                            </div>
                        }
                    })
            }}
            {resend_error
                .map(|e| {
                    view! {
                        <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
                            <h2 class="fr-alert__title">"L'action n'a pas abouti"</h2>
                            <p>{e.to_string()}</p>
                        </div>
                    }
                })}
            {move || view! { <DraftDeletion list deleted=supprime() asked=a_supprimer() /> }.into_any()}
            <NewDemandeButton />
            <Form method="GET" action="" attr:class="permis-filters" attr:role="search" attr:aria-label="Rechercher dans mes demandes">
                <div class="fr-grid-row fr-grid-row--gutters fr-grid-row--bottom">
                    <div class="fr-col-12 fr-col-md-5">
                        <div class="fr-input-group">
                            <label class="fr-label" for="q">
                                "Rechercher"
                                <span class="fr-hint-text">"Numéro, nom ou prénom du candidat"</span>
                            </label>
                            <input class="fr-input" type="search" id="q" name="q" value=move || param("q") />
                        </div>
                    </div>
                    <div class="fr-col-12 fr-col-md-3">
                        <div class="fr-select-group">
                            <label class="fr-label" for="etat">"État"</label>
                            <select class="fr-select" id="etat" name="etat">
                                <option value="" selected=move || param("etat").is_none()>"Tous les états"</option>
                                {Etat::ALL
                                    .iter()
                                    .map(|e| {
                                        let code = e.code();
                                        view! {
                                            <option value=code selected=move || param("etat").as_deref() == Some(code)>
                                                {e.label()}
                                            </option>
                                        }
                                    })
                                    .collect_view()}
                            </select>
                        </div>
                    </div>
                    <div class="fr-col-12 fr-col-md-2">
                        <div class="fr-select-group">
                            <label class="fr-label" for="tri">"Tri"</label>
                            <select class="fr-select" id="tri" name="tri">
                                <option value="recentes" selected=move || param("tri").as_deref() != Some("anciennes")>
                                    "Plus récentes"
                                </option>
                                <option value="anciennes" selected=move || param("tri").as_deref() == Some("anciennes")>
                                    "Plus anciennes"
                                </option>
                            </select>
                        </div>
                    </div>
                    <div class="fr-col-12 fr-col-md-2">
                        <button class="fr-btn fr-btn--secondary fr-mb-3v" type="submit">"Filtrer"</button>
                    </div>
                </div>
            </Form>
            {move || match list.get() {
                None => view! { <p>"Chargement des demandes…"</p> }.into_any(),
                Some(Ok(page)) => view! { <DemandesTable page /> }.into_any(),
                Some(Err(e)) => {
                        respond_with(&e);
                        view! {
                    <div class="fr-alert fr-alert--error" role="alert">
                        <p>{e.to_string()}</p>
                    </div>
                }
                .into_any()
                    },
            }}
        </div>
    }
}

fn badge(etat: Etat) -> &'static str {
    match etat {
        Etat::Brouillon => "fr-badge fr-badge--sm fr-badge--info",
        Etat::AttenteUsager => "fr-badge fr-badge--sm fr-badge--new",
        Etat::Transmise => "fr-badge fr-badge--sm fr-badge--success",
        Etat::AttentePapier => "fr-badge fr-badge--sm fr-badge--warning",
        Etat::RefuseeUsager | Etat::PapierNonRecu => "fr-badge fr-badge--sm fr-badge--error",
        Etat::Supprimee | Etat::ClasseeSansSuite => "fr-badge fr-badge--sm",
        Etat::ComplementDemande => "fr-badge fr-badge--sm fr-badge--warning",
        Etat::ComplementRecu => "fr-badge fr-badge--sm fr-badge--info",
        Etat::Inscrite => "fr-badge fr-badge--sm fr-badge--success",
        Etat::Rejetee => "fr-badge fr-badge--sm fr-badge--error",
    }
}

#[component]
fn DemandesTable(page: ListPage) -> impl IntoView {
    let query = use_query_map();
    let page_href = move |n: u32| {
        let q = query.read();
        let mut params: Vec<(String, String)> = ["q", "etat", "tri"]
            .iter()
            .filter_map(|k| {
                q.get(k)
                    .filter(|v| !v.is_empty())
                    .map(|v| (k.to_string(), v))
            })
            .collect();
        params.push(("page".into(), n.to_string()));
        let qs: Vec<String> = params
            .iter()
            .map(|(k, v)| format!("{k}={}", crate::routes::urlencode(v)))
            .collect();
        Page::EcoleDemandes.href_with(&qs.join("&"))
    };
    let ListPage {
        rows,
        total,
        page: current,
        pages,
    } = page;
    view! {
        <p class="fr-mt-3w" aria-live="polite">
            {match total {
                0 => "Aucune demande ne correspond.".to_string(),
                1 => "1 demande".to_string(),
                n => format!("{n} demandes"),
            }}
        </p>
        <div class="fr-table fr-table--no-caption">
            <div class="fr-table__wrapper">
                <div class="fr-table__container">
                    <div class="fr-table__content">
                        <table>
                            <caption>"Demandes de permis de conduire de l'école"</caption>
                            <thead>
                                <tr>
                                    <th scope="col">"Numéro"</th>
                                    <th scope="col">"Prénom"</th>
                                    <th scope="col">"Nom"</th>
                                    <th scope="col">"Catégories"</th>
                                    <th scope="col">"Date de création"</th>
                                    <th scope="col">"Date de mise à jour"</th>
                                    <th scope="col">"État"</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows
                                    .into_iter()
                                    .map(|r| {
                                        let href = r.href();
                                        let candidat = format!("{} {}", r.prenom, r.nom);
                                        let delete_label = if candidat.trim().is_empty() {
                                            format!(" le brouillon créé le {}", r.created)
                                        } else {
                                            format!(" le brouillon de {candidat}")
                                        };
                                        let label = r.numero.clone().unwrap_or_else(|| "Brouillon".to_string());
                                        let action = match r.etat {
                                            Etat::Brouillon => format!("Reprendre la demande de {} {}", r.prenom, r.nom),
                                            _ => format!("Consulter la demande {label}"),
                                        };
                                        view! {
                                            <tr>
                                                <td>
                                                    <A href=href attr:title=action>{label}</A>
                                                </td>
                                                <td>{r.prenom}</td>
                                                <td>{r.nom}</td>
                                                <td>{r.categories}</td>
                                                <td>{r.created}</td>
                                                <td>{r.updated}</td>
                                                <td>
                                                    <p class=badge(r.etat)>{r.etat.label()}</p>
                                                    {r.echeance.map(|e| view! { <p class="fr-text--xs fr-mb-0 fr-mt-1v">{e}</p> })}
                                                    {r.renvois_restants.map(|left| view! {
                                                        <ResendLink id=r.id done=r.liens_renvoyes left candidat=candidat.clone() />
                                                    })}
                                                    {(r.etat == Etat::Brouillon).then(|| view! {
                                                        <a
                                                            class="fr-link fr-link--sm fr-icon-delete-line fr-link--icon-left"
                                                            href=Page::EcoleDemandes.href_with(&format!("supprimer={}", r.id))
                                                        >
                                                            "Supprimer"
                                                            <span class="fr-sr-only">
                                                                {delete_label.clone()}
                                                            </span>
                                                        </a>
                                                    })}
                                                </td>
                                            </tr>
                                        }
                                    })
                                    .collect_view()}
                            </tbody>
                        </table>
                    </div>
                </div>
            </div>
        </div>
        {(pages > 1)
            .then(|| view! { <Pagination current pages href=page_href label="Pagination" /> })}
    }
}

/// « Nouvelle demande »: creates a draft and opens its first step. When that takes long (a
/// server starting, a busy machine, the stepper's code still loading), the page says so
/// rather than leave a pressed button: after 8 s it explains, and once the draft exists it
/// offers a plain link to it.
#[component]
fn NewDemandeButton() -> impl IntoView {
    let nouvelle = ServerAction::<NouvelleDemande>::new();
    let slow = RwSignal::new(false);
    #[cfg(feature = "hydrate")]
    {
        let round = StoredValue::new(0u64);
        Effect::new(move |_| {
            let pending = nouvelle.pending().get();
            let created = matches!(nouvelle.value().get(), Some(Ok(_)));
            slow.set(false);
            let this = round.get_value() + 1;
            round.set_value(this);
            if pending || created {
                set_timeout(
                    move || {
                        if round.get_value() == this {
                            slow.set(true);
                        }
                    },
                    std::time::Duration::from_secs(8),
                );
            }
        });
    }
    view! {
        <ActionForm action=nouvelle attr:class="fr-my-3w">
            <button type="submit" class="fr-btn fr-icon-add-line fr-btn--icon-left" disabled=move || nouvelle.pending().get() && !slow.get()>
                {move || if nouvelle.pending().get() { "Création de la demande…" } else { "Nouvelle demande" }}
            </button>
        </ActionForm>
        {move || {
            let created = nouvelle.value().get();
            match (slow.get(), created) {
                (_, Some(Err(e))) => view! {
                    <div class="fr-alert fr-alert--error fr-alert--sm fr-mb-3w" role="alert">
                        <p>{format!("La demande n'a pas été créée : {e}")}</p>
                    </div>
                }
                .into_any(),
                (true, Some(Ok(id))) => view! {
                    <div class="fr-alert fr-alert--info fr-alert--sm fr-mb-3w" role="status">
                        <p>
                            "La demande est créée, mais son ouverture prend plus de temps que d'habitude. "
                            <a href=Page::Etape { id, n: 1 }.href() rel="external">"Ouvrir la demande"</a>
                        </p>
                    </div>
                }
                .into_any(),
                (true, None) => view! {
                    <div class="fr-alert fr-alert--warning fr-alert--sm fr-mb-3w" role="status">
                        <p>
                            "Le service met plus de temps que d'habitude à répondre. Patientez encore un instant ; si rien ne se passe, rechargez la page : une demande créée entre-temps figure dans la liste comme brouillon."
                        </p>
                    </div>
                }
                .into_any(),
                _ => ().into_any(),
            }
        }}
    }
    .into_any()
}

/// « Supprimer » on a draft: the confirmation it asks first, then the notice that it is done.
#[component]
fn DraftDeletion(
    list: RwSignal<Option<Result<ListPage, crate::error::AppError>>>,
    deleted: bool,
    asked: Option<i64>,
) -> impl IntoView {
    let supprime = move || deleted;
    let a_supprimer = move || asked;
    view! {
            {supprime().then(|| view! {
                <div class="fr-alert fr-alert--success fr-mb-3w" role="status">
                    <p>"Le brouillon et ses pièces ont été supprimés."</p>
                </div>
            })}
            {a_supprimer().map(|id| {
                let who = list.with(|l| {
                    l.as_ref()
                        .and_then(|r| r.as_ref().ok())
                        .and_then(|p| p.rows.iter().find(|r| r.id == id))
                        .map(|r| format!("{} {}", r.prenom, r.nom).trim().to_string())
                        .filter(|n| !n.is_empty())
                });
                view! {
                    <div class="fr-alert fr-alert--warning fr-mb-3w" role="alertdialog" aria-labelledby="supprimer-titre">
                        <h2 class="fr-alert__title" id="supprimer-titre">
                            {match who {
                                Some(n) => format!("Supprimer le brouillon de {n} ?"),
                                None => "Supprimer ce brouillon ?".to_string(),
                            }}
                        </h2>
                        <p>"Ce qui a été saisi et les pièces déposées seront effacés définitivement."</p>
                        <form method="post" action=SupprimerBrouillon::PATH class="fr-mt-2w">
                            <input type="hidden" name="id" value=id />
                            <ul class="fr-btns-group fr-btns-group--inline-sm">
                                <li>
                                    <button type="submit" class="fr-btn fr-icon-delete-line fr-btn--icon-left">"Supprimer définitivement"</button>
                                </li>
                                <li>
                                    <a class="fr-btn fr-btn--secondary" href=Page::EcoleDemandes.href()>"Annuler"</a>
                                </li>
                            </ul>
                        </form>
                    </div>
                }
            })}
    }
    .into_any()
}

/// « Renvoyer le lien » in a row whose candidate has not activated their account: a plain form
/// (works before the WASM loads); the count it carries makes a double click send one link.
#[component]
fn ResendLink(id: i64, done: i64, left: i64, candidat: String) -> impl IntoView {
    if left == 0 {
        return view! {
            <p class="fr-text--xs fr-mb-0 fr-mt-1v">"Lien déjà renvoyé 2 fois"</p>
        }
        .into_any();
    }
    let (sent, set_sent) = signal(false);
    view! {
        <form method="post" action=RenvoyerLien::PATH class="fr-mt-1v" on:submit=move |_| set_sent.set(true)>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="deja" value=done />
            <button type="submit" class="fr-btn fr-btn--sm fr-btn--tertiary fr-icon-mail-line fr-btn--icon-left" disabled=sent>
                "Renvoyer le lien"
                <span class="fr-sr-only">{format!(" d'activation à {candidat}")}</span>
            </button>
            <p class="fr-text--xs fr-mb-0">
                {if left == 1 { "Encore 1 renvoi possible".to_string() } else { format!("Encore {left} renvois possibles") }}
            </p>
        </form>
    }
    .into_any()
}
