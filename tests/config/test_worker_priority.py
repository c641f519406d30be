"""The Celery worker lowers its CPU priority below the web's (``WORKER_NICE``)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
AUTOGROUP = Path("/proc/self/autogroup")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process priorities as Linux has them")


def run(code, *, nice_first=0):
    """Run ``code`` in a new session (as a service manager starts the worker), after
    ``worker_priority_lower`` has been imported; returns its last line of output."""
    script = (
        "import os\n"
        f"os.setpriority(os.PRIO_PROCESS, 0, {nice_first})\n"
        "from config.celery import worker_priority_lower\n"
        f"{code}\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DEBUG": "1"}
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, env=env, capture_output=True, text=True,
        start_new_session=True, check=True, timeout=60,
    )  # fmt: skip
    return out.stdout.strip().splitlines()[-1]


def test_a_worker_process_drops_to_the_configured_niceness():
    assert run("print(worker_priority_lower(7), os.getpriority(os.PRIO_PROCESS, 0))") == "7 7"


@pytest.mark.skipif(not AUTOGROUP.exists(), reason="this kernel does not group by session")
def test_a_session_leader_lowers_its_whole_session():
    # Processes of a session compete with other sessions as one group; the group's niceness is
    # what sets the worker's share against the web's.
    line = run("worker_priority_lower(7); print(open('/proc/self/autogroup').read().split()[-1])")
    assert line == "7"


def test_a_worker_already_below_it_is_not_raised_and_zero_leaves_it_alone():
    assert run("print(worker_priority_lower(7))", nice_first=12) == "12"
    assert run("print(worker_priority_lower(0))", nice_first=3) == "3"


def test_the_worker_start_applies_the_setting(settings, monkeypatch):
    from celery.signals import worker_init

    from config import celery as celery_module

    assert celery_module.worker_yields_the_cpu_to_the_web in [r for _, r in worker_init.receivers]
    seen = []
    monkeypatch.setattr(celery_module, "worker_priority_lower", seen.append)
    settings.WORKER_NICE = 9
    celery_module.worker_yields_the_cpu_to_the_web(sender=None)
    assert seen == [9]
