//! Login, lockout, sessions and logout through the real router, on SQLite or PostgreSQL.

use crate::common::*;
use axum::http::StatusCode;

use app::api::connexion::messages;

fn refused_message(body: &str) -> String {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    v.get("Refused")
        .and_then(|m| m.as_str())
        .unwrap_or_else(|| panic!("not a refusal: {body}"))
        .to_string()
}

fn field_error(body: &str) -> (String, String) {
    let v: serde_json::Value =
        serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"));
    let f = v
        .get("Field")
        .unwrap_or_else(|| panic!("not a field error: {body}"));
    (
        f["field"].as_str().unwrap().to_string(),
        f["message"].as_str().unwrap().to_string(),
    )
}

#[tokio::test]
async fn a_school_logs_in_with_its_identifiant_or_email_and_sees_its_demandes() {
    let app = TestApp::with_accounts().await;

    let res = app.login("pro", "ecole.gare", SCHOOL_PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.header("location"), Some("/ecole/demandes"));
    let set_cookie = res.header("set-cookie").unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let token = res.session_cookie().unwrap();

    let page = app.get("/ecole/demandes", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Mes demandes"));
    assert!(page.body.contains("Auto-école de la Gare"));
    assert!(page.body.contains("Première connexion"));

    // By email, in any case, an hour later: the page now shows the previous login.
    app.advance(3600);
    let token = app
        .login_ok("pro", "Contact@AutoEcole-Gare.example", SCHOOL_PASSWORD)
        .await;
    let page = app.get("/ecole/demandes", Some(&token)).await;
    assert!(
        page.body
            .contains("Dernière connexion : 26/11/2026 à 10:00"),
        "the previous login (09:00 UTC = 10:00 Paris) is shown, not the current one"
    );
}

#[tokio::test]
async fn a_candidate_logs_in_to_mon_espace() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let page = app.get("/monespace", Some(&token)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Bienvenue, Pierre Martin"));
    // A candidate cannot open the school's pages: sent back to their own.
    let page = app.get("/ecole/demandes", Some(&token)).await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(page.header("location"), Some("/monespace"));
}

#[tokio::test]
async fn pages_of_an_espace_require_a_login() {
    let app = TestApp::with_accounts().await;
    let page = app.get("/ecole/demandes", None).await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(page.header("location"), Some("/connexion/pro"));
    let page = app.get("/monespace", None).await;
    assert_eq!(page.status, StatusCode::FOUND);
    assert_eq!(page.header("location"), Some("/connexion"));
    let who = app.post_form("/api/session", "", None).await;
    assert_eq!(who.status, StatusCode::OK);
    assert_eq!(who.body, "null");
}

#[tokio::test]
async fn failures_say_the_same_thing_whatever_was_wrong() {
    let app = TestApp::with_accounts().await;
    let wrong_password = app
        .login("pro", "ecole.gare", "pas le bon mot de passe", None)
        .await;
    let unknown_account = app
        .login("pro", "personne.inconnue", "pas le bon mot de passe", None)
        .await;
    let wrong_space = app
        .login("usager", "ecole.gare", SCHOOL_PASSWORD, None)
        .await;
    let unknown_email = app
        .login("pro", "nobody@example.fr", "pas le bon mot de passe", None)
        .await;
    for res in [
        &wrong_password,
        &unknown_account,
        &wrong_space,
        &unknown_email,
    ] {
        assert_eq!(res.status, StatusCode::UNAUTHORIZED);
        assert_eq!(refused_message(&res.body), messages::WRONG_CREDENTIALS);
        assert!(res.session_cookie().is_none());
    }
}

#[tokio::test]
async fn ten_failures_in_an_hour_lock_the_account_for_fifteen_minutes() {
    let app = TestApp::with_accounts().await;
    for i in 1..=9 {
        let res = app
            .login("usager", "pmartin", "mauvais mot de passe", None)
            .await;
        assert_eq!(
            refused_message(&res.body),
            messages::WRONG_CREDENTIALS,
            "failure {i}"
        );
        app.advance(60);
    }
    // The tenth failure locks, and says so (09:09 UTC = 10:09 Paris, + 15 min).
    let res = app
        .login("usager", "pmartin", "mauvais mot de passe", None)
        .await;
    assert_eq!(
        refused_message(&res.body),
        messages::account_locked("10:24")
    );
    // Even the right password is refused while locked.
    app.advance(14 * 60);
    let res = app
        .login("usager", "pmartin", CANDIDATE_PASSWORD, None)
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused_message(&res.body),
        messages::account_locked("10:24")
    );
    // Fifteen minutes after the last failure, the right password works again.
    app.advance(60);
    app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    // And the counter starts again from zero.
    let res = app
        .login("usager", "pmartin", "mauvais mot de passe", None)
        .await;
    assert_eq!(refused_message(&res.body), messages::WRONG_CREDENTIALS);
}

#[tokio::test]
async fn an_unknown_identifiant_locks_like_a_real_one() {
    let app = TestApp::with_accounts().await;
    for _ in 0..9 {
        app.login("usager", "nexistepas", "mauvais mot de passe", None)
            .await;
    }
    let res = app
        .login("usager", "nexistepas", "mauvais mot de passe", None)
        .await;
    assert!(refused_message(&res.body).starts_with("Par sécurité, ce compte est bloqué"));
    // Other accounts are not affected.
    app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
}

#[tokio::test]
async fn the_address_limit_ignores_a_forged_forwarded_for_without_trusted_proxy() {
    let app = TestApp::with_accounts().await;
    for i in 0..50 {
        let forged = format!("203.0.113.{i}");
        let body = form(&[
            ("espace", "usager"),
            ("identifiant", &format!("inconnu{i}")),
            ("password", "mauvais mot de passe"),
        ]);
        let res = app
            .post_form_with(
                "/api/connexion",
                body.into_bytes(),
                None,
                &[
                    ("x-forwarded-for", &forged),
                    ("sec-fetch-site", "same-origin"),
                ],
            )
            .await;
        assert_eq!(refused_message(&res.body), messages::WRONG_CREDENTIALS);
    }
    // The 51st attempt from this address is refused, even with the right password.
    let res = app
        .post_form_with(
            "/api/connexion",
            form(&[
                ("espace", "usager"),
                ("identifiant", "pmartin"),
                ("password", CANDIDATE_PASSWORD),
            ])
            .into_bytes(),
            None,
            &[("x-forwarded-for", "192.0.2.99")],
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    assert!(refused_message(&res.body)
        .starts_with("Trop de tentatives de connexion ont échoué depuis votre réseau"));
}

#[tokio::test]
async fn login_rotates_the_session_and_the_old_cookie_dies() {
    let app = TestApp::with_accounts().await;
    let first = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let res = app
        .login("usager", "pmartin", CANDIDATE_PASSWORD, Some(&first))
        .await;
    let second = res.session_cookie().unwrap();
    assert_ne!(first, second);
    assert_eq!(
        app.get("/monespace", Some(&first)).await.status,
        StatusCode::FOUND
    );
    assert_eq!(
        app.get("/monespace", Some(&second)).await.status,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_database_holds_no_clear_session_token() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let rows: Vec<(String,)> = sqlx::query_as("SELECT id_hash FROM sessions")
        .fetch_all(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].0, token);
    assert_eq!(rows[0].0, app::server::sessions::hash_token(&token));
}

#[tokio::test]
async fn logout_ends_the_session_on_the_server() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let res = app.post_form("/api/deconnexion", "", Some(&token)).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.header("set-cookie").unwrap().contains("Max-Age=0"));
    // Replaying the old cookie does not work.
    assert_eq!(
        app.get("/ecole/demandes", Some(&token)).await.status,
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn sessions_expire_after_thirty_idle_minutes() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    app.advance(29 * 60);
    assert_eq!(
        app.get("/monespace", Some(&token)).await.status,
        StatusCode::OK
    );
    // Activity at 29 min moved the deadline: 29 more minutes are fine, 30 are not.
    app.advance(29 * 60);
    assert_eq!(
        app.get("/monespace", Some(&token)).await.status,
        StatusCode::OK
    );
    app.advance(30 * 60);
    assert_eq!(
        app.get("/monespace", Some(&token)).await.status,
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn sessions_end_after_twelve_hours_even_when_active() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    for _ in 0..35 {
        app.advance(20 * 60);
        assert_eq!(
            app.get("/monespace", Some(&token)).await.status,
            StatusCode::OK
        );
    }
    // 11 h 40 so far; 20 more minutes reach 12 hours.
    app.advance(20 * 60);
    assert_eq!(
        app.get("/monespace", Some(&token)).await.status,
        StatusCode::FOUND
    );
}

#[tokio::test]
async fn housekeeping_removes_expired_sessions_and_stale_failures_only() {
    let app = TestApp::with_accounts().await;
    let old = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    app.login("pro", "ecole.gare", "mauvais mot de passe", None)
        .await;
    app.advance(2 * 3600);
    let fresh = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    app.login("pro", "inconnu", "mauvais mot de passe", None)
        .await;
    app.advance(29 * 60);
    server::jobs::run_housekeeping(&app.ctx).await;
    let hashes: Vec<(String,)> = sqlx::query_as("SELECT id_hash FROM sessions")
        .fetch_all(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(hashes, vec![(app::server::sessions::hash_token(&fresh),)]);
    assert_ne!(hashes[0].0, app::server::sessions::hash_token(&old));
    // The failure of two hours ago is gone, the recent one (2 rows: account and address) stays.
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(n, 2);
}

#[tokio::test]
async fn parallel_guesses_cannot_slip_under_the_lock() {
    let app = TestApp::with_accounts().await;
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..25 {
        let router = app.router.clone();
        tasks.spawn(async move {
            use tower::ServiceExt;
            let body = form(&[
                ("espace", "usager"),
                ("identifiant", "pmartin"),
                ("password", &format!("essai numero {i}")),
            ]);
            let req = axum::http::Request::post("/api/connexion")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .body(axum::body::Body::from(body))
                .unwrap();
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let headers = format!("{:?}", res.headers());
            let bytes = axum::body::to_bytes(res.into_body(), 1 << 20)
                .await
                .unwrap();
            let body = String::from_utf8_lossy(&bytes).into_owned();
            assert_ne!(body, "null", "{status} {headers}");
            body
        });
    }
    let mut checked = 0;
    while let Some(body) = tasks.join_next().await {
        let message = refused_message(&body.unwrap());
        if message == messages::WRONG_CREDENTIALS {
            checked += 1;
        } else {
            assert!(
                message.starts_with("Par sécurité, ce compte est bloqué"),
                "{message}"
            );
        }
    }
    assert!(
        checked <= 10,
        "{checked} passwords were tried, the limit is 10"
    );
    let res = app
        .login("usager", "pmartin", CANDIDATE_PASSWORD, None)
        .await;
    assert!(refused_message(&res.body).starts_with("Par sécurité"));
}

#[tokio::test]
async fn bad_input_gets_a_french_message_never_a_500() {
    let app = TestApp::with_accounts().await;

    let res = app.login("pro", "", SCHOOL_PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_error(&res.body),
        (
            "identifiant".into(),
            "Saisissez votre identifiant ou votre adresse électronique.".into()
        )
    );

    let res = app.login("pro", "ecole.gare", "", None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_error(&res.body),
        ("password".into(), messages::PASSWORD_EMPTY.into())
    );

    let long = "a".repeat(10 * 1024);
    let res = app.login("pro", &long, SCHOOL_PASSWORD, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(field_error(&res.body).1.contains("254 caractères"));
    let res = app.login("pro", "ecole.gare", &long, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    assert!(field_error(&res.body).1.contains("128 caractères"));

    // Bytes that are not UTF-8, percent-encoded and raw.
    let res = app
        .post_form(
            "/api/connexion",
            "espace=pro&identifiant=%FF%FE&password=abc",
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(field_error(&res.body).1.contains("caractères non reconnus"));
    let mut raw = b"espace=pro&identifiant=ecole.gare&password=".to_vec();
    raw.extend_from_slice(&[0xC3, 0x28, 0xFF]);
    let res = app.post_form("/api/connexion", raw, None).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert!(res.body.contains("BadRequest"), "{}", res.body);

    // Missing or unknown fields: the request is malformed, said in French.
    for body in [
        "identifiant=x",
        "espace=martien&identifiant=x&password=y",
        "",
    ] {
        let res = app.post_form("/api/connexion", body, None).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{body}: {}", res.body);
        assert!(res.body.contains("BadRequest"), "{body}: {}", res.body);
    }
}

/// Regression: one resource read in two `<Suspense>` used to stall a small share of renders
/// forever (leptos 0.8 race). The user is now resolved before rendering; no render may stall.
#[tokio::test]
async fn many_renders_in_parallel_all_complete() {
    let app = TestApp::with_accounts().await;
    let token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let res = app
        .post_form("/api/demandes/nouvelle", "", Some(&token))
        .await;
    let id: i64 = res.body.parse().unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..300 {
        let router = app.router.clone();
        let cookie = format!("permis_session={token}");
        tasks.spawn(async move {
            use tower::ServiceExt;
            let path = match i % 3 {
                0 => "/ecole/demandes".to_string(),
                1 => format!("/ecole/demandes/{id}/etape/{}", i % 6 + 1),
                _ => "/".to_string(),
            };
            let req = axum::http::Request::get(path.as_str())
                .header("cookie", cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let res = tokio::time::timeout(std::time::Duration::from_secs(20), router.oneshot(req))
                .await
                .unwrap_or_else(|_| panic!("render of {path} stalled"))
                .unwrap();
            let status = res.status();
            let body = tokio::time::timeout(
                std::time::Duration::from_secs(20),
                axum::body::to_bytes(res.into_body(), 1 << 22),
            )
            .await
            .unwrap_or_else(|_| panic!("body of {path} stalled"))
            .unwrap();
            (status, String::from_utf8_lossy(&body).contains("</html>"))
        });
    }
    while let Some(r) = tasks.join_next().await {
        let (status, complete) = r.unwrap();
        assert_eq!(status, StatusCode::OK);
        assert!(complete, "the page ends with </html>");
    }
}

async fn change(app: &TestApp, session: &str, actuel: &str, new: &str) -> TestResponse {
    app.post_form(
        "/api/compte/changer-mot-de-passe",
        form(&[
            ("form[actuel]", actuel),
            ("form[password]", new),
            ("form[confirmation]", new),
        ]),
        Some(session),
    )
    .await
}

#[tokio::test]
async fn a_logged_in_user_changes_their_password_with_the_current_one() {
    let app = TestApp::with_accounts().await;
    let here = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let elsewhere = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    // Not logged in: nothing to change.
    assert_eq!(
        app.get("/connexion/mot-de-passe", None).await.status,
        StatusCode::FOUND
    );
    let page = app.get("/connexion/mot-de-passe", Some(&here)).await;
    assert!(page.body.contains("Mot de passe actuel"), "{}", page.body);

    // The current password must be right; the new one must pass the rules.
    let res = change(&app, &here, "pas le mot de passe", "un tout nouveau secret").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(
        field_error(&res.body),
        ("actuel".into(), messages::WRONG_CURRENT_PASSWORD.into())
    );
    let res = change(&app, &here, SCHOOL_PASSWORD, "motdepasse2024!").await;
    let (field, message) = field_error(&res.body);
    assert_eq!(field, "password");
    assert!(message.contains("plus utilisés"), "{message}");
    let res = change(&app, &here, SCHOOL_PASSWORD, SCHOOL_PASSWORD).await;
    assert_eq!(field_error(&res.body).0, "password");

    // Changed: this session goes on, the other one ends, the owner is told by email.
    let res = change(&app, &here, SCHOOL_PASSWORD, "un tout nouveau secret").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(
        app.get("/ecole/demandes", Some(&here)).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.get("/ecole/demandes", Some(&elsewhere)).await.status,
        StatusCode::FOUND
    );
    assert_eq!(
        app.login("pro", "ecole.gare", SCHOOL_PASSWORD, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    app.login_ok("pro", "ecole.gare", "un tout nouveau secret")
        .await;
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("contact@autoecole-gare.example").await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Le mot de passe de votre compte vient d'être modifié")),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.contains("un tout nouveau secret")));
}

#[tokio::test]
async fn wrong_current_passwords_lock_the_account_like_failed_logins() {
    let app = TestApp::with_accounts().await;
    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    for _ in 0..10 {
        change(
            &app,
            &session,
            "une devinette de plus",
            "un tout nouveau secret",
        )
        .await;
    }
    let res = change(&app, &session, CANDIDATE_PASSWORD, "un tout nouveau secret").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{}", res.body);
    assert!(refused_message(&res.body).contains("bloqué"));
}

#[tokio::test]
async fn a_professional_who_forgot_the_password_gets_a_link_by_email() {
    let app = TestApp::with_accounts().await;
    let ask = |identifiant: &'static str| {
        let app = &app;
        async move {
            app.post_form(
                "/api/compte/mot-de-passe-oublie-pro",
                form(&[("identifiant", identifiant)]),
                None,
            )
            .await
        }
    };
    // Unknown, or a candidate's account: the same answer, no email.
    let nobody = ask("personne.inconnue").await;
    let candidate = ask("pmartin").await;
    assert_eq!(nobody.status, StatusCode::OK);
    assert_eq!(nobody.body, candidate.body);
    app.deliver_to_mailbox().await;
    assert!(app
        .mailbox_texts("Pierre.Martin@example.fr")
        .await
        .is_empty());

    // The school's account: a link to its address, valid once.
    assert_eq!(ask("ecole.gare").await.status, StatusCode::OK);
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("contact@autoecole-gare.example").await;
    let link = link_in(
        texts.last().unwrap(),
        "http://127.0.0.1:3000/connexion/reinitialiser/",
    )
    .expect("reset link");
    let token = link.rsplit('/').next().unwrap().to_string();
    let res = app
        .post_form(
            "/api/compte/reinitialiser",
            form(&[
                ("token", token.as_str()),
                ("form[password]", "le code de la route"),
                ("form[confirmation]", "le code de la route"),
            ]),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    app.login_ok("pro", "ecole.gare", "le code de la route")
        .await;
    // The login page of the professional space offers it.
    let page = app.get("/connexion/pro", None).await;
    assert!(page.body.contains("/connexion/pro/mot-de-passe-oublie"));
}

#[tokio::test]
async fn what_a_refused_form_brings_back_is_sealed_in_its_cookie() {
    use base64::Engine as _;
    let app = TestApp::with_accounts().await;
    // Without the WASM, a refused login comes back to its page with what was typed.
    let res = app
        .post_html_form(
            "/api/connexion",
            form(&[
                ("espace", "usager"),
                ("identifiant", "lea.martin@example.fr"),
                ("password", "pas le bon mot de passe"),
            ]),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::SEE_OTHER);
    let flash = res.flash_cookie().expect("flash cookie");
    let value = flash.trim_start_matches("permis_flash=");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .expect("base64url");
    let readable = String::from_utf8_lossy(&raw);
    assert!(
        !readable.contains("lea.martin")
            && !value.contains("lea")
            && !readable.contains("Identifiant"),
        "the cookie reveals what was typed: {readable}"
    );
    // The page opens it (also on an instance started later: the key is in the database)…
    let later = app.restart().await;
    let back = login_page_with(&later, flash.clone()).await;
    assert!(back.body.contains("lea.martin@example.fr"), "{}", back.body);
    assert!(back.body.contains(messages::WRONG_CREDENTIALS));
    // …and a changed cookie is ignored.
    let mut changed = raw.clone();
    changed[20] ^= 1;
    let changed = format!(
        "permis_flash={}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(changed)
    );
    let back = login_page_with(&later, changed).await;
    assert!(!back.body.contains(messages::WRONG_CREDENTIALS));
}

async fn login_page_with(app: &TestApp, cookie: String) -> TestResponse {
    let req = axum::http::Request::get("/connexion")
        .header("cookie", cookie)
        .body(axum::body::Body::empty())
        .unwrap();
    app.send(req).await
}
