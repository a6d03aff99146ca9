//! Filing demandes through the real router, as a school does.

use axum::http::StatusCode;

use super::{form, link_in, TestApp, TestResponse, T0};

/// A form body: `key=value`, then each field as `form[field]` (a server function taking a
/// struct named `form`).
pub fn step_form(key: &str, value: &str, fields: &[(&str, &str)]) -> String {
    let named: Vec<(String, &str)> = fields
        .iter()
        .map(|(k, v)| (format!("form[{k}]"), *v))
        .collect();
    let mut pairs = vec![(key, value)];
    pairs.extend(named.iter().map(|(k, v)| (k.as_str(), *v)));
    form(&pairs)
}

/// An e-photo code the tests register.
pub const CODE: &str = "ABCDEFGH123456789012KL";

/// Who a demande is for.
pub struct Person {
    pub sexe: &'static str,
    pub prenoms: &'static str,
    pub nom: &'static str,
    pub email: &'static str,
    pub telephone: &'static str,
}

impl Person {
    pub fn lea() -> Person {
        Person {
            sexe: "F",
            prenoms: "Léa",
            nom: "Martin",
            email: "lea.martin@example.fr",
            telephone: "06 12 34 56 78",
        }
    }
}

/// The school `ecole.gare` logged in, with the e-photo code `CODE` registered.
pub async fn school(app: &TestApp) -> String {
    with_code(app).await;
    app.login_ok("pro", "ecole.gare", super::SCHOOL_PASSWORD)
        .await
}

/// A demande's state as stored.
pub async fn etat(app: &TestApp, id: i64) -> String {
    let (etat,): (String,) = sqlx::query_as("SELECT etat FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    etat
}

pub async fn with_code(app: &TestApp) {
    app::server::demandes::register_ephoto_code(&app.ctx.db, CODE, "test", T0 - 86_400)
        .await
        .unwrap();
}

/// Files a complete demande for `person` and validates it; returns its id and number.
pub async fn file_and_validate(
    app: &TestApp,
    token: &str,
    person: &Person,
    code: Option<&str>,
) -> (i64, String) {
    let id = new_demande(app, token).await;
    fill_for(app, token, id, person, code).await;
    let res = app
        .post_form(
            "/api/demandes/valider",
            format!("id={id}&attestation=on"),
            Some(token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let numero: String = serde_json::from_str(&res.body).unwrap();
    (id, numero)
}

pub fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

pub async fn new_demande(app: &TestApp, token: &str) -> i64 {
    let res = app
        .post_form("/api/demandes/nouvelle", "", Some(token))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let id: i64 = res.body.parse().unwrap();
    assert_eq!(
        res.header("location"),
        Some(format!("/ecole/demandes/{id}/etape/1").as_str())
    );
    id
}

pub async fn step(
    app: &TestApp,
    token: &str,
    endpoint: &str,
    id: i64,
    fields: &[(&str, &str)],
) -> TestResponse {
    app.post_form(
        &format!("/api/demandes/{endpoint}"),
        step_form("id", &id.to_string(), fields),
        Some(token),
    )
    .await
}

/// Fills every step of a demande for a 17-year-old in AAC, category B, with `person`'s
/// identity and contact; photo by e-photo `code`, or by paper form without one.
pub async fn fill_for(app: &TestApp, token: &str, id: i64, person: &Person, code: Option<&str>) {
    let photo = match code {
        Some(c) => vec![("mode", "ephoto"), ("code_ephoto", c)],
        None => vec![("mode", "papier")],
    };
    for (endpoint, fields) in [
        (
            "motif",
            vec![
                ("motif", "premier"),
                ("categories][B", "on"),
                ("filiere", "aac"),
            ],
        ),
        (
            "etat-civil",
            vec![
                ("sexe", person.sexe),
                ("nom_naissance", person.nom),
                ("prenoms", person.prenoms),
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
        ),
        (
            "adresse",
            vec![
                ("numero", "12"),
                ("type_voie", "Rue"),
                ("nom_voie", "des Lilas"),
                ("code_postal", "77000"),
                ("commune", "Melun"),
                ("email", person.email),
                ("telephone", person.telephone),
            ],
        ),
        ("photo", photo),
    ] {
        let res = step(app, token, endpoint, id, &fields).await;
        assert_eq!(res.status, StatusCode::OK, "{endpoint}: {}", res.body);
    }
    for kind in [
        "identite",
        "domicile",
        "assr",
        "jdc",
        "identite_representant",
    ] {
        let res = upload(app, token, id, kind, "piece.pdf", &pdf(1)).await;
        assert!(
            res.header("location").unwrap().contains("depot="),
            "{kind}: {:?}",
            res.header("location")
        );
    }
    let res = app
        .post_form("/api/demandes/pieces", format!("id={id}"), Some(token))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
}

pub fn multipart(filename: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----permisTestBoundary7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"fichier\"; filename=\"{filename}\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

pub async fn upload(
    app: &TestApp,
    token: &str,
    id: i64,
    kind: &str,
    filename: &str,
    bytes: &[u8],
) -> TestResponse {
    let (content_type, body) = multipart(filename, bytes);
    let req = axum::http::Request::post(format!("/api/demandes/{id}/pieces/{kind}"))
        .header("content-type", content_type)
        .header("cookie", format!("permis_session={token}"))
        .header("origin", "http://127.0.0.1:3000")
        .body(axum::body::Body::from(body))
        .unwrap();
    app.send(req).await
}

pub fn pdf(pages: usize) -> Vec<u8> {
    use lopdf::dictionary;
    use lopdf::{Document, Object};
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let kids: Vec<Object> = (0..pages)
        .map(|_| doc.add_object(dictionary! { "Type" => "Page", "Parent" => pages_id, "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()] }).into())
        .collect();
    doc.objects.insert(
        pages_id,
        Object::Dictionary(
            dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => pages as i64 },
        ),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    let mut out = Vec::new();
    doc.save_to(&mut out).unwrap();
    out
}

// ------------------------------------------------------------------ the candidate

pub const ACTIVATION_PREFIX: &str = "http://127.0.0.1:3000/monespace/activer/";
pub const GOOD_PASSWORD: &str = "quatre chats sur le toit";

/// Delivers to the development mailbox and returns the last activation link sent to `email`.
pub async fn activation_link(app: &TestApp, email: &str) -> String {
    app.deliver_to_mailbox().await;
    app.mailbox_texts(email)
        .await
        .iter()
        .rev()
        .find_map(|t| link_in(t, ACTIVATION_PREFIX))
        .expect("activation link in the mailbox")
}

pub fn token_of(link: &str) -> String {
    link.rsplit('/').next().unwrap().to_string()
}

pub async fn activate(app: &TestApp, token: &str, fields: &[(&str, &str)]) -> TestResponse {
    app.post_form(
        "/api/compte/activer",
        step_form("token", token, fields),
        None,
    )
    .await
}

pub const GOOD_ACTIVATION: &[(&str, &str)] = &[
    ("sexe", "F"),
    ("password", GOOD_PASSWORD),
    ("confirmation", GOOD_PASSWORD),
    ("question", "animal"),
    ("reponse", "Médor"),
];

/// Files and validates a demande for `person`, then activates the new account from the
/// emailed link; returns the demande's id and number and the candidate's session.
pub async fn filed_and_activated(
    app: &TestApp,
    school_token: &str,
    person: &Person,
    code: Option<&str>,
) -> (i64, String, String) {
    let (id, numero) = file_and_validate(app, school_token, person, code).await;
    let token = token_of(&activation_link(app, person.email).await);
    let res = activate(app, &token, GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    (id, numero, res.session_cookie().expect("logged in"))
}

/// The candidate validates demande `id` (attestation ticked), as the review page posts it.
pub async fn validate(app: &TestApp, session: &str, id: i64) -> TestResponse {
    app.post_form(
        "/api/monespace/decider",
        form(&[
            ("id", &id.to_string()),
            ("decision", "valider"),
            ("attestation", "on"),
        ]),
        Some(session),
    )
    .await
}

/// An agent or administrator of the centre, logged in (its session token).
pub async fn staff(app: &TestApp, role: app::domain::account::Role, identifiant: &str) -> String {
    server::seed::create_account(
        &app.ctx,
        server::seed::NewAccount {
            role,
            identifiant: identifiant.into(),
            email: Some(format!("{identifiant}@ctn.example")),
            prenom: "Claire".into(),
            nom: "Agent".into(),
            agrement: None,
            cert: None,
            password: super::SCHOOL_PASSWORD.into(),
        },
    )
    .await
    .expect("account");
    app.login_ok("pro", identifiant, super::SCHOOL_PASSWORD)
        .await
}

/// A second school, « Auto-école du Port », with its account `ecole.port`.
pub async fn second_school(app: &TestApp) {
    server::seed::create_school(
        &app.ctx,
        app::server::users::NewSchool {
            name: "Auto-école du Port".into(),
            agrement: "E1304400020".into(),
            departement: "13".into(),
        },
    )
    .await
    .unwrap();
    server::seed::create_account(
        &app.ctx,
        server::seed::NewAccount {
            role: app::domain::account::Role::Ecole,
            identifiant: "ecole.port".into(),
            email: Some("port@example.fr".into()),
            prenom: "Paul".into(),
            nom: "Marin".into(),
            agrement: Some("E1304400020".into()),
            cert: None,
            password: super::SCHOOL_PASSWORD.into(),
        },
    )
    .await
    .unwrap();
}
