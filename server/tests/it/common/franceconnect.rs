//! FranceConnect in the tests: the project's test provider (`scripts/franceconnect-demo.mjs`,
//! npm `oidc-provider` set up like FranceConnect's integration environment) started once per
//! test binary on a free port, a browser that goes through its pages, and a proxy in front of a
//! second provider that alters the signature of the ID tokens it hands out.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request};

use server::franceconnect::{FcConfig, FranceConnect};

use super::{TestApp, TestResponse};

pub const CLIENT_ID: &str = "permis-tests";
pub const CLIENT_SECRET: &str = "permis-tests-secret-5a1f0c9e7d3b2a4f6e8d0c1b";
/// Where the provider sends the browser back: the test application's public URL.
pub const REDIRECT: &str = "http://127.0.0.1:3000/franceconnect/retour";
const POST_LOGOUT: &str = "http://127.0.0.1:3000/franceconnect/deconnexion/retour";
/// Every demo identity's password.
pub const PASSWORD: &str = "123";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Starts the provider on `port`, known to clients as `issuer`; returns once it listens. The
/// process is tied to this test binary: it gets SIGTERM when the binary ends.
fn start_provider(port: u16, issuer: &str) {
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../scripts/franceconnect-demo.mjs"
    );
    let issuer = issuer.to_string();
    let (ready, started) = std::sync::mpsc::channel();
    // A thread of its own that lives as long as the provider: the « parent died » signal is
    // tied to the thread that spawned the process.
    std::thread::spawn(move || {
        let mut cmd = Command::new("node");
        cmd.arg(script)
            .args(["--port", &port.to_string(), "--issuer", &issuer])
            .args(["--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET])
            .args(["--redirect-uri", REDIRECT, "--post-logout-uri", POST_LOGOUT])
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        // SAFETY: prctl is async-signal-safe; nothing else runs between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                Ok(())
            });
        }
        let mut child = cmd.spawn().expect(
            "node scripts/franceconnect-demo.mjs (scripts/setup.sh installs oidc-provider)",
        );
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        for line in lines.by_ref() {
            if line.map(|l| l.contains("listening")).unwrap_or(false) {
                let _ = ready.send(());
                break;
            }
        }
        for _ in lines {}
        let _ = child.wait();
    });
    started
        .recv_timeout(Duration::from_secs(120))
        .expect("the FranceConnect test provider did not start");
}

/// The test provider's issuer (started at first use).
pub fn issuer() -> &'static str {
    static ISSUER: OnceLock<String> = OnceLock::new();
    ISSUER.get_or_init(|| {
        let port = free_port();
        let issuer = format!("http://127.0.0.1:{port}");
        start_provider(port, &issuer);
        issuer
    })
}

/// What a tampering proxy alters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tamper {
    /// The signature of every ID token the token endpoint returns.
    IdToken,
    /// The signature of every userinfo JWT (`/me`).
    Userinfo,
}

/// Another provider behind a proxy that alters what `what` says (everything else passes
/// unchanged).
pub fn tampering_issuer(what: Tamper) -> &'static str {
    static ID_TOKEN: OnceLock<String> = OnceLock::new();
    static USERINFO: OnceLock<String> = OnceLock::new();
    let cell = match what {
        Tamper::IdToken => &ID_TOKEN,
        Tamper::Userinfo => &USERINFO,
    };
    cell.get_or_init(|| {
        let (provider_port, proxy_port) = (free_port(), free_port());
        let issuer = format!("http://127.0.0.1:{proxy_port}");
        start_provider(provider_port, &issuer);
        start_tampering_proxy(proxy_port, provider_port, what);
        issuer
    })
}

/// `jwt` with one character of its signature changed.
fn alter_signature(jwt: &str) -> String {
    let (signed, signature) = jwt.rsplit_once('.').unwrap();
    let mut altered: Vec<char> = signature.chars().collect();
    altered[10] = if altered[10] == 'A' { 'B' } else { 'A' };
    format!("{signed}.{}", altered.into_iter().collect::<String>())
}

fn start_tampering_proxy(port: u16, upstream: u16, what: Tamper) {
    let (ready, started) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let app = axum::Router::new().fallback(move |req: Request<Body>| {
                let client = client.clone();
                async move { forward(client, upstream, req, what).await }
            });
            let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
                .await
                .expect("proxy port");
            let _ = ready.send(());
            axum::serve(listener, app).await.unwrap();
        });
    });
    started
        .recv_timeout(Duration::from_secs(30))
        .expect("proxy started");
}

async fn forward(
    client: reqwest::Client,
    upstream: u16,
    req: Request<Body>,
    what: Tamper,
) -> axum::response::Response {
    let (parts, body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let body = axum::body::to_bytes(body, 1 << 20).await.unwrap();
    // The Host header stays the proxy's: the provider writes its endpoints' addresses from it.
    let headers = parts.headers.clone();
    let res = client
        .request(parts.method, format!("http://127.0.0.1:{upstream}{path}"))
        .headers(headers)
        .body(body)
        .send()
        .await
        .expect("upstream");
    let status = res.status();
    let headers = res.headers().clone();
    let mut bytes = res.bytes().await.unwrap().to_vec();
    if what == Tamper::IdToken && path.starts_with("/token") && status.is_success() {
        let mut json: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let token = json["id_token"].as_str().unwrap().to_string();
        json["id_token"] = alter_signature(&token).into();
        bytes = serde_json::to_vec(&json).unwrap();
    }
    if what == Tamper::Userinfo && path.starts_with("/me") && status.is_success() {
        let jwt = String::from_utf8(bytes).unwrap();
        assert_eq!(jwt.split('.').count(), 3, "userinfo is a signed JWT: {jwt}");
        bytes = alter_signature(jwt.trim()).into_bytes();
    }
    let mut out = axum::response::Response::builder().status(status);
    for (k, v) in headers.iter() {
        if k != header::CONTENT_LENGTH && k != header::TRANSFER_ENCODING {
            out = out.header(k, v);
        }
    }
    out.body(Body::from(bytes)).unwrap()
}

/// A service provider for the test application, speaking to `issuer`.
pub fn client(issuer: &str) -> Arc<FranceConnect> {
    Arc::new(
        FranceConnect::new(&FcConfig {
            issuer: issuer.into(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uri: REDIRECT.into(),
            post_logout_redirect_uri: POST_LOGOUT.into(),
        })
        .expect("FranceConnect settings"),
    )
}

/// The test application with FranceConnect (the plain test provider).
pub async fn app() -> TestApp {
    TestApp::with_accounts()
        .await
        .with_franceconnect(client(issuer()))
}

/// A login the service started: where it sends the browser, and the cookie that binds the
/// login to this browser.
pub struct Started {
    pub authorize_url: String,
    pub cookie: String,
}

/// Posts one of the FranceConnect buttons' forms (`path`, `body`), as the browser does, with
/// the session `session` if any.
pub async fn start(app: &TestApp, path: &str, body: &str, session: Option<&str>) -> Started {
    let cookie = session.map(|s| format!("permis_session={s}"));
    let res = app.post_html_form(path, body, cookie.as_deref()).await;
    assert_eq!(res.status, 303, "{path}: {}", res.body);
    let authorize_url = res.header("location").expect("location").to_string();
    let cookie = res
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("permis_fc="))
        .map(|c| c.split(';').next().unwrap().to_string())
        .expect("the login's cookie");
    Started {
        authorize_url,
        cookie,
    }
}

/// What the person does at the provider.
pub enum AtProvider<'a> {
    /// Logs in as this demo identity.
    LogIn(&'a str),
    /// « Annuler et revenir au service ».
    Cancel,
}

/// A browser at the provider's pages (its cookies kept, redirects followed by hand).
pub struct Browser {
    http: reqwest::Client,
    cookies: BTreeMap<String, String>,
}

impl Default for Browser {
    fn default() -> Self {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: BTreeMap::new(),
        }
    }
}

impl Browser {
    fn remember(&mut self, res: &reqwest::Response) {
        for c in res.headers().get_all(header::SET_COOKIE) {
            let c = c.to_str().unwrap_or_default();
            let pair = c.split(';').next().unwrap_or_default();
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || c.to_ascii_lowercase().contains("max-age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), v.to_string());
                }
            }
        }
    }

    fn cookie_header(&self) -> String {
        self.cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    async fn send(&mut self, req: reqwest::RequestBuilder) -> (u16, Option<String>, String) {
        let res = req
            .header(header::COOKIE, self.cookie_header())
            .send()
            .await
            .expect("provider");
        self.remember(&res);
        let status = res.status().as_u16();
        let location = res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (status, location, res.text().await.unwrap_or_default())
    }

    /// From the service's redirect to the provider until the provider sends the browser back
    /// to the service: returns that address (`…/franceconnect/retour?…`).
    pub async fn authorize(&mut self, authorize_url: &str, act: AtProvider<'_>) -> String {
        let mut url = authorize_url.to_string();
        for _ in 0..10 {
            if url.starts_with(REDIRECT) {
                return url;
            }
            let base = url::Url::parse(&url).unwrap();
            let (status, location, _) = self.send(self.http.get(&url)).await;
            if let Some(next) = location {
                url = base.join(&next).unwrap().to_string();
                continue;
            }
            assert_eq!(status, 200, "{url}");
            assert!(url.contains("/interaction/"), "unexpected page {url}");
            let (action, form): (String, Vec<(&str, &str)>) = match act {
                AtProvider::LogIn(login) => (
                    format!("{url}/login"),
                    vec![("login", login), ("password", PASSWORD)],
                ),
                AtProvider::Cancel => (format!("{url}/annuler"), vec![]),
            };
            let request = self
                .http
                .post(&action)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(super::form(&form));
            let (_, location, body) = self.send(request).await;
            url = base
                .join(&location.unwrap_or_else(|| panic!("no redirect after login: {body}")))
                .unwrap()
                .to_string();
        }
        panic!("too many redirects from {authorize_url}");
    }
}

/// The provider's answer reaching the service, in the browser that holds `cookie` (and the
/// session `session`, if any).
pub async fn back(
    app: &TestApp,
    answer: &str,
    cookie: &str,
    session: Option<&str>,
) -> TestResponse {
    let path = answer
        .strip_prefix("http://127.0.0.1:3000")
        .unwrap_or(answer);
    let mut cookies = vec![cookie.to_string()];
    if let Some(s) = session {
        cookies.push(format!("permis_session={s}"));
    }
    app.send(
        Request::get(path)
            .header(header::ACCEPT, "text/html")
            .header(header::COOKIE, cookies.join("; "))
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A whole login through FranceConnect: the button, the provider (as `identity`), the way
/// back. Returns the service's last answer.
pub async fn through(
    app: &TestApp,
    path: &str,
    body: &str,
    session: Option<&str>,
    identity: &str,
) -> TestResponse {
    let started = start(app, path, body, session).await;
    let answer = Browser::default()
        .authorize(&started.authorize_url, AtProvider::LogIn(identity))
        .await;
    back(app, &answer, &started.cookie, session).await
}
