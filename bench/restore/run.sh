#!/usr/bin/env bash
# Benchmark of restores (issue 5, point 8).
#
# On the datasets of bench/backup (bench/lib/datasets.sh: pg/pgbench, pg/real, mariadb/real; created when missing,
# about 5 minutes at full size) it makes the input once per dataset, untimed:
#   PostgreSQL  pg_dump -Fc -Z0 | zstd -3 > dump.zst   (what a Custos zstd-3 backup holds: a custom-format archive
#                                                       written to a pipe, so without data offsets)
#               pg_dump -Fc -Z0 -f dump.custom          (a plain custom-format file, seekable, for pg_restore -j)
#   MariaDB     mariadb-dump --single-transaction --routines --triggers --events --hex-blob | zstd -3 > dump.sql.zst
#   Custos      a backup with zstd-3 and one with zstd-3 + encryption (POST /api/databases/{id}/backup), of the
#               database registered on an engine (POST /api/engines) so that restores can target that server
# then times, each into a fresh empty database that is checked and dropped afterwards, rounds interleaved:
#   PostgreSQL  zstd -dc dump.zst | pg_restore --single-transaction --exit-on-error -d NEW   (the native pipe: what
#                 Custos runs, one transaction; the goal's reference)
#               pg_restore --exit-on-error -d NEW dump.custom        (one job, no single transaction: a reference)
#               pg_restore -j 2 --exit-on-error -d NEW dump.custom   (parallel; cannot be one transaction)
#   MariaDB     zstd -dc dump.sql.zst | mariadb --default-character-set=utf8mb4 --binary-mode
#                 --max-allowed-packet=1G NEW                         (the client flags Custos uses)
#   Custos      POST /api/backups/{id}/restore {"target_engine_id", "target_database_name": NEW} (Custos creates the
#               database), for the zstd-3 and the encrypted backup; POST /api/backups/{id}/verify
#               {"mode": "test_restore"} (restore into a scratch database, fingerprint, compare, drop). Wall time from
#               the request to the record's completed_at; peak RSS of the JVM plus its restore tool; CPU of both; from the
#               job's log, how long the restore tool ran and Custos's own time around it.
# The peers' databases are created before the clock starts (CREATE DATABASE: its time is printed; Custos's includes
# it). Every database server setting (fsync, synchronous_commit, WAL) is the same for all: they restore into the
# same server. Before each restore PostgreSQL takes a CHECKPOINT and MariaDB's dirty pages are let drain, so no run
# pays for the previous one's writes. Each restore is checked against the source (tables, indexes, rows of the
# biggest table; a test restore must report its fingerprint compared without differences) so that a broken run
# cannot pass for a fast one: a failed check marks the line and voids its ratios.
# It prints, per dataset: wall s, MB/s of the raw dump, peak RSS, heap peak (Custos), CPU of the tools, CPU of the
# database server, the CPU other processes took meanwhile; the ratios (Custos ÷ native pipe with the goal ≤ 1.05,
# PASS/FAIL; Custos ÷ pg_restore -j 2; -j 2 ÷ one job; test restore ÷ restore) and the test restore's own figures.
# The report also goes to bench/results/restore-<timestamp>.md (git-ignored).
#
# Usage: bench/restore/run.sh [--skip-custos] [--only pg|mariadb] [--repeat N]
#   --skip-custos    peers only: no build, no Custos
#   --only ENGINE    pg (pgbench and realistic PostgreSQL datasets) or mariadb
#   --repeat N       N rounds of every restore, interleaved; the table shows medians
# Knobs (environment): BENCH_SCALE=1 (a fraction such as 0.02 makes small datasets under other names, to try the
#   script quickly), BENCH_OUT=/tmp/custos-bench-out (dumps and Custos's storage; removed at exit),
#   BENCH_BUILD_DIR=/tmp/custos-bench-build/target, BENCH_JAVA_OPTS (added to -Xmx256m), BENCH_NICE=10 (priority of
#   the dataset creation), BENCH_CUSTOS_TIMEOUT=3600 (s per job), BENCH_DATASETS (a subset, e.g. "pg/real"),
#   BENCH_SAMPLE_INTERVAL=0.5 (s between samples of Custos's memory), BENCH_KEEP=1 (keep the temporary directory
#   with logs and the restore jobs' logs).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

usage() { sed -n '2,/^set -euo pipefail/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
skip_custos= only= repeat=1
while [ $# -gt 0 ]; do
  case $1 in
    --skip-custos) skip_custos=1 ;;
    --only) [ $# -ge 2 ] || { usage >&2; exit 2; }; only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --repeat) [ $# -ge 2 ] || { usage >&2; exit 2; }; repeat=$2; shift ;;
    --repeat=*) repeat=${1#*=} ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
case $only in '' | pg | mariadb) ;; *) echo "--only takes pg or mariadb, not $only" >&2; exit 2 ;; esac
[[ $repeat =~ ^[1-9][0-9]*$ ]] || { echo "--repeat takes a positive number, not $repeat" >&2; exit 2; }

source bench/lib/bench.sh    # measuring, Custos
source bench/lib/datasets.sh # the datasets: pg, my, mariadb_dump_flags, pgbench_db, real_db, datasets
goal_pipe=1.05
sample_interval=${BENCH_SAMPLE_INTERVAL:-0.5} # restores last minutes: the memory sampler need not cost 0.1 core
# The Custos backups restored (PUT /api/databases/{id} before each).
custos_variants=(
  "zstd-3|{\"compression\": \"zstd\", \"compression_level\": 3, \"encrypted\": false}"
  "zstd-3 + encryption|{\"compression\": \"zstd\", \"compression_level\": 3, \"encrypted\": true}"
)
mariadb_client_flags=(--default-character-set=utf8mb4 --binary-mode --max-allowed-packet=1G)
label_pipe_pg='zstd -dc | pg_restore --single-transaction'
label_file_pg='pg_restore dump.custom (1 job)'
label_j2_pg='pg_restore -j 2 dump.custom'
label_pipe_my='zstd -dc | mariadb'

if [ -z "$skip_custos" ]; then bench_install --custos; else bench_install; fi
start_db_servers
bench_setup restore

# Every database this run creates, as "engine|name": dropped at exit whatever happens.
made_dbs=()
drop_db() { # engine, name
  if [ "$1" = pg ]; then
    PGOPTIONS='-c client_min_messages=warning' psql "${pg[@]}" -d postgres -qc "DROP DATABASE IF EXISTS \"$2\" WITH (FORCE)" >/dev/null
  else
    mariadb "${my[@]}" -e "DROP DATABASE IF EXISTS \`$2\`"
  fi
}
bench_cleanup_hook() {
  local d
  for d in "${made_dbs[@]}"; do drop_db "${d%%|*}" "${d#*|}" 2>/dev/null || true; done
}
ensure_datasets

# --- the databases restored into ----------------------------------------------------------------------------------
target_seq=0
new_target() { # engine -> a database name not in use (dropped first if a killed run left it), remembered for cleanup
  target_seq=$((target_seq + 1))
  target="${ds_db}_rst_$target_seq"
  made_dbs+=("$1|$target")
  drop_db "$1" "$target"
}
create_db() { # engine, name
  if [ "$1" = pg ]; then psql "${pg[@]}" -d postgres -qc "CREATE DATABASE \"$2\"" >/dev/null
  else mariadb "${my[@]}" -e "CREATE DATABASE \`$2\`"; fi
}
# Lets the server write out what the last restore left, so that no run pays for the one before: PostgreSQL
# checkpoints; MariaDB gets up to 60 s to bring its dirty pages under 1% of the buffer pool.
settle() { # engine
  if [ "$1" = pg ]; then
    psql "${pg[@]}" -d postgres -qc CHECKPOINT >/dev/null
  else
    local dirty total
    for _ in $(seq 1 120); do
      read -r dirty total < <(mariadb "${my[@]}" -N -B -e "SELECT
        (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'INNODB_BUFFER_POOL_PAGES_DIRTY'),
        (SELECT variable_value FROM information_schema.global_status WHERE variable_name = 'INNODB_BUFFER_POOL_PAGES_TOTAL')")
      [ "$((dirty * 100))" -ge "$total" ] || break
      sleep 0.5
    done
  fi
}

# What a restored database must hold: the source's tables and indexes, and the source's row count in its biggest
# table. db_facts prints "tables indexes rows".
declare -A src_facts=() big_table=()
biggest_table() { # engine, database
  if [ "$1" = pg ]; then
    psql "${pg[@]}" -d "$2" -Atc "SELECT relname FROM pg_class WHERE relkind = 'r'
      AND relnamespace = 'public'::regnamespace ORDER BY pg_total_relation_size(oid) DESC LIMIT 1"
  else
    mariadb "${my[@]}" -N -B -e "SELECT table_name FROM information_schema.tables WHERE table_schema = '$2'
      AND table_type = 'BASE TABLE' ORDER BY data_length + index_length DESC LIMIT 1"
  fi
}
db_facts() { # engine, database, table
  if [ "$1" = pg ]; then
    psql "${pg[@]}" -d "$2" -Atc "SELECT (SELECT count(*) FROM pg_tables WHERE schemaname = 'public') || ' '
      || (SELECT count(*) FROM pg_indexes WHERE schemaname = 'public') || ' ' || (SELECT count(*) FROM public.\"$3\")"
  else
    mariadb "${my[@]}" -N -B -e "SELECT CONCAT(
      (SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$2' AND table_type = 'BASE TABLE'), ' ',
      (SELECT COUNT(DISTINCT table_name, index_name) FROM information_schema.statistics WHERE table_schema = '$2'), ' ',
      (SELECT COUNT(*) FROM \`$2\`.\`$3\`))"
  fi
}
# Sets check_ok (1 or empty) and check_text; a mismatch is noted under the dataset's table.
check_restored() { # dataset, label, engine, database
  local facts t i r
  facts=$(db_facts "$3" "$4" "${big_table[$1]}" 2>/dev/null) || facts="(cannot read the restored database)"
  read -r t i r <<<"${src_facts[$1]}"
  if [ "$facts" = "${src_facts[$1]}" ]; then
    check_ok=1 check_text=ok
  else
    check_ok= check_text="WRONG: tables, indexes, ${big_table[$1]} rows = $facts, the source has $t $i $r"
    r_note[$1|$2]+="$check_text; "
  fi
}
declare -A r_bad=() # dataset|label -> 1 when a run of that line did not restore the source
mark_check() { # dataset, label
  [ -n "$check_ok" ] || r_bad[$1|$2]=1
}

# --- the peers ---------------------------------------------------------------------------------------------------
# Stage arrays name the target database @DB@.
peer_restore() { # dataset, label, stage array name...
  local ds=$1 label=$2; shift 2
  local stages=() n=0 name
  new_target "$engine"
  for name; do
    n=$((n + 1))
    local -n src=$name
    declare -ga "stage_$n"
    local -n dst=stage_$n
    dst=("${src[@]//@DB@/$target}")
    stages+=("stage_$n")
  done
  local t0; t0=$EPOCHREALTIME
  create_db "$engine" "$target"
  create_seconds[$engine]=$(secs "$t0" "$EPOCHREALTIME")
  settle "$engine"
  run_stages /dev/null "${stages[@]}"
  check_restored "$ds" "$label" "$engine" "$target"
  drop_db "$engine" "$target"
  record "$ds" "$label" "$m_wall" "${raw_bytes[$ds]}" "$m_rss" "$m_cpu" "$m_server" "$m_others" -
  mark_check "$ds" "$label"
  printf '   %-44s %8.1f s  RSS %5s MB  CPU %6s s  server %6s s  others %4s  %s\n' \
    "$label" "$m_wall" "$m_rss" "$m_cpu" "$m_server" "$m_others" "$check_text"
}
declare -A create_seconds=()

# --- Custos --------------------------------------------------------------------------------------------------------
declare -A custos_engine=() custos_db=() custos_backup_id=()
custos_engine_for() { # engine -> sets custos_engine[engine] once
  [ -z "${custos_engine[$1]:-}" ] || return 0
  local type port_ user
  if [ "$1" = pg ]; then type=postgresql port_=5432 user=postgres; else type=mysql port_=3306 user=root; fi
  api_expect 201 POST /engines "$(jq -cn --arg name "bench $1" --arg type "$type" --argjson port "$port_" --arg user "$user" \
    '{name: $name, engine_type: $type, host: "127.0.0.1", port: $port, username: $user, password: ""}')"
  custos_engine[$1]=$(jq -r '.engine.id // .id' "$work/api.body")
}
# Takes a backup through the API (untimed: it is the input) and sets custos_backup_id[dataset|variant].
custos_take_backup() { # dataset, variant, settings json
  local ds=$1 variant=$2 settings=$3 id=${custos_db[$1]} bid status rec t0=$SECONDS
  api_expect 200 PUT "/databases/$id" "$settings"
  api_expect 202 POST "/databases/$id/backup"
  bid=$(jq -r '.backup_id // empty' "$work/api.body")
  [ -n "$bid" ] || { echo "   the backup answer has no backup_id: $(head -c 300 "$work/api.body")" >&2; exit 1; }
  while :; do
    api GET "/backups/$bid"
    status=$(jq -r '.status // .backup.status // empty' "$work/api.body" 2>/dev/null || true)
    case $status in completed | failed | cancelled) break ;; esac
    [ $((SECONDS - t0)) -lt "$custos_timeout" ] || { echo "   backup $bid still '$status' after $custos_timeout s" >&2; exit 1; }
    sleep 0.5
  done
  rec=$(jq -c 'if .backup then .backup else . end' "$work/api.body")
  if [ "$status" != completed ]; then
    echo "   the $variant backup ended $status: $(jq -r '.error_message // ""' <<<"$rec")" >&2
    exit 1
  fi
  if [ "$(jq -r '.encrypted | tostring' <<<"$rec")" != "$(jq -r '.encrypted | tostring' <<<"$settings")" ]; then
    echo "   the $variant backup says encrypted=$(jq -r .encrypted <<<"$rec"): the API did not take the setting" >&2
    exit 1
  fi
  custos_backup_id[$ds|$variant]=$bid
  printf '   custos backup %-22s %s  %6.1f MB stored, %d s, fingerprint %s\n' "$variant" "$bid" \
    "$(jq -r '.file_size_bytes / 1e6' <<<"$rec")" $((SECONDS - t0)) "$(jq -r '.has_fingerprint // "?"' <<<"$rec")"
}
# Restores a backup into a new database on the engine (kind restore) or test-restores it (kind test); measures
# from the request to the record's completed_at.
custos_restore() { # dataset, label, backup id, kind (restore | test)
  local ds=$1 label=$2 bid=$3 kind=$4 rid status body rec
  settle "$engine"
  if [ "$kind" = restore ]; then new_target "$engine"; fi
  custos_measure_start
  if [ "$kind" = restore ]; then
    api_expect 202 POST "/backups/$bid/restore" "$(jq -cn --arg e "${custos_engine[$engine]}" --arg d "$target" \
      '{target_engine_id: $e, target_database_name: $d}')"
  else
    api_expect 202 POST "/backups/$bid/verify" '{"mode": "test_restore"}'
  fi
  rid=$(jq -r '.restore_id' "$work/api.body")
  while :; do # a curl per poll and no jq, twice a second (the wall time comes from completed_at): the poll must not compete with the restore for the cores
    api GET "/restores/$rid"
    body=$(<"$work/api.body")
    status=
    [[ $body =~ \"status\":\"([a-z_]+)\" ]] && status=${BASH_REMATCH[1]}
    case $status in completed | failed | cancelled) break ;; esac
    if [ "$(secs "$c_t0" "$EPOCHREALTIME" | cut -d. -f1)" -ge "$custos_timeout" ]; then
      echo "   $label: still '$status' after $custos_timeout s: giving up" >&2
      exit 1
    fi
    sleep 0.5
  done
  custos_measure_end
  rec=$(jq -c 'if .restore then .restore else . end' "$work/api.body")
  api GET "/restores/$rid/logs" # the job's steps with their times (kept with BENCH_KEEP)
  cp "$work/api.body" "$work/restore-log-${ds//\//-}-$rid.json"
  # From the log: how long the restore tool ran, and (MySQL) the read that verifies the whole object first.
  local ts tool_s=- verify_s=0 ts_a ts_b ts_c ts_d
  ts=$(jq -r '[.logs[]? | select(.message | test(" started$")) | .timestamp][0] as $a
    | [.logs[]? | select(.message | test(" finished")) | .timestamp][0] as $b
    | [.logs[]? | select(.message | test("^Verifying the stored object")) | .timestamp][0] as $c
    | [.logs[]? | select(.message | test("^Object verified")) | .timestamp][0] as $d
    | "\($a) \($b) \($c) \($d)"' "$work/api.body" 2>/dev/null || true)
  read -r ts_a ts_b ts_c ts_d <<<"$ts"
  if [ -n "$ts_a" ] && [ "$ts_a" != null ] && [ "$ts_b" != null ]; then
    tool_s=$(secs "$(date -d "$ts_a" +%s.%N)" "$(date -d "$ts_b" +%s.%N)")
  fi
  if [ -n "$ts_c" ] && [ "$ts_c" != null ] && [ "$ts_d" != null ]; then
    verify_s=$(secs "$(date -d "$ts_c" +%s.%N)" "$(date -d "$ts_d" +%s.%N)")
  fi
  if [ "$status" != completed ]; then
    local msg; msg=$(jq -r '.error_message // ""' <<<"$rec" | head -c 300)
    echo "   $label: the restore ended $status: $msg" >&2
    r_note[$ds|$label]+="$status: $msg; "
    [ "$kind" != restore ] || drop_db "$engine" "$target"
    return 0
  fi
  local wall extra=
  wall=$(custos_wall "$(jq -r '.completed_at // empty' <<<"$rec")")
  if [ "$kind" = restore ]; then
    check_restored "$ds" "$label" "$engine" "$target"
    drop_db "$engine" "$target"
    extra="$(jq -r '(.details.tool // "?") + " " + (.details.tool_version // "")' <<<"$rec") ran $tool_s s"
    [ "$verify_s" = 0 ] || extra+=", after verifying the whole object in $verify_s s"
    if [ "$tool_s" != - ]; then
      r_tool[$ds|$label]+="$tool_s " r_verify[$ds|$label]+="$verify_s "
      r_own[$ds|$label]+="$(awk -v w="$wall" -v t="$tool_s" 'BEGIN {printf "%.3f", w - t}') "
    fi
  else
    # The test restore compares its fingerprint of the scratch database with the source's: it must have compared,
    # found nothing, and seen the source's rows.
    local d; d=$(jq -c '.details // {}' <<<"$rec")
    if [ "$(jq -r '.compared' <<<"$d")" = true ] && [ "$(jq -r '.differences | length' <<<"$d")" = 0 ] \
      && [ "$(jq -r '.rows // 0' <<<"$d")" -gt 0 ]; then
      check_ok=1 check_text=ok
    else
      check_ok= check_text="WRONG: $(jq -c '{compared, differences, rows, tables, error}' <<<"$d" | head -c 300)"
      r_note[$ds|$label]+="$check_text; "
    fi
    t_restore[$ds]+="$(jq -r '.restore_seconds // 0' <<<"$d") "
    t_total[$ds]+="$(jq -r '.duration_seconds // 0' <<<"$d") "
    t_rows[$ds]=$(jq -r '.rows // 0' <<<"$d") t_tables[$ds]=$(jq -r '.tables // 0' <<<"$d")
    t_objects[$ds]=$(jq -r '.objects // 0' <<<"$d")
    extra="restore $(jq -r '.restore_seconds' <<<"$d") s + fingerprint $(jq -r '(.duration_seconds - .restore_seconds) * 1000 | round / 1000' <<<"$d") s; $(jq -r '.tables' <<<"$d") tables, $(jq -r '.rows' <<<"$d") rows"
  fi
  record "$ds" "$label" "$wall" "${raw_bytes[$ds]}" "$c_rss" "$c_cpu" "$c_server" "$c_others" "$c_heap"
  mark_check "$ds" "$label"
  printf '   %-44s %8.1f s  RSS %5s MB (JVM %s + tool %s)  heap %s MB  CPU %6s s  server %6s s  others %4s  %s  (%s)\n' \
    "$label" "$wall" "$c_rss" "$c_jvm_mb" "$c_kids_mb" "$c_heap" "$c_cpu" "$c_server" "$c_others" "$check_text" "$extra"
}
declare -A t_restore=() t_total=() t_rows=() t_tables=() t_objects=() r_tool=() r_own=() r_verify=()

# --- the run ----------------------------------------------------------------------------------------------------
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
begin=$SECONDS
if [ -z "$skip_custos" ]; then start_custos '/restore"' '/verify"'; fi
find_db_server_pids

declare -A raw_bytes=() input_mb=()
pg_pipe_in=(zstd -dc -q "$out_made/dump.zst")
pg_restore_tx=(pg_restore "${pg[@]}" --single-transaction --exit-on-error -d @DB@)
pg_restore_file=(pg_restore "${pg[@]}" --exit-on-error -d @DB@ "$out_made/dump.custom")
pg_restore_j2=(pg_restore "${pg[@]}" -j 2 --exit-on-error -d @DB@ "$out_made/dump.custom")
my_pipe_in=(zstd -dc -q "$out_made/dump.sql.zst")
my_restore=(mariadb "${my[@]}" "${mariadb_client_flags[@]}" @DB@)

for ds in "${datasets[@]}"; do
  engine=${ds%%/*}
  ds_db=$(ds_database "$ds")
  require_db_server "$engine"
  big_table[$ds]=$(biggest_table "$engine" "$ds_db")
  src_facts[$ds]=$(db_facts "$engine" "$ds_db" "${big_table[$ds]}")
  read -r n_tables n_indexes n_rows <<<"${src_facts[$ds]}"
  echo "== $ds ($ds_db: $n_tables tables, $n_indexes indexes, ${big_table[$ds]} $n_rows rows): making the inputs (untimed)"
  rm -f "$out_made"/dump.*
  if [ "$engine" = pg ]; then
    pg_dump "${pg[@]}" -Fc -Z0 "$ds_db" | zstd -3 -q -c >"$out_made/dump.zst"
    pg_dump "${pg[@]}" -Fc -Z0 -f "$out_made/dump.custom" "$ds_db"
    raw_bytes[$ds]=$(zstd -dc -q "$out_made/dump.zst" | wc -c)
    input_mb[$ds]="dump.zst $(($(stat -c %s "$out_made/dump.zst") / 1000000)) MB, dump.custom $(($(stat -c %s "$out_made/dump.custom") / 1000000)) MB"
  else
    mariadb-dump "${my[@]}" "${mariadb_dump_flags[@]}" "$ds_db" | zstd -3 -q -c >"$out_made/dump.sql.zst"
    raw_bytes[$ds]=$(zstd -dc -q "$out_made/dump.sql.zst" | wc -c)
    input_mb[$ds]="dump.sql.zst $(($(stat -c %s "$out_made/dump.sql.zst") / 1000000)) MB"
  fi
  echo "   raw dump $((raw_bytes[$ds] / 1000000)) MB; ${input_mb[$ds]}"
  if [ -z "$skip_custos" ]; then
    custos_engine_for "$engine"
    custos_db[$ds]=$(custos_database "$ds" "$ds_db" "${custos_engine[$engine]}")
    for v in "${custos_variants[@]}"; do custos_take_backup "$ds" "${v%%|*}" "${v#*|}"; done
  fi
  cat "$out_made"/dump.* >/dev/null # every input in the page cache, as Custos's objects just written are
  for round in $(seq 1 "$repeat"); do
    [ "$repeat" = 1 ] || echo "   -- round $round of $repeat"
    if [ "$engine" = pg ]; then
      peer_restore "$ds" "$label_pipe_pg" pg_pipe_in pg_restore_tx
      peer_restore "$ds" "$label_file_pg" pg_restore_file
      peer_restore "$ds" "$label_j2_pg" pg_restore_j2
    else
      peer_restore "$ds" "$label_pipe_my" my_pipe_in my_restore
    fi
    if [ -z "$skip_custos" ]; then
      for v in "${custos_variants[@]}"; do
        custos_restore "$ds" "custos restore (${v%%|*})" "${custos_backup_id[$ds|${v%%|*}]}" restore
      done
      custos_restore "$ds" "custos test restore (zstd-3)" "${custos_backup_id[$ds|zstd-3]}" test
    fi
  done
  rm -f "$out_made"/dump.*
done
stop_server

# --- the report -------------------------------------------------------------------------------------------------
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -z "$(git status --porcelain -- src pom.xml bench 2>/dev/null | grep -v '^?? bench/results/')" ] || commit="$commit + uncommitted changes"
mkdir -p bench/results
result="bench/results/restore-$(date -u +%Y%m%d-%H%M%S).md"
fmt_ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
ratio_line() { # text, numerator key, denominator key [, goal]
  local num den v verdict goal=–
  [ -z "${4:-}" ] || goal="≤ $4×"
  num=$(med r_wall "$2"); den=$(med r_wall "$3")
  if [ -z "$num" ] || [ -z "$den" ]; then echo "| $1 | – | $goal | n/a (not measured) |"; return; fi
  v=$(fmt_ratio "$num" "$den")
  if [ -n "${r_bad[$2]:-}${r_bad[$3]:-}" ]; then verdict="void: a restore did not match the source"
  elif [ -n "${4:-}" ]; then verdict=$(awk -v v="$v" -v g="$4" 'BEGIN {print (v <= g) ? "PASS" : "FAIL"}')
  else verdict=–; fi
  echo "| $1 | $v× | $goal | $verdict |"
}
server_settings() {
  if [ "$1" = pg ]; then
    psql "${pg[@]}" -d postgres -Atc "SELECT string_agg(name || '=' || current_setting(name), ', ' ORDER BY name)
      FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_level', 'max_wal_size', 'shared_buffers',
      'maintenance_work_mem', 'max_parallel_maintenance_workers')"
  else
    mariadb "${my[@]}" -N -B -e "SELECT CONCAT('innodb_flush_log_at_trx_commit=', @@innodb_flush_log_at_trx_commit,
      ', innodb_buffer_pool_size=', @@innodb_buffer_pool_size DIV 1048576, 'MB, innodb_log_file_size=',
      @@innodb_log_file_size DIV 1048576, 'MB, innodb_flush_method=', @@innodb_flush_method, ', log_bin=', @@log_bin)"
  fi
}
{
  echo "# Restore benchmark, $started"
  echo
  echo "- command: \`bench/restore/run.sh${skip_custos:+ --skip-custos}${only:+ --only $only}$([ "$repeat" = 1 ] || echo " --repeat $repeat")\`$([ "$scale" = 1 ] || echo " with BENCH_SCALE=$scale (datasets at $scale of full size)")"
  echo "- commit: $commit"
  echo "- machine: $(machine_line); load average before the run: $load_before; total bench time $((SECONDS - begin)) s"
  echo "- tools: $(pg_restore --version | head -1); $(mariadb --version | sed 's/ *Ver / /; s/, for.*//'); $(zstd --version | sed 's/^\*\** *//; s/ *\*\**$//; s/, by.*//')$([ -n "$skip_custos" ] || echo "; Custos $(java -version 2>&1 | head -1), -Xmx256m ${BENCH_JAVA_OPTS:-}")"
  [ "$only" = mariadb ] || echo "- PostgreSQL: $(server_settings pg); CREATE DATABASE took ${create_seconds[pg]:-?} s (in Custos's time, not in the peers')"
  [ "$only" = pg ] || echo "- MariaDB: $(server_settings mariadb); CREATE DATABASE took ${create_seconds[mariadb]:-?} s (in Custos's time, not in the peers')"
  echo "- each restore goes into a new empty database, is checked (tables, indexes, rows of the biggest table against the source) and dropped; before each, PostgreSQL checkpoints and MariaDB's dirty pages drain; the inputs are in the page cache; $repeat round(s), median shown"
  echo "- peak RSS: of the tool processes (summed over a pipeline's stages); for Custos the JVM's kernel high-water mark$([ -n "$skip_custos" ] || [ -n "$hwm_reset" ] || echo " (sampled: clear_refs refused)") plus its restore tool (sampled every $sample_interval s). CPU: user + system of the tools (for Custos the JVM and its restore tool); server CPU: the database server meanwhile (it does most of a restore's work: parsing rows, building indexes, writing); others: the CPU the rest of the machine used meanwhile, in % of all cores: above a few % the run shared the machine and its times are not clean"
  for ds in "${datasets[@]}"; do
    engine=${ds%%/*}
    if [ "$engine" = pg ]; then pipe=$label_pipe_pg; else pipe=$label_pipe_my; fi
    read -r n_tables n_indexes n_rows <<<"${src_facts[$ds]}"
    echo
    echo "## $ds: $(ds_database "$ds") ($((raw_bytes[$ds] / 1000000)) MB raw dump, ${disk_mb[$ds]} MB on disk; $n_tables tables, $n_indexes indexes, ${big_table[$ds]} $n_rows rows)"
    echo
    echo "| restore | wall s | MB/s (raw) | peak RSS MB | heap peak MB | CPU s | server CPU s | others | result |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
    for k in "${labels[@]}"; do
      [ "${k%%|*}" = "$ds" ] || continue
      wall=$(med r_wall "$k")
      heap=$(med r_heap "$k"); [ "$heap" = – ] || heap=$(printf '%.0f' "$heap")
      label=${k#*|}; label=${label//|/\\|}; [[ $label == custos* ]] || label="\`$label\`"
      printf '| %s | %.1f | %.0f | %.0f | %s | %.1f | %.1f | %s | %s |\n' "$label" "$wall" \
        "$(awk -v r="${raw_bytes[$ds]}" -v w="$wall" 'BEGIN {print r / 1e6 / w}')" "$(med r_rss "$k")" "$heap" \
        "$(med r_cpu "$k")" "$(med r_server "$k")" "$(med r_others "$k")" "$([ -n "${r_bad[$k]:-}" ] && echo "**did not match the source**" || echo "matches the source")"
    done
    for k in "${!r_note[@]}"; do
      [ "${k%%|*}" = "$ds" ] || continue
      echo
      echo "- ${k#*|}: ${r_note[$k]}"
    done
    for k in "${labels[@]}"; do
      [ "${k%%|*}" = "$ds" ] && [ -n "${r_tool[$k]:-}" ] || continue
      echo
      printf -- '- %s: the restore tool ran %.1f s of the %.1f s; Custos'"'"'s own time around it %.1f s (the request, checking the target, CREATE DATABASE, starting the tool, recording the result%s)\n' \
        "${k#*|}" "$(median ${r_tool[$k]})" "$(med r_wall "$k")" "$(median ${r_own[$k]})" \
        "$(v=$(median ${r_verify[$k]}); awk -v v="$v" 'BEGIN {if (v > 0) printf ", and %.1f s reading and verifying the whole object before touching the target", v}')"
    done
    echo
    echo "| ratio of wall times | value | goal (issue 5) | verdict |"
    echo "|---|---:|---:|---|"
    ratio_line "Custos restore (zstd-3) ÷ \`${pipe//|/\\|}\`" "$ds|custos restore (zstd-3)" "$ds|$pipe" "$goal_pipe"
    ratio_line "Custos restore (zstd-3 + encryption) ÷ \`${pipe//|/\\|}\`" "$ds|custos restore (zstd-3 + encryption)" "$ds|$pipe"
    if [ "$engine" = pg ]; then
      ratio_line "Custos restore (zstd-3) ÷ \`$label_j2_pg\`" "$ds|custos restore (zstd-3)" "$ds|$label_j2_pg"
      ratio_line "\`$label_j2_pg\` ÷ \`$label_file_pg\` (what parallelism gains)" "$ds|$label_j2_pg" "$ds|$label_file_pg"
      ratio_line "\`${pipe//|/\\|}\` ÷ \`$label_file_pg\` (one transaction from a pipe vs. from the file)" "$ds|$pipe" "$ds|$label_file_pg"
    fi
    ratio_line "Custos test restore ÷ Custos restore (zstd-3)" "$ds|custos test restore (zstd-3)" "$ds|custos restore (zstd-3)"
    if [ -n "${t_total[$ds]:-}" ]; then
      tr=$(median ${t_restore[$ds]}); tt=$(median ${t_total[$ds]}); tw=$(med r_wall "$ds|custos test restore (zstd-3)")
      echo
      printf -- '- test restore: %.1f s wall = restore into the scratch database %.1f s + fingerprint %.1f s + the rest (job start, creating and dropping the scratch database) %.1f s; it fingerprinted %s tables, %s rows, %s other objects and compared them with the source'"'"'s fingerprint.\n' \
        "$tw" "$tr" "$(awk -v a="$tt" -v b="$tr" 'BEGIN {print a - b}')" "$(awk -v a="$tw" -v b="$tt" 'BEGIN {print a - b}')" \
        "${t_tables[$ds]}" "${t_rows[$ds]}" "${t_objects[$ds]}"
    fi
  done
} >"$result"
echo
cat "$result"
echo
echo "(written to $result)"
