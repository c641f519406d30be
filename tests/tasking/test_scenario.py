"""One whole 24-hour tasking cycle, as Mission Support and their Supervisor live it.

Evening of Monday 13 July 2026: five requests arrive. Early on Tuesday 14th they are assessed (a
Supervisor rejects one). At 07:30 the TRM meeting for Tuesday opens and the four missions are
allocated to four resources for Tuesday's period; through the day three are completed (an arrest,
a drugs warrant with finds, a curfew check that finds a breach) and one is not. At 07:30 on
Wednesday the next TRM meeting reviews Tuesday: the missed mission is carried over into
Wednesday's period, the breach's follow-up arrest request is waiting for assessment, decisions are
recorded and the meeting is closed.
"""

from collections import Counter
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from operations.models import Area, Event, Operation, Resource
from tasking import services
from tasking.models import Mission, Outcome, Request, TrmDecision, TrmMeeting

from .factories import SCORES, reference_data_once  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data_once")]

LONDON = ZoneInfo("Europe/London")
MONDAY, TUESDAY, WEDNESDAY = date(2026, 7, 13), date(2026, 7, 14), date(2026, 7, 15)


@contextmanager
def clock(day, hour, minute=0):
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)
    with time_machine.travel(moment, tick=False):
        yield moment


def ok(response, status=200):
    assert response.status_code == status, response.json()
    return response.json()


def test_a_whole_tasking_cycle_from_requests_to_the_next_days_trm_review(api, mission_user, supervisor):
    def as_ms():
        return api.as_user(mission_user)

    def as_sup():
        return api.as_user(supervisor)

    # Monday evening: requests come in through the API.
    arrivals = {
        "forensic": (20, {"kind": "forensic_arrest", "forensic_hit": "dna", "area": "BE",
                          "offence_group": "residential-burglary", "subject_reference": "N1000001",
                          "requested_by": "DC Smith, BE CID"}),
        "warrant": (20, {"kind": "warrant_drugs", "area": "CV", "operation": "GUARDIAN",
                         "offence_group": "drug-trafficking", "location": "14 Foleshill Rd, Coventry",
                         "requested_by": "DS Evans, CV Proactive"}),
        "curfew": (21, {"kind": "curfew_check", "area": "WV", "subject_reference": "N1000003",
                        "location": "3 Mill St, Wolverhampton", "requested_by": "IOM, WV"}),
        "vibrant": (22, {"kind": "vibrant_arrest", "area": "BW", "operation": "VIBRANT",
                         "subject_reference": "N1000004", "requested_by": "PS Ali, BW NPU"}),
        "patrol": (23, {"kind": "patrol_support", "area": "SH", "requested_by": "Solihull NPU"}),
    }  # fmt: skip
    target = services.operation_target_save(
        actor=mission_user, operation=Operation.objects.get(code="VIBRANT"),
        area=Area.objects.get(code="BW"), subject_reference="N1000004", rank=1,
        reason="Top-10 outstanding robbery suspect.",
    )  # fmt: skip
    requests = {}
    for name, (hour, body) in arrivals.items():
        with clock(MONDAY, hour):
            requests[name] = ok(as_ms().post("/api/requests/", body), 201)["id"]
    assert ok(as_ms().get("/api/requests/?state=received"))["count"] == 5

    # Tuesday early: assessment. Four approved; the Supervisor rejects the patrol request.
    missions = {}
    with clock(TUESDAY, 6, 30):
        for name in ("forensic", "warrant", "curfew", "vibrant"):
            body = ok(
                as_ms().post(f"/api/requests/{requests[name]}/assess/", {**SCORES, "decision": "approve"})
            )
            missions[name] = body["mission"]
        rejected = ok(
            as_sup().post(
                f"/api/requests/{requests['patrol']}/assess/",
                {**SCORES, "decision": "reject", "rejection_reason": "Business as usual for the NPU."},
            )
        )
    assert rejected["state"] == "rejected" and rejected["mission"] is None

    # 07:30 Tuesday: the TRM meeting for Tuesday opens and allocates the day's missions.
    allocation = {"forensic": "OSU", "warrant": "FS", "curfew": "NPU-WV", "vibrant": "GTF"}
    with clock(TUESDAY, 7, 30):
        tuesday_meeting = ok(as_ms().post("/api/trm-meetings/", {"date": TUESDAY.isoformat()}), 201)
        for name, resource in allocation.items():
            body = ok(
                as_ms().post(
                    f"/api/missions/{missions[name]}/allocate/", {"resource": resource, "version": 1}
                )
            )
            assert (body["resource"], body["period"], body["version"]) == (resource, TUESDAY.isoformat(), 2)
        ok(
            as_ms().post(
                f"/api/trm-meetings/{tuesday_meeting['id']}/decisions/",
                {
                    "kind": "divert",
                    "text": "GTF to prioritise Vibrant arrests in BW.",
                    "mission": missions["vibrant"],
                },
            ),
            201,
        )
    with clock(TUESDAY, 8):
        ok(as_sup().post(f"/api/trm-meetings/{tuesday_meeting['id']}/close/"))

    # Through Tuesday: the missions are carried out.
    def work(name, start, finish, action, body):
        with clock(TUESDAY, *start):
            ok(as_ms().post(f"/api/missions/{missions[name]}/start/", {"version": 2}))
        with clock(TUESDAY, *finish):
            return ok(as_ms().post(f"/api/missions/{missions[name]}/{action}/", {**body, "version": 3}))

    work(
        "forensic", (9, 0), (11, 0), "outcome", {"result": "arrested", "arrests": 1, "home_office_outcome": 1}
    )
    work("warrant", (14, 0), (15, 30), "outcome", {
        "result": "warrant_finds", "arrests": 2, "drugs_class_a_grams": "120.00", "cash_gbp": "2500.00",
    })  # fmt: skip
    work("vibrant", (16, 0), (18, 0), "not-completed", {"reason": "Subject not at the address; intel stale."})
    work(
        "curfew", (23, 0), (23, 15), "outcome", {"result": "curfew_breached", "notes": "No answer at 23:10."}
    )

    # 07:30 Wednesday: the next TRM meeting reviews Tuesday.
    with clock(WEDNESDAY, 7, 30):
        wednesday_meeting = ok(as_ms().post("/api/trm-meetings/", {"date": WEDNESDAY.isoformat()}), 201)
        tuesday_missions = ok(as_ms().get(f"/api/missions/?period={TUESDAY.isoformat()}"))["results"]
        not_completed = [m for m in tuesday_missions if m["state"] == "not_completed"]
        awaiting = ok(as_ms().get("/api/requests/?state=received"))["results"]
    assert [m["id"] for m in not_completed] == [missions["vibrant"]]
    assert not_completed[0]["state_reason"] == "Subject not at the address; intel stale."
    (follow_up,) = awaiting
    assert (follow_up["kind"], follow_up["follow_up_of"], follow_up["area"]) == (
        "npu_arrest",
        missions["curfew"],
        "WV",
    )

    with clock(WEDNESDAY, 7, 40):
        services.trm_mission_carry_over(
            actor=mission_user, meeting=TrmMeeting.objects.get(pk=wednesday_meeting["id"]),
            mission=Mission.objects.get(pk=missions["vibrant"]), resource=Resource.objects.get(code="GTF"),
            reason="Carry the Vibrant arrest over to GTF tonight.",
        )  # fmt: skip
        ok(
            as_ms().post(
                f"/api/trm-meetings/{wednesday_meeting['id']}/decisions/",
                {"kind": "other", "text": "Assess the curfew breach follow-up first thing."},
            ),
            201,
        )
    with clock(WEDNESDAY, 8):
        closed = ok(as_sup().post(f"/api/trm-meetings/{wednesday_meeting['id']}/close/"))

    # The end state, precisely.
    assert dict(Counter(Request.objects.values_list("state", flat=True))) == {
        "approved": 4, "rejected": 1, "received": 1,
    }  # fmt: skip
    state = {
        name: Mission.objects.select_related("resource", "period").get(pk=pk) for name, pk in missions.items()
    }
    assert {name: (m.state, m.resource.code, m.period.day, m.carry_overs) for name, m in state.items()} == {
        "forensic": ("completed", "OSU", TUESDAY, 0),
        "warrant": ("completed", "FS", TUESDAY, 0),
        "curfew": ("completed", "NPU-WV", TUESDAY, 0),
        "vibrant": ("allocated", "GTF", WEDNESDAY, 1),
    }
    assert Mission.objects.count() == 4
    assert [row.to_state for row in state["vibrant"].history.order_by("at", "id")] == [
        "pending", "allocated", "in_progress", "not_completed", "allocated",
    ]  # fmt: skip
    outcomes = {o.mission_id: o for o in Outcome.objects.all()}
    assert {pk: o.result for pk, o in outcomes.items()} == {
        missions["forensic"]: "arrested", missions["warrant"]: "warrant_finds",
        missions["curfew"]: "curfew_breached",
    }  # fmt: skip
    assert outcomes[missions["warrant"]].cash_gbp == 2500
    assert outcomes[missions["curfew"]].completed_at == datetime(2026, 7, 14, 23, 15, tzinfo=LONDON)
    breach_follow_up = Request.objects.get(pk=follow_up["id"])
    assert breach_follow_up.received_at == outcomes[missions["curfew"]].completed_at
    assert breach_follow_up.follow_up_of_id == missions["curfew"]
    target.refresh_from_db()
    assert target.status == "outstanding"  # the Vibrant arrest has not happened yet

    tuesday = services.period_for_day(TUESDAY)
    assert tuesday.hours == 24
    usage = {
        resource.code: used
        for resource, used, _ in services.resource_usage(
            tuesday, Resource.objects.filter(code__in=allocation.values())
        )
    }
    assert usage == {"OSU": 1, "FS": 1, "NPU-WV": 1, "GTF": 0}  # the carried-over mission left Tuesday

    meetings = {m.date: m for m in TrmMeeting.objects.all()}
    assert {day: (m.status, m.period.day) for day, m in meetings.items()} == {
        TUESDAY: ("closed", TUESDAY), WEDNESDAY: ("closed", WEDNESDAY),
    }  # fmt: skip
    assert closed["status"] == "closed"
    assert [(d.kind, d.mission_id) for d in TrmDecision.objects.filter(meeting=meetings[WEDNESDAY])] == [
        ("carry_over", missions["vibrant"]), ("other", None),
    ]  # fmt: skip
    assert [d.kind for d in TrmDecision.objects.filter(meeting=meetings[TUESDAY])] == ["divert"]

    assert dict(Counter(Event.objects.values_list("type", flat=True))) == {
        "request.received": 6,
        "request.assessed": 5,
        "mission.allocated": 5,
        "mission.started": 4,
        "mission.outcome_logged": 3,
        "mission.not_completed": 1,
    }
