//! The addresses the pages give for the site's style files, each carrying its version so that
//! browsers keep them a year without asking (`Cache-Control: immutable`, see the server's
//! `static_cache_control`): the service's own style as cargo-leptos renamed it with its hash
//! (`hash-files`), the DSFR's with `?v=` and the start of the SHA-256 of their content.
//! Read once at start from the built site.

use std::path::Path;
use std::sync::OnceLock;

use sha2::{Digest, Sha256};

use crate::routes::site_file;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Assets {
    /// The DSFR components the service uses (`scripts/dsfr-subset.js`).
    pub dsfr: String,
    /// The DSFR icons the service uses.
    pub icons: String,
    /// The service's own style (`style/main.css`, built by cargo-leptos).
    pub app: String,
}

/// The DSFR files made by `scripts/dsfr-subset.js`, under the site's root.
pub const DSFR_CSS: &str = "dsfr/permis-dsfr.min.css";
pub const DSFR_ICONS: &str = "dsfr/permis-icons.min.css";

/// The file cargo-leptos writes when it renames the site's files with their hash
/// (`hash-file-name` in Cargo.toml), under the site's root.
pub const HASH_FILE: &str = "hash.txt";

static ASSETS: OnceLock<Assets> = OnceLock::new();

impl Assets {
    /// The addresses for the site built under `root`; `output_name` is cargo-leptos's name of
    /// the package's files (`permis`).
    pub fn of_site(root: &Path, output_name: &str) -> Assets {
        let versioned = |file: &str| {
            let version = std::fs::read(root.join(file))
                .ok()
                .map(|bytes| hex::encode(Sha256::digest(&bytes))[..12].to_string());
            site_file(file, version.as_deref())
        };
        let css_hash = std::fs::read_to_string(root.join(HASH_FILE))
            .ok()
            .and_then(|hashes| {
                hashes.lines().find_map(|line| {
                    let (kind, hash) = line.split_once(':')?;
                    (kind.trim() == "css").then(|| hash.trim().to_string())
                })
            });
        let app = match css_hash {
            Some(hash) => site_file(&format!("pkg/{output_name}.{hash}.css"), None),
            None => site_file(&format!("pkg/{output_name}.css"), None),
        };
        Assets {
            dsfr: versioned(DSFR_CSS),
            icons: versioned(DSFR_ICONS),
            app,
        }
    }
}

/// Called once at start (the first call wins).
pub fn init(root: &Path, output_name: &str) -> &'static Assets {
    ASSETS.get_or_init(|| Assets::of_site(root, output_name))
}

/// The addresses set at start (unversioned ones if the site was never read).
pub fn get() -> &'static Assets {
    ASSETS.get_or_init(|| Assets::of_site(Path::new("/nonexistent"), "permis"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_carry_the_version_of_what_they_name() {
        let root = std::env::temp_dir().join(format!("permis-assets-{}", std::process::id()));
        std::fs::create_dir_all(root.join("dsfr")).unwrap();
        // A site built without hashes, with no DSFR subset: plain addresses.
        let plain = Assets::of_site(&root, "permis");
        assert_eq!(plain.app, "/pkg/permis.css");
        assert_eq!(plain.dsfr, "/dsfr/permis-dsfr.min.css");

        std::fs::write(root.join(DSFR_CSS), ".fr-btn{color:#000091}").unwrap();
        std::fs::write(root.join(DSFR_ICONS), ".fr-icon-mail-line::before{}").unwrap();
        std::fs::write(
            root.join(HASH_FILE),
            "js: aaaaaaaaaaaaaaaaaaaaaa\nwasm: bbbbbbbbbbbbbbbbbbbbbb\ncss: kP3xQw-9_aZb0cD1eF2gH3\n",
        )
        .unwrap();
        let first = Assets::of_site(&root, "permis");
        assert_eq!(first.app, "/pkg/permis.kP3xQw-9_aZb0cD1eF2gH3.css");
        assert!(
            first.dsfr.starts_with("/dsfr/permis-dsfr.min.css?v="),
            "{}",
            first.dsfr
        );
        assert!(first.icons.starts_with("/dsfr/permis-icons.min.css?v="));
        // Another content, another address: browsers holding the old file fetch the new one.
        std::fs::write(root.join(DSFR_CSS), ".fr-btn{color:#000092}").unwrap();
        let second = Assets::of_site(&root, "permis");
        assert_ne!(first.dsfr, second.dsfr);
        assert_eq!(first.icons, second.icons);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
