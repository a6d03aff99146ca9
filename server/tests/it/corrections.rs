//! What a school does when a demande goes wrong: « Corriger et renvoyer » after a refusal,
//! correcting the candidate's contact before activation, deleting a draft, and keeping what
//! was typed on a step (autosave); untouched drafts expire.

use crate::common::filing::*;
use crate::common::*;
use axum::http::StatusCode;

async fn refuse(app: &TestApp, session: &str, id: i64, motif: &str) {
    let res = app
        .post_form(
            "/api/monespace/decider",
            form(&[
                ("id", &id.to_string()),
                ("decision", "refuser"),
                ("motif", motif),
            ]),
            Some(session),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

async fn view(app: &TestApp, token: &str, id: i64) -> serde_json::Value {
    let res = app
        .post_form("/api/demandes/lire", format!("id={id}"), Some(token))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    json(&res.body)
}

#[tokio::test]
async fn a_refused_demande_is_corrected_and_sent_again_from_a_prefilled_copy() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _numero, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;
    refuse(&app, &session, id, "Mon deuxième prénom est Marie").await;

    // The school sees when and why, on the demande itself.
    let refused = view(&app, &school_token, id).await;
    assert_eq!(refused["refus"]["motif"], "Mon deuxième prénom est Marie");
    assert!(refused["refus"]["le"].as_str().unwrap().contains('/'));
    let page = app
        .get(
            &format!("/ecole/demandes/{id}/etape/6"),
            Some(&school_token),
        )
        .await;
    assert!(
        page.body.contains("Mon deuxième prénom est Marie"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Corriger et renvoyer"));

    // « Corriger et renvoyer », clicked twice: one new draft, opened at the recap.
    let mut copies = Vec::new();
    for _ in 0..2 {
        let res = app
            .post_form(
                "/api/demandes/reprendre",
                format!("id={id}&pieces=on"),
                Some(&school_token),
            )
            .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
        let copy: i64 = res.body.parse().unwrap();
        assert_eq!(
            res.header("location"),
            Some(format!("/ecole/demandes/{copy}/etape/6").as_str())
        );
        copies.push(copy);
    }
    assert_eq!(copies[0], copies[1], "a double click makes one copy");
    let copy = copies[0];
    assert_ne!(copy, id);
    let draft = view(&app, &school_token, copy).await;
    assert_eq!(draft["etat"], "brouillon");
    assert_eq!(draft["reprise_de"], id);
    assert_eq!(draft["data"]["etat_civil"]["prenoms"], "Léa");
    // The copy is in the search's word index with its names, the refused one with its number.
    app.assert_search_index_kept().await;
    assert_eq!(
        draft["pieces"].as_array().unwrap().len(),
        5,
        "the pieces came along"
    );
    assert_eq!(draft["missing"].as_array().unwrap().len(), 0, "{draft}");
    // The copies of the files are the draft's own: downloading one works.
    let piece = draft["pieces"][0]["id"].as_i64().unwrap();
    let (status, _, bytes) = app
        .get_bytes(
            &format!("/api/demandes/{copy}/pieces/{piece}/fichier"),
            &school_token,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(bytes.starts_with(b"%PDF"));

    // The school corrects the first names and validates: the candidate receives it again
    // (the e-photo code freed by the refusal is taken by the new demande).
    let res = step(
        &app,
        &school_token,
        "etat-civil",
        copy,
        &[
            ("sexe", "F"),
            ("nom_naissance", "Martin"),
            ("prenoms", "Léa Marie"),
            ("date_naissance", "2009-03-14"),
            ("pays_naissance", "France"),
            ("commune_naissance", "Melun"),
            ("departement_naissance", "77"),
            ("nationalite", "Française"),
            ("rep_qualite", "mere"),
            ("rep_nom", "Martin"),
            ("rep_prenoms", "Sophie"),
            ("rep_date_naissance", "1980-05-02"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let res = app
        .post_form(
            "/api/demandes/valider",
            format!("id={copy}&attestation=on"),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, copy).await, "attente_usager");

    // Only a refused demande can be taken up again; another school's is not found.
    let res = app
        .post_form(
            "/api/demandes/reprendre",
            format!("id={copy}"),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let other = other_school(&app).await;
    let res = app
        .post_form("/api/demandes/reprendre", format!("id={id}"), Some(&other))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
}

#[tokio::test]
async fn without_its_pieces_when_the_refusal_concerned_them() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;
    refuse(&app, &session, id, "Ce n'est pas ma facture").await;
    let res = app
        .post_form(
            "/api/demandes/reprendre",
            format!("id={id}"),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let copy: i64 = res.body.parse().unwrap();
    let draft = view(&app, &school_token, copy).await;
    assert!(draft["pieces"].as_array().unwrap().is_empty());
    assert!(draft["missing"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m[1].as_str().unwrap().contains("Pièce manquante")));
}

async fn other_school(app: &TestApp) -> String {
    second_school(app).await;
    app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await
}

#[tokio::test]
async fn before_activation_the_school_corrects_the_email_and_the_link_goes_to_the_right_address() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let mut wrong = Person::lea();
    wrong.email = "lea.martn@example.fr";
    let (id, numero) = file_and_validate(&app, &school_token, &wrong, Some(CODE)).await;
    let old_link = activation_link(&app, "lea.martn@example.fr").await;
    assert!(view(&app, &school_token, id).await["compte_a_activer"] == true);

    // A mistyped correction gets its message on the field, and nothing changes.
    let res = app
        .post_form(
            "/api/demandes/corriger-contact",
            step_form(
                "id",
                &id.to_string(),
                &[("email", "lea.martin@"), ("telephone", "06 12 34 56 78")],
            ),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("email"), "{}", res.body);

    let correct = || {
        app.post_form(
            "/api/demandes/corriger-contact",
            step_form(
                "id",
                &id.to_string(),
                &[
                    ("email", "lea.martin@example.fr"),
                    ("telephone", "06 99 88 77 66"),
                ],
            ),
            Some(&school_token),
        )
    };
    let res = correct().await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert!(res.body.contains(&numero));
    // A double click sends nothing more.
    assert_eq!(correct().await.status, StatusCode::OK);

    app.deliver_to_mailbox().await;
    let to_right = app.mailbox_texts("lea.martin@example.fr").await;
    assert_eq!(to_right.len(), 1, "{to_right:?}");
    let sms: Vec<String> = app.mailbox_texts("+33699887766").await;
    assert_eq!(sms.len(), 1, "{sms:?}");
    // The link sent to the wrong address no longer opens anything; the new one activates.
    let res = activate(&app, &token_of(&old_link), GOOD_ACTIVATION).await;
    assert_ne!(res.status, StatusCode::OK);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_norm = $1",
            "lea.martn@example.fr"
        )
        .await,
        0,
        "the account made for the wrong address is gone"
    );
    let link = activation_link(&app, "lea.martin@example.fr").await;
    let res = activate(&app, &token_of(&link), GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let v = view(&app, &school_token, id).await;
    assert_eq!(v["data"]["adresse"]["email"], "lea.martin@example.fr");
    assert_eq!(v["compte_a_activer"], false);

    // Once activated, the contact is the account's: no more corrections here.
    let res = correct().await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
}

#[tokio::test]
async fn a_draft_is_deleted_by_its_school_only_and_never_once_validated() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let draft = new_demande(&app, &school_token).await;
    let res = upload(&app, &school_token, draft, "identite", "carte.pdf", &pdf(1)).await;
    assert!(res.header("location").unwrap().contains("depot="));
    let (validated, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let other = other_school(&app).await;

    let app = &app;
    let delete = |token: String, id: i64| async move {
        app.post_form("/api/demandes/supprimer", format!("id={id}"), Some(&token))
            .await
    };
    assert_eq!(delete(other.clone(), draft).await.status, StatusCode::OK);
    assert_eq!(
        etat(app, draft).await,
        "brouillon",
        "another school's call changes nothing"
    );
    let res = delete(school_token.clone(), validated).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    let files_before = app
        .count(
            "SELECT COUNT(*) FROM pieces WHERE CAST(demande_id AS TEXT) = $1",
            &draft.to_string(),
        )
        .await;
    assert_eq!(files_before, 1);
    let res = delete(school_token.clone(), draft).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/ecole/demandes?brouillon-supprime=1")
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demandes WHERE CAST(id AS TEXT) = $1",
            &draft.to_string()
        )
        .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM pieces WHERE CAST(demande_id AS TEXT) = $1",
            &draft.to_string()
        )
        .await,
        0
    );
    // Twice is the same answer.
    assert_eq!(
        delete(school_token.clone(), draft).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn what_is_typed_on_a_step_is_kept_until_the_step_is_saved() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let id = new_demande(&app, &school_token).await;
    // The browser sends the step's form as it is typed: half a birth date, a misspelt name.
    let typed = step_form(
        "id",
        &id.to_string(),
        &[
            ("nom_naissance", "Dupont-Moretti"),
            ("prenoms", "Jean Pi"),
            ("date_naissance", "2009-"),
        ],
    );
    let res = app
        .post_form(
            "/api/demandes/saisie",
            form(&[("id", &id.to_string()), ("etape", "2"), ("fields", &typed)]),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let at: String = serde_json::from_str(&res.body).unwrap();
    assert_eq!(at.len(), 5, "« 10:42 »: {at}");

    // Coming back to the step (another day, another tab) shows it, unchecked.
    let v = view(&app, &school_token, id).await;
    assert_eq!(v["saisie"]["etat_civil"]["nom_naissance"], "Dupont-Moretti");
    assert_eq!(v["saisie"]["etat_civil"]["prenoms"], "Jean Pi");
    assert_eq!(v["saisie"]["at"], at.as_str());
    let page = app
        .get(
            &format!("/ecole/demandes/{id}/etape/2"),
            Some(&school_token),
        )
        .await;
    assert!(page.body.contains("Dupont-Moretti"), "{}", page.body);
    assert!(page.body.contains("Saisie non validée reprise"));

    // Too much, or on a validated demande, or another school's: refused.
    let huge = "x".repeat(20_000);
    let res = app
        .post_form(
            "/api/demandes/saisie",
            form(&[("id", &id.to_string()), ("etape", "2"), ("fields", &huge)]),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let other = other_school(&app).await;
    let res = app
        .post_form(
            "/api/demandes/saisie",
            form(&[("id", &id.to_string()), ("etape", "2"), ("fields", &typed)]),
            Some(&other),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // Saved with « Suivant »: the autosave of that step is forgotten.
    fill_for(&app, &school_token, id, &Person::lea(), Some(CODE)).await;
    let v = view(&app, &school_token, id).await;
    assert!(v["saisie"]["etat_civil"].is_null(), "{}", v["saisie"]);
    assert!(v["saisie"]["at"].is_null());
    assert_eq!(v["data"]["etat_civil"]["nom_naissance"], "Martin");
}

#[tokio::test]
async fn an_untouched_draft_goes_after_ninety_days_and_the_list_says_when() {
    use app::domain::deadlines::retention::DRAFT_KEPT_DAYS;
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let old = new_demande(&app, &school_token).await;
    let res = upload(&app, &school_token, old, "identite", "carte.pdf", &pdf(1)).await;
    assert!(res.header("location").unwrap().contains("depot="));
    let list = app
        .post_form("/api/demandes/liste", "", Some(&school_token))
        .await;
    assert!(
        list.body
            .contains("Supprimé s'il n'est pas modifié d'ici le"),
        "{}",
        list.body
    );

    app.advance((DRAFT_KEPT_DAYS - 1) * 86_400);
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let touched = new_demande(&app, &school_token).await;
    let report = server::jobs::run_retention(&app.ctx, "test").await.unwrap();
    assert_eq!(report.drafts, 0, "not yet");
    app.advance(86_400);
    let report = server::jobs::run_retention(&app.ctx, "test").await.unwrap();
    assert_eq!(report.drafts, 1);
    assert_eq!(report.files, 1);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demandes WHERE CAST(id AS TEXT) = $1",
            &old.to_string()
        )
        .await,
        0
    );
    assert_eq!(etat(&app, touched).await, "brouillon");
    let report = server::jobs::run_retention(&app.ctx, "test").await.unwrap();
    assert_eq!(report.drafts, 0, "once");
}
