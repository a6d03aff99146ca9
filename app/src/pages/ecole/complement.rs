//! The school answers the centre's request for a complement: only the items asked are open
//! (each pièce asked takes new files, each field asked is typed again); everything else stays
//! as validated. Plain forms: it works without the WASM.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::ecole::{complement_ecole, ComplementPage, RenvoyerComplement};
use crate::api::{ItemDemande, PieceFile};
use crate::components::guard::RequireRole;
use crate::components::instruction::InstructionPanel;
use crate::components::loader::DemandePage;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::EtatCivil;
use crate::domain::instruction::{Champ, Item};
use crate::domain::steps::EtatCivilForm;
use crate::domain::upload::UploadProblem;
use crate::error::AppError;
use crate::flash::use_flash;
use crate::routes::{piece_href, piece_upload_href, Page};

#[component]
pub fn ComplementEcolePage() -> impl IntoView {
    view! {
        <RequireRole roles=&[Role::Ecole] espace=Espace::Pro children=|_| view! {
            <DemandePage
                fetch=complement_ecole
                title=|p: &ComplementPage| format!("Complément demandé — demande n° {}", p.view.numero.clone().unwrap_or_default())
                loading="Complément demandé"
                back=Page::EcoleDemandes
                back_label="Retour à mes demandes"
                body=|p| view! { <Body p /> }.into_any()
            />
        } />
    }
}

#[component]
fn Body(p: ComplementPage) -> impl IntoView {
    let query = use_query_map();
    let q = query.read_untracked();
    let deposited = q.get("depot");
    let removed = q.get("supprime");
    let upload_problem = q.get("erreur").and_then(|code| {
        let n = |k: &str| q.get(k).and_then(|v| v.parse::<u32>().ok()).unwrap_or(0);
        Some((
            q.get("piece").unwrap_or_default(),
            UploadProblem::parse(&code, n("pages"), n("max"))?,
        ))
    });
    drop(q);
    let flash = use_flash::<EtatCivilForm>();
    let typed = flash.as_ref().map(|f| f.form.clone());
    let error = flash.map(|f| f.error);
    let d = p.view.clone();
    let id = d.id;
    let numero = d.numero.clone().unwrap_or_default();
    let (prenom, nom) = d.data.listing_names();
    let items: Vec<ItemDemande> = d
        .instruction
        .as_ref()
        .and_then(|i| i.complement.clone())
        .map(|c| c.items)
        .unwrap_or_default();
    let champs: Vec<ItemDemande> = items
        .iter()
        .filter(|i| matches!(i.item, Item::Champ(_)))
        .cloned()
        .collect();
    let pieces: Vec<ItemDemande> = items
        .iter()
        .filter(|i| matches!(i.item, Item::Piece(_)))
        .cloned()
        .collect();
    let ec = d.data.etat_civil.clone();
    view! {
        <nav class="fr-mb-2w">
            <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href=Page::EcoleDemandes.href()>"Retour à mes demandes"</a>
        </nav>
        <h1>{format!("Complément demandé — demande n° {numero}")}</h1>
        <p>{format!("{prenom} {nom}")}</p>
        {deposited.map(|k| view! {
            <div class="fr-alert fr-alert--success fr-alert--sm fr-mb-3w" role="status">
                <p>{format!("Document déposé : {}.", crate::domain::demande::Piece::parse(&k).map(|p| p.label()).unwrap_or(""))}</p>
            </div>
        })}
        {removed.map(|_| view! {
            <div class="fr-alert fr-alert--info fr-alert--sm fr-mb-3w" role="status"><p>"Fichier supprimé."</p></div>
        })}
        {error.clone().map(|e| view! {
            <div class="fr-alert fr-alert--error fr-mb-3w" role="alert">
                <h2 class="fr-alert__title">"Le complément n'est pas encore complet"</h2>
                <p>{e.to_string()}</p>
                <ul>{e.field_errors().into_iter().map(|f| view! { <li>{f.message}</li> }).collect_view()}</ul>
            </div>
        })}
        {d.instruction.clone().map(|instruction| view! { <InstructionPanel id instruction ecole=true /> })}

        {(!pieces.is_empty()).then(|| view! {
            <h2 class="fr-h4">"Documents à remplacer"</h2>
            {pieces
                .into_iter()
                .map(|item| {
                    let Item::Piece(piece) = item.item else { return ().into_any() };
                    let files: Vec<PieceFile> = d.pieces.iter().filter(|f| f.kind == piece).cloned().collect();
                    let problem = upload_problem.clone().filter(|(k, _)| k == piece.code()).map(|(_, p)| p.message());
                    view! { <PieceAReplacer id item files nouveaux=p.nouveaux.clone() problem /> }.into_any()
                })
                .collect_view()}
        })}

        <form method="post" action=RenvoyerComplement::PATH novalidate=true class="fr-mt-4w">
            <input type="hidden" name="id" value=id />
            {(!champs.is_empty()).then(|| view! {
                <h2 class="fr-h4">"État civil à corriger"</h2>
                {champs
                    .into_iter()
                    .map(|item| view! { <ChampACorriger item ec=ec.clone() typed=typed.clone() error=error.clone() /> })
                    .collect_view()}
            })}
            <p class="fr-text--sm">"Le centre reçoit les éléments remplacés ; la demande reprend son instruction là où elle en était."</p>
            <button type="submit" class="fr-btn fr-btn--icon-left fr-icon-send-plane-line">"Renvoyer au centre"</button>
        </form>
    }
    .into_any()
}

/// A pièce asked: why, the versions sent before (replaced when the complement goes back), the
/// new files and the form to deposit one.
#[component]
fn PieceAReplacer(
    id: i64,
    item: ItemDemande,
    files: Vec<PieceFile>,
    nouveaux: Vec<i64>,
    problem: Option<String>,
) -> impl IntoView {
    let Item::Piece(piece) = item.item else {
        return ().into_any();
    };
    let code = piece.code();
    let (new_files, old_files): (Vec<PieceFile>, Vec<PieceFile>) =
        files.into_iter().partition(|f| nouveaux.contains(&f.id));
    let input_id = format!("fichier-{code}");
    let has_problem = problem.is_some();
    view! {
        <section class="fr-mb-4w" id=format!("piece-{code}") aria-labelledby=format!("piece-{code}-titre")>
            <h3 class="fr-h6" id=format!("piece-{code}-titre")>{piece.label()}</h3>
            <p class="fr-badge fr-badge--sm fr-badge--warning">{format!("Non conforme : {}", item.motif)}</p>
            {item.commentaire.map(|c| view! { <p class="fr-text--sm">{format!("Commentaire du centre : {c}")}</p> })}
            {(!old_files.is_empty()).then(|| view! {
                <p class="fr-text--sm fr-mb-1v">"Version refusée (remplacée à l'envoi du complément) :"</p>
                <ul class="fr-text--sm">
                    {old_files.into_iter().map(|f| view! {
                        <li><a href=piece_href(id, f.id, "fichier") download="">{f.filename}</a></li>
                    }).collect_view()}
                </ul>
            })}
            {if new_files.is_empty() {
                view! { <p class="fr-text--sm">"Aucun nouveau document déposé pour l'instant."</p> }.into_any()
            } else {
                view! {
                    <p class="fr-text--sm fr-mb-1v">"Nouveau document :"</p>
                    <ul>
                        {new_files.into_iter().map(|f| {
                            let name = f.filename.clone();
                            view! {
                                <li>
                                    <a href=piece_href(id, f.id, "fichier") download="">{f.filename}</a>
                                    {format!(" ({})", crate::domain::formats::plural(f.pages, "page", "pages"))}
                                    <form method="post" action=piece_href(id, f.id, "supprimer") class="permis-inline-form">
                                        <button type="submit" class="fr-btn fr-btn--sm fr-btn--tertiary-no-outline fr-icon-delete-line fr-btn--icon-left">
                                            "Supprimer"<span class="fr-sr-only">{format!(" {name}")}</span>
                                        </button>
                                    </form>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }
                .into_any()
            }}
            <form method="post" enctype="multipart/form-data" action=piece_upload_href(id, code)>
                <div class="fr-upload-group" class:fr-input-group--error=has_problem>
                    <label class="fr-label" for=input_id.clone()>
                        {format!("Déposer le nouveau document : {}", piece.label())}
                        <span class="fr-hint-text">
                            {format!("PDF, JPEG ou PNG, 10 Mo au plus, {} au plus.", crate::domain::formats::plural(piece.max_pages() as i64, "page", "pages"))}
                        </span>
                    </label>
                    <input class="fr-upload" type="file" id=input_id name="fichier" accept=".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png" />
                    {problem.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                </div>
                <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary fr-mt-1w">
                    "Déposer"<span class="fr-sr-only">{format!(" : {}", piece.label())}</span>
                </button>
            </form>
        </section>
    }
    .into_any()
}

/// A field asked: why, and its input with the value entered before (or just typed).
#[component]
fn ChampACorriger(
    item: ItemDemande,
    ec: Option<EtatCivil>,
    typed: Option<EtatCivilForm>,
    error: Option<AppError>,
) -> impl IntoView {
    let Item::Champ(champ) = item.item else {
        return ().into_any();
    };
    let current = ec.map(|e| EtatCivilForm::from_step(&e)).unwrap_or_default();
    let form = typed.unwrap_or(current);
    let fields: Vec<(&'static str, &'static str, Option<String>)> = match champ {
        Champ::NomNaissance => vec![("nom_naissance", "Nom de naissance", form.nom_naissance)],
        Champ::NomUsage => vec![("nom_usage", "Nom d'usage (facultatif)", form.nom_usage)],
        Champ::Prenoms => vec![("prenoms", "Prénoms", form.prenoms)],
        Champ::DateNaissance => vec![(
            "date_naissance",
            "Date de naissance (JJ/MM/AAAA)",
            form.date_naissance.map(|v| {
                crate::domain::date::Date::parse(&v)
                    .map(|d| d.french())
                    .unwrap_or(v)
            }),
        )],
        Champ::LieuNaissance => vec![
            ("pays_naissance", "Pays de naissance", form.pays_naissance),
            (
                "commune_naissance",
                "Commune de naissance",
                form.commune_naissance,
            ),
            (
                "departement_naissance",
                "Département de naissance (naissance en France)",
                form.departement_naissance,
            ),
        ],
        Champ::Nationalite => vec![("nationalite", "Nationalité", form.nationalite)],
    };
    view! {
        <fieldset class="fr-fieldset fr-mb-2w" aria-labelledby=format!("champ-{}-legend", champ.code())>
            <legend class="fr-fieldset__legend" id=format!("champ-{}-legend", champ.code())>
                {champ.label()}
                <span class="fr-hint-text">
                    {format!("Non conforme : {}{}", item.motif, item.commentaire.map(|c| format!(" — {c}")).unwrap_or_default())}
                </span>
            </legend>
            {fields
                .into_iter()
                .map(|(key, label, value)| {
                    let message = error.as_ref().and_then(|e| e.field_message(key));
                    let has_error = message.is_some();
                    let input_id = format!("champ-{key}");
                    view! {
                        <div class="fr-fieldset__element">
                            <div class="fr-input-group" class:fr-input-group--error=has_error>
                                <label class="fr-label" for=input_id.clone()>{label}</label>
                                <input class="fr-input" type="text" id=input_id name=format!("form[{key}]") value=value.unwrap_or_default() />
                                {message.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                            </div>
                        </div>
                    }
                })
                .collect_view()}
        </fieldset>
    }
    .into_any()
}
