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
exec ./target/release/permis serve
