//! Formats of the fields of a demande, normalised the same way in the browser and on the server.

/// Postal code: five digits (Corsica included: 20xxx).
pub fn normalize_code_postal(raw: &str) -> Result<String, &'static str> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Err("Saisissez le code postal.");
    }
    if s.len() != 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err("Le code postal comporte 5 chiffres, par exemple 75011.");
    }
    if s.starts_with("00") {
        return Err("Ce code postal n'existe pas : il ne peut pas commencer par 00.");
    }
    Ok(s)
}

/// French mobile numbers, metropolitan and overseas, stored in E.164 (`+33612345678`).
/// Source: ARCEP numbering plan (06/07 in metropolitan France; 0639, 0690/0691, 0692/0693,
/// 0694, 0696/0697 overseas, with their country codes).
pub fn normalize_mobile(raw: &str) -> Result<String, &'static str> {
    let cleaned: String = raw
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Err("Saisissez le numéro de téléphone portable.");
    }
    let national = if let Some(rest) = cleaned
        .strip_prefix("+33")
        .or_else(|| cleaned.strip_prefix("0033"))
    {
        format!("0{rest}")
    } else if let Some(rest) = [
        "+262", "+590", "+594", "+596", "00262", "00590", "00594", "00596",
    ]
    .iter()
    .find_map(|p| cleaned.strip_prefix(p))
    {
        format!("0{rest}")
    } else {
        cleaned
    };
    if national.len() != 10
        || !national.bytes().all(|b| b.is_ascii_digit())
        || !national.starts_with('0')
    {
        return Err("Le numéro de portable comporte 10 chiffres, par exemple 06 12 34 56 78.");
    }
    let overseas: &[(&str, &str)] = &[
        ("0639", "+262"),
        ("0690", "+590"),
        ("0691", "+590"),
        ("0692", "+262"),
        ("0693", "+262"),
        ("0694", "+594"),
        ("0696", "+596"),
        ("0697", "+596"),
    ];
    if let Some((_, cc)) = overseas.iter().find(|(p, _)| national.starts_with(p)) {
        return Ok(format!("{cc}{}", &national[1..]));
    }
    if national.starts_with("06") || national.starts_with("07") {
        return Ok(format!("+33{}", &national[1..]));
    }
    Err("Ce numéro n'est pas un numéro de portable : il doit commencer par 06 ou 07.")
}

/// `+33612345678` → `06 12 34 56 78` for display.
pub fn display_phone(e164: &str) -> String {
    let national = ["+33", "+262", "+590", "+594", "+596"]
        .iter()
        .find_map(|p| e164.strip_prefix(p))
        .map(|rest| format!("0{rest}"))
        .unwrap_or_else(|| e164.to_string());
    national
        .as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

/// NEPH (numéro d'enregistrement préfectoral harmonisé): 12 digits, optional.
pub fn normalize_neph(raw: &str) -> Result<Option<String>, &'static str> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if s.is_empty() {
        return Ok(None);
    }
    if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(
            "Le numéro NEPH comporte 12 chiffres. Laissez le champ vide si le candidat n'en a pas.",
        );
    }
    Ok(Some(s))
}

/// E-photo code: 22 letters and digits, upper case (spaces and dashes ignored).
pub fn normalize_ephoto_code(raw: &str) -> Result<String, &'static str> {
    let s: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect::<String>()
        .to_ascii_uppercase();
    if s.is_empty() {
        return Err("Saisissez le code e-photo figurant sur la planche photo.");
    }
    if s.len() != 22 || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("Le code e-photo comporte 22 lettres et chiffres (sans accents).");
    }
    Ok(s)
}

/// The invisible characters that reverse the reading order of what follows (Unicode
/// bidirectional overrides and isolates): a name or a file name that contains one can show
/// « gpj.exe » as « exe.jpg ». Refused in every text field and file name.
pub fn has_bidi_control(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
}

pub const BIDI_MESSAGE: &str =
    "Ce champ contient un caractère invisible qui inverse le sens de lecture : retapez-le sans copier-coller.";

/// An email address, parsed by a maintained crate (`email_address`, RFC 5322 addr-spec): a bare
/// address only — no display name (« Candidat <detour@evil.example> »), no domain literal
/// (« lea@[10.0.0.1] »), a domain with at least two labels. The real check is the activation
/// link the candidate receives.
pub fn normalize_email(raw: &str) -> Result<String, &'static str> {
    let s = raw.trim();
    if s.is_empty() {
        return Err("Saisissez l'adresse électronique du candidat.");
    }
    if s.chars().count() > 254 {
        return Err("L'adresse électronique ne peut pas dépasser 254 caractères.");
    }
    if has_bidi_control(s) {
        return Err(BIDI_MESSAGE);
    }
    let options = email_address::Options {
        minimum_sub_domains: 2,
        allow_domain_literal: false,
        allow_display_text: false,
        allow_long_local_parts: false,
    };
    let Ok(parsed) = email_address::EmailAddress::parse_with_options(s, options) else {
        return Err("L'adresse électronique doit avoir la forme nom@domaine.fr.");
    };
    // Quoted local parts (« "a b"@x.fr ») are valid but no person types one: refused too, with
    // whatever a mail client would show differently from what is stored.
    let ok = parsed.as_str() == s
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
    if !ok {
        return Err("L'adresse électronique doit avoir la forme nom@domaine.fr.");
    }
    Ok(s.to_string())
}

/// Names (nom, prénoms, commune): letters (accents included), spaces, hyphens, apostrophes.
pub fn normalize_name(raw: &str, what: &str, max: usize) -> Result<String, String> {
    if has_bidi_control(raw) {
        return Err(BIDI_MESSAGE.into());
    }
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(format!("Saisissez {what}."));
    }
    if s.chars().count() > max {
        return Err(format!("Ce champ ne peut pas dépasser {max} caractères."));
    }
    if !s
        .chars()
        .all(|c| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.'))
    {
        return Err(
            "Seuls les lettres, espaces, traits d'union et apostrophes sont acceptés.".into(),
        );
    }
    Ok(s)
}

/// A commune's name as typed: trimmed, bounded; letters, digits (« Lyon 3e Arrondissement »),
/// spaces, hyphens, apostrophes, dots and parentheses (« Bors (Canton de Tude-et-Lavalette) ») —
/// every character of the official names.
pub fn normalize_commune(raw: &str, what: &str, max: usize) -> Result<String, String> {
    if has_bidi_control(raw) {
        return Err(BIDI_MESSAGE.into());
    }
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.is_empty() {
        return Err(format!("Saisissez {what}."));
    }
    if s.chars().count() > max {
        return Err(format!("Ce champ ne peut pas dépasser {max} caractères."));
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '\'' | '’' | '.' | '(' | ')'))
    {
        return Err(
            "Seuls les lettres, chiffres, espaces, traits d'union, apostrophes et parenthèses sont acceptés."
                .into(),
        );
    }
    Ok(s)
}

/// Free text (street name, complement): trimmed, bounded, no control characters.
pub fn normalize_text(raw: &str, max: usize) -> Result<String, String> {
    if has_bidi_control(raw) {
        return Err(BIDI_MESSAGE.into());
    }
    let s = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if s.chars().count() > max {
        return Err(format!("Ce champ ne peut pas dépasser {max} caractères."));
    }
    if s.chars()
        .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
    {
        return Err("Ce champ contient des caractères non reconnus.".into());
    }
    Ok(s)
}

/// « 1 erreur », « 2 erreurs », « 0 page »: a count and its noun, written out as French does
/// (singular up to 1).
pub fn plural(n: impl Into<i64>, singular: &str, plural: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n > 1 { plural } else { singular })
}

/// The pages a pagination links to: the first and the last, and two on each side of the
/// current one; `None` marks a gap (« … »). At most nine entries, whatever the number of pages.
pub fn page_window(current: u32, pages: u32) -> Vec<Option<u32>> {
    let current = current.clamp(1, pages.max(1));
    let low = current.saturating_sub(2).max(1);
    let high = (current + 2).min(pages);
    let mut out = Vec::new();
    if low > 1 {
        out.push(Some(1));
        // A gap of one page shows that page rather than « … ».
        match low {
            3 => out.push(Some(2)),
            l if l > 3 => out.push(None),
            _ => {}
        }
    }
    out.extend((low..=high).map(Some));
    if high < pages {
        match pages - high {
            2 => out.push(Some(pages - 1)),
            d if d > 2 => out.push(None),
            _ => {}
        }
        out.push(Some(pages));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pagination_shows_a_window_and_both_ends() {
        assert_eq!(page_window(1, 1), vec![Some(1)]);
        assert_eq!(page_window(1, 3), vec![Some(1), Some(2), Some(3)]);
        assert_eq!(
            page_window(1, 2503),
            vec![Some(1), Some(2), Some(3), None, Some(2503)]
        );
        assert_eq!(
            page_window(2000, 2503),
            vec![
                Some(1),
                None,
                Some(1998),
                Some(1999),
                Some(2000),
                Some(2001),
                Some(2002),
                None,
                Some(2503)
            ]
        );
        // No gap of a single page: it is shown.
        assert_eq!(
            page_window(4, 7),
            vec![
                Some(1),
                Some(2),
                Some(3),
                Some(4),
                Some(5),
                Some(6),
                Some(7)
            ]
        );
        assert_eq!(page_window(5, 9), (1..=9).map(Some).collect::<Vec<_>>());
        assert_eq!(page_window(9, 3), vec![Some(1), Some(2), Some(3)]);
        assert!((1..=300).all(|c| page_window(c, 300).len() <= 9));
        assert!((1..=300).all(|c| page_window(c, 300).contains(&Some(c))));
    }

    #[test]
    fn counts_are_written_out() {
        assert_eq!(plural(1, "erreur", "erreurs"), "1 erreur");
        assert_eq!(plural(2, "erreur", "erreurs"), "2 erreurs");
        assert_eq!(plural(0u32, "page", "pages"), "0 page");
    }

    #[test]
    fn postal_codes() {
        assert_eq!(normalize_code_postal(" 75 011"), Ok("75011".into()));
        assert_eq!(normalize_code_postal("20000"), Ok("20000".into()));
        assert!(normalize_code_postal("7501").is_err());
        assert!(normalize_code_postal("75O11").is_err());
        assert!(normalize_code_postal("00100").is_err());
        assert!(normalize_code_postal("").is_err());
    }

    #[test]
    fn mobile_numbers_are_stored_in_e164() {
        assert_eq!(
            normalize_mobile("06 12 34 56 78"),
            Ok("+33612345678".into())
        );
        assert_eq!(
            normalize_mobile("07.12.34.56.78"),
            Ok("+33712345678".into())
        );
        assert_eq!(
            normalize_mobile("+33 6 12 34 56 78"),
            Ok("+33612345678".into())
        );
        assert_eq!(normalize_mobile("0033612345678"), Ok("+33612345678".into()));
        assert_eq!(
            normalize_mobile("0692 12 34 56"),
            Ok("+262692123456".into())
        );
        assert_eq!(
            normalize_mobile("+262 692 12 34 56"),
            Ok("+262692123456".into())
        );
        assert_eq!(normalize_mobile("0696123456"), Ok("+596696123456".into()));
        assert!(normalize_mobile("01 23 45 67 89")
            .unwrap_err()
            .contains("portable"));
        assert!(normalize_mobile("06 12 34 56").is_err());
        assert!(normalize_mobile("").is_err());
        assert_eq!(display_phone("+33612345678"), "06 12 34 56 78");
    }

    #[test]
    fn neph_is_optional_and_twelve_digits() {
        assert_eq!(normalize_neph(""), Ok(None));
        assert_eq!(
            normalize_neph("1234 5678 9012"),
            Ok(Some("123456789012".into()))
        );
        assert!(normalize_neph("12345678901").is_err());
        assert!(normalize_neph("12345678901A").is_err());
    }

    #[test]
    fn ephoto_codes_are_normalised_to_upper_case() {
        assert_eq!(
            normalize_ephoto_code("abcd-efgh 1234 5678 9012 kl"),
            Ok("ABCDEFGH123456789012KL".into())
        );
        assert!(normalize_ephoto_code("ABCDEFGH123456789012K").is_err());
        assert!(normalize_ephoto_code("ABCDEFGH123456789012KÉ").is_err());
    }

    #[test]
    fn emails_and_names() {
        assert_eq!(
            normalize_email(" lea@example.fr "),
            Ok("lea@example.fr".into())
        );
        assert!(normalize_email("lea@example").is_err());
        assert!(normalize_email("lea example.fr").is_err());
        // Ordinary addresses people have.
        for ok in [
            "lea.martin@example.fr",
            "lea+permis@mail.example.com",
            "o'brien@example.ie",
            "jean-pierre_2009@sous.domaine.example.fr",
        ] {
            assert_eq!(normalize_email(ok), Ok(ok.to_string()), "{ok}");
        }
        // A display name, a domain literal, a quoted local part, brackets: refused.
        for bad in [
            "Candidat<detour@evil.example>",
            "Candidat <detour@evil.example>",
            "<lea@example.fr>",
            "lea@[10.0.0.1]",
            "\"lea martin\"@example.fr",
            "lea@@example.fr",
            "lea@example..fr",
            ".lea@example.fr",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
        assert_eq!(
            normalize_name("  Jean-Pierre   d'Arc ", "le nom", 50),
            Ok("Jean-Pierre d'Arc".into())
        );
        assert!(normalize_name("R2D2", "le nom", 50).is_err());
        // Bidirectional overrides and isolates, in every kind of field.
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}',
        ] {
            let typed = format!("Mar{c}tin");
            assert_eq!(
                normalize_name(&typed, "le nom", 50),
                Err(BIDI_MESSAGE.to_string())
            );
            assert_eq!(
                normalize_commune(&typed, "la commune", 50),
                Err(BIDI_MESSAGE.to_string())
            );
            assert_eq!(normalize_text(&typed, 50), Err(BIDI_MESSAGE.to_string()));
            assert_eq!(
                normalize_email(&format!("lea{c}@example.fr")),
                Err(BIDI_MESSAGE)
            );
            assert!(has_bidi_control(&format!("facture{c}fdp.exe")));
        }
        assert!(!has_bidi_control("Zoé d'Aubigné — 3e étage"));
        assert!(normalize_name("", "le nom de naissance", 50)
            .unwrap_err()
            .contains("nom de naissance"));
    }
}
