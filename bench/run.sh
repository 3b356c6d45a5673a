#!/usr/bin/env bash
# The benchmark, in one command: the same streaming workload against the emulator directly, through Switchboard,
# through nginx as a plain reverse proxy (proxy_buffering off) and through the Portkey gateway, all on this machine
# and on loopback only. Writes docs/benchmarks.md. Takes about ten minutes.
#
#   bench/run.sh
#
# Needs: a JDK >= 21 (found by ./switchboard), PostgreSQL on 127.0.0.1:5432 (trust auth), nginx (installed with
# apt-get if missing) and Node.js with npm (Portkey is installed under bench/.cache on first use).
set -euo pipefail
cd "$(dirname "$0")/.."

EMULATOR_PORT=18081
SWITCHBOARD_PORT=18080
NGINX_PORT=18082
PORTKEY_PORT=18083
UPSTREAM_KEY=sk-bench-upstream-key
# Switchboard's heap: what an operator would give it to hold ~10,000 streams (see docs/performance.md).
SWITCHBOARD_HEAP=${SWITCHBOARD_HEAP:-768m}
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

if ! command -v nginx >/dev/null 2>&1; then
  echo "Installing nginx..." >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null
fi
if [ ! -f "$PORTKEY_DIR/node_modules/@portkey-ai/gateway/build/start-server.js" ]; then
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
  echo "Timed out waiting for $1" >&2
  exit 1
}

echo "Starting the emulator, Switchboard, nginx and Portkey..." >&2
"$JAVA" -Xmx2g -jar emulator/target/switchboard-emulator.jar --port $EMULATOR_PORT --api-key $UPSTREAM_KEY \
  >"$WORK/emulator.log" 2>&1 &
EMULATOR_PID=$!; PIDS+=($EMULATOR_PID)

# Switchboard keeps its state in the machine's PostgreSQL here, so that the database's processes are not
# counted as the gateway's CPU and memory.
psql -h 127.0.0.1 -U postgres -qc 'drop database if exists switchboard_bench' >/dev/null
psql -h 127.0.0.1 -U postgres -qc 'create database switchboard_bench' >/dev/null
env OPENAI_API_KEY=$UPSTREAM_KEY OPENAI_BASE_URL=http://127.0.0.1:$EMULATOR_PORT/v1 SWITCHBOARD_PORT=$SWITCHBOARD_PORT \
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/switchboard_bench" \
  "$JAVA" -Xmx$SWITCHBOARD_HEAP -jar server/target/switchboard.jar >"$WORK/switchboard.log" 2>&1 &
SWITCHBOARD_PID=$!; PIDS+=($SWITCHBOARD_PID)

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
  server {
    listen 127.0.0.1:$NGINX_PORT backlog=4096;
    location / {
      proxy_pass http://emulator;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
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

wait_for http://127.0.0.1:$EMULATOR_PORT/v1/models
wait_for http://127.0.0.1:$SWITCHBOARD_PORT/healthz
wait_for http://127.0.0.1:$NGINX_PORT/v1/models
wait_for http://127.0.0.1:$PORTKEY_PORT/

ADMIN=$(grep -o 'sb-[A-Za-z0-9_-]*' "$WORK/switchboard.log" | head -1)
CLIENT=$(curl -sf http://127.0.0.1:$SWITCHBOARD_PORT/api/admin/keys -H "Authorization: Bearer $ADMIN" \
  -H 'Content-Type: application/json' -d '{"name":"bench"}' | sed -E 's/.*"key":"([^"]+)".*/\1/')

cat > "$WORK/targets" <<TARGETS
direct|http://127.0.0.1:$EMULATOR_PORT/v1|$UPSTREAM_KEY|$EMULATOR_PID||
switchboard|http://127.0.0.1:$SWITCHBOARD_PORT/v1|$CLIENT|$SWITCHBOARD_PID||http://127.0.0.1:$SWITCHBOARD_PORT/metrics
nginx|http://127.0.0.1:$NGINX_PORT/v1|$UPSTREAM_KEY|$NGINX_PID||
portkey|http://127.0.0.1:$PORTKEY_PORT/v1|$UPSTREAM_KEY|$PORTKEY_PID|x-portkey-provider=openai;x-portkey-custom-host=http://127.0.0.1:$EMULATOR_PORT/v1|
TARGETS

"$JAVA" -Xmx2g -Dbench.openFiles="$OPEN_FILES" -Dbench.switchboardHeap="$SWITCHBOARD_HEAP" -cp bench/target/classes dev.switchboard.bench.BenchRunner \
  "$WORK/targets" docs/benchmarks.md "bench/run.sh"
