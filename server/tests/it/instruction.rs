//! The instruction by the centres (CERT) through the real router: routing to the centre of the
//! candidate's département, every endpoint closed to another centre's agents, follow-up,
//! verdicts, acceptance (NEPH, attestation), motivated rejection, and what the school and the
//! candidate see. SQLite, and PostgreSQL when `TEST_DATABASE_URL` is set.

use crate::common::filing::*;
use crate::common::*;
use crate::decision::pdf_text;
use axum::http::StatusCode;

use app::domain::account::Role;

/// The demo's two centres (Paris: Île-de-France; Nantes: the rest) and an agent of each.
/// Returns the sessions of (Paris, Nantes).
async fn centres(app: &TestApp) -> (String, String) {
    for cert in server::seed::demo_certs() {
        app::server::instruction::create_cert(&app.ctx.db, &cert, T0)
            .await
            .unwrap();
    }
    let paris = agent(app, "agent.paris", "Sophie", "Moreau", "CERT de Paris").await;
    let nantes = agent(app, "agent.nantes", "Marc", "Lefebvre", "CERT de Nantes").await;
    (paris, nantes)
}

async fn agent(app: &TestApp, identifiant: &str, prenom: &str, nom: &str, cert: &str) -> String {
    server::seed::create_account(
        &app.ctx,
        server::seed::NewAccount {
            role: Role::Agent,
            identifiant: identifiant.into(),
            email: Some(format!("{identifiant}@interieur.example")),
            prenom: prenom.into(),
            nom: nom.into(),
            agrement: None,
            cert: Some(cert.into()),
            password: SCHOOL_PASSWORD.into(),
        },
    )
    .await
    .expect("agent");
    app.login_ok("pro", identifiant, SCHOOL_PASSWORD).await
}

/// An agent's action as the page's plain form posts it: the redirect's target.
async fn act(app: &TestApp, session: &str, endpoint: &str, pairs: &[(&str, &str)]) -> TestResponse {
    app.post_html_form(
        &format!("/api/pro/{endpoint}"),
        form(pairs),
        Some(&format!("permis_session={session}")),
    )
    .await
}

/// Léa (Melun, 77) files an e-photo demande and validates it: it is at the centre.
async fn transmitted(app: &TestApp) -> (i64, String, String, String) {
    let school_token = school(app).await;
    let (id, numero, candidate) =
        filed_and_activated(app, &school_token, &Person::lea(), Some(CODE)).await;
    let res = validate(app, &candidate, id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(app, id).await, "transmise");
    (id, numero, school_token, candidate)
}

async fn piece_id(app: &TestApp, id: i64, kind: &str) -> i64 {
    let (p,): (i64,) = sqlx::query_as("SELECT id FROM pieces WHERE demande_id = $1 AND kind = $2")
        .bind(id)
        .bind(kind)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    p
}

#[tokio::test]
async fn a_transmitted_demande_goes_to_the_centre_of_the_candidate_and_no_other() {
    let app = TestApp::with_accounts().await;
    let (paris, nantes) = centres(&app).await;
    let (id, numero, _, _) = transmitted(&app).await;
    let (cert, departement): (String, String) = sqlx::query_as(
        "SELECT c.nom, d.departement FROM demandes d JOIN certs c ON c.id = d.cert_id WHERE d.id = $1",
    )
    .bind(id)
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (cert.as_str(), departement.as_str()),
        ("CERT de Paris", "77")
    );

    // Paris sees it in « À instruire », with the count; Nantes does not see it at all.
    let queue = app.get("/pro", Some(&paris)).await;
    assert!(queue.body.contains(&numero), "{}", queue.body);
    assert!(queue.body.contains("À instruire (1)"), "{}", queue.body);
    assert!(queue.body.contains("Demandes du CERT de Paris"));
    let other = app.get("/pro", Some(&nantes)).await;
    assert!(!other.body.contains(&numero));
    assert!(other.body.contains("À instruire (0)"), "{}", other.body);
    // Search, filters and tabs.
    for (query, found) in [
        ("q=lea", true),
        ("q=zzz", false),
        ("dep=77", true),
        ("dep=75", false),
        ("onglet=traitees", false),
        ("onglet=suivies", false),
    ] {
        let page = app.get(&format!("/pro?{query}"), Some(&paris)).await;
        assert_eq!(page.body.contains(&numero), found, "{query}");
    }

    // Every endpoint answers 404 to the other centre, and works for the right one.
    let page = app.get(&format!("/pro/demandes/{id}"), Some(&nantes)).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    let page = app.get(&format!("/pro/demandes/{id}"), Some(&paris)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains(&format!("Instruction de la demande n° {numero}")));
    let ids = id.to_string();
    let res = app
        .post_form("/api/pro/instruction", form(&[("id", &ids)]), Some(&nantes))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    for (endpoint, pairs) in [
        ("suivre", vec![("id", ids.as_str())]),
        (
            "verdict",
            vec![
                ("id", ids.as_str()),
                ("item", "piece:domicile"),
                ("conforme", "oui"),
            ],
        ),
        ("note", vec![("id", ids.as_str()), ("texte", "Vu.")]),
        ("complement", vec![("id", ids.as_str()), ("delai", "30")]),
        ("accepter", vec![("id", ids.as_str())]),
        (
            "rejeter",
            vec![
                ("id", ids.as_str()),
                ("motif", "fraude"),
                (
                    "motivation",
                    "Le justificatif de domicile présenté est falsifié.",
                ),
            ],
        ),
    ] {
        let res = app
            .post_form(&format!("/api/pro/{endpoint}"), form(&pairs), Some(&nantes))
            .await;
        assert_eq!(
            res.status,
            StatusCode::NOT_FOUND,
            "{endpoint}: {}",
            res.body
        );
    }
    assert_eq!(etat(&app, id).await, "transmise");
    let domicile = piece_id(&app, id, "domicile").await;
    for path in [
        format!("/api/demandes/{id}/documents/attestation-inscription"),
        format!("/api/demandes/{id}/documents/decision-rejet"),
    ] {
        let (status, _, _) = app.get_bytes(&path, &nantes).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
    for path in [
        format!("/api/demandes/{id}/pieces/{domicile}/fichier"),
        format!("/api/demandes/{id}/pieces/{domicile}/fichier?vue=1"),
        format!("/api/demandes/{id}/documents/justificatif"),
    ] {
        let (status, _, _) = app.get_bytes(&path, &nantes).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        let (status, _, bytes) = app.get_bytes(&path, &paris).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        assert!(bytes.starts_with(b"%PDF"), "{path}");
    }
    // The agent's inline view may be framed by the site's own pages, and only by them.
    let res = app
        .send(
            axum::http::Request::get(format!(
                "/api/demandes/{id}/pieces/{domicile}/fichier?vue=1"
            ))
            .header("cookie", format!("permis_session={paris}"))
            .body(axum::body::Body::empty())
            .unwrap(),
        )
        .await;
    assert_eq!(res.header("content-disposition"), Some("inline"));
    assert!(res
        .header("content-security-policy")
        .unwrap()
        .contains("frame-ancestors 'self'"));
    assert_eq!(res.header("x-frame-options"), Some("SAMEORIGIN"));
    assert_eq!(res.header("x-permis-apercu"), None);
}

#[tokio::test]
async fn a_paper_demande_is_routed_when_its_form_is_received() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let school_token = school(&app).await;
    let (id, numero, candidate) =
        filed_and_activated(&app, &school_token, &Person::lea(), None).await;
    let res = validate(&app, &candidate, id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "attente_papier");
    assert!(!app
        .get("/pro?onglet=a-instruire", Some(&paris))
        .await
        .body
        .contains(&format!("/pro/demandes/{id}")));
    let res = act(&app, &paris, "reception", &[("numero", &numero)]).await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro?recu={numero}").as_str()),
        "{}",
        res.body
    );
    assert_eq!(etat(&app, id).await, "transmise");
    let queue = app.get("/pro", Some(&paris)).await;
    assert!(
        queue.body.contains(&format!("/pro/demandes/{id}")),
        "{}",
        queue.body
    );
}

#[tokio::test]
async fn an_agent_follows_checks_each_item_and_accepts_with_a_neph_once() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let colleague = agent(&app, "agent.paris2", "Paul", "Durand", "CERT de Paris").await;
    let (id, numero, school_token, candidate) = transmitted(&app).await;
    let ids = id.to_string();

    // « Suivre »: the second agent is told who has it, and cannot act on it.
    let res = act(&app, &paris, "suivre", &[("id", &ids)]).await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro/demandes/{id}?fait=suivie").as_str())
    );
    let res = app
        .post_form("/api/pro/suivre", form(&[("id", &ids)]), Some(&colleague))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("Sophie Moreau"), "{}", res.body);
    let res = app
        .post_form(
            "/api/pro/verdict",
            form(&[
                ("id", &ids),
                ("item", "piece:domicile"),
                ("conforme", "oui"),
            ]),
            Some(&colleague),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(app
        .get("/pro?onglet=suivies", Some(&paris))
        .await
        .body
        .contains(&numero));

    // A « non conforme » needs its reason; then it blocks acceptance.
    let res = app
        .post_form(
            "/api/pro/verdict",
            form(&[
                ("id", &ids),
                ("item", "piece:domicile"),
                ("conforme", "non"),
            ]),
            Some(&paris),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("motif"), "{}", res.body);
    let res = act(
        &app,
        &paris,
        "verdict",
        &[
            ("id", &ids),
            ("item", "piece:domicile"),
            ("conforme", "non"),
            ("motif", "plus_de_6_mois"),
            ("commentaire", "Facture de janvier"),
        ],
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro/demandes/{id}?fait=verdict#piece-domicile").as_str())
    );
    let page = app.get(&format!("/pro/demandes/{id}"), Some(&paris)).await;
    assert!(
        page.body
            .contains("Non conforme : Plus de 6 mois pour un justificatif de domicile"),
        "{}",
        page.body
    );
    let res = app
        .post_form("/api/pro/accepter", form(&[("id", &ids)]), Some(&paris))
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("Non conforme"), "{}", res.body);

    // The agent changes the verdict, notes something private, and accepts: twice at once.
    let res = act(
        &app,
        &paris,
        "verdict",
        &[
            ("id", &ids),
            ("item", "piece:domicile"),
            ("conforme", "oui"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::FOUND);
    act(
        &app,
        &paris,
        "note",
        &[("id", &ids), ("texte", "Appel de l'école le 28/11.")],
    )
    .await;
    let (a, b) = tokio::join!(
        app.post_form("/api/pro/accepter", form(&[("id", &ids)]), Some(&paris)),
        app.post_form("/api/pro/accepter", form(&[("id", &ids)]), Some(&paris)),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} / {}",
        a.body,
        b.body
    );
    assert_eq!(etat(&app, id).await, "inscrite");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1",
            "acceptee"
        )
        .await,
        1
    );
    let (neph,): (String,) = sqlx::query_as("SELECT neph FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert!(app::domain::instruction::is_neph(&neph), "{neph}");
    // The database refuses a malformed or repeated NEPH.
    for bad in ["12345", neph.as_str()] {
        let res = sqlx::query("INSERT INTO nephs (neph, attribue_at) VALUES ($1, 0)")
            .bind(bad)
            .execute(app.ctx.db.pool())
            .await;
        assert!(res.is_err(), "{bad} accepted");
    }

    // The candidate and the school are told, and see the decision and the timeline; nobody
    // but the agents sees the note or the agent's name.
    app.deliver_to_mailbox().await;
    let mails = app.mailbox_texts("lea.martin@example.fr").await.join("\n");
    assert!(
        mails.contains(&neph) && mails.contains("valable jusqu'au"),
        "{mails}"
    );
    let school_mails = app
        .mailbox_texts("contact@autoecole-gare.example")
        .await
        .join("\n");
    assert!(school_mails.contains(&neph), "{school_mails}");
    let mine = app
        .get(&format!("/monespace/demandes/{id}"), Some(&candidate))
        .await;
    assert!(
        mine.body.contains(&format!("Demande N° {numero} acceptée")),
        "{}",
        mine.body
    );
    assert!(mine.body.contains(&neph));
    assert!(
        mine.body
            .contains("Demande acceptée : inscription enregistrée (CERT de Paris)"),
        "{}",
        mine.body
    );
    let recap = app
        .get(
            &format!("/ecole/demandes/{id}/etape/6"),
            Some(&school_token),
        )
        .await;
    assert!(recap.body.contains(&neph), "{}", recap.body);
    assert!(recap.body.contains("Historique de la demande"));
    for page in [&mine.body, &recap.body] {
        assert!(!page.contains("Appel de l'école"));
        assert!(!page.contains("Sophie Moreau"));
    }

    // The attestation: NEPH, validity, and the verification page confirms it.
    let (status, _, pdf) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/attestation-inscription"),
            &candidate,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    let valid_until = app::domain::deadlines::attestation_valid_until(T0).french();
    assert!(
        text.contains(&neph) && text.contains(&valid_until),
        "{text}"
    );
    let code = text
        .lines()
        .find_map(|l| l.split("/v/").nth(1))
        .expect("verification address")
        .trim()
        .to_string();
    let check = app.get(&format!("/v/{code}"), None).await;
    assert!(
        check
            .body
            .contains("Attestation d'inscription au permis de conduire authentique"),
        "{}",
        check.body
    );
    assert!(!check.body.contains("Martin"), "no personal data");
    // No rejection document for an accepted demande.
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/decision-rejet"),
            &candidate,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}

#[tokio::test]
async fn two_demandes_accepted_at_once_get_two_nephs() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let (first, _, school_token, _) = transmitted(&app).await;
    let hugo = Person {
        sexe: "M",
        prenoms: "Hugo",
        nom: "Petit",
        email: "hugo.petit@example.fr",
        telephone: "06 98 76 54 32",
    };
    let (second, numero, candidate) = filed_and_activated(&app, &school_token, &hugo, None).await;
    validate(&app, &candidate, second).await;
    act(&app, &paris, "reception", &[("numero", &numero)]).await;
    assert_eq!(etat(&app, second).await, "transmise");
    let (a, b) = tokio::join!(
        app.post_form(
            "/api/pro/accepter",
            form(&[("id", &first.to_string())]),
            Some(&paris)
        ),
        app.post_form(
            "/api/pro/accepter",
            form(&[("id", &second.to_string())]),
            Some(&paris)
        ),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} / {}",
        a.body,
        b.body
    );
    let nephs: Vec<(String,)> =
        sqlx::query_as("SELECT neph FROM demandes WHERE neph IS NOT NULL ORDER BY id")
            .fetch_all(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(nephs.len(), 2);
    assert_ne!(nephs[0], nephs[1]);
}

#[tokio::test]
async fn a_rejection_is_motivated_and_states_the_routes_of_appeal() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let (id, numero, school_token, candidate) = transmitted(&app).await;
    let ids = id.to_string();

    // No ground, or no facts: refused on the field, what was typed comes back.
    let res = app
        .post_form(
            "/api/pro/rejeter",
            form(&[
                ("id", &ids),
                ("motivation", "Trop jeune pour la catégorie."),
            ]),
            Some(&paris),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(
        res.body.contains("Choisissez le motif du rejet"),
        "{}",
        res.body
    );
    let res = act(
        &app,
        &paris,
        "rejeter",
        &[
            ("id", &ids),
            ("motif", "age_minimal"),
            ("motivation", "Trop jeune"),
        ],
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro/demandes/{id}").as_str())
    );
    let cookie = res
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let back = app
        .send(
            axum::http::Request::get(format!("/pro/demandes/{id}"))
                .header("cookie", format!("permis_session={paris}; {cookie}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        back.body.contains("20 caractères au moins"),
        "{}",
        back.body
    );
    assert!(
        back.body.contains(">Trop jeune</textarea>"),
        "{}",
        back.body
    );
    assert_eq!(etat(&app, id).await, "transmise");

    // A complement pending: no decision until the school answers.
    app::server::instruction::set_verdict(
        &app.ctx.db,
        app::server::instruction::cert_of_agent(&app.ctx.db, agent_id(&app, "agent.paris").await)
            .await
            .unwrap()
            .unwrap(),
        agent_id(&app, "agent.paris").await,
        id,
        &app::domain::instruction::Verdict {
            item: app::domain::instruction::Item::Champ(app::domain::instruction::Champ::Prenoms),
            non_conformite: Some(app::domain::instruction::NonConformite::NomDifferent),
            commentaire: Some("« Lea » sur la carte d'identité".into()),
        },
        T0,
    )
    .await
    .unwrap();
    let cert =
        app::server::instruction::cert_of_agent(&app.ctx.db, agent_id(&app, "agent.paris").await)
            .await
            .unwrap()
            .unwrap();
    let avant = app::server::instruction::ask_complement(
        &app.ctx.db,
        &app.ctx.settings,
        cert,
        agent_id(&app, "agent.paris").await,
        id,
        30,
        T0,
    )
    .await
    .unwrap();
    assert_eq!(avant, app::domain::deadlines::complement_deadline(T0, 30));
    assert_eq!(etat(&app, id).await, "complement_demande");
    let res = app
        .post_form(
            "/api/pro/rejeter",
            form(&[
                ("id", &ids),
                ("motif", "age_minimal"),
                (
                    "motivation",
                    "Le candidat n'a pas l'âge requis pour la catégorie B.",
                ),
            ]),
            Some(&paris),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(
        res.body.contains("Un complément est demandé"),
        "{}",
        res.body
    );
    // The request reached the school (email) and the candidate (email and SMS), and both
    // see it with its reason and date.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND channel = 'sms'",
            "complement_usager"
        )
        .await,
        1
    );
    app.deliver_to_mailbox().await;
    let school_mails = app
        .mailbox_texts("contact@autoecole-gare.example")
        .await
        .join("\n");
    assert!(
        school_mails.contains("Nom ou prénom différent de l'état civil saisi"),
        "{school_mails}"
    );
    let recap = app
        .get(
            &format!("/ecole/demandes/{id}/etape/6"),
            Some(&school_token),
        )
        .await;
    assert!(
        recap
            .body
            .contains("Complément demandé (1 élément) — avant le"),
        "{}",
        recap.body
    );

    // Back to instruction (as the school's answer will do), then the motivated rejection.
    sqlx::query("UPDATE demandes SET etat = 'complement_recu' WHERE id = $1")
        .bind(id)
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let motivation =
        "Le candidat, né le 14 mars 2009, n'a pas l'âge requis pour la catégorie demandée.";
    let res = act(
        &app,
        &paris,
        "rejeter",
        &[
            ("id", &ids),
            ("motif", "age_minimal"),
            ("motivation", motivation),
        ],
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro/demandes/{id}?fait=rejetee").as_str())
    );
    assert_eq!(etat(&app, id).await, "rejetee");
    let again = app
        .post_form("/api/pro/accepter", form(&[("id", &ids)]), Some(&paris))
        .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "no second decision");

    app.deliver_to_mailbox().await;
    let mails = app.mailbox_texts("lea.martin@example.fr").await.join("\n");
    for expected in [
        motivation,
        "Voies et délais de recours",
        "tribunal administratif",
        "deux mois",
        "R221-5",
    ] {
        assert!(mails.contains(expected), "{expected}: {mails}");
    }
    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&candidate))
        .await;
    assert!(page.body.contains(&format!("Demande N° {numero} rejetée")));
    assert!(page.body.contains(motivation) && page.body.contains("recours hiérarchique"));
    let (status, _, pdf) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/decision-rejet"),
            &school_token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&pdf);
    assert!(
        text.contains("Voies et délais de recours") && text.contains("âge requis"),
        "{text}"
    );
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}

async fn agent_id(app: &TestApp, identifiant: &str) -> i64 {
    app::server::users::find_id_by_identifiant(&app.ctx.db, identifiant)
        .await
        .unwrap()
        .unwrap()
}

/// The agent marks the proof of address and a prénom « non conforme » and asks for a
/// complement: an agent of the demande's centre, following it.
async fn complement_asked(app: &TestApp, paris: &str, id: i64) {
    let ids = id.to_string();
    act(app, paris, "suivre", &[("id", &ids)]).await;
    for (item, motif, commentaire) in [
        ("piece:domicile", "plus_de_6_mois", "Facture de janvier"),
        (
            "champ:prenoms",
            "nom_different",
            "« Léa Marie » sur la carte d'identité",
        ),
    ] {
        let res = act(
            app,
            paris,
            "verdict",
            &[
                ("id", &ids),
                ("item", item),
                ("conforme", "non"),
                ("motif", motif),
                ("commentaire", commentaire),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::FOUND, "{item}");
    }
    // The files deposited before the request are the versions being replaced.
    app.advance(60);
    let res = act(app, paris, "complement", &[("id", &ids), ("delai", "")]).await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro/demandes/{id}?fait=complement").as_str())
    );
    assert_eq!(etat(app, id).await, "complement_demande");
    app.advance(60);
}

#[tokio::test]
async fn a_complement_reopens_only_the_items_asked_and_comes_back_to_the_agent() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let (id, numero, school_token, _) = transmitted(&app).await;
    let old_domicile = piece_id(&app, id, "domicile").await;
    complement_asked(&app, &paris, id).await;

    // The school's list says what and until when; the row leads to the complement page.
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body
            .contains("Complément demandé (2 éléments) — avant le"),
        "{}",
        list.body
    );
    assert!(list
        .body
        .contains(&format!("/ecole/demandes/{id}/complement")));
    let page = app
        .get(
            &format!("/ecole/demandes/{id}/complement"),
            Some(&school_token),
        )
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page
        .body
        .contains("Déposer le nouveau document : Justificatif de domicile"));
    assert!(!page
        .body
        .contains("Déposer le nouveau document : Pièce d'identité"));
    assert!(page.body.contains("name=\"form[prenoms]\""));
    assert!(!page.body.contains("name=\"form[nom_naissance]\""));

    // Only the items asked are open, whatever the school sends.
    let res = upload(&app, &school_token, id, "identite", "autre.pdf", &pdf(1)).await;
    assert!(
        res.header("location").unwrap().contains("erreur="),
        "{:?}",
        res.header("location")
    );
    let res = step(
        &app,
        &school_token,
        "etat-civil",
        id,
        &[("nom_naissance", "Autre")],
    )
    .await;
    assert_ne!(res.status, StatusCode::OK, "the stepper stays closed");
    // Nothing deposited yet: the page says which document is missing.
    let res = app
        .post_form(
            "/api/demandes/renvoyer-complement",
            form(&[("id", &id.to_string()), ("form[prenoms]", "Léa Marie")]),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(
        res.body.contains("Déposez le nouveau document"),
        "{}",
        res.body
    );
    let res = upload(
        &app,
        &school_token,
        id,
        "domicile",
        "facture-octobre.pdf",
        &pdf(1),
    )
    .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/ecole/demandes/{id}/complement?depot=domicile#piece-domicile").as_str())
    );
    let res = app
        .post_form(
            "/api/demandes/renvoyer-complement",
            form(&[
                ("id", &id.to_string()),
                ("form[prenoms]", "Léa Marie"),
                ("form[nom_naissance]", "Autre"),
            ]),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "complement_recu");
    let (prenom, nom): (String, String) =
        sqlx::query_as("SELECT prenom, nom FROM demandes WHERE id = $1")
            .bind(id)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (prenom.as_str(), nom.as_str()),
        ("Léa Marie", "Martin"),
        "only the field asked"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM pieces WHERE remplacee_at IS NOT NULL AND kind = $1",
            "domicile"
        )
        .await,
        1
    );

    // Back to the same agent, « Complément reçu », the new version marked, the old one kept.
    let queue = app.get("/pro?onglet=complement-recu", Some(&paris)).await;
    assert!(queue.body.contains(&numero), "{}", queue.body);
    // The corrected first names are searchable at once (the centre's word index).
    for (q, found) in [
        ("marie", true),
        ("martin lea mar", true),
        ("mariette", false),
    ] {
        let queue = app
            .get(
                &format!("/pro?onglet=complement-recu&q={}", q.replace(' ', "+")),
                Some(&paris),
            )
            .await;
        assert_eq!(queue.body.contains(&numero), found, "{q}: {}", queue.body);
    }
    let page = app.get(&format!("/pro/demandes/{id}"), Some(&paris)).await;
    assert!(
        page.body.contains("Nouvelle version reçue le"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Versions remplacées (1)"));
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/demandes/{id}/pieces/{old_domicile}/fichier"),
            &paris,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let res = app
        .post_form(
            "/api/pro/accepter",
            form(&[("id", &id.to_string())]),
            Some(&paris),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "inscrite");
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}

#[tokio::test]
async fn an_unanswered_complement_is_reminded_then_closed_once() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let (id, _, _, _) = transmitted(&app).await;
    complement_asked(&app, &paris, id).await;

    // Day 23 of 30: one reminder to the school, once (the administrators see it due).
    app.advance(23 * 86_400);
    let due = app::server::supervision::due(&app.ctx.db, app.ctx.now())
        .await
        .unwrap();
    assert_eq!((due[4].due_now, due[5].due_now), (1, 0), "{due:?}");
    let report = server::jobs::run_deadlines(&app.ctx, "test").await.unwrap();
    assert_eq!(report.complement_reminders, 1);
    let report = server::jobs::run_deadlines(&app.ctx, "test").await.unwrap();
    assert_eq!(report.complement_reminders, 0);
    // Until the deadline, the reminder already sent takes no lock on the demande.
    app.assert_sends_nothing_without_lock(
        &format!("UPDATE demandes SET version = version WHERE id = {id}"),
        app::server::jobs::complements::send_complement_reminders(&app.ctx, app.ctx.now()),
    )
    .await;
    app.deliver_to_mailbox().await;
    let school_mails = app
        .mailbox_texts("contact@autoecole-gare.example")
        .await
        .join("\n");
    assert!(
        school_mails.contains("n'a pas encore été envoyé"),
        "{school_mails}"
    );

    // Past day 30: « classée sans suite », once across two instances.
    app.advance(8 * 86_400);
    let (a, b) = tokio::join!(
        server::jobs::run_deadlines(&app.ctx, "instance-a"),
        server::jobs::run_deadlines(&app.ctx, "instance-b"),
    );
    assert_eq!(
        a.unwrap().complement_overdue + b.unwrap().complement_overdue,
        1
    );
    assert_eq!(etat(&app, id).await, "classee_sans_suite");
    app.deliver_to_mailbox().await;
    let mails = app.mailbox_texts("lea.martin@example.fr").await.join("\n");
    assert!(
        mails.contains("classée sans suite") && mails.contains("Voies et délais de recours"),
        "{mails}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1",
            "classee_sans_suite"
        )
        .await,
        2,
        "the school and the candidate, once each"
    );
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}

#[tokio::test]
async fn two_agents_deciding_at_once_make_one_decision() {
    let app = TestApp::with_accounts().await;
    let (paris, _) = centres(&app).await;
    let colleague = agent(&app, "agent.paris2", "Paul", "Durand", "CERT de Paris").await;
    let (id, _, _, _) = transmitted(&app).await;
    let ids = id.to_string();
    let (accepted, rejected) = tokio::join!(
        app.post_form("/api/pro/accepter", form(&[("id", &ids)]), Some(&paris)),
        app.post_form(
            "/api/pro/rejeter",
            form(&[
                ("id", &ids),
                ("motif", "doublon"),
                (
                    "motivation",
                    "Une autre demande est en cours pour ce candidat."
                ),
            ]),
            Some(&colleague),
        ),
    );
    let oks = [&accepted, &rejected]
        .iter()
        .filter(|r| r.status == StatusCode::OK)
        .count();
    assert_eq!(oks, 1, "{} / {}", accepted.body, rejected.body);
    let loser = if accepted.status == StatusCode::OK {
        &rejected
    } else {
        &accepted
    };
    assert_eq!(loser.status, StatusCode::CONFLICT, "{}", loser.body);
    let decisions: i64 = app
        .count(
            "SELECT COUNT(*) FROM demande_events WHERE kind IN ('acceptee', 'rejetee') AND demande_id = CAST($1 AS BIGINT)",
            &ids,
        )
        .await;
    assert_eq!(decisions, 1);
}
