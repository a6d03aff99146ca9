#!/usr/bin/env bash
# README command 1: set up, build (release), migrate and seed the SQLite database under ./data,
# print the demo accounts and serve on http://127.0.0.1:3000.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PATH"   # binaryen's wasm-opt
cargo leptos build --release
export LEPTOS_SITE_ROOT=target/site
./target/release/permis demo
exec ./target/release/permis serve
