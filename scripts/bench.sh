#!/usr/bin/env bash
# Load benchmark (README › Mesurer): the release build of permis on SQLite, then on a
# throwaway PostgreSQL cluster, each seeded with `permis bench-seed` (a million demandes by
# default), measured with wrk — requests per second and p99 of the pages a school, a candidate and
# a centre's agent open, next to nginx serving the same HTML bytes from files; a page's p99 during a storm of
# 20 logins per second; the server's memory; the time to seed and the time of the deadline
# sweep (`permis jobs`, run right after seeding: `permis serve` runs the same jobs as soon as it
# starts), then of the delivery of the reminders it queued (waited for, at most 15 minutes,
# before measuring). Prints one table and writes it to target/bench-<date>.md.
#   scripts/bench.sh [--sqlite-only|--pg-only] [--demandes N] [--duree S] [--demo]
#     --demandes N   demandes seeded (default 1 000 000); the big school gets min(50 000, N/20),
#                    the accounts to delete and to remind N/10 each
#     --duree S      seconds of each wrk measure (default 30); `--demandes 20000 --duree 5`: a
#                    quick run to check the script
#     --demo         the demo accounts (`permis demo`) instead of `permis bench-seed`: checks
#                    the script with a binary that lacks bench-seed; the numbers mean nothing
#   PERMIS_KEEP_BENCH=1   keeps the temporary directory (databases, logs, wrk outputs)
#   PERMIS_BIN, LEPTOS_SITE_ROOT   the build measured (default ./target/release/permis, target/site)
# Not part of scripts/test.sh: a human runs it, on a machine doing nothing else. Installs wrk,
# nginx (and PostgreSQL, sqlite3) with apt-get when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export LC_NUMERIC=C
LIB=$PWD/scripts/lib/bench

usage() {
  cat <<'TXT'
scripts/bench.sh [--sqlite-only|--pg-only] [--demandes N] [--duree S] [--demo]
  --sqlite-only, --pg-only   une seule base (par défaut : SQLite puis PostgreSQL)
  --demandes N   demandes créées (1 000 000 par défaut) ; la grande école en a min(50 000, N/20),
                 comptes non activés à supprimer et à relancer : N/10 chacun
  --duree S      secondes de chaque mesure wrk (30 par défaut)
  --demo         les comptes de démonstration (permis demo) au lieu de permis bench-seed :
                 vérifie le script, les chiffres ne valent rien
  Essai rapide : scripts/bench.sh --demandes 20000 --duree 5
  PERMIS_BENCH_ATTENTE=S : secondes laissées à la remise des messages du balayage (120 ; le
  reste est marqué remis, pour mesurer les pages sur un serveur au repos) ;
  PERMIS_KEEP_BENCH=1 garde le dossier temporaire (bases, journaux, sorties de wrk) ;
  PERMIS_BIN, LEPTOS_SITE_ROOT : le build mesuré (./target/release/permis, target/site).
TXT
}

# ---------------------------------------------------------------------------------------------
# Options.
DEMANDES=1000000
DUREE=30
# Seconds given to the delivery of the messages the sweep queued (PERMIS_BENCH_ATTENTE).
ATTENTE=${PERMIS_BENCH_ATTENTE:-120}
BASES=(sqlite postgres)
SEED=bench
while [ $# -gt 0 ]; do
  case $1 in
    --sqlite-only) BASES=(sqlite) ;;
    --pg-only) BASES=(postgres) ;;
    --demandes) DEMANDES=${2:-}; shift ;;
    --duree) DUREE=${2:-}; shift ;;
    --demo) SEED=demo ;;
    -h | --help) usage; exit 0 ;;
    *) echo "bench : option inconnue « $1 »" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
for v in DEMANDES DUREE; do
  if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
    echo "bench : --${v,,} attend un nombre entier positif (reçu « ${!v} »)" >&2
    exit 2
  fi
done

ECOLES=500
GRANDE=$((DEMANDES / 20 < 50000 ? DEMANDES / 20 : 50000))
A_EXPIRER=$((DEMANDES / 10))
A_RELANCER=$((DEMANDES / 10))
# A page deep in the big school's list (20 a page): 2 000 of 2 500 with the defaults.
PAR_PAGE=20
PROFONDE=$((GRANDE * 4 / 5 / PAR_PAGE))
[ "$PROFONDE" -gt 2000 ] && PROFONDE=2000
[ "$PROFONDE" -lt 1 ] && PROFONDE=1

# wrk: as many threads as the 2 cores of the reference machine, 32 connections; the storm:
# 20 logins per second from one thread, 40 connections (argon2 makes a login slow: a second
# under load), started 3 s before the page's measure (each connection's first login leaves at
# once: that burst is over when the page is measured).
WRK_THREADS=2
WRK_CONNS=32
WRK_WARMUP=2
STORM_RATE=20
STORM_CONNS=40
STORM_HEAD_START=3

# The accounts: what `permis bench-seed` creates, or the demo ones (server/src/seed.rs).
if [ "$SEED" = bench ]; then
  PASSWORD=Banc-essai-permis-2026
  ECOLE_ID=banc.ecole.1
  ECOLE_PW=$PASSWORD
  USAGER_ID=banc.usager.1
  USAGER_PW=$PASSWORD
  AGENT_ID=banc.agent.1
  AGENT_PW=$PASSWORD
  STORM_FORMAT=banc.ecole.%d
  STORM_FROM=2
  STORM_TO=$ECOLES
  STORM_PW=$PASSWORD
else
  ECOLE_ID=ecole.gare
  ECOLE_PW='vitesse limitee a 50'
  USAGER_ID=pmartin
  USAGER_PW='tartine du dimanche'
  AGENT_ID=agent.ctn
  AGENT_PW='centre instruction nantes'
  STORM_FORMAT=ecole.gare
  STORM_FROM=1
  STORM_TO=1
  STORM_PW=$ECOLE_PW
fi

# The pages measured: key, who is logged in (- : nobody), address.
PAGES=(
  "accueil - /"
  "liste ecole /ecole/demandes"
  "profonde ecole /ecole/demandes?page=$PROFONDE"
  "filtre ecole /ecole/demandes?etat=transmise"
  "recherche ecole /ecole/demandes?q=martin"
  "recherche-numero ecole /ecole/demandes?q=99-261101-4321"
  "monespace usager /monespace"
  "a-valider usager /monespace/a-valider"
  "file agent /pro"
  "file-recherche agent /pro?q=faure"
)
STORM_PAGE=liste

say() { printf '\033[1;34m==> %s\033[0m\n' "$*"; }
fail() { echo "bench : $*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# Tools: installed with apt-get when missing.
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 \
    || { as_root apt-get update >/dev/null && as_root apt-get install -y --no-install-recommends "$@" >/dev/null; }
}
need() { # command, Debian packages (the first that installs)
  local cmd=$1 pkg
  shift
  command -v "$cmd" >/dev/null 2>&1 && return 0
  [ -x "/usr/sbin/$cmd" ] && return 0
  for pkg in "$@"; do
    say "$cmd absent : apt-get install $pkg"
    apt_install "$pkg" 2>/dev/null && return 0
  done
  fail "impossible d'installer $cmd (paquet $*) ; installez-le puis relancez"
}
need curl curl
need python3 python3
need wrk wrk
# Debian 12 has nginx-light, Debian 13 only nginx. The package may start the system's own nginx
# (port 80): the benchmark runs its own, on a free port.
need nginx nginx-light nginx
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for base in "${BASES[@]}"; do
  case $base in
    sqlite) need sqlite3 sqlite3 ;;
    postgres)
      if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
        say "PostgreSQL absent : apt-get install postgresql (ou --sqlite-only)"
        apt_install postgresql || fail "impossible d'installer PostgreSQL ; installez-le ou lancez avec --sqlite-only"
      fi
      need psql postgresql-client
      ;;
  esac
done

# ---------------------------------------------------------------------------------------------
# The build: copied into the temporary directory, so that a build running meanwhile (which
# rewrites target/) changes nothing to what is measured.
SRC_BIN=${PERMIS_BIN:-./target/release/permis}
SRC_SITE=${LEPTOS_SITE_ROOT:-target/site}
BUILD_HINT="construisez d'abord : cargo leptos build --release --split && scripts/precompress.sh"
[ -x "$SRC_BIN" ] || fail "binaire introuvable ($SRC_BIN) ; $BUILD_HINT"
# permis.wasm, or permis.<hash>.wasm (cargo-leptos hash-files).
wasm=$(find "$SRC_SITE/pkg" -maxdepth 1 -name 'permis*.wasm' 2>/dev/null \
  | grep -E '/permis(\.[A-Za-z0-9_-]{22})?\.wasm$' | head -1 || true)
[ -n "$wasm" ] || fail "site compilé introuvable ($SRC_SITE/pkg/permis.wasm) ; $BUILD_HINT"
[ -f "$wasm.br" ] || fail "$SRC_SITE n'est pas précompressé : lancez scripts/precompress.sh"
if [ "$SEED" = bench ] && ! "$SRC_BIN" --help 2>/dev/null | grep -qE '^ +bench-seed( |$)'; then
  fail "ce binaire n'a pas la commande bench-seed ; $BUILD_HINT (ou --demo : vérifier le script avec les comptes de démonstration)"
fi
COMMUNES=$(realpath "${PERMIS_COMMUNES:-generated/codes-postaux.tsv}")
[ -f "$COMMUNES" ] || fail "$COMMUNES introuvable : lancez scripts/setup.sh"

BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/permis-banc.XXXXXX")
# The nginx workers (nobody) and PostgreSQL (postgres) go through it to their own directories.
chmod 711 "$BENCH_DIR"
SERVER_PID='' NGINX_PID='' STORM_PID='' WAITED_PID='' PG_DATA=''

run_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=''
  fi
}

stop_pg() {
  if [ -n "$PG_DATA" ]; then
    run_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "${1:-fast}" stop >/dev/null 2>&1 || true
    PG_DATA=''
  fi
}

cleanup() {
  if [ -n "$STORM_PID" ]; then kill "$STORM_PID" 2>/dev/null || true; fi
  if [ -n "$WAITED_PID" ]; then kill "$WAITED_PID" 2>/dev/null || true; fi
  stop_server
  if [ -n "$NGINX_PID" ]; then
    kill -QUIT "$NGINX_PID" 2>/dev/null || true
    wait "$NGINX_PID" 2>/dev/null || true
  fi
  stop_pg immediate
  if [ -n "${PERMIS_KEEP_BENCH:-}" ]; then
    echo "Dossier du banc gardé : $BENCH_DIR"
  else
    rm -rf "$BENCH_DIR"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "Copie du binaire et du site dans $BENCH_DIR"
BIN=$BENCH_DIR/permis
SITE=$BENCH_DIR/site
cp "$SRC_BIN" "$BIN"
cp -r "$SRC_SITE" "$SITE"
BIN_DATE=$(date -r "$SRC_BIN" '+%Y-%m-%d %H:%M')

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------------------------------------
# nginx: one for the whole run, serving www/<base>/<page>.html.
NGINX_DIR=$BENCH_DIR/nginx
NGINX_PORT=$(free_port)
mkdir -p "$NGINX_DIR/www" "$NGINX_DIR/tmp"
chmod 755 "$NGINX_DIR" "$NGINX_DIR/www"
sed -e "s|@DIR@|$NGINX_DIR|g" -e "s|@PORT@|$NGINX_PORT|g" "$LIB/nginx.conf.in" >"$NGINX_DIR/nginx.conf"
"$NGINX" -c "$NGINX_DIR/nginx.conf" -p "$NGINX_DIR" -e "$NGINX_DIR/error.log" >"$NGINX_DIR/stdout.log" 2>&1 &
NGINX_PID=$!
NGINX_VERSION=$("$NGINX" -v 2>&1 | sed 's|.*/||')

# ---------------------------------------------------------------------------------------------
# permis with the environment of the current base (that of scripts/lib/serve-throwaway.sh).
permis_env() {
  export DATABASE_URL=$DB_URL
  export PERMIS_LISTEN="127.0.0.1:$SERVER_PORT"
  export PERMIS_PUBLIC_URL=$BASE_URL
  export LEPTOS_SITE_ROOT=$SITE
  export PERMIS_STORAGE=$BASE_DIR/files
  export PERMIS_COMMUNES=$COMMUNES
  export PERMIS_ENV=development
  export PERMIS_DEV_MAILBOX=true
  export RUST_LOG=warn
}
permis() { (permis_env && exec "$BIN" "$@"); }

# The seeding step: `permis bench-seed` (its defaults are those of a full run), or the demo
# accounts.
seed() {
  if [ "$SEED" = bench ]; then
    permis bench-seed --demandes "$DEMANDES" --ecoles "$ECOLES" --grande-ecole "$GRANDE" \
      --a-expirer "$A_EXPIRER" --a-relancer "$A_RELANCER"
  else
    permis demo
  fi
}

# One number from the current base's database.
sql() {
  case $BASE in
    sqlite) sqlite3 -cmd ".timeout 30000" "$BASE_DIR/permis.db" "$1" ;;
    postgres) psql -X -q -A -t "$DB_URL" -c "$1" ;;
  esac
}

create_database() {
  BASE_DIR=$BENCH_DIR/$BASE
  mkdir -p "$BASE_DIR"
  case $BASE in
    sqlite)
      DB_URL="sqlite://$BASE_DIR/permis.db"
      ;;
    postgres)
      # shellcheck disable=SC2012 # as scripts/pg-test-cluster.sh
      PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
      local pg=$BASE_DIR/pg port
      port=$(free_port)
      mkdir -p "$pg"
      [ "$(id -u)" = 0 ] && chown postgres "$pg"
      # initdb's defaults (fsync on, shared_buffers…): only the port, socket and address change.
      run_pg "$PG_BIN/initdb" -D "$pg/data" -A trust -U postgres -E UTF8 --no-locale >"$BASE_DIR/initdb.log" 2>&1 \
        || { cat "$BASE_DIR/initdb.log" >&2; fail "initdb a échoué"; }
      PG_DATA=$pg/data
      run_pg "$PG_BIN/pg_ctl" -D "$pg/data" -l "$pg/log" -w \
        -o "-p $port -k $pg -c listen_addresses=127.0.0.1" start >/dev/null \
        || { cat "$pg/log" >&2; fail "PostgreSQL n'a pas démarré"; }
      psql -X -q "postgres://postgres@127.0.0.1:$port/postgres" -c 'CREATE DATABASE permis' >/dev/null
      DB_URL="postgres://postgres@127.0.0.1:$port/permis"
      PG_VERSION=$("$PG_BIN/postgres" --version | awk '{print $3}')
      echo "PostgreSQL $PG_VERSION jetable sur le port $port"
      ;;
  esac
}

start_server() {
  ( permis_env && exec "$BIN" serve ) >"$BASE_DIR/serve.log" 2>&1 &
  SERVER_PID=$!
  local deadline=$((SECONDS + 180))
  until curl -fsS -o /dev/null "$BASE_URL/healthz" 2>/dev/null; do
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      cat "$BASE_DIR/serve.log" >&2
      SERVER_PID=''
      fail "le serveur s'est arrêté au démarrage"
    fi
    [ "$SECONDS" -lt "$deadline" ] || fail "$BASE_URL/healthz ne répond pas après 180 s"
    sleep 0.2
  done
}

# Logs in (the form a browser sends, same-origin) and prints the session cookie.
login() { # espace identifiant password
  local hdr=$BASE_DIR/login-$2.headers code cookie
  code=$(curl -sS -o "$BASE_DIR/login-$2.body" -D "$hdr" -w '%{http_code}' \
    -H 'Sec-Fetch-Site: same-origin' \
    --data-urlencode "espace=$1" --data-urlencode "identifiant=$2" --data-urlencode "password=$3" \
    "$BASE_URL/api/connexion")
  cookie=$(tr -d '\r' <"$hdr" | sed -n 's/^[Ss]et-[Cc]ookie: *\(\(__Host-\)\{0,1\}permis_session=[^;]*\).*/\1/p' | head -1)
  if [ "$code" != 200 ] || [ -z "$cookie" ]; then
    fail "la connexion de $2 (espace $1) a échoué : HTTP $code, $(head -c 300 "$BASE_DIR/login-$2.body")"
  fi
  echo "$cookie"
}

cookie_of() {
  case $1 in
    ecole) echo "$ECOLE_COOKIE" ;;
    usager) echo "$USAGER_COOKIE" ;;
    agent) echo "$AGENT_COOKIE" ;;
    *) echo '' ;;
  esac
}

# Fetches a page once: it must answer 200 (a logged-in page answers a redirect to /connexion
# when the session is not accepted); its HTML is what nginx serves.
check_page() { # key who path
  local cookie out=$NGINX_DIR/www/$BASE/$1.html res
  cookie=$(cookie_of "$2")
  res=$(curl -sS -o "$out" -w '%{http_code} %{redirect_url}' ${cookie:+-H "Cookie: $cookie"} "$BASE_URL$3")
  if [ "${res%% *}" != 200 ]; then
    fail "$3 répond ${res%% *} ${res#* } (attendu : 200, sans redirection)"
  fi
  if grep -q 'Chargement…' "$out"; then
    fail "$3 s'affiche « Chargement… » : ses données n'ont pas été calculées par le serveur"
  fi
  chmod a+r "$out"
  SIZE[$BASE/$1]=$(wc -c <"$out")
  # The school's list and the centre's queue say how many demandes match: shown, and an empty
  # result flagged (a search or filter that finds nothing measures another page).
  if [[ $3 == /ecole/demandes* || $3 == /pro* ]]; then
    COUNT[$BASE/$1]=$(grep -o 'aria-live="polite"[^>]*>[^<]*' "$out" | sed 's/.*>//' | grep -v '^ *$' | head -1 || true)
    if [[ ${COUNT[$BASE/$1],,} == *aucune* ]] && [ "$SEED" = bench ]; then
      echo "    ⚠ $3 : « ${COUNT[$BASE/$1]} »"
      COUNT[$BASE/$1]="⚠ ${COUNT[$BASE/$1]}"
    fi
  fi
}

# Runs a command in the background and waits for it: on Ctrl-C, wrk stops and exits 0 (it
# prints what it measured), and bash would go on with the next measure; while in `wait`, bash
# runs the INT trap at once (then cleanup stops the command).
waited() {
  "$@" &
  WAITED_PID=$!
  local rc=0
  wait "$WAITED_PID" || rc=$?
  WAITED_PID=''
  return "$rc"
}

# One wrk measure; the results go to R[<id>/rps|p50|p99|max|n|errors].
declare -A R SIZE COUNT INFO
measure() { # id url [cookie] [warm-up]
  local id=$1 url=$2 cookie=${3:-} log args
  log=$BENCH_DIR/wrk-${id//\//-}.txt
  args=(-t"$WRK_THREADS" -c"$WRK_CONNS" --timeout 10s)
  [ -n "$cookie" ] && args+=(-H "Cookie: $cookie")
  if [ "${4:-}" = chauffe ]; then
    waited wrk "${args[@]}" -d"${WRK_WARMUP}s" "$url" >/dev/null 2>&1 || true
  fi
  waited wrk "${args[@]}" -d"${DUREE}s" --latency -s "$LIB/measure.lua" "$url" >"$log" 2>&1 \
    || { cat "$log" >&2; fail "wrk a échoué sur $url"; }
  parse_wrk "$id" "$log"
  printf '    %-40s %8.0f req/s  p99 %7.1f ms%s\n' "$id" "${R[$id/rps]}" "${R[$id/p99]}" "$(errors_of "$id")"
}

parse_wrk() { # id log
  local line _ rps p50 p99 max n sock http
  line=$(grep '^BENCH ' "$2" | tail -1) || { cat "$2" >&2; fail "sortie de wrk illisible ($2)"; }
  read -r _ rps p50 p99 max n sock http <<<"$line"
  R[$1/rps]=$rps R[$1/p50]=$p50 R[$1/p99]=$p99 R[$1/max]=$max R[$1/n]=$n
  R[$1/errors]=$((sock + http))
}

errors_of() { local e=${R[$1/errors]:-0}; [ "$e" = 0 ] || echo " ($e erreurs)"; }

kb_to_mb() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }

# ---------------------------------------------------------------------------------------------
# One base, from empty to measured.
bench_base() {
  BASE=$1
  SERVER_PORT=$(free_port)
  BASE_URL="http://127.0.0.1:$SERVER_PORT"
  say "$(label "$BASE") : base, migrations"
  create_database
  mkdir -p "$NGINX_DIR/www/$BASE"
  chmod 755 "$NGINX_DIR/www/$BASE"
  permis migrate >"$BASE_DIR/migrate.log" 2>&1 || { cat "$BASE_DIR/migrate.log" >&2; fail "permis migrate a échoué"; }

  if [ "$SEED" = bench ]; then
    say "$(label "$BASE") : permis bench-seed --demandes $DEMANDES --ecoles $ECOLES --grande-ecole $GRANDE --a-expirer $A_EXPIRER --a-relancer $A_RELANCER"
  else
    say "$(label "$BASE") : permis demo (à la place de bench-seed)"
  fi
  local t0
  t0=$(now)
  seed 2>&1 | tee "$BASE_DIR/seed.log" | sed 's/^/    /' || fail "le remplissage a échoué (voir ci-dessus)"
  INFO[$BASE/seed]=$(since "$t0")
  echo "    remplissage : ${INFO[$BASE/seed]} s"
  INFO[$BASE/volume]="$(sql 'SELECT count(*) FROM demandes') demandes, $(sql 'SELECT count(*) FROM users') comptes"
  echo "    ${INFO[$BASE/volume]}"

  # The sweep, before the server ever runs: `permis serve` runs the deadline jobs as soon as it
  # starts (then every minute, server/src/jobs.rs), so after it nothing would be left to sweep.
  say "$(label "$BASE") : balayage des échéances (permis jobs)"
  local pending="status = 'pending_activation'"
  INFO[$BASE/before]=$(sql "SELECT count(*) FROM users WHERE $pending")
  t0=$(now)
  permis jobs >"$BASE_DIR/jobs.log" 2>&1 || { cat "$BASE_DIR/jobs.log" >&2; fail "permis jobs a échoué"; }
  INFO[$BASE/sweep]=$(since "$t0")
  INFO[$BASE/after]=$(sql "SELECT count(*) FROM users WHERE $pending")
  sed 's/^/    /' "$BASE_DIR/jobs.log"
  local deleted=$((${INFO[$BASE/before]} - ${INFO[$BASE/after]})) expected=0 reminders
  [ "$SEED" = bench ] && expected=$A_EXPIRER
  reminders=$(grep -o "[0-9]* rappel(s) d'activation" "$BASE_DIR/jobs.log" | grep -o '^[0-9]*' || echo '?')
  INFO[$BASE/accounts]="${INFO[$BASE/before]} → ${INFO[$BASE/after]}, $reminders relancés"
  if [ "$deleted" != "$expected" ]; then
    INFO[$BASE/accounts]+=" ⚠ $deleted supprimés, attendu $expected"
  fi
  if [ "$SEED" = bench ] && [ "$reminders" != "$A_RELANCER" ]; then
    INFO[$BASE/accounts]+=" ⚠ relances attendues : $A_RELANCER"
  fi
  echo "    ${INFO[$BASE/sweep]} s ; comptes en attente d'activation : ${INFO[$BASE/accounts]}"

  say "$(label "$BASE") : permis serve sur $BASE_URL"
  start_server
  # The reminders the sweep queued leave as soon as the server runs (to the development
  # mailbox): measured, then waited for, so that the pages are measured on a quiet server.
  local due="status IN ('pending', 'sending') AND next_attempt_at <= "
  local queued
  queued=$(sql "SELECT count(*) FROM outbox WHERE $due$(date +%s)")
  t0=$(now)
  local left=$queued deadline=$((SECONDS + ATTENTE))
  while [ "$left" -gt 0 ] && [ "$SECONDS" -lt "$deadline" ]; do
    sleep 1
    left=$(sql "SELECT count(*) FROM outbox WHERE $due$(date +%s)")
  done
  INFO[$BASE/outbox]="$((queued - left)) en $(since "$t0") s"
  if [ "$left" -gt 0 ]; then
    # What is left is marked sent (these are the benchmark's own messages): the pages are
    # measured on a server that is not delivering.
    INFO[$BASE/outbox]+=" ($left de plus marqués remis sans envoi après ${ATTENTE} s)"
    sql "UPDATE outbox SET status = 'sent' WHERE status = 'pending'" >/dev/null
    sleep 2
  fi
  echo "    messages remis au démarrage : ${INFO[$BASE/outbox]}"

  say "$(label "$BASE") : connexions ($ECOLE_ID, $USAGER_ID, $AGENT_ID) et pages"
  ECOLE_COOKIE=$(login pro "$ECOLE_ID" "$ECOLE_PW")
  USAGER_COOKIE=$(login usager "$USAGER_ID" "$USAGER_PW")
  AGENT_COOKIE=$(login pro "$AGENT_ID" "$AGENT_PW")
  local p key who path
  for p in "${PAGES[@]}"; do
    read -r key who path <<<"$p"
    check_page "$key" "$who" "$path"
  done

  say "$(label "$BASE") : permis, wrk -t$WRK_THREADS -c$WRK_CONNS -d${DUREE}s (après ${WRK_WARMUP} s de chauffe)"
  for p in "${PAGES[@]}"; do
    read -r key who path <<<"$p"
    measure "$BASE/$key" "$BASE_URL$path" "$(cookie_of "$who")" chauffe
  done

  say "$(label "$BASE") : $STORM_RATE connexions par seconde pendant la mesure de $(page_path "$STORM_PAGE")"
  local storm_log=$BENCH_DIR/wrk-$BASE-connexions.txt
  BENCH_RATE=$STORM_RATE BENCH_ESPACE=pro BENCH_FORMAT=$STORM_FORMAT BENCH_FROM=$STORM_FROM \
    BENCH_TO=$STORM_TO BENCH_PASSWORD=$STORM_PW \
    wrk -t1 -c"$STORM_CONNS" -d"$((DUREE + STORM_HEAD_START + 1))s" --timeout 10s --latency -s "$LIB/storm.lua" "$BASE_URL" \
    >"$storm_log" 2>&1 &
  STORM_PID=$!
  sleep "$STORM_HEAD_START"
  measure "$BASE/orage" "$BASE_URL$(page_path "$STORM_PAGE")" "$ECOLE_COOKIE"
  wait "$STORM_PID" || { cat "$storm_log" >&2; STORM_PID=''; fail "wrk (connexions) a échoué"; }
  STORM_PID=''
  parse_wrk "$BASE/connexions" "$storm_log"
  local logins_ok logins_ko codes line
  read -r _ logins_ok logins_ko codes <<<"$(grep '^LOGINS ' "$storm_log")"
  INFO[$BASE/logins]="$logins_ok réussies, $logins_ko refusées"
  [ "$codes" = - ] || INFO[$BASE/logins]+=" : HTTP ${codes//:/ × }"
  printf '    %-40s %8.1f /s     p99 %7.1f ms (%s)\n' "$BASE/connexions" \
    "${R[$BASE/connexions/rps]}" "${R[$BASE/connexions/p99]}" "${INFO[$BASE/logins]}"
  INFO[$BASE/refus]=$(sed -n 's/^REFUS \([0-9]*\) \(.*\)/\1 × \2/p' "$storm_log" | sort -rn)
  if [ -n "${INFO[$BASE/refus]}" ]; then
    echo "    réponses aux connexions refusées :"
    while IFS= read -r line; do echo "      $line"; done <<<"${INFO[$BASE/refus]}"
  fi

  INFO[$BASE/hwm]=$(awk '/^VmHWM/ { print $2 }' "/proc/$SERVER_PID/status")
  INFO[$BASE/rss]=$(awk '/^VmRSS/ { print $2 }' "/proc/$SERVER_PID/status")
  echo "    mémoire du serveur : $(kb_to_mb "${INFO[$BASE/hwm]}") Mo au plus, $(kb_to_mb "${INFO[$BASE/rss]}") Mo à la fin"
  server_log_summary
  stop_server

  say "$(label "$BASE") : nginx $NGINX_VERSION, les mêmes octets"
  for p in "${PAGES[@]}"; do
    read -r key who path <<<"$p"
    measure "$BASE/$key/nginx" "http://127.0.0.1:$NGINX_PORT/$BASE/$key.html"
  done
  stop_pg
}

# What the server logged while measured (RUST_LOG=warn): panics, errors, warnings, the most
# frequent first. Read before the server stops (stopping logs errors of its own).
server_log_summary() {
  local clean=$BASE_DIR/serve-sans-couleurs.log panics errors warns
  sed 's/\x1b\[[0-9;]*m//g' "$BASE_DIR/serve.log" >"$clean"
  panics=$(grep -c 'panicked at' "$clean" || true)
  errors=$(grep -cE '^[^ ]+ +ERROR ' "$clean" || true)
  warns=$(grep -cE '^[^ ]+ +WARN ' "$clean" || true)
  INFO[$BASE/log]="$panics paniques, $errors erreurs, $warns avertissements"
  if [ $((panics + errors + warns)) -gt 0 ]; then
    echo "    journal du serveur : ${INFO[$BASE/log]} ; les plus fréquents :"
    {
      grep -A1 'panicked at' "$clean" | grep -v -e 'panicked at' -e '^--$' | sed 's/^/panique : /' || true
      grep -E '^[^ ]+ +(ERROR|WARN) ' "$clean" | cut -d' ' -f2- || true
    } | sed -E 's/(latency|elapsed)=[0-9.]+ ?[µm]?s/\1=…/g' | sort | uniq -c | sort -rn \
      | head -5 | cut -c1-200 | sed 's/^/    /' || true
    # (`head` stops reading early: `sort` then dies of SIGPIPE, which must not end the run.)
  fi
}

label() { case $1 in sqlite) echo SQLite ;; postgres) echo PostgreSQL ;; esac; }
page_path() {
  local p key who path
  for p in "${PAGES[@]}"; do
    read -r key who path <<<"$p"
    [ "$key" = "$1" ] && echo "$path"
  done
}

# nginx answers before the first base needs it.
for _ in $(seq 50); do
  curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
  kill -0 "$NGINX_PID" 2>/dev/null || { cat "$NGINX_DIR/error.log" "$NGINX_DIR/stdout.log" >&2; NGINX_PID=''; fail "nginx n'a pas démarré"; }
  sleep 0.1
done

STARTED=$(date '+%Y-%m-%d %H:%M')
for base in "${BASES[@]}"; do
  bench_base "$base"
done

# ---------------------------------------------------------------------------------------------
# The table.
f0() { awk -v x="$1" 'BEGIN { printf "%.0f", x }'; }
f1() { awk -v x="$1" 'BEGIN { printf "%.1f", x }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "—" }'; }

# Rows of cells separated by « | »; the first is the header, the second the alignment of each
# column (l or r). Padded to the widest cell (in characters).
table() {
  local LC_ALL=C.UTF-8
  local -a rows=() widths=() aligns=() cells=()
  local line r i cell n dashes
  while IFS= read -r line; do rows+=("$line"); done
  IFS='|' read -r -a aligns <<<"${rows[1]}"
  for r in "${!rows[@]}"; do
    [ "$r" = 1 ] && continue
    IFS='|' read -r -a cells <<<"${rows[$r]}"
    for i in "${!aligns[@]}"; do
      cell=${cells[$i]:-}
      n=${#cell}
      [ "$n" -lt 3 ] && n=3
      [ "$n" -gt "${widths[$i]:-0}" ] && widths[i]=$n
    done
  done
  for r in "${!rows[@]}"; do
    IFS='|' read -r -a cells <<<"${rows[$r]}"
    printf '|'
    for i in "${!aligns[@]}"; do
      cell=${cells[$i]:-}
      if [ "$r" = 1 ]; then
        dashes=$(printf '%*s' $((widths[i] - 1)) '' | tr ' ' '-')
        if [ "${aligns[$i]}" = r ]; then printf ' %s: |' "$dashes"; else printf ' :%s |' "$dashes"; fi
      elif [ "${aligns[$i]}" = r ]; then
        printf ' %*s%s |' $((widths[i] - ${#cell})) '' "$cell"
      else
        printf ' %s%*s |' "$cell" $((widths[i] - ${#cell})) ''
      fi
    done
    printf '\n'
  done
}

MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM=$(awk '/^MemTotal/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
# shellcheck source=/dev/null
OS=$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-}")
COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
if [ "$SEED" = bench ]; then
  DATA="permis bench-seed : $DEMANDES demandes, $ECOLES écoles (la grande : $GRANDE demandes), $A_EXPIRER comptes non activés à supprimer, $A_RELANCER à relancer"
else
  DATA="⚠ comptes de démonstration (permis demo, --demo) : une poignée de demandes, chiffres sans valeur de référence"
fi

# shellcheck disable=SC2016 # the backquotes of the table are markdown
REPORT=$(
  echo "## Banc d'essai de permis — $STARTED"
  echo
  echo "- Machine : ${MODEL:-?}, $(nproc) cœurs, $MEM Go de mémoire ; ${OS:-?}, noyau $(uname -r)"
  echo "- Build : binaire du $BIN_DATE (commit $COMMIT)"
  echo "- Données : $DATA ; PostgreSQL ${PG_VERSION:-—} aux réglages d'initdb (fsync compris), SQLite en WAL, synchronous=FULL"
  echo "- Mesure : wrk -t$WRK_THREADS -c$WRK_CONNS -d${DUREE}s --latency après ${WRK_WARMUP} s de chauffe, sur la même machine que le serveur, sans compression ; nginx $NGINX_VERSION (2 processus, gzip off) sert le HTML de chaque page enregistré depuis permis ; « permis/nginx » : rapport des req/s"
  echo "- Orage : $STORM_RATE connexions par seconde demandées (wrk -t1 -c$STORM_CONNS, comptes $STORM_FORMAT de $STORM_FROM à $STORM_TO) pendant la mesure de $(page_path "$STORM_PAGE")"
  echo
  {
    printf 'base|page|liste|octets|req/s|p99 (ms)|nginx req/s|nginx p99 (ms)|permis/nginx\n'
    printf 'l|l|l|r|r|r|r|r|r\n'
    for base in "${BASES[@]}"; do
      for p in "${PAGES[@]}"; do
        read -r key who path <<<"$p"
        printf '%s|`%s`|%s|%s|%s%s|%s|%s%s|%s|%s\n' "$(label "$base")" "$path" "${COUNT[$base/$key]:-}" "${SIZE[$base/$key]}" \
          "$(f0 "${R[$base/$key/rps]}")" "$(errors_of "$base/$key")" "$(f1 "${R[$base/$key/p99]}")" \
          "$(f0 "${R[$base/$key/nginx/rps]}")" "$(errors_of "$base/$key/nginx")" "$(f1 "${R[$base/$key/nginx/p99]}")" \
          "$(ratio "${R[$base/$key/rps]}" "${R[$base/$key/nginx/rps]}")"
      done
      printf '%s|`%s` pendant l'"'"'orage (au calme : p99 %s ms)|||%s%s|%s|||\n' "$(label "$base")" \
        "$(page_path "$STORM_PAGE")" "$(f1 "${R[$base/$STORM_PAGE/p99]}")" \
        "$(f0 "${R[$base/orage/rps]}")" "$(errors_of "$base/orage")" "$(f1 "${R[$base/orage/p99]}")"
      printf '%s|connexions de l'"'"'orage (%s)|||%s|%s|||\n' "$(label "$base")" "${INFO[$base/logins]}" \
        "$(f1 "${R[$base/connexions/rps]}")" "$(f1 "${R[$base/connexions/p99]}")"
    done
  } | table
  echo
  {
    printf 'base|données|remplissage|balayage (permis jobs)|comptes en attente d'"'"'activation|messages remis au démarrage|RSS max|RSS à la fin|journal du serveur\n'
    printf 'l|l|r|r|l|l|r|r|l\n'
    for base in "${BASES[@]}"; do
      printf '%s|%s|%s s|%s s|%s|%s|%s Mo|%s Mo|%s\n' "$(label "$base")" "${INFO[$base/volume]}" \
        "${INFO[$base/seed]}" "${INFO[$base/sweep]}" "${INFO[$base/accounts]}" "${INFO[$base/outbox]}" \
        "$(kb_to_mb "${INFO[$base/hwm]}")" "$(kb_to_mb "${INFO[$base/rss]}")" "${INFO[$base/log]}"
    done
  } | table
  for base in "${BASES[@]}"; do
    if [ -n "${INFO[$base/refus]}" ]; then
      echo
      echo "Connexions refusées pendant l'orage ($(label "$base")), réponses du serveur :"
      while IFS= read -r line; do echo "- $line"; done <<<"${INFO[$base/refus]}"
    fi
  done
)

OUT=target/bench-$(date '+%Y-%m-%d-%H%M').md
mkdir -p target
printf '%s\n' "$REPORT" >"$OUT"
echo
printf '%s\n' "$REPORT"
echo
echo "Tableau écrit dans $OUT"
