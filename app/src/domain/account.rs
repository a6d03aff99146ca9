//! Who can log in, and where.

use serde::{Deserialize, Serialize};

/// The four kinds of accounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// A driving-school user (compte professionnel), attached to a school.
    Ecole,
    /// A candidate (usager).
    Usager,
    /// An agent of the processing centre (CTN).
    Agent,
    /// An administrator of the service.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Ecole, Role::Usager, Role::Agent, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Ecole => "ecole",
            Role::Usager => "usager",
            Role::Agent => "agent",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// The login page this role uses.
    pub fn espace(self) -> Espace {
        match self {
            Role::Usager => Espace::Usager,
            Role::Ecole | Role::Agent | Role::Admin => Espace::Pro,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Ecole => "École de conduite",
            Role::Usager => "Usager",
            Role::Agent => "Agent du centre d'instruction",
            Role::Admin => "Administrateur",
        }
    }
}

/// The two login pages: candidates log in to « Mon espace », everyone else to the « Espace professionnel ».
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Espace {
    Usager,
    Pro,
}

impl Espace {
    pub fn as_str(self) -> &'static str {
        match self {
            Espace::Usager => "usager",
            Espace::Pro => "pro",
        }
    }

    pub fn parse(s: &str) -> Option<Espace> {
        match s {
            "usager" => Some(Espace::Usager),
            "pro" => Some(Espace::Pro),
            _ => None,
        }
    }

    pub fn roles(self) -> &'static [Role] {
        match self {
            Espace::Usager => &[Role::Usager],
            Espace::Pro => &[Role::Ecole, Role::Agent, Role::Admin],
        }
    }
}

/// Longest identifiant or email accepted in a login form (RFC 5321 path limit).
pub const IDENTIFIER_MAX_CHARS: usize = 254;

/// Why a login identifier is unusable before any lookup.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdentifierProblem {
    Empty,
    TooLong,
    InvalidCharacters,
}

impl IdentifierProblem {
    pub fn message(self) -> &'static str {
        match self {
            IdentifierProblem::Empty => {
                "Saisissez votre identifiant ou votre adresse électronique."
            }
            IdentifierProblem::TooLong => {
                "L'identifiant ou l'adresse électronique ne peut pas dépasser 254 caractères."
            }
            IdentifierProblem::InvalidCharacters => {
                "L'identifiant contient des caractères non reconnus. Saisissez-le tel qu'il figure dans le courriel reçu."
            }
        }
    }
}

/// Normalises what a user typed as identifiant or email: trimmed, lower case.
/// Identifiants and emails are compared case-insensitively everywhere.
pub fn normalize_identifier(raw: &str) -> Result<String, IdentifierProblem> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(IdentifierProblem::Empty);
    }
    if trimmed.chars().count() > IDENTIFIER_MAX_CHARS {
        return Err(IdentifierProblem::TooLong);
    }
    // U+FFFD appears when a form field carried bytes that were not UTF-8.
    if trimmed
        .chars()
        .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
    {
        return Err(IdentifierProblem::InvalidCharacters);
    }
    Ok(trimmed.to_lowercase())
}

/// Whether a normalised identifier looks like an email address (it is then matched against emails).
pub fn looks_like_email(normalized: &str) -> bool {
    normalized.contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_land_in_their_space() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
            assert!(role.espace().roles().contains(&role));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn identifiers_are_trimmed_and_lowercased() {
        assert_eq!(
            normalize_identifier("  Pierre.Martin@Example.FR "),
            Ok("pierre.martin@example.fr".into())
        );
        assert_eq!(normalize_identifier("   "), Err(IdentifierProblem::Empty));
        assert_eq!(
            normalize_identifier(&"a".repeat(255)),
            Err(IdentifierProblem::TooLong)
        );
        assert!(normalize_identifier(&"a".repeat(254)).is_ok());
        assert_eq!(
            normalize_identifier("pmartin\u{FFFD}"),
            Err(IdentifierProblem::InvalidCharacters)
        );
    }
}
