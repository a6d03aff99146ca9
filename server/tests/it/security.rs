//! Security headers and the cross-site refusal, through the real router.

use crate::common::*;
use axum::http::StatusCode;

fn assert_security_headers(res: &TestResponse, what: &str) -> String {
    let csp = res
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no CSP"));
    for part in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "'wasm-unsafe-eval'",
        "'nonce-",
    ] {
        assert!(csp.contains(part), "{what}: CSP lacks {part}: {csp}");
    }
    assert!(
        !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
        "{what}: {csp}"
    );
    assert_eq!(
        res.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(res.header("referrer-policy"), Some("no-referrer"), "{what}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .unwrap()
        .split('\'')
        .next()
        .unwrap();
    nonce.to_string()
}

#[tokio::test]
async fn every_page_asset_and_error_carries_the_security_headers() {
    let app = TestApp::new().await;

    let page = app.get("/", None).await;
    assert_eq!(page.status, StatusCode::OK);
    let nonce = assert_security_headers(&page, "page");
    // The hydration script carries this response's nonce.
    assert!(
        page.body.contains(&format!("nonce=\"{nonce}\"")),
        "inline scripts carry the nonce"
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));

    let asset = app.get("/pkg/permis.css", None).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_security_headers(&asset, "asset");

    let missing = app.get("/cette-page-n-existe-pas", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(missing.body.contains("Page non trouvée"));
    assert_security_headers(&missing, "404");

    // Two responses never share a nonce.
    let again = app.get("/", None).await;
    assert_ne!(assert_security_headers(&again, "page"), nonce);
}

#[tokio::test]
async fn cross_site_state_changes_are_refused() {
    let app = TestApp::with_accounts().await;
    let body = form(&[
        ("espace", "usager"),
        ("identifiant", "pmartin"),
        ("password", CANDIDATE_PASSWORD),
    ]);
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("sec-fetch-site", "cross-site")][..],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "https://sub.127.0.0.1"),
        ][..],
    ] {
        let res = app
            .post_form_with("/api/connexion", body.clone().into_bytes(), None, headers)
            .await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{headers:?}");
        assert!(res.body.contains("provient d'un autre site"));
        assert!(res.session_cookie().is_none());
        assert!(res.header("content-security-policy").is_some());
    }
    // The same request from the site itself works.
    let res = app.post_form("/api/connexion", body, None).await;
    assert_eq!(res.status, StatusCode::OK);
}

#[tokio::test]
async fn healthz_answers_when_the_database_does() {
    let app = TestApp::new().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body, "ok");
    app.ctx.db.close().await;
    let res = app.get("/healthz", None).await;
    assert_eq!(res.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn the_tests_run_on_the_backend_the_script_asked_for() {
    let app = TestApp::new().await;
    let expected = match std::env::var("TEST_DATABASE_URL") {
        Ok(url) if url.starts_with("postgres") => app::server::db::Backend::Postgres,
        _ => app::server::db::Backend::Sqlite,
    };
    assert_eq!(app.ctx.db.backend(), expected);
}
