#!/usr/bin/env bash
# Benchmark of backups (issue 4, point 7).
#
# Datasets, created once and reused (a marker table records a complete creation, so an interrupted or outdated
# one is dropped and made again; creation runs at nice 10, and so do the server processes doing the work):
#   pg/pgbench    PostgreSQL custos_bench_pgbench: pgbench -i -s 100 (its filler compresses ~100x: this one
#                 mostly measures the dump tool)
#   pg/real       PostgreSQL custos_bench_real: bench/backup/pg_real.sql, a shop (customers, orders, jsonb events,
#                 reviews, indexes) whose pg_dump -Fc -Z0 is ~1.3 GB and compresses ~3x with zstd -3
#   mariadb/real  MariaDB custos_bench_real: bench/backup/mariadb_real.sql, the same shop, ~1.4 GB of dump, ~3x
# On each, in one run and on the same data, it times Custos's backup against the pipelines a user would write:
#   PostgreSQL  pg_dump -Fc -Z0 > file (the raw dump: its size is the MB/s base), pg_dump -Fc (its default zlib
#               compression), pg_dump -Fc -Z0 | gzip, pg_dump -Fc -Z0 | zstd -3, pg_dump -Fc -Z0 | restic backup --stdin
#   MariaDB     mariadb-dump > file (the raw dump), mariadb-dump | gzip, mariadb-dump | zstd -3,
#               mariadb-dump | restic backup --stdin   (mariadb-dump with --single-transaction --routines
#               --triggers --events --hex-blob, as Custos runs it)
#   Custos      POST /api/databases/{id}/backup with compression zstd (level 3), zstd + encryption, gzip; wall time
#               from the trigger to `completed`, file_size_bytes, peak RSS of the JVM plus its dump child, JVM heap peak
# Every output goes to a file in the output directory, is fsynced (Custos fsyncs its objects; the time to make a
# file durable counts for everyone), measured and deleted; restic gets a fresh repository each time and its size
# growth is the output size. One untimed warm-up dump per dataset first, so every tool meets the same warm cache.
# It prints, per dataset: wall s, MB/s of the raw dump, output MB, compression (raw / output), peak RSS, CPU of the
# tools, CPU of the database server, the CPU other processes took meanwhile, and the issue's goals with PASS/FAIL
# (measured on every dataset; the issue sets them on the realistic one). The report also goes to
# bench/results/backup-<timestamp>.md (git-ignored).
#
# Usage: bench/backup/run.sh [--skip-custos] [--only pg|mariadb] [--repeat N] [--datasets-only]
#   --skip-custos    peers only: no build, no Custos
#   --only ENGINE    pg (pgbench and realistic PostgreSQL datasets) or mariadb
#   --repeat N       N rounds of every tool, interleaved; the table shows medians
#   --datasets-only  create the missing datasets, print their sizes, and stop
# Knobs (environment): BENCH_OUT=/tmp/custos-bench-out (outputs, restic repositories, Custos's storage; removed at
#   exit), BENCH_BUILD_DIR=/tmp/custos-bench-build/target, BENCH_JAVA_OPTS (added to -Xmx256m), BENCH_NICE=10
#   (priority of the dataset creation), BENCH_SCALE=1 (a fraction such as 0.02 makes small datasets under other
#   names, to try the script quickly), BENCH_CUSTOS_TIMEOUT=3600 (s per backup), RESTIC_PASSWORD (default
#   custos-bench), BENCH_KEEP=1 (keep the temporary directory with logs).
# Peers alone take about 5 minutes on 2 cores once the datasets exist; creating them takes about 5 more (13 s, 160 s
# and 130 s here); the Custos variants add a build and about 5 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
skip_custos= only= repeat=1 datasets_only=
while [ $# -gt 0 ]; do
  case $1 in
    --skip-custos) skip_custos=1 ;;
    --only) [ $# -ge 2 ] || { usage >&2; exit 2; }; only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --repeat) [ $# -ge 2 ] || { usage >&2; exit 2; }; repeat=$2; shift ;;
    --repeat=*) repeat=${1#*=} ;;
    --datasets-only) datasets_only=1 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case $only in '' | pg | mariadb) ;; *) echo "--only takes pg or mariadb, not $only" >&2; exit 2 ;; esac
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "--repeat takes a positive number, not $repeat" >&2; exit 2; }

out=${BENCH_OUT:-/tmp/custos-bench-out}
build_dir=${BENCH_BUILD_DIR:-/tmp/custos-bench-build/target}
gen_nice=${BENCH_NICE:-10}
scale=${BENCH_SCALE:-1}
custos_timeout=${BENCH_CUSTOS_TIMEOUT:-3600}
export RESTIC_PASSWORD=${RESTIC_PASSWORD:-custos-bench}
pg=(-h 127.0.0.1 -p 5432 -U postgres)
my=(-h 127.0.0.1 -P 3306 -u root)
mariadb_dump_flags=(--single-transaction --routines --triggers --events --hex-blob)
# What the Custos variants set on the database (PUT /api/databases/{id}). The encryption field is the one the
# backups work is expected to add; the run checks that the backup record reports `encrypted: true`.
custos_variants=(
  "custos zstd-3|{\"compression\": \"zstd\", \"encrypted\": false}"
  "custos zstd-3 + encryption|{\"compression\": \"zstd\", \"encrypted\": true}"
  "custos gzip|{\"compression\": \"gzip\", \"encrypted\": false}"
)
# Bump when a generator changes: datasets made by another version are dropped and made again.
generator_version=1
vocab_size=6000
real_rows=(800000 2400000 800000 800000) # customers, orders, events, reviews
pgbench_scale=100
goal_pipe=1.05 goal_native=0.40 goal_size=1.05 goal_encryption=1.10 goal_heap_mb=256

if [ "$scale" != 1 ]; then
  [[ $scale =~ ^0?\.[0-9]+$ ]] || { echo "BENCH_SCALE is a fraction below 1, such as 0.02" >&2; exit 2; }
  suffix=_s${scale#*.}
  pgbench_scale=$(awk -v s="$scale" 'BEGIN {n = int(100 * s + 0.5); print n < 1 ? 1 : n}')
  for i in "${!real_rows[@]}"; do real_rows[i]=$(awk -v n="${real_rows[i]}" -v s="$scale" 'BEGIN {print int(n * s + 0.5)}'); done
else
  suffix=
fi
pgbench_db=custos_bench_pgbench$suffix
real_db=custos_bench_real$suffix
datasets=()
[ "$only" = mariadb ] || datasets+=(pg/pgbench pg/real)
[ "$only" = pg ] || datasets+=(mariadb/real)

case "$(realpath -m "$out")/" in "$root"/*) echo "BENCH_OUT must be outside the checkout ($out)" >&2; exit 2 ;; esac

# --- what the bench needs, on a fresh Debian machine -----------------------------------------------------
need=()
command -v psql >/dev/null || need+=(postgresql-client)
pgbench --version >/dev/null 2>&1 || need+=(postgresql) # Debian ships pgbench with the server package
command -v mariadb-dump >/dev/null || need+=(mariadb-client)
command -v zstd >/dev/null || need+=(zstd)
command -v gzip >/dev/null || need+=(gzip)
command -v restic >/dev/null || need+=(restic)
[ -x /usr/bin/time ] || need+=(time)
command -v jq >/dev/null || need+=(jq)
command -v curl >/dev/null || need+=(curl)
if [ -z "$skip_custos" ] && [ -z "$datasets_only" ]; then
  command -v java >/dev/null && command -v jcmd >/dev/null || need+=(openjdk-17-jdk-headless)
  command -v mvn >/dev/null || need+=(maven)
fi
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
fi

wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$1 did not come up" >&2
  return 1
}
if [ "$only" != mariadb ] && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
  echo "== starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  wait_for PostgreSQL "pg_isready -h 127.0.0.1 -p 5432 -q"
fi
if [ "$only" != pg ] && ! mariadb "${my[@]}" -e 'SELECT 1' >/dev/null 2>&1; then
  echo "== starting MariaDB"
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
  wait_for MariaDB "mariadb ${my[*]} -e 'SELECT 1'"
fi

# --- dataset creation at low priority --------------------------------------------------------------------
# Creation runs in the database servers, not in our client: nice(1) on psql alone would change nothing. While a
# dataset is made, a helper lowers the priority of the server processes doing the work: the backends connected to
# the database on PostgreSQL; on MariaDB (one process; performance_schema is off, so a connection cannot be mapped
# to its thread) the threads busy more than half a core, put back to their priority afterwards.
renice_pg_backends() { # database
  local p
  while :; do
    for p in $(psql "${pg[@]}" -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$1'" 2>/dev/null); do
      renice -n "$gen_nice" -p "$p" >/dev/null 2>&1 || true
    done
    sleep 2
  done
}
reniced_threads= # a file of "tid nice" lines: the MariaDB threads we reniced, and their priority before
renice_busy_mariadb_threads() {
  local pid t f tid ticks
  pid=$(pidof mariadbd) || return 0
  declare -A last=() seen=()
  while :; do
    for t in /proc/"$pid"/task/*; do
      read -r -a f <"$t/stat" 2>/dev/null || continue
      tid=${f[0]} ticks=$((f[13] + f[14]))
      if [ -n "${last[$tid]:-}" ] && [ -z "${seen[$tid]:-}" ] && [ $((ticks - last[$tid])) -ge "$tick" ]; then
        echo "$tid ${f[18]}" >>"$reniced_threads"
        renice -n "$gen_nice" -p "$tid" >/dev/null 2>&1 || true
        seen[$tid]=1
      fi
      last[$tid]=$ticks
    done
    sleep 2
  done
}
restore_mariadb_threads() {
  [ -s "$reniced_threads" ] || return 0
  local tid nice
  while read -r tid nice; do renice -n "$nice" -p "$tid" >/dev/null 2>&1 || true; done <"$reniced_threads"
  : >"$reniced_threads"
}

# --- cleanup: our own server, renicing and outputs, whatever happens ---------------------------------------
work=$(mktemp -d "${TMPDIR:-/tmp}/custos-bench-backup.XXXXXX")
reniced_threads=$work/reniced-threads
mkdir -p "$out"
out_made=$(mktemp -d "$out/run.XXXXXX") # everything this run writes; the directory itself may be shared
server_pid= sampler_pid= renicer_pid= hwm_reset=
stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
stop_bg() { # pid: a background helper of ours
  [ -n "$1" ] || return 0
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
cleanup() {
  stop_bg "$sampler_pid"
  stop_bg "$renicer_pid"
  restore_mariadb_threads
  stop_server
  rm -rf "$out_made"
  rmdir "$out" 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "(kept $work)"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

tick=$(getconf CLK_TCK)
cores=$(nproc)
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

# --- datasets -------------------------------------------------------------------------------------------------
pg_marker() { # database -> the generator recorded by a complete creation, or nothing
  psql "${pg[@]}" -d "$1" -Atc "SELECT generator || '|' || seconds FROM custos_bench_meta" 2>/dev/null || true
}
my_marker() {
  mariadb "${my[@]}" -N -B -e "SELECT CONCAT(generator, '|', seconds) FROM custos_bench_meta" "$1" 2>/dev/null || true
}
pg_recreate() { # database
  PGOPTIONS='-c client_min_messages=warning' psql "${pg[@]}" -d postgres -qc "DROP DATABASE IF EXISTS $1 WITH (FORCE)" \
    -c "CREATE DATABASE $1" >/dev/null
}
pg_finish() { # database, generator, seconds: the marker, last, so that its presence means "complete"
  psql "${pg[@]}" -d "$1" -q >/dev/null <<SQL
CREATE TABLE custos_bench_meta (generator text NOT NULL, seconds numeric NOT NULL, created_at timestamptz NOT NULL DEFAULT now());
INSERT INTO custos_bench_meta (generator, seconds) VALUES ('$2', $3);
SQL
}
declare -A gen_seconds=() # dataset -> creation time in s (from its marker when reused)

ensure_dataset() { # dataset
  local ds=$1 want marker t0 db
  case $ds in
    pg/pgbench) db=$pgbench_db; want="pgbench -i -s $pgbench_scale, v$generator_version"; marker=$(pg_marker "$db") ;;
    pg/real) db=$real_db; want="pg_real.sql ${real_rows[*]}, vocab $vocab_size, v$generator_version"; marker=$(pg_marker "$db") ;;
    mariadb/real) db=$real_db; want="mariadb_real.sql ${real_rows[*]}, vocab $vocab_size, v$generator_version"; marker=$(my_marker "$db") ;;
  esac
  if [ "${marker%|*}" = "$want" ]; then
    gen_seconds[$ds]=${marker##*|}
    echo "== $ds: $db is complete ($want, made in ${gen_seconds[$ds]} s), reused"
    return 0
  fi
  if [ -n "$marker" ]; then echo "== $ds: $db was made by another generator (${marker%|*}): making it again"; fi
  echo "== $ds: creating $db ($want) at nice $gen_nice"
  t0=$EPOCHREALTIME
  case $ds in
    pg/pgbench)
      pg_recreate "$db"
      renice_pg_backends "$db" & renicer_pid=$!
      nice -n "$gen_nice" pgbench "${pg[@]}" -i -s "$pgbench_scale" -q "$db" >"$work/gen-pgbench.log" 2>&1 \
        || { tail -20 "$work/gen-pgbench.log" >&2; exit 1; }
      ;;
    pg/real)
      pg_recreate "$db"
      renice_pg_backends "$db" & renicer_pid=$!
      awk -v count="$vocab_size" -f bench/backup/vocab.awk \
        | psql "${pg[@]}" -d "$db" -q -c "CREATE TABLE bench_vocab (id int PRIMARY KEY, w text NOT NULL)" \
          -c "COPY bench_vocab FROM STDIN" >/dev/null
      nice -n "$gen_nice" psql "${pg[@]}" -d "$db" -q -v ON_ERROR_STOP=1 -v vocab="$vocab_size" \
        -v customers="${real_rows[0]}" -v orders="${real_rows[1]}" -v events="${real_rows[2]}" \
        -v reviews="${real_rows[3]}" -f bench/backup/pg_real.sql >"$work/gen-pg-real.log" 2>&1 \
        || { tail -20 "$work/gen-pg-real.log" >&2; exit 1; }
      ;;
    mariadb/real)
      mariadb "${my[@]}" -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
      renice_busy_mariadb_threads & renicer_pid=$!
      awk -v count="$vocab_size" -f bench/backup/vocab.awk >"$work/vocab.tsv"
      awk -v vocab="$work/vocab.tsv" -v customers="${real_rows[0]}" -v orders="${real_rows[1]}" \
        -v events="${real_rows[2]}" -v reviews="${real_rows[3]}" -f bench/backup/mariadb_expand.awk \
        bench/backup/mariadb_real.sql >"$work/mariadb_real.sql"
      nice -n "$gen_nice" mariadb "${my[@]}" --max-allowed-packet=64M "$db" <"$work/mariadb_real.sql" \
        >"$work/gen-mariadb-real.log" 2>&1 || { tail -20 "$work/gen-mariadb-real.log" | cut -c1-300 >&2; exit 1; }
      ;;
  esac
  stop_bg "$renicer_pid"; renicer_pid=
  restore_mariadb_threads
  gen_seconds[$ds]=$(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN {printf "%.0f", b - a}')
  if [ "$ds" = mariadb/real ]; then
    mariadb "${my[@]}" "$db" -e "CREATE TABLE custos_bench_meta (generator VARCHAR(255) NOT NULL, seconds INT NOT NULL,
      created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP); INSERT INTO custos_bench_meta (generator, seconds)
      VALUES ('$want', ${gen_seconds[$ds]})"
  else
    pg_finish "$db" "$want" "${gen_seconds[$ds]}"
  fi
  echo "   made in ${gen_seconds[$ds]} s"
}

dataset_size() { # dataset -> "N MB on disk"
  case $1 in
    pg/pgbench) psql "${pg[@]}" -d postgres -Atc "SELECT pg_database_size('$pgbench_db') / 1000000" ;;
    pg/real) psql "${pg[@]}" -d postgres -Atc "SELECT pg_database_size('$real_db') / 1000000" ;;
    mariadb/real) mariadb "${my[@]}" -N -B -e "SELECT ROUND(SUM(data_length + index_length) / 1000000)
      FROM information_schema.tables WHERE table_schema = '$real_db'" ;;
  esac
}

declare -A disk_mb=()
for ds in "${datasets[@]}"; do
  ensure_dataset "$ds"
  disk_mb[$ds]=$(dataset_size "$ds")
  echo "   $ds: ${disk_mb[$ds]} MB on disk (tables and indexes)"
done
[ -z "$datasets_only" ] || exit 0

# --- measuring ------------------------------------------------------------------------------------------------
busy_ticks() { # clock ticks all cores spent busy so far (user, nice, system, irq, softirq, steal)
  local cpu user nice system idle iowait irq softirq steal _
  read -r cpu user nice system idle iowait irq softirq steal _ </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}
proc_ticks() { # pid...: user + system ticks of these processes and of their reaped children, summed
  local p f s=0
  for p; do
    read -r -a f <"/proc/$p/stat" 2>/dev/null || continue
    s=$((s + f[13] + f[14] + f[15] + f[16]))
  done
  echo "$s"
}
# The database server's CPU: PostgreSQL's postmaster with its live children (backends, workers) and, through its
# cutime, those that exited; MariaDB is one process. Other clients' queries on the same server count here too.
server_ticks() {
  local kids=()
  if [ "$engine" = pg ]; then
    read -r -a kids <"/proc/$pg_postmaster/task/$pg_postmaster/children" || true
    proc_ticks "$pg_postmaster" "${kids[@]}"
  else
    proc_ticks "$mariadb_pid"
  fi
}

fmt='%e %M %U %S' # /usr/bin/time: wall s, peak RSS KB, user s, system s
# Runs the stages (names of arrays holding a command) as one pipeline, the last one's output to $dest, each under
# /usr/bin/time, then fsyncs $dest when it is a file. Sets m_wall (s, from start to durable), m_rss (MB: the sum
# of the stages' peaks, as they run together), m_cpu (s, all stages), m_server (s, the database server's CPU),
# m_others (% of all cores other processes used meanwhile).
run_stages() { # dest, stage...
  local dest=$1; shift
  local -n s1=$1
  local t0 t1 b0 b1 v0 v1 rc=0
  b0=$(busy_ticks); v0=$(server_ticks); t0=$EPOCHREALTIME
  if [ $# -eq 1 ]; then
    /usr/bin/time -f "$fmt" -o "$work/time.1" "${s1[@]}" >"$dest" 2>>"$work/tools.log" || rc=$?
    : >"$work/time.2"
  else
    local -n s2=$2
    { /usr/bin/time -f "$fmt" -o "$work/time.1" "${s1[@]}" 2>>"$work/tools.log" \
      | /usr/bin/time -f "$fmt" -o "$work/time.2" "${s2[@]}" >"$dest" 2>>"$work/tools.log"; } || rc=$?
  fi
  [ ! -f "$dest" ] || sync -- "$dest"
  t1=$EPOCHREALTIME; b1=$(busy_ticks); v1=$(server_ticks)
  if [ "$rc" != 0 ]; then
    echo "   the pipeline failed (exit $rc); the tools said:" >&2
    tail -20 "$work/tools.log" >&2
    exit 1
  fi
  m_wall=$(secs "$t0" "$t1")
  read -r m_rss m_cpu < <(awk '/^Command/ {next} NF >= 4 {rss += $2; cpu += $3 + $4} END {printf "%.0f %.1f\n", rss / 1024, cpu}' \
    "$work/time.1" "$work/time.2")
  m_server=$(awk -v t=$((v1 - v0)) -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  m_others=$(awk -v all=$((b1 - b0)) -v mine="$m_cpu" -v srv=$((v1 - v0)) -v hz="$tick" -v w="$m_wall" -v c="$cores" \
    'BEGIN {o = (all - mine * hz - srv) / (hz * w * c) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
}

declare -A r_wall=() r_size=() r_rss=() r_cpu=() r_server=() r_others=() r_heap=() r_note=()
labels=() # measured lines, in order, as "dataset|label"
record() { # dataset, label, wall, size bytes, rss MB, cpu s, server s, others, heap MB or -
  local k="$1|$2"
  [[ " ${labels[*]} " == *" $k "* ]] || labels+=("$k")
  r_wall[$k]+="$3 " r_size[$k]+="$4 " r_rss[$k]+="$5 " r_cpu[$k]+="$6 " r_server[$k]+="$7 " r_others[$k]+="$8 " r_heap[$k]+="$9 "
}
median() { # values... (a trailing % is kept; "-" values give "–")
  printf '%s\n' "$@" | awk '$1 == "-" {dash = 1} {pct = sub(/%$/, ""); v[NR] = $1 + 0} END {
    if (dash) { printf "–"; exit }
    n = asort_(v, NR); m = NR % 2 ? s[(NR + 1) / 2] : (s[NR / 2] + s[NR / 2 + 1]) / 2
    printf (pct ? "%.0f%%" : "%.3f"), m }
    function asort_(a, n,   i, j, t) { for (i = 1; i <= n; i++) s[i] = a[i]
      for (i = 2; i <= n; i++) for (j = i; j > 1 && s[j - 1] > s[j]; j--) { t = s[j]; s[j] = s[j - 1]; s[j - 1] = t } return n }'
}

peer() { # dataset, label, kind (file | restic), stage...
  local ds=$1 label=$2 kind=$3; shift 3
  local dest size repo
  if [ "$kind" = restic ]; then
    repo=$out_made/restic-repo
    rm -rf "$repo" "$out_made/restic-cache"
    restic init -q --repo "$repo" >/dev/null
    restic_cmd=(restic -q --repo "$repo" --cache-dir "$out_made/restic-cache" backup --stdin
      --stdin-filename "$ds_db.dump" --host custos-bench)
    local base; base=$(du -sb "$repo" | cut -f1)
    run_stages /dev/null "$@" restic_cmd
    size=$(($(du -sb "$repo" | cut -f1) - base))
    rm -rf "$repo" "$out_made/restic-cache"
  else
    dest=$out_made/output
    run_stages "$dest" "$@"
    size=$(stat -c %s "$dest")
    rm -f "$dest"
  fi
  record "$ds" "$label" "$m_wall" "$size" "$m_rss" "$m_cpu" "$m_server" "$m_others" -
  printf '   %-40s %8.1f s %9.1f MB  RSS %5s MB  CPU %6s s  server %6s s  others %s\n' \
    "$label" "$m_wall" "$(awk -v b="$size" 'BEGIN {print b / 1e6}')" "$m_rss" "$m_cpu" "$m_server" "$m_others"
}

# --- Custos --------------------------------------------------------------------------------------------------
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}
api() { # method, path [, json]: the body goes to $work/api.body, the status to $api_status
  local args=(-s -o "$work/api.body" -w '%{http_code}' -X "$1" "http://127.0.0.1:$port/api$2")
  [ $# -lt 3 ] || args+=(-H 'Content-Type: application/json' -d "$3")
  api_status=$(curl "${args[@]}") || api_status=000
}
api_expect() { # status, method, path [, json]
  local want=$1; shift
  api "$@"
  if [ "$api_status" != "$want" ]; then
    echo "   $1 /api$2 answered $api_status, not $want: $(head -c 500 "$work/api.body")" >&2
    exit 1
  fi
}

start_custos() {
  echo "== building into $build_dir"
  local mvn_args=(-B -q -Dmaven.test.skip=true "-Dcustos.build.dir=$build_dir" package)
  if ! mvn -o "${mvn_args[@]}" >"$work/build.log" 2>&1; then
    echo "   offline build failed, retrying online"
    mvn "${mvn_args[@]}" >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  fi
  port=$(free_port)
  mkdir -p "$work/custos-data" "$out_made/custos-backups"
  CUSTOS_DATA_DIR="$work/custos-data" CUSTOS_STORAGE_LOCAL_PATH="$out_made/custos-backups" CUSTOS_PORT="$port" \
    java -Xmx256m "-Xlog:gc:file=$work/gc.log:uptime" ${BENCH_JAVA_OPTS:-} -jar "$build_dir/custos.jar" \
    >"$work/custos.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then break; fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.5
  done
  if ! curl -sf "http://127.0.0.1:$port/api/health" >/dev/null 2>&1; then
    echo "Custos did not start; its log:" >&2
    tail -40 "$work/custos.log" >&2
    exit 1
  fi
  echo "   Custos pid $server_pid on 127.0.0.1:$port, -Xmx256m, data in $work/custos-data"
  # Fail now rather than after the peers: this build must have the backup endpoint.
  api GET /openapi.json
  if ! grep -q '/backup"' "$work/api.body"; then
    echo "This build of Custos has no POST /api/databases/{id}/backup (not in /api/openapi.json): run with --skip-custos." >&2
    exit 1
  fi
  if echo 5 2>/dev/null >"/proc/$server_pid/clear_refs"; then
    hwm_reset=1
  else
    hwm_reset= # peak RSS by sampling VmRSS every 100 ms instead
    echo "   cannot reset the kernel's peak RSS of the JVM (/proc/pid/clear_refs): sampling VmRSS every 100 ms instead"
  fi
}

declare -A custos_db=() # dataset -> Custos database id
custos_database() { # dataset
  local ds=$1 type port_ user
  if [ "$engine" = pg ]; then type=postgresql port_=5432 user=postgres; else type=mysql port_=3306 user=root; fi
  api_expect 201 POST /databases "$(jq -cn --arg name "bench ${ds/\//-}" --arg type "$type" --argjson port "$port_" \
    --arg db "$ds_db" --arg user "$user" '{name: $name, database_type: $type, host: "127.0.0.1", port: $port,
      database_name: $db, username: $user, password: "", use_engine_credentials: false, enabled: true,
      compression: "zstd"}')"
  custos_db[$ds]=$(jq -r .database.id "$work/api.body")
}

# Peak memory of the JVM and of its descendants (the dump tool), sampled every 100 ms without forking (a fork per
# sample would cost more CPU than the sampling). Writes "jvm_kb children_kb" peaks to $1 whenever they grow.
sample_memory() { # file
  local file=$1 jvm=0 kids=0 v
  walk() { # pid: sum of VmRSS (KB) of its descendants, into v
    local t c k line
    for t in /proc/"$1"/task/*/children; do
      c=()
      read -r -a c <"$t" 2>/dev/null || [ ${#c[@]} -gt 0 ] || continue # the file has no newline: read "fails"
      for k in "${c[@]}"; do
        while read -r line; do
          [[ $line == VmRSS:* ]] && { line=${line#VmRSS:}; line=${line% kB}; v=$((v + ${line//[[:space:]]/})); break; }
        done <"/proc/$k/status" 2>/dev/null || true
        walk "$k"
      done
    done
  }
  while :; do
    v=0; walk "$server_pid"
    local line now=0
    while read -r line; do
      [[ $line == VmRSS:* ]] && { line=${line#VmRSS:}; now=${line% kB}; now=${now//[[:space:]]/}; break; }
    done <"/proc/$server_pid/status" 2>/dev/null || true
    if [ "$v" -gt "$kids" ] || [ "$now" -gt "$jvm" ]; then
      [ "$v" -le "$kids" ] || kids=$v
      [ "$now" -le "$jvm" ] || jvm=$now
      echo "$jvm $kids" >"$file"
    fi
    sleep 0.1
  done
}
status_kb() { # pid, field (VmHWM, VmRSS)
  awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status"
}
heap_peak_mb() { # gc.log line to start from: the largest heap occupancy seen by a GC since, or in use now; "-" if neither is known
  local from=$1 now
  now=$(jcmd "$server_pid" GC.heap_info 2>/dev/null | awk 'match($0, /used [0-9]+K/) {print substr($0, RSTART + 5, RLENGTH - 6); exit}')
  { [ ! -f "$work/gc.log" ] || tail -n +"$from" "$work/gc.log"; } | awk -v now="${now:-0}" '
    function mb(s) { u = substr(s, length(s)); n = substr(s, 1, length(s) - 1) + 0
      return u == "G" ? n * 1024 : u == "M" ? n : u == "K" ? n / 1024 : n / 1048576 }
    { while (match($0, /[0-9]+[BKMG]->/)) { v = mb(substr($0, RSTART, RLENGTH - 2)); if (v > max) max = v; $0 = substr($0, RSTART + RLENGTH) } }
    END { if (now / 1024 > max) max = now / 1024; if (max > 0) printf "%.0f", max; else printf "-" }'
}

custos_backup() { # dataset, label, json for PUT /api/databases/{id}
  local ds=$1 label=$2 settings=$3 id=${custos_db[$1]}
  api_expect 200 PUT "/databases/$id" "$settings"
  local gc_from t0 t1 b0 b1 v0 v1 c0 c1 job status rec
  gc_from=1
  [ ! -f "$work/gc.log" ] || gc_from=$(($(wc -l <"$work/gc.log") + 1))
  [ -z "$hwm_reset" ] || echo 5 >"/proc/$server_pid/clear_refs"
  rm -f "$work/mem.peak"
  sample_memory "$work/mem.peak" & sampler_pid=$!
  b0=$(busy_ticks); v0=$(server_ticks); c0=$(proc_ticks "$server_pid"); t0=$EPOCHREALTIME
  api_expect 202 POST "/databases/$id/backup"
  job=$(jq -r .job_id "$work/api.body")
  while :; do
    api GET "/backups?database_id=$id&page_size=100"
    rec=$(jq -c --arg job "$job" 'first(.backups[]? | select(.job_id == $job)) // empty' "$work/api.body" 2>/dev/null || true)
    status=
    [ -z "$rec" ] || status=$(jq -r '.status // empty' <<<"$rec")
    case $status in completed | failed | cancelled) break ;; esac
    if [ "$(secs "$t0" "$EPOCHREALTIME" | cut -d. -f1)" -ge "$custos_timeout" ]; then
      echo "   $label: still '$status' after $custos_timeout s: giving up" >&2
      exit 1
    fi
    sleep 0.1
  done
  t1=$EPOCHREALTIME; b1=$(busy_ticks); v1=$(server_ticks); c1=$(proc_ticks "$server_pid")
  stop_bg "$sampler_pid"; sampler_pid=
  if [ "$status" != completed ]; then
    echo "   $label: the backup ended $status: $(jq -r '.error_message // "(no error_message)"' <<<"$rec")" >&2
    r_note[$ds|$label]+="$status: $(jq -r '.error_message // ""' <<<"$rec" | head -c 200); "
    return 0
  fi
  # Wall time: from the trigger to the record's completed_at when it has one (no polling granularity), else to
  # the poll that saw `completed`.
  local wall done_at
  wall=$(secs "$t0" "$t1")
  done_at=$(jq -r '.completed_at // empty' <<<"$rec")
  if [ -n "$done_at" ] && done_at=$(date -d "$done_at" +%s.%N 2>/dev/null); then
    wall=$(awk -v a="$t0" -v d="$done_at" -v w="$wall" 'BEGIN {x = d - a; printf "%.3f", (x > 0 && x <= w) ? x : w}')
  fi
  local size jvm_kb kids_kb rss cpu server others heap
  size=$(jq -r '.file_size_bytes // 0' <<<"$rec")
  read -r jvm_kb kids_kb <"$work/mem.peak" 2>/dev/null || { jvm_kb=0; kids_kb=0; }
  [ -z "$hwm_reset" ] || jvm_kb=$(status_kb "$server_pid" VmHWM)
  rss=$(((jvm_kb + kids_kb) / 1024))
  cpu=$(awk -v t=$((c1 - c0)) -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  server=$(awk -v t=$((v1 - v0)) -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  others=$(awk -v all=$((b1 - b0)) -v mine=$((c1 - c0)) -v srv=$((v1 - v0)) -v hz="$tick" -v w="$(secs "$t0" "$t1")" -v c="$cores" \
    'BEGIN {o = (all - mine - srv) / (hz * w * c) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
  heap=$(heap_peak_mb "$gc_from")
  # The record must say it did what was asked: a field the API ignores would measure the wrong thing.
  local want_enc got_enc got_comp note=
  want_enc=$(jq -r '.encrypted' <<<"$settings")
  got_enc=$(jq -r 'if has("encrypted") then .encrypted | tostring else "absent" end' <<<"$rec")
  got_comp=$(jq -r '(.compression // "absent") + (if .compression_level then " " + (.compression_level | tostring) else "" end)' <<<"$rec")
  [ "$got_enc" = "$want_enc" ] || note+="record says encrypted=$got_enc; "
  [[ $got_comp == "$(jq -r .compression <<<"$settings")"* ]] || note+="record says compression=$got_comp; "
  [ -z "$note" ] || [[ ${r_note[$ds|$label]:-} == *"$note"* ]] || r_note[$ds|$label]+=$note
  record "$ds" "$label" "$wall" "$size" "$rss" "$cpu" "$server" "$others" "$heap"
  printf '   %-40s %8.1f s %9.1f MB  RSS %5s MB (JVM %s + dump %s)  heap %s MB  CPU %6s s  server %6s s  others %s %s\n' \
    "$label" "$wall" "$(awk -v b="$size" 'BEGIN {print b / 1e6}')" "$rss" $((jvm_kb / 1024)) $((kids_kb / 1024)) \
    "$heap" "$cpu" "$server" "$others" "${note:+ ($note)}"
  local blob; blob=$(jq -r '.blob_name // empty' <<<"$rec")
  if [ -n "$blob" ]; then
    curl -s -o /dev/null -G -X DELETE "http://127.0.0.1:$port/api/backups/delete" --data-urlencode "blob_name=$blob" || true
  fi
  find "$out_made/custos-backups" -type f -delete 2>/dev/null || true # whatever the API left
}

# --- the run --------------------------------------------------------------------------------------------------
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
begin=$SECONDS
if [ -z "$skip_custos" ]; then start_custos; fi

pg_postmaster=$(head -1 "$(psql "${pg[@]}" -d postgres -Atc 'SHOW data_directory')/postmaster.pid" 2>/dev/null || true)
mariadb_pid=$(pidof mariadbd 2>/dev/null || true)
zstd3=(zstd -3 -c -q)
gzip6=(gzip -c)

for ds in "${datasets[@]}"; do
  engine=${ds%%/*}
  case $ds in pg/pgbench) ds_db=$pgbench_db ;; *) ds_db=$real_db ;; esac
  if [ "$engine" = pg ]; then
    [ -n "$pg_postmaster" ] && [ -r "/proc/$pg_postmaster/stat" ] \
      || { echo "PostgreSQL's postmaster must run on this machine (its CPU is measured)" >&2; exit 1; }
    raw=(pg_dump "${pg[@]}" -Fc -Z0 "$ds_db")
    native=(pg_dump "${pg[@]}" -Fc "$ds_db")
    raw_label='pg_dump -Fc -Z0 > file'
  else
    [ -n "$mariadb_pid" ] || { echo "MariaDB must run on this machine (its CPU is measured)" >&2; exit 1; }
    raw=(mariadb-dump "${my[@]}" "${mariadb_dump_flags[@]}" "$ds_db")
    raw_label='mariadb-dump > file'
  fi
  raw_word=${raw_label% > file}
  echo "== $ds ($ds_db): warm-up, $raw_word to /dev/null (untimed)"
  "${raw[@]}" >/dev/null
  [ -n "$skip_custos" ] || custos_database "$ds"
  for round in $(seq 1 "$repeat"); do
    [ "$repeat" = 1 ] || echo "   -- round $round of $repeat"
    peer "$ds" "$raw_label" file raw
    [ "$engine" != pg ] || peer "$ds" 'pg_dump -Fc (zlib, its default)' file native
    peer "$ds" "$raw_word | gzip" file raw gzip6
    peer "$ds" "$raw_word | zstd -3" file raw zstd3
    peer "$ds" "$raw_word | restic backup --stdin" restic raw
    if [ -z "$skip_custos" ]; then
      for v in "${custos_variants[@]}"; do custos_backup "$ds" "${v%%|*}" "${v#*|}"; done
    fi
  done
done
stop_server

# --- the report -----------------------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src pom.xml bench/backup 2>/dev/null)" ] || commit="$commit + uncommitted changes"
mkdir -p bench/results
result="bench/results/backup-$(date -u +%Y%m%d-%H%M%S).md"
med() { local -n arr=$1; [ -n "${arr[$2]:-}" ] || { echo; return; }; median ${arr[$2]}; }
ratio_line() { # goal text, numerator key, denominator key, metric (wall | size), goal, comparison (le | lt)
  local num den v verdict
  num=$(med "r_$4" "$2"); den=$(med "r_$4" "$3")
  if [ -z "$num" ] || [ -z "$den" ]; then echo "| $1 | – | ≤ $5 | n/a (not measured) |"; return; fi
  v=$(awk -v a="$num" -v b="$den" 'BEGIN {printf "%.2f", a / b}')
  verdict=$(awk -v v="$v" -v g="$5" 'BEGIN {print (v <= g) ? "PASS" : "FAIL"}')
  echo "| $1 | $v | ≤ $5 | $verdict |"
}
{
  echo "# Backup benchmark, $started"
  echo
  echo "- command: \`bench/backup/run.sh${skip_custos:+ --skip-custos}${only:+ --only $only}$([ "$repeat" = 1 ] || echo " --repeat $repeat")\`$([ "$scale" = 1 ] || echo " with BENCH_SCALE=$scale")"
  echo "- commit: $commit"
  echo "- machine: $cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GB RAM; load average before the run: $load_before; total bench time $((SECONDS - begin)) s"
  echo "- tools: $(pg_dump --version | head -1); $(mariadb-dump --version | sed 's/ *Ver / /; s/, for.*//'); gzip $(gzip --version | awk 'NR == 1 {print $2}') (level 6); $(zstd --version | sed 's/^\*\** *//; s/ *\*\**$//; s/, by.*//') (level 3, 1 thread); $(restic version | cut -d' ' -f1-2) (repository v2, compression auto)$([ -n "$skip_custos" ] || echo "; Custos $(java -version 2>&1 | head -1), -Xmx256m ${BENCH_JAVA_OPTS:-}")"
  echo "- each output is written to $out, fsynced, measured and deleted; restic writes to a fresh repository each time (size = its growth); wall time includes the fsync; one untimed warm-up dump per dataset first (the page cache is warm for every tool; MariaDB reads through O_DIRECT, so its dumps read the disk anyway); $repeat round(s), median shown"
  echo "- peak RSS: of the tool processes (summed over a pipeline's stages, which run together); for Custos the JVM's kernel high-water mark$([ -n "$skip_custos" ] || [ -n "$hwm_reset" ] || echo " (sampled: clear_refs refused)") plus its dump child (sampled every 100 ms). CPU: user + system of the tool processes (for Custos the JVM and its dump child); server CPU: the database server meanwhile (other clients' queries included); others: the CPU the rest of the machine used meanwhile, in % of all cores: above a few % the run shared the machine and its times are not clean"
  for ds in "${datasets[@]}"; do
    engine=${ds%%/*}
    if [ "$engine" = pg ]; then raw_label='pg_dump -Fc -Z0 > file'; pipe_label='pg_dump -Fc -Z0 | zstd -3'
    else raw_label='mariadb-dump > file'; pipe_label='mariadb-dump | zstd -3'; fi
    raw_k="$ds|$raw_label"
    raw_bytes=$(med r_size "$raw_k")
    raw_mb=$(awk -v b="$raw_bytes" 'BEGIN {printf "%.0f", b / 1e6}')
    case $ds in pg/pgbench) name=$pgbench_db ;; *) name=$real_db ;; esac
    echo
    echo "## $ds: $name ($raw_mb MB raw dump, ${disk_mb[$ds]} MB on disk; created in ${gen_seconds[$ds]} s)"
    echo
    echo "| tool | wall s | MB/s (raw) | output MB | compression (raw ÷ output) | peak RSS MB | heap peak MB | CPU s | server CPU s | others |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    for k in "${labels[@]}"; do
      [ "${k%%|*}" = "$ds" ] || continue
      wall=$(med r_wall "$k"); size=$(med r_size "$k")
      heap=$(med r_heap "$k"); [ "$heap" = – ] || heap=$(printf '%.0f' "$heap")
      label=${k#*|}; label=${label//|/\\|}; [[ $label == custos* ]] || label="\`$label\`"
      printf '| %s | %.1f | %.0f | %.1f | %.2f× | %.0f | %s | %.1f | %.1f | %s |\n' "$label" \
        "$wall" "$(awk -v r="$raw_bytes" -v w="$wall" 'BEGIN {print r / 1e6 / w}')" \
        "$(awk -v b="$size" 'BEGIN {print b / 1e6}')" "$(awk -v r="$raw_bytes" -v b="$size" 'BEGIN {print (b > 0) ? r / b : 0}')" \
        "$(med r_rss "$k")" "$heap" "$(med r_cpu "$k")" "$(med r_server "$k")" "$(med r_others "$k")"
    done
    for k in "${!r_note[@]}"; do
      [ "${k%%|*}" = "$ds" ] || continue
      echo
      echo "- ${k#*|}: ${r_note[$k]}"
    done
    echo
    echo "| goal (issue 4) | value | goal | verdict |"
    echo "|---|---:|---:|---|"
    ratio_line "Custos zstd-3 wall ÷ \`${pipe_label//|/\\|} > file\` wall" "$ds|custos zstd-3" "$ds|$pipe_label" wall "$goal_pipe"
    if [ "$engine" = pg ]; then
      ratio_line "Custos zstd-3 wall ÷ \`pg_dump -Fc\` wall" "$ds|custos zstd-3" "$ds|pg_dump -Fc (zlib, its default)" wall "$goal_native"
    fi
    ratio_line "Custos zstd-3 size ÷ \`zstd -3\` size" "$ds|custos zstd-3" "$ds|$pipe_label" size "$goal_size"
    ratio_line "Custos encrypted wall ÷ Custos zstd-3 wall" "$ds|custos zstd-3 + encryption" "$ds|custos zstd-3" wall "$goal_encryption"
    heap=$(for k in "$ds|custos zstd-3" "$ds|custos zstd-3 + encryption" "$ds|custos gzip"; do med r_heap "$k"; echo; done \
      | grep -E '^[0-9.]+$' | sort -n | tail -1 || true)
    if [ -n "$heap" ]; then
      echo "| Custos heap peak, MB | $(printf '%.0f' "$heap") | < $goal_heap_mb | $(awk -v h="$heap" -v g="$goal_heap_mb" 'BEGIN {print h < g ? "PASS" : "FAIL"}') |"
    else
      echo "| Custos heap peak, MB | – | < $goal_heap_mb | n/a (not measured) |"
    fi
  done
} >"$result"
echo
cat "$result"
echo
echo "(written to $result)"
