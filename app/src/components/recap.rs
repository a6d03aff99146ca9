//! The summary of a demande, read-only or with « Modifier » links: the school's recap
//! (« Relisez-vous ! ») and the candidate's review show the same thing.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::{DemandeView, PieceFile};
use crate::domain::formats::display_phone;
use crate::domain::identite::Ecart;
use crate::routes::{piece_href, Page};

pub fn row(label: &'static str, value: impl Into<String>) -> impl IntoView {
    let value = value.into();
    view! {
        <div class="permis-recap__row">
            <dt>{label}</dt>
            <dd>{if value.is_empty() { "—".to_string() } else { value }}</dd>
        </div>
    }
}

/// A row of the état civil, marked when what the school typed differs from the certified
/// identity (`champs`: the names of the differences this row shows), with the certified value.
fn certified_row(label: &'static str, value: String, ecarts: &[Ecart], champs: &[&str]) -> AnyView {
    let certifie: Vec<&str> = ecarts
        .iter()
        .filter(|e| champs.contains(&e.champ.as_str()))
        .map(|e| e.certifie.as_str())
        .collect();
    if certifie.is_empty() {
        return row(label, value).into_any();
    }
    let certifie = format!("Identité certifiée : « {} »", certifie.join(" ; "));
    view! {
        <div class="permis-recap__row permis-recap__row--ecart">
            <dt>{label}</dt>
            <dd>
                {value}
                <p class="fr-badge fr-badge--warning fr-badge--sm fr-ml-1w fr-mb-0">"Diffère"</p>
                <p class="fr-text--sm fr-mb-0">{certifie}</p>
            </dd>
        </div>
    }
    .into_any()
}

#[component]
pub fn RecapSection(
    title: &'static str,
    step: usize,
    id: i64,
    editable: bool,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="fr-mt-4w permis-recap">
            <div class="permis-recap__head">
                <h2 class="fr-h5">{title}</h2>
                {editable
                    .then(|| {
                        view! {
                            <A href=Page::Etape { id, n: step }.href() attr:class="fr-link fr-icon-edit-line fr-link--icon-left">
                                "Modifier"
                                <span class="fr-sr-only">{format!(" — {title}")}</span>
                            </A>
                        }
                    })}
            </div>
            <dl>{children()}</dl>
        </section>
    }
}

/// Every section of the demande; `editable` adds the « Modifier » links of a draft; `ecarts`
/// marks the rows of the état civil that differ from the candidate's certified identity.
#[component]
pub fn RecapSections(
    d: DemandeView,
    editable: bool,
    #[prop(optional)] ecarts: Vec<Ecart>,
) -> impl IntoView {
    let id = d.id;
    let data = d.data.clone();
    let motif = data.motif.clone();
    let ec = data.etat_civil.clone();
    let ad = data.adresse.clone();
    let ph = data.photo.clone();
    view! {
        <RecapSection title="Motif de la demande" step=1 id editable>
            {motif.map(|m| view! {
                {row("Motif", m.motif.label())}
                {row("Catégories", m.categories.iter().map(|c| c.code()).collect::<Vec<_>>().join(", "))}
                {row("Filière", m.filiere.label())}
                {row("Boîte automatique", if m.boite_automatique { "Oui" } else { "Non" })}
                {row("Handicap déclaré", if m.handicap { "Oui" } else { "Non" })}
            })}
        </RecapSection>
        <RecapSection title="État civil" step=2 id editable>
            {ec.map(|e| view! {
                {certified_row("Sexe", e.sexe.label().to_string(), &ecarts, &["Sexe"])}
                {certified_row("Nom de naissance", e.nom_naissance.clone(), &ecarts, &["Nom de naissance"])}
                {row("Nom d'usage", e.nom_usage.clone().unwrap_or_default())}
                {certified_row("Prénoms", e.prenoms.clone(), &ecarts, &["Prénoms"])}
                {certified_row("Date de naissance", e.date_naissance.french(), &ecarts, &["Date de naissance"])}
                {certified_row("Lieu de naissance", format!("{}{} ({})", e.commune_naissance, e.departement_naissance.as_ref().map(|d| format!(", {d}")).unwrap_or_default(), e.pays_naissance), &ecarts, &["Commune de naissance", "Pays de naissance"])}
                {row("Nationalité", e.nationalite.clone())}
                {row("NEPH", e.neph.clone().unwrap_or_default())}
                {e.representant.as_ref().map(|r| row("Représentant légal", format!("{} — {} {}, né(e) le {}", r.qualite.label(), r.prenoms, r.nom, r.date_naissance.french())))}
            })}
        </RecapSection>
        <RecapSection title="Adresse et contact" step=3 id editable>
            {ad.map(|a| view! {
                {row("Adresse", [a.numero.clone(), a.extension.clone(), a.type_voie.clone(), Some(a.nom_voie.clone())].into_iter().flatten().collect::<Vec<_>>().join(" "))}
                {row("Complément", a.complement.clone().unwrap_or_default())}
                {row("Commune", format!("{} {}", a.code_postal, a.commune))}
                {row("Préfecture de rattachement", a.prefecture.clone())}
                {row("Adresse électronique", a.email.clone())}
                {row("Téléphone portable", display_phone(&a.telephone))}
                {row("Réutilisation des données", if a.refus_reutilisation { "Refusée" } else { "Acceptée" })}
            })}
        </RecapSection>
        <RecapSection title="Photo et signature" step=4 id editable>
            {ph.map(|p| view! {
                {row("Transmission", p.mode.label())}
                {row("Code e-photo", p.code_ephoto.clone().unwrap_or_default())}
            })}
        </RecapSection>
        <RecapSection title="Pièces justificatives" step=5 id editable>
            {d.required_pieces
                .iter()
                .map(|p| {
                    let files: Vec<&PieceFile> = d.pieces.iter().filter(|f| f.kind == *p).collect();
                    let text = if files.is_empty() {
                        "Manquante".to_string()
                    } else {
                        String::new()
                    };
                    view! {
                        <div class="permis-recap__row">
                            <dt>{p.label()}</dt>
                            <dd>
                                {text}
                                <ul class="permis-recap__files">
                                    {files
                                        .iter()
                                        .map(|f| {
                                            view! {
                                                <li>
                                                    <a class="fr-link" href=piece_href(id, f.id, "fichier") download=f.filename.clone()>
                                                        {format!("{} ({} p.)", f.filename, f.pages)}
                                                        <span class="fr-sr-only">{format!(" — {}, télécharger", p.label())}</span>
                                                    </a>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            </dd>
                        </div>
                    }
                })
                .collect_view()}
        </RecapSection>
    }
}
