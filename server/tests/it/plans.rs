//! The list and page queries read through an index for their filter and their order, on both
//! databases: each plan is asked of the database (EXPLAIN) and a full scan of a table or a sort
//! of what was read fails. The statements are the ones the code runs (they are public for
//! this). At a million demandes, either would cost hundreds of milliseconds per page.

use app::domain::demande::Etat;
use app::server::db::Backend;
use app::server::demandes::{list_statements, rows_of, ListFilter};
use sqlx::Row;

use crate::common::TestApp;

enum P {
    I(i64),
    T(String),
}

/// The plan of `sql` with `params`, one line per step.
async fn plan(app: &TestApp, sql: &str, params: &[P]) -> Vec<String> {
    plan_with(app, sql, params, false).await
}

/// The plan of `sql`; `sorts`: PostgreSQL may sort (else it avoids a sort at any cost).
async fn plan_with(app: &TestApp, sql: &str, params: &[P], sorts: bool) -> Vec<String> {
    let db = &app.ctx.db;
    let mut conn = db.pool().acquire().await.unwrap();
    let explain = match db.backend() {
        Backend::Sqlite => format!("EXPLAIN QUERY PLAN {sql}"),
        Backend::Postgres => {
            // The test's tables are tiny: PostgreSQL would rightly read them whole. With these
            // two off, a scan or a sort remains only where no index can serve.
            let sets: &[&str] = if sorts {
                &["SET enable_seqscan = off"]
            } else {
                &["SET enable_seqscan = off", "SET enable_sort = off"]
            };
            for set in sets {
                sqlx::query(set).execute(&mut *conn).await.unwrap();
            }
            format!("EXPLAIN {sql}")
        }
    };
    let mut q = sqlx::query(&explain);
    for p in params {
        q = match p {
            P::I(i) => q.bind(*i),
            P::T(t) => q.bind(t.clone()),
        };
    }
    let rows = q.fetch_all(&mut *conn).await.unwrap();
    if db.backend() == Backend::Postgres {
        sqlx::query("RESET ALL").execute(&mut *conn).await.unwrap();
    }
    rows.iter()
        .map(|r| match db.backend() {
            Backend::Sqlite => r.get::<String, _>(3),
            Backend::Postgres => r.get::<String, _>(0),
        })
        .collect()
}

/// The two statements of a search through the word index, with parameters for its first word:
/// the entries counted, then the candidates read.
fn indexed_statements(
    what: String,
    search: app::server::mots::IndexedSearch,
) -> [(String, String, Vec<P>); 2] {
    let ids = search.ids;
    let (low, high) = search.ranges[0].clone();
    let mut params: Vec<P> = search
        .binds
        .iter()
        .map(|b| match b {
            app::server::db::Bind::I(i) => P::I(*i),
            app::server::db::Bind::T(t) => P::T(t.clone()),
        })
        .collect();
    params.extend([P::T(low.clone()), P::T(high.clone())]);
    let probe = vec![P::I(search.key), P::T(low), P::T(high), P::I(5_001)];
    [
        (format!("{what} (mots : entrées)"), search.probe, probe),
        (format!("{what} (mots : résultats)"), ids, params),
    ]
}

/// A plan line that sorts what was read (allowed for the candidates of the word index).
fn is_sort(line: &str) -> bool {
    line.contains("TEMP B-TREE") || line.contains("Sort")
}

/// What is wrong with a plan: a table read whole, or rows sorted after reading.
fn faults(backend: Backend, plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter(|line| match backend {
            // « SCAN p » is the page's subquery, « SCAN e » the word index's entries counted up
            // to a limit, both already limited; a table scanned, even through an index (« SCAN
            // t USING INDEX … »: the whole index, as the activation reminders' read was), or a
            // temporary B-tree to sort, is the fault.
            Backend::Sqlite => {
                let line = line.trim();
                (line.starts_with("SCAN ") && line != "SCAN p" && line != "SCAN e")
                    || line.contains("TEMP B-TREE")
            }
            Backend::Postgres => line.contains("Seq Scan") || line.contains("Sort"),
        })
        .cloned()
        .collect()
}

#[tokio::test]
async fn list_and_page_queries_use_an_index_for_their_filter_and_order() {
    let app = TestApp::new().await;
    let backend = app.ctx.db.backend();
    let mut checked = Vec::new();
    // The searches read through the word index (`mots`): the driving word's entries, then
    // their demandes by key. Their sort is of those candidates only (at most
    // `mots::DRIVEN_AT_MOST`, and fewer than a sixteenth of the list), so only a scan is a fault.
    let mut sorted = Vec::new();

    use app::server::db::Bind;
    use app::server::instruction::{self as inst, Onglet, QueueFilter};
    let binds = |b: &[Bind]| -> Vec<P> {
        b.iter()
            .map(|b| match b {
                Bind::I(i) => P::I(*i),
                Bind::T(t) => P::T(t.clone()),
            })
            .collect()
    };
    // The school's list: every combination of its filters, both orders.
    for etat in [None, Some(Etat::Transmise)] {
        for search in ["", "martin"] {
            for oldest_first in [false, true] {
                let f = ListFilter {
                    search: search.into(),
                    etat,
                    oldest_first,
                    page: 3,
                    per_page: 20,
                };
                let st = list_statements(1, &f);
                if let Some(search) = st.search.indexed {
                    let [probe, ids] =
                        indexed_statements(format!("liste de l'école {f:?}"), search);
                    checked.push(probe);
                    sorted.push(ids);
                }
                checked.push((
                    format!("liste de l'école {f:?} (nombre)"),
                    st.count,
                    binds(&st.binds),
                ));
                if let Some(matches) = st.search.matches {
                    checked.push((
                        format!("liste de l'école {f:?} (premiers résultats)"),
                        matches,
                        binds(&st.binds),
                    ));
                }
                let mut params = binds(&st.binds);
                params.extend([P::I(20), P::I(40), P::T("attente_usager".into())]);
                checked.push((format!("liste de l'école {f:?} (page)"), st.page, params));
            }
        }
    }
    checked.push((
        "liste de l'école (lignes des résultats d'une recherche)".into(),
        rows_of(&[3, 1, 2]),
        vec![P::T("attente_usager".into())],
    ));
    // The centre's queue: every tab, with and without each filter, both orders; the counts of
    // the tabs.
    for onglet in Onglet::ALL {
        for (search, departement, school_id) in [
            ("", None, None),
            ("martin", None, None),
            ("", Some("75".to_string()), None),
            ("", None, Some(3)),
            ("martin", Some("75".to_string()), Some(3)),
        ] {
            for recent_first in [false, true] {
                let f = QueueFilter {
                    onglet,
                    search: search.into(),
                    departement: departement.clone(),
                    school_id,
                    recent_first,
                    page: 3,
                };
                let st = inst::queue_statements(1, 2, &f);
                if let Some(search) = st.search.indexed {
                    let [probe, ids] = indexed_statements(format!("file du centre {f:?}"), search);
                    checked.push(probe);
                    sorted.push(ids);
                }
                checked.push((
                    format!("file du centre {f:?} (nombre)"),
                    st.count,
                    binds(&st.binds),
                ));
                if let Some(matches) = st.search.matches {
                    checked.push((
                        format!("file du centre {f:?} (premiers résultats)"),
                        matches,
                        binds(&st.binds),
                    ));
                }
                let mut params = binds(&st.binds);
                params.extend([P::I(20), P::I(40)]);
                checked.push((format!("file du centre {f:?} (page)"), st.page, params));
            }
        }
    }
    checked.push((
        "file du centre (lignes des résultats d'une recherche)".into(),
        inst::queue_rows_of(&[3, 1, 2]),
        vec![],
    ));
    checked.push((
        "file du centre (nombres des onglets)".into(),
        inst::TAB_COUNTS.into(),
        vec![P::I(1)],
    ));
    checked.push((
        "file du centre (nombre des suivies)".into(),
        inst::FOLLOWED_COUNT.into(),
        vec![
            P::I(2),
            P::I(1),
            P::T("transmise".into()),
            P::T("complement_demande".into()),
            P::T("complement_recu".into()),
        ],
    ));
    // « Mon espace » and « à valider ».
    checked.push((
        "mes démarches".into(),
        app::server::espace::DEMARCHES.into(),
        vec![P::I(1), P::T("brouillon".into())],
    ));
    checked.push((
        "à valider".into(),
        app::server::espace::A_VALIDER.into(),
        vec![P::I(1), P::T("attente_usager".into())],
    ));
    // The school users told of what the jobs did, for a batch's schools.
    checked.push((
        "utilisateurs des écoles d'un lot".into(),
        app::server::users::recipients_sql(&[3, 1, 2]),
        vec![],
    ));
    // The 7-day deletion's batches: the pending accounts walked in id order, each one's links
    // looked up by key, up to the batch's size; not a join over every pending account and
    // every activation link (PostgreSQL's plan of `EXISTS … AND NOT EXISTS …` at a million
    // demandes: 120 to 230 ms a batch).
    let expired = app::server::jobs::expiry::EXPIRED_ACCOUNTS.to_string();
    let expired_params = || vec![P::I(1_800_000_000), P::I(0), P::I(500)];
    let lines = plan(&app, &expired, &expired_params()).await;
    let walked = match backend {
        Backend::Sqlite => lines
            .iter()
            .any(|l| l.contains("CORRELATED SCALAR SUBQUERY")),
        Backend::Postgres => lines
            .iter()
            .all(|l| !l.contains("Join") && !l.contains("hashed")),
    };
    expect_plan(
        walked,
        "comptes à supprimer : les liens de chaque compte lus par sa clé",
        &lines,
    );
    checked.push(("comptes à supprimer".into(), expired, expired_params()));
    // Where that walk starts: the links over only, each minute (most minutes, none).
    let first = app::server::jobs::expiry::first_due_account_sql();
    let lines = plan(&app, &first, &[P::I(1_800_000_000)]).await;
    expect_plan(
        lines.iter().any(|l| l.contains("account_tokens_rappels")),
        "premier compte à supprimer : les liens échus seulement",
        &lines,
    );
    checked.push((
        "premier compte à supprimer".into(),
        first,
        vec![P::I(1_800_000_000)],
    ));

    // The complements whose deadline comes, each minute: those due only (a range of their
    // partial index, not every demande waiting for a complement through the index of states),
    // sorted.
    let complements = app::server::jobs::complements::waiting_sql();
    let lines = plan_with(&app, &complements, &[P::I(1_800_000_000)], true).await;
    expect_plan(
        lines.iter().any(|l| l.contains("demandes_complement_du")),
        "compléments échus : une plage de demandes_complement_du",
        &lines,
    );
    sorted.push((
        "compléments échus".into(),
        complements,
        vec![P::I(1_800_000_000)],
    ));

    // The activation reminders of each minute: the links whose day has come and whose
    // reminder is not done, through `account_tokens_rappels`; grouped by account, a sort of
    // those due only.
    sorted.push((
        "rappels d'activation à faire".into(),
        app::server::jobs::reminders::activation_reminders_sql(),
        app::server::jobs::reminders::activation_reminders_binds(1_800_000_000)
            .into_iter()
            .map(P::I)
            .collect(),
    ));

    assert!(
        !sorted.is_empty(),
        "the searches have their indexed statements"
    );
    // Not the whole of that index either, as with an `OR` or a `GROUP BY` (each minute, every
    // link waiting for activation): a range of it per reminder day.
    let (_, reminders_sql, reminders_binds) = sorted.last().unwrap();
    let lines = plan(&app, reminders_sql, reminders_binds).await;
    let ranges = match backend {
        Backend::Sqlite => {
            lines.iter().all(|l| !l.trim().starts_with("SCAN"))
                && lines
                    .iter()
                    .filter(|l| l.contains("account_tokens_rappels (reminded_day=?"))
                    .count()
                    == 2
        }
        Backend::Postgres => {
            lines
                .iter()
                .filter(|l| l.contains("Index Cond") && l.contains("reminded_day ="))
                .count()
                == 2
        }
    };
    expect_plan(
        ranges,
        "rappels d'activation : une plage de l'index par jour",
        &lines,
    );

    let mut failures = Vec::new();
    let all = checked
        .iter()
        .map(|c| (c, false))
        .chain(sorted.iter().map(|c| (c, true)));
    for ((what, sql, params), sort_allowed) in all {
        let lines = plan_with(&app, sql, params, sort_allowed).await;
        let bad: Vec<String> = faults(backend, &lines)
            .into_iter()
            .filter(|line| !(sort_allowed && is_sort(line)))
            .collect();
        // A search's candidates come from the word's range, and their demandes by key: not
        // from a walk of the list's own index in its order, which PostgreSQL picked at a
        // million demandes when it could flatten the candidates into the join.
        let driven = !what.ends_with("(mots : résultats)") || read_by_key(backend, &lines);
        if !bad.is_empty() || !driven {
            failures.push(format!("{what}:\n    {}", lines.join("\n    ")));
        }
    }
    assert!(
        failures.is_empty(),
        "{} requête(s) sur {} lisent une table entière, trient ce qu'elles lisent ou, pour une recherche, ne partent pas de l'index de mots ({backend:?}) :\n{}",
        failures.len(),
        checked.len() + sorted.len(),
        failures.join("\n")
    );
}

/// Fails with `what` and the plan `lines` unless the plan has the shape expected (`ok`).
fn expect_plan(ok: bool, what: &str, lines: &[String]) {
    assert!(ok, "{what}\n    {}", lines.join("\n    "));
}

/// Whether a search's plan reads the word index's range first and each candidate's demande by
/// its key, and `demandes` in no other way.
fn read_by_key(backend: Backend, plan: &[String]) -> bool {
    match backend {
        Backend::Sqlite => {
            let steps: Vec<&str> = plan.iter().map(|l| l.trim()).collect();
            let range = steps.iter().position(|l| {
                l.starts_with("SEARCH ") && l.contains("_mots ") && l.contains("mot>? AND mot<?")
            });
            let key = steps
                .iter()
                .position(|l| *l == "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)");
            let others = steps
                .iter()
                .filter(|l| l.starts_with("SEARCH d ") || l.starts_with("SCAN d"))
                .count();
            matches!((range, key), (Some(r), Some(k)) if r < k) && others == 1
        }
        Backend::Postgres => {
            let range = plan
                .iter()
                .position(|l| l.contains("_mots") && l.contains("Index") && l.contains("Scan"));
            let reads: Vec<usize> = plan
                .iter()
                .enumerate()
                .filter(|(_, l)| l.contains(" on demandes"))
                .map(|(i, _)| i)
                .collect();
            let [read] = reads[..] else {
                return false;
            };
            plan[read].contains("Index Scan using demandes_pkey on demandes")
                && plan
                    .get(read + 1)
                    .is_some_and(|l| l.contains("Index Cond: (id = ") && l.contains(".demande_id)"))
                && matches!(range, Some(r) if r < read)
        }
    }
}

#[test]
fn a_full_scan_and_a_sort_are_faults() {
    let sqlite = |s: &[&str]| {
        faults(
            Backend::Sqlite,
            &s.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(sqlite(&["SCAN demandes"]).len(), 1);
    assert_eq!(sqlite(&["SCAN t USING INDEX account_tokens_user"]).len(), 1);
    assert_eq!(sqlite(&["USE TEMP B-TREE FOR ORDER BY"]).len(), 1);
    assert!(sqlite(&[
        "SEARCH demandes USING INDEX demandes_school_updated (school_id=?)",
        "SCAN p"
    ])
    .is_empty());
    let pg = |s: &[&str]| {
        faults(
            Backend::Postgres,
            &s.iter().map(|l| l.to_string()).collect::<Vec<_>>(),
        )
    };
    assert_eq!(
        pg(&["Seq Scan on demandes  (cost=0.00..1.01 rows=1 width=8)"]).len(),
        1
    );
    assert_eq!(
        pg(&["  ->  Sort  (cost=1.02..1.03 rows=1 width=8)"]).len(),
        1
    );
    assert!(pg(&["Index Only Scan using demandes_school_updated on demandes"]).is_empty());
}

/// A school with 1 000 demandes (50 pages): a deep page shows a window of pages, not a link
/// per page, in date order (newest first), with the right count; the search finds by name and
/// the state filter narrows — both through the same index-only statements.
#[tokio::test]
async fn a_big_school_list_pages_through_a_window() {
    let app = TestApp::new().await;
    let hash = app::server::passwords::hash_password(app::server::bench::PASSWORD.into())
        .await
        .unwrap();
    let size = app::server::bench::Size {
        demandes: 2_000,
        ecoles: 2,
        grande_ecole: 1_000,
        a_expirer: 0,
        a_relancer: 0,
    };
    app::server::bench::seed(&app.ctx.db, size, &hash.0, app.ctx.now())
        .await
        .unwrap();
    let token = app
        .login_ok("pro", "banc.ecole.1", app::server::bench::PASSWORD)
        .await;
    let page = app.get("/ecole/demandes?page=20", Some(&token)).await;
    assert!(page.body.contains("1000 demandes"), "{}", page.body);
    let numbers = page.body.matches("title=\"Page ").count();
    assert_eq!(numbers, 7, "1, 18 à 22 et 50");
    for n in [1, 18, 19, 21, 22, 50] {
        assert!(
            page.body.contains(&format!("page={n}\"")),
            "pas de lien vers la page {n}"
        );
    }
    assert!(!page.body.contains("page=30\""));
    assert!(page
        .body
        .contains("aria-current=\"page\" title=\"Page 20\""));
    // Page 20, newest first: demandes 620 down to 601 (ids follow their dates; 620 is a
    // draft, without a number).
    let first = page.body.find("99-261101-619<").expect("demande 619");
    let last = page.body.find("99-261101-601<").expect("demande 601");
    assert!(first < last);
    assert!(!page.body.contains("99-261101-599<") && !page.body.contains("99-261101-621<"));

    // Deep in the list, the page is read from the other end: page 45 is 120 down to 101, the
    // last page 20 down to 1.
    let deep = app.get("/ecole/demandes?page=45", Some(&token)).await;
    let first = deep.body.find("99-261101-119<").expect("demande 119");
    let last = deep.body.find("99-261101-101<").expect("demande 101");
    assert!(first < last);
    assert!(!deep.body.contains("99-261101-121<") && !deep.body.contains("99-261101-99<"));
    let end = app
        .get("/ecole/demandes?page=50&tri=anciennes", Some(&token))
        .await;
    let first = end.body.find("99-261101-981<").expect("demande 981");
    let last = end.body.find("99-261101-999<").expect("demande 999");
    assert!(first < last);
    assert!(!end.body.contains("99-261101-979<"));

    let found = app.get("/ecole/demandes?q=martin", Some(&token)).await;
    // One candidate in 50 is a Martin (the drafts of the seed have no number but a name): few
    // enough to be counted from the matches read once.
    assert!(found.body.contains("20 demandes"), "{}", found.body);
    // Part of a number: its most selective word (« 61 », not the « 99 » and « 261101 » every
    // number of the seed starts with) reads the word index — 61 and 610 to 619, none a draft.
    let number = app
        .get("/ecole/demandes?q=99-261101-61", Some(&token))
        .await;
    assert!(number.body.contains("11 demandes"), "{}", number.body);
    for n in [61, 610, 619] {
        assert!(number.body.contains(&format!("99-261101-{n}<")), "{n}");
    }
    assert!(!number.body.contains("99-261101-62<"));
    // Every numbered demande matches: more than are read at once, counted, then a page read —
    // page 2 is 978 down to 958 (960 is a draft, without a number).
    let many = app
        .get("/ecole/demandes?q=99-261101&page=2", Some(&token))
        .await;
    assert!(many.body.contains("950 demandes"), "{}", many.body);
    let first = many.body.find("99-261101-978<").expect("demande 978");
    let last = many.body.find("99-261101-958<").expect("demande 958");
    assert!(first < last);
    assert!(!many.body.contains("99-261101-979<") && !many.body.contains("99-261101-957<"));
    let transmises = app
        .get("/ecole/demandes?etat=transmise", Some(&token))
        .await;
    assert!(
        transmises.body.contains("300 demandes"),
        "{}",
        transmises.body
    );

    // The agent of the big school's centre: « À instruire » holds the school's 300 transmitted
    // demandes (the other school's go to another centre), counted by the database; a name
    // (demandes 4, 104, … 904 are Faure and transmitted) is found in the queue.
    let agent = app
        .login_ok(
            "pro",
            app::server::bench::AGENT,
            app::server::bench::PASSWORD,
        )
        .await;
    let queue = app.get("/pro", Some(&agent)).await;
    assert!(
        queue.body.contains("À instruire : 300 demandes"),
        "{}",
        queue.body
    );
    let found = app.get("/pro?q=faure", Some(&agent)).await;
    assert!(
        found.body.contains("À instruire : 10 demandes"),
        "{}",
        found.body
    );

    // The seed filled the word index as the migration does.
    app.assert_search_index_kept().await;

    // The counts the list shows are kept by the database through every kind of change.
    let pool = app.ctx.db.pool();
    for sql in [
        "INSERT INTO certs (id, nom, adresse, email, telephone, created_at)
         VALUES (99, 'CERT de test', '', 'cert@example.org', '', 0)",
        // Demandes reach the centre, one is decided, one goes back to a draft.
        "UPDATE demandes SET cert_id = 99 WHERE id BETWEEN 30 AND 40",
        "UPDATE demandes SET etat = 'inscrite' WHERE id = 31",
        "UPDATE demandes SET etat = 'brouillon' WHERE id = 32",
        "DELETE FROM demandes WHERE id = 33",
        "UPDATE demandes SET etat = 'transmise' WHERE id = 41",
        "UPDATE demandes SET school_id = 2 WHERE id = 42",
        "DELETE FROM demandes WHERE id = 60",
        "UPDATE demandes SET etat = 'attente_usager' WHERE id IN (43, 44, 45)",
    ] {
        sqlx::query(sql).execute(pool).await.unwrap();
    }
    app.assert_counts_kept().await;
    let all = app.get("/ecole/demandes", Some(&token)).await;
    assert!(all.body.contains("997 demandes"), "{}", all.body);
}

/// The paper forms of the professional space: each state read in the order of its index, the
/// few rows kept then merged. Written `etat IN (…) ORDER BY decided_at`, PostgreSQL read every
/// expected form and sorted them all (the agent's page at 15 a second with a million demandes).
#[tokio::test]
async fn the_paper_forms_are_read_in_index_order() {
    let app = TestApp::new().await;
    let backend = app.ctx.db.backend();
    let sql = app::server::supervision::paper_forms_statement();
    let lines = plan(
        &app,
        &sql,
        &[
            P::T("attente_papier".into()),
            P::T("papier_non_recu".into()),
        ],
    )
    .await;
    let bad: Vec<&String> = lines
        .iter()
        .filter(|line| {
            let step = line.trim().trim_start_matches("->").trim();
            match backend {
                Backend::Sqlite => step.starts_with("SCAN demandes"),
                // A full sort of what was read; an incremental sort of rows read in date order
                // (ties on the id) stops at the limit.
                Backend::Postgres => {
                    step.contains("Seq Scan")
                        || (step.starts_with("Sort ") && step.contains("(cost="))
                }
            }
        })
        .collect();
    assert!(bad.is_empty(), "{bad:?} dans\n{}", lines.join("\n"));
    assert!(
        lines.iter().any(|l| l.contains("demandes_etat")),
        "{}",
        lines.join("\n")
    );
}
