#!/usr/bin/env bash
# The rules of the house (README › Organisation), checked in a few seconds: each check lists
# what breaks its rule, and the script fails if any does. Run first by scripts/test.sh.
set -uo pipefail
cd "$(dirname "$0")/.."

failed=0
# check "what the rule says" command…: the command prints the offending lines (none: kept).
check() {
  local rule="$1"
  shift
  local found
  found=$("$@" 2>/dev/null || true)
  if [ -n "$found" ]; then
    echo "✗ $rule"
    printf '%s\n' "$found" | sed 's/^/    /'
    failed=1
  else
    echo "✓ $rule"
  fi
}

api_sql() { grep -rn "sqlx::" app/src/api; }
server_context() {
  grep -rnE "use_context|expect_context|app_context\(\)|request_parts\(\)|client_ip\(\)" app/src/server \
    | grep -v "^app/src/server/context.rs:" \
    | grep -v "^app/src/server/sessions.rs:.*request_parts()"
}
upward() { grep -rnE "crate::(api|pages|components|providers|app)\b" app/src/server app/src/domain; }
domain_io() { grep -rnE "crate::server|sqlx|tokio|leptos|std::fs|cfg\(feature" app/src/domain; }
page_imports_page() { grep -rn "crate::pages::" app/src/pages app/src/components app/src/api; }
state_written() {
  # (server/bench.rs fills an empty database for scripts/bench.sh: rows born in every state.)
  grep -rn "SET etat" app/src server/src | grep -v "^app/src/server/demandes.rs:"
  grep -rnE "'(brouillon|attente_usager|transmise|attente_papier|papier_non_recu|refusee_usager|supprimee)'" app/src server/src \
    | grep -v "^app/src/server/bench.rs:"
  grep -rn "INSERT INTO demande_events" app/src server/src | grep -v "^app/src/server/demandes.rs:"
}
state_parsed() {
  # Rows decode into `Etat` (server/demandes.rs); the school's list filter parses a URL parameter.
  grep -rn "Etat::parse" app/src server/src \
    | grep -v "^app/src/domain/" \
    | grep -v "^app/src/server/demandes.rs:.*Etat::parse(&code)" \
    | grep -v "^app/src/api/ecole.rs:.*etat.as_deref().and_then(Etat::parse)"
}
deadline_arithmetic() {
  # (The server crate's own timers — the daily sweep, the demo's codes — are not deadlines.)
  grep -rnE "(PAPER_FORM_DAYS|PAPER_REMINDER_DAY|_KEPT_DAYS|VALIDITY_SECS) *[-+*]|[-+*] *[A-Z_]*(VALIDITY_SECS|_DAYS)\b" \
    app/src server/src | grep -v "^app/src/domain/"
  grep -rn "86_400" app/src | grep -v "^app/src/domain/"
}
path_literals() { grep -rn 'format!("/' app/src server/src | grep -v "^app/src/routes.rs:"; }
twin_rules() {
  grep -rnE 'matches!\([^)]*"on" *\| *"true"' app/src | grep -v "^app/src/domain/"
  grep -rn "fn check_password_pair\|fn check_activation\|fn missing_with_pieces\|fn required_pieces" app/src \
    | grep -v "^app/src/domain/"
}
guards() { grep -rn "sessions::require" app/src/api | grep -vE "fn (school|candidate|staff)\(|let user = sessions::require"; }

check "pas de SQL dans l'étage API (app/src/api)" api_sql
check "dans server/, seuls context.rs et sessions::current lisent le contexte de la requête" server_context
check "server/ et domain/ n'importent rien des étages supérieurs" upward
check "domain/ sans entrée-sortie ni cfg" domain_io
check "aucune page (ni composant, ni API) n'importe une page" page_imports_page
check "aucun état écrit hors du magasin des transitions (server/demandes.rs)" state_written
check "les lignes se décodent en Etat (pas de Etat::parse hors domain/)" state_parsed
check "l'arithmétique des délais reste dans domain/" deadline_arithmetic
check "aucun chemin format!(\"/…\") hors de routes.rs" path_literals
check "une règle, un endroit (attestation, mots de passe, pièces)" twin_rules
check "chaque fonction de l'API passe par le garde de son aire" guards

# Loops between files: a file of a lower floor never names a file of an upper one (above),
# and the three former loops stay broken.
loops() {
  grep -rn "crate::app::" app/src --include=*.rs | grep -v "^app/src/lib.rs:"
  grep -rn "crate::api" app/src/server
  grep -rn "crate::router" server/src/http server/src/state.rs
}
check "pas de boucle d'import (app.rs, sessions ↔ API, router ↔ handlers)" loops

# Copies inside the code (the `duplicates` tool of the development machines, when present):
# pairs of identical runs, not the same-shape boilerplate (enums, views) it also lists.
if command -v duplicates >/dev/null 2>&1; then
  copies() {
    for dir in app/src server/src; do
      duplicates --repo "$dir" --most 200 | grep -E '^D[0-9]+ ' | grep -v ' shape' | sed "s|^|$dir: |"
    done
  }
  strict=$failed
  check "aucune copie de code dans app/src ni server/src (duplicates)" copies
  # Reported, not fatal, while the listed copies are being removed.
  failed=$strict
fi

if [ "$failed" != 0 ]; then
  echo "Des règles de la maison ne sont pas tenues (voir README › Organisation)." >&2
  exit 1
fi
