//! Password hashing under a storm of logins: bounded memory, given back to nothing new.

use app::server::passwords;

use crate::common::memory;

const CHILD: &str = "PERMIS_TEST_HASHING_CHILD";

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
                Err(app::error::AppError::Refused(message)) => {
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
    let slots = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .saturating_sub(1)
        .max(1) as u64;
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
