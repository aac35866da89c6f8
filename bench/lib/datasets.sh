# The benchmark datasets, shared by bench/backup and bench/restore (sourced, not run).
#
#   pg/pgbench    PostgreSQL custos_bench_pgbench: pgbench -i -s 100 (its filler compresses ~100x: this one
#                 mostly measures the dump and restore tools)
#   pg/real       PostgreSQL custos_bench_real: bench/backup/pg_real.sql, a shop (customers, orders, jsonb events,
#                 reviews, indexes) whose pg_dump -Fc -Z0 is ~1.3 GB and compresses ~3x with zstd -3
#   mariadb/real  MariaDB custos_bench_real: bench/backup/mariadb_real.sql, the same shop, ~1.4 GB of dump, ~3x
# Created once and reused: a marker table (custos_bench_meta) written last records a complete creation, so an
# interrupted or outdated one is dropped and made again. Creation runs at nice BENCH_NICE (10), and so do the
# server processes doing the work. BENCH_SCALE (a fraction such as 0.02) makes small datasets under other names;
# BENCH_DATASETS (e.g. "pg/real mariadb/real") restricts a run to some of them.
#
# The caller sets `only` ('', pg or mariadb) before sourcing, and `work` (a temporary directory) before calling
# ensure_datasets. Defines: pg, my (client arguments), mariadb_dump_flags, pgbench_db, real_db, datasets (the
# list for `only`), scale; bench_install, start_db_servers, ensure_datasets (fills disk_mb and gen_seconds),
# ds_database, restore_mariadb_threads (for the caller's cleanup), renicer_pid.

gen_nice=${BENCH_NICE:-10}
scale=${BENCH_SCALE:-1}
pg=(-h 127.0.0.1 -p 5432 -U postgres)
my=(-h 127.0.0.1 -P 3306 -u root)
mariadb_dump_flags=(--single-transaction --routines --triggers --events --hex-blob)
# Bump when a generator changes: datasets made by another version are dropped and made again.
generator_version=1
vocab_size=6000
real_rows=(800000 2400000 800000 800000) # customers, orders, events, reviews
pgbench_scale=100
bench_dir=$root/bench/backup # the generators

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
if [ -n "${BENCH_DATASETS:-}" ]; then # a subset, e.g. "pg/real mariadb/real"
  for d in $BENCH_DATASETS; do
    case " ${datasets[*]} " in *" $d "*) ;; *) echo "BENCH_DATASETS: $d is not one of ${datasets[*]}" >&2; exit 2 ;; esac
  done
  read -r -a datasets <<<"$BENCH_DATASETS"
fi

ds_database() { # dataset -> its database's name
  case $1 in pg/pgbench) echo "$pgbench_db" ;; *) echo "$real_db" ;; esac
}

# --- what a bench needs, on a fresh Debian machine -----------------------------------------------------------
# bench_install [command:package ...] [--custos]: the database clients, pgbench, zstd, time, jq, curl, plus the
# pairs given (installed when the command is missing) and, with --custos, a JDK and Maven.
bench_install() {
  local need=() pair custos=
  command -v psql >/dev/null || need+=(postgresql-client)
  pgbench --version >/dev/null 2>&1 || need+=(postgresql) # Debian ships pgbench with the server package
  command -v mariadb-dump >/dev/null || need+=(mariadb-client)
  command -v zstd >/dev/null || need+=(zstd)
  [ -x /usr/bin/time ] || need+=(time)
  command -v jq >/dev/null || need+=(jq)
  command -v curl >/dev/null || need+=(curl)
  for pair; do
    if [ "$pair" = --custos ]; then custos=1; continue; fi
    command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
  done
  if [ -n "$custos" ]; then
    command -v java >/dev/null && command -v jcmd >/dev/null || need+=(openjdk-17-jdk-headless)
    command -v mvn >/dev/null || need+=(maven)
  fi
  if [ ${#need[@]} -gt 0 ]; then
    echo "== installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -q "${need[@]}" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q "${need[@]}" >/dev/null; }
  fi
}

wait_for() { # name, command
  for _ in $(seq 1 60); do
    if eval "$2" >/dev/null 2>&1; then return 0; fi
    sleep 1
  done
  echo "$1 did not come up" >&2
  return 1
}
start_db_servers() { # the servers `only` needs, when they do not run
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
}

# --- dataset creation at low priority --------------------------------------------------------------------
# Creation runs in the database servers, not in our client: nice(1) on psql alone would change nothing. While a
# dataset is made, a helper lowers the priority of the server processes doing the work: the backends connected to
# the database on PostgreSQL; on MariaDB (one process; performance_schema is off, so a connection cannot be mapped
# to its thread) the threads busy more than half a core, put back to their priority afterwards.
renicer_pid=
renice_pg_backends() { # database
  local p
  while :; do
    for p in $(psql "${pg[@]}" -d postgres -Atc "SELECT pid FROM pg_stat_activity WHERE datname = '$1'" 2>/dev/null); do
      renice -n "$gen_nice" -p "$p" >/dev/null 2>&1 || true
    done
    sleep 2
  done
}
# $work/reniced-threads: "tid nice" lines, the MariaDB threads we reniced and their priority before
renice_busy_mariadb_threads() {
  local pid t f tid ticks tick
  tick=$(getconf CLK_TCK)
  pid=$(pidof mariadbd) || return 0
  declare -A last=() seen=()
  while :; do
    for t in /proc/"$pid"/task/*; do
      read -r -a f 2>/dev/null <"$t/stat" || continue
      tid=${f[0]} ticks=$((f[13] + f[14]))
      if [ -n "${last[$tid]:-}" ] && [ -z "${seen[$tid]:-}" ] && [ $((ticks - last[$tid])) -ge "$tick" ]; then
        echo "$tid ${f[18]}" >>"$work/reniced-threads"
        renice -n "$gen_nice" -p "$tid" >/dev/null 2>&1 || true
        seen[$tid]=1
      fi
      last[$tid]=$ticks
    done
    sleep 2
  done
}
restore_mariadb_threads() {
  [ -n "${work:-}" ] && [ -s "$work/reniced-threads" ] || return 0
  local tid nice
  while read -r tid nice; do renice -n "$nice" -p "$tid" >/dev/null 2>&1 || true; done <"$work/reniced-threads"
  : >"$work/reniced-threads"
}
stop_renicer() {
  if [ -n "$renicer_pid" ]; then
    kill "$renicer_pid" 2>/dev/null || true
    wait "$renicer_pid" 2>/dev/null || true
  fi
  renicer_pid=
  restore_mariadb_threads
}

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
  db=$(ds_database "$ds")
  case $ds in
    pg/pgbench) want="pgbench -i -s $pgbench_scale, v$generator_version"; marker=$(pg_marker "$db") ;;
    pg/real) want="pg_real.sql ${real_rows[*]}, vocab $vocab_size, v$generator_version"; marker=$(pg_marker "$db") ;;
    mariadb/real) want="mariadb_real.sql ${real_rows[*]}, vocab $vocab_size, v$generator_version"; marker=$(my_marker "$db") ;;
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
      awk -v count="$vocab_size" -f "$bench_dir/vocab.awk" \
        | psql "${pg[@]}" -d "$db" -q -c "CREATE TABLE bench_vocab (id int PRIMARY KEY, w text NOT NULL)" \
          -c "COPY bench_vocab FROM STDIN" >/dev/null
      nice -n "$gen_nice" psql "${pg[@]}" -d "$db" -q -v ON_ERROR_STOP=1 -v vocab="$vocab_size" \
        -v customers="${real_rows[0]}" -v orders="${real_rows[1]}" -v events="${real_rows[2]}" \
        -v reviews="${real_rows[3]}" -f "$bench_dir/pg_real.sql" >"$work/gen-pg-real.log" 2>&1 \
        || { tail -20 "$work/gen-pg-real.log" >&2; exit 1; }
      ;;
    mariadb/real)
      mariadb "${my[@]}" -e "DROP DATABASE IF EXISTS $db; CREATE DATABASE $db"
      renice_busy_mariadb_threads & renicer_pid=$!
      awk -v count="$vocab_size" -f "$bench_dir/vocab.awk" >"$work/vocab.tsv"
      awk -v vocab="$work/vocab.tsv" -v customers="${real_rows[0]}" -v orders="${real_rows[1]}" \
        -v events="${real_rows[2]}" -v reviews="${real_rows[3]}" -f "$bench_dir/mariadb_expand.awk" \
        "$bench_dir/mariadb_real.sql" >"$work/mariadb_real.sql"
      nice -n "$gen_nice" mariadb "${my[@]}" --max-allowed-packet=64M "$db" <"$work/mariadb_real.sql" \
        >"$work/gen-mariadb-real.log" 2>&1 || { tail -20 "$work/gen-mariadb-real.log" | cut -c1-300 >&2; exit 1; }
      ;;
  esac
  stop_renicer
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

dataset_size() { # dataset -> MB on disk (tables and indexes)
  case $1 in
    pg/*) psql "${pg[@]}" -d postgres -Atc "SELECT pg_database_size('$(ds_database "$1")') / 1000000" ;;
    mariadb/*) mariadb "${my[@]}" -N -B -e "SELECT ROUND(SUM(data_length + index_length) / 1000000)
      FROM information_schema.tables WHERE table_schema = '$(ds_database "$1")'" ;;
  esac
}

declare -A disk_mb=()
ensure_datasets() { # every dataset of `datasets`, with its size
  local ds
  for ds in "${datasets[@]}"; do
    ensure_dataset "$ds"
    disk_mb[$ds]=$(dataset_size "$ds")
    echo "   $ds: ${disk_mb[$ds]} MB on disk (tables and indexes)"
  done
}
