//! What travels on the wire: pages and files compressed as the browser asks, static files kept
//! by the browser and checked again without being downloaded.

use axum::body::Body;
use axum::http::{header, HeaderMap, Request, StatusCode};
use tower::ServiceExt;

use crate::common::TestApp;

async fn fetch(
    app: &TestApp,
    path: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, Vec<u8>) {
    let mut req = Request::get(path);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app
        .router
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (status, headers) = (res.status(), res.headers().clone());
    let body = axum::body::to_bytes(res.into_body(), 20 << 20)
        .await
        .unwrap();
    (status, headers, body.to_vec())
}

fn get<'a>(headers: &'a HeaderMap, name: header::HeaderName) -> &'a str {
    headers
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

#[tokio::test]
async fn pages_travel_compressed_as_the_browser_asks() {
    let app = TestApp::new().await;
    let (status, plain_headers, plain) = fetch(&app, "/aide", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&plain_headers, header::CONTENT_ENCODING), "");
    for (accepted, expected) in [("br, gzip, deflate", "br"), ("gzip", "gzip")] {
        let (status, headers, body) = fetch(&app, "/aide", &[("accept-encoding", accepted)]).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(get(&headers, header::CONTENT_ENCODING), expected);
        assert!(get(&headers, header::VARY)
            .to_lowercase()
            .contains("accept-encoding"));
        assert!(
            body.len() * 2 < plain.len(),
            "{expected}: {} bytes for {} in clear",
            body.len(),
            plain.len()
        );
        // A personal page stays out of every cache, compressed or not.
        assert_eq!(get(&headers, header::CACHE_CONTROL), "no-store");
    }
}

#[tokio::test]
async fn static_files_are_sent_precompressed_kept_and_checked_again_without_a_download() {
    let app = TestApp::new().await;
    let css = "body{margin:0}\n.permis-exemple{color:#000091}\n".repeat(200);
    std::fs::write(app.site().join("pkg/permis.css"), &css).unwrap();
    // What `scripts/precompress.sh` leaves next to it (the bytes are the test's own marker).
    std::fs::write(
        app.site().join("pkg/permis.css.br"),
        b"compressed at build time",
    )
    .unwrap();

    let (status, headers, body) =
        fetch(&app, "/pkg/permis.css", &[("accept-encoding", "gzip, br")]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&headers, header::CONTENT_ENCODING), "br");
    assert_eq!(body, b"compressed at build time");
    assert_eq!(get(&headers, header::CACHE_CONTROL), "public, no-cache");
    assert!(get(&headers, header::VARY)
        .to_lowercase()
        .contains("accept-encoding"));
    // Without brotli, it is compressed on the way (no `.gz` was made).
    let (_, headers, body) = fetch(&app, "/pkg/permis.css", &[("accept-encoding", "gzip")]).await;
    assert_eq!(get(&headers, header::CONTENT_ENCODING), "gzip");
    assert!(body.len() * 10 < css.len());

    // The next visit asks whether it changed: 304, nothing downloaded.
    let modified = get(&headers, header::LAST_MODIFIED).to_string();
    assert!(!modified.is_empty());
    let (status, _, body) = fetch(
        &app,
        "/pkg/permis.css",
        &[("accept-encoding", "br"), ("if-modified-since", &modified)],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_MODIFIED);
    assert!(body.is_empty());

    // The DSFR's files change with its version only: kept a day without asking.
    std::fs::create_dir_all(app.site().join("dsfr")).unwrap();
    std::fs::write(app.site().join("dsfr/dsfr.min.css"), &css).unwrap();
    let (status, headers, _) = fetch(&app, "/dsfr/dsfr.min.css", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        get(&headers, header::CACHE_CONTROL),
        "public, max-age=86400"
    );

    // An unknown address is still the site's 404 page.
    let (status, headers, _) = fetch(&app, "/pkg/nulle-part.js", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(get(&headers, header::CACHE_CONTROL), "no-store");
}

/// The first paint does not wait behind the WASM: pages carry no preload of it (the hydration
/// script still loads it), and link their style sheets with a version in the address.
#[tokio::test]
async fn pages_preload_no_wasm_and_fonts_and_lists_travel_as_they_should() {
    let app = TestApp::new().await;
    let (status, _, body) = fetch(&app, "/connexion", &[]).await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(body).unwrap();
    assert!(
        !page.contains("rel=\"preload\"") && !page.contains("modulepreload"),
        "{page}"
    );
    assert!(page.contains("<script type=\"module\""), "{page}");
    assert!(page.contains("/dsfr/permis-dsfr.min.css"), "{page}");
    assert!(page.contains("name=\"description\""), "{page}");

    // A font is compressed already: sent as it is.
    std::fs::create_dir_all(app.site().join("dsfr/fonts")).unwrap();
    std::fs::write(
        app.site().join("dsfr/fonts/Marianne-Regular.woff2"),
        vec![b'a'; 4096],
    )
    .unwrap();
    let (status, headers, body) = fetch(
        &app,
        "/dsfr/fonts/Marianne-Regular.woff2?v=0123abcd",
        &[("accept-encoding", "br, gzip")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&headers, header::CONTENT_ENCODING), "");
    assert_eq!(body.len(), 4096);
    assert_eq!(
        get(&headers, header::CACHE_CONTROL),
        "public, max-age=31536000, immutable"
    );
    // Never asked whether it changed: no date to ask with.
    assert_eq!(get(&headers, header::LAST_MODIFIED), "");

    // The lists of leaked passwords the browser's check fetches: compressed, kept a day.
    let (status, headers, body) = fetch(
        &app,
        app::leaked_passwords::PATH,
        &[("accept-encoding", "br")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(get(&headers, header::CONTENT_ENCODING), "br");
    assert_eq!(
        get(&headers, header::CACHE_CONTROL),
        "public, max-age=86400"
    );
    let file = app::leaked_passwords::file();
    assert!(body.len() * 2 < file.len(), "{} bytes", body.len());
}
