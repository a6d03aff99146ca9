#!/usr/bin/env bash
# Lighthouse on a phone (README › Ce qui circule sur le réseau › Mesurer): /, /connexion,
# /monespace (candidate logged in) and a step of the school's stepper (school logged in), against
# the release build served by `permis serve` with a throwaway database. Lighthouse is the npm
# package pinned in end2end/package.json, Chromium is Debian's (/usr/bin/chromium, or CHROME_PATH).
# Reports (HTML + JSON) in target/lighthouse/; one table on the standard output.
#   scripts/lighthouse.sh [--runs N] [--audits] [--check]
#     --runs N   N runs per page (the scores move from one run to the next)
#     --audits   list what each page fails
#     --check    exit 1 when a page's median is below performance 95, accessibility 100 or
#                best practices 95
# Expects a release build, precompressed: ${LEPTOS_SITE_ROOT:-target/site} and
# ${PERMIS_BIN:-./target/release/permis}.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x end2end/node_modules/.bin/lighthouse ]; then
  echo "permis : Lighthouse manque ; installez-le : scripts/setup.sh --test" >&2
  exit 2
fi
export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site}
export PERMIS_LIGHTHOUSE_OUT=${PERMIS_LIGHTHOUSE_OUT:-$PWD/target/lighthouse}
. scripts/lib/serve-throwaway.sh
serve_throwaway
(cd end2end && node bench/lighthouse.mjs "$@")
