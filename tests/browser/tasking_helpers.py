"""What the real-browser tests of the Mission Support screens share (their data fixtures are in the
conftest): signing in, reading a page's messages and field errors, posting from inside a page, and
reading back the rows and audit entries the services wrote."""

import re
from datetime import timedelta

from django.utils import timezone

from operations.models import Area, AuditEntry
from tasking.models import RequestKind
from tests.tasking.factories import footprint

# tests/conftest.py's users: the password is "pw-" + the username.
HOME = {"mission": "/", "viewer": "/", "supervisor": "/dashboards/"}
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"  # what a datetime-local input takes


def log_in(page, base, username):
    """Through the sign-in form, as a person would: type, press Enter, land on the role's home."""
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(f"pw-{username}")
    page.get_by_label("Password").press("Enter")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}{re.escape(HOME[username])}$"))


def message(page):
    """The flash messages shown at the top of the page."""
    return page.get_by_role("main").get_by_role("status").first


def field_error(page, label):
    """The error written next to the field labelled ``label`` (an optional field's label ends with
    "(optional)"), inside the same field block."""
    name = re.compile(rf"^{re.escape(label)}( \(optional\))?$")
    return page.locator(".field--error", has=page.get_by_label(name)).locator(".errorlist")


def error_summary(page):
    """The "There is a problem" box a refused form shows at the top."""
    return page.get_by_role("alert").filter(has=page.get_by_role("heading", name="There is a problem"))


def expected_refusal(watch, url):
    """Chromium logs every 403 document as a console error. The refusal a test provoked on purpose is
    taken off the watcher's list (exactly once), so any other console error still fails the test."""
    refused = f"Failed to load resource: the server responded with a status of 403 (Forbidden) ({url}:0)"
    assert watch.console_errors.count(refused) == 1, watch.console_errors
    watch.console_errors.remove(refused)


def post_from_page(page, action, fields):
    """Post ``fields`` to ``action`` from the open page, as a form built in it would (the page's own
    CSRF token included); returns the response the browser navigated to."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    with page.expect_navigation() as navigation:
        page.evaluate(
            """([action, fields]) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = action;
                for (const [name, value] of Object.entries(fields)) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.append(input);
                }
                document.body.append(form);
                form.submit();
            }""",
            [action, {"csrfmiddlewaretoken": token, **fields}],
        )
    return navigation.value


def outcome_fields(mission):
    """A complete, valid outcome for an in-progress warrant mission, as the outcome form posts it."""
    return {
        "version": str(mission.version), "result": "warrant_no_finds", "arrests": "0",
        "completed_at": local_minute(timezone.now()).strftime(DATETIME_LOCAL),
    }  # fmt: skip


def state_of(mission):
    """footprint() less its audit count: opening a page that shows a subject's data is itself
    audited (a view), so changes to the trail are checked with ``audit_trail``."""
    rows = footprint(mission)
    rows.pop("audit")
    return rows


def audit_trail(user, since=0):
    """(object type, action, state or status change) of each change the user made, oldest first;
    views of personal data, which are audited too, are left out."""
    entries = (
        AuditEntry.objects.filter(actor=user, pk__gt=since)
        .exclude(action=AuditEntry.Action.VIEW)
        .order_by("pk")
    )
    return [
        (e.object_type, e.action, tuple(e.changes.get("state") or e.changes.get("status") or ()))
        for e in entries
    ]


def local_minute(moment):
    """A datetime as a datetime-local input shows it: Europe/London, to the minute."""
    return timezone.localtime(moment).replace(second=0, microsecond=0)


def fill_bad_forensic_request(page, base):
    """A forensic-hit arrest with three mistakes: no hit named, a latitude without its longitude,
    and a deadline an hour before the time received."""
    page.goto(f"{base}/requests/new/")
    received = local_minute(timezone.now())
    page.get_by_label("Kind").select_option(label=RequestKind.FORENSIC_ARREST.label)
    page.get_by_label("Source NPU").select_option(label=str(Area.objects.get(code="BW")))
    page.get_by_label("Requested by").fill("DC 881 Jones")
    page.get_by_label("Latitude").fill("52.48")
    page.get_by_label("Received at").fill(received.strftime(DATETIME_LOCAL))
    page.get_by_label("Due by").fill((received - timedelta(hours=1)).strftime(DATETIME_LOCAL))
    page.get_by_role("button", name="Save request", exact=True).click()
    page.wait_for_load_state()
