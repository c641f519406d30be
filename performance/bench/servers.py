"""The benchmark's processes: a dedicated PostgreSQL database, gunicorn on loopback with N sync
workers and Celery worker(s) on a dedicated Redis database. Everything started here is stopped
here, by process id."""

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

from django.conf import settings
from django.db import connections

ROOT = Path(settings.BASE_DIR)
BIN = Path(sys.executable).parent


def database_name():
    return settings.DATABASES["default"]["NAME"]


def database_recreate(*, create=True):
    """Drop and create the benchmark database named by DATABASE_URL (only a name starting with
    "bench": this command never drops anything else)."""
    import psycopg

    db = settings.DATABASES["default"]
    name = db["NAME"]
    if not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not name.startswith("bench"):
        raise SystemExit(f"Refusing: the benchmark needs a PostgreSQL database named bench…, not {name!r}.")
    connections.close_all()
    with psycopg.connect(
        dbname="postgres",
        user=db["USER"],
        password=db["PASSWORD"] or None,
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        autocommit=True,
    ) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",  # noqa: E501
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')


def redis_flush(url):
    import redis

    redis.Redis.from_url(url).flushdb()


def server_env(redis_url):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="performance.bench.settings",
        DATABASE_URL=os.environ["DATABASE_URL"],
        REDIS_URL=redis_url,
        CELERY_BROKER_URL=redis_url,
        CELERY_TASK_ALWAYS_EAGER="0",
        DEBUG="0",
        SECRET_KEY=os.environ.get("SECRET_KEY")
        or "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        STATIC_MANIFEST="0",
        LOG_LEVEL="WARNING",
    )
    return env


class Process:
    def __init__(self, name, argv, env, log_dir):
        self.name = name
        self.log = open(Path(log_dir) / f"{name}.log", "ab")  # noqa: SIM115 — closed in stop()
        self.popen = subprocess.Popen(  # noqa: S603 — fixed argv built here
            argv, env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    @property
    def pid(self):
        return self.popen.pid

    def stop(self, timeout=20):
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)  # its own session: only what it started
                self.popen.wait(5)
        self.log.close()

    def tree(self):
        """This process and its descendants (gunicorn workers, Celery pool processes)."""
        parents, pids = {}, [self.pid]
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                parents.setdefault(int(stat.rsplit(")", 1)[1].split()[1]), []).append(int(entry.name))
        i = 0
        while i < len(pids):
            pids.extend(parents.get(pids[i], []))
            i += 1
        return pids


def vm_hwm_kib(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def gunicorn_start(*, port, workers, redis_url, log_dir):
    argv = [
        str(BIN / "gunicorn"),
        "config.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    process = Process("gunicorn", argv, server_env(redis_url), log_dir)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise SystemExit(f"gunicorn exited; see {log_dir}/gunicorn.log")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as response:
                if response.status == 200:
                    return process
        except OSError:
            time.sleep(0.3)
    process.stop()
    raise SystemExit(f"gunicorn did not answer /health/ within 60 s; see {log_dir}/gunicorn.log")


def celery_start(*, concurrency, redis_url, log_dir):
    argv = [
        str(BIN / "celery"),
        "-A",
        "config",
        "worker",
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "WARNING",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-n",
        f"bench{os.getpid()}@%h",
    ]
    process = Process("celery", argv, server_env(redis_url), log_dir)
    from config.celery import app

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.popen.poll() is not None:
            raise SystemExit(f"the Celery worker exited; see {log_dir}/celery.log")
        if app.control.ping(timeout=1.0):
            return process
    process.stop()
    raise SystemExit(f"the Celery worker did not answer within 60 s; see {log_dir}/celery.log")


def redis_url_default():
    return os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/11"


def assert_loopback(url):
    if urlparse(url).hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit(f"The benchmark only targets 127.0.0.1, not {url}.")
