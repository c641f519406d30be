"""The Mission Support screens through the test client: every screen renders for each role and
sends anonymous users to log in, threat items are raised and edited, and the list pages take a
bounded number of queries.

Test data is made with the tasking services, as the application itself would make it.
"""

import re

import pytest
from django.utils import timezone

from operations.models import Area
from tasking import services
from tasking.models import ThreatItem

from .factories import (
    allocated,
    approved,
    html,
    in_progress,
    receive,
    signed_in,
)

pytestmark = pytest.mark.django_db


# -- every screen, every role ---------------------------------------------------------------------


@pytest.fixture
def screens(mission_user, supervisor, reference_data):
    """One of everything, and the URL of each screen."""
    waiting = receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")
    mission = in_progress(mission_user)
    meeting = services.trm_meeting_open(actor=mission_user, date=timezone.localdate())
    item = services.threat_item_save(
        actor=mission_user, category="firearms", area=Area.objects.get(code="BW"), title="Shots fired series",
        owner="DI Khan", risk_rating="high",
    )  # fmt: skip
    return {
        "triage": "/requests/",
        "request form": "/requests/new/",
        "request detail": f"/requests/{waiting.pk}/",
        "assessment": f"/requests/{waiting.pk}/assess/",
        "missions": "/missions/",
        "mission detail": f"/missions/{mission.pk}/",
        "allocate": f"/missions/{mission.pk}/allocate/",
        "outcome": f"/missions/{mission.pk}/outcome/",
        "allocation board": "/allocation/",
        "trm list": "/trm/",
        "trm meeting": f"/trm/{meeting.date.isoformat()}/",
        "threat items": "/threat-items/",
        "threat form": "/threat-items/new/",
        "threat edit": f"/threat-items/{item.pk}/edit/",
    }


def test_every_screen_renders_for_a_viewer_without_action_forms(client, viewer, screens):
    signed_in(client, viewer)
    for name, url in screens.items():
        response = client.get(url)
        assert response.status_code == 200, name
        page = html(response)
        assert 'method="post" action="/logout/"' in page, name
        forms = re.findall(r'<form method="post"', page)
        assert len(forms) == 1, f"{name}: a viewer should see no action form"


@pytest.mark.parametrize("user_fixture", ["mission_user", "supervisor", "administrator"])
def test_every_screen_renders_for_the_roles_that_write(client, request, screens, user_fixture):
    signed_in(client, request.getfixturevalue(user_fixture))
    for name, url in screens.items():
        assert client.get(url).status_code == 200, name


def test_anonymous_users_are_sent_to_the_login_page(client, screens):
    for url in screens.values():
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith("/login/?next=")


def test_the_missions_navigation_item_leads_to_the_triage_queue(client, viewer):
    page = html(signed_in(client, viewer).get("/"))
    assert '<a href="/requests/"' in page
    assert '<a href="/trm/"' in page


# -- threat items ---------------------------------------------------------------------------------


def test_threat_items_are_raised_and_edited_through_the_form(client, mission_user, reference_data):
    bw = Area.objects.get(code="BW")
    signed_in(client, mission_user)
    data = {
        "title": "Catalytic converter thefts", "category": "acquisitive", "area": bw.pk,
        "risk_rating": "medium", "owner": "Insp Bell", "description": "", "actions": "", "status": "open",
    }  # fmt: skip

    created = client.post("/threat-items/new/", data)
    item = ThreatItem.objects.get()
    assert created.status_code == 302
    assert item.raised_by == mission_user

    edited = client.post(
        f"/threat-items/{item.pk}/edit/", {**data, "risk_rating": "high", "actions": "Plate readers."}
    )
    assert edited.status_code == 302
    item.refresh_from_db()
    assert (item.risk_rating, item.actions) == ("high", "Plate readers.")
    assert "Catalytic converter thefts" in html(client.get("/threat-items/"))

    invalid = client.post("/threat-items/new/", {**data, "title": ""})
    assert invalid.status_code == 200
    assert ThreatItem.objects.count() == 1


# -- bounded queries ------------------------------------------------------------------------------


@pytest.fixture
def busy_day(mission_user, reference_data):
    """Thirty missions across resources and states, and thirty requests waiting."""
    codes = ["OSU", "FS", "FR"]
    for n in range(30):
        mission = allocated(mission_user, resource=codes[n % 3], area=["BE", "BW", "CV"][n % 3])
        if n % 3 == 0:
            services.mission_start(actor=mission_user, mission=mission)
        if n % 5 == 0:
            approved(mission_user)
        receive(mission_user, kind="forensic_arrest", offence_group="residential-burglary")


@pytest.mark.parametrize(
    ("url", "most"),
    [
        ("/requests/", 15),
        ("/requests/?kind=forensic_arrest&area=BE", 15),
        ("/missions/", 15),
        ("/missions/?state=in_progress&resource=OSU", 15),
        ("/allocation/", 15),
    ],
)
def test_list_pages_use_a_bounded_number_of_queries(
    client, mission_user, busy_day, django_assert_max_num_queries, url, most
):
    signed_in(client, mission_user)
    with django_assert_max_num_queries(most):
        response = client.get(url)
    assert response.status_code == 200
    assert html(response).count("<tr") > 10
