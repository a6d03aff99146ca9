//! Rules for uploaded supporting documents, and the messages about them.

/// 10 MB per file.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// The largest picture accepted, read from the file's header before any pixel is decoded: an A4
/// page scanned at 600 ppp is 4 960 × 7 016 pixels, a 50-megapixel phone photo 8 160 × 6 120.
pub const MAX_IMAGE_SIDE: u32 = 10_000;
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;

pub const ACCEPT: &str = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UploadProblem {
    Missing,
    TooBig,
    NotAllowedType,
    Unreadable,
    Protected,
    TooManyPages {
        pages: u32,
        max: u32,
    },
    NotEditable,
    /// The file's name hides its real end (a Unicode reading-order override).
    MisleadingName,
    /// The picture's header declares more pixels than `MAX_IMAGE_SIDE` / `MAX_IMAGE_PIXELS`.
    TooManyPixels,
}

impl UploadProblem {
    pub fn code(self) -> &'static str {
        match self {
            UploadProblem::Missing => "vide",
            UploadProblem::TooBig => "taille",
            UploadProblem::NotAllowedType => "type",
            UploadProblem::Unreadable => "illisible",
            UploadProblem::Protected => "protege",
            UploadProblem::TooManyPages { .. } => "pages",
            UploadProblem::NotEditable => "validee",
            UploadProblem::MisleadingName => "nom",
            UploadProblem::TooManyPixels => "dimensions",
        }
    }

    /// From the `erreur` (and `pages`, `max`) parameters of the page the browser is sent back to.
    pub fn parse(code: &str, pages: u32, max: u32) -> Option<UploadProblem> {
        Some(match code {
            "vide" => UploadProblem::Missing,
            "taille" => UploadProblem::TooBig,
            "type" => UploadProblem::NotAllowedType,
            "illisible" => UploadProblem::Unreadable,
            "protege" => UploadProblem::Protected,
            "pages" => UploadProblem::TooManyPages { pages, max },
            "validee" => UploadProblem::NotEditable,
            "nom" => UploadProblem::MisleadingName,
            "dimensions" => UploadProblem::TooManyPixels,
            _ => return None,
        })
    }

    pub fn message(self) -> String {
        match self {
            UploadProblem::Missing => "Choisissez un fichier à envoyer.".into(),
            UploadProblem::TooBig => "Ce fichier dépasse 10 Mo : réduisez sa taille (numérisation en 150 ou 200 ppp, en niveaux de gris) puis recommencez.".into(),
            UploadProblem::NotAllowedType => "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG (son contenu a été vérifié, pas seulement son nom).".into(),
            UploadProblem::Unreadable => "Ce fichier est endommagé ou illisible : numérisez de nouveau le document.".into(),
            UploadProblem::Protected => "Ce PDF est protégé par un mot de passe : envoyez une version non protégée.".into(),
            UploadProblem::TooManyPages { pages, max } => format!(
                "Avec ce fichier, la pièce compterait {pages} pages alors que {max} au plus sont acceptées : supprimez les pages en trop ou un fichier déjà déposé."
            ),
            UploadProblem::NotEditable => "Cette demande a déjà été validée : ses pièces ne peuvent plus être modifiées.".into(),
            UploadProblem::TooManyPixels => "Cette image est trop grande (plus de 10 000 pixels de côté ou de 50 millions de pixels) : une photo d'appareil courant ou une numérisation en 300 ppp suffit ; réduisez-la puis recommencez.".into(),
            UploadProblem::MisleadingName => "Le nom de ce fichier contient un caractère invisible qui inverse le sens de lecture (un nom qui peut cacher sa vraie extension) : renommez le fichier puis recommencez.".into(),
        }
    }
}

/// What the browser can check before it sends a file: its size, and its type by what the
/// browser says of it or, failing that, by its name (the server checks the content).
pub fn check_before_sending(name: &str, mime: &str, size: u64) -> Result<(), UploadProblem> {
    if crate::domain::formats::has_bidi_control(name) {
        return Err(UploadProblem::MisleadingName);
    }
    if size == 0 {
        return Err(UploadProblem::Unreadable);
    }
    if size > MAX_FILE_BYTES as u64 {
        return Err(UploadProblem::TooBig);
    }
    let mime = mime.to_ascii_lowercase();
    let extension = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let by_type = matches!(
        mime.as_str(),
        "application/pdf" | "image/jpeg" | "image/png"
    );
    let by_name = matches!(extension.as_str(), "pdf" | "jpg" | "jpeg" | "png");
    if by_type || (mime.is_empty() && by_name) {
        Ok(())
    } else {
        Err(UploadProblem::NotAllowedType)
    }
}

impl UploadProblem {
    /// The message for a file refused by the browser before sending.
    pub fn message_before_sending(self) -> String {
        match self {
            UploadProblem::NotAllowedType => {
                "Ce fichier n'est ni un PDF, ni une image JPEG ou PNG : choisissez un fichier .pdf, .jpg ou .png.".into()
            }
            UploadProblem::Unreadable => "Ce fichier est vide : choisissez le bon fichier.".into(),
            other => other.message(),
        }
    }
}

/// A file name fit for display and for `Content-Disposition`: no path, no control characters,
/// at most 100 characters.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .take(100)
        .collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "document".into()
    } else {
        cleaned
    }
}

/// « 1,4 Mo », « 320 Ko »
pub fn human_size(bytes: u64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} Mo", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} Ko", bytes.div_ceil(1024))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_round_trip_through_the_url() {
        for p in [
            UploadProblem::Missing,
            UploadProblem::TooBig,
            UploadProblem::NotAllowedType,
            UploadProblem::Unreadable,
            UploadProblem::Protected,
            UploadProblem::TooManyPages { pages: 3, max: 2 },
            UploadProblem::NotEditable,
            UploadProblem::MisleadingName,
            UploadProblem::TooManyPixels,
        ] {
            assert_eq!(UploadProblem::parse(p.code(), 3, 2), Some(p));
        }
        assert!(UploadProblem::TooManyPages { pages: 3, max: 2 }
            .message()
            .contains("3 pages"));
    }

    #[test]
    fn the_browser_refuses_what_the_server_would_refuse_by_size_or_type() {
        let mb = 1024 * 1024;
        assert_eq!(
            check_before_sending("scan.pdf", "application/pdf", 3 * mb),
            Ok(())
        );
        assert_eq!(check_before_sending("IMG_1.JPG", "image/jpeg", mb), Ok(()));
        assert_eq!(check_before_sending("photo.png", "", mb), Ok(()));
        assert_eq!(
            check_before_sending("scan.pdf", "application/pdf", 10 * mb + 1),
            Err(UploadProblem::TooBig)
        );
        assert_eq!(
            check_before_sending("scan.pdf", "application/pdf", 10 * mb),
            Ok(())
        );
        assert_eq!(
            check_before_sending("IMG_2.HEIC", "image/heic", mb),
            Err(UploadProblem::NotAllowedType)
        );
        assert_eq!(
            check_before_sending("lettre.docx", "", mb),
            Err(UploadProblem::NotAllowedType)
        );
        assert_eq!(
            check_before_sending("vide.pdf", "application/pdf", 0),
            Err(UploadProblem::Unreadable)
        );
        assert_eq!(
            check_before_sending("facture\u{202E}fdp.exe", "application/pdf", mb),
            Err(UploadProblem::MisleadingName)
        );
        assert!(UploadProblem::NotAllowedType
            .message_before_sending()
            .contains(".pdf, .jpg ou .png"));
    }

    #[test]
    fn file_names_are_cleaned() {
        assert_eq!(
            clean_filename("C:\\Users\\lea\\carte id.pdf"),
            "carte id.pdf"
        );
        assert_eq!(clean_filename("../../etc/passwd"), "passwd");
        assert_eq!(clean_filename("\"bad\"\n.pdf"), "bad.pdf");
        assert_eq!(clean_filename(".."), "document");
        assert_eq!(human_size(1_468_006), "1,4 Mo");
        assert_eq!(human_size(2048), "2 Ko");
    }
}
