//! The word index of the lists' search. Each word of a demande's `recherche` (its number and
//! names, folded by `domain::communes::fold`) is a row keyed by the school (`demande_mots`)
//! and, once the demande is at a centre, by the centre (`cert_mots`): a search reads the
//! demandes whose words start with the search's most selective word in that school or centre
//! — a few entries for a rare name or a number, a thousand for the commonest name among 50 000
//! demandes — instead of reading every `recherche` of the school. The index is a superset
//! (every match is in it); the other words and filters are checked on the demandes it names.
//!
//! A search matches a demande when each of its words starts one of the demande's words: « mart »
//! finds Martin, « jean martin » and « martin jean » both find Jean Martin, « 0042 » finds the
//! number …-0042. Written only by `reindex`, called after every statement that changes
//! `recherche` or `cert_id`, in the same transaction; a deleted demande's words go with it
//! (foreign key, `ON DELETE CASCADE`).

use sqlx::AnyConnection;

use super::db::{bind_all, id_list, Backend, Bind};
use super::Db;
use crate::error::AppError;

/// A search's words beyond this many are ignored (each costs a condition on every candidate).
pub const MOST_WORDS: usize = 8;

/// The most candidates read through the index (their ids are carried out whole).
pub const DRIVEN_AT_MOST: i64 = 5_000;

/// A candidate read through the index costs a lookup of its demande, about this many times the
/// reading of one entry of the list's own index: the index is used when its entries for the
/// driving word are fewer than the list's entries divided by this. On the bench's million
/// demandes, SQLite: 1.6 µs and 0.1 µs (16); PostgreSQL: about 3 µs and 0.45 µs (`EXPLAIN
/// ANALYZE` of the two plans, warm: 6). A rare name among 50 000 is a few lookups; « martin » in
/// the bench's 50 names, 1 000 of 50 000, still is; « 75 », or a letter, reads the list.
pub fn lookup_cost(backend: Backend) -> i64 {
    match backend {
        Backend::Sqlite => 16,
        Backend::Postgres => 6,
    }
}

/// A search of several words first counts this many entries of each (`indexed_matches`).
pub const FEW_ENTRIES: i64 = 64;

/// The words of a search, folded like `recherche`, without repeats, in the order typed.
pub fn of_search(q: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    for w in crate::domain::communes::fold(q).split_whitespace() {
        if words.len() < MOST_WORDS && !words.iter().any(|k| k == w) {
            words.push(w.to_string());
        }
    }
    words
}

/// Whether `recherche` (folded) matches every word of a search (`of_search`): each word
/// starts one of its words. The same rule as the SQL of the lists, for lists read whole.
pub fn matches(recherche: &str, words: &[String]) -> bool {
    words
        .iter()
        .all(|w| recherche.split(' ').any(|m| m.starts_with(w.as_str())))
}

/// `[low, high)`: the words starting with `w`, in byte order (SQLite's BINARY, PostgreSQL's
/// `COLLATE "C"` on the `mot` columns). `high` is `w` with its last character made the next one.
pub fn prefix_range(w: &str) -> (String, String) {
    let mut high: Vec<char> = w.chars().collect();
    while let Some(last) = high.pop() {
        let next = (last as u32 + 1..=char::MAX as u32).find_map(char::from_u32);
        if let Some(next) = next {
            high.push(next);
            return (w.to_string(), high.into_iter().collect());
        }
    }
    // Only characters U+10FFFF: every word from `w` on.
    (
        w.to_string(),
        char::MAX.to_string().repeat(w.chars().count() + 1),
    )
}

/// The `LIKE … ESCAPE '\'` patterns checking that a word of `recherche` starts with `w`:
/// anywhere (a cheap first test, which most entries of a list read whole fail), then as its
/// first word or after a space. (`' ' || recherche LIKE '% W%'` builds a string per entry:
/// 14 ms for a school of 50 000 on the bench's SQLite, these 9, the substring alone 8.)
pub fn word_patterns(w: &str) -> [String; 3] {
    let escaped = w
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    [
        format!("%{escaped}%"),
        format!("{escaped}%"),
        format!("% {escaped}%"),
    ]
}

/// Appends to `filter` one condition per word (its patterns bound in `binds`): the checks a
/// demande read through the index, or through the list's own index, must pass.
pub fn push_word_checks(filter: &mut String, binds: &mut Vec<Bind>, words: &[String]) {
    for w in words {
        let at = binds.len();
        binds.extend(word_patterns(w).map(Bind::T));
        let like = |k: usize| format!("recherche LIKE ${} ESCAPE '\\'", at + k);
        filter.push_str(&format!(
            " AND {} AND ({} OR {})",
            like(1),
            like(2),
            like(3)
        ));
    }
}

/// The statements of a search read through the word index of `table` (`demande_mots` keyed by
/// `school_id`, `cert_mots` keyed by `cert_id`).
#[derive(Debug)]
pub struct IndexedSearch {
    /// How many index entries a word has, up to a limit; parameters: `key`, the word's range
    /// (`ranges`), the limit.
    pub probe: String,
    pub key: i64,
    /// The range of each word of the search (`prefix_range`), in the order typed.
    pub ranges: Vec<(String, String)>,
    /// The ids of every match in list order, read through the range of the word with the
    /// fewest entries (a demande twice when two of its words are in it: `indexed_matches`
    /// keeps one); parameters: `binds`, then that range.
    pub ids: String,
    pub binds: Vec<Bind>,
}

/// The indexed search of `table` keyed by `key`: the list's `filter` (with the word checks, its
/// parameters `binds`) and `order` (`ORDER BY …`), the search's `words`.
pub fn indexed_search(
    table: &str,
    key_column: &str,
    key: i64,
    filter: &str,
    binds: &[Bind],
    order: &str,
    words: &[String],
) -> Option<IndexedSearch> {
    if words.is_empty() {
        return None;
    }
    let probe = format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {key_column} = $1 AND mot >= $2
         AND mot < $3 LIMIT $4) e"
    );
    let mut all = binds.to_vec();
    all.push(Bind::I(key));
    let n = all.len();
    // The candidates drive, each one's demande read by its key. SQLite keeps a CROSS JOIN's
    // order. PostgreSQL weighs the join against walking the list's own index in its order
    // (the filter's school, state or tab) and checking each entry: at a million demandes it
    // chose the walk (the `LIKE` looks cheap and selective to it; 49 000 entries of the big
    // school read for « martin », 40 to 80 ms a search). The filter as a whole `IS TRUE`
    // gives it no condition to walk an index by: only the candidate's key is left.
    // `m` exposes only `demande_id`, so the filter's columns are the demande's.
    let ids = format!(
        "SELECT id FROM (SELECT demande_id FROM {table} WHERE {key_column} = ${n}
               AND mot >= ${} AND mot < ${}) m
         CROSS JOIN demandes d
         WHERE d.id = m.demande_id AND ({filter}) IS TRUE {order}",
        n + 1,
        n + 2
    );
    Some(IndexedSearch {
        probe,
        key,
        ranges: words.iter().map(|w| prefix_range(w)).collect(),
        ids,
        binds: all,
    })
}

/// The page at `offset` of an indexed search and how many match; `None` when even its most
/// selective word has more entries than `DRIVEN_AT_MOST` or than the `listed` entries of the
/// list's own index over `lookup_cost` (the caller reads the list's index instead).
pub async fn indexed_matches(
    db: &Db,
    search: &IndexedSearch,
    listed: i64,
    offset: i64,
    per_page: i64,
) -> Result<Option<(Vec<i64>, i64)>, AppError> {
    let most = DRIVEN_AT_MOST.min(listed / lookup_cost(db.backend()));
    // Each word's entries, counted up to what could be read: the number typed in part
    // (« 0042 ») drives rather than the département every number of the school starts with.
    // With several words, a first look at a few entries of each: the word with fewer drives
    // without the others being counted in full (« 99-261101-4321 »: the département and the
    // date are thousands of entries each, 3 126 read twice per search before, 10 to 20 ms
    // under PostgreSQL).
    let passes: &[i64] = if search.ranges.len() > 1 && most > FEW_ENTRIES {
        &[FEW_ENTRIES, most]
    } else {
        &[most]
    };
    let mut best: Option<(i64, &(String, String))> = None;
    for &cap in passes {
        for range in &search.ranges {
            let limit = best.map_or(cap, |(n, _)| n - 1);
            if limit < 0 {
                break;
            }
            let (entries,): (i64,) = sqlx::query_as(&search.probe)
                .bind(search.key)
                .bind(range.0.as_str())
                .bind(range.1.as_str())
                .bind(limit + 1)
                .fetch_one(db.pool())
                .await?;
            if entries <= limit {
                best = Some((entries, range));
            }
        }
        if best.is_some() {
            break;
        }
    }
    let Some((_, (low, high))) = best else {
        return Ok(None);
    };
    let mut ids: Vec<(i64,)> = bind_all(sqlx::query_as(&search.ids), &search.binds)
        .bind(low.as_str())
        .bind(high.as_str())
        .fetch_all(db.pool())
        .await?;
    // A demande read twice (two of its words start with the driving word) sorts next to itself.
    ids.dedup();
    Ok(Some(super::db::page_of(&ids, offset, per_page)))
}

/// The statements of a list's search (the school's, the centre's queue).
#[derive(Debug, Default)]
pub struct Search {
    /// Its matches read through the word index, tried first.
    pub indexed: Option<IndexedSearch>,
    /// The ids of its first `SEARCH_AT_ONCE + 1` matches in list order, from the list's own
    /// index; parameters: the list's.
    pub matches: Option<String>,
}

/// A search's page and count when they could be read at once: through the word index
/// (`listed`: how many entries the list's own index has for the other filters), else from the
/// first matches of the list's own index (parameters `binds`: `db::few_matches`). `None`: no
/// search, or too many matches: the caller counts and pages.
pub async fn search_matches(
    db: &Db,
    search: &Search,
    listed: i64,
    binds: &[Bind],
    offset: i64,
    per_page: i64,
) -> Result<Option<(Vec<i64>, i64)>, AppError> {
    if let Some(indexed) = &search.indexed {
        if let Some(found) = indexed_matches(db, indexed, listed, offset, per_page).await? {
            return Ok(Some(found));
        }
    }
    match &search.matches {
        Some(sql) => super::db::few_matches(db, sql, binds, offset, per_page).await,
        None => Ok(None),
    }
}

/// Brings the index entries of demandes `ids` in line with their `recherche`, `school_id` and
/// `cert_id` as they are now, on the caller's connection (inside its transaction). Only what
/// changed is written: an entry whose word is no longer in `recherche` (or whose school or
/// centre is no longer the demande's) is deleted, the words not yet there are added — a demande
/// erased to its trace loses its two names and keeps its number's words untouched.
pub async fn reindex(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), AppError> {
    for ids in ids.chunks(500) {
        let list = id_list(ids);
        remove_gone(conn, &list).await?;
        let rows: Vec<(i64, i64, Option<i64>, String)> = sqlx::query_as(&format!(
            "SELECT id, school_id, cert_id, recherche FROM demandes WHERE id IN ({list})"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let mut school = Vec::new();
        let mut cert = Vec::new();
        for (id, school_id, cert_id, recherche) in &rows {
            let mut seen: Vec<&str> = Vec::new();
            for w in recherche.split(' ').filter(|w| !w.is_empty()) {
                if seen.contains(&w) {
                    continue;
                }
                seen.push(w);
                school.push((*school_id, w, *id));
                if let Some(c) = cert_id {
                    cert.push((*c, w, *id));
                }
            }
        }
        insert(conn, "demande_mots", "school_id", &school).await?;
        insert(conn, "cert_mots", "cert_id", &cert).await?;
    }
    Ok(())
}

/// `reindex` for demandes erased to their trace (`demandes::run_erase`): their search text
/// became their number's words, which are already there (written with the number), so only
/// the entries of the names go. Reading the texts back and offering the kept words again cost
/// 1.9 s of the 7-day deletion of 100 000 accounts under PostgreSQL, for no row written.
pub async fn unindex_erased(conn: &mut AnyConnection, ids: &[i64]) -> Result<(), AppError> {
    for ids in ids.chunks(500) {
        remove_gone(conn, &id_list(ids)).await?;
    }
    Ok(())
}

/// Deletes the entries of the demandes `list` (ids, comma-separated) whose word is no longer in
/// their `recherche`, or whose school or centre is no longer theirs.
async fn remove_gone(conn: &mut AnyConnection, list: &str) -> Result<(), AppError> {
    let find = match Backend::of_name(conn.backend_name()) {
        Backend::Sqlite => "instr",
        Backend::Postgres => "strpos",
    };
    for (table, key) in [("demande_mots", "school_id"), ("cert_mots", "cert_id")] {
        sqlx::query(&format!(
            "DELETE FROM {table} WHERE demande_id IN ({list}) AND NOT EXISTS (
                 SELECT 1 FROM demandes d WHERE d.id = {table}.demande_id
                 AND d.{key} = {table}.{key}
                 AND {find}(' ' || d.recherche || ' ', ' ' || {table}.mot || ' ') > 0)"
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Inserts the `(key, mot, demande_id)` rows not there yet, 300 per statement (900
/// parameters).
async fn insert(
    conn: &mut AnyConnection,
    table: &str,
    key_column: &str,
    rows: &[(i64, &str, i64)],
) -> Result<(), AppError> {
    for rows in rows.chunks(300) {
        let values: Vec<String> = (0..rows.len())
            .map(|k| format!("(${}, ${}, ${})", 3 * k + 1, 3 * k + 2, 3 * k + 3))
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({key_column}, mot, demande_id) VALUES {} ON CONFLICT DO NOTHING",
            values.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for (key, mot, id) in rows {
            q = q.bind(*key).bind(*mot).bind(*id);
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Fills both indexes from every demande (the bench's seed; the migration that created them
/// has the same statements but for the order): the words of `recherche`, split by a recursive
/// query, then the centre's entries from the school's. Under PostgreSQL the entries are written
/// in the order of their demande, as the service writes them (a demande's words together): in
/// the order of the key, each demande's five entries lay on five pages of the table, and erasing
/// 500 demandes read 2 400 pages of it (5.4 s of the 7-day deletion of 100 000). SQLite
/// keeps the table in the order of its key whatever the order of writing (`WITHOUT ROWID`).
pub fn fill_all(backend: Backend) -> [String; 2] {
    let (find, by_demande, by_demande_m) = match backend {
        Backend::Sqlite => ("instr", "", ""),
        Backend::Postgres => ("strpos", " ORDER BY id", " ORDER BY m.demande_id"),
    };
    [
        format!(
            "WITH RECURSIVE decoupe (id, school_id, mot, reste) AS (
                 SELECT id, school_id, CAST('' AS TEXT), recherche || ' ' FROM demandes
                 UNION ALL
                 SELECT id, school_id, substr(reste, 1, {find}(reste, ' ') - 1),
                        substr(reste, {find}(reste, ' ') + 1)
                 FROM decoupe WHERE reste <> ''
             )
             INSERT INTO demande_mots (school_id, mot, demande_id)
             SELECT DISTINCT school_id, mot, id FROM decoupe WHERE mot <> ''{by_demande}"
        ),
        format!(
            "INSERT INTO cert_mots (cert_id, mot, demande_id)
             SELECT d.cert_id, m.mot, m.demande_id FROM demande_mots m
             JOIN demandes d ON d.id = m.demande_id WHERE d.cert_id IS NOT NULL{by_demande_m}"
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        of_search(q)
    }

    #[test]
    fn a_search_matches_words_by_their_start_in_any_order() {
        let r = "75 261126 0042 JEAN PIERRE MARTIN";
        for q in [
            "mart",
            "Martin",
            "jean martin",
            "martin jean",
            "0042",
            "75-261126-0042",
        ] {
            assert!(matches(r, &words(q)), "{q}");
        }
        for q in ["artin", "martine", "jean dupont", "042"] {
            assert!(!matches(r, &words(q)), "{q}");
        }
        assert!(matches(r, &words("  ")), "no word: everything");
    }

    #[test]
    fn a_search_keeps_its_words_once_and_at_most_eight() {
        assert_eq!(words("Élodie élodie LEF"), vec!["ELODIE", "LEF"]);
        assert_eq!(words("a b c d e f g h i j").len(), MOST_WORDS);
    }

    #[test]
    fn the_range_holds_exactly_the_words_starting_with_the_prefix() {
        let (low, high) = prefix_range("MART");
        assert_eq!((low.as_str(), high.as_str()), ("MART", "MARU"));
        for inside in ["MART", "MARTIN", "MARTZZZZ", "MART\u{10FFFF}"] {
            assert!(low.as_str() <= inside && inside < high.as_str(), "{inside}");
        }
        for outside in ["MARS", "MARU", "MAR", "MARTA"[..3].as_ref()] {
            assert!(
                !(low.as_str() <= outside && outside < high.as_str()),
                "{outside}"
            );
        }
        // The next character skips the surrogates.
        assert_eq!(prefix_range("A\u{D7FF}").1, "A\u{E000}");
    }

    #[test]
    fn the_like_patterns_escape_the_wildcards() {
        assert_eq!(word_patterns("MAR"), ["%MAR%", "MAR%", "% MAR%"]);
        assert_eq!(word_patterns("100%_\\")[1], "100\\%\\_\\\\%");
    }
}
