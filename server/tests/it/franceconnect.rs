//! FranceConnect through the real router against the project's test provider (npm
//! `oidc-provider` set up like FranceConnect v2): activation, login, linking from Mon espace,
//! logout, and every refusal (replayed or foreign `state`, wrong nonce, altered signature,
//! missing claim, cancelled login, an identity linked to no account) opening no session.

use axum::http::StatusCode;

use crate::common::filing::{
    activation_link, file_and_validate, school, token_of, validate, Person, CODE,
};
use crate::common::franceconnect::{
    self as fc, back, start, through, AtProvider, Browser, REDIRECT,
};
use crate::common::{form, TestApp, TestResponse, CANDIDATE_PASSWORD};

fn camille(prenoms: &'static str) -> Person {
    Person {
        sexe: "F",
        prenoms,
        nom: "Bernard",
        email: "camille.bernard@exemple.fr",
        telephone: "06 12 34 56 78",
    }
}

/// « Activer avec FranceConnect » from the activation link `token`, as `identity`.
async fn activate_as(app: &TestApp, token: &str, identity: &str) -> TestResponse {
    through(
        app,
        "/franceconnect/activation",
        &form(&[("token", token)]),
        None,
        identity,
    )
    .await
}

async fn start_activation(app: &TestApp, token: &str) -> fc::Started {
    start(
        app,
        "/franceconnect/activation",
        &form(&[("token", token)]),
        None,
    )
    .await
}

/// Opens no session: no session cookie, and the page says so.
fn refused(res: &TestResponse, title: &str) {
    assert!(res.session_cookie().is_none(), "a session was opened");
    assert!(res.body.contains(title), "{title} not in: {}", res.body);
    assert!(res.body.contains("Aucune session n'a été ouverte."));
}

async fn status_of(app: &TestApp, identifiant: &str) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, password_hash FROM users WHERE identifiant = $1")
        .bind(identifiant)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap()
}

/// A demande filed for `person`, handed over (the account waits for activation); returns the
/// demande and the activation link's token.
async fn handed_over(app: &TestApp, person: &Person) -> (i64, String) {
    let token = school(app).await;
    let (id, _) = file_and_validate(app, &token, person, Some(CODE)).await;
    (id, token_of(&activation_link(app, person.email).await))
}

#[tokio::test]
async fn a_candidate_activates_with_franceconnect_then_logs_in_with_it() {
    let app = fc::app().await;
    let (id, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    let (identifiant,): (String,) =
        sqlx::query_as("SELECT identifiant FROM users WHERE email_norm = $1")
            .bind("camille.bernard@exemple.fr")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();

    // The activation page offers FranceConnect; the button posts the link's token.
    let page = app.get(&format!("/monespace/activer/{token}"), None).await;
    assert!(
        page.body.contains("Activer avec FranceConnect"),
        "{}",
        page.body
    );
    assert!(page.body.contains("fr-connect"));

    let res = activate_as(&app, &token, "camille").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), Some("/monespace/a-valider"));
    let session = res.session_cookie().expect("logged in");
    // Active at once, without password or secret question: the 7-day deletion is over.
    let (status, password) = status_of(&app, &identifiant).await;
    assert_eq!((status.as_str(), password), ("active", None));

    // The review page: the certified identity matches what the school typed.
    let review = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        review
            .body
            .contains("correspond à votre identité certifiée par FranceConnect"),
        "{}",
        review.body
    );
    // Validated by a certified identity: marked for the centre.
    let res = validate(&app, &session, id).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let (certified,): (Option<i64>,) =
        sqlx::query_as("SELECT identite_certifiee_at FROM demandes WHERE id = $1")
            .bind(id)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert!(certified.is_some());

    // Logging out goes through FranceConnect's end_session_endpoint with the ID token.
    let out = app
        .post_html_form(
            "/franceconnect/deconnexion",
            "",
            Some(&format!("permis_session={session}")),
        )
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let to = out.header("location").unwrap();
    assert!(
        to.starts_with(&format!("{}/session/end", fc::issuer())),
        "{to}"
    );
    assert!(to.contains("id_token_hint=") && to.contains("post_logout_redirect_uri="));
    assert!(app.get("/monespace", Some(&session)).await.status == StatusCode::FOUND);

    // Later: « S'identifier avec FranceConnect » logs in to the same account.
    let login = app.get("/connexion", None).await;
    assert!(login.body.contains("S’identifier avec"), "{}", login.body);
    let res = through(&app, "/franceconnect/connexion", "", None, "camille").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(res.header("location"), Some("/monespace"));
    let again = res.session_cookie().expect("logged in");
    let page = app.get("/monespace", Some(&again)).await;
    assert_eq!(page.status, StatusCode::OK);
    // Linked, and without a password: Mon espace offers to choose one.
    assert!(page
        .body
        .contains("Vous vous connectez avec FranceConnect."));
}

#[tokio::test]
async fn what_the_school_typed_is_compared_with_the_certified_identity() {
    let app = fc::app().await;
    // The school typed « Camille » only.
    let (id, token) = handed_over(&app, &camille("Camille")).await;
    let res = activate_as(&app, &token, "camille").await;
    let session = res.session_cookie().expect("logged in");

    let review = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        review.body.contains(
            "Votre école a saisi « Camille » ; votre identité certifiée indique « Camille Marie Louise »."
        ),
        "{}",
        review.body
    );
    // In the recap itself, the row is marked with the certified value; the others are not.
    assert_eq!(
        review.body.matches("permis-recap__row--ecart").count(),
        1,
        "{}",
        review.body
    );
    assert!(review
        .body
        .contains("Identité certifiée : « Camille Marie Louise »"));
    assert!(
        review.body.contains("Refuser — l&#x27;école corrigera")
            || review.body.contains("Refuser — l'école corrigera")
    );
    // « Valider » is refused by the server too.
    let res = validate(&app, &session, id).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(
        crate::common::filing::etat(&app, id).await,
        "attente_usager"
    );

    // The refusal page comes with the reason written.
    let refus = app
        .get(
            &format!("/monespace/demandes/{id}/refuser?ecarts=1"),
            Some(&session),
        )
        .await;
    assert!(
        refus
            .body
            .contains("Prénoms : « Camille » au lieu de « Camille Marie Louise »"),
        "{}",
        refus.body
    );
}

#[tokio::test]
async fn a_replayed_answer_or_one_from_another_browser_opens_no_session() {
    let app = fc::app().await;
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    let started = start_activation(&app, &token).await;
    let answer = Browser::default()
        .authorize(&started.authorize_url, AtProvider::LogIn("camille"))
        .await;
    assert!(answer.starts_with(REDIRECT));

    // Another browser (without the login's cookie) brings the answer: refused.
    let elsewhere = back(&app, &answer, "permis_fc=autre", None).await;
    assert_eq!(elsewhere.status, StatusCode::BAD_REQUEST);
    refused(&elsewhere, "Connexion avec FranceConnect expirée");

    // The answer was used up by that attempt: even the right browser can't play it again.
    let replayed = back(&app, &answer, &started.cookie, None).await;
    assert_eq!(replayed.status, StatusCode::BAD_REQUEST);
    refused(&replayed, "Connexion avec FranceConnect expirée");
    assert_eq!(status_of_pending(&app).await, "pending_activation");
}

async fn status_of_pending(app: &TestApp) -> String {
    let (s,): (String,) = sqlx::query_as("SELECT status FROM users WHERE email_norm = $1")
        .bind("camille.bernard@exemple.fr")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    s
}

#[tokio::test]
async fn an_expired_login_a_wrong_nonce_a_low_acr_and_a_missing_claim_are_refused() {
    let app = fc::app().await;
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    // Ten minutes at the provider: the login has expired.
    let started = start_activation(&app, &token).await;
    let answer = Browser::default()
        .authorize(&started.authorize_url, AtProvider::LogIn("camille"))
        .await;
    app.advance(601);
    let res = back(&app, &answer, &started.cookie, None).await;
    refused(&res, "Connexion avec FranceConnect expirée");
    app.advance(-601);

    // The ID token does not carry the nonce of this login.
    let started = start_activation(&app, &token).await;
    sqlx::query("UPDATE franceconnect_flows SET nonce = 'un-autre-nonce' WHERE used_at IS NULL")
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let answer = Browser::default()
        .authorize(&started.authorize_url, AtProvider::LogIn("camille"))
        .await;
    let res = back(&app, &answer, &started.cookie, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    refused(&res, "Réponse de FranceConnect refusée");

    // An identity authenticated at a lower level than eidas1 is refused.
    let res = activate_as(&app, &token, "faible").await;
    refused(&res, "Réponse de FranceConnect refusée");
    assert_eq!(status_of_pending(&app).await, "pending_activation");

    // An identity without a birth date can't be used.
    let res = activate_as(&app, &token, "incomplet").await;
    refused(&res, "Identité incomplète");
    assert!(res.body.contains("votre date de naissance"), "{}", res.body);
    assert_eq!(status_of_pending(&app).await, "pending_activation");
}

#[tokio::test]
async fn an_id_token_whose_signature_was_altered_is_refused() {
    let app = TestApp::with_accounts()
        .await
        .with_franceconnect(fc::client(fc::tampering_issuer(fc::Tamper::IdToken)));
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    let res = activate_as(&app, &token, "camille").await;
    assert_eq!(
        res.status,
        StatusCode::BAD_REQUEST,
        "{:?} {}",
        res.header("location"),
        res.body
    );
    refused(&res, "Réponse de FranceConnect refusée");
    assert_eq!(status_of_pending(&app).await, "pending_activation");
}

#[tokio::test]
async fn a_userinfo_whose_signature_was_altered_is_refused() {
    let app = TestApp::with_accounts()
        .await
        .with_franceconnect(fc::client(fc::tampering_issuer(fc::Tamper::Userinfo)));
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    let res = activate_as(&app, &token, "camille").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    refused(&res, "Réponse de FranceConnect refusée");
    assert_eq!(status_of_pending(&app).await, "pending_activation");
}

#[tokio::test]
async fn a_cancelled_login_says_so() {
    let app = fc::app().await;
    let started = start(&app, "/franceconnect/connexion", "", None).await;
    let answer = Browser::default()
        .authorize(&started.authorize_url, AtProvider::Cancel)
        .await;
    assert!(answer.contains("error=access_denied"), "{answer}");
    let res = back(&app, &answer, &started.cookie, None).await;
    assert_eq!(res.status, StatusCode::OK);
    refused(&res, "Connexion avec FranceConnect annulée");
}

#[tokio::test]
async fn an_identity_is_matched_by_franceconnect_never_by_email() {
    let app = fc::app().await;
    // pmartin's account has the same email as the demo identity « lucas »: it is not enough.
    sqlx::query("UPDATE users SET email = $1, email_norm = $1 WHERE identifiant = 'pmartin'")
        .bind("lucas.petit@exemple.fr")
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let res = through(&app, "/franceconnect/connexion", "", None, "lucas").await;
    refused(&res, "Aucun compte relié à cette identité");

    // Linked from Mon espace after a password login, the identity then logs in.
    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = through(&app, "/franceconnect/lier", "", Some(&session), "lucas").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/monespace?franceconnect=relie")
    );
    let res = through(&app, "/franceconnect/connexion", "", None, "lucas").await;
    assert_eq!(res.header("location"), Some("/monespace"), "{}", res.body);
    let session = res.session_cookie().expect("logged in");
    let me = app.post_form("/api/session", "", Some(&session)).await;
    assert!(
        me.body.contains("\"identifiant\":\"pmartin\""),
        "{}",
        me.body
    );

    // Another identity still reaches nothing; the linked one can't be linked elsewhere.
    let res = through(&app, "/franceconnect/connexion", "", None, "camille").await;
    refused(&res, "Aucun compte relié à cette identité");
}

#[tokio::test]
async fn without_settings_franceconnect_is_not_offered() {
    let app = TestApp::with_accounts().await;
    let page = app.get("/connexion", None).await;
    assert!(!page.body.contains("fr-connect"));
    let res = app
        .post_html_form("/franceconnect/connexion", "", None)
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert!(res.session_cookie().is_none());
}

/// « Choisir un mot de passe » as a plain form post.
async fn choose(app: &TestApp, session: &str, password: &str) -> TestResponse {
    app.post_html_form(
        "/api/compte/choisir-mot-de-passe",
        form(&[
            ("form[password]", password),
            ("form[confirmation]", password),
            ("form[question]", "pere"),
            ("form[reponse]", "Michel"),
        ]),
        Some(&format!("permis_session={session}")),
    )
    .await
}

#[tokio::test]
async fn an_account_activated_with_franceconnect_may_choose_a_password() {
    let app = fc::app().await;
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    let res = activate_as(&app, &token, "camille").await;
    let session = res.session_cookie().expect("logged in");
    let (identifiant,): (String,) =
        sqlx::query_as("SELECT identifiant FROM users WHERE email_norm = $1")
            .bind("camille.bernard@exemple.fr")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();

    // Mon espace says the account has no password; the page offers to choose one.
    let espace = app.get("/monespace", Some(&session)).await;
    assert!(
        espace.body.contains("Votre compte n’a pas de mot de passe"),
        "{}",
        espace.body
    );
    let page = app.get("/connexion/mot-de-passe", Some(&session)).await;
    assert!(
        page.body.contains("Choisir un mot de passe"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Mot de passe actuel"));
    // Unlinking FranceConnect would lock it out: refused, the link stays.
    let res = app
        .post_html_form(
            "/franceconnect/delier",
            "",
            Some(&format!("permis_session={session}")),
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some("/monespace?franceconnect=sans-mot-de-passe")
    );
    let (links,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM franceconnect_links")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(links, 1);

    // A weak one is refused on its field, the question kept.
    let res = choose(&app, &session, "motdepasse2024!").await;
    assert!(res.status.is_redirection(), "{}", res.body);
    assert_eq!(res.header("location"), Some("/connexion/mot-de-passe"));
    assert_eq!(
        status_of(&app, &identifiant).await.1,
        None,
        "nothing written"
    );

    let res = choose(&app, &session, "un secret de Camille").await;
    assert!(res.status.is_redirection(), "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/connexion/mot-de-passe?choisi=1")
    );
    let stored = status_of(&app, &identifiant).await.1.expect("a password");
    // A second post (a double click) changes nothing.
    choose(&app, &session, "un autre secret encore").await;
    assert_eq!(status_of(&app, &identifiant).await.1, Some(stored));
    // The password logs in; FranceConnect still does; the owner was told.
    app.login_ok("usager", &identifiant, "un secret de Camille")
        .await;
    let res = through(&app, "/franceconnect/connexion", "", None, "camille").await;
    assert_eq!(res.header("location"), Some("/monespace"), "{}", res.body);
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("camille.bernard@exemple.fr").await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Vous avez choisi un mot de passe et une question secrète")),
        "{texts:?}"
    );

    // An account with a password, in a password session, can't take this way round.
    let pmartin = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = choose(&app, &pmartin, "un secret de Camille").await;
    assert_ne!(res.status, StatusCode::OK);
    assert_ne!(
        res.header("location"),
        Some("/connexion/mot-de-passe?choisi=1")
    );
    app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
}

#[tokio::test]
async fn a_parent_identity_does_not_activate_the_candidates_account() {
    let app = fc::app().await;
    let (_, token) = handed_over(&app, &camille("Camille Marie Louise")).await;
    // Julie Anne DURAND, born 1985: not Camille, born 2009.
    let res = activate_as(&app, &token, "julie").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    refused(&res, "Cette identité n'est pas celle du candidat");
    assert_eq!(status_of_pending(&app).await, "pending_activation");
    let (links,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM franceconnect_links")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(links, 0);
    // The link still activates, with the candidate's own identity.
    let res = activate_as(&app, &token, "camille").await;
    assert_eq!(
        res.header("location"),
        Some("/monespace/a-valider"),
        "{}",
        res.body
    );
}

#[tokio::test]
async fn a_changed_identity_opens_nothing_until_linked_again() {
    let app = fc::app().await;
    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = through(&app, "/franceconnect/lier", "", Some(&session), "lucas").await;
    assert_eq!(res.status, StatusCode::SEE_OTHER, "{}", res.body);
    // The civil registry corrected his given name since: what FranceConnect certifies today
    // differs from what was linked.
    sqlx::query("UPDATE franceconnect_links SET given_name = 'Luca'")
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let res = through(&app, "/franceconnect/connexion", "", None, "lucas").await;
    refused(&res, "Votre identité FranceConnect a changé");

    // Linked again from a password session: the identity of today is kept, and logs in.
    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = through(&app, "/franceconnect/lier", "", Some(&session), "lucas").await;
    assert_eq!(
        res.header("location"),
        Some("/monespace?franceconnect=relie"),
        "{}",
        res.body
    );
    let res = through(&app, "/franceconnect/connexion", "", None, "lucas").await;
    assert_eq!(res.header("location"), Some("/monespace"), "{}", res.body);

    // Unlinked from Mon espace: the identity opens nothing any more.
    let espace = app.get("/monespace", Some(&session)).await;
    assert!(
        espace.body.contains("Délier FranceConnect"),
        "{}",
        espace.body
    );
    let res = app
        .post_html_form(
            "/franceconnect/delier",
            "",
            Some(&format!("permis_session={session}")),
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some("/monespace?franceconnect=delie"),
        "{}",
        res.body
    );
    let res = through(&app, "/franceconnect/connexion", "", None, "lucas").await;
    refused(&res, "Aucun compte relié à cette identité");
    let res = through(&app, "/franceconnect/lier", "", Some(&session), "lucas").await;
    assert_eq!(
        res.header("location"),
        Some("/monespace?franceconnect=relie")
    );

    // Another identity can't replace it; the candidate stays logged in, and is told so.
    let res = through(&app, "/franceconnect/lier", "", Some(&session), "camille").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert!(
        res.body.contains("Vous êtes toujours connecté"),
        "{}",
        res.body
    );
    assert!(!res.body.contains("Aucune session n'a été ouverte"));
    assert_eq!(
        app.get("/monespace", Some(&session)).await.status,
        StatusCode::OK
    );
}
