#!/usr/bin/env bash
# README command 1: set up, build (release), migrate and seed the SQLite database under ./data,
# print the demo accounts and serve on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # binaryen's wasm-opt
cargo leptos build --release --split
scripts/precompress.sh
export LEPTOS_SITE_ROOT=target/site
# Development mode: emails and SMS land in the local mailbox at /dev/boite-mail unless
# PERMIS_SMTP_URL / PERMIS_SMS_URL are set.
export PERMIS_ENV="${PERMIS_ENV:-development}"
export PERMIS_DEV_MAILBOX="${PERMIS_DEV_MAILBOX:-true}"
./target/release/permis demo
# FranceConnect of development (scripts/franceconnect-demo.mjs, npm oidc-provider set up like
# FranceConnect's integration environment): « S'identifier avec FranceConnect » works in the
# demo (identities listed on its login page, password 123). Unless a real one is configured.
if [ -z "${PERMIS_FRANCECONNECT_ISSUER:-}" ]; then
  fc_port="${PERMIS_FC_DEMO_PORT:-4010}"
  public="${PERMIS_PUBLIC_URL:-http://127.0.0.1:3000}"
  public="${public%/}"
  export PERMIS_FRANCECONNECT_ISSUER="http://127.0.0.1:$fc_port"
  export PERMIS_FRANCECONNECT_CLIENT_ID=permis-demo
  export PERMIS_FRANCECONNECT_CLIENT_SECRET=permis-demo-secret-0123456789abcdef
  node scripts/franceconnect-demo.mjs --port "$fc_port" \
    --client-id "$PERMIS_FRANCECONNECT_CLIENT_ID" --client-secret "$PERMIS_FRANCECONNECT_CLIENT_SECRET" \
    --redirect-uri "$public/franceconnect/retour" \
    --post-logout-uri "$public/franceconnect/deconnexion/retour" &
  fc_pid=$!
  trap 'kill "$fc_pid" 2>/dev/null || true' EXIT
fi
./target/release/permis serve
