"""Real-browser fixtures: Playwright's sync API driving Debian's Chromium against Django's live server.

* The browser is ``/usr/bin/chromium`` from Debian (``scripts/ensure-chromium.sh`` installs it);
  Playwright's own browser download is never used. Each test gets a fresh user-data directory.
* The live server is pytest-django's ``live_server`` on 127.0.0.1; its tests use ``transactional_db``
  so the server thread sees the rows each test commits. ``make test`` runs this suite in the
  PostgreSQL pass, where the server thread has its own connection; it also runs on SQLite.
* Every page is watched: a request to any host but 127.0.0.1/localhost, a console error or an
  uncaught page error fails the test.
* Screenshots (and the TRM pack's PDF) go to ``test-artifacts/browser/`` (git-ignored).
"""

import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]  # fmt: skip
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
NOT_NETWORK = {"data", "blob", "about", "chrome-error"}  # never leave the machine
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
TIMEOUT_MS = 10_000

# The live server listens on 127.0.0.1 unless the caller chose (--liveserver or this variable).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")


def _unavailable(reason):
    """No browser here: a failure under CI, otherwise a skip that says how to get one."""
    if os.environ.get("CI"):
        pytest.fail(f"CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_artifacts():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def playwright_driver():
    """Playwright's sync API for this module. Its event loop runs in the test thread, which makes
    Django's async-safety check refuse ORM calls there: allowed only while the driver runs."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed: pip install -r requirements-dev.txt")
    if not os.access(CHROMIUM, os.X_OK):
        _unavailable(f"{CHROMIUM} is missing: run scripts/ensure-chromium.sh (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    driver = sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


class Watch:
    """What a browser context did: every request URL, console errors and uncaught page errors."""

    def __init__(self):
        self.requests, self.console_errors, self.page_errors = [], [], []
        self._checked = (0, 0, 0)

    def attach(self, context):
        context.on("request", lambda request: self.requests.append(request.url))
        context.on("page", self.attach_page)
        for page in context.pages:
            self.attach_page(page)

    def attach_page(self, page):
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))

    def _console(self, message):
        if message.type != "error":
            return
        url = (message.location or {}).get("url") or ""
        if urlsplit(url).path == "/favicon.ico":
            # Chromium asks for /favicon.ico by itself when a page names no icon, and the project
            # serves none (base.html has no <link rel="icon">): that 404 is the browser's, not a page's.
            return
        self.console_errors.append(
            f"{message.text} ({url or '?'}:{(message.location or {}).get('lineNumber')})"
        )

    def offsite(self, since=0):
        return [url for url in self.requests[since:] if _leaves_machine(url)]

    def assert_clean(self, *, new_only=False):
        """No request left 127.0.0.1 and nothing was logged as an error: since the start, or with
        ``new_only`` since the last check (the fixture's closing check after the test's own)."""
        requests, console, errors = self._checked if new_only else (0, 0, 0)
        self._checked = (len(self.requests), len(self.console_errors), len(self.page_errors))
        if not new_only:
            assert self.requests, "no request was recorded: the watcher is not attached"
        assert not self.offsite(requests), f"requests left 127.0.0.1: {self.offsite(requests)}"
        assert not self.console_errors[console:], f"console errors: {self.console_errors[console:]}"
        assert not self.page_errors[errors:], f"page errors: {self.page_errors[errors:]}"


def _leaves_machine(url):
    parts = urlsplit(url)
    if parts.scheme in NOT_NETWORK:
        return False
    return parts.hostname not in LOCAL_HOSTS


@pytest.fixture
def browser_context(playwright_driver, tmp_path, settings):
    """A Chromium with a fresh profile (user-data directory) for this test, watched throughout."""
    # The live server speaks plain HTTP: cookies marked Secure would not be sent back to it.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    context = playwright_driver.chromium.launch_persistent_context(
        str(tmp_path / "chromium-profile"),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
        accept_downloads=False,
        service_workers="block",
    )
    context.set_default_timeout(TIMEOUT_MS)
    watch = Watch()
    watch.attach(context)
    context.watch = watch
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.pages[0] if browser_context.pages else browser_context.new_page()
    yield page
    # Anything after the test's own final check (or all of it, if the test stopped before its
    # check) fails the test's teardown.
    browser_context.watch.assert_clean(new_only=True)


@pytest.fixture
def watch(browser_context):
    return browser_context.watch


@pytest.fixture
def shot(page, request, browser_artifacts):
    """``shot("scorecard")`` saves a full-page screenshot as test-artifacts/browser/<test>-NN-<name>.png;
    ``shot.path("x.pdf")`` names another artifact of this test. This test's old artifacts are removed."""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", request.node.name).strip("-")
    for old in browser_artifacts.glob(f"{stem}-*"):
        if old.is_file():
            old.unlink()
        else:
            shutil.rmtree(old)
    counter = iter(range(1, 100))

    def take(name, target=None):
        path = browser_artifacts / f"{stem}-{next(counter):02d}-{name}.png"
        if target is None:
            page.screenshot(path=str(path), full_page=True)
        else:
            target.screenshot(path=str(path))  # one element (a locator)
        return path

    take.path = lambda name: browser_artifacts / f"{stem}-{name}"
    return take


# -- the Mission Support screens' data -------------------------------------------------------------


@pytest.fixture
def reference(mission_user, supervisor, viewer):
    """The force's reference data and one user per role that works these screens. Each test
    commits its own rows (the live server's thread must see them), so each loads them."""
    from types import SimpleNamespace

    from django.utils import timezone

    from operations.models import Resource
    from operations.reference import reference_data_load

    reference_data_load()
    return SimpleNamespace(
        mission_user=mission_user, supervisor=supervisor, viewer=viewer, today=timezone.localdate(),
        osu=Resource.objects.get(code="OSU"),
    )  # fmt: skip


@pytest.fixture
def warrant_in_progress(reference):
    """A firearms warrant mission on OSU, in progress: made through the services by Mission Support
    from a request received two hours ago."""
    from datetime import timedelta

    from django.utils import timezone

    from tasking.models import Mission, RequestKind
    from tests.tasking.factories import mission_make

    return mission_make(
        reference.mission_user, Mission.State.IN_PROGRESS, kind=RequestKind.WARRANT_FIREARMS,
        subject_reference="N445566", location="14 Cherry Lane, Stechford",
        received_at=timezone.now() - timedelta(hours=2),
    )  # fmt: skip


@pytest.fixture
def hot_grid(reference):
    """A BE Guardian hot grid whose daily window opens when the tasking period starts, so the
    current period always holds one patrol of it, due within 24 hours."""
    from django.conf import settings

    from tests.tasking.patrol_helpers import grid_make, window

    start = settings.TASKING_PERIOD_START_HOUR
    return grid_make(
        reference.supervisor, "HG-BROWSER", area="BE", operation="GUARDIAN", name="Stechford Parade",
        windows=[window(f"{start:02d}:00", f"{(start + 2) % 24:02d}:00")],
    )  # fmt: skip


# -- the dashboards' data --------------------------------------------------------------------------


@pytest.fixture
def dashboard_data(supervisor):
    """The force's reference data and a supervisor (tests/conftest.py's, password ``pw-supervisor``)
    with a desk that completes missions through the services. Each test commits its own rows."""
    from types import SimpleNamespace

    from django.utils import timezone

    from operations.models import Area
    from operations.reference import reference_data_load
    from tests.performance.conftest import Desk

    reference_data_load()
    return SimpleNamespace(
        supervisor=supervisor, desk=Desk(supervisor), today=timezone.localdate(),
        force=Area.objects.get(kind=Area.Kind.FORCE),
    )  # fmt: skip


@pytest.fixture
def missions_today(dashboard_data):
    """Two arrest missions completed today through the tasking services, both by OSU: one in BE
    with 2 arrests, one in BW with 3. Each service call commits and drains its indicator values."""
    from .dashboard_helpers import arrests_this_month

    dashboard_data.desk.complete(area="BE", arrests=2)
    dashboard_data.desk.complete(area="BW", arrests=3)
    assert arrests_this_month(dashboard_data.force) == 5, (
        "the outcomes were not drained into indicator values"
    )
    return dashboard_data


@pytest.fixture
def burglaries(dashboard_data):
    """BURGLARIES_PER_MONTH burglaries in BW in each of the 15 months before this one, imported as
    data.police.uk street-level rows through the crime import service."""
    from django.utils import timezone

    from performance import periods
    from tests.performance.conftest import BW_LSOA, import_crimes, police_uk_row

    from .dashboard_helpers import BURGLARIES_PER_MONTH

    this_month = periods.start_of(periods.MONTH, timezone.localdate())
    rows = []
    for back, count in enumerate(reversed(BURGLARIES_PER_MONTH), start=1):
        month = periods.add_months(this_month, -back)
        rows += [police_uk_row(f"{month:%Y-%m}", "Burglary", BW_LSOA) for _ in range(count)]
    import_crimes(*rows)
    return dashboard_data


@pytest.fixture
def trm_meeting(dashboard_data):
    """Today's TRM meeting, opened through the tasking services with two attendees."""
    from tasking import services

    return services.trm_meeting_open(
        actor=dashboard_data.supervisor, date=dashboard_data.today,
        attendees="Supt Example (chair)\nInsp Example",
    )  # fmt: skip
