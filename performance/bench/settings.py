"""Settings for the benchmark's own gunicorn: the project's settings, plus a URLconf that also
mounts the bare comparison endpoint. Never used by the application itself."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "performance.bench.urls"
