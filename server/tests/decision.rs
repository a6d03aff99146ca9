//! The candidate's decision through the real router: review, validate (e-photo or paper),
//! refuse, and what another candidate cannot do. SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set.

mod common;

use axum::http::StatusCode;
use common::filing::*;
use common::*;

async fn school(app: &TestApp) -> String {
    with_code(app).await;
    app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await
}

async fn decide(app: &TestApp, session: &str, id: i64, fields: &[(&str, &str)]) -> TestResponse {
    let id = id.to_string();
    let mut pairs = vec![("id", id.as_str())];
    pairs.extend_from_slice(fields);
    app.post_form("/api/monespace/decider", form(&pairs), Some(session))
        .await
}

async fn etat(app: &TestApp, id: i64) -> String {
    let (etat,): (String,) = sqlx::query_as("SELECT etat FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    etat
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
        home.body.contains(&numero) && home.body.contains("En attente de validation usager"),
        "{}",
        home.body
    );
    assert!(home.body.contains("value=\"valider\""));
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
}
