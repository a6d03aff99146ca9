//! Every page of the route table, opened as a user who may see it: those that show data are
//! rendered with it by the server (no « Chargement… » waiting for a JavaScript that may never
//! run), and the others answer too.

use axum::http::StatusCode;

use crate::common::filing::*;
use crate::common::*;

use app::domain::account::Role;
use app::routes::Page;

#[tokio::test]
async fn every_page_with_data_is_rendered_with_it() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let lea = Person::lea();
    let (id, numero, candidate) = filed_and_activated(&app, &school_token, &lea, Some(CODE)).await;
    let agent = staff(&app, Role::Agent, "agent.pages").await;
    // A second demande at the centre, waiting for a complement: the instruction page (an
    // agent of its centre) and the school's complement page.
    for cert in server::seed::demo_certs() {
        app::server::instruction::create_cert(&app.ctx.db, &cert, T0)
            .await
            .unwrap();
    }
    let agent_id = app::server::users::find_id_by_identifiant(&app.ctx.db, "agent.pages")
        .await
        .unwrap()
        .unwrap();
    let paris = app::server::instruction::find_cert(&app.ctx.db, "CERT de Paris")
        .await
        .unwrap()
        .unwrap()
        .id;
    app::server::instruction::set_agent_cert(&app.ctx.db, agent_id, paris)
        .await
        .unwrap();
    let hugo = Person {
        sexe: "M",
        prenoms: "Hugo",
        nom: "Petit",
        email: "hugo.petit@example.fr",
        telephone: "06 98 76 54 32",
    };
    let (at_centre, numero2, hugo_session) =
        filed_and_activated(&app, &school_token, &hugo, None).await;
    validate(&app, &hugo_session, at_centre).await;
    app::server::reception::record_paper_received(
        &app.ctx.db,
        &app.ctx.settings,
        &numero2,
        agent_id,
        T0,
    )
    .await
    .unwrap();
    app::server::instruction::set_verdict(
        &app.ctx.db,
        paris,
        agent_id,
        at_centre,
        &app::domain::instruction::Verdict {
            item: app::domain::instruction::Item::Piece(app::domain::demande::Piece::Domicile),
            non_conformite: Some(app::domain::instruction::NonConformite::Illisible),
            commentaire: None,
        },
        T0,
    )
    .await
    .unwrap();
    app::server::instruction::ask_complement(
        &app.ctx.db,
        &app.ctx.settings,
        paris,
        agent_id,
        at_centre,
        30,
        T0,
    )
    .await
    .unwrap();

    let mut with_data = 0;
    for pattern in Page::PATTERNS {
        let demande = if pattern.contains("complement") || pattern.starts_with("/pro/") {
            at_centre
        } else {
            id
        };
        let path = pattern
            .replace("{id}", &demande.to_string())
            .replace("{n}", "6")
            // A link's page says what became of the link: preloaded whatever the token.
            .replace("{token}", "lien-inconnu");
        let page = Page::parse(&path).unwrap_or_else(|| panic!("{pattern} is not a page"));
        let session = match page.access() {
            None => None,
            Some((roles, _)) => Some(match roles[0] {
                Role::Ecole => school_token.as_str(),
                Role::Usager => candidate.as_str(),
                Role::Agent | Role::Admin => agent.as_str(),
            }),
        };
        let res = app.get(&path, session).await;
        assert_eq!(res.status, StatusCode::OK, "{path}: {}", res.body);
        assert!(res.body.contains("<main"), "{path}: not a page");
        if page.has_data() {
            with_data += 1;
            assert!(
                !res.body.contains("Chargement"),
                "{path} was rendered without its data (no preload?): {}",
                res.body
            );
            assert!(
                !res.body.contains("erreur technique"),
                "{path}: {}",
                res.body
            );
        }
    }
    assert!(with_data >= 9, "{with_data} pages with data");

    // The data is the demande's, where a page is about it.
    for path in [
        "/ecole/demandes".to_string(),
        Page::Etape { id, n: 6 }.href(),
        Page::MonEspace.href(),
        Page::AValider.href(),
        Page::DemandeUsager { id }.href(),
    ] {
        let session = if path.starts_with("/ecole") {
            &school_token
        } else {
            &candidate
        };
        let res = app.get(&path, Some(session)).await;
        assert!(res.body.contains(&numero), "{path}: {}", res.body);
    }
}

/// The pages every public service publishes exist and every page's footer leads to them; the
/// accessibility statement states the real level (no audit: « non conforme »).
#[tokio::test]
async fn the_public_service_pages_are_there_and_linked_from_every_footer() {
    let app = TestApp::new().await;
    let home = app.get("/", None).await;
    for (page, title) in [
        (Page::PlanDuSite, "Plan du site"),
        (Page::Accessibilite, "Déclaration d'accessibilité"),
        (Page::MentionsLegales, "Mentions légales"),
        (Page::DonneesPersonnelles, "Données personnelles"),
        (Page::GestionCookies, "Gestion des cookies"),
        (Page::Aide, "Aide et contact"),
    ] {
        let href = format!("href=\"{}\"", page.href());
        assert!(home.body.contains(&href), "the footer has no {href}");
        let res = app.get(&page.href(), None).await;
        assert_eq!(res.status, StatusCode::OK);
        assert!(
            res.body.contains(&format!("<h1>{title}</h1>")),
            "{}",
            res.body
        );
    }
    let statement = app.get(&Page::Accessibilite.href(), None).await.body;
    assert!(statement.contains("non conforme") && !statement.contains("partiellement conforme"));
    assert!(
        statement.contains("Défenseur des droits") && statement.contains("Environnement de test")
    );
    let data = app.get(&Page::DonneesPersonnelles.href(), None).await.body;
    for part in [
        "Responsable du traitement",
        "Base légale",
        "Combien de temps",
        "Vos droits",
        "CNIL",
    ] {
        assert!(data.contains(part), "{part}");
    }
    let cookies = app.get(&Page::GestionCookies.href(), None).await.body;
    assert!(cookies.contains("permis_session") && cookies.contains("permis_flash"));
}

/// The CSP nonce of a response's header.
fn header_nonce(res: &TestResponse) -> String {
    let csp = res.header("content-security-policy").expect("CSP");
    csp.split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap()
        .to_string()
}

/// The home page, the public-service pages and the login pages are the same for every anonymous
/// visitor: rendered once, then served from memory, each answer with its own nonce in the page
/// and in its header. A visitor with a cookie (a session, a message) or a query string gets a
/// page rendered for them.
#[tokio::test]
async fn pages_alike_for_every_visitor_are_served_from_memory_with_their_own_nonce() {
    let app = TestApp::with_accounts().await;
    let shared: Vec<&str> = Page::PATTERNS
        .iter()
        .copied()
        .filter(|p| Page::parse(p).is_some_and(|page| page.is_shared()))
        .collect();
    assert_eq!(
        shared,
        [
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
        ]
    );
    for (i, path) in shared.iter().enumerate() {
        let first = app.get(path, None).await;
        let second = app.get(path, None).await;
        assert_eq!(first.status, StatusCode::OK, "{path}");
        assert_eq!(second.status, StatusCode::OK, "{path}");
        assert_eq!(
            app.public_pages.served_from_memory(),
            i as u64 + 1,
            "{path}"
        );
        let (n1, n2) = (header_nonce(&first), header_nonce(&second));
        assert_ne!(n1, n2, "{path}: a nonce sent twice");
        for (res, nonce) in [(&first, &n1), (&second, &n2)] {
            // The page's scripts carry the nonce of its own header, and no other.
            assert!(res.body.contains(&format!("nonce=\"{nonce}\"")), "{path}");
        }
        assert!(
            !second.body.contains(&n1),
            "{path}: the first answer's nonce in the second"
        );
        assert_eq!(first.body.replace(&n1, &n2), second.body, "{path}");
        assert_eq!(second.header("cache-control"), Some("no-store"), "{path}");
        assert_eq!(second.header("content-type"), first.header("content-type"));
    }
    let from_memory = app.public_pages.served_from_memory();

    // A logged-in candidate gets the home page with their header, not the anonymous one.
    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let home = app.get("/", Some(&session)).await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Se déconnecter"), "{}", home.body);
    let anonymous = app.get("/", None).await;
    assert!(!anonymous.body.contains("Se déconnecter"));
    // A query string, a page with data: rendered each time.
    app.get("/connexion?motif=expiree", None).await;
    app.get("/monespace", None).await;
    assert_eq!(app.public_pages.served_from_memory(), from_memory + 1);
}
