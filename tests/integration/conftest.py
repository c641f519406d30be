"""Real-service fixtures: a Celery worker process on the test database and a real Redis broker."""

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.db import connection
from kombu import pools

from config import celery_app

PROJECT_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
WORKER_COMMAND = [
    str(CELERY), "-A", "config", "worker", "--pool", "solo", "--concurrency", "1", "-Q", "celery",
    "--without-gossip", "--without-mingle", "--loglevel", "INFO",
]  # fmt: skip
READY_TIMEOUT_SECONDS = 30
STOP_TIMEOUT_SECONDS = 20


def worker_database_url():
    """The URL of the database this test session uses (the test copy, not the real one)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "")
    if db.get("PASSWORD"):
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


def point_celery_at(broker_url, always_eager):
    """Switch this process's Celery app, dropping connections made with the old broker.

    Pooled producers remember which queues they declared; after a FLUSHDB they would publish
    to a queue binding that no longer exists and the message would vanish, so drop them all.
    """
    celery_app.conf.task_always_eager = always_eager
    celery_app.conf.broker_url = broker_url
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
        celery_app._pool = None
    celery_app.amqp._producer_pool = None
    pools.reset()


class CeleryWorkerProcess:
    """A `celery worker` subprocess that can be started and stopped within one test."""

    def __init__(self, env, log_path):
        self.env = env
        self.log_path = log_path
        self.process = None
        self.hostname = f"test-{os.getpid()}@%h"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self):
        if self.running:
            return self
        offset = len(self.log_text())
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [*WORKER_COMMAND, "-n", self.hostname],
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if " ready." in self.log_text()[offset:]:
                return self
            if not self.running:
                break
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"The Celery worker did not become ready. Its log:\n{self.log_text()[offset:]}")

    def stop(self):
        if not self.running:
            return
        self.process.send_signal(signal.SIGTERM)  # warm shutdown: finish the current task
        try:
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT_SECONDS)


def share_cache_with_worker(settings, url):
    """This process's cache on the worker's Redis, as in production (REDIS_URL for both): the
    queued-dispatch and queued-drain flags must be the worker's."""
    settings.CACHES = {"default": {"BACKEND": "config.cache.ClientKeepingRedisCache", "LOCATION": url}}


@pytest.fixture
def redis_broker():
    """The test Redis database, emptied, as a client."""
    client = redis.Redis.from_url(os.environ["TEST_REDIS_URL"])
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


WORKER_APPLICATION_NAME = "tracker-test-worker"


@pytest.fixture
def celery_worker_process(transactional_db, redis_broker, tmp_path, settings):
    """A worker on the test database and Redis; this process enqueues to the same broker.

    Depends on ``transactional_db`` so the worker sees committed rows and is stopped before the
    database is flushed. Not started: call ``start()`` (and ``stop()``) when the test needs it.
    """
    broker_url = os.environ["TEST_REDIS_URL"]
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "1",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": broker_url,
        "CELERY_BROKER_URL": broker_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        # The tests read the worker's log to see tasks succeed: keep Celery's per-task lines.
        "CELERY_TRACE_LOG_LEVEL": "INFO",
        # Names the worker's database sessions, for the tests that look at them.
        "PGAPPNAME": WORKER_APPLICATION_NAME,
    }
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    point_celery_at(broker_url, always_eager=False)
    share_cache_with_worker(settings, broker_url)
    worker = CeleryWorkerProcess(env, tmp_path / "celery-worker.log")
    try:
        yield worker
    finally:
        worker.stop()
        point_celery_at(*previous)


# ---------------------------------------------------------------------------------- chaos


class EnqueueFailures(logging.Handler):
    """Counts the enqueue failures the outbox, the queue flags and the drain swallow (broker or
    cache down)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record):
        if "Could not" in record.getMessage():
            self.count += 1


@pytest.fixture
def enqueue_failures():
    handler = EnqueueFailures()
    names = ("operations.events", "operations.queued", "performance.dirty")
    loggers = [logging.getLogger(name) for name in names]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


@pytest.fixture
def chaos_redis(transactional_db, tmp_path, settings):
    """A Redis server of the test's own, on a free port in 6390–6399, that the test may crash and
    restart; this process's Celery app publishes to it. Always killed at the end."""
    from .chaos_helpers import RedisServer, free_port

    server = RedisServer(free_port(), tmp_path / "chaos-redis.log").start()
    previous = (celery_app.conf.broker_url, celery_app.conf.task_always_eager)
    point_celery_at(server.url, always_eager=False)
    share_cache_with_worker(settings, server.url)
    try:
        yield server
    finally:
        point_celery_at(*previous)
        server.kill()


@pytest.fixture
def chaos_worker(transactional_db, chaos_redis, tmp_path):
    """A prefork worker (2 pool processes) on the test database and the chaos Redis, with the
    short timings the chaos tests need: events swept after 2 s, a 5 s visibility timeout. Not
    started; always SIGKILLed (with its pool) at the end, before the database is flushed."""
    from .chaos_helpers import ChaosWorker

    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "PYTHONUNBUFFERED": "1",
        "DEBUG": "0",
        "SECRET_KEY": "chaos-test-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": chaos_redis.url,
        "CELERY_BROKER_URL": chaos_redis.url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "OUTBOX_SWEEP_AFTER_SECONDS": "2",
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "CELERY_TRACE_LOG_LEVEL": "INFO",  # log "succeeded" too: the summary counts tasks in flight
        # Django's system checks (URLs, templates, …) run in the normal suite; a worker restarted
        # every few seconds skips them to come back sooner.
        "CELERY_SKIP_CHECKS": "1",
    }
    worker = ChaosWorker(env, tmp_path / "chaos-worker.log")
    try:
        yield worker
    finally:
        worker.kill()
