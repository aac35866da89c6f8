# Measuring, shared by bench/backup and bench/restore (sourced, not run): the temporary and output directories
# with their cleanup, CPU accounting, timed shell pipelines, medians, and a Custos server built from the checkout
# with its API helpers and memory sampling.
#
# The caller sets `root` (the checkout) and may define bench_cleanup_hook (run first at exit). Knobs: BENCH_OUT
# (/tmp/custos-bench-out), BENCH_BUILD_DIR (/tmp/custos-bench-build/target), BENCH_JAVA_OPTS, BENCH_KEEP=1,
# BENCH_CUSTOS_TIMEOUT (3600 s per job), BENCH_SAMPLE_INTERVAL (s between memory samples of Custos; 0.1).

out=${BENCH_OUT:-/tmp/custos-bench-out}
build_dir=${BENCH_BUILD_DIR:-/tmp/custos-bench-build/target}
custos_timeout=${BENCH_CUSTOS_TIMEOUT:-3600}
# Seconds between two samples of Custos's memory. The sampler is a bash loop over the JVM's threads: at 0.1 s it
# takes ~0.1 core, which a long job (a restore) need not pay; a script may set its own default before measuring.
sample_interval=${BENCH_SAMPLE_INTERVAL:-0.1}
case "$(realpath -m "$out")/" in "$root"/*) echo "BENCH_OUT must be outside the checkout ($out)" >&2; exit 2 ;; esac

tick=$(getconf CLK_TCK)
cores=$(nproc)
secs() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

# --- cleanup: our own server, helpers and outputs, whatever happens ------------------------------------------
server_pid= sampler_pid= hwm_reset= work= out_made=
bench_setup() { # name: makes $work (logs; BENCH_KEEP keeps it) and $out_made (outputs, removed), sets the traps
  work=$(mktemp -d "${TMPDIR:-/tmp}/custos-bench-$1.XXXXXX")
  mkdir -p "$out"
  out_made=$(mktemp -d "$out/run.XXXXXX") # everything this run writes; the directory itself may be shared
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
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
bench_cleanup() {
  if declare -F bench_cleanup_hook >/dev/null; then bench_cleanup_hook || true; fi
  stop_bg "$sampler_pid"
  if declare -F stop_renicer >/dev/null; then stop_renicer; fi
  stop_server
  [ -z "$out_made" ] || rm -rf "$out_made"
  rmdir "$out" 2>/dev/null || true
  if [ -n "${BENCH_KEEP:-}" ]; then echo "(kept $work)"; elif [ -n "$work" ]; then rm -rf "$work"; fi
}

# --- CPU ------------------------------------------------------------------------------------------------------
busy_ticks() { # clock ticks all cores spent busy so far (user, nice, system, irq, softirq, steal)
  local cpu user nice system idle iowait irq softirq steal _
  read -r cpu user nice system idle iowait irq softirq steal _ </proc/stat
  echo $((user + nice + system + irq + softirq + steal))
}
proc_ticks() { # pid...: user + system ticks of these processes and of their reaped children, summed
  local p f s=0
  for p; do
    read -r -a f 2>/dev/null <"/proc/$p/stat" || continue
    s=$((s + f[13] + f[14] + f[15] + f[16]))
  done
  echo "$s"
}
# The database server's CPU: PostgreSQL's postmaster with its live children (backends, workers) and, through its
# cutime, those that exited; MariaDB is one process. Other clients' queries on the same server count here too.
# Needs `engine` (pg or mariadb), pg_postmaster and mariadb_pid (find_db_server_pids).
find_db_server_pids() {
  pg_postmaster=$(head -1 "$(psql "${pg[@]}" -d postgres -Atc 'SHOW data_directory' 2>/dev/null)/postmaster.pid" 2>/dev/null || true)
  mariadb_pid=$(pidof mariadbd 2>/dev/null || true)
}
require_db_server() { # engine: its server must run here (its CPU is measured)
  if [ "$1" = pg ]; then
    [ -n "$pg_postmaster" ] && [ -r "/proc/$pg_postmaster/stat" ] \
      || { echo "PostgreSQL's postmaster must run on this machine (its CPU is measured)" >&2; exit 1; }
  else
    [ -n "$mariadb_pid" ] || { echo "MariaDB must run on this machine (its CPU is measured)" >&2; exit 1; }
  fi
}
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
# m_others (% of all cores other processes used meanwhile). A failing pipeline stops the run.
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

# --- results --------------------------------------------------------------------------------------------------
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
med() { local -n arr=$1; [ -n "${arr[$2]:-}" ] || { echo; return; }; median ${arr[$2]}; } # array name, key
machine_line() {
  echo "$cores cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')), $(free -g | awk '/^Mem:/ {print $2}') GB RAM"
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

# Builds the jar into $build_dir, starts it with -Xmx256m and a GC log on a free port with its data and storage in
# temporary directories, and checks that /api/openapi.json lists every path pattern given (a build without the
# endpoints the bench needs fails now, not after minutes of peers).
start_custos() { # grep pattern of a required path...
  echo "== building into $build_dir"
  local mvn_args=(-B -q -Dmaven.test.skip=true "-Dcustos.build.dir=$build_dir" package)
  if ! (cd "$root" && mvn -o "${mvn_args[@]}") >"$work/build.log" 2>&1; then
    echo "   offline build failed, retrying online"
    (cd "$root" && mvn "${mvn_args[@]}") >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
  fi
  port=$(free_port)
  mkdir -p "$work/custos-data" "$out_made/custos-backups"
  CUSTOS_DATA_DIR="$work/custos-data" CUSTOS_STORAGE_LOCAL_PATH="$out_made/custos-backups" CUSTOS_PORT="$port" CUSTOS_AUTH="${CUSTOS_AUTH:-none}" \
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
  api GET /openapi.json
  local p
  for p; do
    if ! grep -q -- "$p" "$work/api.body"; then
      echo "This build of Custos lacks an endpoint the bench needs ($p is not in /api/openapi.json): run with --skip-custos." >&2
      exit 1
    fi
  done
  if echo 5 2>/dev/null >"/proc/$server_pid/clear_refs"; then
    hwm_reset=1
  else
    hwm_reset= # peak RSS by sampling VmRSS every 100 ms instead
    echo "   cannot reset the kernel's peak RSS of the JVM (/proc/pid/clear_refs): sampling VmRSS every 100 ms instead"
  fi
}

# Registers the dataset's database in Custos (zstd compression) and prints its id; with an engine id, on that
# engine with its credentials, else with its own address and account.
custos_database() { # dataset, database name [, engine id]
  local ds=$1 db=$2 engine_id=${3:-} type port_ user
  if [ "${ds%%/*}" = pg ]; then type=postgresql port_=5432 user=postgres; else type=mysql port_=3306 user=root; fi
  api_expect 201 POST /databases "$(jq -cn --arg name "bench ${ds/\//-}" --arg type "$type" --argjson port "$port_" \
    --arg db "$db" --arg user "$user" --arg engine "$engine_id" '{name: $name, database_type: $type, host: "127.0.0.1",
      port: $port, database_name: $db, username: $user, password: "", use_engine_credentials: ($engine != ""),
      enabled: true, compression: "zstd"} + (if $engine != "" then {engine_id: $engine} else {} end)')"
  jq -r .database.id "$work/api.body"
}

# Peak memory of the JVM and of its descendants (the dump or restore tool), sampled every $sample_interval s without
# forking (a fork per sample would cost more CPU than the sampling). Writes "jvm_kb children_kb" peaks to $1 whenever
# they grow.
sample_memory() { # file
  local file=$1 jvm=0 kids=0 v
  walk() { # pid: sum of VmRSS (KB) of its descendants, into v
    local t c k line
    for t in /proc/"$1"/task/*/children; do
      c=()
      read -r -a c 2>/dev/null <"$t" || [ ${#c[@]} -gt 0 ] || continue # the file has no newline: read "fails"
      for k in "${c[@]}"; do
        while read -r line; do
          [[ $line == VmRSS:* ]] && { line=${line#VmRSS:}; line=${line% kB}; v=$((v + ${line//[[:space:]]/})); break; }
        done 2>/dev/null <"/proc/$k/status" || true
        walk "$k"
      done
    done
  }
  while :; do
    v=0; walk "$server_pid"
    local line now=0
    while read -r line; do
      [[ $line == VmRSS:* ]] && { line=${line#VmRSS:}; now=${line% kB}; now=${now//[[:space:]]/}; break; }
    done 2>/dev/null <"/proc/$server_pid/status" || true
    if [ "$v" -gt "$kids" ] || [ "$now" -gt "$jvm" ]; then
      [ "$v" -le "$kids" ] || kids=$v
      [ "$now" -le "$jvm" ] || jvm=$now
      echo "$jvm $kids" >"$file"
    fi
    sleep "$sample_interval"
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
# A Custos measurement around a job: custos_measure_start before the request, custos_measure_end once it ended.
# Sets c_rss (MB, JVM + children peaks), c_jvm_mb, c_kids_mb, c_cpu (s, the JVM and its reaped children: the
# tools), c_server (s), c_others (%), c_heap (MB or -).
custos_measure_start() {
  c_gc_from=1
  [ ! -f "$work/gc.log" ] || c_gc_from=$(($(wc -l <"$work/gc.log") + 1))
  [ -z "$hwm_reset" ] || echo 5 >"/proc/$server_pid/clear_refs"
  rm -f "$work/mem.peak"
  sample_memory "$work/mem.peak" & sampler_pid=$!
  c_b0=$(busy_ticks); c_v0=$(server_ticks); c_c0=$(proc_ticks "$server_pid"); c_t0=$EPOCHREALTIME
}
custos_measure_end() {
  local t1=$EPOCHREALTIME b1 v1 c1 jvm_kb kids_kb
  b1=$(busy_ticks); v1=$(server_ticks); c1=$(proc_ticks "$server_pid")
  stop_bg "$sampler_pid"; sampler_pid=
  read -r jvm_kb kids_kb <"$work/mem.peak" 2>/dev/null || { jvm_kb=0; kids_kb=0; }
  [ -z "$hwm_reset" ] || jvm_kb=$(status_kb "$server_pid" VmHWM)
  c_jvm_mb=$((jvm_kb / 1024)) c_kids_mb=$((kids_kb / 1024)) c_rss=$(((jvm_kb + kids_kb) / 1024))
  c_cpu=$(awk -v t=$((c1 - c_c0)) -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  c_server=$(awk -v t=$((v1 - c_v0)) -v hz="$tick" 'BEGIN {printf "%.1f", t / hz}')
  c_others=$(awk -v all=$((b1 - c_b0)) -v mine=$((c1 - c_c0)) -v srv=$((v1 - c_v0)) -v hz="$tick" -v w="$(secs "$c_t0" "$t1")" -v c="$cores" \
    'BEGIN {o = (all - mine - srv) / (hz * w * c) * 100; if (o < 0) o = 0; printf "%.0f%%", o}')
  c_heap=$(heap_peak_mb "$c_gc_from")
  c_t1=$t1
}
# Wall time from c_t0 to an ISO completion time (the record's completed_at: no polling granularity), bounded by
# the poll that saw the job end.
custos_wall() { # completed_at or empty
  local wall done_at
  wall=$(secs "$c_t0" "$c_t1")
  if [ -n "$1" ] && done_at=$(date -d "$1" +%s.%N 2>/dev/null); then
    wall=$(awk -v a="$c_t0" -v d="$done_at" -v w="$wall" 'BEGIN {x = d - a; printf "%.3f", (x > 0 && x <= w) ? x : w}')
  fi
  echo "$wall"
}
