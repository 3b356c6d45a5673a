#!/usr/bin/env bash
# The benchmark, in one command: the same workloads against the emulator directly, through Switchboard, through
# nginx as a plain reverse proxy (proxy_buffering off) and through the Portkey gateway, all on this machine and on
# loopback only. Writes docs/benchmarks.md. Takes about ten minutes.
#
#   bench/run.sh                  the benchmark
#   BENCH_SCALE=0.2 bench/run.sh  a short check that it works end to end (writes bench/target/benchmarks-check.md)
#   bench/run.sh profile          where Switchboard's CPU goes per relayed event, by layer (bench/profile.sh)
#   BENCH_GATEWAY_JAR=/other/switchboard.jar bench/run.sh profile
#                                 the same for another build of the gateway (an earlier commit's, for a before/after)
#
# Ports: BENCH_PORT (default 18080) and the three after it.
#
# Needs: a JDK >= 21 (found by ./switchboard), PostgreSQL on 127.0.0.1:5432 (trust auth), nginx (installed with
# apt-get if missing) and Node.js with npm (Portkey is installed under bench/.cache on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

MODE=${1:-bench}
SCALE=${BENCH_SCALE:-1}
SWITCHBOARD_PORT=${BENCH_PORT:-18080}
EMULATOR_PORT=$((SWITCHBOARD_PORT + 1))
NGINX_PORT=$((SWITCHBOARD_PORT + 2))
PORTKEY_PORT=$((SWITCHBOARD_PORT + 3))
UPSTREAM_KEY=sk-bench-upstream-key
# Switchboard's heap: the issue's cap for holding 10,000 streams (see docs/performance.md).
SWITCHBOARD_HEAP=${SWITCHBOARD_HEAP:-512m}
REPORT=docs/benchmarks.md
if [ "$SCALE" != 1 ]; then REPORT=bench/target/benchmarks-check.md; fi
PORTKEY_DIR=bench/.cache/portkey
WORK=$(mktemp -d)
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# A relay holds two sockets per stream (client and upstream); raise the soft limit on open files to the hard one.
ulimit -n "$(ulimit -Hn)"
OPEN_FILES=$(ulimit -n)

echo "Building..." >&2
./switchboard build
JAVA="$(./switchboard java-home)/bin/java"

if [ "$MODE" = bench ] && ! command -v nginx >/dev/null 2>&1; then
  echo "Installing nginx..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
if [ "$MODE" = bench ] && [ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
  echo "Installing the Portkey gateway under $PORTKEY_DIR..." >&2
  mkdir -p "$PORTKEY_DIR"
  # Portkey's streaming works only with this version of its HTTP server (see ../shared/STACK.md).
  cat > "$PORTKEY_DIR/package.json" <<'JSON'
{"name": "portkey-bench", "private": true, "dependencies": {"@portkey-ai/gateway": "1.15.2"},
 "overrides": {"@hono/node-server": "1.13.5"}}
JSON
  (cd "$PORTKEY_DIR" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi

wait_for() { # URL [header]
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "$1" && return 0
    sleep 1
  done
  echo "Timed out waiting for $1. The last lines each process printed:" >&2
  for log in "$WORK"/*.log; do echo "== $log" >&2; tail -n 15 "$log" >&2; done
  exit 1
}

echo "Starting the emulator and Switchboard..." >&2
"$JAVA" -Xmx2g -jar emulator/target/switchboard-emulator.jar --port $EMULATOR_PORT --api-key $UPSTREAM_KEY \
  >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!; PIDS+=($EMULATOR_PID)

# Switchboard keeps its state in the machine's PostgreSQL here, so that the database's processes are not
# counted as the gateway's CPU and memory.
psql -h 127.0.0.1 -U postgres -qc 'drop database if exists switchboard_bench' >/dev/null
psql -h 127.0.0.1 -U postgres -qc 'create database switchboard_bench' >/dev/null
start_switchboard() {
  env OPENAI_API_KEY=$UPSTREAM_KEY OPENAI_BASE_URL=http://127.0.0.1:$EMULATOR_PORT/v1 SWITCHBOARD_PORT=$SWITCHBOARD_PORT \
    OPENAI_REALTIME_ENABLED=true \
    DATABASE_URL="postgres://postgres@127.0.0.1:5432/switchboard_bench" \
    "$JAVA" -Xmx$SWITCHBOARD_HEAP -jar "${BENCH_GATEWAY_JAR:-server/target/switchboard.jar}" >>"$WORK/switchboard.log" 2>&1 &
  SWITCHBOARD_PID=$!; PIDS+=($SWITCHBOARD_PID)
}

# First start: migrates the empty database and prints the administrator key, with which a client key is made.
wait_for http://127.0.0.1:$EMULATOR_PORT/v1/models
start_switchboard
wait_for http://127.0.0.1:$SWITCHBOARD_PORT/healthz
ADMIN=$(grep -o 'sb-[A-Za-z0-9_-]*' "$WORK/switchboard.log" | head -1)
CLIENT=$(curl -sf http://127.0.0.1:$SWITCHBOARD_PORT/api/admin/keys -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')
kill "$SWITCHBOARD_PID"; wait "$SWITCHBOARD_PID" 2>/dev/null || true
PIDS=("$EMULATOR_PID")

# Startup with a warm database: from launching the jar to the first answered request (polled every 5 ms).
STARTED=$(date +%s%N)
start_switchboard
until [ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:$SWITCHBOARD_PORT/v1/models \
    -H "Authorization: Bearer $CLIENT")" = 200 ]; do
  if ! kill -0 "$SWITCHBOARD_PID" 2>/dev/null; then echo "Switchboard did not start; see its log:" >&2; tail -20 "$WORK/switchboard.log" >&2; exit 1; fi
  if [ $(( ($(date +%s%N) - STARTED) / 1000000 )) -gt 60000 ]; then echo "Switchboard did not answer within 60 s" >&2; exit 1; fi
  sleep 0.005
done
STARTUP_MS=$(( ($(date +%s%N) - STARTED) / 1000000 ))
echo "Startup to first served request: $STARTUP_MS ms" >&2

if [ "$MODE" = profile ]; then
  mkdir -p bench/target
  cat > "$WORK/targets" <<TARGETS
switchboard|http://127.0.0.1:$SWITCHBOARD_PORT/v1|$CLIENT|$SWITCHBOARD_PID||http://127.0.0.1:$SWITCHBOARD_PORT/metrics
TARGETS
  echo "Profiling Switchboard (${BENCH_GATEWAY_JAR:-the build of $(git rev-parse --short HEAD)}) under the relay workload at 1,000 streams..." >&2
  "$JAVA" -Xmx2g -Dbench.scale="$SCALE" -cp bench/target/classes dev.switchboard.bench.Profile \
    "$WORK/targets" switchboard bench/target/relay-profile.jfr
  echo "Recording: bench/target/relay-profile.jfr (jfr view hot-methods bench/target/relay-profile.jfr)" >&2
  exit 0
fi

echo "Starting nginx and Portkey..." >&2
mkdir -p "$WORK/nginx/logs"
cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes auto;
worker_rlimit_nofile $OPEN_FILES;
error_log $WORK/nginx/logs/error.log warn;
pid $WORK/nginx/nginx.pid;
events { worker_connections 40000; }
http {
  access_log off;
  upstream emulator { server 127.0.0.1:$EMULATOR_PORT; keepalive 1024; }
  # Keep-alive to the upstream for plain requests, Upgrade passed on for WebSockets (the Realtime workload).
  map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://emulator;
      proxy_http_version 1.1;
      proxy_set_header Upgrade \$http_upgrade;
      proxy_set_header Connection \$connection_upgrade;
      proxy_buffering off;
      proxy_read_timeout 600s;
    }
  }
}
CONF
nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g 'daemon off;' >"$WORK/nginx.log" 2>&1 &
NGINX_PID=$!; PIDS+=($NGINX_PID)

# Portkey listens on every interface and has no option to change that: pin its listen() to loopback.
cat > "$WORK/loopback.mjs" <<'JS'
import net from 'node:net';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number') return listen.call(this, args[0], '127.0.0.1', ...args.slice(1).filter(a => typeof a === 'function'));
  if (args[0] && typeof args[0] === 'object') args[0] = { ...args[0], host: '127.0.0.1' };
  return listen.apply(this, args);
};
JS
NODE_ENV=production node --import "$WORK/loopback.mjs" "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" \
  --port=$PORTKEY_PORT --headless >"$WORK/portkey.log" 2>&1 &
PORTKEY_PID=$!; PIDS+=($PORTKEY_PID)

wait_for http://127.0.0.1:$NGINX_PORT/v1/models
wait_for http://127.0.0.1:$PORTKEY_PORT/

cat > "$WORK/targets" <<TARGETS
direct|http://127.0.0.1:$EMULATOR_PORT/v1|$UPSTREAM_KEY|$EMULATOR_PID||
switchboard|http://127.0.0.1:$SWITCHBOARD_PORT/v1|$CLIENT|$SWITCHBOARD_PID||http://127.0.0.1:$SWITCHBOARD_PORT/metrics
nginx|http://127.0.0.1:$NGINX_PORT/v1|$UPSTREAM_KEY|$NGINX_PID||
portkey|http://127.0.0.1:$PORTKEY_PORT/v1|$UPSTREAM_KEY|$PORTKEY_PID|x-portkey-provider=openai;x-portkey-custom-host=http://127.0.0.1:$EMULATOR_PORT/v1|
TARGETS

"$JAVA" -Xmx2g -Dbench.openFiles="$OPEN_FILES" -Dbench.switchboardHeap="$SWITCHBOARD_HEAP" -Dbench.scale="$SCALE" \
  -Dbench.startupMillis="$STARTUP_MS" ${BENCH_PHASES:+-Dbench.phases="$BENCH_PHASES"} \
  -cp bench/target/classes dev.switchboard.bench.BenchRunner "$WORK/targets" "$REPORT" \
  "$( [ "$SCALE" = 1 ] && echo bench/run.sh || echo "BENCH_SCALE=$SCALE bench/run.sh")"
