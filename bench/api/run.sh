#!/usr/bin/env bash
# Benchmark of the database list API (issue 3, point 12).
#
# For each catalog (SQLite, PostgreSQL) it starts Custos from a jar built in its own build directory, loads
# 10,000 databases through POST /api/databases, then drives it with wrk from a second process on loopback:
#   list    GET /api/databases?limit=25
#   search  GET /api/databases?search=billing&type=postgresql&limit=25
#   pages   GET /api/databases?limit=25&offset=... over 400 different pages, two threads each cycling through
#           200 of them (bench/api/pages.lua): a client paging through the catalog. Custos caches pages (200 at
#           most, until the next write), and the list and search lines above ask for one page again and again,
#           so they measure a warm cache; this line never hits it and shows the uncached cost. No goal applies.
#   health  GET /api/health   (the reference: the framework's floor on the same server, same run)
# and prints req/s, p50, p99, the ratios to the health reference, the CPU time per request of Custos and of
# the PostgreSQL backends serving it, the CPU the rest of the machine used meanwhile (a noisy neighbour shows
# there), the CPU-bound ceiling (the req/s the line would reach with the cores to itself), and PASS/MISS
# against the goal (>= 2,000 req/s and p99 < 20 ms). A MISS is reported, not an error.
# For PostgreSQL the catalog is VACUUM ANALYZEd after the load, as autovacuum would do within a minute.
# The table goes to stdout and to bench/results/api-<timestamp>.md.
#
# Usage: bench/api/run.sh            (about 5 minutes on 2 cores)
# Knobs (environment): BENCH_CATALOGS="sqlite postgresql", BENCH_DATABASES=10000, BENCH_DURATION=20s (seconds),
#   BENCH_WARMUP=5s, BENCH_LOADERS=4 (concurrent POST clients), BENCH_BUILD_DIR, BENCH_JAVA_OPTS,
#   BENCH_SQLITE_PARAMS (extra sqlite-jdbc URL parameters, e.g. mmap_size=268435456, to try a pragma without a
#   rebuild), BENCH_KEEP=1 (keep the SQLite catalog and the PostgreSQL bench database afterwards, for EXPLAIN), PGPASSWORD.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

catalogs=${BENCH_CATALOGS:-sqlite postgresql}
count=${BENCH_DATABASES:-10000}
duration=${BENCH_DURATION:-20s}
warmup=${BENCH_WARMUP:-5s}
loaders=${BENCH_LOADERS:-4}
build_dir=${BENCH_BUILD_DIR:-${TMPDIR:-/tmp}/custos-bench-build}
pg_db=custos_bench
search_word=billing
wrk_args=(-t2 -c16 --latency)
goal_rps=2000
goal_p99_ms=20

# --- what the bench needs, on a fresh Debian machine -----------------------------------------------------
need=()
command -v java >/dev/null || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null || need+=(maven)
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
[[ " $catalogs " == *" postgresql "* ]] && ! command -v psql >/dev/null && need+=(postgresql-client)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

# --- cleanup: our own server and temp data, whatever happens ------------------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/custos-bench.XXXXXX")
server_pid=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
pg_dropped_at_exit=
cleanup() {
  stop_server
  if [ -n "$pg_dropped_at_exit" ] && [ -z "${BENCH_KEEP:-}" ]; then
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  if [ -n "${BENCH_KEEP:-}" ]; then echo "(kept $work and the PostgreSQL database $pg_db)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- build, in a directory of its own so it never clashes with other builds of this checkout ---------------
# Tests are neither compiled nor run (-Dmaven.test.skip): the bench needs the jar only.
echo "== building into $build_dir"
mvn_args=(-B -q -Dmaven.test.skip=true "-Dcustos.build.dir=$build_dir" package)
if ! mvn -o "${mvn_args[@]}" >"$work/build.log" 2>&1; then
  echo "   offline build failed, retrying online"
  mvn "${mvn_args[@]}" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
fi
jar=$build_dir/custos.jar

# --- helpers -------------------------------------------------------------------------------------------------
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

# Starts Custos with the environment given as arguments (NAME=value ...); sets $port and $server_pid.
start_server() {
  port=$(free_port)
  env "$@" CUSTOS_AUTH="${CUSTOS_AUTH:-none}" CUSTOS_PORT="$port" java ${BENCH_JAVA_OPTS:-} -jar "$jar" >"$work/server-$port.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  echo "Custos did not start; its log:" >&2
  tail -40 "$work/server-$port.log" >&2
  exit 1
}

busy_ticks() { # clock ticks all cores spent busy so far (user, nice, system, irq, softirq, steal)
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat
}

cpu_ticks() { # user+system clock ticks used so far by the server process
  awk '{print $14 + $15}' "/proc/$server_pid/stat"
}

# The PostgreSQL backends serving this Custos do part of each request's work outside the Java process: their
# CPU is counted too (pid:ticks lines). Hikari keeps its connections open, so the pids stay the same.
catalog_ticks() {
  [ "$current_catalog" = postgresql ] || return 0
  local pid
  for pid in $(psql -h 127.0.0.1 -U postgres -d "$pg_db" -tAc \
      "SELECT pid FROM pg_stat_activity WHERE datname = '$pg_db' AND pid <> pg_backend_pid()"); do
    [ -r "/proc/$pid/stat" ] && echo "$pid $(awk '{print $14 + $15}' "/proc/$pid/stat")"
  done
  return 0
}

to_ms() { # wrk latency such as 812.00us, 1.25ms, 1.02s -> milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0
    if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
    printf "%.2f", n }'
}

TIMEFORMAT="%U %S" # for `time wrk`: its user and system seconds
rows=()   # one markdown row per measurement
misses=0
api_lines=0
tick=$(getconf CLK_TCK)

# Warms up, then measures one URL (or the requests of a wrk script); appends a row. The health reference of the
# catalog must be measured first. A line with a script is informative: no goal applies to it.
measure() { # catalog, label, path [wrk script]
  local catalog=$1 label=$2 path=$3 url="http://127.0.0.1:$port$3" out="$work/wrk-$1-$2.txt"
  local wrk_args=("${wrk_args[@]}")
  [ -z "${4:-}" ] || wrk_args+=(-s "$4")
  wrk "${wrk_args[@]}" -d"$warmup" "$url" >/dev/null
  local before after db_before db_after all_before all_after wrk_cpu
  before=$(cpu_ticks); db_before=$(catalog_ticks); all_before=$(busy_ticks)
  { time wrk "${wrk_args[@]}" -d"$duration" "$url" >"$out"; } 2>"$work/wrk.time"
  after=$(cpu_ticks); db_after=$(catalog_ticks); all_after=$(busy_ticks)
  wrk_cpu=$(awk '{printf "%.0f", ($1 + $2) * '"$tick"'}' "$work/wrk.time")
  local rps p50 p99 requests bad errors cpu_us db_us db_ticks
  db_ticks=$(printf '%s\n%s\n' "$db_before" "$db_after" | awk 'NF == 2 {if ($1 in first) d += $2 - first[$1]; else first[$1] = $2} END {print d + 0}')
  rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' "$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' "$out")")
  requests=$(awk '/requests in/ {print $1}' "$out")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' "$out"); bad=${bad:-0}
  errors=$(awk '/Socket errors:/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$out"); errors=${errors:-0}
  cpu_us=$(awk -v t=$((after - before)) -v hz="$tick" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  db_us=$(awk -v t="$db_ticks" -v hz="$tick" -v n="$requests" 'BEGIN {printf "%.0f", t / hz * 1e6 / n}')
  # The throughput this request would reach if the cores were all ours: every core busy with Custos, its
  # PostgreSQL backends and wrk, nothing else. Independent of neighbours, unlike req/s and p99.
  local ceiling
  ceiling=$(awk -v t=$((after - before + db_ticks + wrk_cpu)) -v hz="$tick" -v n="$requests" -v cores="$(nproc)" \
    'BEGIN {printf "%.0f", cores * n / (t / hz)}')
  local db_text="PostgreSQL CPU $db_us µs/req, "
  [ "$current_catalog" = postgresql ] || { db_us="(in process)"; db_text=""; }
  # What the rest of the machine used meanwhile, in % of all cores: other people's work makes a run noisy.
  local others
  others=$(awk -v all=$((all_after - all_before)) -v mine=$((after - before + db_ticks + wrk_cpu)) -v cores="$(nproc)" \
    -v hz="$tick" -v secs="${duration%s}" 'BEGIN {o = (all - mine) / (hz * secs * cores) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
  if [ "$label" = health ]; then ref_rps=$rps; ref_p99=$p99; fi
  local ratio_rps ratio_p99 verdict=PASS
  ratio_rps=$(awk -v a="$rps" -v b="$ref_rps" 'BEGIN {printf "%.2f", a / b}')
  ratio_p99=$(awk -v a="$p99" -v b="$ref_p99" 'BEGIN {printf "%.1f", a / b}')
  if ! awk -v r="$rps" -v p="$p99" -v gr=$goal_rps -v gp=$goal_p99_ms 'BEGIN {exit !(r >= gr && p < gp)}'; then
    verdict=MISS
  fi
  [ -z "${4:-}" ] || verdict="(no goal)"
  if [ "$bad" != 0 ] || [ "$errors" != 0 ]; then verdict="$verdict ($bad non-2xx, $errors socket errors)"; fi
  if [ "$label" != health ] && [ -z "${4:-}" ]; then
    api_lines=$((api_lines + 1))
    [[ $verdict != MISS* ]] || misses=$((misses + 1))
  fi
  rows+=("| $catalog | $label | $rps | $p50 | $p99 | ${ratio_rps}× | ${ratio_p99}× | $cpu_us | $db_us | $others | $ceiling | $verdict |")
  printf '   %-7s %6s req/s  p50 %6s ms  p99 %6s ms  (%s× / %s× health)  Custos CPU %s µs/req, %sother processes %s, ceiling %s req/s  %s\n' \
    "$label" "$rps" "$p50" "$p99" "$ratio_rps" "$ratio_p99" "$cpu_us" "$db_text" "$others" "$ceiling" "$verdict"
}

create_engine() { # name, type, port -> prints the new engine's id
  curl -sf -X POST "http://127.0.0.1:$port/api/engines" -H 'Content-Type: application/json' \
    -d "{\"name\":\"$1\",\"engine_type\":\"$2\",\"host\":\"$1.example.internal\",\"port\":$3,\"username\":\"backup\",\"password\":\"engine-secret\"}" \
    | grep -o '"id":"engine-[a-z0-9]*"' | head -1 | cut -d'"' -f4
}

# 6 engines, then $count databases through POST /api/databases from $loaders concurrent connections.
load_catalog() {
  local pg_engines="" mysql_engines="" i
  for i in 1 2 3; do
    pg_engines+="$(create_engine "pg-0$i" postgresql 5432) "
    mysql_engines+="$(create_engine "mysql-0$i" mysql 3306) "
  done
  awk -v base="http://127.0.0.1:$port" -v count="$count" -v pg_engines="$pg_engines" -v mysql_engines="$mysql_engines" \
    -f "$root/bench/api/databases.awk" >"$work/load.cfg"
  local t0 t1 created line
  t0=$(date +%s.%N)
  curl -s --parallel --parallel-max "$loaders" -K "$work/load.cfg" >"$work/load.codes" 2>"$work/load.err" || true
  t1=$(date +%s.%N)
  created=$(grep -c '^201$' "$work/load.codes" || true)
  if [ "$created" != "$count" ]; then
    echo "   only $created of $count POST /api/databases answered 201:" >&2
    sort "$work/load.codes" | uniq -c >&2
    exit 1
  fi
  line=$(awk -v n="$count" -v a="$t0" -v b="$t1" -v c="$loaders" \
    'BEGIN {printf "loaded %d databases (+6 engines) through POST /api/databases in %.1f s: %.0f/s from %d connections", n, b - a, n / (b - a), c}')
  echo "   $line"
  notes+=("- $catalog: $line")
}

notes=()
bench_catalog() { # sqlite | postgresql
  local catalog=$1
  current_catalog=$catalog
  echo "== $catalog catalog"
  if [ "$catalog" = sqlite ]; then
    mkdir -p "$work/sqlite-data"
    start_server CUSTOS_DATA_DIR="$work/sqlite-data" \
      CUSTOS_CATALOG_URL="jdbc:sqlite:$work/sqlite-data/custos.db${BENCH_SQLITE_PARAMS:+?$BENCH_SQLITE_PARAMS}"
  else
    if ! pg_isready -h 127.0.0.1 -p 5432 -q; then
      echo "   starting PostgreSQL"
      [ -d /etc/postgresql ] || { export DEBIAN_FRONTEND=noninteractive; apt-get install -y -q postgresql >/dev/null 2>&1 \
        || { apt-get update -q >/dev/null && apt-get install -y -q postgresql >/dev/null; }; }
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
      for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $pg_db WITH (FORCE)" >/dev/null 2>&1
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $pg_db" >/dev/null
    pg_dropped_at_exit=1
    mkdir -p "$work/pg-data" # master key and local storage still live in a data directory
    start_server CUSTOS_DATA_DIR="$work/pg-data" CUSTOS_CATALOG_URL="jdbc:postgresql://127.0.0.1:5432/$pg_db" \
      CUSTOS_CATALOG_USERNAME=postgres CUSTOS_CATALOG_PASSWORD="${PGPASSWORD:-}"
  fi
  echo "   Custos pid $server_pid on 127.0.0.1:$port"

  load_catalog
  if [ "$catalog" = postgresql ]; then
    # A bulk load leaves no statistics and no visibility map: count(*) then reads every heap page. Autovacuum
    # fixes that within a minute or so of the load; do it now so the numbers are those of a settled catalog.
    psql -h 127.0.0.1 -U postgres -d "$pg_db" -qc "VACUUM (ANALYZE)" >/dev/null
    echo "   VACUUM (ANALYZE) done, as autovacuum would after the load"
  fi

  # The numbers only mean something if the answers are right: check the totals before measuring.
  local total matches
  total=$(curl -sf "http://127.0.0.1:$port/api/databases?limit=25" | grep -o '"total":[0-9]*' | cut -d: -f2)
  matches=$(curl -sf "http://127.0.0.1:$port/api/databases?search=$search_word&type=postgresql&limit=25" \
    | grep -o '"total":[0-9]*' | cut -d: -f2)
  if [ "$total" != "$count" ]; then echo "   expected $count databases, the API reports $total" >&2; exit 1; fi
  echo "   catalog holds $total databases; the search matches $matches"
  notes+=("- $catalog: catalog holds $total databases, the search matches $matches of them")

  measure "$catalog" health "/api/health"
  measure "$catalog" list "/api/databases?limit=25"
  measure "$catalog" search "/api/databases?search=$search_word&type=postgresql&limit=25"
  measure "$catalog" pages "/api/databases?limit=25" "$root/bench/api/pages.lua"
  stop_server
}

started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
begin=$SECONDS
for catalog in $catalogs; do bench_catalog "$catalog"; done

commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src pom.xml 2>/dev/null)" ] || commit="$commit + uncommitted changes"
mkdir -p bench/results
result="bench/results/api-$(date -u +%Y%m%d-%H%M%S).md"
{
  echo "# API benchmark, $started"
  echo
  echo "- command: \`bench/api/run.sh\` (catalogs: $catalogs; $count databases; wrk ${wrk_args[*]} -d$duration after a $warmup warm-up per URL)"
  echo "- commit: $commit"
  echo "- machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GB RAM; $(java -version 2>&1 | head -1); load average before the run: $load_before"
  printf '%s\n' "${notes[@]}"
  echo "- search: \`GET /api/databases?search=$search_word&type=postgresql&limit=25\`; list: \`GET /api/databases?limit=25\`; pages: \`GET /api/databases?limit=25&offset=…\` over 400 pages, never a cached one (bench/api/pages.lua); reference: \`GET /api/health\`"
  echo "- goal: ≥ $goal_rps req/s and p99 < $goal_p99_ms ms; ratios are to the health reference of the same catalog run; CPU columns are user+system time per request of the Custos process and of the PostgreSQL backends serving it (SQLite runs inside Custos); the other-processes column is the CPU the rest of the machine used during the measurement, in % of all cores: above a few % the run shared the machine and its latencies are not clean; the CPU-bound ceiling is cores / (CPU of Custos + PostgreSQL + wrk per request), the req/s the line would reach with the cores to itself"
  echo
  echo "| catalog | endpoint | req/s | p50 ms | p99 ms | req/s vs health | p99 vs health | Custos CPU µs/req | PostgreSQL CPU µs/req | other processes | CPU-bound ceiling req/s | goal |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
  echo
  echo "Total bench time: $((SECONDS - begin)) s; goal missed on $misses of $api_lines API lines."
} >"$result"
echo
cat "$result"
echo
echo "(written to $result)"
