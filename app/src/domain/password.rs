//! Password rules (ANSSI / NIST SP 800-63B style): a minimum length, no composition rules,
//! and the most common passwords refused with a clear message.

/// Minimum number of characters (NIST SP 800-63B-4 §3.1.1.2 asks at least 15 for single-factor,
/// ANSSI's 2021 recommendation accepts 12 with a slow hash and a failure limit: we do both).
pub const MIN_CHARS: usize = 12;
/// Upper bound, only to keep hashing cheap for a flood of huge inputs. NIST asks at least 64.
pub const MAX_CHARS: usize = 128;

/// French passwords of 12 characters or more seen in leaks (hand-kept; lower case).
const COMMON_LIST: &str = include_str!("common_passwords.txt");

// The lists of passwords from public breaches (long ones, roots): `crate::leaked_passwords`.
use crate::leaked_passwords::lists as leaked_lists;

/// Whether `word` is a line of a sorted list.
fn in_sorted(list: &str, word: &str) -> bool {
    // The lists are small (a few thousand lines): a scan costs microseconds.
    list.lines().any(|l| l == word)
}

/// Words that leaked passwords are built on: « motdepasse2024! » is refused because of « motdepasse ».
const BASE_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "motdepasse",
    "azerty",
    "azertyuiop",
    "qwerty",
    "qwertyuiop",
    "iloveyou",
    "jetaime",
    "bonjour",
    "soleil",
    "doudou",
    "chouchou",
    "loulou",
    "marseille",
    "football",
    "liverpool",
    "princesse",
    "welcome",
    "admin",
    "administrateur",
    "administrator",
    "changeme",
    "letmein",
    "sunshine",
    "superman",
    "starwars",
    "pokemon",
    "permis",
    "permisdeconduire",
    "ecoledeconduite",
    "monmotdepasse",
    "abcdef",
    "abcdefgh",
];

/// Keyboard rows, columns and zigzags (QWERTY and AZERTY) and runs that people type as
/// passwords; a password made of a part of one (and digits or symbols around it) is refused.
const SEQUENCES: &[&str] = &[
    "01234567890123456789",
    "98765432109876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
    "nbvcxwmlkjhgfdsqpoiuytreza",
    "mnbvcxzlkjhgfdsapoiuytrewq",
    // Columns.
    "qazwsxedcrfvtgbyhnujmikolp",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
    "aqwzsxedcrfvtgbyhnujkilomp",
    "1aqw2zsx3edc4rfv5tgb6yhn7ujk8il9om0p",
    "zaqxswcdevfrbgtnhymjukilop",
    // Digits and letters of one column, in turn.
    "q1w2e3r4t5y6u7i8o9p0",
    "1q2w3e4r5t6y7u8i9o0p",
    "a1z2e3r4t5y6u7i8o9p0",
    "1a2z3e4r5t6y7u8i9o0p",
    // AZERTY's digit row without Shift.
    "&é\"'(-è_çà)=",
];

/// Why a new password is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PasswordProblem {
    Empty,
    TooShort { chars: usize },
    TooLong,
    Common,
    SameAsIdentity,
    InvalidCharacters,
}

impl PasswordProblem {
    pub fn message(self) -> String {
        match self {
            PasswordProblem::Empty => "Saisissez un mot de passe.".into(),
            PasswordProblem::TooShort { chars } => format!(
                "Le mot de passe doit contenir au moins {MIN_CHARS} caractères (il en contient {chars}). \
                 Une phrase de plusieurs mots est facile à retenir et difficile à deviner."
            ),
            PasswordProblem::TooLong => {
                format!("Le mot de passe ne peut pas dépasser {MAX_CHARS} caractères.")
            }
            PasswordProblem::Common => "Ce mot de passe fait partie des plus utilisés et serait deviné \
                 en quelques essais. Choisissez-en un autre, par exemple une phrase de plusieurs mots."
                .into(),
            PasswordProblem::SameAsIdentity => {
                "Le mot de passe ne doit pas reprendre votre identifiant ou votre adresse électronique."
                    .into()
            }
            PasswordProblem::InvalidCharacters => {
                "Le mot de passe contient des caractères non reconnus (caractères de contrôle).".into()
            }
        }
    }
}

impl std::fmt::Display for PasswordProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message())
    }
}

/// Checks a password chosen by a user. `identity` holds the identifiant and email, which the
/// password must not simply repeat.
pub fn check_new_password(password: &str, identity: &[&str]) -> Result<(), PasswordProblem> {
    if password.is_empty() {
        return Err(PasswordProblem::Empty);
    }
    if password
        .chars()
        .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
    {
        return Err(PasswordProblem::InvalidCharacters);
    }
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        return Err(PasswordProblem::TooShort { chars });
    }
    if chars > MAX_CHARS {
        return Err(PasswordProblem::TooLong);
    }
    let lower = password.to_lowercase();
    if identity
        .iter()
        .map(|s| s.trim().to_lowercase())
        .filter(|s| s.chars().count() >= 4)
        .any(|id| lower.contains(&id) && lower.chars().count() < id.chars().count() + 6)
    {
        return Err(PasswordProblem::SameAsIdentity);
    }
    if is_common(&lower) {
        return Err(PasswordProblem::Common);
    }
    Ok(())
}

fn is_common(lower: &str) -> bool {
    // Spaces and separators do not make a phrase of a common password (« mot de passe 2024 »).
    let compact: String = lower
        .chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.'))
        .collect();
    let listed = |p: &str| {
        COMMON_LIST
            .lines()
            .filter(|l| !l.starts_with('#'))
            .any(|l| l.trim() == p)
            || in_sorted(leaked_lists().0, p)
    };
    if listed(lower) || listed(&compact) {
        return true;
    }
    let mut chars = compact.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return true;
        }
    }
    // Strip the digits and symbols people add around a word, then look at what is left.
    let core = compact.trim_matches(|c: char| !c.is_alphabetic());
    if SEQUENCES.iter().any(|seq| {
        seq.contains(lower)
            || seq.contains(compact.as_str())
            || (core.len() >= 4 && seq.contains(core))
    }) {
        return true;
    }
    if core.is_empty() {
        // Only digits and symbols: common when it is a short pattern repeated.
        return is_repetition(&compact, 6);
    }
    // A known word, or a known word repeated (« soleilsoleil »), padded with digits or symbols.
    let known = |w: &str| {
        BASE_WORDS.contains(&w) || (w.len() >= 6 && w.len() <= 11 && in_sorted(leaked_lists().1, w))
    };
    if known(core) {
        return true;
    }
    (1..=core.len() / 2).any(|block| {
        core.len().is_multiple_of(block)
            && core.is_char_boundary(block)
            && core == core[..block].repeat(core.len() / block)
            && known(&core[..block])
    })
}

/// Whether `s` is some block of at most `max_block` characters repeated.
fn is_repetition(s: &str, max_block: usize) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (1..=max_block.min(chars.len() / 2)).any(|block| {
        chars.len().is_multiple_of(block) && chars.chunks(block).all(|c| c == &chars[..block])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_is_the_only_composition_rule() {
        assert_eq!(
            check_new_password("court", &[]),
            Err(PasswordProblem::TooShort { chars: 5 })
        );
        // Eleven characters, even complex ones, are too short.
        assert_eq!(
            check_new_password("Xy7#kL9!pQ2", &[]),
            Err(PasswordProblem::TooShort { chars: 11 })
        );
        // Twelve lower-case letters without digits or symbols are fine.
        assert_eq!(check_new_password("girafe violette", &[]), Ok(()));
        // Characters are counted, not bytes: 12 accented letters pass.
        assert_eq!(check_new_password("éléphantésée", &[]), Ok(()));
        assert_eq!(
            check_new_password(&"long mot ".repeat(20), &[]),
            Err(PasswordProblem::TooLong)
        );
        assert_eq!(check_new_password("", &[]), Err(PasswordProblem::Empty));
    }

    #[test]
    fn the_most_common_passwords_are_refused() {
        for p in [
            "123456789012",
            "azertyuiop123",
            "Motdepasse2024",
            "MOTDEPASSE2026!",
            "Password1234",
            "aaaaaaaaaaaaaaa",
            "qwertyuiopasdf",
            "abcdefghijklmnop",
            "2024!2024!2024!",
            "azertyazertyazerty",
        ] {
            assert_eq!(
                check_new_password(p, &[]),
                Err(PasswordProblem::Common),
                "{p}"
            );
        }
        assert_eq!(check_new_password("cheval-bleu-du-lundi", &[]), Ok(()));
    }

    #[test]
    fn leaked_passwords_phrases_and_keyboard_walks_are_refused() {
        for p in [
            // From the breach corpus, as they are.
            "q1w2e3r4t5y6",
            "qazwsxedc123",
            "1qaz2wsx3edc4rfv",
            "sonyericsson",
            "administrator",
            // A leaked word padded to 12 characters, or repeated.
            "princess2024!",
            "Soleil123456",
            "football1234",
            "doudoudoudou",
            // A phrase of a common password.
            "mot de passe 2024",
            "Mot-de-passe-123",
            "je t aime 12345",
            // Keyboard walks, QWERTY and AZERTY.
            "a1z2e3r4t5y6",
            "aqwzsxedcrfv",
            "&é\"'(-è_çà)=",
            "poiuytreza123",
        ] {
            assert_eq!(
                check_new_password(p, &[]),
                Err(PasswordProblem::Common),
                "{p}"
            );
        }
        // Phrases of ordinary words stay accepted.
        for p in [
            "girafe violette",
            "tartine du dimanche",
            "vitesse limitee a 50",
            "la pluie tombe sur la ville",
            "instruction a paris 2026",
        ] {
            assert_eq!(check_new_password(p, &[]), Ok(()), "{p}");
        }
    }

    #[test]
    fn the_password_may_not_be_the_identifiant() {
        assert_eq!(
            check_new_password("pmartin2007!", &["pmartin", "pierre@example.fr"]),
            Err(PasswordProblem::SameAsIdentity)
        );
        assert_eq!(
            check_new_password("le pmartin aime les tartes", &["pmartin"]),
            Ok(())
        );
    }

    #[test]
    fn control_characters_and_undecodable_bytes_are_refused() {
        assert_eq!(
            check_new_password("abc\u{0}defghijklmn", &[]),
            Err(PasswordProblem::InvalidCharacters)
        );
        assert_eq!(
            check_new_password("abcdefghijklm\u{FFFD}", &[]),
            Err(PasswordProblem::InvalidCharacters)
        );
    }

    #[test]
    fn every_message_is_french_and_non_empty() {
        for p in [
            PasswordProblem::Empty,
            PasswordProblem::TooShort { chars: 3 },
            PasswordProblem::TooLong,
            PasswordProblem::Common,
            PasswordProblem::SameAsIdentity,
            PasswordProblem::InvalidCharacters,
        ] {
            assert!(p.message().contains("mot de passe"), "{p:?}");
        }
    }
}
