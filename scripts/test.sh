#!/usr/bin/env bash
# README command 2: the whole suite.
#   0. the rules of the house (scripts/checks.sh, a few seconds);
#   1. Rust unit and integration tests on SQLite;
#   2. the same integration tests on a throwaway PostgreSQL cluster;
#   3. the Playwright suite (Debian Chromium) against a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
rm -f target/rapport-tests.txt

echo "== 0/3 Règles de la maison (scripts/checks.sh)"
scripts/checks.sh

echo "== 1/3 Tests Rust (SQLite, stockage local et S3 jetable)"
scripts/s3-test-server.sh cargo test --workspace

# The same selection of packages as stage 1 (so the same features): nothing is compiled again,
# only the integration test binary runs, on PostgreSQL.
echo "== 2/3 Tests d'intégration (PostgreSQL)"
scripts/s3-test-server.sh scripts/pg-test-cluster.sh cargo test --workspace --test it

echo "== Mesures des tests d'intégration"
cat target/rapport-tests.txt 2>/dev/null || true

echo "== 3/3 Tests de bout en bout (Playwright, build release)"
export PATH="$PWD/node_modules/.bin:$PATH"
cargo leptos build --release --split
# The room wasm-split had for the constant data: without it, all of it stays in the main module.
python3 scripts/rodata-margin.py 1024
scripts/precompress.sh
scripts/page-weight.sh   # poids au fil d'une première visite : /connexion, /monespace, une étape (budgets)

# Size budgets (gzip -9): what every visitor downloads before a page becomes interactive (the
# main WASM), and each lazily loaded chunk (e.g. the school's stepper, fetched on first use).
WASM_BUDGET=${PERMIS_WASM_BUDGET_GZIP:-300000}
CHUNK_BUDGET=${PERMIS_WASM_CHUNK_BUDGET_GZIP:-300000}
# permis.<hash>.wasm: cargo-leptos names the site's files with their hash (hash-files).
main_wasm=$(ls target/site/pkg/permis.*wasm | grep -E '/permis(\.[A-Za-z0-9_-]{22})?\.wasm$')
wasm_gzip=$(gzip -9 -c "$main_wasm" | wc -c)
echo "WASM principal : $(wc -c < "$main_wasm") octets, $wasm_gzip compressés (budget $WASM_BUDGET)"
if [ "$wasm_gzip" -gt "$WASM_BUDGET" ]; then
  echo "Le WASM principal compressé dépasse son budget ($wasm_gzip > $WASM_BUDGET octets)." >&2
  exit 1
fi
for chunk in target/site/pkg/split_*.wasm target/site/pkg/chunk_*.wasm; do
  [ -e "$chunk" ] || continue
  chunk_gzip=$(gzip -9 -c "$chunk" | wc -c)
  echo "  morceau $(basename "$chunk") : $chunk_gzip compressés (budget $CHUNK_BUDGET)"
  if [ "$chunk_gzip" -gt "$CHUNK_BUDGET" ]; then
    echo "Le morceau $(basename "$chunk") dépasse son budget ($chunk_gzip > $CHUNK_BUDGET octets)." >&2
    exit 1
  fi
done

(cd end2end && npx playwright test)
echo "Tous les tests sont passés."
