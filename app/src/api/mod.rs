//! What the pages call: the server functions of each area, their wire types, and (`ssr`) the
//! mapping from the `server` floor's rows to those types. One module per area, named after the
//! first word of its URLs: `connexion`, `ecole`, `usager` (`/monespace`), `pro`. Each area's
//! `ssr` module starts every function with the area's guard (`school()`, `candidate()`,
//! `staff()`), calls into `server/` and answers; no SQL and no transaction here. Every endpoint
//! is under `/api/`.

use serde::{Deserialize, Serialize};

use crate::domain::date::Date;
use crate::domain::demande::{DemandeData, Etat, Piece};

pub mod connexion;
pub mod ecole;
pub mod pro;
pub mod usager;

/// A demande as the school's stepper and the candidate's review show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DemandeView {
    pub id: i64,
    pub etat: Etat,
    pub numero: Option<String>,
    pub data: DemandeData,
    pub etape: i64,
    /// « 26/11/2026 à 10:05 »
    pub updated: String,
    /// The filing date, for age rules.
    pub today: Date,
    pub required_pieces: Vec<Piece>,
    pub pieces: Vec<PieceFile>,
    /// (step, message) of what still prevents validation.
    pub missing: Vec<(usize, String)>,
    /// The candidate's refusal: when, and the reason they gave (if any).
    pub refus: Option<RefusView>,
    /// The refused demande this draft was started from (« Corriger et renvoyer »).
    pub reprise_de: Option<i64>,
    /// The school's view only: the candidate's account still waits for activation, so the
    /// school may correct the email or mobile and send the link again.
    pub compte_a_activer: bool,
    /// The school's view only: what was typed on steps 1 to 4 and not yet validated with
    /// « Suivant » (autosave), and when it was last saved.
    pub saisie: Saisie,
    /// Once at the centre: who instructs it, what it asked, what it decided, and the dated
    /// timeline of every step (shown to the school and the candidate).
    pub instruction: Option<InstructionPublique>,
}

/// What the school and the candidate see of the instruction.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InstructionPublique {
    /// « CERT de Nantes » (no agent's name).
    pub cert: Option<String>,
    pub complement: Option<ComplementView>,
    pub decision: Option<DecisionView>,
    pub timeline: Vec<EventView>,
}

/// A request for a complement: every item with its reason, and the date to answer by.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComplementView {
    pub items: Vec<ItemDemande>,
    /// « 28/12/2026 »
    pub avant: String,
    pub demande_le: String,
    /// When the school sent it back.
    pub recu_le: Option<String>,
}

/// An item the centre asked to replace, with its reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemDemande {
    pub item: crate::domain::instruction::Item,
    pub label: String,
    pub motif: String,
    pub commentaire: Option<String>,
}

/// The centre's decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DecisionView {
    Inscrite {
        neph: String,
        le: String,
        valable_jusqu_au: String,
    },
    Rejetee {
        le: String,
        motif: String,
        fondement: String,
        motivation: String,
    },
    ClasseeSansSuite {
        le: String,
    },
}

/// A dated line of a demande's timeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    /// « 28/11/2026 à 10:42 »
    pub le: String,
    pub label: String,
    /// « CERT de Nantes », « École de conduite », « Candidat », « Service (automatique) ».
    pub par: String,
    pub motif: Option<String>,
    pub commentaire: Option<String>,
}

/// Forms typed on a draft's steps and kept by the autosave.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Saisie {
    pub motif: Option<crate::domain::steps::MotifForm>,
    pub etat_civil: Option<crate::domain::steps::EtatCivilForm>,
    pub adresse: Option<crate::domain::steps::AdresseForm>,
    pub photo: Option<crate::domain::steps::PhotoForm>,
    /// « 10:42 »
    pub at: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefusView {
    /// « 28/11/2026 à 10:42 »
    pub le: String,
    pub motif: Option<String>,
}

/// A file deposited for a supporting document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PieceFile {
    pub id: i64,
    pub kind: Piece,
    pub filename: String,
    pub pages: i64,
    pub size: i64,
    pub has_thumbnail: bool,
    /// A PDF (shown in the browser's viewer), otherwise an image.
    pub pdf: bool,
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{
        ComplementView, DecisionView, DemandeView, EventView, InstructionPublique, ItemDemande,
        PieceFile,
    };
    use crate::domain::demande::Piece;
    use crate::domain::instruction::MotifRejet;
    use crate::domain::steps::{missing_with_pieces, required_pieces};
    use crate::error::AppError;
    use crate::server::demandes::DemandeRow;
    use crate::server::instruction;
    use crate::server::time::format_date;
    use crate::server::time::{date_paris, format_date_time};
    use crate::server::{pieces, AppContext};

    /// What the pages show of a demande row (the school's stepper, the candidate's review).
    pub async fn view_of(ctx: &AppContext, row: DemandeRow) -> Result<DemandeView, AppError> {
        let data = row.data()?;
        let today = date_paris(row.validated_at.unwrap_or(ctx.now()));
        let required_pieces = required_pieces(&data, today);
        let files: Vec<PieceFile> = pieces::list_pieces(&ctx.db, row.id)
            .await?
            .into_iter()
            .filter_map(piece_file)
            .collect();
        let present: Vec<Piece> = files.iter().map(|f| f.kind).collect();
        let refus =
            (row.etat == crate::domain::demande::Etat::RefuseeUsager).then(|| super::RefusView {
                le: row.decided_at.map(format_date_time).unwrap_or_default(),
                motif: row.refus_motif.clone().filter(|m| !m.trim().is_empty()),
            });
        let instruction = if row.etat.at_the_centre() {
            Some(instruction_of(ctx, &row).await?)
        } else {
            None
        };
        Ok(DemandeView {
            instruction,
            refus,
            reprise_de: row.reprise_de,
            compte_a_activer: false,
            saisie: Default::default(),
            id: row.id,
            etat: row.etat,
            numero: row.numero.clone(),
            missing: missing_with_pieces(&data, today, &required_pieces, &present),
            pieces: files,
            data,
            etape: row.etape,
            updated: format_date_time(row.updated_at),
            today,
            required_pieces,
        })
    }

    /// A stored file as the pages show it.
    pub fn piece_file(p: pieces::PieceRow) -> Option<PieceFile> {
        Some(PieceFile {
            id: p.id,
            kind: Piece::parse(&p.kind)?,
            filename: p.filename,
            pages: p.pages,
            size: p.size,
            has_thumbnail: p.thumb_key.is_some(),
            pdf: p.content_type == "application/pdf",
        })
    }

    /// The instruction as the school and the candidate see it.
    pub async fn instruction_of(
        ctx: &AppContext,
        row: &DemandeRow,
    ) -> Result<InstructionPublique, AppError> {
        let suivi = instruction::suivi(&ctx.db, row.id).await?;
        let complement = instruction::latest_complement(&ctx.db, row.id)
            .await?
            .map(|c| ComplementView {
                items: c
                    .items
                    .iter()
                    .map(|v| ItemDemande {
                        item: v.item,
                        label: v.item.label(),
                        motif: v
                            .non_conformite
                            .map(|n| n.label().to_string())
                            .unwrap_or_default(),
                        commentaire: v.commentaire.clone(),
                    })
                    .collect(),
                avant: format_date(c.avant),
                demande_le: format_date_time(c.created_at),
                recu_le: c.recu_at.map(format_date_time),
            });
        let events = instruction::timeline(&ctx.db, row.id).await?;
        let decided_at = |kind: &str| {
            events
                .iter()
                .rev()
                .find(|e| e.kind == kind)
                .map(|e| format_date_time(e.created_at))
                .unwrap_or_default()
        };
        let decision = match row.etat {
            crate::domain::demande::Etat::Inscrite => Some(DecisionView::Inscrite {
                neph: suivi.neph.clone().unwrap_or_default(),
                le: suivi.inscrite_at.map(format_date).unwrap_or_default(),
                valable_jusqu_au: suivi
                    .inscrite_at
                    .map(|at| crate::domain::deadlines::attestation_valid_until(at).french())
                    .unwrap_or_default(),
            }),
            crate::domain::demande::Etat::Rejetee => {
                let motif = suivi.rejet_motif.as_deref().and_then(MotifRejet::parse);
                Some(DecisionView::Rejetee {
                    le: decided_at("rejetee"),
                    motif: motif.map(|m| m.label().to_string()).unwrap_or_default(),
                    fondement: motif.map(|m| m.fondement().to_string()).unwrap_or_default(),
                    motivation: suivi.rejet_motivation.clone().unwrap_or_default(),
                })
            }
            crate::domain::demande::Etat::ClasseeSansSuite => {
                Some(DecisionView::ClasseeSansSuite {
                    le: decided_at("complement_non_recu"),
                })
            }
            _ => None,
        };
        let cert = suivi.cert_nom.clone();
        let timeline = events
            .into_iter()
            .filter_map(|e| {
                let label = event_label(&e.kind)?;
                let par = match e.actor_role.as_deref() {
                    Some("agent") | Some("admin") => cert
                        .clone()
                        .unwrap_or_else(|| "Centre d'instruction".into()),
                    Some("ecole") => "École de conduite".into(),
                    Some("usager") => "Candidat".into(),
                    _ => "Service (automatique)".into(),
                };
                Some(EventView {
                    le: format_date_time(e.created_at),
                    label: label.into(),
                    par,
                    motif: e.motif.as_deref().map(|m| {
                        MotifRejet::parse(m)
                            .map(|r| r.label().to_string())
                            .unwrap_or_else(|| m.to_string())
                    }),
                    commentaire: e.commentaire,
                })
            })
            .collect();
        Ok(InstructionPublique {
            cert,
            complement,
            decision,
            timeline,
        })
    }

    /// What a line of the timeline says (`None`: not shown).
    pub fn event_label(kind: &str) -> Option<&'static str> {
        Some(match kind {
            "validee_par_ecole" => "Demande saisie et validée par l'école",
            "validee_par_usager" => "Demande validée par le candidat",
            "papier_non_recu" => "Formulaire photo-signature non reçu dans les 15 jours",
            "papier_recu" => "Formulaire photo-signature reçu : demande transmise au centre",
            "complement_demande" => "Complément demandé à l'école",
            "complement_envoye" => "Complément envoyé par l'école",
            "complement_non_recu" => "Classée sans suite : complément non reçu dans le délai",
            "acceptee" => "Demande acceptée : inscription enregistrée",
            "rejetee" => "Demande rejetée",
            "lien_renvoye" => "Lien d'activation renvoyé au candidat",
            "contact_corrige" => "Coordonnées du candidat corrigées par l'école",
            _ => return None,
        })
    }
}
