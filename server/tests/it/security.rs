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
async fn pages_and_errors_carry_the_security_headers_and_site_files_only_theirs() {
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

    // A file of the site is never a document: `nosniff`, and none of the document headers that
    // would weigh on each of the dozens of files a page loads.
    let asset = app.get("/pkg/permis.css", None).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(asset.header("x-content-type-options"), Some("nosniff"));
    for document_only in [
        "content-security-policy",
        "x-frame-options",
        "referrer-policy",
        "permissions-policy",
    ] {
        assert_eq!(asset.header(document_only), None, "{document_only}");
    }
    // Nor the request's id, which pages and answers carry.
    assert_eq!(asset.header("x-request-id"), None);
    assert!(page.header("x-request-id").is_some());
    // An icon can be opened as a document: a policy under which nothing runs or loads, and
    // nothing else.
    std::fs::create_dir_all(app.site().join("dsfr/icons")).unwrap();
    std::fs::write(
        app.site().join("dsfr/icons/menu-fill.svg"),
        r#"<svg xmlns="http://www.w3.org/2000/svg"><path d="M3 4h18v2H3z"/></svg>"#,
    )
    .unwrap();
    let icon = app.get("/dsfr/icons/menu-fill.svg?v=0123abcd", None).await;
    assert_eq!(icon.status, StatusCode::OK);
    assert_eq!(
        icon.header("content-security-policy"),
        Some("default-src 'none'; style-src 'unsafe-inline'")
    );
    for document_only in [
        "x-frame-options",
        "referrer-policy",
        "permissions-policy",
        "x-request-id",
    ] {
        assert_eq!(icon.header(document_only), None, "{document_only}");
    }

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

/// A production server never runs with an account whose password the README publishes.
#[tokio::test]
async fn demo_accounts_with_their_published_password_are_found() {
    let app = TestApp::with_accounts().await;
    // The test accounts are demo accounts, with the demo passwords.
    assert_eq!(
        server::seed::demo_passwords_in_use(&app.ctx).await.unwrap(),
        vec!["ecole.gare", "pmartin"]
    );
    for identifiant in ["ecole.gare", "pmartin"] {
        let hash = app::server::passwords::hash_password("un tout autre mot de passe 2026".into())
            .await
            .unwrap();
        sqlx::query("UPDATE users SET password_hash = $1 WHERE identifiant = $2")
            .bind(hash.0)
            .bind(identifiant)
            .execute(app.ctx.db.pool())
            .await
            .unwrap();
    }
    assert!(server::seed::demo_passwords_in_use(&app.ctx)
        .await
        .unwrap()
        .is_empty());
}

/// `permis demo` (accounts with published passwords) and `permis serve` with such an account
/// both refuse to run in production; in development `demo` works.
#[test]
fn production_refuses_demo_accounts() {
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/permis.db", dir.path().display());
    let permis = |env: &str, command: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_permis"))
            .arg(command)
            .env("DATABASE_URL", &db)
            .env("PERMIS_ENV", env)
            .env("PERMIS_STORAGE", dir.path().join("fichiers"))
            .env(
                "PERMIS_COMMUNES",
                concat!(
                    env!("CARGO_MANIFEST_DIR"),
                    "/../generated/codes-postaux.tsv"
                ),
            )
            .env("PERMIS_LISTEN", "127.0.0.1:0")
            .env("PERMIS_SMTP_URL", "smtp://127.0.0.1:1")
            .env("PERMIS_SMS_URL", "http://127.0.0.1:1/sms")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("permis");
        // A server that (wrongly) starts never exits: it is stopped after a minute.
        let started = std::time::Instant::now();
        while child.try_wait().unwrap().is_none() {
            if started.elapsed() > std::time::Duration::from_secs(60) {
                child.kill().unwrap();
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    let refused = permis("production", "demo");
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("réservé au développement"));

    let seeded = permis("development", "demo");
    assert!(
        seeded.status.success(),
        "{}",
        String::from_utf8_lossy(&seeded.stderr)
    );
    let refused = permis("production", "serve");
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("mot de passe publié"), "{stderr}");
    assert!(
        stderr.contains("ecole.gare") && stderr.contains("admin"),
        "{stderr}"
    );
}
