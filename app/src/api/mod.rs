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
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::{DemandeView, PieceFile};
    use crate::domain::demande::Piece;
    use crate::domain::steps::{missing_with_pieces, required_pieces};
    use crate::error::AppError;
    use crate::server::demandes::DemandeRow;
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
            .filter_map(|p| {
                Some(PieceFile {
                    id: p.id,
                    kind: Piece::parse(&p.kind)?,
                    filename: p.filename,
                    pages: p.pages,
                    size: p.size,
                    has_thumbnail: p.thumb_key.is_some(),
                })
            })
            .collect();
        let present: Vec<Piece> = files.iter().map(|f| f.kind).collect();
        let refus =
            (row.etat == crate::domain::demande::Etat::RefuseeUsager).then(|| super::RefusView {
                le: row.decided_at.map(format_date_time).unwrap_or_default(),
                motif: row.refus_motif.clone().filter(|m| !m.trim().is_empty()),
            });
        Ok(DemandeView {
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
}
