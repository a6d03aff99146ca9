//! The candidate's decision through the real router: review, validate (e-photo or paper),
//! refuse, and what another candidate cannot do. SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use crate::common::filing::*;
use crate::common::*;
use axum::http::StatusCode;

async fn decide(app: &TestApp, session: &str, id: i64, fields: &[(&str, &str)]) -> TestResponse {
    let id = id.to_string();
    let mut pairs = vec![("id", id.as_str())];
    pairs.extend_from_slice(fields);
    app.post_form("/api/monespace/decider", form(&pairs), Some(session))
        .await
}

/// The text of a PDF as a text extractor reads it: each string shown (`Tj`/`TJ`) decoded
/// through its font's ToUnicode map (the fonts are embedded with 2-byte glyph codes).
pub fn pdf_text(bytes: &[u8]) -> String {
    use lopdf::{Document, Object};
    let doc = Document::load_mem(bytes).expect("a valid PDF");
    let mut out = String::new();
    for (_, page_id) in doc.get_pages() {
        // Font resource name → glyph code → text.
        let mut maps: std::collections::HashMap<Vec<u8>, std::collections::HashMap<u16, String>> =
            Default::default();
        let fonts = doc.get_page_fonts(page_id).expect("fonts");
        for (name, font) in fonts {
            let cmap = doc
                .dereference(font.get(b"ToUnicode").expect("ToUnicode map"))
                .unwrap()
                .1
                .as_stream()
                .unwrap()
                .decompressed_content()
                .unwrap();
            let cmap = String::from_utf8_lossy(&cmap).into_owned();
            let hex: Vec<&str> = cmap
                .split(['<', '>'])
                .skip(1)
                .step_by(2)
                .filter(|h| !h.trim().is_empty())
                .collect();
            let map = hex
                .chunks(2)
                .filter_map(|pair| {
                    let glyph = u16::from_str_radix(pair[0], 16).ok()?;
                    let unicode = u32::from_str_radix(pair.get(1)?, 16).ok()?;
                    Some((glyph, char::from_u32(unicode)?.to_string()))
                })
                .collect();
            maps.insert(name.clone(), map);
        }
        let content = doc.get_and_decode_page_content(page_id).expect("content");
        let mut font = Vec::new();
        for op in content.operations {
            match op.operator.as_str() {
                "Tf" => font = op.operands[0].as_name().unwrap().to_vec(),
                "Tj" | "TJ" => {
                    let strings: Vec<&Object> = match &op.operands[0] {
                        Object::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for s in strings {
                        if let Object::String(bytes, _) = s {
                            for pair in bytes.chunks(2) {
                                let glyph =
                                    u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
                                out.push_str(
                                    maps[&font].get(&glyph).map(String::as_str).unwrap_or("?"),
                                );
                            }
                        }
                    }
                }
                "ET" => out.push('\n'),
                _ => {}
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_candidate_reviews_and_validates_an_ephoto_demande_once() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, numero, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;

    // « Mes démarches en cours » lists it, searchable, with its actions.
    let home = app.get("/monespace", Some(&session)).await;
    assert!(
        home.body
            .contains("Une demande saisie par votre école de conduite attend votre validation"),
        "{}",
        home.body
    );
    assert!(
        home.body.contains(&numero) && home.body.contains("En attente de validation usager"),
        "{}",
        home.body
    );
    assert!(home.body.contains("value=\"valider\""));
    // The other tabs: messages (no personal link kept), data, documents (none yet).
    let messages = app.get("/monespace?onglet=messages", Some(&session)).await;
    assert!(
        messages.body.contains("Activez votre compte pour valider"),
        "{}",
        messages.body
    );
    assert!(messages
        .body
        .contains("lien personnel, envoyé une seule fois"));
    // Messages read as paragraphs, their addresses as links (not a monospace dump).
    assert!(
        messages
            .body
            .contains("<a href=\"http://127.0.0.1:3000/connexion\" class=\"fr-link\">"),
        "{}",
        messages.body
    );
    assert!(!messages.body.contains("permis-message__body"));
    assert!(!messages.body.contains("/monespace/activer/"));
    let donnees = app.get("/monespace?onglet=donnees", Some(&session)).await;
    assert!(
        donnees.body.contains("lmartin") && donnees.body.contains("06 12 34 56 78"),
        "{}",
        donnees.body
    );
    let documents = app.get("/monespace?onglet=documents", Some(&session)).await;
    assert!(
        documents.body.contains("apparaîtront ici"),
        "{}",
        documents.body
    );
    let found = app.get("/monespace?q=lea%20MARTIN", Some(&session)).await;
    assert!(found.body.contains(&numero));
    let none = app.get("/monespace?q=zzz", Some(&session)).await;
    assert!(
        none.body.contains("Aucune démarche ne correspond"),
        "{}",
        none.body
    );
    let go = app
        .get(
            &format!("/monespace/aller?id={id}&action=valider"),
            Some(&session),
        )
        .await;
    assert_eq!(
        go.header("location"),
        Some(format!("/monespace/demandes/{id}#decision").as_str())
    );

    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Pré-demande N° {numero} à vérifier")),
        "{}",
        page.body
    );
    assert!(page.body.contains("Je soussigné(e)"));
    // The guide's words: the legal point of the attestation is there.
    assert!(
        page.body
            .contains("une suspension du permis de conduire en cours d")
            && page.body.contains(
                "interdiction judiciaire de solliciter la délivrance du permis de conduire"
            ),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("lea.martin@example.fr"),
        "every section is shown"
    );
    assert!(
        page.body.contains(&format!("/api/demandes/{id}/pieces/")),
        "documents can be opened"
    );

    // Without the box ticked, nothing happens.
    let res = decide(&app, &session, id, &[("decision", "valider")]).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(res.body.contains("attestation"));
    assert_eq!(etat(&app, id).await, "attente_usager");

    // Two tabs validate at the same moment: one transition, one message.
    let (a, b) = tokio::join!(
        decide(
            &app,
            &session,
            id,
            &[("decision", "valider"), ("attestation", "on")]
        ),
        decide(
            &app,
            &session,
            id,
            &[("decision", "valider"), ("attestation", "on")]
        ),
    );
    assert_eq!(
        (a.status, b.status),
        (StatusCode::OK, StatusCode::OK),
        "{} {}",
        a.body,
        b.body
    );
    assert_eq!(etat(&app, id).await, "transmise");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1",
            "validee_par_usager"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1",
            "validee_usager"
        )
        .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM ephoto_codes WHERE consumed_at IS NOT NULL AND code = $1",
            CODE
        )
        .await,
        1
    );

    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        page.body.contains("Votre démarche est terminée"),
        "{}",
        page.body
    );
    // The justificatif de dépôt: a PDF whose text has the number and the name, for the
    // candidate and the school; no photo-signature form for an e-photo demande.
    let justificatif = format!("/api/demandes/{id}/documents/justificatif");
    assert!(page.body.contains(&justificatif));
    let documents = app.get("/monespace?onglet=documents", Some(&session)).await;
    assert!(documents.body.contains(&justificatif), "{}", documents.body);
    for who in [&session, &school_token] {
        let (status, content_type, bytes) = app.get_bytes(&justificatif, who).await;
        assert_eq!(
            (status, content_type.as_str()),
            (StatusCode::OK, "application/pdf")
        );
        let text = pdf_text(&bytes);
        assert!(
            text.contains(&numero) && text.contains("Léa") && text.contains("Martin"),
            "{text}"
        );
        assert!(
            text.contains("Auto-école de la Gare") && text.contains("E2407500010"),
            "{text}"
        );
    }
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/formulaire-photo-signature"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Its public verification page: number, date and state, nothing personal.
    let (code,): (String,) = sqlx::query_as("SELECT verification_code FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    let text = pdf_text(&app.get_bytes(&justificatif, &session).await.2);
    assert!(text.contains(&format!("/v/{code}")), "{text}");
    let verification = app.get(&format!("/v/{code}"), None).await;
    assert_eq!(verification.status, StatusCode::OK);
    assert!(verification.body.contains(&numero) && verification.body.contains("Transmise"));
    // It looks like every page of the service: the bloc-marque, the service's name, the footer.
    for frame in [
        "fr-header__brand",
        "fr-logo",
        "Permis de conduire",
        "fr-footer",
        "fr-skiplinks",
    ] {
        assert!(
            verification.body.contains(frame),
            "{frame}: {}",
            verification.body
        );
    }
    for personal in ["Léa", "Martin", "lea.martin", "Melun", "2009"] {
        assert!(!verification.body.contains(personal), "{personal} shown");
    }
    assert_eq!(
        app.get("/v/ZZZZZZZZZZ", None).await.status,
        StatusCode::NOT_FOUND
    );
    // Refusing afterwards is refused.
    let late = decide(&app, &session, id, &[("decision", "refuser")]).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    // The school sees the new state.
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Transmise — en cours d"),
        "{}",
        list.body
    );
}

#[tokio::test]
async fn a_paper_demande_waits_for_the_form_with_its_deadline() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _, session) = filed_and_activated(&app, &school_token, &Person::lea(), None).await;
    let res = decide(
        &app,
        &session,
        id,
        &[("decision", "valider"), ("attestation", "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "attente_papier");
    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        page.body.contains("Dernières actions à réaliser"),
        "{}",
        page.body
    );
    // T0 is 26/11/2026: 15 days later.
    assert!(page.body.contains("avant le 11/12/2026"), "{}", page.body);
    assert!(page.body.contains("encre noire"));
    let (status, _, bytes) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/formulaire-photo-signature"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let text = pdf_text(&bytes);
    assert!(
        text.contains("Photo d'identité") && text.contains("11/12/2026") && text.contains("Martin"),
        "{text}"
    );
    assert!(
        text.contains("12 Rue des Lilas") && text.contains("77000 Melun"),
        "{text}"
    );
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    assert!(texts.last().unwrap().contains("avant le 11/12/2026"));
}

#[tokio::test]
async fn refusing_tells_the_school_which_sees_it_in_its_list() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, numero, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let page = app
        .get(&format!("/monespace/demandes/{id}/refuser"), Some(&session))
        .await;
    assert!(page
        .body
        .contains(&format!("Refuser la demande N° {numero} ?")));
    let res = decide(
        &app,
        &session,
        id,
        &[
            ("decision", "refuser"),
            ("motif", "Mon deuxième prénom est Marie"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "refusee_usager");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM ephoto_codes WHERE consumed_at IS NULL AND code = $1",
            CODE
        )
        .await,
        1
    );

    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("contact@autoecole-gare.example").await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains(&format!(
        "Léa Martin a refusé la demande de permis de conduire n° {numero}"
    )));
    assert!(texts[0].contains("Mon deuxième prénom est Marie"));

    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Refusée par l&#x27;usager")
            || list.body.contains("Refusée par l'usager"),
        "{}",
        list.body
    );
    // Read-only now: validating is refused.
    let late = decide(
        &app,
        &session,
        id,
        &[("decision", "valider"), ("attestation", "on")],
    )
    .await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(page.body.contains("Vous avez refusé cette demande"));
}

#[tokio::test]
async fn another_candidate_cannot_see_decide_or_download() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _, lea) = filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let (piece,): (i64,) = sqlx::query_as("SELECT id FROM pieces WHERE demande_id = $1 LIMIT 1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    let file = format!("/api/demandes/{id}/pieces/{piece}/fichier");
    // Léa opens her documents.
    assert_eq!(app.get(&file, Some(&lea)).await.status, StatusCode::OK);

    let pierre = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    assert_eq!(
        app.get(&format!("/monespace/demandes/{id}"), Some(&pierre))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get(&file, Some(&pierre)).await.status,
        StatusCode::NOT_FOUND
    );
    let res = decide(
        &app,
        &pierre,
        id,
        &[("decision", "valider"), ("attestation", "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = decide(&app, &pierre, id, &[("decision", "refuser")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .post_form("/api/monespace/demande", format!("id={id}"), Some(&pierre))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // A school is not a candidate.
    let res = decide(
        &app,
        &school_token,
        id,
        &[("decision", "valider"), ("attestation", "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(etat(&app, id).await, "attente_usager");
    // Once Léa validated, her justificatif is hers (and her school's) alone.
    let res = decide(
        &app,
        &lea,
        id,
        &[("decision", "valider"), ("attestation", "on")],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/justificatif"),
            &pierre,
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}
