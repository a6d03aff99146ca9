#!/usr/bin/env bash
# The weight budget (README › Ce qui circule sur le réseau › Mesurer): bytes on the wire of a
# cold first visit to /connexion, /monespace (candidate logged in) and a step of the school's
# stepper, measured in Chromium (Debian's) against the release build served by `permis serve`
# with a throwaway database, Accept-Encoding: br, gzip. Prints one table; fails above the budgets
#   PERMIS_BUDGET_CONNEXION, PERMIS_BUDGET_MONESPACE, PERMIS_BUDGET_ETAPE (bytes; the step is
#   PERMIS_WEIGHT_ETAPE, default 1): today's weights and a small margin (end2end/bench/page-weight.mjs),
# next to the goals of the « phone-first » issue (300 000, 300 000, 450 000).
# Expects a release build, precompressed: ${LEPTOS_SITE_ROOT:-target/site} and
# ${PERMIS_BIN:-./target/release/permis}. `--details` lists every request.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d end2end/node_modules/@playwright/test ]; then
  echo "permis : Playwright manque ; installez-le : scripts/setup.sh --test" >&2
  exit 2
fi
export LEPTOS_SITE_ROOT=${LEPTOS_SITE_ROOT:-target/site}
. scripts/lib/serve-throwaway.sh
serve_throwaway
site=$(realpath "$LEPTOS_SITE_ROOT")
(cd end2end && LEPTOS_SITE_ROOT="$site" node bench/page-weight.mjs "$@")
