#!/usr/bin/env bash
# Installs whatever is missing to build and run permis (and, with --test, to test it).
# Each step is skipped when already done, so a second run takes seconds.
#   scripts/setup.sh          build + run prerequisites
#   scripts/setup.sh --test   also Playwright, Chromium and PostgreSQL binaries
set -euo pipefail
cd "$(dirname "$0")/.."

FOR_TESTS=0
[ "${1:-}" = "--test" ] && FOR_TESTS=1

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }
need() { command -v "$1" >/dev/null 2>&1 || { echo "permis: '$1' est requis mais introuvable ($2)" >&2; exit 1; }; }

need cargo "installez Rust avec rustup"
need rustup "installez Rust avec rustup"
need node "installez Node.js 20"
need npm "installez Node.js 20"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends "$@" >/dev/null; }
}

# 1. The WASM target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "rustup target add wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 2. cargo-leptos 0.3.10, without its download features (no network at build time).
if ! cargo leptos --version 2>/dev/null | grep -q '0\.3\.10'; then
  say "cargo install cargo-leptos 0.3.10 (about 15 minutes on 2 cores, once)"
  cargo install cargo-leptos --version 0.3.10 --locked --features no_downloads
fi

# 3. The wasm-bindgen CLI at exactly the version of the wasm-bindgen crate in Cargo.lock.
WBG_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WBG_VERSION" ]; then
  say "cargo install wasm-bindgen-cli $WBG_VERSION"
  cargo install wasm-bindgen-cli --version "$WBG_VERSION"
fi

# 4. Front-end packages: DSFR and binaryen's wasm-opt (Debian's breaks hydration).
#    DSFR's preinstall script wants a project configuration we do not use: scripts are skipped.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -d node_modules/@gouvfr/dsfr/dist ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  say "npm ci (DSFR, binaryen)"
  npm ci --ignore-scripts --no-audit --no-fund
fi

# 5. DSFR copied into the site's assets (not committed), then the part of it the service uses,
#    at each run (under a second; a class or an icon added to the code is there at the next
#    build): public/dsfr/permis-dsfr.min.css, permis-icons.min.css, and Marianne reduced to the
#    Latin script (scripts/dsfr-subset.js says how). The full dsfr.min.css and icons.min.css stay.
DSFR_VERSION=$(node -p "require('./node_modules/@gouvfr/dsfr/package.json').version")
if [ "$(cat public/dsfr/VERSION 2>/dev/null)" != "$DSFR_VERSION" ]; then
  say "copie du DSFR $DSFR_VERSION dans public/dsfr"
  rm -rf public/dsfr
  mkdir -p public/dsfr/utility/icons
  src=node_modules/@gouvfr/dsfr/dist
  cp "$src/dsfr.min.css" public/dsfr/
  cp -r "$src/fonts" "$src/icons" "$src/favicon" public/dsfr/
  cp "$src/utility/icons/icons.min.css" public/dsfr/utility/icons/
  echo "$DSFR_VERSION" > public/dsfr/VERSION
fi
# fontTools (from PyPI) reduces the fonts; without it (offline), they stay whole.
if ! python3 -c 'import fontTools.subset, brotli' >/dev/null 2>&1; then
  say "pip install fonttools brotli"
  python3 -m pip install --quiet "fonttools>=4.40,<5" "brotli>=1.1" \
    || echo "permis: fontTools n'a pas pu être installé, les polices du DSFR restent entières" >&2
fi
node scripts/dsfr-subset.js

# 6. Postal codes and communes (Etalab data from npm `codes-postaux`) as a compact TSV file the
#    server loads at start: code postal, code INSEE, nom de la commune.
CP_SRC=node_modules/codes-postaux/codes-postaux.json
if [ ! -s generated/codes-postaux.tsv ] || [ "$CP_SRC" -nt generated/codes-postaux.tsv ]; then
  say "génération de generated/codes-postaux.tsv"
  mkdir -p generated
  node -e '
    const rows = require("./" + process.argv[1]);
    const seen = new Set();
    const out = [];
    for (const r of rows) {
      const line = [r.codePostal, r.codeCommune, r.nomCommune].join("\t");
      if (!seen.has(line)) { seen.add(line); out.push(line); }
    }
    out.sort();
    require("fs").writeFileSync("generated/codes-postaux.tsv", out.join("\n") + "\n");
  ' "$CP_SRC"
fi

# 6a. Leaked passwords (npm `@zxcvbn-ts/language-common`: 49 233 passwords of public breaches,
#     most frequent first), lower case: those of 12 characters or more, refused as they are; and
#     the 3 000 most frequent words of 6 to 11 letters, refused once the digits and symbols
#     people add around them are taken off (« soleil2024!! »). Compiled into the password check
#     of the server and the browser (app/src/domain/password.rs).
PW_SRC=node_modules/@zxcvbn-ts/language-common/src/passwords.json
if [ ! -s generated/mots-de-passe-longs.txt ] || [ "$PW_SRC" -nt generated/mots-de-passe-longs.txt ] \
   || [ scripts/setup.sh -nt generated/mots-de-passe-longs.txt ]; then
  say "génération de generated/mots-de-passe-{longs,racines}.txt"
  mkdir -p generated
  node -e '
    const list = require("./" + process.argv[1]).map((p) => p.toLowerCase());
    const long = [...new Set(list.filter((p) => [...p].length >= 12))].sort();
    const roots = [...new Set(list.filter((p) => /^[a-z]{6,11}$/.test(p)))].slice(0, 3000).sort();
    const fs = require("fs");
    fs.writeFileSync("generated/mots-de-passe-longs.txt", long.join("\n") + "\n");
    fs.writeFileSync("generated/mots-de-passe-racines.txt", roots.join("\n") + "\n");
  ' "$PW_SRC"
fi

# 6b. The TrueType font embedded in the generated PDFs (PERMIS_PDF_FONT).
if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  say "apt-get install fonts-dejavu-core"
  apt_install fonts-dejavu-core
fi

if [ "$FOR_TESTS" = 1 ]; then
  # 7. Playwright (its browser download is skipped: Debian's Chromium is used).
  if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
    say "npm ci (Playwright, axe-core)"
    (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --omit=optional --no-audit --no-fund)
  fi
  # 8. Chromium from Debian.
  if [ ! -x /usr/bin/chromium ]; then
    say "apt-get install chromium"
    apt_install chromium
  fi
  # 9. A local S3-compatible server for the storage tests (moto, from PyPI).
  if ! python3 -c 'import moto.server, boto3' >/dev/null 2>&1; then
    say "pip install moto[server]"
    python3 -m pip install --quiet "moto[server]>=5,<6"
  fi
  # 10. PostgreSQL server binaries, for the throwaway test cluster.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    say "apt-get install postgresql"
    apt_install postgresql
  fi
fi
