//! The school's demandes through the real router: steps, ownership, validation.

use crate::common::filing::*;
use crate::common::*;
use axum::http::StatusCode;

/// Fills every step of a demande for Léa, 17, AAC category B, with the e-photo code.
async fn fill(app: &TestApp, token: &str, id: i64) {
    fill_for(app, token, id, &Person::lea(), Some(CODE)).await;
}

/// Sends one « Valider » per id, all at once; returns (id, status, body) as they finish.
async fn validate_in_parallel(
    app: &TestApp,
    token: &str,
    ids: &[i64],
) -> Vec<(i64, StatusCode, String)> {
    let mut tasks = tokio::task::JoinSet::new();
    for &id in ids {
        let router = app.router.clone();
        let cookie = format!("permis_session={token}");
        tasks.spawn(async move {
            use tower::ServiceExt;
            let req = axum::http::Request::post("/api/demandes/valider")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", cookie)
                .body(axum::body::Body::from(format!("id={id}&attestation=on")))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let body = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            (id, status, String::from_utf8_lossy(&body).into_owned())
        });
    }
    let mut out = Vec::new();
    while let Some(r) = tasks.join_next().await {
        out.push(r.unwrap());
    }
    out
}

/// Step 1 for a first licence of category B on `filiere`.
async fn motif_b(app: &TestApp, token: &str, id: i64, filiere: &str) -> TestResponse {
    step(
        app,
        token,
        "motif",
        id,
        &[
            ("motif", "premier"),
            ("categories][B", "on"),
            ("filiere", filiere),
        ],
    )
    .await
}

#[tokio::test]
async fn a_school_files_a_complete_demande_and_validates_it_once() {
    let app = TestApp::with_accounts().await;
    with_code(&app).await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    fill(&app, &token, id).await;

    // The summary lists what the rules require for a 17-year-old's first licence.
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    let pieces: Vec<&str> = view["required_pieces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(
        pieces,
        vec![
            "identite",
            "domicile",
            "assr",
            "jdc",
            "identite_representant"
        ]
    );
    assert_eq!(
        view["missing"].as_array().unwrap().len(),
        0,
        "{}",
        view["missing"]
    );
    assert_eq!(view["data"]["adresse"]["telephone"], "+33612345678");

    // Without the attestation, nothing happens.
    let res = app
        .post_form("/api/demandes/valider", format!("id={id}"), Some(&token))
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(json(&res.body)["Field"]["field"], "attestation");

    let res = app
        .post_form(
            "/api/demandes/valider",
            format!("id={id}&attestation=on"),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let numero: String = serde_json::from_str(&res.body).unwrap();
    assert_eq!(numero, "75-261126-0001");

    // A double click: the same number, one transition, one event.
    let again = app
        .post_form(
            "/api/demandes/valider",
            format!("id={id}&attestation=on"),
            Some(&token),
        )
        .await;
    assert_eq!(serde_json::from_str::<String>(&again.body).unwrap(), numero);
    let (events,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM demande_events WHERE demande_id = $1")
            .bind(id)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(events, 1);

    // The list shows it awaiting the candidate; it can no longer be edited.
    let list = json(
        &app.post_form("/api/demandes/liste", "", Some(&token))
            .await
            .body,
    );
    assert_eq!(list["total"], 1);
    assert_eq!(list["rows"][0]["etat"], "attente_usager");
    assert_eq!(list["rows"][0]["numero"], numero.as_str());
    assert_eq!(list["rows"][0]["nom"], "Martin");
    let res = step(&app, &token, "adresse", id, &[("nom_voie", "autre")]).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("ne peut plus être modifiée"));

    // The code is now taken: another demande cannot use it.
    let other = new_demande(&app, &token).await;
    let res = step(
        &app,
        &token,
        "photo",
        other,
        &[("mode", "ephoto"), ("code_ephoto", CODE)],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(
        res.body.contains("a déjà servi pour une autre demande"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn parallel_validations_make_one_transition() {
    let app = TestApp::with_accounts().await;
    with_code(&app).await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    fill(&app, &token, id).await;
    let mut numbers = Vec::new();
    for (_, status, body) in validate_in_parallel(&app, &token, &[id; 6]).await {
        assert_eq!(status, StatusCode::OK, "{body}");
        numbers.push(body);
    }
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        1,
        "every click sees the same number: {numbers:?}"
    );
    let (events,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM demande_events")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(events, 1);
}

#[tokio::test]
async fn another_school_cannot_read_edit_or_validate_the_demande() {
    let app = TestApp::with_accounts().await;
    second_school(&app).await;
    with_code(&app).await;
    let mine = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &mine).await;
    fill(&app, &mine, id).await;
    let theirs = app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await;
    for (path, body) in [
        ("/api/demandes/lire", format!("id={id}")),
        ("/api/demandes/valider", format!("id={id}&attestation=on")),
        ("/api/demandes/pieces", format!("id={id}")),
    ] {
        let res = app.post_form(path, body, Some(&theirs)).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{path}: {}", res.body);
    }
    let res = step(&app, &theirs, "adresse", id, &[("nom_voie", "x")]).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND, "{}", res.body);
    let list = json(
        &app.post_form("/api/demandes/liste", "", Some(&theirs))
            .await
            .body,
    );
    assert_eq!(list["total"], 0);
    // A candidate is not a school.
    let candidate = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = app
        .post_form("/api/demandes/lire", format!("id={id}"), Some(&candidate))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Nobody logged in.
    let res = app
        .post_form("/api/demandes/lire", format!("id={id}"), None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_draft_survives_a_restart_and_resumes_at_its_step() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let res = motif_b(&app, &token, id, "traditionnelle").await;
    assert_eq!(
        res.header("location"),
        Some(format!("/ecole/demandes/{id}/etape/2").as_str())
    );
    let app = app.restart().await;
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    assert_eq!(view["etape"], 2);
    assert_eq!(view["data"]["motif"]["categories"][0], "B");
    let page = app.get("/ecole/demandes", Some(&token)).await;
    assert!(
        page.body.contains(&format!("/ecole/demandes/{id}/etape/2")),
        "the list links to the step to resume"
    );
}

#[tokio::test]
async fn each_bad_field_gets_its_own_message_and_nothing_is_saved() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    motif_b(&app, &token, id, "aac").await;
    let res = step(
        &app,
        &token,
        "etat-civil",
        id,
        &[
            ("sexe", "F"),
            ("nom_naissance", "Martin"),
            ("prenoms", "Léa"),
            ("date_naissance", "00/00/2009"),
            ("pays_naissance", "France"),
            ("commune_naissance", "Melun"),
            ("nationalite", "Française"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let errors = json(&res.body)["Invalid"].as_array().unwrap().clone();
    let fields: Vec<&str> = errors
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["date_naissance", "departement_naissance"]);
    // 14 years old in AAC: the age rule answers on the birth date.
    let res = step(
        &app,
        &token,
        "etat-civil",
        id,
        &[
            ("sexe", "F"),
            ("nom_naissance", "Martin"),
            ("prenoms", "Léa"),
            ("date_naissance", "2012-01-01"),
            ("pays_naissance", "Belgique"),
            ("commune_naissance", "Liège"),
            ("nationalite", "Belge"),
            ("rep_qualite", "mere"),
            ("rep_nom", "Martin"),
            ("rep_prenoms", "Sophie"),
            ("rep_date_naissance", "1980-05-02"),
        ],
    )
    .await;
    let errors = json(&res.body)["Invalid"].as_array().unwrap().clone();
    assert_eq!(errors.len(), 1);
    assert!(errors[0]["message"]
        .as_str()
        .unwrap()
        .contains("à partir de 15 ans"));
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    assert!(
        view["data"]["etat_civil"].is_null(),
        "an invalid step is not saved"
    );
    // Validating now is refused: the demande is incomplete.
    let res = app
        .post_form(
            "/api/demandes/valider",
            format!("id={id}&attestation=on"),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("incomplète (étape 2)"), "{}", res.body);
}

#[tokio::test]
async fn the_list_searches_filters_and_pages() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    for i in 0..23 {
        let id = new_demande(&app, &token).await;
        let nom = if i == 7 { "Zidane" } else { "Martin" };
        app.advance(60);
        motif_b(&app, &token, id, "traditionnelle").await;
        let res = step(
            &app,
            &token,
            "etat-civil",
            id,
            &[
                ("sexe", "M"),
                ("nom_naissance", nom),
                ("prenoms", "Hugo"),
                ("date_naissance", "1990-01-01"),
                ("pays_naissance", "Belgique"),
                ("commune_naissance", "Liège"),
                ("nationalite", "Belge"),
            ],
        )
        .await;
        assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    }
    let page1 = json(
        &app.post_form("/api/demandes/liste", "", Some(&token))
            .await
            .body,
    );
    assert_eq!(page1["total"], 23);
    assert_eq!(page1["pages"], 2);
    assert_eq!(page1["rows"].as_array().unwrap().len(), 20);
    let page2 = json(
        &app.post_form("/api/demandes/liste", "page=2", Some(&token))
            .await
            .body,
    );
    assert_eq!(page2["rows"].as_array().unwrap().len(), 3);
    let found = json(
        &app.post_form("/api/demandes/liste", "q=zid", Some(&token))
            .await
            .body,
    );
    assert_eq!(found["total"], 1);
    assert_eq!(found["rows"][0]["nom"], "Zidane");
    // Newest first by default, oldest first on request.
    let newest = page1["rows"][0]["id"].as_i64().unwrap();
    let oldest = json(
        &app.post_form("/api/demandes/liste", "tri=anciennes", Some(&token))
            .await
            .body,
    )["rows"][0]["id"]
        .as_i64()
        .unwrap();
    assert!(newest > oldest);
    let drafts = json(
        &app.post_form("/api/demandes/liste", "etat=attente_usager", Some(&token))
            .await
            .body,
    );
    assert_eq!(drafts["total"], 0);
    // A search for "%" matches nothing special.
    let pct = json(
        &app.post_form("/api/demandes/liste", "q=%25", Some(&token))
            .await
            .body,
    );
    assert_eq!(pct["total"], 0);
}

#[tokio::test]
async fn uploads_are_checked_by_content_size_and_pages() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;

    // An executable renamed .pdf.
    let res = upload(
        &app,
        &token,
        id,
        "identite",
        "carte.pdf",
        b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run",
    )
    .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    assert!(
        res.header("location")
            .unwrap()
            .contains("erreur=type&piece=identite"),
        "{:?}",
        res.header("location")
    );
    // 11 MB.
    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(11 * 1024 * 1024, b' ');
    let res = upload(&app, &token, id, "identite", "gros.pdf", &big).await;
    assert!(
        res.header("location").unwrap().contains("erreur=taille"),
        "{:?}",
        res.header("location")
    );
    // A 3-page identity document (2 pages at most).
    let res = upload(&app, &token, id, "identite", "carte.pdf", &pdf(3)).await;
    assert!(
        res.header("location")
            .unwrap()
            .contains("erreur=pages&piece=identite&pages=3&max=2"),
        "{:?}",
        res.header("location")
    );
    // A 2-page one is accepted; one more page is refused (the pages of a piece add up).
    let res = upload(
        &app,
        &token,
        id,
        "identite",
        "C:\\scans\\carte recto verso.pdf",
        &pdf(2),
    )
    .await;
    assert!(
        res.header("location").unwrap().contains("depot=identite"),
        "{:?}",
        res.header("location")
    );
    let res = upload(&app, &token, id, "identite", "page3.pdf", &pdf(1)).await;
    assert!(res
        .header("location")
        .unwrap()
        .contains("erreur=pages&piece=identite&pages=3&max=2"));

    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    let files = view["pieces"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["filename"], "carte recto verso.pdf");
    assert_eq!(files[0]["pages"], 2);
    let piece_id = files[0]["id"].as_i64().unwrap();

    // Downloaded as an attachment, with nosniff, by the school only.
    let res = app
        .get(
            &format!("/api/demandes/{id}/pieces/{piece_id}/fichier"),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res
        .header("content-disposition")
        .unwrap()
        .starts_with("attachment;"));
    assert_eq!(res.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(res.header("content-type"), Some("application/pdf"));
    assert!(res.body.starts_with("%PDF-"));
    second_school(&app).await;
    let theirs = app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await;
    let res = app
        .get(
            &format!("/api/demandes/{id}/pieces/{piece_id}/fichier"),
            Some(&theirs),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = upload(&app, &theirs, id, "identite", "x.pdf", &pdf(1)).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .get(
            &format!("/api/demandes/{id}/pieces/{piece_id}/fichier"),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);

    // Deleted: gone from the list and from the storage.
    let (storage_key,): (String,) = sqlx::query_as("SELECT storage_key FROM pieces WHERE id = $1")
        .bind(piece_id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert!(app.ctx.storage.get(&storage_key).await.is_ok());
    let res = app
        .post_form(
            &format!("/api/demandes/{id}/pieces/{piece_id}/supprimer"),
            "",
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    assert_eq!(view["pieces"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.ctx.storage.get(&storage_key).await.unwrap_err(),
        app::error::AppError::NotFound
    );
    let res = app
        .get(
            &format!("/api/demandes/{id}/pieces/{piece_id}/fichier"),
            Some(&token),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // The missing pieces block the validation.
    assert!(view["missing"].as_array().unwrap().iter().any(|m| m[1]
        .as_str()
        .unwrap()
        .contains("Pièce manquante : Pièce d'identité")));
}

#[tokio::test]
async fn the_postal_code_and_the_commune_must_match_the_official_data() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let address = |cp: &'static str, commune: &'static str| {
        vec![
            ("nom_voie", "rue des Lilas"),
            ("code_postal", cp),
            ("commune", commune),
            ("email", "lea@example.fr"),
            ("telephone", "0612345678"),
        ]
    };
    let res = step(&app, &token, "adresse", id, &address("77000", "Paris")).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let err = &json(&res.body)["Invalid"][0];
    assert_eq!(err["field"], "commune");
    assert!(
        err["message"].as_str().unwrap().contains("Melun"),
        "{}",
        err["message"]
    );
    let res = step(&app, &token, "adresse", id, &address("77999", "Melun")).await;
    assert_eq!(json(&res.body)["Invalid"][0]["field"], "code_postal");
    // Any case and accents, « St » for « Saint »: stored with the official spelling.
    let res = step(&app, &token, "adresse", id, &address("42000", "st etienne")).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    assert_eq!(view["data"]["adresse"]["commune"], "Saint-Étienne");
    assert_eq!(
        view["data"]["adresse"]["prefecture"],
        "Préfecture de Saint-Étienne (Loire)"
    );
    // The suggestions the address step offers.
    let list: Vec<String> = serde_json::from_str(
        &app.post_form("/api/communes", "code_postal=77000", Some(&token))
            .await
            .body,
    )
    .unwrap();
    assert!(list.contains(&"Melun".to_string()), "{list:?}");
}

fn jpeg() -> Vec<u8> {
    let img = image::RgbImage::from_fn(35, 45, |x, y| image::Rgb([x as u8 * 7, y as u8 * 5, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .encode_image(&img)
        .unwrap();
    out.into_inner()
}

fn png() -> Vec<u8> {
    let img = image::GrayImage::from_fn(60, 20, |x, _| {
        image::Luma([if x % 7 == 0 { 0 } else { 255 }])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

async fn issue_code(app: &TestApp, key: &str, photo: &[u8], signature: &[u8]) -> TestResponse {
    let boundary = "----ephotoBoundary";
    let mut body = Vec::new();
    for (name, bytes) in [("photo", photo), ("signature", signature)] {
        body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{name}\"\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post("/api/ephoto/codes")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("authorization", format!("Bearer {key}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(req).await
}

#[tokio::test]
async fn an_approved_photographer_issues_a_code_the_school_can_use() {
    let app = TestApp::with_accounts().await;
    let key = app::server::ephoto::create_provider(&app.ctx.db, "Studio Photo de la Gare", T0)
        .await
        .unwrap();
    let (stored,): (String,) = sqlx::query_as("SELECT key_hash FROM ephoto_providers")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(
        stored,
        app::server::sessions::hash_token(&key),
        "only the key's hash is stored"
    );

    let res = issue_code(&app, "cle-inconnue", &jpeg(), &png()).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = issue_code(&app, &key, &png(), &png()).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", res.body);
    let res = issue_code(&app, &key, &jpeg(), b"MZ not an image").await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("Signature"));

    let res = issue_code(&app, &key, &jpeg(), &png()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let answer = json(&res.body);
    let code = answer["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 22);
    assert_eq!(answer["valable_jusqu_au"], "2027-05-28");

    // The school enters it (in lower case, with spaces): accepted.
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let typed = format!("{} {}", &code[..11].to_lowercase(), &code[11..]);
    let res = step(
        &app,
        &token,
        "photo",
        id,
        &[("mode", "ephoto"), ("code_ephoto", &typed)],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Six months and a day later, an unused code has expired.
    app.advance(184 * 86_400);
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let other = new_demande(&app, &token).await;
    let res = step(
        &app,
        &token,
        "photo",
        other,
        &[("mode", "ephoto"), ("code_ephoto", &code)],
    )
    .await;
    assert!(res.body.contains("plus de 6 mois"), "{}", res.body);
}

#[tokio::test]
async fn another_schools_page_answers_404_and_codes_say_nothing_to_strangers() {
    let app = TestApp::with_accounts().await;
    second_school(&app).await;
    with_code(&app).await;
    let mine = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &mine).await;
    let page = app
        .get(&format!("/ecole/demandes/{id}/etape/1"), Some(&mine))
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Motif de la demande"));
    let theirs = app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await;
    let page = app
        .get(&format!("/ecole/demandes/{id}/etape/1"), Some(&theirs))
        .await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert!(page.body.contains("Demande introuvable"));
    // Checking a code needs a school and its own demande.
    let body = form(&[
        ("id", &id.to_string()),
        ("form[mode]", "ephoto"),
        ("form[code_ephoto]", CODE),
    ]);
    let res = app
        .post_form("/api/demandes/photo", body.clone(), None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let res = app
        .post_form("/api/demandes/photo", body, Some(&theirs))
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(!res.body.contains("e-photo"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_code_cannot_end_up_on_two_demandes() {
    let app = TestApp::with_accounts().await;
    with_code(&app).await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let a = new_demande(&app, &token).await;
    fill(&app, &token, a).await;
    let b = new_demande(&app, &token).await;
    fill(&app, &token, b).await; // both drafts carry the same, still unused, code
                                 // Both validated at the same moment.
    let mut winners = Vec::new();
    for (id, status, body) in validate_in_parallel(&app, &token, &[a, b]).await {
        match status {
            StatusCode::OK => winners.push(id),
            StatusCode::CONFLICT => assert!(body.contains("e-photo"), "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one demande gets the code");
    let (owner,): (Option<i64>,) =
        sqlx::query_as("SELECT demande_id FROM ephoto_codes WHERE code = $1")
            .bind(CODE)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(owner, Some(winners[0]));
    let list = json(
        &app.post_form("/api/demandes/liste", "etat=brouillon", Some(&token))
            .await
            .body,
    );
    assert_eq!(list["total"], 1, "the other one is still a draft");
}

#[tokio::test]
async fn search_ignores_case_and_accents_on_both_databases() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    motif_b(&app, &token, id, "traditionnelle").await;
    let res = step(
        &app,
        &token,
        "etat-civil",
        id,
        &[
            ("sexe", "F"),
            ("nom_naissance", "Lefèvre"),
            ("prenoms", "Élodie"),
            ("date_naissance", "1990-01-01"),
            ("pays_naissance", "Belgique"),
            ("commune_naissance", "Liège"),
            ("nationalite", "Belge"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    for q in ["elodie", "ÉLODIE", "lefevre", "Lefèvre", "elodie lef"] {
        let found = json(
            &app.post_form("/api/demandes/liste", form(&[("q", q)]), Some(&token))
                .await
                .body,
        );
        assert_eq!(found["total"], 1, "{q}");
    }
}

#[tokio::test]
async fn a_new_file_can_replace_the_pieces_files() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let res = upload(&app, &token, id, "identite", "ancienne.pdf", &pdf(2)).await;
    assert!(res.header("location").unwrap().contains("depot=identite"));
    let (old_key,): (String,) =
        sqlx::query_as("SELECT storage_key FROM pieces WHERE demande_id = $1")
            .bind(id)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    // Adding a page would exceed 2 pages; replacing does not.
    let boundary = "----replaceBoundary";
    let mut body =
        format!("--{boundary}\r\nContent-Disposition: form-data; name=\"remplacer\"\r\n\r\non\r\n")
            .into_bytes();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"nouvelle.pdf\"\r\n\r\n").as_bytes());
    body.extend_from_slice(&pdf(1));
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let req = axum::http::Request::post(format!("/api/demandes/{id}/pieces/identite"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("cookie", format!("permis_session={token}"))
        .body(axum::body::Body::from(body))
        .unwrap();
    let res = app.send(req).await;
    assert!(
        res.header("location").unwrap().contains("depot=identite"),
        "{:?}",
        res.header("location")
    );
    let view = json(
        &app.post_form("/api/demandes/lire", format!("id={id}"), Some(&token))
            .await
            .body,
    );
    let files = view["pieces"].as_array().unwrap();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0]["filename"], "nouvelle.pdf");
    assert_eq!(files[0]["pages"], 1);
    assert_eq!(
        app.ctx.storage.get(&old_key).await.unwrap_err(),
        app::error::AppError::NotFound
    );
}

/// Every official commune of the Etalab table, as the address step suggests it, is accepted
/// with its postal code and kept with its official spelling — Paris, Lyon and Marseille
/// arrondissements included (one French resident in sixteen lives there).
#[test]
fn every_official_commune_is_accepted_with_its_postal_code() {
    use app::domain::communes::Communes;
    use app::domain::steps::{parse_adresse_with, AdresseForm};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/codes-postaux.tsv"
    );
    let text = std::fs::read_to_string(path).expect("scripts/setup.sh generates it");
    let communes = Communes::from_tsv(&text);
    let mut checked = 0;
    let mut refused = Vec::new();
    for line in text.lines() {
        let mut parts = line.split('\t');
        let (Some(cp), Some(_), Some(nom)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        let form = AdresseForm {
            nom_voie: Some("rue de la Paix".into()),
            code_postal: Some(cp.into()),
            commune: Some(nom.into()),
            email: Some("lea.martin@example.fr".into()),
            telephone: Some("06 12 34 56 78".into()),
            ..Default::default()
        };
        checked += 1;
        // Where the postal code has no département in the table (Saint-Pierre-et-Miquelon),
        // the school types the préfecture.
        let form = if app::domain::departements::departement_of_postal_code(cp).is_none() {
            AdresseForm {
                prefecture: Some("Préfecture de Saint-Pierre-et-Miquelon".into()),
                ..form
            }
        } else {
            form
        };
        match parse_adresse_with(&form, &communes) {
            Err(e) => refused.push(format!("{cp} {nom}: {e:?}")),
            Ok(a) if a.commune != nom => refused.push(format!("{cp} {nom}: {}", a.commune)),
            Ok(_) => {}
        }
    }
    assert!(checked > 35_000, "{checked} lines");
    assert!(
        refused.is_empty(),
        "{} of {checked} refused, e.g. {:?}",
        refused.len(),
        &refused[..refused.len().min(10)]
    );
}

/// No input a person can type gets « Une erreur technique est survenue… » or « requête
/// incomplète »: every step submitted empty, with every field at its longest, and with
/// unexpected values, answers messages on the fields.
#[tokio::test]
async fn every_step_answers_field_messages_whatever_is_typed() {
    let app = TestApp::with_accounts().await;
    let token = school(&app).await;
    let id = new_demande(&app, &token).await;
    let long = "é".repeat(5_000);
    let steps: [(&str, &[&str]); 4] = [
        (
            "motif",
            &[
                "motif",
                "categories[B]",
                "filiere",
                "boite_automatique",
                "handicap",
            ],
        ),
        (
            "etat-civil",
            &[
                "sexe",
                "nom_naissance",
                "nom_usage",
                "prenoms",
                "date_naissance",
                "pays_naissance",
                "commune_naissance",
                "departement_naissance",
                "nationalite",
                "neph",
            ],
        ),
        (
            "adresse",
            &[
                "numero",
                "extension",
                "type_voie",
                "nom_voie",
                "complement",
                "code_postal",
                "commune",
                "prefecture",
                "email",
                "telephone",
            ],
        ),
        ("photo", &["mode", "code_ephoto"]),
    ];
    for (endpoint, fields) in steps {
        let empty: Vec<(&str, &str)> = Vec::new();
        let longest: Vec<(&str, &str)> = fields.iter().map(|f| (*f, long.as_str())).collect();
        let odd: Vec<(&str, &str)> = fields.iter().map(|f| (*f, "<script>\u{0}'; --")).collect();
        for (what, values) in [
            ("vide", &empty),
            ("au plus long", &longest),
            ("inattendu", &odd),
        ] {
            let res = step(&app, &token, endpoint, id, values).await;
            assert_eq!(
                res.status,
                StatusCode::BAD_REQUEST,
                "{endpoint} {what}: {}",
                res.body
            );
            let error = json(&res.body);
            let messages = error
                .get("Invalid")
                .and_then(|v| v.as_array())
                .map(|a| a.len())
                .or_else(|| error.get("Field").map(|_| 1))
                .unwrap_or(0);
            assert!(
                messages > 0,
                "{endpoint} {what}: field messages expected, got {}",
                res.body
            );
            assert!(
                !res.body.contains("technique"),
                "{endpoint} {what}: {}",
                res.body
            );
        }
    }
    // The same without JavaScript: the step page comes back with the messages.
    let res = app
        .post_html_form(
            "/api/demandes/motif",
            format!("id={id}"),
            Some(&format!("permis_session={token}")),
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some(format!("/ecole/demandes/{id}/etape/1").as_str())
    );
}

/// What a browser does with a file over 10 MB: it sends the whole body before it reads the
/// answer. Over a real connection, every byte must be accepted and the answer must be the
/// app's own (the step page with its message, or the message for the page's script), never
/// a connection reset halfway.
#[tokio::test]
async fn a_file_over_the_limit_gets_the_message_not_a_reset_connection() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router.clone();
    tokio::spawn(async move { axum::serve(listener, router).await });

    let mut big = b"%PDF-1.4\n".to_vec();
    big.resize(25 * 1024 * 1024, b' ');
    let (content_type, body) = multipart("scan.pdf", &big);
    for script in [false, true] {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let head = format!(
            "POST /api/demandes/{id}/pieces/identite HTTP/1.1\r\nHost: 127.0.0.1:3000\r\n\
             Origin: http://127.0.0.1:3000\r\nCookie: permis_session={token}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\n{}Connection: close\r\n\r\n",
            body.len(),
            if script {
                "X-Requested-With: XMLHttpRequest\r\n"
            } else {
                ""
            },
        );
        stream.write_all(head.as_bytes()).await.unwrap();
        for chunk in body.chunks(64 * 1024) {
            stream
                .write_all(chunk)
                .await
                .expect("the server takes the whole body instead of resetting the connection");
        }
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8_lossy(&answer);
        if script {
            assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
            assert!(answer.contains("Ce fichier dépasse 10 Mo"), "{answer}");
        } else {
            assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
            assert!(
                answer.contains(&format!(
                    "/ecole/demandes/{id}/etape/5?erreur=taille&piece=identite"
                )),
                "{answer}"
            );
        }
    }
    // Nothing was stored.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM pieces WHERE CAST(demande_id AS TEXT) = $1",
            &id.to_string()
        )
        .await,
        0
    );
}

/// The page's script sends each file on its own and gets a short answer: nothing for a file
/// kept, the French message (and a status) for a file refused.
#[tokio::test]
async fn the_page_script_gets_short_answers() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let send = |bytes: Vec<u8>| {
        let (content_type, body) = multipart("carte.pdf", &bytes);
        axum::http::Request::post(format!("/api/demandes/{id}/pieces/identite"))
            .header("content-type", content_type)
            .header("cookie", format!("permis_session={token}"))
            .header("origin", "http://127.0.0.1:3000")
            .header("x-requested-with", "XMLHttpRequest")
            .body(axum::body::Body::from(body))
            .unwrap()
    };
    let res = app.send(send(pdf(1))).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let res = app.send(send(pdf(2))).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.body.contains("la pièce compterait 3 pages"),
        "{}",
        res.body
    );
    let res = app.send(send(b"MZ\x90\x00 not a pdf".to_vec())).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.body.contains("ni un PDF"), "{}", res.body);
}

/// A reading-order override (U+202E…) can make « facture[U+202E]fdp.exe » read « facture.exe.pdf »:
/// refused in file names and in text fields, with a message on the field.
#[tokio::test]
async fn reading_order_overrides_are_refused_in_file_names_and_fields() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let id = new_demande(&app, &token).await;
    let res = upload(
        &app,
        &token,
        id,
        "identite",
        "facture\u{202E}fdp.pdf",
        &pdf(1),
    )
    .await;
    assert!(
        res.header("location")
            .unwrap()
            .contains("erreur=nom&piece=identite"),
        "{:?}",
        res.header("location")
    );
    let res = step(
        &app,
        &token,
        "adresse",
        id,
        &[
            ("numero", "12"),
            ("type_voie", "Rue"),
            ("nom_voie", "des Lilas\u{2066}"),
            ("code_postal", "77000"),
            ("commune", "Melun"),
            ("email", "lea.martin@example.fr"),
            ("telephone", "06 12 34 56 78"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("nom_voie"), "{}", res.body);
    assert!(
        res.body.contains("inverse le sens de lecture"),
        "{}",
        res.body
    );
    // A display name in the email is refused too.
    let res = step(
        &app,
        &token,
        "adresse",
        id,
        &[
            ("numero", "12"),
            ("type_voie", "Rue"),
            ("nom_voie", "des Lilas"),
            ("code_postal", "77000"),
            ("commune", "Melun"),
            ("email", "Candidat<detour@evil.example>"),
            ("telephone", "06 12 34 56 78"),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("\"email\""), "{}", res.body);
}

#[tokio::test]
async fn wrong_photo_booth_keys_are_throttled_per_address() {
    let app = TestApp::with_accounts().await;
    let key = app::server::ephoto::create_provider(&app.ctx.db, "Studio Photo de la Gare", T0)
        .await
        .unwrap();
    for n in 0..10 {
        let res = issue_code(&app, &format!("cle-devinee-{n}"), &jpeg(), &png()).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    }
    // The address now waits, even with a good key: guessing stops there.
    let res = issue_code(&app, &key, &jpeg(), &png()).await;
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{}", res.body);
    assert!(
        res.body.contains("Trop de clés d'accès erronées"),
        "{}",
        res.body
    );
    let wait: i64 = res.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    // Fifteen minutes later the good key works again.
    app.advance(15 * 60 + 1);
    let res = issue_code(&app, &key, &jpeg(), &png()).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
}
