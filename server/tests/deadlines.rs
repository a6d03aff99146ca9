//! The 7-day rule with an injected clock: an account created by a school and not activated is
//! deleted with its demande's personal data and files; an activated one is kept. SQLite, and
//! PostgreSQL when `TEST_DATABASE_URL` is set.

mod common;

use axum::http::StatusCode;
use common::filing::*;
use common::*;

const DAY: i64 = 86_400;

async fn school(app: &TestApp) -> String {
    with_code(app).await;
    app.login_ok("pro", "ecole.gare", SCHOOL_PASSWORD).await
}

async fn run(app: &TestApp) -> app::server::deadlines::Expired {
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

    app.advance(3 * DAY);
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
