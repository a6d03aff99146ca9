//! The 7-day rule with an injected clock: an account created by a school and not activated is
//! deleted with its demande's personal data and files; an activated one is kept. SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set.

use crate::common::filing::*;
use crate::common::*;
use axum::http::StatusCode;

const DAY: i64 = 86_400;

async fn run(app: &TestApp) -> app::server::jobs::expiry::Expired {
    server::jobs::run_deadlines(&app.ctx, "test")
        .await
        .unwrap()
        .expired
}

#[tokio::test]
async fn an_unactivated_account_is_deleted_after_seven_days_with_everything() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, numero) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let link = activation_link(&app, "lea.martin@example.fr").await;
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT storage_key FROM pieces WHERE demande_id = $1")
            .bind(id)
            .fetch_all(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(keys.len(), 5);
    assert!(app.ctx.storage.get(&keys[0].0).await.is_ok());

    // 6 days 23 hours 59 minutes: still there.
    app.advance(7 * DAY - 60);
    assert_eq!(run(&app).await, Default::default());
    // 7 days and a minute: gone.
    app.advance(120);
    let report = run(&app).await;
    assert_eq!((report.accounts, report.demandes), (1, 1));
    assert!(report.files >= 5, "{report:?}");
    assert_eq!(run(&app).await, Default::default(), "once only");

    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_norm = $1",
            "lea.martin@example.fr"
        )
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
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE recipient = $1",
            "lea.martin@example.fr"
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM pieces WHERE kind <> $1", "")
            .await,
        0
    );
    for (key,) in &keys {
        assert!(
            app.ctx.storage.get(key).await.is_err(),
            "{key} still stored"
        );
    }
    let (etat, data, prenom, nom): (String, String, String, String) =
        sqlx::query_as("SELECT etat, data, prenom, nom FROM demandes WHERE id = $1")
            .bind(id)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!(
        (etat.as_str(), data.as_str(), prenom.as_str(), nom.as_str()),
        ("supprimee", "{}", "", "")
    );
    // The e-photo code is free again for the new demande.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM ephoto_codes WHERE demande_id IS NULL AND code = $1",
            CODE
        )
        .await,
        1
    );

    // The school is told and sees a trace without personal data.
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("contact@autoecole-gare.example").await;
    assert!(
        texts
            .iter()
            .any(|t| t.contains(&numero) && t.contains("n'a pas activé son compte")),
        "{texts:?}"
    );
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Supprimée — compte non activé") && list.body.contains(&numero),
        "{}",
        list.body
    );
    assert!(!list.body.contains("Léa"));
    // The trace is still found by its number, typed as the school reads it.
    let found = app
        .get(
            &format!("/ecole/demandes?q={}", numero.to_lowercase()),
            Some(&school_token),
        )
        .await;
    assert!(
        found.body.contains("Supprimée — compte non activé") && found.body.contains(&numero),
        "{}",
        found.body
    );
    // The school's counters and the word index follow the trace (written for the whole batch).
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;

    // The link says what happened.
    let page = app
        .get(&format!("/monespace/activer/{}", token_of(&link)), None)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Ce compte a été supprimé"),
        "{}",
        page.body
    );
    assert!(page.body.contains("7 jours"));
}

#[tokio::test]
async fn an_account_activated_the_day_before_is_kept() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let token = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    app.advance(6 * DAY);
    assert_eq!(
        activate(&app, &token, GOOD_ACTIVATION).await.status,
        StatusCode::OK
    );
    app.advance(2 * DAY);
    assert_eq!(run(&app).await, Default::default());
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE status = $1 AND role = 'usager'",
            "active"
        )
        .await,
        2
    );
    let (etat,): (String,) = sqlx::query_as("SELECT etat FROM demandes WHERE id = $1")
        .bind(id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(etat, "attente_usager");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_running_the_job_at_once_delete_once() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    for (n, email) in ["a@example.fr", "b@example.fr", "c@example.fr"]
        .into_iter()
        .enumerate()
    {
        let person = Person {
            email,
            ..Person::lea()
        };
        file_and_validate(&app, &school_token, &person, (n == 0).then_some(CODE)).await;
    }
    app.advance(8 * DAY);
    let (a, b) = tokio::join!(
        server::jobs::run_deadlines(&app.ctx, "instance-a"),
        server::jobs::run_deadlines(&app.ctx, "instance-b"),
    );
    let (a, b) = (a.unwrap().expired, b.unwrap().expired);
    assert_eq!(a.accounts + b.accounts, 3, "{a:?} {b:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1",
            "supprimee_non_activee"
        )
        .await,
        3
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM job_runs WHERE job = $1", "echeances")
            .await,
        2
    );
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}

#[tokio::test]
async fn reminders_on_day_three_and_six_carry_a_working_link_and_go_once() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (_, numero) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    activation_link(&app, "lea.martin@example.fr").await;
    let reminders = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move {
            server::jobs::run_deadlines(&ctx, "test")
                .await
                .unwrap()
                .reminders
        }
    };

    app.advance(3 * DAY - 60);
    assert_eq!(reminders(&app).await, 0);
    app.advance(60);
    assert_eq!(reminders(&app).await, 1);
    assert_eq!(reminders(&app).await, 0, "once");
    // The link says its day-3 reminder is done: the job of each minute does not read it again
    // before day 6.
    let to_do = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move {
            app::server::jobs::reminders::activation_reminders_to_do(&ctx.db, ctx.now())
                .await
                .unwrap()
        }
    };
    assert_eq!(to_do(&app).await, []);
    // A reminder queued before links kept their day: read once more, recognised by its
    // message key, marked, nothing sent again.
    sqlx::query("UPDATE account_tokens SET reminded_day = 0")
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(to_do(&app).await.len(), 1);
    assert_eq!(reminders(&app).await, 0);
    assert_eq!(to_do(&app).await, []);
    // Due again every minute until day 6, the reminder already sent takes no lock: another
    // transaction holding the candidate's account (a login) does not hold the job up — it
    // used to lock every account reminded on day 3, each minute, for three days.
    app.assert_sends_nothing_without_lock(
        "UPDATE users SET status = status WHERE email = 'lea.martin@example.fr'",
        app::server::jobs::reminders::send_activation_reminders(&app.ctx, app.ctx.now()),
    )
    .await;
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    let last = texts.last().unwrap();
    assert!(
        last.contains("n'est pas encore activé") && last.contains(&numero),
        "{last}"
    );
    // The deadline does not move: 7 days after the first sending.
    assert!(last.contains("03/12/2026 à 10:00"), "{last}");
    let link = link_in(last, "http://127.0.0.1:3000/monespace/activer/").unwrap();
    let page = app
        .get(&format!("/monespace/activer/{}", token_of(&link)), None)
        .await;
    assert!(page.body.contains("Vous y êtes presque"), "{}", page.body);
    assert_eq!(app.mailbox_texts("+33612345678").await.len(), 2);

    app.advance(2 * DAY);
    assert_eq!(to_do(&app).await, [], "day 5");
    app.advance(DAY);
    let due = to_do(&app).await;
    assert_eq!(due.iter().map(|r| r.2).collect::<Vec<_>>(), [6], "day 6");
    assert_eq!(reminders(&app).await, 1, "day 6");
    assert_eq!(reminders(&app).await, 0);
    // Day 7: deleted, the reminder links with it.
    app.advance(DAY);
    let report = server::jobs::run_deadlines(&app.ctx, "test").await.unwrap();
    assert_eq!((report.reminders, report.expired.accounts), (0, 1));
    let page = app
        .get(&format!("/monespace/activer/{}", token_of(&link)), None)
        .await;
    assert!(
        page.body.contains("Ce compte a été supprimé"),
        "{}",
        page.body
    );
}

/// « Renvoyer le lien » as the list page posts it (a fresh session: the clock jumps days).
async fn resend(app: &TestApp, id: i64, seen: i64) -> TestResponse {
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    app.post_html_form(
        "/api/demandes/renvoyer-lien",
        form(&[("id", &id.to_string()), ("deja", &seen.to_string())]),
        Some(&format!("permis_session={school_token}")),
    )
    .await
}

#[tokio::test]
async fn the_school_resends_the_link_twice_at_most_each_restarting_the_seven_days() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, numero) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let first = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Renvoyer le lien") && list.body.contains("Encore 2 renvois possibles"),
        "{}",
        list.body
    );
    assert!(
        list.body
            .contains("Compte à activer avant le 03/12/2026 à 10:00"),
        "{}",
        list.body
    );
    let activation_emails = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move {
            let (n,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM outbox WHERE kind = 'activation' AND channel = 'email'",
            )
            .fetch_one(ctx.db.pool())
            .await
            .unwrap();
            n
        }
    };

    // Day 5: the candidate lost the email; the school resends it. A double click (two
    // requests at once) sends one.
    app.advance(5 * DAY);
    let (res, again) = tokio::join!(resend(&app, id, 0), resend(&app, id, 0));
    assert!(res.status.is_redirection(), "{}", res.status);
    assert_eq!(
        res.header("location"),
        Some(format!("/ecole/demandes?lien-renvoye={numero}").as_str())
    );
    assert_eq!(res.header("location"), again.header("location"));
    assert_eq!(activation_emails(&app).await, 2);
    let second = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    assert_ne!(first, second);
    assert_eq!(app.mailbox_texts("+33612345678").await.len(), 2, "SMS too");
    let old = app.get(&format!("/monespace/activer/{first}"), None).await;
    assert!(old.body.contains("Ce lien a été remplacé"), "{}", old.body);

    // Day 7 + 1 min from the first link: the resent link counts from its own sending.
    app.advance(2 * DAY + 60);
    assert_eq!(run(&app).await.accounts, 0);

    // The second and last resend; a third is refused with the reason, on the list page.
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let res = resend(&app, id, 1).await;
    assert!(res.status.is_redirection());
    assert_eq!(activation_emails(&app).await, 3);
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Lien déjà renvoyé 2 fois"),
        "{}",
        list.body
    );
    // The deadline shown follows the last link: sent on day 7 + 1 min, it runs 7 days.
    assert!(
        list.body
            .contains("Compte à activer avant le 10/12/2026 à 10:01"),
        "{}",
        list.body
    );
    let res = resend(&app, id, 2).await;
    assert_eq!(res.header("location"), Some("/ecole/demandes"));
    let flash = res.flash_cookie().expect("flash cookie");
    let back = app
        .send(
            axum::http::Request::get("/ecole/demandes")
                .header("cookie", format!("permis_session={school_token}; {flash}"))
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert!(
        back.body.contains("déjà été renvoyé 2 fois"),
        "{}",
        back.body
    );
    assert_eq!(activation_emails(&app).await, 3);

    // The last link works: the candidate activates; nothing more to resend.
    let last = token_of(&activation_link(&app, "lea.martin@example.fr").await);
    assert_eq!(
        activate(&app, &last, GOOD_ACTIVATION).await.status,
        StatusCode::OK
    );
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(!list.body.contains("Renvoyer le lien"));
}

#[tokio::test]
async fn a_school_cannot_resend_another_schools_link_nor_after_the_deadline() {
    use app::domain::account::Role;
    let app = TestApp::with_accounts().await;
    server::seed::create_school(
        &app.ctx,
        app::server::users::NewSchool {
            name: "Auto-école du Port".into(),
            agrement: "E2407500020".into(),
            departement: "75".into(),
        },
    )
    .await
    .unwrap();
    server::seed::create_account(
        &app.ctx,
        server::seed::NewAccount {
            role: Role::Ecole,
            identifiant: "ecole.port".into(),
            email: Some("contact@autoecole-port.example".into()),
            prenom: "Marc".into(),
            nom: "Port".into(),
            agrement: Some("E2407500020".into()),
            cert: None,
            password: SCHOOL_PASSWORD.into(),
        },
    )
    .await
    .unwrap();
    with_code(&app).await;
    let port = app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await;
    let (theirs, _) = file_and_validate(&app, &port, &Person::lea(), Some(CODE)).await;
    let gare = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let res = app
        .post_form(
            "/api/demandes/renvoyer-lien",
            form(&[("id", &theirs.to_string()), ("deja", "0")]),
            Some(&gare),
        )
        .await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // Their own school may, until the deadline; not after it (the account is going).
    app.advance(7 * DAY);
    let port = app.login_ok("pro", "ecole.port", SCHOOL_PASSWORD).await;
    let res = app
        .post_form(
            "/api/demandes/renvoyer-lien",
            form(&[("id", &theirs.to_string()), ("deja", "0")]),
            Some(&port),
        )
        .await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert!(res.body.contains("délai d'activation"), "{}", res.body);
    assert_eq!(run(&app).await.accounts, 1);
}

#[tokio::test]
async fn a_resent_link_gives_up_to_three_weeks_then_the_account_goes() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    app.advance(6 * DAY);
    assert!(resend(&app, id, 0).await.status.is_redirection());
    app.advance(6 * DAY);
    assert!(resend(&app, id, 1).await.status.is_redirection());
    // Day 18 + 23 h 59: 6 d 23 h 59 after the last link.
    app.advance(7 * DAY - 60);
    assert_eq!(run(&app).await.accounts, 0);
    app.advance(60);
    assert_eq!(run(&app).await.accounts, 1);
    assert_eq!(etat(&app, id).await, "supprimee");
}

#[tokio::test]
async fn a_paper_form_is_reminded_on_day_ten_and_late_on_day_fifteen_until_received() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, numero, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), None).await;
    let res = app
        .post_form(
            "/api/monespace/decider",
            form(&[
                ("id", &id.to_string()),
                ("decision", "valider"),
                ("attestation", "on"),
            ]),
            Some(&session),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(etat(&app, id).await, "attente_papier");
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Formulaire attendu avant le 11/12/2026"),
        "{}",
        list.body
    );
    let home = app.get("/monespace", Some(&session)).await;
    assert!(
        home.body.contains(&format!(
            "Dernière étape de la demande N° {numero} : envoyez le formulaire photo-signature"
        )),
        "{}",
        home.body
    );
    let jobs = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move {
            let r = server::jobs::run_deadlines(&ctx, "test").await.unwrap();
            (r.paper_reminders, r.paper_overdue)
        }
    };

    app.advance(10 * DAY - 60);
    assert_eq!(jobs(&app).await, (0, 0));
    app.advance(60);
    assert_eq!(jobs(&app).await, (1, 0), "day 10");
    assert_eq!(jobs(&app).await, (0, 0), "once");
    // Until day 15, the reminder already sent takes no lock on the demande.
    app.assert_sends_nothing_without_lock(
        &format!("UPDATE demandes SET version = version WHERE id = {id}"),
        app::server::jobs::paper::send_paper_reminders(&app.ctx, app.ctx.now()),
    )
    .await;
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    let last = texts.last().unwrap();
    assert!(
        last.contains("n'a pas encore reçu") && last.contains("avant le 11/12/2026"),
        "{last}"
    );
    let sms = app.mailbox_texts("+33612345678").await;
    assert!(sms.last().unwrap().contains("pas encore arrivé"), "{sms:?}");

    app.advance(5 * DAY - 60);
    assert_eq!(jobs(&app).await, (0, 0), "14 d 23 h 59");
    app.advance(60);
    assert_eq!(jobs(&app).await, (0, 1), "day 15");
    assert_eq!(jobs(&app).await, (0, 0), "once");
    assert_eq!(etat(&app, id).await, "papier_non_recu");

    // Both sides are told what to do and see the new state.
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    assert!(
        texts.last().unwrap().contains("envoyez-le dès aujourd'hui"),
        "{texts:?}"
    );
    let school_texts = app.mailbox_texts("contact@autoecole-gare.example").await;
    assert!(
        school_texts
            .iter()
            .any(|t| t.contains(&numero) && t.contains("Rapprochez-vous du candidat")),
        "{school_texts:?}"
    );
    let session = app
        .login_ok("usager", "lea.martin@example.fr", GOOD_PASSWORD)
        .await;
    let home = app.get("/monespace", Some(&session)).await;
    assert!(
        home.body
            .contains("n'est pas arrivé au centre de traitement : envoyez-le sans tarder"),
        "{}",
        home.body
    );
    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        page.body
            .contains("Le centre n'a pas reçu votre formulaire photo-signature"),
        "{}",
        page.body
    );
    let (status, _, _) = app
        .get_bytes(
            &format!("/api/demandes/{id}/documents/formulaire-photo-signature"),
            &session,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the form can still be printed");
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(
        list.body.contains("Formulaire photo-signature non reçu"),
        "{}",
        list.body
    );

    // The form arrives late: an agent records it and the demande goes to instruction.
    let agent = staff(&app, app::domain::account::Role::Agent, "agent.ctn").await;
    let pro = app.get("/pro", Some(&agent)).await;
    assert!(pro.body.contains(&numero), "{}", pro.body);
    assert!(!pro.body.contains("Tâches planifiées"), "admins only");
    let cookie = format!("permis_session={agent}");
    let res = app
        .post_html_form(
            "/api/pro/reception",
            form(&[("numero", &format!(" {} ", numero.to_lowercase()))]),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro?recu={numero}").as_str())
    );
    assert_eq!(etat(&app, id).await, "transmise");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1 AND actor_id IS NOT NULL",
            "papier_recu"
        )
        .await,
        1
    );
    app.deliver_to_mailbox().await;
    let texts = app.mailbox_texts("lea.martin@example.fr").await;
    assert!(
        texts
            .last()
            .unwrap()
            .contains("a reçu le formulaire photo-signature"),
        "{texts:?}"
    );
    let page = app
        .get(&format!("/monespace/demandes/{id}"), Some(&session))
        .await;
    assert!(
        page.body
            .contains("le centre de traitement a reçu votre formulaire photo-signature"),
        "{}",
        page.body
    );
    // Twice (double click, the same form scanned again): the same answer, recorded once.
    let res = app
        .post_html_form(
            "/api/pro/reception",
            form(&[("numero", &numero)]),
            Some(&cookie),
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some(format!("/pro?recu={numero}").as_str())
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1",
            "papier_recu"
        )
        .await,
        1
    );
    // A number that waits for nothing: refused, back to the page.
    let res = app
        .post_html_form(
            "/api/pro/reception",
            form(&[("numero", "75-000000-0000")]),
            Some(&cookie),
        )
        .await;
    assert_eq!(res.header("location"), Some("/pro"));
    // A school cannot record receipts.
    let res = app
        .post_form(
            "/api/pro/reception",
            form(&[("numero", &numero)]),
            Some(&school_token),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn the_admin_page_shows_due_jobs_failed_messages_and_recent_runs() {
    use app::domain::account::Role;
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    app.advance(3 * DAY);
    let admin = staff(&app, Role::Admin, "admin.test").await;
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;

    let due = app::server::supervision::due(&app.ctx.db, app.ctx.now())
        .await
        .unwrap();
    let counts: Vec<i64> = due.iter().map(|d| d.due_now).collect();
    assert_eq!(counts, vec![1, 0, 0, 0, 0, 0], "{due:?}");
    assert_eq!(due[1].next, Some(T0 + 7 * DAY), "deletion on day 7");
    assert_eq!(due[0].next, Some(T0 + 6 * DAY), "next reminder on day 6");

    sqlx::query(
        "UPDATE outbox SET status = 'failed', attempts = 6,
                last_error = '550 boîte inconnue : +33612345678'
         WHERE channel = 'sms'",
    )
    .execute(app.ctx.db.pool())
    .await
    .unwrap();
    server::jobs::run_deadlines(&app.ctx, "instance-test")
        .await
        .unwrap();
    let due = app::server::supervision::due(&app.ctx.db, app.ctx.now())
        .await
        .unwrap();
    assert_eq!(due[0].due_now, 0, "sent");

    let page = app.get("/pro", Some(&admin)).await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Tâches planifiées",
        "Rappels d'activation (jours 3 et 6)",
        "Suppression des comptes non activés (jour 7)",
        "03/12/2026",
        "Dernières exécutions",
        "instance-test",
        "Messages en échec (1)",
        "550 boîte inconnue",
        "•••••• 78",
    ] {
        assert!(page.body.contains(expected), "{expected}: {}", page.body);
    }
    assert!(!page.body.contains("+33612345678"), "recipients masked");
    assert!(page.body.contains("Relancer"), "{}", page.body);

    // The SMS is sent once more on the administrator's demand; an email whose personal link
    // was erased cannot be.
    let (sms_id,): (i64,) = sqlx::query_as(
        "SELECT id FROM outbox WHERE status = 'failed' AND channel = 'sms' ORDER BY id LIMIT 1",
    )
    .fetch_one(app.ctx.db.pool())
    .await
    .unwrap();
    let admin_cookie = format!("permis_session={admin}");
    let res = app
        .post_html_form(
            "/api/pro/relancer-message",
            form(&[("id", &sms_id.to_string())]),
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(res.header("location"), Some("/pro?relance=1#echecs"));
    app.deliver_to_mailbox().await;
    let (status,): (String,) = sqlx::query_as("SELECT status FROM outbox WHERE id = $1")
        .bind(sms_id)
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    assert_eq!(status, "sent");
    let (email_id,): (i64,) =
        sqlx::query_as("SELECT id FROM outbox WHERE kind = 'activation' AND channel = 'email'")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    sqlx::query("UPDATE outbox SET status = 'failed', link = NULL WHERE id = $1")
        .bind(email_id)
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    let res = app
        .post_html_form(
            "/api/pro/relancer-message",
            form(&[("id", &email_id.to_string())]),
            Some(&admin_cookie),
        )
        .await;
    assert_eq!(
        res.header("location"),
        Some("/pro"),
        "refused, back to the page"
    );
    let page = app.get("/pro", Some(&admin)).await;
    assert!(page.body.contains("Lien personnel effacé"), "{}", page.body);
    // Agents cannot.
    let agent = staff(&app, Role::Agent, "agent.test").await;
    let res = app
        .post_form(
            "/api/pro/relancer-message",
            form(&[("id", &sms_id.to_string())]),
            Some(&agent),
        )
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    // Not for schools or candidates.
    let res = app.get("/pro", Some(&school_token)).await;
    assert!(res.status.is_redirection());
    let res = app
        .post_form("/api/pro/espace", String::new(), Some(&school_token))
        .await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
}

/// Two server instances on one database, 500 reminders and 200 expiries due: each happens
/// exactly once (on PostgreSQL the instances really run in parallel).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_send_500_reminders_and_delete_200_accounts_exactly_once() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (model, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let (data, school_id, created_by): (String, i64, i64) =
        sqlx::query_as("SELECT data, school_id, created_by FROM demandes WHERE id = $1")
            .bind(model)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    let now = app.ctx.now();
    let mut tx = app.ctx.db.pool().begin().await.unwrap();
    for i in 0..700_i64 {
        // 500 links sent 3 days ago (reminder due), 200 sent 7 days ago (expired).
        let sent_at = if i < 500 {
            now - 3 * DAY - 60
        } else {
            now - 7 * DAY - 60
        };
        let email = format!("candidat{i}@example.fr");
        let (user_id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (role, espace, identifiant, email, email_norm, status, prenom, nom,
                                created_by_school, created_at)
             VALUES ('usager', 'usager', $1, $2, $2, 'pending_activation', 'Léa', 'Martin', $3, $4)
             RETURNING id",
        )
        .bind(format!("candidat{i}"))
        .bind(&email)
        .bind(school_id)
        .bind(sent_at)
        .fetch_one(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO account_tokens (user_id, purpose, token_hash, created_at, expires_at)
             VALUES ($1, 'activation', $2, $3, $4)",
        )
        .bind(user_id)
        .bind(format!("hash-{i}"))
        .bind(sent_at)
        .bind(sent_at + 7 * DAY)
        .execute(&mut *tx)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO demandes (school_id, created_by, etat, numero, data, prenom, nom, usager_id,
                                   created_at, updated_at, validated_at, etape)
             VALUES ($1, $2, 'attente_usager', $3, $4, 'Léa', 'Martin', $5, $6, $6, $6, 6)",
        )
        .bind(school_id)
        .bind(created_by)
        .bind(format!("75-261120-{i:04}"))
        .bind(data.replace("lea.martin@example.fr", &email))
        .bind(user_id)
        .bind(sent_at)
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let (a, b) = tokio::join!(
        server::jobs::run_deadlines(&app.ctx, "instance-a"),
        server::jobs::run_deadlines(&app.ctx, "instance-b"),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.reminders + b.reminders, 500, "{a:?} {b:?}");
    assert_eq!(a.expired.accounts + b.expired.accounts, 200, "{a:?} {b:?}");
    report(
        &app,
        &format!(
            "deux instances : a {} rappels et {} suppressions, b {} rappels et {} suppressions (500 et 200 attendus au total)",
            a.reminders, a.expired.accounts, b.reminders, b.expired.accounts
        ),
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND channel = 'email'",
            "rappel_activation"
        )
        .await,
        500
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM outbox WHERE kind = $1 AND channel = 'sms'",
            "rappel_activation"
        )
        .await,
        500
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM demande_events WHERE kind = $1",
            "supprimee_non_activee"
        )
        .await,
        200
    );
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE status = $1",
            "pending_activation"
        )
        .await,
        501,
        "500 reminded + Léa"
    );
    // A third run finds nothing left.
    let c = server::jobs::run_deadlines(&app.ctx, "instance-c")
        .await
        .unwrap();
    assert_eq!(c.processed(), 0, "{c:?}");
    // Each school's counters, kept per batch by two instances at once.
    app.assert_counts_kept().await;
}

#[tokio::test]
async fn ended_demandes_keep_what_is_needed_and_no_longer() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    // One refused by its candidate, one deleted for want of activation.
    let (refused, numero, session) =
        filed_and_activated(&app, &school_token, &Person::lea(), Some(CODE)).await;
    let res = app
        .post_form(
            "/api/monespace/decider",
            form(&[
                ("id", &refused.to_string()),
                ("decision", "refuser"),
                ("motif", "Mon nom est mal écrit"),
            ]),
            Some(&session),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    // The photo is still good: the corrected demande may use the same e-photo code.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM ephoto_codes WHERE demande_id IS NULL AND code = $1",
            CODE
        )
        .await,
        1
    );
    let other = Person {
        email: "oubli@example.fr",
        ..Person::lea()
    };
    let (deleted, _) = file_and_validate(&app, &school_token, &other, None).await;
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT storage_key FROM pieces WHERE demande_id = $1")
            .bind(refused)
            .fetch_all(app.ctx.db.pool())
            .await
            .unwrap();
    assert!(!keys.is_empty());
    let purge = |app: &TestApp| {
        let ctx = app.ctx.clone();
        async move { server::jobs::run_retention(&ctx, "test").await.unwrap() }
    };

    // 29 days: the refused demande is still whole (the school re-enters it in view of it).
    app.advance(29 * DAY);
    run(&app).await;
    assert_eq!(purge(&app).await.refused_erased, 0);
    assert_eq!(etat(&app, deleted).await, "supprimee");
    // 30 days: content, motif and files gone; the trace stays in the school's list.
    app.advance(DAY);
    let report = purge(&app).await;
    assert_eq!(report.refused_erased, 1, "{report:?}");
    assert_eq!(purge(&app).await.refused_erased, 0, "once");
    let (data, prenom, motif): (String, String, Option<String>) =
        sqlx::query_as("SELECT data, prenom, refus_motif FROM demandes WHERE id = $1")
            .bind(refused)
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    assert_eq!((data.as_str(), prenom.as_str(), motif), ("{}", "", None));
    for (key,) in &keys {
        assert!(
            app.ctx.storage.get(key).await.is_err(),
            "{key} still stored"
        );
    }
    let school_token = app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await;
    let list = app.get("/ecole/demandes", Some(&school_token)).await;
    assert!(list.body.contains(&numero) && list.body.contains("Refusée par l'usager"));
    assert!(!list.body.contains("Léa"));
    // The deleted account's link still explains itself (deleted a day ago).
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM expired_links WHERE token_hash <> $1",
            ""
        )
        .await,
        1
    );

    // A year on, the traces go too.
    app.advance(365 * DAY);
    let report = purge(&app).await;
    assert_eq!(report.traces, 2, "{report:?}");
    // The unused e-photo code lapsed after 6 months: its photo and signature are gone.
    assert_eq!(report.ephoto_codes, 1, "{report:?}");
    assert_eq!(
        app.count("SELECT COUNT(*) FROM ephoto_codes WHERE code = $1", CODE)
            .await,
        0
    );
    assert!(report.links >= 1, "{report:?}");
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM expired_links WHERE token_hash <> $1",
            ""
        )
        .await,
        0
    );
    assert_eq!(
        app.count("SELECT COUNT(*) FROM demandes WHERE numero = $1", &numero)
            .await,
        0
    );
    // The candidate's account stays (it is theirs), with its own messages.
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM users WHERE email_norm = $1",
            "lea.martin@example.fr"
        )
        .await,
        1
    );
}

#[tokio::test]
async fn files_no_piece_refers_to_are_swept_after_a_day() {
    let app = TestApp::with_accounts().await;
    let school_token = school(&app).await;
    let (id, _) = file_and_validate(&app, &school_token, &Person::lea(), Some(CODE)).await;
    // What a crash between storing and recording leaves behind.
    let orphan = format!("demandes/{id}/0123456789abcdef.pdf");
    app.ctx
        .storage
        .put(&orphan, b"%PDF-1.4 orphelin".to_vec())
        .await
        .unwrap();
    let sweep = |at: i64| {
        let ctx = app.ctx.clone();
        async move {
            app::server::jobs::retention::sweep_orphan_files(&ctx, at)
                .await
                .unwrap()
        }
    };
    let real_now = jiff::Timestamp::now().as_second();
    assert_eq!(
        sweep(real_now).await,
        0,
        "a file being uploaded is left alone"
    );
    assert_eq!(sweep(real_now + 2 * DAY).await, 1);
    assert!(app.ctx.storage.get(&orphan).await.is_err());
    // The demande's own files stay.
    let keys: Vec<(String,)> =
        sqlx::query_as("SELECT storage_key FROM pieces WHERE demande_id = $1")
            .bind(id)
            .fetch_all(app.ctx.db.pool())
            .await
            .unwrap();
    for (key,) in keys {
        assert!(app.ctx.storage.get(&key).await.is_ok(), "{key} swept");
    }
}

/// The paper, complement and retention jobs go through thousands of demandes by batches (2 000
/// per transaction): each demande handled once, its messages queued once, the counts of the
/// lists kept right, nothing left for a second run.
#[tokio::test]
async fn the_jobs_go_through_thousands_of_demandes_by_batches() {
    let app = TestApp::new().await;
    let size = app::server::bench::Size {
        demandes: 48_000,
        ecoles: 3,
        grande_ecole: 24_000,
        a_expirer: 0,
        a_relancer: 0,
    };
    let now = app.ctx.now();
    app::server::bench::seed(&app.ctx.db, size, "pas-de-connexion", now)
        .await
        .unwrap();
    let pool = app.ctx.db.pool();
    let count = |sql: &'static str| async move {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await.unwrap();
        n
    };
    // Complements asked: half due in 18 days (reminded 7 days before), half in 2 (overdue).
    sqlx::query(
        "UPDATE demandes SET complement_avant = CASE WHEN id % 2 = 1 THEN $1 ELSE $2 END
         WHERE etat = 'complement_demande'",
    )
    .bind(now + 18 * DAY)
    .bind(now + 2 * DAY)
    .execute(pool)
    .await
    .unwrap();
    let papier = count("SELECT COUNT(*) FROM demandes WHERE etat = 'attente_papier'").await;
    let complements_odd =
        count("SELECT COUNT(*) FROM demandes WHERE etat = 'complement_demande' AND id % 2 = 1")
            .await;
    let complements =
        count("SELECT COUNT(*) FROM demandes WHERE etat = 'complement_demande'").await;
    let refused = count("SELECT COUNT(*) FROM demandes WHERE etat = 'refusee_usager'").await;
    let drafts = count("SELECT COUNT(*) FROM demandes WHERE etat = 'brouillon'").await;
    // More than a batch of each.
    let batch = app::server::jobs::expiry::BATCH as i64;
    assert!(
        papier > 2 * batch && refused > batch && drafts > batch,
        "{papier} {refused} {drafts}"
    );

    // Day 12: the paper forms validated 12 to 15 days ago are reminded, the older ones are
    // « non reçu »; the complements are reminded or closed.
    app.advance(12 * DAY);
    let r = server::jobs::run_deadlines(&app.ctx, "test").await.unwrap();
    assert!(
        r.paper_reminders > 0 && r.paper_overdue as i64 > batch,
        "{r:?}"
    );
    assert_eq!(r.paper_reminders + r.paper_overdue, papier as usize);
    assert_eq!(r.complement_reminders, complements_odd as usize);
    assert_eq!(
        r.complement_overdue,
        (complements - complements_odd) as usize
    );
    let reminded =
        count("SELECT COUNT(DISTINCT demande_id) FROM outbox WHERE kind = 'rappel_papier'").await;
    let overdue =
        count("SELECT COUNT(DISTINCT demande_id) FROM outbox WHERE kind = 'papier_non_recu'").await;
    assert_eq!(
        (reminded, overdue),
        (r.paper_reminders as i64, r.paper_overdue as i64)
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM demandes WHERE etat = 'papier_non_recu'").await,
        r.paper_overdue as i64 + 48_000 / 20
    );
    let queued = count("SELECT COUNT(*) FROM outbox").await;
    let again = server::jobs::run_deadlines(&app.ctx, "test").await.unwrap();
    assert_eq!(again.processed(), 0, "{again:?}");
    assert_eq!(count("SELECT COUNT(*) FROM outbox").await, queued);

    // Day 100: refused demandes erased to traces, untouched drafts deleted.
    app.advance(88 * DAY);
    let purged = server::jobs::run_retention(&app.ctx, "test").await.unwrap();
    assert_eq!(
        (purged.refused_erased, purged.drafts),
        (refused as usize, drafts as usize)
    );
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM demandes
             WHERE etat IN ('brouillon', 'refusee_usager') AND (data <> '{}' OR nom <> '')"
        )
        .await,
        0
    );
    // A trace is still found by its number.
    assert_eq!(
        count(
            "SELECT COUNT(*) FROM demandes WHERE etat = 'refusee_usager'
             AND recherche = '99 261101 15'"
        )
        .await,
        1
    );
    app.assert_counts_kept().await;
    app.assert_search_index_kept().await;
}
