#!/usr/bin/env bash
# Benchmark of backups (issue 4, point 7).
#
# Datasets (bench/lib/datasets.sh, shared with bench/restore), created once and reused (a marker table records a
# complete creation, so an interrupted or outdated one is dropped and made again; creation runs at nice 10, and so
# do the server processes doing the work):
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

export RESTIC_PASSWORD=${RESTIC_PASSWORD:-custos-bench}
source bench/lib/bench.sh    # measuring, Custos
source bench/lib/datasets.sh # the datasets: pg, my, mariadb_dump_flags, pgbench_db, real_db, datasets
# What the Custos variants set on the database (PUT /api/databases/{id}). The encryption field is the one the
# backups work is expected to add; the run checks that the backup record reports `encrypted: true`.
custos_variants=(
  "custos zstd-3|{\"compression\": \"zstd\", \"encrypted\": false}"
  "custos zstd-3 + encryption|{\"compression\": \"zstd\", \"encrypted\": true}"
  "custos gzip|{\"compression\": \"gzip\", \"encrypted\": false}"
)
goal_pipe=1.05 goal_native=0.40 goal_size=1.05 goal_encryption=1.10 goal_heap_mb=256

if [ -z "$skip_custos" ] && [ -z "$datasets_only" ]; then
  bench_install gzip:gzip restic:restic --custos
else
  bench_install gzip:gzip restic:restic
fi
start_db_servers
bench_setup backup
ensure_datasets
[ -z "$datasets_only" ] || exit 0

# --- measuring ------------------------------------------------------------------------------------------------
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
declare -A custos_db=() # dataset -> Custos database id
custos_backup() { # dataset, label, json for PUT /api/databases/{id}
  local ds=$1 label=$2 settings=$3 id=${custos_db[$1]}
  api_expect 200 PUT "/databases/$id" "$settings"
  local job status rec
  custos_measure_start
  api_expect 202 POST "/databases/$id/backup"
  job=$(jq -r .job_id "$work/api.body")
  while :; do
    api GET "/backups?database_id=$id&page_size=100"
    rec=$(jq -c --arg job "$job" 'first(.backups[]? | select(.job_id == $job)) // empty' "$work/api.body" 2>/dev/null || true)
    status=
    [ -z "$rec" ] || status=$(jq -r '.status // empty' <<<"$rec")
    case $status in completed | failed | cancelled) break ;; esac
    if [ "$(secs "$c_t0" "$EPOCHREALTIME" | cut -d. -f1)" -ge "$custos_timeout" ]; then
      echo "   $label: still '$status' after $custos_timeout s: giving up" >&2
      exit 1
    fi
    sleep 0.1
  done
  custos_measure_end
  if [ "$status" != completed ]; then
    echo "   $label: the backup ended $status: $(jq -r '.error_message // "(no error_message)"' <<<"$rec")" >&2
    r_note[$ds|$label]+="$status: $(jq -r '.error_message // ""' <<<"$rec" | head -c 200); "
    return 0
  fi
  # Wall time: from the trigger to the record's completed_at when it has one (no polling granularity), else to
  # the poll that saw `completed`.
  local wall size
  wall=$(custos_wall "$(jq -r '.completed_at // empty' <<<"$rec")")
  size=$(jq -r '.file_size_bytes // 0' <<<"$rec")
  # The record must say it did what was asked: a field the API ignores would measure the wrong thing.
  local want_enc got_enc got_comp note=
  want_enc=$(jq -r '.encrypted' <<<"$settings")
  got_enc=$(jq -r 'if has("encrypted") then .encrypted | tostring else "absent" end' <<<"$rec")
  got_comp=$(jq -r '(.compression // "absent") + (if .compression_level then " " + (.compression_level | tostring) else "" end)' <<<"$rec")
  [ "$got_enc" = "$want_enc" ] || note+="record says encrypted=$got_enc; "
  [[ $got_comp == "$(jq -r .compression <<<"$settings")"* ]] || note+="record says compression=$got_comp; "
  [ -z "$note" ] || [[ ${r_note[$ds|$label]:-} == *"$note"* ]] || r_note[$ds|$label]+=$note
  record "$ds" "$label" "$wall" "$size" "$c_rss" "$c_cpu" "$c_server" "$c_others" "$c_heap"
  printf '   %-40s %8.1f s %9.1f MB  RSS %5s MB (JVM %s + dump %s)  heap %s MB  CPU %6s s  server %6s s  others %s %s\n' \
    "$label" "$wall" "$(awk -v b="$size" 'BEGIN {print b / 1e6}')" "$c_rss" "$c_jvm_mb" "$c_kids_mb" \
    "$c_heap" "$c_cpu" "$c_server" "$c_others" "${note:+ ($note)}"
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
if [ -z "$skip_custos" ]; then start_custos '/backup"'; fi
find_db_server_pids
zstd3=(zstd -3 -c -q)
gzip6=(gzip -c)

for ds in "${datasets[@]}"; do
  engine=${ds%%/*}
  ds_db=$(ds_database "$ds")
  require_db_server "$engine"
  if [ "$engine" = pg ]; then
    raw=(pg_dump "${pg[@]}" -Fc -Z0 "$ds_db")
    native=(pg_dump "${pg[@]}" -Fc "$ds_db")
    raw_label='pg_dump -Fc -Z0 > file'
  else
    raw=(mariadb-dump "${my[@]}" "${mariadb_dump_flags[@]}" "$ds_db")
    raw_label='mariadb-dump > file'
  fi
  raw_word=${raw_label% > file}
  echo "== $ds ($ds_db): warm-up, $raw_word to /dev/null (untimed)"
  "${raw[@]}" >/dev/null
  [ -n "$skip_custos" ] || custos_db[$ds]=$(custos_database "$ds" "$ds_db")
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
  echo "- machine: $(machine_line); load average before the run: $load_before; total bench time $((SECONDS - begin)) s"
  echo "- tools: $(pg_dump --version | head -1); $(mariadb-dump --version | sed 's/ *Ver / /; s/, for.*//'); gzip $(gzip --version | awk 'NR == 1 {print $2}') (level 6); $(zstd --version | sed 's/^\*\** *//; s/ *\*\**$//; s/, by.*//') (level 3, 1 thread); $(restic version | cut -d' ' -f1-2) (repository v2, compression auto)$([ -n "$skip_custos" ] || echo "; Custos $(java -version 2>&1 | head -1), -Xmx256m ${BENCH_JAVA_OPTS:-}")"
  echo "- each output is written to $out, fsynced, measured and deleted; restic writes to a fresh repository each time (size = its growth); wall time includes the fsync; one untimed warm-up dump per dataset first (the page cache is warm for every tool; MariaDB reads through O_DIRECT, so its dumps read the disk anyway); $repeat round(s), median shown"
  echo "- peak RSS: of the tool processes (summed over a pipeline's stages, which run together); for Custos the JVM's kernel high-water mark$([ -n "$skip_custos" ] || [ -n "$hwm_reset" ] || echo " (sampled: clear_refs refused)") plus its dump child (sampled every $sample_interval s). CPU: user + system of the tool processes (for Custos the JVM and its dump child); server CPU: the database server meanwhile (other clients' queries included); others: the CPU the rest of the machine used meanwhile, in % of all cores: above a few % the run shared the machine and its times are not clean"
  for ds in "${datasets[@]}"; do
    engine=${ds%%/*}
    if [ "$engine" = pg ]; then raw_label='pg_dump -Fc -Z0 > file'; pipe_label='pg_dump -Fc -Z0 | zstd -3'
    else raw_label='mariadb-dump > file'; pipe_label='mariadb-dump | zstd -3'; fi
    raw_k="$ds|$raw_label"
    raw_bytes=$(med r_size "$raw_k")
    raw_mb=$(awk -v b="$raw_bytes" 'BEGIN {printf "%.0f", b / 1e6}')
    name=$(ds_database "$ds")
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
