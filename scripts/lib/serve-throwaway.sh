# Sourced by scripts/page-weight.sh and scripts/lighthouse.sh: serves a release build of permis on
# a free local port, with a throwaway SQLite database seeded with the demo accounts, until the
# calling script exits.
#   PERMIS_BIN          the binary (default ./target/release/permis)
#   LEPTOS_SITE_ROOT    the built site (default target/site), precompressed (scripts/precompress.sh)
# After `serve_throwaway`: PERMIS_BASE_URL (http://127.0.0.1:<port>) and PERMIS_THROWAWAY_DIR
# (database, files, the server's log) are exported; the server is stopped and the directory
# removed when the script exits.

serve_throwaway() {
  local bin=${PERMIS_BIN:-./target/release/permis}
  local site=${LEPTOS_SITE_ROOT:-target/site}
  if [ ! -x "$bin" ]; then
    echo "permis : binaire introuvable ($bin) ; construisez d'abord : cargo leptos build --release --split" >&2
    return 1
  fi
  # permis.wasm, or permis.<hash>.wasm (cargo-leptos hash-files).
  local wasm
  wasm=$(ls "$site"/pkg/permis.*wasm 2>/dev/null | grep -E '/permis(\.[A-Za-z0-9_-]{22})?\.wasm$' | head -1)
  if [ -z "$wasm" ]; then
    echo "permis : site compilé introuvable ($site/pkg/permis.wasm)" >&2
    return 1
  fi
  if [ ! -f "$wasm.br" ]; then
    echo "permis : $site n'est pas précompressé (lancez scripts/precompress.sh) : les chiffres seraient faux" >&2
    return 1
  fi
  PERMIS_THROWAWAY_DIR=$(mktemp -d "${TMPDIR:-/tmp}/permis-bench.XXXXXX")
  local port
  port=$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')
  PERMIS_BASE_URL="http://127.0.0.1:$port"
  export PERMIS_THROWAWAY_DIR PERMIS_BASE_URL
  trap stop_throwaway EXIT
  trap 'exit 130' INT TERM

  # The same environment as Playwright's server (end2end/playwright.config.ts).
  (
    export DATABASE_URL="sqlite://$PERMIS_THROWAWAY_DIR/permis.db"
    export PERMIS_LISTEN="127.0.0.1:$port"
    export PERMIS_PUBLIC_URL="$PERMIS_BASE_URL"
    export LEPTOS_SITE_ROOT="$site"
    export PERMIS_STORAGE="$PERMIS_THROWAWAY_DIR/files"
    export PERMIS_COMMUNES="${PERMIS_COMMUNES:-generated/codes-postaux.tsv}"
    export PERMIS_ENV=development
    export PERMIS_DEV_MAILBOX=true
    export RUST_LOG=warn
    "$bin" demo >"$PERMIS_THROWAWAY_DIR/demo.log" 2>&1 || { cat "$PERMIS_THROWAWAY_DIR/demo.log" >&2; exit 1; }
    exec "$bin" serve
  ) >"$PERMIS_THROWAWAY_DIR/serve.log" 2>&1 &
  PERMIS_THROWAWAY_PID=$!

  # Ready when /healthz answers (polled; the server may take a while on a busy machine).
  local deadline=$((SECONDS + 180))
  until node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
      "$PERMIS_BASE_URL/healthz" 2>/dev/null; do
    if ! kill -0 "$PERMIS_THROWAWAY_PID" 2>/dev/null; then
      echo "permis : le serveur s'est arrêté au démarrage :" >&2
      cat "$PERMIS_THROWAWAY_DIR/serve.log" >&2
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "permis : $PERMIS_BASE_URL/healthz ne répond pas après 180 s" >&2
      return 1
    fi
    sleep 0.1
  done
}

stop_throwaway() {
  if [ -n "${PERMIS_THROWAWAY_PID:-}" ]; then
    # The subshell exec'd the server: this pid is the server itself.
    kill "$PERMIS_THROWAWAY_PID" 2>/dev/null || true
    wait "$PERMIS_THROWAWAY_PID" 2>/dev/null || true
    PERMIS_THROWAWAY_PID=
  fi
  if [ -n "${PERMIS_THROWAWAY_DIR:-}" ] && [ -z "${PERMIS_KEEP_THROWAWAY:-}" ]; then
    rm -rf "$PERMIS_THROWAWAY_DIR"
  fi
}
