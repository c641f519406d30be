"""The today page (/dashboards/today/): today's period and the open work only, in the same number
of queries however long the history behind it, with each figure equal to the rows it links to."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations.models import Area
from tasking import services

from .conftest import local

NOW = local(2026, 10, 20, 12, 0)  # in the tasking period of Tue 20 Oct


@pytest.fixture
def now(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


def history(desk, time_machine, days):
    """On each of the ``days`` days before today: a mission completed, one cancelled and one not
    completed (still open, its deadline long past), and a request rejected."""
    for back in range(days, 0, -1):
        time_machine.move_to(NOW - timedelta(days=back), tick=False)
        due = {"due_by": NOW - timedelta(days=back, hours=-4)}
        done = desk.mission(**due)
        desk.allocate(done, resource="FS")
        desk.start(done)
        desk.outcome(done)
        desk.cancel(desk.mission(**due))
        desk.not_complete(desk.allocate(desk.mission(**due), resource="FS"))
        rejected = services.request_receive(
            actor=desk.actor, kind="npu_arrest", area=Area.objects.get(code="BE"), requested_by="PC 3",
            **due,
        )  # fmt: skip
        services.request_assess(
            actor=desk.actor, request=rejected, threat=1, threat_rationale="-", risk=1, risk_rationale="-",
            harm=1, harm_rationale="-", decision="reject", rejection_reason="not for us",
        )  # fmt: skip
    time_machine.move_to(NOW, tick=False)


def today(desk, n):
    """``n`` missions allocated to OSU today and ``n`` started by FR, ``n`` approved and pending with
    a deadline in two hours (at risk), and ``n`` requests awaiting assessment, one hour overdue."""
    for _ in range(n):
        desk.allocate(desk.mission(), resource="OSU")
        desk.start(desk.allocate(desk.mission(), resource="FR"))
        desk.mission(due_by=NOW + timedelta(hours=2))
        services.request_receive(
            actor=desk.actor, kind="npu_arrest", area=Area.objects.get(code="CV"), requested_by="PC 2",
            received_at=NOW - timedelta(hours=3), due_by=NOW - timedelta(hours=1),
        )  # fmt: skip


def page(client):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("performance:today"))
    assert response.status_code == 200
    return response.content.decode(), len(captured)


def figure(html, text):
    """The number and drill-down link of the headline figure whose hidden label ends with ``text``."""
    match = re.search(
        r'<a href="([^"]+)"><span aria-hidden="true">(\d+)</span><span class="visually-hidden">\d+ '
        + re.escape(text),
        html,
    )
    assert match, f"no figure for {text!r}"
    return int(match[2]), match[1].replace("&amp;", "&")


def rows_count(client, url):
    return int(re.search(r"<p><strong>(\d+)</strong>", client.get(url).content.decode())[1])


def test_the_page_uses_the_same_bounded_number_of_queries_for_a_short_and_a_long_history(
    client, viewer, desk, now, time_machine, django_assert_max_num_queries
):
    history(desk, time_machine, 1)
    today(desk, 1)
    client.force_login(viewer)
    with django_assert_max_num_queries(20):
        _, short = page(client)

    history(desk, time_machine, 6)  # six more days behind today, and more of today
    today(desk, 3)
    with django_assert_max_num_queries(20):
        html, long = page(client)

    assert long == short
    assert "4 allocated for OSU — show rows" in html and "4 in progress for FR — show rows" in html


def test_the_deadline_figures_count_the_open_requests_only_and_equal_their_rows(
    client, viewer, desk, now, time_machine
):
    history(desk, time_machine, 3)  # 3 open and overdue; the completed, cancelled, rejected are not
    today(desk, 2)  # 2 at risk, and 2 awaiting assessment and overdue
    client.force_login(viewer)
    html, _ = page(client)

    at_risk, at_risk_url = figure(html, "open requests due within 6 hours")
    overdue, overdue_url = figure(html, "open requests past their deadline")
    pending, pending_url = figure(html, "missions pending allocation")
    assert (at_risk, overdue, pending) == (2, 5, 2)
    assert rows_count(client, at_risk_url) == at_risk
    assert rows_count(client, overdue_url) == overdue
    assert rows_count(client, pending_url) == pending


def test_the_matrix_counts_todays_period_only(client, viewer, desk, now, time_machine):
    history(desk, time_machine, 2)  # FS's missions are all in earlier periods
    today(desk, 1)
    client.force_login(viewer)
    html, _ = page(client)

    assert "1 allocated for OSU — show rows" in html and "1 in progress for FR — show rows" in html
    assert "for FS — show rows" not in html
    assert "2 missions in today's period — show rows" in html
