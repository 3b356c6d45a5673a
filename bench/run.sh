#!/usr/bin/env bash
# Runs the same streaming workload against the emulator directly and through Switchboard, on this machine, and
# prints both results. Usage: bench/run.sh [STREAMS=2000] [CONCURRENCY=200] [MODEL='gpt-4o-mini;tokens=50']
set -euo pipefail
cd "$(dirname "$0")/.."
STREAMS=${1:-2000}
CONCURRENCY=${2:-200}
MODEL=${3:-gpt-4o-mini;tokens=50}
EMULATOR_PORT=18081
GATEWAY_PORT=18080
KEY=sk-bench-upstream
WORK=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"' EXIT

./switchboard build >/dev/null
JAVA="$(./switchboard java-home)/bin/java"

"$JAVA" -jar emulator/target/switchboard-emulator.jar --port $EMULATOR_PORT --api-key $KEY >"$WORK/emulator.log" 2>&1 &
env OPENAI_API_KEY=$KEY OPENAI_BASE_URL=http://127.0.0.1:$EMULATOR_PORT/v1 SWITCHBOARD_PORT=$GATEWAY_PORT \
    SWITCHBOARD_DATA_DIR="$WORK/data" "$JAVA" -jar server/target/switchboard.jar >"$WORK/gateway.log" 2>&1 &
for _ in $(seq 1 60); do
  curl -sf http://127.0.0.1:$GATEWAY_PORT/readyz >/dev/null 2>&1 && break
  sleep 1
done
ADMIN=$(grep -o 'sb-[A-Za-z0-9_-]*' "$WORK/gateway.log" | head -1)
CLIENT=$(curl -sf http://127.0.0.1:$GATEWAY_PORT/api/admin/keys -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')

LOAD=("$JAVA" -cp bench/target/classes dev.switchboard.bench.StreamLoad)
echo "workload: $STREAMS streams, $CONCURRENCY concurrent, model '$MODEL', $(nproc) cores"
"${LOAD[@]}" http://127.0.0.1:$EMULATOR_PORT/v1 $KEY 200 50 "$MODEL" >/dev/null   # warm-up
"${LOAD[@]}" http://127.0.0.1:$GATEWAY_PORT/v1 "$CLIENT" 200 50 "$MODEL" >/dev/null
echo "direct:      $("${LOAD[@]}" http://127.0.0.1:$EMULATOR_PORT/v1 $KEY "$STREAMS" "$CONCURRENCY" "$MODEL")"
echo "switchboard: $("${LOAD[@]}" http://127.0.0.1:$GATEWAY_PORT/v1 "$CLIENT" "$STREAMS" "$CONCURRENCY" "$MODEL")"
