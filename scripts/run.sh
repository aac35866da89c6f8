#!/usr/bin/env bash
# Starts Custos on its embedded default: SQLite catalog at ./data/custos.db, backups under ./data/backups,
# port 7071. Builds the jar first when it is missing or older than the sources.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=target/custos.jar
if [ ! -f "$jar" ] || [ -n "$(find src pom.xml -newer "$jar" -type f -print -quit)" ]; then
  command -v mvn >/dev/null || { apt-get install -y -q maven >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q maven; }; }
  echo "== building $jar"
  mvn -B -q -DskipTests package
fi
exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
