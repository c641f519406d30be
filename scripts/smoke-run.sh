#!/usr/bin/env bash
# Start `make run` on a scratch copy of the embedded database, check that the login page, the
# API and the token endpoint answer, then stop it.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${SMOKE_PORT:-8765}
scratch=$(mktemp -d)
log="$scratch/run.log"
DATABASE_URL="sqlite:///$scratch/db.sqlite3" PORT=$PORT DEMO_PASSWORD=smoke-test-password \
  setsid make run >"$log" 2>&1 &
pid=$!
cleanup() { kill -- -"$pid" 2>/dev/null || true; sleep 1; rm -rf "$scratch"; }
trap cleanup EXIT
for _ in $(seq 1 240); do
  curl -fs "http://127.0.0.1:$PORT/health/" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$log"; echo "make run exited early"; exit 1; }
  sleep 1
done
curl -fs "http://127.0.0.1:$PORT/login/" | grep -q "Sign in"
test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/api/areas/")" = 401
token=$(curl -fs -X POST -H 'Content-Type: application/json' \
  -d '{"username": "mission", "password": "smoke-test-password"}' "http://127.0.0.1:$PORT/api/auth/token/" \
  | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -fs -H "Authorization: Token $token" "http://127.0.0.1:$PORT/api/areas/?kind=npu" | grep -q '"count":8'
grep -q "Log in at http://127.0.0.1:$PORT/login/" "$log"
echo "make run smoke test passed: login page, API (401 anonymous, token, 8 NPUs) on port $PORT"
