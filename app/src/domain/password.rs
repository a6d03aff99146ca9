//! Password rules (ANSSI / NIST SP 800-63B style): a minimum length, no composition rules,
//! and the most common passwords refused with a clear message.

/// Minimum number of characters (NIST SP 800-63B-4 §3.1.1.2 asks at least 15 for single-factor,
/// ANSSI's 2021 recommendation accepts 12 with a slow hash and a failure limit: we do both).
pub const MIN_CHARS: usize = 12;
/// Upper bound, only to keep hashing cheap for a flood of huge inputs. NIST asks at least 64.
pub const MAX_CHARS: usize = 128;

const COMMON_LIST: &str = include_str!("common_passwords.txt");

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

/// Keyboard rows and runs that people type as passwords.
const SEQUENCES: &[&str] = &[
    "01234567890123456789",
    "98765432109876543210",
    "abcdefghijklmnopqrstuvwxyz",
    "zyxwvutsrqponmlkjihgfedcba",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertyuiopasdfghjklzxcvbnm",
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
    if COMMON_LIST
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.trim() == lower)
    {
        return true;
    }
    let mut chars = lower.chars();
    if let Some(first) = chars.next() {
        if chars.all(|c| c == first) {
            return true;
        }
    }
    if SEQUENCES.iter().any(|seq| seq.contains(lower)) {
        return true;
    }
    // Strip the digits and symbols people add around a word, then look at what is left.
    let core = lower.trim_matches(|c: char| !c.is_alphabetic());
    if core.is_empty() {
        // Only digits and symbols: common when it is a short pattern repeated.
        return is_repetition(lower, 6);
    }
    BASE_WORDS.iter().any(|w| {
        core == *w || (core.len().is_multiple_of(w.len()) && core == w.repeat(core.len() / w.len()))
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
