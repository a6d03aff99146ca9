//! One store for both backends: SQLite (embedded default) and PostgreSQL, through sqlx's `Any`
//! driver. Queries use `$1` placeholders, which both accept; timestamps are Unix seconds (BIGINT).

use std::str::FromStr;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::{AnyPool, Executor};

use crate::error::AppError;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend of a connection, from its driver's name (`AnyConnection::backend_name`).
    pub fn of_name(name: &str) -> Backend {
        if name.to_ascii_lowercase().starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating the SQLite file and its
    /// directory when missing. Does not migrate.
    pub async fn connect(url: &str) -> Result<Db, sqlx::Error> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            return Err(sqlx::Error::Configuration(
                format!(
                    "DATABASE_URL doit commencer par sqlite:// ou postgres:// (reçu « {url} »)"
                )
                .into(),
            ));
        };
        let url = match backend {
            Backend::Sqlite => prepare_sqlite_url(url)?,
            Backend::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(match backend {
                Backend::Sqlite => 8,
                Backend::Postgres => 16,
            })
            .acquire_timeout(Duration::from_secs(10))
            // No `SELECT 1` before handing out a SQLite connection: it is one more round trip to
            // the connection's thread per query (3 % of a list page under load), and an embedded
            // file does not drop a connection. PostgreSQL keeps it (a restarted server).
            .test_before_acquire(backend == Backend::Postgres)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Durability first: WAL with a full sync on commit, enforced foreign keys,
                        // and waiting (not failing) when another connection holds the write lock.
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = FULL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 5000",
                        ] {
                            conn.execute(pragma).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        Ok(Db { pool, backend })
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self.backend {
            Backend::Sqlite => SQLITE_MIGRATIONS.run(&self.pool).await,
            Backend::Postgres => POSTGRES_MIGRATIONS.run(&self.pool).await,
        }
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether the database answers (for `/healthz`).
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://data/permis.db` → creates `data/` and asks SQLite to create the file when missing.
fn prepare_sqlite_url(url: &str) -> Result<String, sqlx::Error> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    if path != ":memory:" && !path.is_empty() {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|e| {
                    sqlx::Error::Configuration(
                        format!("impossible de créer le dossier {}: {e}", dir.display()).into(),
                    )
                })?;
            }
        }
    }
    let mode = if query.contains("mode=") {
        ""
    } else {
        "mode=rwc"
    };
    let sep = if query.is_empty() || mode.is_empty() {
        ""
    } else {
        "&"
    };
    Ok(format!("sqlite://{path}?{query}{sep}{mode}"))
}

/// A parameter of a statement written at run time (the lists' filters in use).
#[derive(Clone, Debug)]
pub enum Bind {
    I(i64),
    T(String),
}

/// `q` with `binds`, in order.
pub fn bind_all<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>,
    binds: &'q [Bind],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>> {
    for b in binds {
        q = match b {
            Bind::I(i) => q.bind(*i),
            Bind::T(t) => q.bind(t.as_str()),
        };
    }
    q
}

/// Up to this many matches of a search in a list are read at once, count and page together. A
/// rare name is then found in one reading of the school's index instead of two (the count, then
/// a page that reads to the end for its few rows); a common one stops this reading early and is
/// counted (a thousand ids carried out of SQLite cost more than the second reading saves: the
/// benchmark's « martin », 1 000 matches in 50 000, went from 141 to 117 pages/s at 1 000).
pub const SEARCH_AT_ONCE: i64 = 100;

/// A search in a list (the school's, the centre's queue): `sql` reads the ids of its first
/// `SEARCH_AT_ONCE + 1` matches in list order. When they are all of them, the ids of the page
/// at `offset` and how many match — one reading of the index instead of a count and a page.
pub async fn few_matches(
    db: &Db,
    sql: &str,
    binds: &[Bind],
    offset: i64,
    per_page: i64,
) -> Result<Option<(Vec<i64>, i64)>, AppError> {
    let ids: Vec<(i64,)> = bind_all(sqlx::query_as(sql), binds)
        .fetch_all(db.pool())
        .await?;
    if ids.len() as i64 > SEARCH_AT_ONCE {
        return Ok(None);
    }
    Ok(Some(page_of(&ids, offset, per_page)))
}

/// The ids of the page at `offset` among all the matches `ids` (in list order), and how many.
pub fn page_of(ids: &[(i64,)], offset: i64, per_page: i64) -> (Vec<i64>, i64) {
    let page = ids
        .iter()
        .skip(offset.max(0) as usize)
        .take(per_page.max(0) as usize)
        .map(|(id,)| *id)
        .collect();
    (page, ids.len() as i64)
}

/// How to read the page at `offset` of a list of `total`: (limit, offset, from the other end).
/// A page in the second half is read from the end, in the opposite order: page 2 400 of
/// 2 500 skips 1 980 index entries, not 47 980.
pub fn page_window(offset: i64, per_page: i64, total: i64) -> (i64, i64, bool) {
    if offset > total / 2 && offset < total {
        let limit = per_page.min(total - offset);
        (limit, total - offset - limit, true)
    } else {
        (per_page, offset, false)
    }
}

/// Whether a database error is a unique-constraint violation (both backends).
/// `1, 2, 3`: ids read from the database (integers, never user text), written into a
/// statement's `IN (…)` — the batches of the jobs, whatever their size, in one statement.
pub fn id_list(ids: &[i64]) -> String {
    ids.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn is_unique_violation(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::Database(db) => db.is_unique_violation(),
        _ => false,
    }
}

/// A unique constraint's violation as the message of the form field it concerns (after
/// realworld-axum-sqlx's `on_constraint`): `insert.await.on_unique("agrement", "… existe déjà.")`.
pub trait ResultExt<T> {
    fn on_unique(self, field: &str, message: &str) -> Result<T, AppError>;
}

impl<T> ResultExt<T> for Result<T, sqlx::Error> {
    fn on_unique(self, field: &str, message: &str) -> Result<T, AppError> {
        self.map_err(|e| {
            if is_unique_violation(&e) {
                AppError::field(field, message)
            } else {
                e.into()
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::prepare_sqlite_url;

    #[test]
    fn sqlite_urls_create_the_file() {
        let dir = std::env::temp_dir().join(format!("permis-url-{}", std::process::id()));
        let url = format!("sqlite://{}/x.db", dir.display());
        assert_eq!(
            prepare_sqlite_url(&url).unwrap(),
            format!("sqlite://{}/x.db?mode=rwc", dir.display())
        );
        assert!(dir.is_dir());
        assert_eq!(
            prepare_sqlite_url("sqlite://:memory:").unwrap(),
            "sqlite://:memory:?mode=rwc"
        );
        assert_eq!(
            prepare_sqlite_url("sqlite://:memory:?mode=memory").unwrap(),
            "sqlite://:memory:?mode=memory"
        );
        let _ = std::fs::remove_dir_all(dir);
    }

    /// The PostgreSQL spelling of a SQLite migration line: the only differences allowed
    /// between the twins are the types SQLite requires (`INTEGER PRIMARY KEY` is its rowid
    /// alias; its integers are 64-bit, PostgreSQL's `INTEGER` is not) and the kind of a
    /// generated column added to a table (SQLite adds only `VIRTUAL` ones, PostgreSQL only
    /// `STORED` ones).
    fn as_postgres(sqlite_line: &str) -> String {
        if sqlite_line == ") VIRTUAL;" {
            return ") STORED;".into();
        }
        let line = sqlite_line.replace(
            "INTEGER PRIMARY KEY",
            "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
        );
        let mut out = String::new();
        let mut rest = line.as_str();
        while let Some(i) = rest.find("INTEGER") {
            let before = rest[..i].chars().last();
            let after = rest[i + 7..].chars().next();
            let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
            out.push_str(&rest[..i]);
            out.push_str(if word(before) || word(after) {
                "INTEGER"
            } else {
                "BIGINT"
            });
            rest = &rest[i + 7..];
        }
        out.push_str(rest);
        out
    }

    /// The lines of a migration to compare with its twin: the blocks each database writes its
    /// own way (triggers: SQLite's bodies, PostgreSQL's functions), between `BLOCK_START` and
    /// `BLOCK_END`, count as one line each.
    fn comparable(text: &str, spell: fn(&str) -> String) -> Vec<String> {
        let mut lines = Vec::new();
        let mut inside = false;
        for line in text.lines() {
            if line == BLOCK_START {
                assert!(!inside, "block opened twice");
                inside = true;
                lines.push(line.to_string());
            } else if line == BLOCK_END {
                assert!(inside, "block closed without being opened");
                inside = false;
            } else if !inside {
                lines.push(spell(line));
            }
        }
        assert!(!inside, "block left open");
        lines
    }

    const BLOCK_START: &str = "-- Propre à chaque base : début.";
    const BLOCK_END: &str = "-- Propre à chaque base : fin.";

    /// The two migration folders stay twins: the same files, and in each the same lines but
    /// for the spelling of types and the blocks marked as each database's own.
    #[test]
    fn the_migration_twins_do_not_drift() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations");
        let names = |dir: &str| {
            let mut names: Vec<String> = std::fs::read_dir(root.join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let files = names("sqlite");
        assert_eq!(
            files,
            names("postgres"),
            "the same migrations on both sides"
        );
        assert!(!files.is_empty());
        for name in files {
            let sqlite = std::fs::read_to_string(root.join("sqlite").join(&name)).unwrap();
            let postgres = std::fs::read_to_string(root.join("postgres").join(&name)).unwrap();
            let expected = comparable(&sqlite, as_postgres);
            let actual = comparable(&postgres, str::to_string);
            assert_eq!(
                expected.len(),
                actual.len(),
                "{name}: not the same number of lines"
            );
            for (n, (e, a)) in expected.iter().zip(&actual).enumerate() {
                assert_eq!(e, a, "{name}, line {}: the twins differ", n + 1);
            }
        }
    }

    #[test]
    fn only_the_types_are_respelled() {
        assert_eq!(
            as_postgres("    id INTEGER PRIMARY KEY,"),
            "    id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
        );
        assert_eq!(as_postgres("at INTEGER NOT NULL"), "at BIGINT NOT NULL");
        assert_eq!(as_postgres("x TEXT -- INTEGERS"), "x TEXT -- INTEGERS");
        assert_ne!(as_postgres("x TEXT NOT NULL"), "x TEXT");
    }
}
