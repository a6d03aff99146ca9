//! The PDFs we generate (A4, text-extractable, font embedded): the « justificatif de dépôt »
//! and the « formulaire de dépôt photo-signature ».

use std::io::Cursor;
use std::path::Path;

use printpdf::{
    Color, IndirectFontRef, Line, Mm, PdfDocument, PdfLayerReference, Point, Rect, Rgb,
};

use crate::domain::demande::CENTRE_ADRESSE;
use crate::error::AppError;

/// A TrueType font with the French accents; Debian's `fonts-dejavu-core` (installed by
/// `scripts/setup.sh`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

/// What the justificatif de dépôt states.
#[derive(Clone, Debug)]
pub struct Justificatif {
    pub numero: String,
    pub validated_by_school: String,
    pub validated_by_candidate: String,
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: String,
    pub categories: String,
    pub filiere: String,
    pub school_name: String,
    pub school_agrement: String,
    pub etat: String,
    pub verification_url: String,
}

/// What the photo-signature form carries.
#[derive(Clone, Debug)]
pub struct FormulairePhoto {
    pub numero: String,
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: String,
    pub adresse: Vec<String>,
    pub deadline: String,
    pub verification_url: String,
}

fn load_font(path: &Path) -> Result<Vec<u8>, AppError> {
    std::fs::read(path).map_err(|e| {
        AppError::internal(
            "pdf font",
            format!("{}: {e} (installez fonts-dejavu-core)", path.display()),
        )
    })
}

struct Page {
    layer: PdfLayerReference,
    font: IndirectFontRef,
    title: String,
}

impl Page {
    fn text(&self, s: &str, size: f32, x: f32, y: f32) {
        self.layer.use_text(s, size, Mm(x), Mm(y), &self.font);
    }

    fn colour(&self, r: f32, g: f32, b: f32) {
        self.layer
            .set_fill_color(Color::Rgb(Rgb::new(r, g, b, None)));
    }

    fn frame(&self, x: f32, y: f32, w: f32, h: f32) {
        self.layer
            .set_outline_color(Color::Rgb(Rgb::new(0.0, 0.0, 0.0, None)));
        self.layer.set_outline_thickness(0.8);
        let points = vec![
            (Point::new(Mm(x), Mm(y)), false),
            (Point::new(Mm(x + w), Mm(y)), false),
            (Point::new(Mm(x + w), Mm(y + h)), false),
            (Point::new(Mm(x), Mm(y + h)), false),
        ];
        self.layer.add_line(Line {
            points,
            is_closed: true,
        });
    }

    /// A QR code of `data`, `size` mm wide, its lower left corner at (x, y).
    fn qr(&self, data: &str, x: f32, y: f32, size: f32) -> Result<(), AppError> {
        let code =
            qrcode::QrCode::new(data.as_bytes()).map_err(|e| AppError::internal("qr code", e))?;
        let width = code.width();
        let module = size / width as f32;
        self.colour(0.0, 0.0, 0.0);
        for (i, dark) in code.to_colors().iter().enumerate() {
            if *dark == qrcode::Color::Dark {
                let (cx, cy) = ((i % width) as f32, (i / width) as f32);
                let left = x + cx * module;
                let top = y + size - cy * module;
                self.layer.add_rect(Rect::new(
                    Mm(left),
                    Mm(top - module),
                    Mm(left + module),
                    Mm(top),
                ));
            }
        }
        Ok(())
    }

    /// Label and value lines from `y` down; returns where the next line goes.
    fn rows(&self, rows: &[(&str, &str)], mut y: f32) -> f32 {
        for (label, value) in rows {
            self.text(label, 10.0, 20.0, y);
            self.text(value, 11.0, 80.0, y);
            y -= 9.0;
        }
        y
    }

    /// A header band with the service's name and the document's title.
    fn header(&self, title: &str) {
        self.colour(0.0, 0.0, 0.569);
        self.text("République française", 9.0, 20.0, 282.0);
        self.colour(0.09, 0.09, 0.09);
        self.text("Permis de conduire — demande en ligne", 11.0, 20.0, 276.0);
        self.text(title, 18.0, 20.0, 262.0);
    }
}

fn new_document(
    title: &str,
    font: &[u8],
) -> Result<(printpdf::PdfDocumentReference, Page), AppError> {
    let (doc, page, layer) = PdfDocument::new(title, Mm(210.0), Mm(297.0), "Page 1");
    let font = doc
        .add_external_font(Cursor::new(font.to_vec()))
        .map_err(|e| AppError::internal("pdf font", e))?;
    let layer = doc.get_page(page).get_layer(layer);
    let title = title.to_string();
    Ok((doc, Page { layer, font, title }))
}

/// The document's bytes. The font is embedded as a subset (the glyphs the text uses: a few
/// kilobytes instead of the 740 KB of the whole font).
fn finish(doc: printpdf::PdfDocumentReference, page: Page) -> Result<Vec<u8>, AppError> {
    let bytes = doc
        .save_to_bytes()
        .map_err(|e| AppError::internal("pdf", e))?;
    accessible_metadata(&bytes, &page.title)
}

/// printpdf writes the title as raw UTF-8, which readers take for PDFDocEncoding (« Justificatif
/// de dÃ©pÃ´t »): it is rewritten in UTF-16BE with its byte-order mark; the document also says
/// its language and asks viewers to show its title rather than the file name (screen readers
/// announce it).
fn accessible_metadata(bytes: &[u8], title: &str) -> Result<Vec<u8>, AppError> {
    use lopdf::{Dictionary, Document, Object, StringFormat};
    let fail = |e: lopdf::Error| AppError::internal("pdf metadata", e);
    let mut doc = Document::load_mem(bytes).map_err(fail)?;
    let utf16: Vec<u8> = [0xFE, 0xFF]
        .into_iter()
        .chain(title.encode_utf16().flat_map(u16::to_be_bytes))
        .collect();
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(fail)?;
    doc.get_object_mut(info)
        .and_then(Object::as_dict_mut)
        .map_err(fail)?
        .set("Title", Object::String(utf16, StringFormat::Hexadecimal));
    let catalog = doc.catalog_mut().map_err(fail)?;
    catalog.set("Lang", Object::string_literal("fr-FR"));
    let mut preferences = Dictionary::new();
    preferences.set("DisplayDocTitle", true);
    catalog.set("ViewerPreferences", preferences);
    let mut out = Vec::with_capacity(bytes.len());
    doc.save_to(&mut out)
        .map_err(|e| AppError::internal("pdf metadata", e))?;
    Ok(out)
}

pub fn justificatif_pdf(j: &Justificatif, font_path: &Path) -> Result<Vec<u8>, AppError> {
    let font = load_font(font_path)?;
    let (doc, p) = new_document(
        &format!("Justificatif de dépôt — demande {}", j.numero),
        &font,
    )?;
    p.header("Justificatif de dépôt");
    p.text(
        &format!("Demande de permis de conduire n° {}", j.numero),
        13.0,
        20.0,
        250.0,
    );
    let rows = [
        ("État", j.etat.as_str()),
        (
            "Saisie et validée par l'école le",
            j.validated_by_school.as_str(),
        ),
        (
            "Validée par le candidat le",
            j.validated_by_candidate.as_str(),
        ),
        ("Nom", j.nom.as_str()),
        ("Prénoms", j.prenoms.as_str()),
        ("Date de naissance", j.date_naissance.as_str()),
        ("Catégories demandées", j.categories.as_str()),
        ("Formation", j.filiere.as_str()),
        ("École de conduite", j.school_name.as_str()),
        ("Numéro d'agrément", j.school_agrement.as_str()),
    ];
    let y = p.rows(&rows, 236.0);
    p.text(
        "Ce justificatif atteste le dépôt de la demande. Il ne vaut pas permis de conduire.",
        10.0,
        20.0,
        y - 4.0,
    );
    p.text("Vérifier ce justificatif :", 10.0, 20.0, 60.0);
    p.text(&j.verification_url, 10.0, 20.0, 54.0);
    p.qr(&j.verification_url, 150.0, 30.0, 40.0)?;
    finish(doc, p)
}

pub fn formulaire_pdf(f: &FormulairePhoto, font_path: &Path) -> Result<Vec<u8>, AppError> {
    let font = load_font(font_path)?;
    let (doc, p) = new_document(
        &format!("Formulaire photo-signature — demande {}", f.numero),
        &font,
    )?;
    p.header("Formulaire de dépôt photo-signature");
    p.text(
        &format!("Demande de permis de conduire n° {}", f.numero),
        13.0,
        20.0,
        250.0,
    );
    p.text(&format!("Nom : {}", f.nom), 11.0, 20.0, 240.0);
    p.text(&format!("Prénoms : {}", f.prenoms), 11.0, 20.0, 233.0);
    p.text(
        &format!("Date de naissance : {}", f.date_naissance),
        11.0,
        20.0,
        226.0,
    );
    let mut y = 219.0;
    for (i, line) in f.adresse.iter().enumerate() {
        let label = if i == 0 { "Adresse : " } else { "          " };
        p.text(&format!("{label}{line}"), 11.0, 20.0, y);
        y -= 7.0;
    }
    // The photo box: 35 × 45 mm; the signature box next to it.
    p.frame(20.0, 140.0, 35.0, 45.0);
    p.text("Photo d'identité", 8.0, 24.0, 136.0);
    p.text("35 × 45 mm", 8.0, 27.0, 132.0);
    p.frame(70.0, 150.0, 110.0, 35.0);
    p.text(
        "Signature (à l'encre noire, sans dépasser du cadre)",
        8.0,
        72.0,
        146.0,
    );
    let instructions = [
        "À faire :",
        "1. Remplissez ce formulaire à l'encre noire, sans rature ni surcharge.",
        "2. Collez dans le cadre une photo d'identité récente, conforme aux normes",
        "   (35 × 45 mm, de face, tête nue, fond uni et clair).",
        "3. Signez dans le cadre prévu, sans en dépasser.",
        "4. Envoyez ce formulaire seul (rien d'autre dans l'enveloppe) à :",
    ];
    let mut y = 118.0;
    for line in instructions {
        p.text(line, 10.0, 20.0, y);
        y -= 6.0;
    }
    for line in CENTRE_ADRESSE {
        p.text(line, 10.0, 30.0, y);
        y -= 6.0;
    }
    p.text(
        &format!("Il doit parvenir au centre avant le {}.", f.deadline),
        11.0,
        20.0,
        y - 4.0,
    );
    p.qr(&f.verification_url, 160.0, 15.0, 30.0)?;
    finish(doc, p)
}

/// What the attestation d'inscription states.
#[derive(Clone, Debug)]
pub struct AttestationInscription {
    pub neph: String,
    pub numero: String,
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: String,
    pub lieu_naissance: String,
    pub categories: String,
    pub filiere: String,
    pub inscrite_le: String,
    pub valable_jusqu_au: String,
    pub cert: String,
    pub school_name: String,
    pub verification_url: String,
}

/// Lines of at most `width` characters, cut at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.lines() {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

pub fn attestation_pdf(a: &AttestationInscription, font_path: &Path) -> Result<Vec<u8>, AppError> {
    let font = load_font(font_path)?;
    let (doc, p) = new_document(
        &format!(
            "Attestation d'inscription au permis de conduire — NEPH {}",
            a.neph
        ),
        &font,
    )?;
    p.header("Attestation d'inscription au permis de conduire");
    p.text(&format!("NEPH : {}", a.neph), 14.0, 20.0, 250.0);
    let rows = [
        ("Nom", a.nom.as_str()),
        ("Prénoms", a.prenoms.as_str()),
        ("Né(e) le", a.date_naissance.as_str()),
        ("À", a.lieu_naissance.as_str()),
        ("Catégories", a.categories.as_str()),
        ("Formation", a.filiere.as_str()),
        ("Inscription enregistrée le", a.inscrite_le.as_str()),
        ("Valable jusqu'au", a.valable_jusqu_au.as_str()),
        ("Centre d'instruction", a.cert.as_str()),
        ("École de conduite", a.school_name.as_str()),
        ("Demande n°", a.numero.as_str()),
    ];
    let mut y = p.rows(&rows, 236.0);
    for line in wrap("Cette attestation permet de se présenter aux épreuves du permis de conduire pour les catégories indiquées, jusqu'à la date de fin de validité. Elle ne vaut pas permis de conduire.", 95) {
        p.text(&line, 10.0, 20.0, y - 4.0);
        y -= 6.0;
    }
    p.text("Vérifier cette attestation :", 10.0, 20.0, 60.0);
    p.text(&a.verification_url, 10.0, 20.0, 54.0);
    p.qr(&a.verification_url, 150.0, 30.0, 40.0)?;
    finish(doc, p)
}

/// What a decision of rejection states.
#[derive(Clone, Debug)]
pub struct DecisionRejet {
    pub numero: String,
    pub nom: String,
    pub prenoms: String,
    pub date_naissance: String,
    pub le: String,
    pub motif: String,
    pub fondement: String,
    pub motivation: String,
    pub cert: String,
}

pub fn rejet_pdf(d: &DecisionRejet, font_path: &Path) -> Result<Vec<u8>, AppError> {
    let font = load_font(font_path)?;
    let (doc, p) = new_document(&format!("Décision de rejet — demande {}", d.numero), &font)?;
    p.header("Décision de rejet");
    p.text(
        &format!("Demande de permis de conduire n° {}", d.numero),
        13.0,
        20.0,
        250.0,
    );
    p.text(
        &format!("{} {}, né(e) le {}", d.prenoms, d.nom, d.date_naissance),
        11.0,
        20.0,
        242.0,
    );
    p.text(
        &format!("Décision du {} — {}", d.le, d.cert),
        11.0,
        20.0,
        235.0,
    );
    let mut y = 222.0;
    let block = |title: &str, text: &str, y: &mut f32| {
        p.text(title, 11.0, 20.0, *y);
        *y -= 6.0;
        for line in wrap(text, 95) {
            p.text(&line, 10.0, 20.0, *y);
            *y -= 5.5;
        }
        *y -= 4.0;
    };
    block("Motif", &d.motif, &mut y);
    block("Motivation (les faits)", &d.motivation, &mut y);
    block("Fondement (le droit)", &d.fondement, &mut y);
    block(
        "Voies et délais de recours",
        &crate::domain::instruction::VOIES_DE_RECOURS.join("\n"),
        &mut y,
    );
    finish(doc, p)
}

/// Which document.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Justificatif,
    FormulairePhoto,
    Attestation,
    Rejet,
}

impl Kind {
    pub fn filename(self, numero: &str) -> String {
        match self {
            Kind::Justificatif => format!("justificatif-depot-{numero}.pdf"),
            Kind::FormulairePhoto => format!("formulaire-photo-signature-{numero}.pdf"),
            Kind::Attestation => format!("attestation-inscription-{numero}.pdf"),
            Kind::Rejet => format!("decision-rejet-{numero}.pdf"),
        }
    }
}

pub fn verification_url(settings: &super::Settings, code: &str) -> String {
    settings.url(&crate::routes::verification_href(code))
}

/// The document of a demande, if its state has one: the justificatif once the candidate has
/// validated, the photo-signature form while it is awaited.
pub async fn render(
    ctx: &super::AppContext,
    row: &super::demandes::DemandeRow,
    kind: Kind,
) -> Result<(String, Vec<u8>), AppError> {
    use super::time::{format_date, format_date_time};
    use crate::domain::deadlines::paper_form_deadline;
    let etat = row.etat;
    let allowed = match kind {
        Kind::Justificatif => etat.validated_by_candidate(),
        Kind::FormulairePhoto => etat.awaits_paper_form(),
        Kind::Attestation => etat == crate::domain::demande::Etat::Inscrite,
        Kind::Rejet => etat == crate::domain::demande::Etat::Rejetee,
    };
    if !allowed {
        return Err(AppError::NotFound);
    }
    let (decided_at, code): (Option<i64>, Option<String>) =
        sqlx::query_as("SELECT decided_at, verification_code FROM demandes WHERE id = $1")
            .bind(row.id)
            .fetch_one(ctx.db.pool())
            .await?;
    let school = super::users::school(&ctx.db, row.school_id).await?;
    let data = row.data()?;
    let (Some(ec), Some(motif)) = (&data.etat_civil, &data.motif) else {
        return Err(AppError::NotFound);
    };
    let numero = row.numero.clone().unwrap_or_default();
    let url = verification_url(&ctx.settings, code.as_deref().unwrap_or(""));
    let nom = ec
        .nom_usage
        .clone()
        .unwrap_or_else(|| ec.nom_naissance.clone());
    let font = ctx.settings.pdf_font.clone();
    let bytes = match kind {
        Kind::Justificatif => {
            let j = Justificatif {
                numero: numero.clone(),
                validated_by_school: row.validated_at.map(format_date_time).unwrap_or_default(),
                validated_by_candidate: decided_at.map(format_date_time).unwrap_or_default(),
                nom,
                prenoms: ec.prenoms.clone(),
                date_naissance: ec.date_naissance.french(),
                categories: data.listing_categories(),
                filiere: motif.filiere.label().to_string(),
                school_name: school.name,
                school_agrement: school.agrement,
                etat: etat.label().to_string(),
                verification_url: url,
            };
            tokio::task::spawn_blocking(move || justificatif_pdf(&j, &font))
                .await
                .map_err(|e| AppError::internal("pdf task", e))??
        }
        Kind::Attestation => {
            let suivi = super::instruction::suivi(&ctx.db, row.id).await?;
            let inscrite = suivi.inscrite_at.unwrap_or_default();
            let a = AttestationInscription {
                neph: suivi.neph.unwrap_or_default(),
                numero: numero.clone(),
                nom,
                prenoms: ec.prenoms.clone(),
                date_naissance: ec.date_naissance.french(),
                lieu_naissance: format!("{} ({})", ec.commune_naissance, ec.pays_naissance),
                categories: data.listing_categories(),
                filiere: motif.filiere.label().to_string(),
                inscrite_le: format_date(inscrite),
                valable_jusqu_au: crate::domain::deadlines::attestation_valid_until(inscrite)
                    .french(),
                cert: suivi.cert_nom.unwrap_or_default(),
                school_name: school.name,
                verification_url: url,
            };
            tokio::task::spawn_blocking(move || attestation_pdf(&a, &font))
                .await
                .map_err(|e| AppError::internal("pdf task", e))??
        }
        Kind::Rejet => {
            let suivi = super::instruction::suivi(&ctx.db, row.id).await?;
            let m = suivi
                .rejet_motif
                .as_deref()
                .and_then(crate::domain::instruction::MotifRejet::parse);
            let d = DecisionRejet {
                numero: numero.clone(),
                nom,
                prenoms: ec.prenoms.clone(),
                date_naissance: ec.date_naissance.french(),
                le: format_date(row.updated_at),
                motif: m.map(|m| m.label().to_string()).unwrap_or_default(),
                fondement: m.map(|m| m.fondement().to_string()).unwrap_or_default(),
                motivation: suivi.rejet_motivation.unwrap_or_default(),
                cert: suivi.cert_nom.unwrap_or_default(),
            };
            tokio::task::spawn_blocking(move || rejet_pdf(&d, &font))
                .await
                .map_err(|e| AppError::internal("pdf task", e))??
        }
        Kind::FormulairePhoto => {
            let adresse = data
                .adresse
                .as_ref()
                .map(|a| {
                    let street = [
                        a.numero.clone(),
                        a.extension.clone(),
                        a.type_voie.clone(),
                        Some(a.nom_voie.clone()),
                    ]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                    let mut lines = vec![street];
                    lines.extend(a.complement.clone());
                    lines.push(format!("{} {}", a.code_postal, a.commune));
                    lines
                })
                .unwrap_or_default();
            let f = FormulairePhoto {
                numero: numero.clone(),
                nom,
                prenoms: ec.prenoms.clone(),
                date_naissance: ec.date_naissance.french(),
                adresse,
                deadline: decided_at
                    .map(|d| format_date(paper_form_deadline(d)))
                    .unwrap_or_default(),
                verification_url: url,
            };
            tokio::task::spawn_blocking(move || formulaire_pdf(&f, &font))
                .await
                .map_err(|e| AppError::internal("pdf task", e))??
        }
    };
    Ok((kind.filename(&numero), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Document, Object};

    fn every_document() -> Vec<(&'static str, Vec<u8>)> {
        let font = Path::new(DEFAULT_FONT);
        let url = "https://permis.example/v/ABCD-EFGH".to_string();
        let justificatif = Justificatif {
            numero: "24-0000042".into(),
            validated_by_school: "12 mars 2026".into(),
            validated_by_candidate: "13 mars 2026".into(),
            nom: "Łukasiewicz-Dœuf".into(),
            prenoms: "Zoé Ægir".into(),
            date_naissance: "1 janvier 2008".into(),
            categories: "B".into(),
            filiere: "Apprentissage anticipé de la conduite".into(),
            school_name: "Auto-école de la Gare".into(),
            school_agrement: "E2407500010".into(),
            etat: "Transmise".into(),
            verification_url: url.clone(),
        };
        let formulaire = FormulairePhoto {
            numero: "24-0000042".into(),
            nom: "Martin".into(),
            prenoms: "Léa".into(),
            date_naissance: "1 janvier 2008".into(),
            adresse: vec!["12 rue de la Paix".into(), "75002 Paris".into()],
            deadline: "28 mars 2026".into(),
            verification_url: url.clone(),
        };
        let attestation = AttestationInscription {
            neph: "260375000042".into(),
            numero: "24-0000042".into(),
            nom: "Martin".into(),
            prenoms: "Léa".into(),
            date_naissance: "1 janvier 2008".into(),
            lieu_naissance: "Paris".into(),
            categories: "B".into(),
            filiere: "Traditionnelle".into(),
            inscrite_le: "2 avril 2026".into(),
            valable_jusqu_au: "2 avril 2031".into(),
            cert: "CERT de Nantes".into(),
            school_name: "Auto-école de la Gare".into(),
            verification_url: url,
        };
        let rejet = DecisionRejet {
            numero: "24-0000042".into(),
            nom: "Martin".into(),
            prenoms: "Léa".into(),
            date_naissance: "1 janvier 2008".into(),
            le: "2 avril 2026".into(),
            motif: "Pièce non conforme".into(),
            fondement: "Arrêté du 20 avril 2012, article 4".into(),
            motivation: "La pièce d'identité fournie est expirée depuis le 1er janvier 2025."
                .into(),
            cert: "CERT de Nantes".into(),
        };
        vec![
            (
                "Justificatif de dépôt — demande 24-0000042",
                justificatif_pdf(&justificatif, font).unwrap(),
            ),
            (
                "Formulaire photo-signature — demande 24-0000042",
                formulaire_pdf(&formulaire, font).unwrap(),
            ),
            (
                "Attestation d'inscription au permis de conduire — NEPH 260375000042",
                attestation_pdf(&attestation, font).unwrap(),
            ),
            (
                "Décision de rejet — demande 24-0000042",
                rejet_pdf(&rejet, font).unwrap(),
            ),
        ]
    }

    /// A phone on a mobile network downloads these: each stays under 100 KB because only the
    /// glyphs it uses are embedded; readers show its French title, not mojibake.
    #[test]
    fn each_document_is_small_and_says_its_title_and_language() {
        for (title, bytes) in every_document() {
            eprintln!("{title} : {} octets", bytes.len());
            assert!(bytes.len() < 100_000, "{title}: {} bytes", bytes.len());
            let doc = Document::load_mem(&bytes).unwrap();
            let info = doc
                .trailer
                .get(b"Info")
                .and_then(Object::as_reference)
                .unwrap();
            let stored = doc
                .get_dictionary(info)
                .unwrap()
                .get(b"Title")
                .unwrap()
                .as_str()
                .unwrap();
            assert_eq!(&stored[..2], &[0xFE, 0xFF], "{title}: no byte-order mark");
            let units: Vec<u16> = stored[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            assert_eq!(String::from_utf16(&units).unwrap(), title);
            let catalog = doc.catalog().unwrap();
            assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"fr-FR");
        }
    }
}
