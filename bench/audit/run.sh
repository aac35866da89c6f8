#!/usr/bin/env bash
# Benchmark of the audit trail (issue 6, point 8), on the SQLite catalog and on a PostgreSQL catalog.
#
# For each catalog (SQLite in a fresh temporary data directory; PostgreSQL in a freshly created database
# custos_audit_bench on 127.0.0.1:5432, dropped at exit):
#   load     bench/audit/AuditLoad.java, compiled against the built jar, migrates the empty catalog and appends
#            BENCH_EVENTS (1,000,000) events through Custos's own AuditLog (classified, redacted, hashed into the chain,
#            signed checkpoints every 1000, with the server's signing key), in transactions of BENCH_LOAD_BATCH (1000)
#            under a clock stepping over the last BENCH_DAYS (365) days: ~33 actions over 8 resource types, 50 engines,
#            4 database types, ~5% failures, a third caused by an API request (address, agent, request id; actor
#            "anonymous"), the rest by Custos itself (actor "system"). Prints the load rate. On PostgreSQL it then runs
#            VACUUM (ANALYZE), as autovacuum would within a minute of such a load; SQLite gets nothing (Custos runs no
#            ANALYZE).
#   queries  starts Custos (java -jar, default heap) on the loaded catalog, checks every URL answers 200, then
#            wrk -t1 -c BENCH_QUERY_CONNECTIONS (1) --latency for BENCH_DURATION (5 s) after a BENCH_WARMUP (2 s)
#            warm-up on: /api/health (the framework's floor), every filter of GET /api/audit alone (action,
#            resource_type, resource_id, status, search, database_type, engine_id, resource_name, user_id, category,
#            severity, sensitive_data_accessed, gdpr/sox/hipaa_relevant, request_id, start_date+end_date), a few
#            combinations, a deep page by cursor and by offset, /history, /recent, /by-action, /time-range, /actions,
#            /resource-types, /deletions. Per line: events matching (total or count of the answer), req/s, p50, p99,
#            CPU per request of Custos and of its PostgreSQL backends, the CPU the rest of the machine took meanwhile
#            ("others", % of all cores), PASS/MISS against p99 < 50 ms. wrk waits up to 120 s for an answer; a line
#            slower than the whole run shows "> 5000"; after each run the bench waits for Custos and its backends to
#            finish the requests wrk gave up on, so that the next line does not pay for them.
#   verify   GET /api/audit/verify on the whole chain: its duration_ms and the wall time; PASS/MISS against 30 s.
#   ingest   durable ingest: API requests that each write exactly one audit event and return once it is committed,
#            from wrk at BENCH_INGEST_CONNECTIONS (1 4 16) connections for BENCH_INGEST_DURATION (10 s) each after a
#            3 s warm-up: PUT /api/backup-policies/{id} renaming one of 16 policies round robin (policy_updated) and
#            PUT /api/settings changing default_retention_days (settings_updated: every request locks the one
#            settings row). Events are counted as the growth of the chain's last sequence (GET /api/audit?limit=1)
#            over the measured run, and checked against wrk's 2xx count. Beside them, at the same connections, the
#            read-only ceilings of the same server: GET /api/health and GET /api/backup-policies/{id} (the same
#            resource read: HTTP, JSON and a catalog read, no write). Goals: >= 5,000 events/s on SQLite,
#            >= 10,000 on PostgreSQL (at the best concurrency).
#   direct   the same appends without HTTP, Custos stopped: AuditLoad --ingest-seconds appends one event per
#            transaction through AuditLog.forCatalog from 1, 4, 16 threads (BENCH_INGEST_CONNECTIONS) for
#            BENCH_INGEST_DURATION each, after a 10 s JIT warm-up: events/s, commit latency p50/p99, CPU per event, KB
#            written per event (SQLite: the process's writes, WAL and checkpoints; PostgreSQL: the cluster's WAL).
#            Not a goal line: it tells the chain's and the catalog's own limit apart from the HTTP layer's.
#   profile  (BENCH_PROFILE=1) one more 10 s policy rename run at 16 connections, during which the request threads
#            are sampled with jstack every 0.5 s and classified (waiting for a pooled connection, for the chain
#            head's lock, in the commit, in SQLite's write lock, hashing/JSON, ...); on PostgreSQL the bench
#            database's backends' wait events are sampled too. Not a measured line: it says where the time goes.
# The tables go to stdout and to bench/results/audit-<timestamp>.md (git-ignored).
#
# Usage: bench/audit/run.sh [--only sqlite|postgresql]    (about 25 minutes on 2 cores at full size)
#   --only CATALOG   one catalog
# Knobs (environment): BENCH_EVENTS=1000000 (try the script with 20000), BENCH_LOAD_BATCH=1000, BENCH_DAYS=365,
#   BENCH_DURATION=5s, BENCH_WARMUP=2s, BENCH_QUERY_CONNECTIONS=1, BENCH_INGEST_DURATION=10s,
#   BENCH_INGEST_CONNECTIONS="1 4 16", BENCH_PROFILE=1, BENCH_BUILD_DIR=/tmp/custos-bench-build/target,
#   BENCH_JAVA_OPTS (for the server), BENCH_KEEP=1 (keep the SQLite catalog, the PostgreSQL database and the logs,
#   for EXPLAIN), PGPASSWORD.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
only=
while [ $# -gt 0 ]; do
  case $1 in
    --only) [ $# -ge 2 ] || { usage >&2; exit 2; }; only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case $only in '') catalogs="sqlite postgresql" ;; sqlite | postgresql) catalogs=$only ;;
  *) echo "--only takes sqlite or postgresql, not $only" >&2; exit 2 ;; esac

events=${BENCH_EVENTS:-1000000}
load_batch=${BENCH_LOAD_BATCH:-1000}
days=${BENCH_DAYS:-365}
duration=${BENCH_DURATION:-5s}
warmup=${BENCH_WARMUP:-2s}
query_conns=${BENCH_QUERY_CONNECTIONS:-1}
ingest_duration=${BENCH_INGEST_DURATION:-10s}
ingest_conns=${BENCH_INGEST_CONNECTIONS:-1 4 16}
profile=${BENCH_PROFILE:-1}
pg_db=custos_audit_bench
goal_p99_ms=50
goal_verify_s=30
declare -A goal_ingest=([sqlite]=5000 [postgresql]=10000)
for v in events load_batch days query_conns; do
  [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$v must be a positive number, not ${!v}" >&2; exit 2; }
done

# --- what the bench needs, on a fresh Debian machine -----------------------------------------------------------
need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
command -v jq >/dev/null || need+=(jq)
[[ " $catalogs " == *" postgresql "* ]] && ! command -v psql >/dev/null && need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

source bench/lib/bench.sh # build_dir, bench_setup/cleanup, stop_server, busy_ticks, proc_ticks, free_port, machine_line
pg=(-h 127.0.0.1 -p 5432 -U postgres)
bench_setup audit
server_log= pg_created=
bench_cleanup_hook() {
  if [ "${bench_rc:-0}" != 0 ] && [ -n "$server_log" ] && [ -f "$server_log" ]; then
    echo "-- the last lines of Custos's log ($server_log):" >&2
    tail -30 "$server_log" >&2
  fi
  stop_server
  if [ -n "$pg_created" ]; then
    if [ -n "${BENCH_KEEP:-}" ]; then echo "(kept the PostgreSQL database $pg_db)"
    else psql "${pg[@]}" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true; fi
  fi
}
trap 'bench_rc=$?; bench_cleanup' EXIT

# --- build: the jar, its classes and libraries extracted, and the loader compiled against them -----------------
echo "== building into $build_dir"
mvn_args=(-B -q -Dmaven.test.skip=true "-Dcustos.build.dir=$build_dir" package)
if ! mvn -o "${mvn_args[@]}" >"$work/build.log" 2>&1; then
  echo "   offline build failed, retrying online"
  mvn "${mvn_args[@]}" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
fi
jar=$build_dir/custos.jar
java -Djarmode=tools -jar "$jar" extract --destination "$work/jar" >"$work/extract.log" 2>&1 \
  || { cat "$work/extract.log"; exit 1; }
mkdir -p "$work/bench-classes"
javac -nowarn -cp "$work/jar/custos.jar:$work/jar/lib/*" -d "$work/bench-classes" bench/audit/AuditLoad.java
loader_cp="$work/jar/custos.jar:$work/jar/lib/*:$work/bench-classes"

# --- helpers ---------------------------------------------------------------------------------------------------
to_ms() { # wrk latency such as 812.00us, 1.25ms, 1.02s, 1.00m -> milliseconds
  awk -v v="$1" 'BEGIN { n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
    printf "%.2f", n }'
}

start_server() { # data dir, catalog url
  port=$(free_port)
  server_log="$work/custos-$port.log"
  local env=(CUSTOS_DATA_DIR="$1" CUSTOS_CATALOG_URL="$2" CUSTOS_STORAGE_LOCAL_PATH="$1/backups" CUSTOS_PORT="$port"
    CUSTOS_AUTH="${CUSTOS_AUTH:-none}")
  [[ $2 != jdbc:postgresql:* ]] || env+=(CUSTOS_CATALOG_USERNAME=postgres CUSTOS_CATALOG_PASSWORD="${PGPASSWORD:-}")
  env "${env[@]}" java ${BENCH_JAVA_OPTS:-} -jar "$jar" >"$server_log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 240); do
    curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1 || { echo "Custos did not start" >&2; exit 1; }
  echo "   Custos pid $server_pid on 127.0.0.1:$port"
}

# The PostgreSQL backends serving Custos do part of each request's work outside the JVM: "pid ticks" lines for
# the bench database's backends (Hikari keeps its connections, so the pids stay).
catalog_ticks() {
  [ "$catalog" = postgresql ] || return 0
  local pid
  for pid in $(psql "${pg[@]}" -d "$pg_db" -tAc \
      "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_db' AND pid <> pg_backend_pid()"); do
    [ -r "/proc/$pid/stat" ] && echo "$pid $(awk '{print $14 + $15}' "/proc/$pid/stat")"
  done
  return 0
}
ticks_between() { # "pid ticks" lines before, after: the growth summed over the pids seen in both
  printf '%s\n%s\n' "$1" "$2" | awk 'NF == 2 {if ($1 in first) d += $2 - first[$1]; else first[$1] = $2} END {print d + 0}'
}

# Around a measured command: m_begin, then m_end; sets m_secs, m_custos (ticks), m_db (ticks), m_others (% of all cores
# used by other processes: everything busy minus Custos, its backends and the client, whose CPU s are given to m_end).
m_begin() { mb_t=$EPOCHREALTIME; mb_all=$(busy_ticks); mb_c=$(proc_ticks "$server_pid"); mb_db=$(catalog_ticks); }
m_end() { # client CPU seconds
  local t=$EPOCHREALTIME all c db
  all=$(busy_ticks); c=$(proc_ticks "$server_pid"); db=$(catalog_ticks)
  m_secs=$(secs "$mb_t" "$t")
  m_custos=$((c - mb_c))
  m_db=$(ticks_between "$mb_db" "$db")
  m_others=$(awk -v all=$((all - mb_all)) -v mine=$((c - mb_c)) -v db="$m_db" -v cl="$1" -v hz="$tick" -v s="$m_secs" -v n="$cores" \
    'BEGIN {o = (all - mine - db - cl * hz) / (hz * s * n) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
}
per() { # ticks, count -> µs each
  awk -v t="$1" -v n="$2" -v hz="$tick" 'BEGIN {printf "%.0f", (n > 0 ? t / hz * 1e6 / n : 0)}'
}

# wrk gives up on the requests still running when its time is up, but Custos (and PostgreSQL) finish them: after a
# slow line, wait until they are idle again (under 10% of a core over 0.3 s, at most 60 s) so that the next line
# does not pay for this one.
settle() {
  local a b _
  busy_now() { echo $(($(proc_ticks "$server_pid") + $(catalog_ticks | awk '{s += $2} END {print s + 0}'))); }
  for _ in $(seq 1 200); do
    a=$(busy_now)
    sleep 0.3
    b=$(busy_now)
    [ $((b - a)) -gt 3 ] || return 0
  done
}

TIMEFORMAT="%U %S"
run_wrk() { # output file, wrk arguments...: runs wrk; sets w_cpu (s of wrk's CPU)
  local out=$1; shift
  { time wrk "$@" >"$out"; } 2>"$work/wrk.time"
  w_cpu=$(awk '{printf "%.3f", $1 + $2}' "$work/wrk.time")
}
wrk_stats() { # wrk output: sets w_rps w_p50 w_p99 w_requests w_bad
  local f=$1 errors
  w_rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$f")
  w_p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$f")")
  w_p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$f")")
  w_requests=$(awk '/requests in/ {print $1}' "$f")
  w_secs=$(awk '/requests in/ {sub(/,$/, "", $4); print $4}' "$f") # "1234 requests in 10.00s," -> 10.00s
  w_secs=$(awk -v v="$w_secs" 'BEGIN {n = v + 0; if (v ~ /ms$/) n /= 1000; else if (v ~ /m$/) n *= 60; printf "%.3f", n}')
  w_bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$f"); w_bad=${w_bad:-0}
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$f"); w_bad=$((w_bad + ${errors:-0}))
}
threads_for() { [ "$1" -ge 2 ] && echo 2 || echo 1; }

# --- queries ---------------------------------------------------------------------------------------------------
declare -a rows_query=() rows_ingest=() rows_other=() notes=()
query_lines=0 query_misses=0
measure_query() { # label, path
  local label=$1 path=$2 url="http://127.0.0.1:$port$2" code matches out="$work/wrk-$catalog-q.txt"
  code=$(curl -s -o "$work/q.body" -w '%{http_code}' "$url") || code=000
  if [ "$code" != 200 ]; then
    echo "   $label: GET $path answered $code: $(head -c 300 "$work/q.body")" >&2
    exit 1
  fi
  matches=$(jq -r 'if has("total") then (if .total_exact == false then ">= \(.total)" else .total end) elif has("actions") then (.actions | length)
    elif has("resource_types") then (.resource_types | length) elif has("count") then .count else "–" end' "$work/q.body")
  wrk -t1 -c"$query_conns" -d"$warmup" --timeout 120s "$url" >/dev/null
  settle
  m_begin
  run_wrk "$out" -t1 -c"$query_conns" -d"$duration" --timeout 120s --latency "$url"
  m_end "$w_cpu"
  wrk_stats "$out"
  settle
  local verdict=PASS
  if [ "${w_requests:-0}" = 0 ]; then # slower than the whole run: wrk saw no answer
    w_p50="> ${duration%s}000" w_p99="> ${duration%s}000" w_rps=0 w_requests=1
  fi
  if [ "$label" = health ]; then verdict="(reference)"
  else
    query_lines=$((query_lines + 1))
    [[ $w_p99 != ">"* ]] && awk -v p="$w_p99" -v g=$goal_p99_ms 'BEGIN {exit !(p < g)}' \
      || { verdict=MISS; query_misses=$((query_misses + 1)); }
  fi
  [ "$w_bad" = 0 ] || verdict="$verdict ($w_bad non-2xx or errors)"
  local cus db
  cus=$(per "$m_custos" "$w_requests")
  db=$(per "$m_db" "$w_requests"); [ "$catalog" = postgresql ] || db="–"
  rows_query+=("| $catalog | $label | \`${path#/api/audit}\` | $matches | $w_rps | $w_p50 | $w_p99 | $cus | $db | $m_others | $verdict |")
  printf '   %-28s %8s matching  %6s req/s  p50 %8s ms  p99 %8s ms  Custos %6s µs/req  db %6s µs/req  others %4s  %s\n' \
    "$label" "$matches" "$w_rps" "$w_p50" "$w_p99" "$cus" "$db" "$m_others" "$verdict"
}

run_queries() {
  local s="$work/samples-$catalog.txt"
  sample() { awk -F= -v k="$1" '$1 == k {print substr($0, length(k) + 2)}' "$s"; }
  local dbid dbname engine reqid d0 d1 t0 t1 word cursor
  dbid=$(sample database_id); dbname=$(sample database_name); engine=$(sample engine_id); reqid=$(sample request_id)
  d0=$(sample start_date); d1=$(sample end_date); t0=$(sample start_time); t1=$(sample end_time)
  word=${dbname%%-*} # the database's team: one team in 12 names a tenth of the events
  cursor=$((events / 2))
  echo "   filter values: database $dbid ($dbname), engine $engine, request $reqid, week $d0..$d1, search '$word'"
  notes+=("- $catalog filter values: database \`$dbid\` (\`$dbname\`), engine \`$engine\`, request \`$reqid\`, dates $d0 to $d1, time range $t0 to $t1")
  local q=/api/audit
  # A fresh JVM compiles for a while: warm the common paths up before the first measured line.
  local u
  for u in /api/health "$q?limit=50" "$q?action=database_updated" "$q/history?resource_type=database&resource_id=$dbid"; do
    wrk -t1 -c2 -d3s "http://127.0.0.1:$port$u" >/dev/null
  done
  measure_query health /api/health
  measure_query "no filter" "$q?limit=50"
  measure_query action "$q?action=database_updated"
  measure_query "action (rare)" "$q?action=engine_deleted"
  measure_query resource_type "$q?resource_type=policy"
  measure_query resource_id "$q?resource_id=$dbid"
  measure_query "status=failed" "$q?status=failed"
  measure_query "status=success" "$q?status=success"
  measure_query search "$q?search=$word"
  measure_query "search (one database)" "$q?search=$dbname"
  measure_query database_type "$q?database_type=sqlserver"
  measure_query engine_id "$q?engine_id=$engine"
  measure_query resource_name "$q?resource_name=$dbname"
  measure_query user_id "$q?user_id=anonymous"
  measure_query category "$q?category=restore"
  measure_query severity "$q?severity=critical"
  measure_query sensitive_data_accessed "$q?sensitive_data_accessed=true"
  measure_query "sensitive_data_accessed=false" "$q?sensitive_data_accessed=false"
  measure_query gdpr_relevant "$q?gdpr_relevant=true"
  measure_query sox_relevant "$q?sox_relevant=true"
  measure_query hipaa_relevant "$q?hipaa_relevant=true"
  measure_query request_id "$q?request_id=$reqid"
  measure_query "start_date+end_date" "$q?start_date=$d0&end_date=$d1"
  measure_query "action+engine_id" "$q?action=backup_failed&engine_id=$engine"
  measure_query "type+status+dates" "$q?resource_type=database&status=failed&start_date=$d0&end_date=$d1"
  measure_query "db type+category+severity" "$q?database_type=postgresql&category=backup&severity=warning"
  measure_query "search+action" "$q?search=$word&action=database_updated"
  measure_query "gdpr+dates" "$q?gdpr_relevant=true&start_date=$d0&end_date=$d1"
  measure_query "deep page, cursor" "$q?cursor=$cursor&limit=50"
  measure_query "deep page, offset" "$q?offset=$cursor&limit=50"
  measure_query history "$q/history?resource_type=database&resource_id=$dbid"
  measure_query recent "$q/recent"
  measure_query "by-action" "$q/by-action?action=backup_failed&hours=168"
  measure_query "time-range" "$q/time-range?start_time=$t0&end_time=$t1"
  measure_query actions "$q/actions"
  measure_query resource-types "$q/resource-types"
  measure_query deletions "$q/deletions"
}

# --- verify ----------------------------------------------------------------------------------------------------
run_verify() {
  local code
  m_begin
  code=$(curl -s --max-time 1800 -o "$work/verify.json" -w '%{http_code}' "http://127.0.0.1:$port/api/audit/verify") || code=000
  m_end 0
  [ "$code" = 200 ] || { echo "   GET /api/audit/verify answered $code: $(head -c 300 "$work/verify.json")" >&2; exit 1; }
  local valid checked ms verdict=PASS
  valid=$(jq -r .valid "$work/verify.json"); checked=$(jq -r .checked_events "$work/verify.json")
  ms=$(jq -r .duration_ms "$work/verify.json")
  if [ "$valid" != true ]; then verdict="MISS (invalid: $(jq -r .problem "$work/verify.json"))"
  elif ! awk -v s="$m_secs" -v g=$goal_verify_s 'BEGIN {exit !(s < g)}'; then verdict=MISS; fi
  local rate
  rate=$(awk -v n="$checked" -v ms="$ms" 'BEGIN {printf "%.0f", (ms > 0 ? n / ms * 1000 : 0)}')
  local cus db="–"
  cus=$(awk -v t="$m_custos" -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  [ "$catalog" != postgresql ] || db=$(awk -v t="$m_db" -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  echo "   verify: valid=$valid, $checked events, duration_ms $ms, wall $m_secs s ($rate events/s), Custos CPU $cus s, db CPU $db s, others $m_others  $verdict"
  rows_other+=("| $catalog | verify (GET /api/audit/verify) | $checked events, valid=$valid | duration_ms $ms, wall $(printf '%.1f' "$m_secs") s, $rate events/s | Custos $cus s, db $db s | $m_others | < $goal_verify_s s: $verdict |")
}

# --- ingest ----------------------------------------------------------------------------------------------------
last_sequence() { curl -sf "http://127.0.0.1:$port/api/audit?limit=1" | jq -r '.logs[0].sequence'; }
declare -A best_ingest=()
write_lua() { # policy ids...: the wrk scripts
  local ids
  ids=$(printf '"%s",' "$@")
  cat >"$work/rename.lua" <<EOF
-- PUT /api/backup-policies/{id}: renames the policies round robin, a name never used before (policy_updated)
local ids = {${ids%,}}
local threads = 0
function setup(thread) threads = threads + 1; thread:set("tid", threads) end
function init(args) counter = 0; tag = args[1] or "r" end
function request()
  counter = counter + 1
  local i = counter % #ids + 1
  return wrk.format("PUT", "/api/backup-policies/" .. ids[i], {["Content-Type"] = "application/json"},
    '{"name": "bench ' .. tag .. ' ' .. tostring(tid) .. '-' .. counter .. '"}')
end
EOF
  cat >"$work/read.lua" <<EOF
-- GET /api/backup-policies/{id}: the same resources read, round robin
local ids = {${ids%,}}
function init(args) counter = 0 end
function request()
  counter = counter + 1
  return wrk.format("GET", "/api/backup-policies/" .. ids[counter % #ids + 1])
end
EOF
  cat >"$work/settings.lua" <<'EOF'
-- PUT /api/settings: a new default_retention_days each time (settings_updated)
function init(args) counter = 0 end
function request()
  counter = counter + 1
  return wrk.format("PUT", "/api/settings", {["Content-Type"] = "application/json"},
    '{"default_retention_days": ' .. (counter % 3650 + 1) .. '}')
end
EOF
}
run_tag=0
measure_ingest() { # label, lua script or "", path, connections, writes (1: counts events)
  local label=$1 lua=$2 path=$3 c=$4 writes=$5 t out="$work/wrk-$catalog-i.txt"
  local script=(); [ -z "$lua" ] || script=(-s "$lua")
  t=$(threads_for "$c")
  run_tag=$((run_tag + 1))
  wrk -t"$t" -c"$c" -d3s "${script[@]}" "http://127.0.0.1:$port$path" -- "w$run_tag" >/dev/null
  local s0 s1
  [ "$writes" = 0 ] || s0=$(last_sequence)
  run_tag=$((run_tag + 1))
  m_begin
  run_wrk "$out" -t"$t" -c"$c" -d"$ingest_duration" --latency "${script[@]}" "http://127.0.0.1:$port$path" -- "m$run_tag"
  m_end "$w_cpu"
  wrk_stats "$out"
  local ok=$((w_requests - w_bad)) ev="–" rate="–" per_req="–" verdict="(ceiling)" cus db
  if [ "$writes" != 0 ]; then
    s1=$(last_sequence)
    ev=$((s1 - s0))
    rate=$(awk -v n="$ev" -v s="$w_secs" 'BEGIN {printf "%.0f", n / s}') # over wrk's own run, as its req/s
    per_req=$(awk -v e="$ev" -v n="$ok" 'BEGIN {printf "%.3f", (n > 0 ? e / n : 0)}')
    verdict=PASS
    awk -v r="$rate" -v g="${goal_ingest[$catalog]}" 'BEGIN {exit !(r >= g)}' || verdict=MISS
    if [ -z "${best_ingest[$catalog]:-}" ] || [ "$rate" -gt "${best_ingest[$catalog]}" ]; then best_ingest[$catalog]=$rate; fi
  fi
  [ "$w_bad" = 0 ] || verdict="$verdict ($w_bad non-2xx or errors)"
  cus=$(per "$m_custos" "$w_requests")
  db=$(per "$m_db" "$w_requests"); [ "$catalog" = postgresql ] || db="–"
  rows_ingest+=("| $catalog | $label | $c | $rate | $w_rps | $per_req | $w_p50 | $w_p99 | $cus | $db | $m_others | $verdict |")
  printf '   %-34s c=%-3s %7s events/s  %6s req/s  (%s events/req)  p50 %7s ms  p99 %7s ms  Custos %5s µs/req  db %5s µs/req  others %4s  %s\n' \
    "$label" "$c" "$rate" "$w_rps" "$per_req" "$w_p50" "$w_p99" "$cus" "$db" "$m_others" "$verdict"
}

run_ingest() {
  local ids=() i c
  for i in $(seq -w 1 16); do
    ids+=("$(curl -sf -X POST "http://127.0.0.1:$port/api/backup-policies" -H 'Content-Type: application/json' \
      -d "{\"name\": \"bench policy $i\", \"daily\": {\"enabled\": true, \"keep_count\": 7, \"time\": \"02:00\"}}" | jq -r .policy.id)")
  done
  [[ ${ids[0]} == policy-* ]] || { echo "   could not create the bench policies (got '${ids[0]}')" >&2; exit 1; }
  write_lua "${ids[@]}"
  # One request, one event: checked before measuring, so that the count below means events per request.
  local before after
  before=$(last_sequence)
  curl -sf -X PUT "http://127.0.0.1:$port/api/backup-policies/${ids[0]}" -H 'Content-Type: application/json' -d '{"name": "bench check"}' >/dev/null
  curl -sf -X PUT "http://127.0.0.1:$port/api/settings" -H 'Content-Type: application/json' -d '{"default_retention_days": 31}' >/dev/null
  after=$(last_sequence)
  [ $((after - before)) = 2 ] || { echo "   one rename and one settings update wrote $((after - before)) events, not 2" >&2; exit 1; }
  curl -sf "http://127.0.0.1:$port/api/audit?limit=2" | jq -e '[.logs[].action] == ["settings_updated", "policy_updated"]' >/dev/null \
    || { echo "   the two writes did not log settings_updated and policy_updated" >&2; exit 1; }
  # The write paths are new to the JIT: warm them up first.
  wrk -t2 -c4 -d5s -s "$work/rename.lua" "http://127.0.0.1:$port/api/backup-policies" -- warm1 >/dev/null
  wrk -t2 -c4 -d5s -s "$work/settings.lua" "http://127.0.0.1:$port/api/settings" >/dev/null
  for c in $ingest_conns; do
    measure_ingest "GET /api/health (ceiling)" "" /api/health "$c" 0
    measure_ingest "GET /api/backup-policies/{id} (read)" "$work/read.lua" /api/backup-policies "$c" 0
    measure_ingest "PUT /api/backup-policies/{id} (rename)" "$work/rename.lua" /api/backup-policies "$c" 1
    measure_ingest "PUT /api/settings" "$work/settings.lua" /api/settings "$c" 1
  done
}

# The chain without HTTP: AuditLoad appends one event per transaction through AuditLog from 1, 4, 16 threads (the
# server stopped). What the catalog and the chain can do by themselves, beside what the API reaches.
declare -a rows_direct=()
run_direct() { # catalog url
  echo "   AuditLog without HTTP, one event per transaction, threads: $ingest_conns (${ingest_duration%s} s each after a warm-up)"
  java -cp "$loader_cp" AuditLoad --url "$1" --user postgres --password "${PGPASSWORD:-}" --key "$2/audit-signing.key" \
    --threads "$ingest_conns" --ingest-seconds "${ingest_duration%s}" >"$work/direct-$catalog.log" 2>&1 \
    || { tail -30 "$work/direct-$catalog.log" >&2; exit 1; }
  local line k v
  while read -r line; do
    declare -A f=()
    for kv in ${line#direct }; do f[${kv%%=*}]=${kv#*=}; done
    rows_direct+=("| $catalog | ${f[threads]} | ${f[rate]} | ${f[p50]} | ${f[p99]} | ${f[cpu_us]} | ${f[db_us]/-/–} | ${f[kb_per_event]} | ${f[others]} |")
    printf '   %-34s t=%-3s %7s events/s  commit p50 %7s ms  p99 %7s ms  Java %5s µs/event  db %5s µs/event  %5s KB written/event  others %4s\n' \
      "AuditLog, no HTTP" "${f[threads]}" "${f[rate]}" "${f[p50]}" "${f[p99]}" "${f[cpu_us]}" "${f[db_us]}" "${f[kb_per_event]}" "${f[others]}"
    unset f
  done < <(grep '^direct ' "$work/direct-$catalog.log")
}

# --- profile ---------------------------------------------------------------------------------------------------
# Where the request threads are, sampled with jstack: the innermost frame that says what a thread waits for or works on.
classify_dumps() { # files...: each request thread's whole stack, put in the first class that matches it
  awk '
    function flush() {
      if (inreq) {
        n++
        if (st ~ /TaskQueue\.(take|poll)/) k = "idle: waiting for a request"
        else if (st ~ /HikariPool\.getConnection/) k = "waiting for a pooled catalog connection"
        else if (st ~ /AuditChain\.lockHead/) k = "AuditChain.lockHead: locking the chain head (SELECT ... FOR UPDATE)"
        else if (st ~ /RowLocks\.lock/) k = "RowLocks.lock: locking the updated row"
        else if (st ~ /TransactionManager\.doBegin/) k = "BEGIN (on SQLite: waiting for the write lock)"
        else if (st ~ /TransactionManager\.doCommit/) k = "COMMIT (WAL write, sync, lock release)"
        else if (st ~ /AuditChain\.insert|AuditCheckpoints\.sign/) k = "AuditChain.append: INSERT of the event"
        else if (st ~ /dev\.custos\.audit\.Canonical|MessageDigest|AuditLog\.tree|AuditLog\.redact|AuditDraft/) k = "audit JSON, redaction and hashing"
        else if (st ~ /AuditChain\.append/) k = "AuditChain.append: UPDATE of the head"
        else if (st ~ /org\.sqlite|org\.postgresql/) k = "other catalog statements (read, update, name check)"
        else k = "other: HTTP, Spring MVC, JSON of request and response"
        c[k]++
      }
      inreq = 0; st = ""
    }
    /^"/ { flush(); inreq = ($0 ~ /http-nio-.*-exec-/); next }
    inreq { st = st $0 "\n" }
    END { flush(); for (k in c) printf "%6.1f%%  %s\n", c[k] * 100 / n, k | "sort -rn"; close("sort -rn"); printf "(%d thread samples)\n", n }
  ' "$@"
}
run_profile() {
  [ "$profile" = 1 ] || return 0
  command -v jstack >/dev/null || { echo "   (no jstack: no profile)"; return 0; }
  echo "   profile: PUT /api/backup-policies/{id} at 16 connections for 10 s, request threads sampled every 0.5 s"
  rm -f "$work"/dump-* "$work/pgwait.txt"
  wrk -t2 -c16 -d10s -s "$work/rename.lua" "http://127.0.0.1:$port/api/backup-policies" -- prof >"$work/wrk-profile.txt" &
  local wrk_pid=$! i=0
  sleep 1
  while kill -0 "$wrk_pid" 2>/dev/null && [ $i -lt 16 ]; do
    i=$((i + 1))
    jstack "$server_pid" >"$work/dump-$i" 2>/dev/null || true
    if [ "$catalog" = postgresql ]; then
      psql "${pg[@]}" -d "$pg_db" -tAc "SELECT state || ' ' || COALESCE(wait_event_type || ':' || wait_event, 'CPU')
        FROM pg_stat_activity WHERE datname = '$pg_db' AND pid <> pg_backend_pid() AND backend_type = 'client backend'" \
        >>"$work/pgwait.txt" 2>/dev/null || true
    fi
    sleep 0.5
  done
  wait "$wrk_pid" || true
  {
    echo "Request threads of Custos during PUT /api/backup-policies/{id} at 16 connections ($catalog; jstack, $i samples):"
    echo
    echo '```'
    classify_dumps "$work"/dump-*
    if [ -s "$work/pgwait.txt" ]; then
      echo
      echo "PostgreSQL backends of the bench database (pg_stat_activity, state and wait event, same samples):"
      sort "$work/pgwait.txt" | uniq -c | sort -rn | awk -v n="$(wc -l <"$work/pgwait.txt")" '{c = $1; $1 = ""; printf "%6.1f%% %s\n", c * 100 / n, $0}'
    fi
    echo '```'
  } >"$work/profile-$catalog.md"
  sed 's/^/   /' "$work/profile-$catalog.md"
}

# --- one catalog -----------------------------------------------------------------------------------------------
run_catalog() {
  echo "== $catalog catalog"
  local dir="$work/$catalog-data" url
  mkdir -p "$dir"
  if [ "$catalog" = sqlite ]; then
    url="jdbc:sqlite:$dir/custos.db"
  else
    pg_isready "${pg[@]}" -q || { echo "PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
    psql "${pg[@]}" -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null
    psql "${pg[@]}" -qc "CREATE DATABASE $pg_db" >/dev/null
    pg_created=1
    url="jdbc:postgresql://127.0.0.1:5432/$pg_db"
  fi

  echo "   loading $events events (transactions of $load_batch, over $days days)"
  local b0 t0 t1 b1 load_line
  b0=$(busy_ticks); t0=$EPOCHREALTIME
  /usr/bin/time -f '%U %S' -o "$work/load.time" java -cp "$loader_cp" AuditLoad --url "$url" --user postgres \
    --password "${PGPASSWORD:-}" --key "$dir/audit-signing.key" --events "$events" --batch "$load_batch" --days "$days" \
    --samples "$work/samples-$catalog.txt" >"$work/load-$catalog.log" 2>&1 \
    || { tail -30 "$work/load-$catalog.log" >&2; exit 1; }
  t1=$EPOCHREALTIME; b1=$(busy_ticks)
  grep '^loaded' "$work/load-$catalog.log" | sed 's/^/   /'
  load_line=$(grep '^load:' "$work/load-$catalog.log")
  local lsecs lcpu others
  lsecs=$(secs "$t0" "$t1")
  lcpu=$(awk '{printf "%.1f", $1 + $2}' "$work/load.time")
  # The loader's own CPU and (on PostgreSQL) its backend's, which it reports, are "ours"; the rest is others'.
  local backend_ticks
  backend_ticks=$(awk '/^backend_ticks=/ {print substr($0, 15)}' "$work/load-$catalog.log"); backend_ticks=${backend_ticks:-0}
  others=$(awk -v all=$((b1 - b0)) -v mine="$lcpu" -v be="$backend_ticks" -v hz="$tick" -v s="$lsecs" -v n="$cores" \
    'BEGIN {o = (all - mine * hz - be) / (hz * s * n) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
  echo "   $load_line; loader CPU $lcpu s, its PostgreSQL backend $(awk -v t="$backend_ticks" -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}') s; others $others"
  rows_other+=("| $catalog | load (AuditLoad, AuditLog.forCatalog) | ${load_line#load: } | | loader $lcpu s, db backend $(awk -v t="$backend_ticks" -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}') s | $others | (no goal) |")
  if [ "$catalog" = postgresql ]; then
    psql "${pg[@]}" -d "$pg_db" -qc "VACUUM (ANALYZE)" >/dev/null
    echo "   VACUUM (ANALYZE) done, as autovacuum would after the load"
  fi
  local size
  if [ "$catalog" = sqlite ]; then size=$(du -sm "$dir" | cut -f1)
  else size=$(psql "${pg[@]}" -d "$pg_db" -tAc "SELECT pg_database_size(current_database()) / 1048576"); fi
  notes+=("- $catalog catalog after the load: $size MB")

  start_server "$dir" "$url"
  local total seq
  total=$(curl -sf "http://127.0.0.1:$port/api/audit?limit=1" | jq -r .total)
  seq=$(last_sequence)
  [ "$total" = "$events" ] && [ "$seq" = "$events" ] \
    || { echo "   expected $events events, the API reports total $total, last sequence $seq" >&2; exit 1; }
  echo "   the trail holds $total events"

  run_queries
  run_verify
  run_ingest
  run_profile
  stop_server
  server_log=
  run_direct "$url" "$dir"
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
begin=$SECONDS
for catalog in $catalogs; do run_catalog; done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src pom.xml bench/audit 2>/dev/null)" ] || commit="$commit + uncommitted changes"
mkdir -p bench/results
result="bench/results/audit-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "# Audit trail benchmark, $started"
  echo
  echo "- command: \`bench/audit/run.sh${only:+ --only $only}\` ($events events loaded in transactions of $load_batch over $days days; queries: wrk -t1 -c$query_conns -d$duration --latency after a $warmup warm-up; ingest: wrk at $ingest_conns connections, -d$ingest_duration after 3 s)"
  echo "- commit: $commit"
  echo "- machine: $(machine_line); $(java -version 2>&1 | head -1); load average before the run: $load_before"
  printf '%s\n' "${notes[@]}"
  echo "- goals: ingest >= ${goal_ingest[sqlite]} events/s on SQLite and >= ${goal_ingest[postgresql]} on PostgreSQL; every query p99 < $goal_p99_ms ms; verify of the whole trail < $goal_verify_s s"
  echo "- CPU columns: user+system time per request of the Custos JVM and of the PostgreSQL backends serving it (SQLite runs inside Custos); others: the CPU the rest of the machine used meanwhile, in % of all cores (above a few % the run shared the machine and its latencies are not clean; PostgreSQL's WAL writer and checkpointer count there too)"
  echo
  echo "## Load and verify"
  echo
  echo "| catalog | what | result | rate | CPU | others | goal |"
  echo "|---|---|---|---|---|---:|---|"
  printf '%s\n' "${rows_other[@]}"
  echo
  echo "## Durable ingest (one audit event per request, committed when the request returns)"
  echo
  echo "| catalog | request | connections | events/s | req/s | events/req | p50 ms | p99 ms | Custos CPU µs/req | PostgreSQL CPU µs/req | others | goal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows_ingest[@]}"
  echo
  echo "The same appends without HTTP (bench/audit/AuditLoad.java: AuditLog.forCatalog, one event per transaction, each committed before the next, from N threads; Custos stopped). Latency is the transaction's; CPU is the Java process's and its PostgreSQL backends' per event; written is what the process wrote per event (SQLite: WAL and checkpoints) or the WAL the cluster generated (PostgreSQL):"
  echo
  echo "| catalog | threads | events/s | commit p50 ms | commit p99 ms | Java CPU µs/event | PostgreSQL CPU µs/event | KB written/event | others |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows_direct[@]}"
  echo
  for catalog in $catalogs; do
    echo "Best ingest on $catalog: ${best_ingest[$catalog]:-?} events/s (goal ${goal_ingest[$catalog]}): $(awk -v r="${best_ingest[$catalog]:-0}" -v g="${goal_ingest[$catalog]}" 'BEGIN {print ((r >= g) ? "PASS" : "MISS")}')."
    echo
    [ ! -f "$work/profile-$catalog.md" ] || { cat "$work/profile-$catalog.md"; echo; }
  done
  echo "## Queries at $events events (GET, one connection unless said otherwise)"
  echo
  echo "| catalog | query | path under /api/audit | matching | req/s | p50 ms | p99 ms | Custos CPU µs/req | PostgreSQL CPU µs/req | others | p99 < $goal_p99_ms ms |"
  echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows_query[@]}"
  echo
  echo "Total bench time: $((SECONDS - begin)) s; query goal missed on $query_misses of $query_lines lines."
} >"$result"
echo
cat "$result"
echo
echo "(written to $result)"
