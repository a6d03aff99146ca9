//! The instruction of one demande by an agent of its centre: every section the school
//! entered, each pièce shown inline next to its verdict, the état-civil fields' verdicts,
//! private notes, and the decisions (complement, accept, reject). Plain forms: every action
//! works without the WASM and comes back here with what happened.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::ServerFn;

use crate::api::pro::{
    instruction, Accepter, AjouterNote, DemanderComplement, EnregistrerVerdict, InstructionTyped,
    InstructionView, Rejeter, Suivre, VerdictView,
};
use crate::api::PieceFile;
use crate::components::guard::RequireRole;
use crate::components::instruction::InstructionPanel;
use crate::components::loader::DemandePage;
use crate::components::recap::RecapSections;
use crate::domain::account::{Espace, Role};
use crate::domain::demande::Piece;
use crate::domain::instruction::{Champ, Item, MotifRejet, NonConformite};
use crate::error::AppError;
use crate::flash::use_flash;
use crate::routes::{piece_href, piece_view_href, Page};

#[component]
pub fn InstructionPage() -> impl IntoView {
    view! {
        <RequireRole roles=&[Role::Agent] espace=Espace::Pro children=|_| view! {
            <DemandePage
                fetch=instruction
                title=|v: &InstructionView| format!("Instruction de la demande n° {}", v.demande.numero.clone().unwrap_or_default())
                loading="Instruction d'une demande"
                back=Page::Pro
                back_label="Retour à la file"
                body=|v| view! { <Body v /> }.into_any()
            />
        } />
    }
}

/// What the last action did (`fait=…` in the address).
fn done_message(fait: &str) -> Option<&'static str> {
    Some(match fait {
        "suivie" => "Vous suivez cette demande : elle est dans « Suivies par moi ».",
        "verdict" => "Verdict enregistré.",
        "note" => "Note ajoutée (visible des seuls agents du centre).",
        "complement" => "Complément demandé : l'école est prévenue par courriel, le candidat par courriel et SMS.",
        "acceptee" => "Demande acceptée : le NEPH est attribué et l'attestation d'inscription envoyée à l'école et au candidat.",
        "rejetee" => "Demande rejetée : la décision motivée est envoyée à l'école et au candidat.",
        _ => return None,
    })
}

#[component]
fn Body(v: InstructionView) -> impl IntoView {
    let query = use_query_map();
    let fait = query.read_untracked().get("fait").unwrap_or_default();
    let flash = use_flash::<InstructionTyped>();
    let typed = flash.as_ref().map(|f| f.form.clone()).unwrap_or_default();
    let error = flash.map(|f| f.error);
    let d = v.demande.clone();
    let id = d.id;
    let numero = d.numero.clone().unwrap_or_default();
    let (prenom, nom) = d.data.listing_names();
    let active = d.etat.to_instruct() && (v.par_moi || v.suivie_par.is_none());
    let verdict_of = |item: Item| v.verdicts.iter().find(|x| x.item == item).cloned();
    // The error of a form goes next to the form that caused it; others on top.
    let item_error = error
        .clone()
        .filter(|_| !typed.item.is_empty())
        .map(|e| (typed.item.clone(), e));
    let top_error = error.clone().filter(|_| typed.item.is_empty());
    // The items a complement brought back, and when.
    let received: Vec<(Item, String)> = d
        .instruction
        .as_ref()
        .and_then(|i| i.complement.clone())
        .and_then(|c| c.recu_le.clone().map(|le| (c, le)))
        .map(|(c, le)| c.items.iter().map(|i| (i.item, le.clone())).collect())
        .unwrap_or_default();
    let non_conformes: Vec<VerdictView> = v
        .verdicts
        .iter()
        .filter(|x| x.non_conformite.is_some())
        .cloned()
        .collect();
    view! {
        <nav class="fr-mb-2w">
            <a class="fr-link fr-icon-arrow-left-line fr-link--icon-left" href=Page::Pro.href()>"Retour à la file"</a>
        </nav>
        <h1>{format!("Instruction de la demande n° {numero}")}</h1>
        <p>
            <strong>{format!("{prenom} {nom}")}</strong>
            {format!(" — {} — département {} — transmise le {}", v.ecole, v.departement, v.transmise)}
        </p>
        <p class="fr-badge fr-badge--info">{d.etat.label()}</p>
        {v.identite_certifiee.clone().map(|le| view! {
            <p class="fr-text--sm">
                <span class="fr-badge fr-badge--success">"Identité certifiée"</span>
                {format!(" Validée le {le} par le candidat identifié avec FranceConnect : l'état civil correspond à son identité certifiée.")}
            </p>
        })}
        {done_message(&fait).map(|m| view! {
            <div class="fr-alert fr-alert--success fr-alert--sm fr-my-3w" role="status"><p>{m}</p></div>
        })}
        {top_error.map(|e| view! {
            <div class="fr-alert fr-alert--error fr-my-3w" role="alert">
                <h2 class="fr-alert__title">"L'action n'a pas abouti"</h2>
                <p>{e.to_string()}</p>
            </div>
        })}
        <Follow id suivie_par=v.suivie_par.clone() par_moi=v.par_moi decided=d.etat.decided_by_the_centre() />

        <h2 class="fr-h4 fr-mt-4w" id="etat-civil">"État civil"</h2>
        <p class="fr-text--sm">"Comparez chaque champ avec la pièce d'identité ; marquez « Non conforme » celui que l'école doit corriger."</p>
        {d.data.etat_civil.clone().map(|e| {
            let fields: Vec<(Champ, String)> = vec![
                (Champ::NomNaissance, e.nom_naissance.clone()),
                (Champ::NomUsage, e.nom_usage.clone().unwrap_or_else(|| "—".into())),
                (Champ::Prenoms, e.prenoms.clone()),
                (Champ::DateNaissance, e.date_naissance.french()),
                (Champ::LieuNaissance, format!("{} ({})", e.commune_naissance, e.pays_naissance)),
                (Champ::Nationalite, e.nationalite.clone()),
            ];
            fields
                .into_iter()
                .map(|(champ, value)| {
                    let item = Item::Champ(champ);
                    let err = item_error.clone().filter(|(i, _)| *i == item.code()).map(|(_, e)| e);
                    let comment = if err.is_some() { typed.commentaire.clone() } else { String::new() };
                    view! {
                        <div class="fr-grid-row fr-grid-row--gutters fr-mb-1w permis-verdict-ligne">
                            <div class="fr-col-12 fr-col-md-4">
                                <p class="fr-mb-0"><strong>{champ.label()}</strong></p>
                                <p class="fr-mb-0">{value}</p>
                            </div>
                            <div class="fr-col-12 fr-col-md-8">
                                <VerdictForm id item current=verdict_of(item) active error=err comment />
                            </div>
                        </div>
                    }
                })
                .collect_view()
        })}

        <h2 class="fr-h4 fr-mt-4w" id="pieces">"Pièces justificatives"</h2>
        {d.required_pieces
            .iter()
            .copied()
            .map(|piece| {
                let files: Vec<PieceFile> = d.pieces.iter().filter(|f| f.kind == piece).cloned().collect();
                let anciennes: Vec<PieceFile> = v.anciennes.iter().filter(|f| f.kind == piece).cloned().collect();
                let item = Item::Piece(piece);
                let recu = received.iter().find(|(i, _)| *i == item).map(|(_, le)| le.clone());
                let err = item_error.clone().filter(|(i, _)| *i == item.code()).map(|(_, e)| e);
                let comment = if err.is_some() { typed.commentaire.clone() } else { String::new() };
                view! { <PieceInstruction id piece files anciennes recu current=verdict_of(item) active error=err comment /> }
            })
            .collect_view()}

        <h2 class="fr-h4 fr-mt-4w">"Le reste de la demande"</h2>
        <RecapSections d=d.clone() editable=false />

        <Notes id notes=v.notes.clone() typed=typed.texte.clone() error=error.clone().filter(|e| e.field_message("texte").is_some()) />

        {d.etat.to_instruct().then(|| view! {
            <Decisions
                id
                active
                non_conformes
                delai=v.delai_complement
                typed=typed.clone()
                error=error.clone().filter(|e| e.field_message("motif").is_some() || e.field_message("motivation").is_some() || e.field_message("delai").is_some())
            />
        })}
        {d.instruction.clone().map(|instruction| view! { <InstructionPanel id instruction ecole=false /> })}
    }
    .into_any()
}

#[component]
fn Follow(id: i64, suivie_par: Option<String>, par_moi: bool, decided: bool) -> impl IntoView {
    match (par_moi, suivie_par) {
        (true, _) => view! { <p class="fr-mt-2w">"Vous suivez cette demande."</p> }.into_any(),
        (false, Some(name)) => view! {
            <div class="fr-alert fr-alert--info fr-alert--sm fr-mt-2w">
                <p>{format!("Suivie par {name} : seul cet agent peut l'instruire.")}</p>
            </div>
        }
        .into_any(),
        (false, None) if !decided => view! {
            <form method="post" action=Suivre::PATH class="fr-mt-2w">
                <input type="hidden" name="id" value=id />
                <button type="submit" class="fr-btn fr-btn--secondary fr-btn--icon-left fr-icon-user-add-line">"Suivre cette demande"</button>
            </form>
        }
        .into_any(),
        _ => ().into_any(),
    }
}

/// A pièce: its files shown inline (images with zoom, PDFs in the browser's viewer), and
/// the verdict.
#[component]
fn PieceInstruction(
    id: i64,
    piece: Piece,
    files: Vec<PieceFile>,
    anciennes: Vec<PieceFile>,
    recu: Option<String>,
    current: Option<VerdictView>,
    active: bool,
    error: Option<AppError>,
    comment: String,
) -> impl IntoView {
    let anchor = Item::Piece(piece).code().replace(':', "-");
    view! {
        <section class="fr-mb-4w permis-piece-instruction" aria-labelledby=format!("{anchor}-titre")>
            <h3 class="fr-h6" id=format!("{anchor}-titre")>{piece.label()}</h3>
            {recu.map(|le| view! {
                <p class="fr-badge fr-badge--sm fr-badge--new">{format!("Nouvelle version reçue le {le}")}</p>
            })}
            {if files.is_empty() {
                view! { <p>"Aucun fichier déposé."</p> }.into_any()
            } else {
                files.into_iter().map(|f| view! { <Apercu id f /> }).collect_view().into_any()
            }}
            {(!anciennes.is_empty()).then(|| view! {
                <details class="fr-mb-2w">
                    <summary class="fr-text--sm">{format!("Versions remplacées ({})", anciennes.len())}</summary>
                    <ul class="fr-text--sm">
                        {anciennes.into_iter().map(|f| view! {
                            <li><a href=piece_view_href(id, f.id) target="_blank" rel="noopener">{f.filename}<span class="fr-sr-only">" (nouvel onglet)"</span></a></li>
                        }).collect_view()}
                    </ul>
                </details>
            })}
            <VerdictForm id item=Item::Piece(piece) current active error comment />
        </section>
    }
}

/// One file, inline, with links to open it in full and to download it.
#[component]
fn Apercu(id: i64, f: PieceFile) -> impl IntoView {
    let view_href = piece_view_href(id, f.id);
    let label = format!("{} — {}", f.kind.label(), f.filename);
    let (zoom, set_zoom) = signal(100u32);
    let body = if f.pdf {
        view! {
            <iframe class="permis-apercu-pdf" src=view_href.clone() title=label.clone()></iframe>
        }
        .into_any()
    } else {
        view! {
            <div class="permis-apercu-image">
                <img src=view_href.clone() alt=label.clone() class=move || format!("permis-zoom-{}", zoom.get()) />
            </div>
            <div class="fr-btns-group fr-btns-group--inline fr-btns-group--sm fr-mt-1w">
                <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" on:click=move |_| set_zoom.update(|z| *z = (*z + 50).min(400))>
                    "Agrandir"<span class="fr-sr-only">{format!(" {label}")}</span>
                </button>
                <button type="button" class="fr-btn fr-btn--sm fr-btn--tertiary" on:click=move |_| set_zoom.update(|z| *z = z.saturating_sub(50).max(50))>
                    "Réduire"<span class="fr-sr-only">{format!(" {label}")}</span>
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        <figure class="fr-mb-2w">
            {body}
            <figcaption class="fr-text--xs">
                {format!("{} ({}) — ", f.filename, crate::domain::formats::plural(f.pages, "page", "pages"))}
                <a href=view_href target="_blank" rel="noopener">"Ouvrir en grand"<span class="fr-sr-only">" (nouvel onglet)"</span></a>
                " — "
                <a href=piece_href(id, f.id, "fichier") download="">"Télécharger"</a>
            </figcaption>
        </figure>
    }
    .into_any()
}

/// « Conforme » / « Non conforme » (reason from the catalogue, comment) for one item.
#[component]
fn VerdictForm(
    id: i64,
    item: Item,
    current: Option<VerdictView>,
    active: bool,
    error: Option<AppError>,
    comment: String,
) -> impl IntoView {
    let code = item.code();
    let anchor = code.replace(':', "-");
    let status = match &current {
        None => view! { <p class="fr-badge fr-badge--sm">"Non vérifié"</p> }.into_any(),
        Some(VerdictView { non_conformite: None, le, .. }) => view! {
            <p class="fr-badge fr-badge--sm fr-badge--success">"Conforme"</p>
            <span class="fr-text--xs">{format!(" le {le}")}</span>
        }
        .into_any(),
        Some(VerdictView { non_conformite: Some(n), commentaire, le, .. }) => view! {
            <p class="fr-badge fr-badge--sm fr-badge--error">{format!("Non conforme : {}", n.label())}</p>
            <span class="fr-text--xs">{format!(" le {le}")}{commentaire.clone().map(|c| format!(" — {c}"))}</span>
        }
        .into_any(),
    };
    if !active {
        return view! { <div id=anchor>{status}</div> }.into_any();
    }
    let is_non = current.as_ref().is_some_and(|c| c.non_conformite.is_some());
    let is_oui = current.as_ref().is_some_and(|c| c.non_conformite.is_none());
    let motif = current.as_ref().and_then(|c| c.non_conformite);
    let comment = if comment.is_empty() {
        current.and_then(|c| c.commentaire).unwrap_or_default()
    } else {
        comment
    };
    let field_msg = |k: &str| error.as_ref().and_then(|e| e.field_message(k));
    let (conforme_msg, motif_msg, comment_msg) = (
        field_msg("conforme"),
        field_msg("motif"),
        field_msg("commentaire"),
    );
    let other = error
        .as_ref()
        .filter(|_| conforme_msg.is_none() && motif_msg.is_none() && comment_msg.is_none())
        .map(|e| e.to_string());
    let (conforme_err, motif_err, comment_err) = (
        conforme_msg.is_some(),
        motif_msg.is_some(),
        comment_msg.is_some(),
    );
    let label = item.label();
    view! {
        <form method="post" action=EnregistrerVerdict::PATH id=anchor.clone() class="permis-verdict" novalidate=true>
            <input type="hidden" name="id" value=id />
            <input type="hidden" name="item" value=code />
            <div class="fr-mb-1w">{status}</div>
            {other.map(|m| view! { <p class="fr-message fr-message--error" role="alert">{m}</p> })}
            <fieldset class="fr-fieldset" class:fr-fieldset--error=conforme_err aria-labelledby=format!("{anchor}-legend")>
                <legend class="fr-fieldset__legend fr-fieldset__legend--regular fr-text--sm" id=format!("{anchor}-legend")>
                    {format!("Verdict : {label}")}
                </legend>
                <div class="fr-fieldset__element fr-fieldset__element--inline">
                    <div class="fr-radio-group fr-radio-group--sm">
                        <input type="radio" id=format!("{anchor}-oui") name="conforme" value="oui" checked=is_oui />
                        <label class="fr-label" for=format!("{anchor}-oui")>"Conforme"</label>
                    </div>
                </div>
                <div class="fr-fieldset__element fr-fieldset__element--inline">
                    <div class="fr-radio-group fr-radio-group--sm">
                        <input type="radio" id=format!("{anchor}-non") name="conforme" value="non" checked=is_non />
                        <label class="fr-label" for=format!("{anchor}-non")>"Non conforme"</label>
                    </div>
                </div>
                {conforme_msg.map(|m| view! { <div class="fr-messages-group"><p class="fr-message fr-message--error">{m}</p></div> })}
            </fieldset>
            <div class="fr-grid-row fr-grid-row--gutters">
                <div class="fr-col-12 fr-col-md-6">
                    <div class="fr-select-group" class:fr-select-group--error=motif_err>
                        <label class="fr-label" for=format!("{anchor}-motif")>"Motif de non-conformité"</label>
                        <select class="fr-select" id=format!("{anchor}-motif") name="motif">
                            <option value="" selected=motif.is_none()>"— si non conforme —"</option>
                            {NonConformite::ALL
                                .iter()
                                .map(|n| view! { <option value=n.code() selected=motif == Some(*n)>{n.label()}</option> })
                                .collect_view()}
                        </select>
                        {motif_msg.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                    </div>
                </div>
                <div class="fr-col-12 fr-col-md-6">
                    <div class="fr-input-group" class:fr-input-group--error=comment_err>
                        <label class="fr-label" for=format!("{anchor}-commentaire")>
                            "Commentaire"
                            <span class="fr-hint-text">"Facultatif ; lu par l'école"</span>
                        </label>
                        <input class="fr-input" type="text" id=format!("{anchor}-commentaire") name="commentaire" value=comment maxlength="1000" />
                        {comment_msg.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                    </div>
                </div>
            </div>
            <button type="submit" class="fr-btn fr-btn--sm">
                "Enregistrer le verdict"<span class="fr-sr-only">{format!(" : {label}")}</span>
            </button>
        </form>
    }
    .into_any()
}

/// Private notes of the centre's agents.
#[component]
fn Notes(
    id: i64,
    notes: Vec<crate::api::pro::NoteView>,
    typed: String,
    error: Option<AppError>,
) -> impl IntoView {
    let message = error.and_then(|e| e.field_message("texte"));
    let has_error = message.is_some();
    view! {
        <h2 class="fr-h4 fr-mt-4w" id="notes">"Notes internes"</h2>
        <p class="fr-text--sm">"Visibles des seuls agents du centre : ni l'école ni le candidat ne les voient."</p>
        {if notes.is_empty() {
            view! { <p>"Aucune note."</p> }.into_any()
        } else {
            view! {
                <ul>
                    {notes.into_iter().map(|n| view! {
                        <li><p class="fr-mb-0 permis-multiligne">{n.texte}</p><p class="fr-text--xs">{format!("{} — {}", n.auteur, n.le)}</p></li>
                    }).collect_view()}
                </ul>
            }
            .into_any()
        }}
        <form method="post" action=AjouterNote::PATH novalidate=true>
            <input type="hidden" name="id" value=id />
            <div class="fr-input-group" class:fr-input-group--error=has_error>
                <label class="fr-label" for="note-texte">"Nouvelle note"</label>
                <textarea class="fr-input" id="note-texte" name="texte" rows="3" maxlength="1000">{typed}</textarea>
                {message.map(|m| view! { <p class="fr-error-text">{m}</p> })}
            </div>
            <button type="submit" class="fr-btn fr-btn--sm fr-btn--secondary">"Ajouter la note"</button>
        </form>
    }
    .into_any()
}

/// The decisions: a complement listing the non-conforme items, or accept (when nothing is non
/// conforme), or reject.
#[component]
fn Decisions(
    id: i64,
    active: bool,
    non_conformes: Vec<VerdictView>,
    delai: i64,
    typed: InstructionTyped,
    error: Option<AppError>,
) -> impl IntoView {
    if !active {
        return ().into_any();
    }
    let msg = |k: &str| error.as_ref().and_then(|e| e.field_message(k));
    let (motif_msg, motivation_msg, delai_msg) = (msg("motif"), msg("motivation"), msg("delai"));
    let (motif_err, motivation_err, delai_err) = (
        motif_msg.is_some(),
        motivation_msg.is_some(),
        delai_msg.is_some(),
    );
    let n = non_conformes.len();
    view! {
        <h2 class="fr-h4 fr-mt-6w" id="decision">"Décision"</h2>
        {if n > 0 {
            view! {
                <section class="fr-mb-4w" aria-labelledby="complement-titre">
                    <h3 class="fr-h6" id="complement-titre">"Demander un complément"</h3>
                    <p>{format!("Une seule demande à l'école, qui liste les {} :", crate::domain::formats::plural(n as i64, "élément non conforme", "éléments non conformes"))}</p>
                    <ul>
                        {non_conformes.iter().map(|v| view! {
                            <li>{format!("{} : {}{}", v.item.label(), v.non_conformite.map(|n| n.label()).unwrap_or(""), v.commentaire.as_ref().map(|c| format!(" — {c}")).unwrap_or_default())}</li>
                        }).collect_view()}
                    </ul>
                    <p class="fr-text--sm">"Seuls ces éléments sont rouverts à l'école ; le reste de la demande reste tel quel. Pour accepter, changez d'abord leur verdict."</p>
                    <form method="post" action=DemanderComplement::PATH novalidate=true>
                        <input type="hidden" name="id" value=id />
                        <div class="fr-input-group" class:fr-input-group--error=delai_err>
                            <label class="fr-label" for="delai">
                                "Délai de réponse (jours)"
                                <span class="fr-hint-text">{format!("{delai} jours par défaut ; passé ce délai sans réponse, la demande est classée sans suite")}</span>
                            </label>
                            <input class="fr-input" type="number" id="delai" name="delai" min="1" max="90" value=delai inputmode="numeric" />
                            {delai_msg.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                        </div>
                        <button type="submit" class="fr-btn">"Demander le complément"</button>
                    </form>
                </section>
            }
            .into_any()
        } else {
            view! {
                <section class="fr-mb-4w" aria-labelledby="accepter-titre">
                    <h3 class="fr-h6" id="accepter-titre">"Accepter"</h3>
                    <p>"Aucun élément n'est marqué non conforme. Accepter attribue le NEPH et produit l'attestation d'inscription, envoyée à l'école et au candidat."</p>
                    <form method="post" action=Accepter::PATH>
                        <input type="hidden" name="id" value=id />
                        <button type="submit" class="fr-btn fr-btn--icon-left fr-icon-check-line">"Accepter la demande"</button>
                    </form>
                </section>
            }
            .into_any()
        }}
        <section class="fr-mb-4w" aria-labelledby="rejeter-titre">
            <h3 class="fr-h6" id="rejeter-titre">"Rejeter"</h3>
            <p class="fr-text--sm">"Un rejet est motivé en fait et en droit ; la décision indique les voies et délais de recours."</p>
            <form method="post" action=Rejeter::PATH novalidate=true>
                <input type="hidden" name="id" value=id />
                <div class="fr-select-group" class:fr-select-group--error=motif_err>
                    <label class="fr-label" for="rejet-motif">"Motif du rejet"</label>
                    <select class="fr-select" id="rejet-motif" name="motif">
                        <option value="" selected=typed.motif.is_empty()>"— Choisir —"</option>
                        {MotifRejet::ALL.iter().map(|m| view! {
                            <option value=m.code() selected=typed.motif == m.code()>{format!("{} ({})", m.label(), m.fondement())}</option>
                        }).collect_view()}
                    </select>
                    {motif_msg.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                </div>
                <div class="fr-input-group" class:fr-input-group--error=motivation_err>
                    <label class="fr-label" for="rejet-motivation">
                        "Motivation"
                        <span class="fr-hint-text">"Les faits constatés, en phrases claires : l'école et le candidat la liront."</span>
                    </label>
                    <textarea class="fr-input" id="rejet-motivation" name="motivation" rows="4" maxlength="2000">{typed.motivation}</textarea>
                    {motivation_msg.map(|m| view! { <p class="fr-error-text">{m}</p> })}
                </div>
                <button type="submit" class="fr-btn fr-btn--secondary">"Rejeter la demande"</button>
            </form>
        </section>
    }
    .into_any()
}
