//! The lists of passwords from public breaches that the password rules (`domain::password`)
//! refuse: npm `@zxcvbn-ts/language-common`, derived by `scripts/setup.sh` into `generated/`
//! (lower case, sorted):
//! - the passwords of 12 characters or more, refused as they are;
//! - the 3 000 most frequent ones made of 6 to 11 letters, refused once the digits and symbols
//!   around them are taken off (padded to 12 characters, they are still guessed first).
//!
//! The server has them compiled in. Every visitor would otherwise download them in the main
//! WASM: the browser fetches them (`PATH`, 12 KB compressed, kept a day) only on the pages where
//! a password is chosen. Until they have arrived its check skips them — the server's, on
//! submit, never does.

/// The server's route for the file sent to browsers: the long passwords, a line `--`, the roots.
pub const PATH: &str = "/mots-de-passe-compromis.txt";

/// Between the two lists in that file.
const SEPARATOR: &str = "\n--\n";

#[cfg(not(feature = "hydrate"))]
mod compiled {
    const LONG: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/mots-de-passe-longs.txt"
    ));
    const ROOTS: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../generated/mots-de-passe-racines.txt"
    ));

    /// (long passwords, roots), one per line.
    pub fn lists() -> (&'static str, &'static str) {
        (LONG, ROOTS)
    }

    /// The file sent to browsers.
    pub fn file() -> String {
        format!("{}{}{ROOTS}", LONG.trim_end(), super::SEPARATOR)
    }
}

#[cfg(not(feature = "hydrate"))]
pub use compiled::{file, lists};

#[cfg(feature = "hydrate")]
mod fetched {
    static RECEIVED: std::sync::OnceLock<(String, String)> = std::sync::OnceLock::new();

    /// (long passwords, roots) once the file has arrived, else two empty lists.
    pub fn lists() -> (&'static str, &'static str) {
        RECEIVED
            .get()
            .map(|(long, roots)| (long.as_str(), roots.as_str()))
            .unwrap_or(("", ""))
    }

    /// The browser got the file of `PATH`.
    pub fn receive(file: &str) {
        if let Some((long, roots)) = file.split_once(super::SEPARATOR) {
            let _ = RECEIVED.set((long.to_string(), roots.to_string()));
        }
    }

    pub fn received() -> bool {
        RECEIVED.get().is_some()
    }
}

#[cfg(feature = "hydrate")]
pub use fetched::{lists, receive, received};

#[cfg(all(test, not(feature = "hydrate")))]
mod tests {
    use super::*;

    /// The browser's copy of the lists is the server's, split where the server joined them.
    #[test]
    fn the_file_sent_to_browsers_holds_both_lists() {
        let file = file();
        let (long, roots) = file.split_once(SEPARATOR).unwrap();
        let (compiled_long, compiled_roots) = lists();
        assert_eq!(
            long.lines().collect::<Vec<_>>(),
            compiled_long.lines().collect::<Vec<_>>()
        );
        assert_eq!(roots, compiled_roots);
        assert!(long.lines().count() > 100 && roots.lines().count() > 1000);
        assert!(!long.contains(SEPARATOR) && !roots.contains(SEPARATOR));
    }
}
