//! Handing a validated demande to the candidate: the account, the outbox and its delivery over
//! real SMTP and HTTP, activation, and recovering access. Runs on SQLite, and on PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use crate::common::delivery::*;
use crate::common::filing::*;
use crate::common::*;
use axum::http::StatusCode;

use app::domain::messages::{gsm7_units, SMS_MAX_UNITS};
use app::server::outbox::{self, NewMessage, MAX_ATTEMPTS, RETRY_DELAYS};

const RESET_PREFIX: &str = "http://127.0.0.1:3000/connexion/reinitialiser/";
fn json(body: &str) -> serde_json::Value {
    serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body}"))
}

fn person(email: &'static str) -> Person {
    Person {
        email,
        ..Person::lea()
    }
}

#[tokio::test]
async fn validating_for_a_new_candidate_creates_the_account_and_queues_email_and_sms() {
    let app = TestApp::with_accounts().await;
    let token = school(&app).await;
    let id = new_demande(&app, &token).await;
    fill_for(&app, &token, id, &Person::lea(), Some(CODE)).await;
    // Links are built from the configured public address, whatever Host the request names.
    let res = app
        .post_form_with(
            "/api/demandes/valider",
            format!("id={id}&attestation=on").into_bytes(),
            Some(&token),
            &[
                ("host", "piege.example"),
                ("origin", "http://127.0.0.1:3000"),
                ("sec-fetch-site", "same-origin"),
            ],
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let numero: String = serde_json::from_str(&res.body).unwrap();

    let (user_id, status, identifiant): (i64, String, String) = sqlx::query_as(
        "SELECT id, status, identifiant FROM users WHERE email_norm = 'lea.martin@example.fr'",
    )
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(status, "pending_activation");
    assert_eq!(identifiant, "lmartin");
    let (usager,): (Option<i64>,) = sqlx::query_as("SELECT usager_id FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(usager, Some(user_id));

    let rows: Vec<(String, String, String, Option<String>, String)> = sqlx::query_as(
        "SELECT channel, recipient, body_text, link, status FROM outbox WHERE demande_id = $1 ORDER BY channel",
    )
    .bind(id)
    .fetch_all(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let (channel, to, body, link, status) = &rows[0];
    assert_eq!(
        (channel.as_str(), to.as_str(), status.as_str()),
        ("email", "lea.martin@example.fr", "pending")
    );
    assert!(body.contains(
        "Votre école de conduite (Auto-école de la Gare) a effectué une démarche pour vous"
    ));
    assert!(body.contains(&numero));
    // The stored body holds a placeholder; the link (with its token) is kept apart until sent.
    assert!(body.contains("{{lien}}") && !body.contains(ACTIVATION_PREFIX));
    assert!(link.as_deref().unwrap().starts_with(ACTIVATION_PREFIX));
    let (channel, to, sms, _, _) = &rows[1];
    assert_eq!((channel.as_str(), to.as_str()), ("sms", "+33612345678"));
    assert!(gsm7_units(sms).unwrap() <= SMS_MAX_UNITS, "{sms}");

    let (expires,): (i64,) = sqlx::query_as(
        "SELECT expires_at FROM account_tokens WHERE user_id = $1 AND purpose = 'activation'",
    )
    .bind(user_id)
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(expires, T0 + 7 * 86_400);
}

#[tokio::test]
async fn a_validation_that_rolls_back_creates_no_account_and_queues_nothing() {
    let app = TestApp::with_accounts().await;
    let token = school(&app).await;
    let id = new_demande(&app, &token).await;
    fill_for(&app, &token, id, &person("rollback@example.fr"), None).await;
    let row = app::server::demandes::get(&app.ctx.db, 1, id)
        .await
        .unwrap();
    let candidate = app::server::handover::Candidate {
        email: "rollback@example.fr".into(),
        telephone: "+33612345678".into(),
        prenoms: "Léa".into(),
        nom: "Martin".into(),
        sexe: app::domain::demande::Sexe::Feminin,
    };
    // An e-photo code nobody issued: its claim, the last statement, fails and rolls back.
    let request = app::server::demandes::ValidationRequest {
        school_id: 1,
        id,
        version: row.version,
        departement: "75",
        yymmdd: "261126",
        ephoto_code: Some("INCONNU00000000000000X"),
        prenom: "Léa",
        nom: "Martin",
        school_name: "Auto-école de la Gare",
        candidate: &candidate,
        settings: &app.ctx.settings,
    };
    let result = app::server::demandes::validate(&app.ctx.db, &request, T0).await;
    assert!(
        matches!(result, Err(app::error::AppError::Conflict(_))),
        "{result:?}"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_norm = $1",
            "rollback@example.fr"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE recipient <> $1", "")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM account_tokens WHERE purpose = $1",
            "activation"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM demandes WHERE etat = $1", "brouillon")
            .await,
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_dispatcher_delivers_over_real_smtp_and_http_once() {
    let app = TestApp::with_accounts().await;
    let smtp = SmtpServer::start();
    let sms = SmsEndpoint::start().await;
    let token = school(&app).await;
    let (id, numero) = file_and_validate(&app, &token, &Person::lea(), Some(CODE)).await;

    let dispatcher = app.dispatcher(transports(Some(&smtp), Some(&sms)));
    let report = dispatcher.run_until_idle().await.unwrap();
    assert_eq!((report.sent, report.retried, report.failed), (2, 0, 0));
    // Nothing is due any more: a second pass sends nothing again.
    assert_eq!(dispatcher.run_until_idle().await.unwrap().sent, 0);

    let mails = smtp.messages();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert_eq!(mail.to, vec!["lea.martin@example.fr".to_string()]);
    // Sent by a machine: no out-of-office replies (RFC 3834).
    assert!(
        mail.raw.contains("Auto-Submitted: auto-generated"),
        "{}",
        mail.raw
    );
    // HTML for phones, with the main link as a button, and the same text in the plain part.
    assert!(mail.raw.contains("multipart/alternative"), "{}", mail.raw);
    let decoded = mail.text();
    assert!(decoded.contains("name=\"viewport\""), "{decoded}");
    assert!(decoded.contains("Activer mon compte"), "{decoded}");
    // The envelope sender is the configured one (PERMIS_MAIL_FROM).
    assert_eq!(mail.from, "ne-pas-repondre@permis.localhost");
    assert!(mail.raw.contains("multipart/alternative"), "{}", mail.raw);
    assert!(mail.raw.contains("text/html"));
    assert_eq!(
        mail.header("Message-ID").as_deref(),
        Some(format!("<demande.{id}.activation.email@permis.localhost>").as_str())
    );
    let text = mail.text();
    assert!(text.contains("Votre école de conduite"), "{text}");
    assert!(text.contains(&numero));
    let link = link_in(&text, ACTIVATION_PREFIX).expect("link in the email");
    let clear = token_of(&link);
    assert_eq!(clear.len(), 43);

    let texts = sms.messages();
    assert_eq!(texts.len(), 1);
    let s = &texts[0];
    assert_eq!(
        s.authorization.as_deref(),
        Some(format!("Bearer {SMS_TOKEN}").as_str())
    );
    assert_eq!(
        s.idempotency_key.as_deref(),
        Some(format!("demande:{id}:activation:sms").as_str())
    );
    assert_eq!(s.to, "+33612345678");
    assert!(s.text.contains(&numero) && gsm7_units(&s.text).unwrap() <= SMS_MAX_UNITS);

    // Sent, link erased: no clear token is left in the database.
    assert_eq!(
        app.count("SELECT COUNT(*) FROM outbox WHERE status = $1", "sent")
            .await,
        2
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE link IS NOT NULL AND recipient <> $1",
            ""
        )
        .await,
        0
    );
    for sql in [
        "SELECT COUNT(*) FROM account_tokens WHERE token_hash LIKE '%' || $1 || '%'",
        "SELECT COUNT(*) FROM outbox WHERE body_text LIKE '%' || $1 || '%' OR body_html LIKE '%' || $1 || '%'",
        "SELECT COUNT(*) FROM dev_mailbox WHERE body_text LIKE '%' || $1 || '%'",
    ] {
        assert_eq!(app.count(sql, &clear).await, 0, "{sql}");
    }
    // Every attempt is on record, ended.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = $1",
            "sent"
        )
        .await,
        2
    );

    // The link opens the activation page.
    let page = app.get(&format!("/monespace/activer/{clear}"), None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Vous y êtes presque"), "{}", page.body);
}

#[tokio::test]
async fn a_failing_smtp_server_leads_to_retries_then_failed_and_the_action_stands() {
    let app = TestApp::with_accounts().await;
    let smtp = SmtpServer::start();
    smtp.fail_with(451);
    let sms = SmsEndpoint::start().await;
    let token = school(&app).await;
    let (id, _) = file_and_validate(&app, &token, &Person::lea(), Some(CODE)).await;
    let dispatcher = app.dispatcher(transports(Some(&smtp), Some(&sms)));

    let first = dispatcher.run_until_idle().await.unwrap();
    assert_eq!(
        (first.sent, first.retried, first.failed),
        (1, 1, 0),
        "the SMS goes, the email waits"
    );
    for (n, delay) in RETRY_DELAYS.iter().enumerate() {
        // Not before its time…
        app.advance(delay - 1);
        assert_eq!(
            dispatcher.run_until_idle().await.unwrap(),
            Default::default()
        );
        // …then once.
        app.advance(1);
        let r = dispatcher.run_until_idle().await.unwrap();
        if n + 1 < RETRY_DELAYS.len() {
            assert_eq!(r.retried, 1, "attempt {}", n + 2);
        } else {
            assert_eq!(r.failed, 1, "last attempt");
        }
    }
    let (status, attempts, error, link): (String, i64, Option<String>, Option<String>) = sqlx::query_as(
        "SELECT status, attempts, last_error, link FROM outbox WHERE demande_id = $1 AND channel = 'email'",
    )
    .bind(id)
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!((status.as_str(), attempts), ("failed", MAX_ATTEMPTS));
    assert!(error.unwrap().contains("451"));
    assert!(link.is_none());
    let failed = outbox::failed(&app.ctx.db, 10).await.unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].recipient, "lea.martin@example.fr");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = $1",
            "retry"
        )
        .await,
        MAX_ATTEMPTS - 1
    );

    // The school's validation stands.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demandes WHERE etat = $1",
            "attente_usager"
        )
        .await,
        1
    );
    // The server coming back does not resurrect a failed message.
    smtp.fail_with(0);
    app.advance(86_400);
    assert_eq!(dispatcher.run_until_idle().await.unwrap().sent, 0);
    assert!(smtp.messages().is_empty());
}

#[tokio::test]
async fn a_refused_address_fails_at_once() {
    let app = TestApp::with_accounts().await;
    let smtp = SmtpServer::start();
    smtp.fail_with(550);
    let sms = SmsEndpoint::start().await;
    sms.answer_with(422);
    let token = school(&app).await;
    file_and_validate(&app, &token, &Person::lea(), Some(CODE)).await;
    let r = app
        .dispatcher(transports(Some(&smtp), Some(&sms)))
        .run_until_idle()
        .await
        .unwrap();
    assert_eq!((r.sent, r.retried, r.failed), (0, 0, 2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_dispatchers_send_each_message_once() {
    let app = TestApp::with_accounts().await;
    let sms = SmsEndpoint::start().await;
    let mut conn = app.ctx.db.pool().acquire().await.unwrap();
    for n in 0..60 {
        let m = NewMessage::sms(
            format!("test:{n}"),
            "test",
            "+33612345678",
            format!("Message {n}"),
        );
        outbox::enqueue(&mut conn, &m, T0).await.unwrap();
    }
    drop(conn);
    let a = app.dispatcher(transports(None, Some(&sms)));
    let b = app.dispatcher(transports(None, Some(&sms)));
    let (ra, rb) = tokio::join!(
        async {
            let mut t = 0;
            for _ in 0..20 {
                t += a.pass(3).await.unwrap().sent;
            }
            t
        },
        async {
            let mut t = 0;
            for _ in 0..20 {
                t += b.pass(3).await.unwrap().sent;
            }
            t
        },
    );
    let rest = a.run_until_idle().await.unwrap().sent;
    assert_eq!(ra + rb + rest, 60);
    let received = sms.messages();
    let mut keys: Vec<String> = received
        .iter()
        .filter_map(|s| s.idempotency_key.clone())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(
        (received.len(), keys.len()),
        (60, 60),
        "each message exactly once"
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = $1",
            "sent"
        )
        .await,
        60
    );
}

#[tokio::test]
async fn activation_sets_password_and_question_then_the_candidate_is_logged_in() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (_, numero) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let link = activation_link(&app, "lea.martin@example.fr").await;
    let token = token_of(&link);

    // Every mistake at once, each on its field; nothing changes.
    let res = activate(
        &app,
        &token,
        &[
            ("password", "court"),
            ("confirmation", "autre"),
            ("reponse", ""),
        ],
    )
    .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    let fields: Vec<String> = json(&res.body)["Invalid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(fields, ["sexe", "password", "question", "reponse"]);
    let mismatch = activate(
        &app,
        &token,
        &[
            ("sexe", "F"),
            ("password", GOOD_PASSWORD),
            ("confirmation", "quatre chats sur le toi"),
            ("question", "animal"),
            ("reponse", "Médor"),
        ],
    )
    .await;
    assert!(mismatch.body.contains("confirmation"), "{}", mismatch.body);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE status = $1",
            "pending_activation"
        )
        .await,
        1
    );

    // The page posts the form itself: a refusal comes back to the page, on its fields.
    let mut pairs = vec![
        ("token", token.as_str()),
        ("form[sexe]", "F"),
        ("form[password]", "court"),
    ];
    pairs.push(("form[question]", "animal"));
    let back = app
        .post_html_form("/api/compte/activer", form(&pairs), None)
        .await;
    assert_eq!(back.status, StatusCode::SEE_OTHER, "{}", back.body);
    assert_eq!(
        back.header("location"),
        Some(format!("/monespace/activer/{token}").as_str())
    );
    let flash = back
        .header("set-cookie")
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = app
        .send(
            axum::http::Request::get(format!("/monespace/activer/{token}"))
                .header("cookie", &flash)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        page.body.contains("au moins 12 caractères"),
        "{}",
        page.body
    );
    assert!(page
        .body
        .contains("Saisissez la réponse à votre question secrète"));
    assert!(!page.body.contains("court"), "no password comes back");

    let res = app
        .post_html_form(
            "/api/compte/activer",
            step_form("token", &token, GOOD_ACTIVATION),
            None,
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some("/monespace/a-valider"),
        "{}",
        res.body
    );
    let session = res.session_cookie().expect("logged in");
    let (identifiant,): (String,) =
        sqlx::query_as("SELECT identifiant FROM users WHERE email_norm = 'lea.martin@example.fr'")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(identifiant, "lmartin");
    let (status, sexe, question, answer): (String, String, String, String) = sqlx::query_as(
        "SELECT status, sexe, secret_question, secret_answer_hash FROM users WHERE identifiant = 'lmartin'",
    )
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    assert_eq!(
        (status.as_str(), sexe.as_str(), question.as_str()),
        ("active", "F", "animal")
    );
    assert!(answer.starts_with("$argon2id$") && !answer.to_lowercase().contains("medor"));

    // « Demande à valider » lists the demande with its number.
    let page = app.get("/monespace/a-valider", Some(&session)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body
            .contains(&format!("Permis de conduire — Pré-demande N° {numero}")),
        "{}",
        page.body
    );

    // The identifiant comes by email; no password ever does.
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    let last = texts.last().unwrap();
    assert!(
        last.contains("Voici votre identifiant de connexion") && last.contains("lmartin"),
        "{last}"
    );
    assert!(texts.iter().all(|t| !t.contains(GOOD_PASSWORD)));

    // The link was for one use.
    let again = activate(&app, &token, GOOD_ACTIVATION).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert!(again.body.contains("déjà servi"));
    let page = app.get(&format!("/monespace/activer/{token}"), None).await;
    assert!(page.body.contains("Votre compte est déjà activé"));

    // The identifiant and the new password open the account.
    app.login_ok("usager", "lmartin", GOOD_PASSWORD).await;
}

#[tokio::test]
async fn expired_replaced_and_unknown_links_say_what_happened() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let first = token_of(&activation_link(&app, "lea.martin@example.fr").await);

    // A second demande for the same, not yet activated, candidate: one account, a new link.
    file_and_validate(&app, &school_token, &Person::lea(), None).await;
    let second = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    assert_ne!(first, second);
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_norm = $1",
            "lea.martin@example.fr"
        )
        .await,
        1
    );
    let page = app.get(&format!("/monespace/activer/{first}"), None).await;
    assert!(
        page.body.contains("Ce lien a été remplacé"),
        "{}",
        page.body
    );
    assert_eq!(
        activate(&app, &first, GOOD_ACTIVATION).await.status,
        StatusCode::CONFLICT
    );

    // Seven days after sending, the link is dead.
    app.advance(7 * 86_400);
    let page = app.get(&format!("/monespace/activer/{second}"), None).await;
    assert!(
        page.body.contains("Ce lien d'activation a expiré"),
        "{}",
        page.body
    );
    let res = activate(&app, &second, GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("expiré"));

    let page = app.get("/monespace/activer/nimportequoi", None).await;
    assert!(page.body.contains("n'est pas valable"));
    let page = app
        .get(&format!("/monespace/activer/{}", "A".repeat(43)), None)
        .await;
    assert!(page.body.contains("n'est pas valable"));
}

#[tokio::test]
async fn a_demande_for_an_existing_account_invites_the_candidate_to_log_in() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    // pmartin's account exists (email Pierre.Martin@example.fr); the school types it in lower case.
    let pierre = Person {
        prenoms: "Pierre",
        sexe: "M",
        ..person("pierre.martin@example.fr")
    };
    let (id, numero) = file_and_validate(&app, &school_token, &pierre, Some(CODE)).await;
    assert_eq!(
        app.count("SELECT COUNT(*) FROM users WHERE role = $1", "usager")
            .await,
        1
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM account_tokens WHERE purpose = $1",
            "activation"
        )
        .await,
        0
    );
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("pierre.martin@example.fr").await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("Connectez-vous à votre espace avec vos identifiants habituels"));
    assert!(texts[0].contains(&numero) && !texts[0].contains("/monespace/activer/"));
    assert_eq!(app.mailbox_texts("+33612345678").await.len(), 1);

    let session = app.login_ok("usager", "pmartin", CANDIDATE_PASSWORD).await;
    let page = app.get("/monespace/a-valider", Some(&session)).await;
    assert!(
        page.body.contains(&format!("/monespace/demandes/{id}")),
        "{}",
        page.body
    );
    // Another candidate sees nothing of it.
    let res = app
        .post_form("/api/monespace/a-valider", "", Some(&school_token))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{}", res.body);
}

#[tokio::test]
async fn identifiant_oublie_answers_the_same_and_mails_only_the_account() {
    let app = TestApp::with_accounts().await;
    let known = app
        .post_form(
            "/api/compte/identifiant-oublie",
            form(&[("email", "PIERRE.martin@example.fr")]),
            None,
        )
        .await;
    let unknown = app
        .post_form(
            "/api/compte/identifiant-oublie",
            form(&[("email", "personne@example.fr")]),
            None,
        )
        .await;
    assert_eq!(
        (known.status, unknown.status),
        (StatusCode::OK, StatusCode::OK)
    );
    assert_eq!(known.body, unknown.body);
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("Pierre.Martin@example.fr").await;
    assert_eq!(texts.len(), 1);
    assert!(texts[0].contains("pmartin"));
    assert_eq!(
        app.count("SELECT COUNT(*) FROM dev_mailbox WHERE recipient <> $1", "")
            .await,
        1
    );

    let bad = app
        .post_form(
            "/api/compte/identifiant-oublie",
            form(&[("email", "pas-une-adresse")]),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.body.contains("\"field\":\"email\""), "{}", bad.body);

    // Limited like logins: 10 requests per address and hour.
    for _ in 0..9 {
        app.post_form(
            "/api/compte/identifiant-oublie",
            form(&[("email", "personne@example.fr")]),
            None,
        )
        .await;
    }
    let locked = app
        .post_form(
            "/api/compte/identifiant-oublie",
            form(&[("email", "personne@example.fr")]),
            None,
        )
        .await;
    assert_eq!(locked.status, StatusCode::UNAUTHORIZED, "{}", locked.body);
}

async fn forgot(app: &TestApp, identifiant: &str, question: &str, reponse: &str) -> TestResponse {
    app.post_form(
        "/api/compte/mot-de-passe-oublie",
        form(&[
            ("form[identifiant]", identifiant),
            ("form[question]", question),
            ("form[reponse]", reponse),
        ]),
        None,
    )
    .await
}

#[tokio::test]
async fn a_reset_link_needs_the_secret_answer_works_once_and_for_an_hour() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let token = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    let res = activate(&app, &token, GOOD_ACTIVATION).await;
    let old_session = res.session_cookie().unwrap();
    app.deliver_to_mailbox().await;
    let before = app.mailbox_texts("lea.martin@example.fr").await.len();

    // Wrong answer, wrong question, unknown account: the same answer, no email.
    let wrong = forgot(&app, "lmartin", "animal", "Rex").await;
    let wrong_question = forgot(&app, "lmartin", "pere", "Médor").await;
    let nobody = forgot(&app, "personne", "animal", "Médor").await;
    assert_eq!(wrong.status, StatusCode::OK);
    assert!(wrong.body == wrong_question.body && wrong.body == nobody.body);
    app.deliver_to_mailbox().await;
    assert_eq!(
        app.mailbox_texts("lea.martin@example.fr").await.len(),
        before
    );

    // The right answer, typed differently (case, accents): a link by email.
    assert_eq!(
        forgot(&app, "LMartin", "animal", " medor ").await.status,
        StatusCode::OK
    );
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    let link = link_in(texts.last().unwrap(), RESET_PREFIX).expect("reset link");
    let reset = token_of(&link);
    let page = app
        .get(&format!("/connexion/reinitialiser/{reset}"), None)
        .await;
    assert!(
        page.body.contains("Choisissez un nouveau mot de passe"),
        "{}",
        page.body
    );

    let post = |password: &'static str, confirmation: &'static str| {
        let body = form(&[
            ("token", reset.as_str()),
            ("form[password]", password),
            ("form[confirmation]", confirmation),
        ]);
        async { app.post_form("/api/compte/reinitialiser", body, None).await }
    };
    let res = post("un nouveau mot de passe", "un nouveau mot de passe").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // Sessions opened with the old password are over; the new password works, the old not.
    assert_eq!(
        app.get("/monespace/a-valider", Some(&old_session))
            .await
            .status,
        StatusCode::FOUND
    );
    app.login_ok("usager", "lmartin", "un nouveau mot de passe")
        .await;
    assert_eq!(
        app.login("usager", "lmartin", GOOD_PASSWORD, None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let replay = post(
        "encore un autre mot de passe",
        "encore un autre mot de passe",
    )
    .await;
    assert_eq!(replay.status, StatusCode::CONFLICT);

    // A new link expires after one hour.
    forgot(&app, "lmartin", "animal", "Médor").await;
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    let late = token_of(&link_in(texts.last().unwrap(), RESET_PREFIX).unwrap());
    app.advance(3_600);
    let page = app
        .get(&format!("/connexion/reinitialiser/{late}"), None)
        .await;
    assert!(page.body.contains("Ce lien a expiré"), "{}", page.body);
}

#[tokio::test]
async fn the_mailbox_page_lists_messages_with_clickable_links() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    app.deliver_to_mailbox().await;
    let page = app.get("/dev/boite-mail", None).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("SMS à +33612345678"));
    assert!(
        page.body
            .contains(&format!("<a href=\"{ACTIVATION_PREFIX}")),
        "{}",
        page.body
    );
}

#[tokio::test]
async fn the_mailbox_is_not_served_unless_enabled() {
    let app = TestApp::with_accounts().await;
    let mut ctx = app.ctx.clone();
    ctx.settings = std::sync::Arc::new(app::server::Settings {
        dev_mailbox: false,
        ..(*app.ctx.settings).clone()
    });
    use axum::response::IntoResponse;
    let off = server::http::mailbox::page(axum::extract::State(ctx))
        .await
        .into_response();
    assert_eq!(off.status(), StatusCode::NOT_FOUND);
    let on = server::http::mailbox::page(axum::extract::State(app.ctx.clone()))
        .await
        .into_response();
    assert_eq!(on.status(), StatusCode::OK);
}

/// An activation link that no longer activates (used, or replaced by a newer one) tells what
/// happened but no longer names the candidate: an old email or a forwarded message reveals
/// nothing about them.
#[tokio::test]
async fn a_spent_activation_link_reveals_no_name() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let first = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    let info = |token: String| {
        let app = &app;
        async move {
            let res = app
                .post_form("/api/compte/activation", format!("token={token}"), None)
                .await;
            assert_eq!(res.status, StatusCode::OK, "{}", res.body);
            json(&res.body)
        }
    };
    let valid = info(first.clone()).await;
    assert_eq!(valid["state"], "Valid");
    assert_eq!(valid["prenom"], "Léa");

    // « Renvoyer le lien »: the first one is replaced.
    let res = app
        .post_form(
            "/api/demandes/renvoyer-lien",
            format!("id={id}&deja=0"),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let replaced = info(first).await;
    assert_eq!(replaced["state"], "Revoked");
    assert_eq!(replaced["prenom"], "");
    assert_eq!(replaced["nom"], "");
    assert!(replaced["sexe"].is_null());

    let second = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    let res = activate(&app, &second, GOOD_ACTIVATION).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let used = info(second).await;
    assert_eq!(used["state"], "Used");
    assert_eq!(used["prenom"], "");
    assert_eq!(used["nom"], "");
}
