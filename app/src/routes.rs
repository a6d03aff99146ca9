//! Every path of the site, spelled once.
//!
//! `Page` is the typed table of the pages (the `<Routes>` of `app.rs` declare the same patterns,
//! and a test checks that they agree): what a page is called, its address, who may open it and
//! whether the server computes its data before rendering. The server's access rules and page
//! preloading go through `Page::parse`; links are built with `Page::href`. The few addresses
//! that are not pages (file downloads, the verification page written by the server…) are the
//! functions at the end.

use crate::domain::account::{Espace, Role};

/// The areas of the site: the first word of the URL. Each has one API module (`api/<area>.rs`)
/// and its pages (`pages/<area>`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    /// `/ecole/…`: the driving school.
    Ecole,
    /// `/monespace/…`: the candidate (usager).
    Usager,
    /// `/connexion/…`: logging in and recovering access.
    Connexion,
    /// `/pro…`: agents and administrators.
    Pro,
    /// Everything else (home, accessibility…): open to all.
    Public,
}

impl Area {
    /// The area of a path (its first segment).
    pub fn of(path: &str) -> Area {
        match path.trim_start_matches('/').split('/').next().unwrap_or("") {
            "ecole" => Area::Ecole,
            "monespace" => Area::Usager,
            "connexion" => Area::Connexion,
            "pro" => Area::Pro,
            _ => Area::Public,
        }
    }

    /// Who may open the area's pages, and where anonymous visitors log in.
    pub fn access(self) -> Option<(&'static [Role], Espace)> {
        match self {
            Area::Ecole => Some((&[Role::Ecole], Espace::Pro)),
            Area::Usager => Some((&[Role::Usager], Espace::Usager)),
            Area::Pro => Some((&[Role::Agent, Role::Admin], Espace::Pro)),
            Area::Connexion | Area::Public => None,
        }
    }
}

/// The pages of the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Page {
    Accueil,
    Accessibilite,
    MentionsLegales,
    DonneesPersonnelles,
    GestionCookies,
    PlanDuSite,
    /// « Aide et contact ».
    Aide,
    /// The candidate's login page (« Mon espace »).
    Connexion,
    /// The professionals' login page.
    ConnexionPro,
    IdentifiantOublie,
    MotDePasseOublie,
    /// « Mot de passe oublié ? » of the professional space (a link by email, no question).
    MotDePasseOubliePro,
    Reinitialiser {
        token: String,
    },
    /// A logged-in user (any role) changes their password.
    ChangerMotDePasse,
    /// The school's list of demandes.
    EcoleDemandes,
    /// A step of the school's stepper (1 to 6).
    Etape {
        id: i64,
        n: usize,
    },
    MonEspace,
    /// The activation link (opened before the candidate has a password).
    Activer {
        token: String,
    },
    AValider,
    DemandeUsager {
        id: i64,
    },
    Refus {
        id: i64,
    },
    /// The school answers a request for a complement: only the items asked are open.
    Complement {
        id: i64,
    },
    Pro,
    /// An agent instructs a demande of their centre.
    Instruction {
        id: i64,
    },
}

impl Page {
    /// The router's patterns, in the order of `app.rs` (`{x}`: a parameter).
    pub const PATTERNS: [&'static str; 24] = [
        "/",
        "/accessibilite",
        "/mentions-legales",
        "/donnees-personnelles",
        "/gestion-des-cookies",
        "/plan-du-site",
        "/aide",
        "/connexion",
        "/connexion/pro",
        "/connexion/identifiant-oublie",
        "/connexion/mot-de-passe-oublie",
        "/connexion/pro/mot-de-passe-oublie",
        "/connexion/reinitialiser/{token}",
        "/connexion/mot-de-passe",
        "/ecole/demandes",
        "/ecole/demandes/{id}/etape/{n}",
        "/ecole/demandes/{id}/complement",
        "/monespace",
        "/monespace/activer/{token}",
        "/monespace/a-valider",
        "/monespace/demandes/{id}",
        "/monespace/demandes/{id}/refuser",
        "/pro",
        "/pro/demandes/{id}",
    ];

    /// The page at `path` (without query string), if it is one.
    pub fn parse(path: &str) -> Option<Page> {
        let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
        let id = |s: &str| s.parse::<i64>().ok();
        Some(match segments.as_slice() {
            [""] => Page::Accueil,
            ["accessibilite"] => Page::Accessibilite,
            ["mentions-legales"] => Page::MentionsLegales,
            ["donnees-personnelles"] => Page::DonneesPersonnelles,
            ["gestion-des-cookies"] => Page::GestionCookies,
            ["plan-du-site"] => Page::PlanDuSite,
            ["aide"] => Page::Aide,
            ["connexion"] => Page::Connexion,
            ["connexion", "pro"] => Page::ConnexionPro,
            ["connexion", "identifiant-oublie"] => Page::IdentifiantOublie,
            ["connexion", "mot-de-passe-oublie"] => Page::MotDePasseOublie,
            ["connexion", "pro", "mot-de-passe-oublie"] => Page::MotDePasseOubliePro,
            ["connexion", "reinitialiser", token] => Page::Reinitialiser {
                token: token.to_string(),
            },
            ["connexion", "mot-de-passe"] => Page::ChangerMotDePasse,
            ["ecole", "demandes"] => Page::EcoleDemandes,
            ["ecole", "demandes", i, "etape", n] => Page::Etape {
                id: id(i)?,
                n: n.parse().ok()?,
            },
            ["ecole", "demandes", i, "complement"] => Page::Complement { id: id(i)? },
            ["monespace"] => Page::MonEspace,
            ["monespace", "activer", token] => Page::Activer {
                token: token.to_string(),
            },
            ["monespace", "a-valider"] => Page::AValider,
            ["monespace", "demandes", i] => Page::DemandeUsager { id: id(i)? },
            ["monespace", "demandes", i, "refuser"] => Page::Refus { id: id(i)? },
            ["pro"] => Page::Pro,
            ["pro", "demandes", i] => Page::Instruction { id: id(i)? },
            _ => return None,
        })
    }

    /// The page's address.
    pub fn href(&self) -> String {
        match self {
            Page::Accueil => "/".into(),
            Page::Accessibilite => "/accessibilite".into(),
            Page::MentionsLegales => "/mentions-legales".into(),
            Page::DonneesPersonnelles => "/donnees-personnelles".into(),
            Page::GestionCookies => "/gestion-des-cookies".into(),
            Page::PlanDuSite => "/plan-du-site".into(),
            Page::Aide => "/aide".into(),
            Page::Connexion => "/connexion".into(),
            Page::ConnexionPro => "/connexion/pro".into(),
            Page::IdentifiantOublie => "/connexion/identifiant-oublie".into(),
            Page::MotDePasseOublie => "/connexion/mot-de-passe-oublie".into(),
            Page::MotDePasseOubliePro => "/connexion/pro/mot-de-passe-oublie".into(),
            Page::Reinitialiser { token } => format!("/connexion/reinitialiser/{token}"),
            Page::ChangerMotDePasse => "/connexion/mot-de-passe".into(),
            Page::EcoleDemandes => "/ecole/demandes".into(),
            Page::Etape { id, n } => format!("/ecole/demandes/{id}/etape/{n}"),
            Page::MonEspace => "/monespace".into(),
            Page::Activer { token } => format!("/monespace/activer/{token}"),
            Page::AValider => "/monespace/a-valider".into(),
            Page::DemandeUsager { id } => format!("/monespace/demandes/{id}"),
            Page::Refus { id } => format!("/monespace/demandes/{id}/refuser"),
            Page::Complement { id } => format!("/ecole/demandes/{id}/complement"),
            Page::Pro => "/pro".into(),
            Page::Instruction { id } => format!("/pro/demandes/{id}"),
        }
    }

    /// The address with a query string (`etat=supprimee`) or a fragment (`#decision`) added.
    pub fn href_with(&self, suffix: &str) -> String {
        let sep = if suffix.starts_with('#') { "" } else { "?" };
        format!("{}{sep}{suffix}", self.href())
    }

    /// Who may open the page and where anonymous visitors log in; `None`: anyone.
    pub fn access(&self) -> Option<(&'static [Role], Espace)> {
        match self {
            // The activation link is opened before the candidate has a password.
            Page::Activer { .. } => None,
            // Every logged-in user may change their password.
            Page::ChangerMotDePasse => Some((&Role::ALL, Espace::Usager)),
            page => Area::of(&page.href()).access(),
        }
    }

    /// Whether the page is the same for every anonymous visitor: no data of its own, open to
    /// all (the server keeps it rendered: `server/src/public_pages.rs`). What differs between
    /// visitors on these pages comes from a cookie or the query string (a remembered
    /// identifiant, a refused form's message), and such requests are rendered each time.
    pub fn is_shared(&self) -> bool {
        !self.has_data() && self.access().is_none()
    }

    /// Whether the page shows data the server computes before rendering (see
    /// `components::loader`): the server's preloading must handle every such page, or the
    /// page shows « Chargement… » until the WASM fetches it (and forever without JavaScript).
    pub fn has_data(&self) -> bool {
        match self {
            Page::Accueil
            | Page::Accessibilite
            | Page::MentionsLegales
            | Page::DonneesPersonnelles
            | Page::GestionCookies
            | Page::PlanDuSite
            | Page::Aide
            | Page::Connexion
            | Page::ConnexionPro
            | Page::IdentifiantOublie
            | Page::MotDePasseOublie
            | Page::MotDePasseOubliePro => false,
            Page::Reinitialiser { .. }
            | Page::ChangerMotDePasse
            | Page::EcoleDemandes
            | Page::Etape { .. }
            | Page::MonEspace
            | Page::Activer { .. }
            | Page::AValider
            | Page::DemandeUsager { .. }
            | Page::Refus { .. }
            | Page::Complement { .. }
            | Page::Pro
            | Page::Instruction { .. } => true,
        }
    }
}

/// Who may open `path` (a page or any address under an area), and where anonymous visitors log
/// in. The server answers a redirect before rendering; the browser checks again on client
/// navigation.
pub fn access(path: &str) -> Option<(&'static [Role], Espace)> {
    match Page::parse(path) {
        Some(page) => page.access(),
        None => Area::of(path).access(),
    }
}

/// Where a role lands after logging in.
pub fn home_of(role: Role) -> Page {
    match role {
        Role::Ecole => Page::EcoleDemandes,
        Role::Usager => Page::MonEspace,
        Role::Agent | Role::Admin => Page::Pro,
    }
}

/// The login page of a space.
pub fn login_of(espace: Espace) -> Page {
    match espace {
        Espace::Usager => Page::Connexion,
        Espace::Pro => Page::ConnexionPro,
    }
}

/// A piece justificative's file (`fichier`), its thumbnail (`vignette`) or its removal
/// (`supprimer`): `/api/demandes/{id}/pieces/{piece}/{what}`.
pub fn piece_href(demande: i64, piece: i64, what: &str) -> String {
    format!("/api/demandes/{demande}/pieces/{piece}/{what}")
}

/// Where the step-5 form sends a new file for a piece (its code).
pub fn piece_upload_href(demande: i64, piece: &str) -> String {
    format!("/api/demandes/{demande}/pieces/{piece}")
}

/// The generated PDF documents of a demande.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Document {
    Justificatif,
    FormulairePhotoSignature,
    /// The attestation d'inscription au permis de conduire (accepted demande).
    AttestationInscription,
    /// The decision of rejection, with its motivation and the routes of appeal.
    DecisionRejet,
}

impl Document {
    /// The last segment of the document's address.
    pub fn slug(self) -> &'static str {
        match self {
            Document::Justificatif => "justificatif",
            Document::FormulairePhotoSignature => "formulaire-photo-signature",
            Document::AttestationInscription => "attestation-inscription",
            Document::DecisionRejet => "decision-rejet",
        }
    }

    pub fn parse(slug: &str) -> Option<Document> {
        [
            Document::Justificatif,
            Document::FormulairePhotoSignature,
            Document::AttestationInscription,
            Document::DecisionRejet,
        ]
        .into_iter()
        .find(|d| d.slug() == slug)
    }
}

/// A piece's file shown inline to the centre's agents (`?vue=1`: no download prompt).
pub fn piece_view_href(demande: i64, piece: i64) -> String {
    format!("/api/demandes/{demande}/pieces/{piece}/fichier?vue=1")
}

/// `/api/demandes/{id}/documents/{slug}` (see `Document::slug`).
pub fn document_href(demande: i64, document: Document) -> String {
    format!("/api/demandes/{demande}/documents/{}", document.slug())
}

/// Percent-encodes a query-string value.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The public verification page of a justificatif (written by the server, no WASM).
pub fn verification_href(code: &str) -> String {
    format!("/v/{code}")
}

/// « Mes démarches en cours »: a row's action list and « OK » (a plain GET, works without
/// JavaScript).
pub const ALLER: &str = "/monespace/aller";

/// FranceConnect (plain HTTP, written by the server: the browser goes to the provider and
/// comes back). The three starts are forms (`POST`): log in, activate the account of an
/// activation link (field `token`), link FranceConnect to the logged-in candidate's account.
pub const FC_CONNEXION: &str = "/franceconnect/connexion";
pub const FC_ACTIVATION: &str = "/franceconnect/activation";
pub const FC_LIER: &str = "/franceconnect/lier";
pub const FC_DELIER: &str = "/franceconnect/delier";
/// Where the provider sends the browser back (`redirect_uri`).
pub const FC_RETOUR: &str = "/franceconnect/retour";
/// Logging out of a session opened through FranceConnect (`POST`), and the way back from the
/// provider's logout (`post_logout_redirect_uri`).
pub const FC_DECONNEXION: &str = "/franceconnect/deconnexion";
pub const FC_DECONNEXION_RETOUR: &str = "/franceconnect/deconnexion/retour";

/// The development mailbox (development only).
pub const DEV_MAILBOX: &str = "/dev/boite-mail";

/// The address of a file of the built site (`dsfr/…`, `pkg/…`), with its version (`?v=`) when
/// known: see `server::assets`.
pub fn site_file(file: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("/{file}?v={v}"),
        None => format!("/{file}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn examples() -> Vec<Page> {
        vec![
            Page::Accueil,
            Page::Accessibilite,
            Page::MentionsLegales,
            Page::DonneesPersonnelles,
            Page::GestionCookies,
            Page::PlanDuSite,
            Page::Aide,
            Page::Connexion,
            Page::ConnexionPro,
            Page::IdentifiantOublie,
            Page::MotDePasseOublie,
            Page::MotDePasseOubliePro,
            Page::Reinitialiser {
                token: "abc".into(),
            },
            Page::ChangerMotDePasse,
            Page::EcoleDemandes,
            Page::Etape { id: 7, n: 3 },
            Page::Complement { id: 7 },
            Page::MonEspace,
            Page::Activer {
                token: "xyz".into(),
            },
            Page::AValider,
            Page::DemandeUsager { id: 12 },
            Page::Refus { id: 12 },
            Page::Pro,
            Page::Instruction { id: 7 },
        ]
    }

    #[test]
    fn every_page_reads_back_from_its_address() {
        let pages = examples();
        assert_eq!(pages.len(), Page::PATTERNS.len());
        for page in pages {
            assert_eq!(Page::parse(&page.href()), Some(page.clone()), "{page:?}");
        }
        assert_eq!(Page::parse("/ecole/demandes/x/etape/1"), None);
        assert_eq!(Page::parse("/inconnue"), None);
    }

    #[test]
    fn each_pattern_is_the_address_of_one_page() {
        for (pattern, page) in Page::PATTERNS.iter().zip(examples()) {
            let filled = pattern
                .replace("{token}", "abc")
                .replace("{id}", "7")
                .replace("{n}", "3");
            let parsed = Page::parse(&filled).expect(pattern);
            assert_eq!(
                std::mem::discriminant(&parsed),
                std::mem::discriminant(&page),
                "{pattern}"
            );
        }
    }

    #[test]
    fn reserved_pages() {
        assert_eq!(access("/ecole/demandes").map(|a| a.1), Some(Espace::Pro));
        assert_eq!(access("/ecole/autre").map(|a| a.1), Some(Espace::Pro));
        assert_eq!(access("/monespace").map(|a| a.0), Some(&[Role::Usager][..]));
        assert_eq!(access("/ecoles-partenaires"), None);
        assert_eq!(access("/monespace/activer/abc"), None);
        assert_eq!(
            access("/monespace/a-valider").map(|a| a.1),
            Some(Espace::Usager)
        );
        assert_eq!(access("/connexion/pro"), None);
        assert_eq!(access("/professionnels"), None);
        assert_eq!(
            access("/pro").map(|a| a.0),
            Some(&[Role::Agent, Role::Admin][..])
        );
    }

    #[test]
    fn roles_land_on_a_page_they_may_open() {
        for role in Role::ALL {
            let home = home_of(role);
            let (roles, espace) = home.access().expect("a reserved home");
            assert!(roles.contains(&role));
            assert_eq!(espace, role.espace());
            assert_eq!(login_of(espace).access(), None);
        }
    }

    #[test]
    fn documents_and_suffixes() {
        assert_eq!(
            document_href(5, Document::FormulairePhotoSignature),
            "/api/demandes/5/documents/formulaire-photo-signature"
        );
        assert_eq!(
            Document::parse("justificatif"),
            Some(Document::Justificatif)
        );
        assert_eq!(
            Page::DemandeUsager { id: 3 }.href_with("#decision"),
            "/monespace/demandes/3#decision"
        );
        assert_eq!(
            Page::EcoleDemandes.href_with("etat=supprimee"),
            "/ecole/demandes?etat=supprimee"
        );
    }
}
