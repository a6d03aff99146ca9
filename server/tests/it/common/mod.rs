//! A test application: the real router on a real database (a fresh SQLite file, or a fresh
//! PostgreSQL database when `TEST_DATABASE_URL` points to a server), with a clock the test moves.

pub mod delivery;
pub mod filing;
pub mod franceconnect;
pub mod memory;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::Router;
use leptos::config::LeptosOptions;
use tower::ServiceExt;

use app::domain::account::Role;
use app::server::users::NewSchool;
use app::server::{AppContext, Clock, Db, Settings};
use server::seed::{self, NewAccount};
use server::{build_router, AppState};

/// 2026-11-26T09:00:00Z
pub const T0: i64 = 1_795_683_600;

pub struct TestClock(AtomicI64);

/// The real postal-code data, loaded once per test binary.
fn communes() -> Arc<app::domain::communes::Communes> {
    static DATA: std::sync::OnceLock<Arc<app::domain::communes::Communes>> =
        std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../generated/codes-postaux.tsv"
        );
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            panic!("{path}: {e} — lancez scripts/setup.sh pour générer les données")
        });
        Arc::new(app::domain::communes::Communes::from_tsv(&text))
    })
    .clone()
}

impl Clock for TestClock {
    fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
}

pub const SCHOOL_PASSWORD: &str = "vitesse limitee a 50";
pub const CANDIDATE_PASSWORD: &str = "tartine du dimanche";

pub struct TestApp {
    pub router: Router,
    pub ctx: AppContext,
    leptos_options: LeptosOptions,
    clock: Arc<TestClock>,
    _site: tempfile::TempDir,
    _files: std::sync::Arc<tempfile::TempDir>,
    _db_dir: Option<std::sync::Arc<tempfile::TempDir>>,
    pub db_url: String,
    /// The pages kept rendered for anonymous visitors (`server::public_pages`).
    pub public_pages: Arc<server::public_pages::PublicPages>,
}

pub struct TestResponse {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: String,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The flash cookie this response sets (`permis_flash=…`), as the browser sends it back.
    pub fn flash_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("permis_flash="))
            .map(|c| c.split(';').next().unwrap_or("").to_string())
    }

    /// The session token this response sets, if any.
    pub fn session_cookie(&self) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix("permis_session="))
            .map(|rest| rest.split(';').next().unwrap_or("").to_string())
    }
}

async fn database() -> (Db, String, Option<tempfile::TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin_url) if admin_url.starts_with("postgres") => {
            // One fresh database per test, on the throwaway cluster the test script started.
            use sqlx::Connection;
            let name = format!("permis_t_{}", hex_id());
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("postgres");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create database");
            let mut url = url::Url::parse(&admin_url).expect("url");
            url.set_path(&format!("/{name}"));
            (
                Db::connect(url.as_str()).await.expect("connect"),
                url.to_string(),
                None,
            )
        }
        _ => {
            let dir = tempfile::tempdir().expect("tempdir");
            let url = format!("sqlite://{}/permis.db", dir.path().display());
            (Db::connect(&url).await.expect("connect"), url, Some(dir))
        }
    }
}

fn hex_id() -> String {
    let n: u64 = rand::random();
    format!("{n:016x}")
}

impl TestApp {
    pub async fn new() -> TestApp {
        let (db, db_url, db_dir) = database().await;
        TestApp::on(db, db_url, db_dir.map(std::sync::Arc::new)).await
    }

    /// The same database, reached by a new server (as after a crash or a restart).
    pub async fn restart(&self) -> TestApp {
        self.ctx.db.close().await;
        let db = Db::connect(&self.db_url).await.expect("reconnect");
        TestApp::on(db, self.db_url.clone(), self._db_dir.clone()).await
    }

    async fn on(
        db: Db,
        db_url: String,
        db_dir: Option<std::sync::Arc<tempfile::TempDir>>,
    ) -> TestApp {
        db.migrate().await.expect("migrate");
        let flash_key = app::server::keys::flash_key(&db).await.expect("flash key");
        let clock = Arc::new(TestClock(AtomicI64::new(T0)));
        let files = tempfile::tempdir().expect("storage dir");
        let ctx = AppContext {
            communes: communes(),
            db,
            storage: app::server::storage::Storage::local(files.path()).expect("storage"),
            clock: clock.clone(),
            settings: Arc::new(Settings {
                public_url: "http://127.0.0.1:3000".parse().unwrap(),
                dev_mailbox: true,
                pdf_font: app::server::documents::DEFAULT_FONT.into(),
                complement_days: app::domain::deadlines::COMPLEMENT_DAYS,
                franceconnect: false,
                flash_key,
            }),
            outbox_wake: Arc::new(tokio::sync::Notify::new()),
        };
        let site = tempfile::tempdir().expect("site dir");
        std::fs::create_dir_all(site.path().join("pkg")).unwrap();
        std::fs::write(site.path().join("pkg/permis.css"), "body{margin:0}").unwrap();
        let leptos_options = LeptosOptions::builder()
            .output_name("permis")
            .site_root(site.path().to_string_lossy().to_string())
            .build();
        let peer: SocketAddr = "198.51.100.7:40000".parse().unwrap();
        let public_pages = Arc::new(server::public_pages::PublicPages::default());
        let router = build_router(
            AppState {
                leptos_options: leptos_options.clone(),
                ctx: ctx.clone(),
                franceconnect: None,
                public_pages: public_pages.clone(),
            },
            0,
        )
        .layer(MockConnectInfo(peer));
        TestApp {
            router,
            ctx,
            leptos_options,
            clock,
            _site: site,
            _files: std::sync::Arc::new(files),
            _db_dir: db_dir,
            db_url,
            public_pages,
        }
    }

    /// A school « E2407500010 » with user `ecole.gare`, and a candidate `pmartin`.
    pub async fn with_accounts() -> TestApp {
        let app = TestApp::new().await;
        seed::create_school(
            &app.ctx,
            NewSchool {
                name: "Auto-école de la Gare".into(),
                agrement: "E2407500010".into(),
                departement: "75".into(),
            },
        )
        .await
        .expect("school");
        for (role, identifiant, email, prenom, nom, agrement, password) in [
            (
                Role::Ecole,
                "ecole.gare",
                "contact@autoecole-gare.example",
                "Nadia",
                "Benali",
                Some("E2407500010"),
                SCHOOL_PASSWORD,
            ),
            (
                Role::Usager,
                "pmartin",
                "Pierre.Martin@example.fr",
                "Pierre",
                "Martin",
                None,
                CANDIDATE_PASSWORD,
            ),
        ] {
            seed::create_account(
                &app.ctx,
                NewAccount {
                    role,
                    identifiant: identifiant.into(),
                    email: Some(email.into()),
                    prenom: prenom.into(),
                    nom: nom.into(),
                    agrement: agrement.map(Into::into),
                    cert: None,
                    password: password.into(),
                },
            )
            .await
            .expect("account");
        }
        app
    }

    /// The same application offering FranceConnect through `fc` (the test provider).
    pub fn with_franceconnect(mut self, fc: Arc<server::franceconnect::FranceConnect>) -> TestApp {
        self.ctx.settings = Arc::new(Settings {
            franceconnect: true,
            ..(*self.ctx.settings).clone()
        });
        let peer: SocketAddr = "198.51.100.7:40000".parse().unwrap();
        // Pages kept before are of a server without FranceConnect.
        self.public_pages = Default::default();
        self.router = build_router(
            AppState {
                leptos_options: self.leptos_options.clone(),
                ctx: self.ctx.clone(),
                franceconnect: Some(fc),
                public_pages: self.public_pages.clone(),
            },
            0,
        )
        .layer(MockConnectInfo(peer));
        self
    }

    /// A dispatcher of this application's outbox over `transports`.
    pub fn dispatcher(
        &self,
        transports: server::dispatch::Transports,
    ) -> server::dispatch::Dispatcher {
        server::dispatch::Dispatcher::new(self.ctx.clone(), transports)
    }

    /// Delivers everything due to the development mailbox.
    pub async fn deliver_to_mailbox(&self) -> server::dispatch::PassReport {
        self.dispatcher(delivery::transports(None, None))
            .run_until_idle()
            .await
            .expect("dispatch")
    }

    /// The texts the development mailbox received for `recipient`, oldest first.
    pub async fn mailbox_texts(&self, recipient: &str) -> Vec<String> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT body_text FROM dev_mailbox WHERE recipient = $1 ORDER BY id")
                .bind(recipient)
                .fetch_all(self.ctx.db.pool())
                .await
                .unwrap();
        rows.into_iter().map(|r| r.0).collect()
    }

    /// A number from the database (COUNT(*)…), as BIGINT on both backends.
    pub async fn count(&self, sql: &str, bind: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .bind(bind)
            .fetch_one(self.ctx.db.pool())
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        n
    }

    /// The counts the lists show, kept by the database (`demandes_comptes`, `cert_comptes`),
    /// are what counting the demandes gives.
    pub async fn assert_counts_kept(&self) {
        let pool = self.ctx.db.pool();
        for (counted, kept) in [
            (
                "SELECT school_id, etat, 0, COUNT(*) FROM demandes GROUP BY school_id, etat
                 ORDER BY school_id, etat",
                "SELECT school_id, etat, 0, n FROM demandes_comptes WHERE n <> 0
                 ORDER BY school_id, etat",
            ),
            (
                "SELECT cert_id, file_cert, school_id, COUNT(*) FROM demandes
                 WHERE file_cert IS NOT NULL GROUP BY cert_id, file_cert, school_id
                 ORDER BY cert_id, file_cert, school_id",
                "SELECT cert_id, file, school_id, n FROM cert_comptes WHERE n <> 0
                 ORDER BY cert_id, file, school_id",
            ),
        ] {
            let rows = |sql| async move {
                let rows: Vec<(i64, String, i64, i64)> =
                    sqlx::query_as(sql).fetch_all(pool).await.unwrap();
                rows
            };
            assert_eq!(rows(kept).await, rows(counted).await, "{kept}");
        }
    }

    /// The search's word index (`demande_mots`, `cert_mots`) holds exactly the words of each
    /// demande's `recherche`, under its school and, once at a centre, under the centre.
    pub async fn assert_search_index_kept(&self) {
        use std::collections::BTreeSet;
        let pool = self.ctx.db.pool();
        let demandes: Vec<(i64, i64, Option<i64>, String)> =
            sqlx::query_as("SELECT id, school_id, cert_id, recherche FROM demandes")
                .fetch_all(pool)
                .await
                .unwrap();
        let mut school = BTreeSet::new();
        let mut cert = BTreeSet::new();
        for (id, school_id, cert_id, recherche) in &demandes {
            for w in recherche.split_whitespace() {
                school.insert((*school_id, w.to_string(), *id));
                if let Some(c) = cert_id {
                    cert.insert((*c, w.to_string(), *id));
                }
            }
        }
        for (table, expected) in [
            (
                "SELECT school_id, mot, demande_id FROM demande_mots",
                school,
            ),
            ("SELECT cert_id, mot, demande_id FROM cert_mots", cert),
        ] {
            let rows: Vec<(i64, String, i64)> =
                sqlx::query_as(table).fetch_all(pool).await.unwrap();
            let kept: BTreeSet<_> = rows.iter().cloned().collect();
            assert_eq!(rows.len(), kept.len(), "{table}: no entry twice");
            assert_eq!(kept, expected, "{table}");
        }
    }

    /// Runs a job (`job`, what it sends) while another transaction holds the rows `lock` writes:
    /// it must neither wait for them nor fail on them, and send nothing — what a job finding
    /// only reminders already queued must do, every minute, while logins write.
    pub async fn assert_sends_nothing_without_lock<F>(&self, lock: &str, job: F)
    where
        F: std::future::Future<Output = Result<usize, app::error::AppError>>,
    {
        let mut holder = self.ctx.db.pool().begin().await.unwrap();
        sqlx::query(lock).execute(&mut *holder).await.unwrap();
        let run = tokio::time::timeout(std::time::Duration::from_secs(60), job).await;
        holder.rollback().await.unwrap();
        let sent = run.unwrap_or_else(|_| panic!("the job waited for the lock of « {lock} »"));
        let sent =
            sent.unwrap_or_else(|e| panic!("the job failed on the lock of « {lock} »: {e:?}"));
        assert_eq!(sent, 0, "{lock}");
    }

    /// The directory of the built site this application serves (CSS, WASM, DSFR).
    pub fn site(&self) -> &std::path::Path {
        self._site.path()
    }

    pub fn advance(&self, secs: i64) {
        self.clock.0.fetch_add(secs, Ordering::SeqCst);
    }

    pub async fn send(&self, req: Request<Body>) -> TestResponse {
        let res: Response<Body> = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), 10 << 20)
            .await
            .expect("body");
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
        }
    }

    /// A download: status, content type and the raw bytes.
    pub async fn get_bytes(&self, path: &str, cookie: &str) -> (StatusCode, String, Vec<u8>) {
        let req = Request::get(path)
            .header(header::COOKIE, format!("permis_session={cookie}"))
            .body(Body::empty())
            .unwrap();
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        let status = res.status();
        let content_type = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let bytes = axum::body::to_bytes(res.into_body(), 20 << 20)
            .await
            .expect("body");
        (status, content_type, bytes.to_vec())
    }

    pub async fn get(&self, path: &str, cookie: Option<&str>) -> TestResponse {
        let mut req = Request::get(path).header(header::ACCEPT, "text/html");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("permis_session={c}"));
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    /// A server-function call as the browser's WASM makes it (same origin).
    pub async fn post_form(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
        cookie: Option<&str>,
    ) -> TestResponse {
        self.post_form_with(
            path,
            body.into(),
            cookie,
            &[
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await
    }

    /// A form the browser posts itself (no WASM): it expects a page, i.e. a redirect.
    pub async fn post_html_form(
        &self,
        path: &str,
        body: impl Into<Vec<u8>>,
        cookie: Option<&str>,
    ) -> TestResponse {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "text/html,application/xhtml+xml")
            .header("origin", "http://127.0.0.1:3000")
            .header("sec-fetch-site", "same-origin");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body.into())).unwrap()).await
    }

    pub async fn post_form_with(
        &self,
        path: &str,
        body: Vec<u8>,
        cookie: Option<&str>,
        extra: &[(&str, &str)],
    ) -> TestResponse {
        let mut req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(header::ACCEPT, "application/json");
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, format!("permis_session={c}"));
        }
        for (k, v) in extra {
            req = req.header(*k, *v);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn login(
        &self,
        espace: &str,
        identifiant: &str,
        password: &str,
        cookie: Option<&str>,
    ) -> TestResponse {
        let body = form(&[
            ("espace", espace),
            ("identifiant", identifiant),
            ("password", password),
        ]);
        self.post_form("/api/connexion", body, cookie).await
    }

    /// Logs in and returns the session token.
    pub async fn login_ok(&self, espace: &str, identifiant: &str, password: &str) -> String {
        let res = self.login(espace, identifiant, password, None).await;
        assert_eq!(res.status, StatusCode::OK, "login failed: {}", res.body);
        res.session_cookie().expect("session cookie")
    }
}

/// Prints a figure a test measured and appends it to `target/rapport-tests.txt`, which
/// `scripts/test.sh` shows at the end (cargo hides the output of passing tests).
pub fn report(app: &TestApp, line: &str) {
    use std::io::Write;
    let base = if app.db_url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let line = format!("[{base}] {line}");
    println!("{line}");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/rapport-tests.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    {
        let _ = writeln!(f, "{line}");
    }
}

/// The first link in `text` that starts with `prefix`, whole.
pub fn link_in(text: &str, prefix: &str) -> Option<String> {
    let at = text.find(prefix)?;
    Some(
        text[at..]
            .chars()
            .take_while(|c| !c.is_whitespace() && *c != '"' && *c != '<')
            .collect(),
    )
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}
