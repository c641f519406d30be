#!/usr/bin/env bash
# The whole suite: first on the embedded default (SQLite, in-process tasks), then again on
# PostgreSQL with the real-service tests (Redis, a Celery worker) and the real-browser tests
# (Playwright driving Debian's Chromium, installed by scripts/ensure-chromium.sh when missing).
# Says what it could not run; under CI=true a missing service or browser is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CI=${CI:-}
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
status=0
missing=()

echo "== SQLite suite (embedded default, in-process tasks)"
# Two processes (the machine's cores), handed tests one at a time: keeping each file's tests
# together left one process with the slow files (chaos, the data-size pins) while the other idled,
# and the module-scoped fixtures are cheap enough to build once per process.
XDIST=(-n "${TEST_PROCESSES:-2}" --dist load)
$PY -m pytest -q -p no:cacheprovider "${XDIST[@]}" -m "not postgres and not redis and not celery and not browser" || status=1

pg_ok=0; redis_ok=0
$PY - "$PG_URL" <<'PYEOF' >/dev/null 2>&1 && pg_ok=1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
$PY - "$REDIS" <<'PYEOF' >/dev/null 2>&1 && redis_ok=1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PYEOF

# The browser suite runs in the PostgreSQL pass: its live server thread then has a connection of
# its own (on SQLite it would share the test's in-memory connection while pages poll).
browser_ok=0
chromium_log=$(mktemp)
if bash scripts/ensure-chromium.sh 2>"$chromium_log"; then
  browser_ok=1
else
  cat "$chromium_log" >&2
  echo "The browser tests will not be run: Chromium is missing (see above)." >&2
fi
chromium_reason=$(tail -n 1 "$chromium_log")
rm -f "$chromium_log"

excluded=()
[ $redis_ok = 1 ] || { missing+=("Redis at $REDIS (redis and celery tests)"); excluded+=(redis celery); }
[ $browser_ok = 1 ] || { missing+=("Chromium at /usr/bin/chromium (the browser tests: ${chromium_reason#ensure-chromium: })"); excluded+=(browser); }
select_args=()
if [ ${#excluded[@]} -gt 0 ]; then
  expression=$(printf ' and not %s' "${excluded[@]}")
  select_args=(-m "${expression# and }")
fi

if [ $pg_ok = 1 ]; then
  echo "== PostgreSQL suite (all tests again, plus the real-service tests$([ $browser_ok = 1 ] && echo ' and the browser tests'))"
  DATABASE_URL=$PG_URL TEST_REDIS_URL=$REDIS $PY -m pytest -q -p no:cacheprovider "${XDIST[@]}" "${select_args[@]}" || status=1
else
  missing+=("PostgreSQL at $PG_URL (the PostgreSQL suite$([ $browser_ok = 1 ] && echo ', with the browser tests'))")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo
  echo "Not run on this machine:"
  for item in "${missing[@]}"; do echo "  - $item"; done
  if [ -n "$CI" ] && { [ $pg_ok = 0 ] || [ $redis_ok = 0 ] || [ $browser_ok = 0 ]; }; then
    echo "CI=true: a missing service or browser is a failure."
    status=1
  fi
fi
exit $status
