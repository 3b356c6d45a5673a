#!/usr/bin/env bash
# The soak run: one gateway under a steady mixed load (streams, Realtime WebSocket sessions, admin calls) for a long
# time, checking that heap, threads, open files and database connections stay flat. Writes the soak section of
# docs/benchmarks.md. Offline: the gateway's built-in emulator is the upstream.
#
#   bench/soak.sh [MINUTES (60)] [STREAM_CLIENTS (40)] [REALTIME_CLIENTS (4)]
set -euo pipefail
cd "$(dirname "$0")/.."
MINUTES=${1:-60}
STREAMS=${2:-40}
REALTIME=${3:-4}
PORT=18090
# Finished streams are kept in memory for the retention, so the heap reaches its steady size after it: the run is
# judged from a minute later on.
RETENTION_MINUTES=10
WARM_UP_SECONDS=$(( (RETENTION_MINUTES + 1) * 60 ))
WORK=$(mktemp -d)
GATEWAY_PID=""
cleanup() {
  [ -n "$GATEWAY_PID" ] && kill "$GATEWAY_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  # The gateway's log outlives the run, for looking into any error the report counts.
  [ -f "$WORK/gateway.log" ] && mkdir -p bench/target && cp "$WORK/gateway.log" bench/target/soak-gateway.log
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "Building..." >&2
./switchboard build
JAVA="$(./switchboard java-home)/bin/java"

# Run from copies: a build during the soak must not change the code under a running process.
cp server/target/switchboard.jar "$WORK/switchboard.jar"
cp -r bench/target/classes "$WORK/bench-classes"
env -u OPENAI_API_KEY SWITCHBOARD_PORT=$PORT SWITCHBOARD_DATA_DIR="$WORK/data" OPENAI_REALTIME_ENABLED=true \
  SWITCHBOARD_STREAM_RETENTION=${RETENTION_MINUTES}m \
  "$JAVA" -Xmx512m -jar "$WORK/switchboard.jar" >"$WORK/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 90); do curl -s -o /dev/null http://127.0.0.1:$PORT/healthz && break; sleep 1; done
ADMIN=$(grep -o 'sb-[A-Za-z0-9_-]*' "$WORK/gateway.log" | head -1)
CLIENT=$(curl -sf http://127.0.0.1:$PORT/api/admin/keys -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"soak"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')

echo "Soaking for $MINUTES minutes: $STREAMS streaming clients, $REALTIME Realtime clients, one administrator..." >&2
"$JAVA" -cp "$WORK/bench-classes" dev.switchboard.bench.SoakMain "http://127.0.0.1:$PORT" "$CLIENT" "$ADMIN" "$GATEWAY_PID" \
  "$MINUTES" "$STREAMS" "$REALTIME" docs/benchmarks.md "bench/soak.sh $MINUTES $STREAMS $REALTIME" \
  "$WARM_UP_SECONDS"
