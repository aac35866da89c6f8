#!/usr/bin/env bash
# Throughput of the backup pipeline (issue 4, points 2 and 7): ~1 GB of realistic-entropy dump text from a dump
# process, through ArtifactPipeline.store() into local storage, per compression, against the shell pipe
# `<dump> | zstd -3 > file` on the same bytes.
#
# For each round (interleaved, so a noisy neighbour hurts every line alike) it runs
#   reference   sh -c '<dump> | zstd -3 -q > file'          (the shell pipe of the goal; no fsync)
#   custos      java PipelineThroughput pipeline ... <dump>  (Custos's code launches <dump> as a child process and
#                                                            reads its stdout, as a connector runs pg_dump; a fresh
#                                                            JVM each time, so the JIT is cold as for the first backup
#                                                            after a start, with the pipeline created 2 s before as
#                                                            when Custos starts; the object is fsynced)
# <dump> is `cat` of a generated file (BENCH_SOURCE=file: the dump costs nothing, so this measures the pipeline
# alone) or the generator itself writing to stdout (BENCH_SOURCE=generator: a producer that needs a core of its own,
# at about pg_dump's pace, as in a real backup on 2 cores).
# Per line: wall seconds from the launch of <dump> to the stored object (the JVM's own start-up is not counted:
# Custos is already running), raw MB/s (10^6 bytes), CPU seconds of the whole process tree (dump, JVM start-up
# included), stored bytes, the CPU other processes took meanwhile ("others", in cores), and the ratios to the
# reference's median wall time and size.
#
# Usage: bench/pipeline/run.sh          (about 5 minutes on 2 cores)
# Knobs (environment): BENCH_BYTES=1000000000, BENCH_ROUNDS=3, BENCH_SOURCE=file|generator,
#   BENCH_CONFIGS="zstd-3 zstd-3+enc lz4-1 none" (compared each round; gzip-6 runs once at the end unless
#   BENCH_GZIP=0), BENCH_CHUNK=65536 (bytes per read from the pipe), BENCH_DIR (data and store; default
#   /tmp/custos-bench-pipeline), BENCH_BUILD_DIR, BENCH_JAVA_OPTS, BENCH_EXPERIMENTS=1 (also zstd-jni alone:
#   finalizer or not, workers 0/1/2, from the page cache).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

bytes=${BENCH_BYTES:-1000000000}
rounds=${BENCH_ROUNDS:-3}
configs=${BENCH_CONFIGS:-zstd-3 zstd-3+enc lz4-1 none}
chunk=${BENCH_CHUNK:-65536}
source_kind=${BENCH_SOURCE:-file}
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/custos-bench-pipeline}
build_dir=${BENCH_BUILD_DIR:-$dir/build}
java_opts=${BENCH_JAVA_OPTS:-}
data=$dir/data-$bytes.txt
ncpu=$(nproc)

for tool in zstd java mvn /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "needs $tool (apt-get install zstd time maven default-jdk-headless)" >&2; exit 1; }
done
mkdir -p "$dir"

echo "== building into $build_dir"
mvn -B -q -Dcustos.build.dir="$build_dir" -Dmaven.test.skip compile dependency:build-classpath \
  -Dmdep.outputFile="$build_dir/classpath.txt" >/dev/null
cp="$build_dir/classes:$(cat "$build_dir/classpath.txt")"
bench_class="$build_dir/bench"
mkdir -p "$bench_class"
javac -nowarn -cp "$cp" -d "$bench_class" bench/pipeline/PipelineThroughput.java 2>/dev/null
cp="$cp:$bench_class"

if [ ! -s "$data" ]; then
  echo "== generating $bytes bytes of dump text into $data"
  java -cp "$cp" PipelineThroughput generate "$data" "$bytes"
fi
cat "$data" >/dev/null # into the page cache, for every line alike
case $source_kind in
  file) source="cat '$data'" ;;
  generator) source="java -cp '$cp' PipelineThroughput generate - $bytes" ;;
  *) echo "BENCH_SOURCE must be file or generator" >&2; exit 1 ;;
esac

busy() { awk '/^cpu /{print $2+$3+$4+$7+$8; exit}' /proc/stat; } # user nice system irq softirq, in ticks
hz=$(getconf CLK_TCK)

results=$(mktemp)
trap 'rm -f "$results"; rm -rf "$dir/store" "$dir/out.zst"' EXIT

# measure NAME COMMAND: runs COMMAND under /usr/bin/time; the Java lines print their own store wall time.
measure() {
  local name=$1; shift
  local b0 b1 t out wall cpu others line store_wall stored
  b0=$(busy)
  t=$( { /usr/bin/time -f '%e %U %S' "$@" > "$dir/line" ; } 2>&1 | tail -1)
  b1=$(busy)
  read -r wall user sys <<<"$t"
  cpu=$(echo "$user + $sys" | bc -l)
  others=$(echo "(($b1 - $b0) / $hz - $cpu) / $wall" | bc -l)
  line=$(grep -h '^custos' "$dir/line" || true)
  if [ -n "$line" ]; then
    store_wall=$(sed -E 's/.*wall= *([0-9.]+)s.*/\1/' <<<"$line")
    stored=$(sed -E 's/.*stored=([0-9]+).*/\1/' <<<"$line")
  else
    store_wall=$wall
    stored=$(stat -c %s "$dir/out.zst")
  fi
  printf '%s %s %s %s %s\n' "$name" "$store_wall" "$cpu" "$stored" "$others" >> "$results"
  printf '  %-22s wall %6.2fs  %7.1f MB/s  cpu %6.2fs  stored %11d  others %4.2f cores\n' \
    "$name" "$store_wall" "$(echo "$bytes / 1000000 / $store_wall" | bc -l)" "$cpu" "$stored" "$others"
}

custos() { # CONFIG
  measure "custos $1" java $java_opts -cp "$cp" PipelineThroughput pipeline "$dir/store" "$chunk" "$1" sh -c "$source"
}

for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds (load $(cut -d' ' -f1-3 /proc/loadavg))"
  measure "zstd -3 (reference)" sh -c "$source | zstd -3 -q > '$dir/out.zst'"
  for config in $configs; do
    custos "$config"
  done
done
if [ "${BENCH_GZIP:-1}" = 1 ]; then
  echo "== once"
  custos gzip-6
fi

echo
echo "== medians over $rounds rounds, $bytes bytes from $source_kind, chunk $chunk, $ncpu cores"
ref_wall=$(awk '$1=="zstd" {print $4}' "$results" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
ref_size=$(awk '$1=="zstd" {print $6}' "$results" | head -1)
printf '| line | wall s | MB/s | CPU s | stored bytes | ratio | wall vs zstd -3 | size vs zstd -3 | others (cores) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
awk -v bytes="$bytes" -v rw="$ref_wall" -v rs="$ref_size" '
  { n = NF; name = $1; for (i = 2; i <= n - 4; i++) name = name " " $i
    wall[name] = wall[name] " " $(n-3); cpu[name] = cpu[name] " " $(n-2); size[name] = $(n-1); oth[name] = oth[name] " " $n
    if (!(name in seen)) { seen[name] = 1; order[++k] = name } }
  function median(list,   a, m, i, j, t) { m = split(list, a, " ")
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return a[int((m + 1) / 2)] }
  END { for (i = 1; i <= k; i++) { nm = order[i]; w = median(wall[nm]); c = median(cpu[nm]); o = median(oth[nm])
    printf "| %s | %.2f | %.0f | %.2f | %d | %.2f× | %.3f× | %.3f× | %.2f |\n", nm, w, bytes / 1e6 / w, c, size[nm],
      bytes / size[nm], w / rw, size[nm] / rs, o } }' "$results"

if [ "${BENCH_EXPERIMENTS:-0}" = 1 ]; then
  echo
  echo "== zstd-jni alone (no storage, no hash), from the page cache"
  for c in 65536 262144; do
    java $java_opts -cp "$cp" PipelineThroughput zstdjni "$data" "$c"
  done
fi
