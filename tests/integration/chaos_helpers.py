"""Processes a chaos test can crash at will: a Redis server on its own port and prefork Celery
workers, each in its own process group so that one ``SIGKILL`` takes down the parent and every
pool child together (nothing gets a chance to acknowledge, reject or restore anything)."""

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import redis
from django.db import connection

PROJECT_DIR = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).parent / "celery"
REDIS_PORTS = range(6390, 6400)
READY_TIMEOUT_SECONDS = 45
TASK_LINE = re.compile(r"Task [\w.]+\[([0-9a-f-]+)\] (received|succeeded|failed|retry|raised)")


def free_port(ports=REDIS_PORTS):
    """The first port in ``ports`` nothing listens on or holds bound."""
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"No free port in {ports.start}–{ports.stop - 1} for the chaos Redis.")


def _kill_group(process, sig=signal.SIGKILL):
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


class RedisServer:
    """A throw-away ``redis-server`` with no persistence: a crash loses every queued message."""

    def __init__(self, port, log_path):
        self.port = port
        self.log_path = log_path
        self.process = None
        self.url = f"redis://127.0.0.1:{port}/0"

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def start(self):
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    "redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                    "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning",
                ],
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        try:
            while time.monotonic() < deadline:
                try:
                    if client.ping():
                        return self
                except redis.ConnectionError:
                    if not self.running:
                        break
                    time.sleep(0.05)
        finally:
            client.close()
        self.kill()
        raise RuntimeError(f"redis-server did not start on port {self.port}: {self.log_path.read_text()}")

    def kill(self):
        """Crash it: SIGKILL, no shutdown save (there is no persistence anyway)."""
        if self.process is None:
            return
        _kill_group(self.process)
        self.process.wait(timeout=10)
        self.process = None

    def client(self):
        return redis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=5)


class ChaosWorker:
    """``celery worker --pool prefork``: started, SIGKILLed (the whole group) and started again."""

    def __init__(self, env, log_path, concurrency=2):
        self.env = env
        self.log_path = log_path
        self.concurrency = concurrency
        self.process = None
        self.generation = 0
        self._offset = 0

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self):
        return self.process.pid if self.process is not None else None

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self, wait=True):
        """Start a worker; with ``wait``, return once it consumes (needs the broker to be up)."""
        if self.running:
            return self
        self.generation += 1
        self._offset = len(self.log_text())
        command = [
            str(CELERY), "-A", "config", "worker", "--pool", "prefork",
            "--concurrency", str(self.concurrency), "-Q", "celery", "--without-gossip",
            "--without-mingle", "--without-heartbeat", "--loglevel", "INFO",
            "-n", f"chaos-{os.getpid()}-{self.generation}@%h",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            log.write(f"\n===== chaos worker generation {self.generation} =====\n".encode())
            self.process = subprocess.Popen(
                command, cwd=PROJECT_DIR, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        if wait:
            self.wait_ready()
        return self

    def is_ready(self):
        return " ready." in self.log_text()[self._offset :]

    def wait_ready(self, timeout=READY_TIMEOUT_SECONDS):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return self
            if not self.running:
                break
            time.sleep(0.1)
        tail = self.log_text()[self._offset :][-4000:]
        self.kill()
        raise RuntimeError(f"The chaos worker did not become ready. Its log:\n{tail}")

    def tasks_in_flight(self):
        """Tasks this worker generation received and did not finish (running or reserved)."""
        received, finished = set(), set()
        for match in TASK_LINE.finditer(self.log_text()[self._offset :]):
            (received if match.group(2) == "received" else finished).add(match.group(1))
        return len(received - finished)

    def pool_children(self):
        """PIDs of the pool processes (children of the worker's main process)."""
        if not self.running:
            return []
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        try:
            return [int(pid) for pid in path.read_text().split()]
        except OSError:
            return []

    def kill(self):
        """SIGKILL the main process and its pool children at once."""
        if self.process is None:
            return False
        was_running = self.running
        _kill_group(self.process)
        self.process.wait(timeout=10)
        self.process = None
        return was_running

    def stop(self, timeout=20):
        """Warm shutdown (finish the current tasks), then SIGKILL whatever is left."""
        if self.process is None:
            return
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=timeout)
        self.kill()


def threaded(fn, *args):
    """Run ``fn`` in a thread with its own database connection, closed at the end; exceptions are
    kept for the test to raise."""
    errors = []

    def run():
        try:
            fn(*args)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.errors = errors
    thread.start()
    return thread


def join_all(threads, timeout):
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
        assert not thread.is_alive(), "a thread did not finish in time"
        if thread.errors:
            raise thread.errors[0]
