#!/usr/bin/env bash
# The whole suite: first on the embedded default (SQLite, in-process tasks), then again on
# PostgreSQL with the real-service tests (Redis, a Celery worker). Says what it could not run;
# under CI=true a missing service is a failure, never a skip.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CI=${CI:-}
PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}
status=0
missing=()

echo "== SQLite suite (embedded default, in-process tasks)"
$PY -m pytest -q -p no:cacheprovider -m "not postgres and not redis and not celery and not browser" || status=1

pg_ok=0; redis_ok=0
$PY - "$PG_URL" <<'PYEOF' >/dev/null 2>&1 && pg_ok=1
import sys, psycopg
psycopg.connect(sys.argv[1], connect_timeout=3).close()
PYEOF
$PY - "$REDIS" <<'PYEOF' >/dev/null 2>&1 && redis_ok=1
import sys, redis
redis.Redis.from_url(sys.argv[1], socket_connect_timeout=3).ping()
PYEOF

markers="not browser"
[ $redis_ok = 1 ] || { missing+=("Redis at $REDIS (redis and celery tests)"); markers="$markers and not redis and not celery"; }

if [ $pg_ok = 1 ]; then
  echo "== PostgreSQL suite (all tests again, plus the real-service tests)"
  DATABASE_URL=$PG_URL TEST_REDIS_URL=$REDIS $PY -m pytest -q -p no:cacheprovider -m "$markers" || status=1
else
  missing+=("PostgreSQL at $PG_URL (the PostgreSQL suite)")
fi

if [ ${#missing[@]} -gt 0 ]; then
  echo
  echo "Not run on this machine:"
  for item in "${missing[@]}"; do echo "  - $item"; done
  if [ -n "$CI" ] && { [ $pg_ok = 0 ] || [ $redis_ok = 0 ]; }; then
    echo "CI=true: a missing service is a failure."
    status=1
  fi
fi
exit $status
