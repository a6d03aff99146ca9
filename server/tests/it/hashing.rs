//! Password hashing under a storm of logins: bounded memory, given back to nothing new.

use app::server::passwords;

use crate::common::{memory, TestApp};

const CHILD: &str = "PERMIS_TEST_HASHING_CHILD";
const STORM_CHILD: &str = "PERMIS_TEST_LOGIN_STORM_CHILD";

/// Password-hashing slots on this machine, as `passwords::hashing` counts them.
fn slots() -> usize {
    std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .saturating_sub(1)
        .max(1)
}

/// Three storms of 40 logins at once (argon2id, 19 MiB each), in a process of its own so that
/// its memory is theirs alone: peak, and resident memory once they are done.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run by a_storm_of_logins_keeps_memory_bounded, in a process of its own"]
async fn child_hashes_forty_passwords_at_once() {
    if std::env::var(CHILD).is_err() {
        return;
    }
    let stored = passwords::hash_password("tartine du dimanche".into())
        .await
        .unwrap()
        .0;
    memory::reset_peak();
    let before = memory::resident_mib();
    for _storm in 0..3 {
        let logins: Vec<_> = (0..40)
            .map(|i| {
                let stored = stored.clone();
                tokio::spawn(async move {
                    let typed = if i % 2 == 0 {
                        "tartine du dimanche"
                    } else {
                        "tartine du lundi"
                    };
                    passwords::verify_password(typed.into(), Some(stored)).await
                })
            })
            .collect();
        // Those beyond the queue are told to try again at once; the others get their answer.
        for (i, login) in logins.into_iter().enumerate() {
            match login.await.unwrap() {
                Ok(verified) => assert_eq!(verified, i % 2 == 0),
                Err(app::error::AppError::Busy(message)) => {
                    assert_eq!(message, passwords::BUSY)
                }
                Err(e) => panic!("{e:?}"),
            }
        }
    }
    println!(
        "memoire-avant={before} pic={} apres={}",
        memory::peak_mib(),
        memory::resident_mib()
    );
}

#[test]
fn a_storm_of_logins_keeps_memory_bounded() {
    let numbers = memory::run_child(
        "hashing::child_hashes_forty_passwords_at_once",
        CHILD,
        "memoire-avant=",
    );
    let (before, peak, after) = (numbers[0], numbers[1], numbers[2]);
    let slots = slots() as u64;
    eprintln!(
        "3 × 40 connexions à la fois : {before} Mio avant, pic {peak} Mio, {after} Mio après"
    );
    // One 19 MiB buffer per slot (kept for the next logins), and some room for the runtime.
    let bound = before + slots * 19 + 16;
    assert!(
        peak <= bound,
        "pic {peak} Mio, au plus {bound} Mio attendus ({before} Mio avant)"
    );
    assert!(
        after <= bound,
        "{after} Mio après, au plus {bound} Mio attendus"
    );
}

/// More logins at once than the hashing queue holds, each of its own school account, through
/// the router: those beyond the queue are told to try again (503, `Retry-After`), and none of
/// them counts as a failed guess (no failure row left, the next login of each passes).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "run by a_login_refused_for_lack_of_room_is_not_a_failed_guess, in a process of its own"]
async fn child_more_logins_at_once_than_the_queue_holds() {
    if std::env::var(STORM_CHILD).is_err() {
        return;
    }
    let app = std::sync::Arc::new(TestApp::with_accounts().await);
    let stored = passwords::hash_password(crate::common::SCHOOL_PASSWORD.into())
        .await
        .unwrap()
        .0;
    let (school_id,): (i64,) =
        sqlx::query_as("SELECT school_id FROM users WHERE identifiant = 'ecole.gare'")
            .fetch_one(app.ctx.db.pool())
            .await
            .unwrap();
    let n = slots() * (passwords::WAITING_PER_SLOT + 1) + 8;
    for i in 0..n {
        sqlx::query(
            "INSERT INTO users (role, espace, identifiant, email, email_norm, password_hash,
                                status, school_id, created_at)
             VALUES ('ecole', 'pro', $1, $2, $2, $3, 'active', $4, 0)",
        )
        .bind(format!("tempete.{i}"))
        .bind(format!("tempete.{i}@example.fr"))
        .bind(&stored)
        .bind(school_id)
        .execute(app.ctx.db.pool())
        .await
        .unwrap();
    }
    // The slots are held (as by slow hashes) while the logins arrive, so that the queue fills
    // whatever this machine's speed: the first `max_waiting` wait, the others are refused.
    let hashing = passwords::hashing();
    let held = hashing.hold_every_slot().await.unwrap();
    let logins: Vec<_> = (0..n)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                let who = format!("tempete.{i}");
                app.login("pro", &who, crate::common::SCHOOL_PASSWORD, None)
                    .await
            })
        })
        .collect();
    let refused = n - hashing.max_waiting();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while hashing.waiting() < hashing.max_waiting()
        || logins.iter().filter(|l| l.is_finished()).count() < refused
    {
        assert!(
            std::time::Instant::now() < deadline,
            "{} en attente, {} réponses",
            hashing.waiting(),
            logins.iter().filter(|l| l.is_finished()).count()
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    drop(held);
    let (mut passed, mut busy) = (0, 0);
    for login in logins {
        let res = login.await.unwrap();
        match res.status.as_u16() {
            200 => passed += 1,
            503 => {
                assert_eq!(res.header("retry-after"), Some("2"), "{:?}", res.headers);
                assert!(
                    res.body.contains("réessayez dans un instant"),
                    "{}",
                    res.body
                );
                busy += 1;
            }
            other => panic!("{other} : {}", res.body),
        }
    }
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures")
        .fetch_one(app.ctx.db.pool())
        .await
        .unwrap();
    // Every account refused for lack of room logs in at the next try.
    for i in 0..n {
        let res = app
            .login(
                "pro",
                &format!("tempete.{i}"),
                crate::common::SCHOOL_PASSWORD,
                None,
            )
            .await;
        assert_eq!(res.status.as_u16(), 200, "tempete.{i} : {}", res.body);
    }
    println!("connexions={n} reussies={passed} occupe={busy} echecs-restants={left}");
}

#[test]
fn a_login_refused_for_lack_of_room_is_not_a_failed_guess() {
    let numbers = memory::run_child(
        "hashing::child_more_logins_at_once_than_the_queue_holds",
        STORM_CHILD,
        "connexions=",
    );
    let (n, passed, busy, left) = (numbers[0], numbers[1], numbers[2], numbers[3]);
    eprintln!("{n} connexions à la fois : {passed} réussies, {busy} « réessayez », {left} échec(s) compté(s)");
    assert_eq!(passed + busy, n);
    // Those beyond the queue (8 more than it holds, plus one per slot) and they alone.
    assert_eq!(
        busy,
        slots() as u64 + 8,
        "la file aurait dû déborder : {passed} réussies sur {n}"
    );
    assert_eq!(left, 0, "un refus faute de place a compté comme un échec");
}
