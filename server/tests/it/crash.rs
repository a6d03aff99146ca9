//! `kill -9` of the real server binary while it sends 100 emails: after a restart all 100 are
//! delivered, none lost; a message goes twice only when the kill fell between its sending and
//! its recording, and the test says how many did. SQLite, and PostgreSQL when
//! `TEST_DATABASE_URL` is set.

use std::collections::HashMap;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::delivery::{SmsEndpoint, SmtpServer};
use crate::common::*;
use app::domain::messages::Email;
use app::server::outbox::{enqueue, NewMessage};

const MESSAGES: usize = 100;

fn start_server(
    app: &TestApp,
    smtp: &SmtpServer,
    sms: &SmsEndpoint,
    dir: &Path,
    run: &str,
) -> Child {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let log = std::fs::File::create(dir.join(format!("{run}.log"))).unwrap();
    Command::new(env!("CARGO_BIN_EXE_permis"))
        .arg("serve")
        .current_dir(root)
        .env("DATABASE_URL", &app.db_url)
        .env("PERMIS_LISTEN", "127.0.0.1:0")
        .env("PERMIS_ENV", "development")
        .env("PERMIS_DEV_MAILBOX", "false")
        .env("PERMIS_SMTP_URL", smtp.url())
        .env("PERMIS_SMS_URL", sms.url.as_str())
        .env("PERMIS_OUTBOX_LEASE", "3")
        .env("PERMIS_STORAGE", dir.join("files"))
        .env("LEPTOS_SITE_ROOT", dir.join("site"))
        .env("RUST_LOG", "info,sqlx=warn")
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start the permis binary")
}

fn log_of(dir: &Path, run: &str) -> String {
    std::fs::read_to_string(dir.join(format!("{run}.log"))).unwrap_or_default()
}

async fn wait_for(what: &str, dir: &Path, run: &str, mut done: impl AsyncFnMut() -> bool) {
    let start = Instant::now();
    while !done().await {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "{what}: still waiting after 90 s\n{}",
            log_of(dir, run)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_sending_100_messages_loses_none() {
    let app = TestApp::new().await;
    let smtp = SmtpServer::start();
    // 40 ms between receiving a message and answering: the kill falls inside that window
    // (sent, not recorded) about as often as it would in life.
    smtp.answer_after(40);
    let sms = SmsEndpoint::start().await;
    let dir = tempfile::tempdir().unwrap();
    let now = jiff::Timestamp::now().as_second();
    let mut tx = app.ctx.db.pool().begin().await.unwrap();
    for i in 0..MESSAGES {
        let email = Email {
            action: None,
            subject: format!("Message {i}"),
            paragraphs: vec![format!("Bonjour, ceci est le message {i}.")],
        };
        enqueue(
            &mut tx,
            &NewMessage::email(
                format!("crash-test:{i}"),
                "test",
                &format!("destinataire{i}@example.fr"),
                &email,
                None,
            ),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();

    let mut first = start_server(&app, &smtp, &sms, dir.path(), "premier");
    wait_for("30 messages received", dir.path(), "premier", async || {
        smtp.messages().len() >= 30
    })
    .await;
    first.kill().expect("kill -9"); // SIGKILL: no shutdown, no cleanup
    first.wait().unwrap();
    let at_kill = smtp.messages().len();
    let recorded_at_kill = app
        .count("SELECT COUNT(*) FROM outbox WHERE status = $1", "sent")
        .await;
    assert!(
        at_kill < MESSAGES,
        "the kill came too late to test anything"
    );

    let mut second = start_server(&app, &smtp, &sms, dir.path(), "second");
    wait_for("all recorded as sent", dir.path(), "second", async || {
        app.count("SELECT COUNT(*) FROM outbox WHERE status = $1", "sent")
            .await
            == MESSAGES as i64
    })
    .await;
    second.kill().unwrap();
    second.wait().unwrap();

    // None lost.
    let received = smtp.messages();
    let mut per_recipient: HashMap<String, usize> = HashMap::new();
    for m in &received {
        *per_recipient.entry(m.to.join(",")).or_default() += 1;
    }
    assert_eq!(per_recipient.len(), MESSAGES, "every message arrived");
    let twice: Vec<&String> = per_recipient
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(to, _)| to)
        .collect();
    // The attempts the kill interrupted: opened, never finished.
    let interrupted: Vec<(String,)> = sqlx::query_as(
        "SELECT o.recipient FROM outbox_attempts a JOIN outbox o ON o.id = a.outbox_id
         WHERE a.outcome IS NULL",
    )
    .fetch_all(app.ctx.db.pool())
    .await
    .unwrap();
    let interrupted: Vec<String> = interrupted.into_iter().map(|r| r.0).collect();
    report(
        &app,
        &format!(
            "kill -9 après {at_kill} messages reçus ({recorded_at_kill} enregistrés comme envoyés) ; \
             {} tentative(s) interrompue(s) ; après redémarrage : {} messages reçus pour {MESSAGES}, \
             {} envoyé(s) deux fois",
            interrupted.len(),
            received.len(),
            twice.len()
        ),
    );
    // A message went twice only if the kill fell between its sending and its recording: its
    // first attempt was interrupted. One message is in flight at a time, so at most one.
    assert!(twice.len() <= 1, "{twice:?}");
    for to in &twice {
        assert!(
            interrupted.contains(to),
            "{to} sent twice without an interrupted attempt"
        );
    }
    assert_eq!(received.len(), MESSAGES + twice.len());
}

/// A dispatcher that claimed a batch and stalled past its lease loses the messages another one
/// took over: it does not send them again.
#[tokio::test]
async fn a_stalled_dispatcher_does_not_send_what_another_took_over() {
    let app = TestApp::new().await;
    let now = app.ctx.now();
    let mut tx = app.ctx.db.pool().begin().await.unwrap();
    for i in 0..3 {
        let email = Email {
            action: None,
            subject: format!("Message {i}"),
            paragraphs: vec![format!("Message {i}")],
        };
        enqueue(
            &mut tx,
            &NewMessage::email(
                format!("lease-test:{i}"),
                "test",
                &format!("lent{i}@example.fr"),
                &email,
                None,
            ),
            now,
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    // Instance A claims the three, then stalls longer than its lease.
    let claimed = app::server::outbox::claim(&app.ctx.db, "instance-a", now, 20, 60)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 3);
    app.advance(61);
    // Instance B takes them over and sends them.
    let report = app.deliver_to_mailbox().await;
    assert_eq!(report.sent, 3);
    // A wakes up: before each sending it renews its lease, and finds it lost.
    for c in &claimed {
        let still_mine =
            app::server::outbox::renew_lease(&app.ctx.db, c.id, "instance-a", app.ctx.now(), 60)
                .await
                .unwrap();
        assert!(!still_mine, "message {} would be sent twice", c.id);
    }
    assert_eq!(
        app.count(
            "SELECT COUNT(*) FROM dev_mailbox WHERE outbox_key LIKE $1",
            "lease-test:%"
        )
        .await,
        3
    );
}
