"""An outcome logged through the API reaches the stored indicator values."""

from decimal import Decimal

import pytest

from operations.models import Area, Operation
from performance.models import DirtyBucket, Indicator, IndicatorValue
from performance.reconcile import indicators_reconcile

pytestmark = pytest.mark.django_db


def _value(code, area, kind, operation_key=0):
    return IndicatorValue.objects.filter(
        indicator__code=code, area__code=area, period_kind=kind, operation_key=operation_key
    ).values_list("value", flat=True)


def test_an_outcome_logged_through_the_api_updates_the_indicators(
    api, mission_user, reference_data, django_capture_on_commit_callbacks
):
    client = api.as_user(mission_user)
    vibrant = Operation.objects.get(code="VIBRANT")
    with django_capture_on_commit_callbacks(execute=True):
        request = client.post(
            "/api/requests/",
            {"kind": "vibrant_arrest", "area": "BE", "operation": "VIBRANT", "requested_by": "PC 1"},
        ).json()
        mission = client.post(
            f"/api/requests/{request['id']}/assess/",
            {"threat": 3, "threat_rationale": "x", "risk": 3, "risk_rationale": "x", "harm": 3,
             "harm_rationale": "x", "decision": "approve"},
        ).json()["mission"]  # fmt: skip
        client.post(f"/api/missions/{mission}/allocate/", {"resource": "OSU"})
        client.post(f"/api/missions/{mission}/start/", {})
        response = client.post(f"/api/missions/{mission}/outcome/", {"result": "arrested", "arrests": 2})
        assert response.status_code == 200
    assert list(_value("mission_arrests", "BE", "day")) == [Decimal(2)]
    assert list(_value("mission_arrests", "WMP", "month")) == [Decimal(2)]
    assert list(_value("mission_arrests", "WMP", "rolling_12", vibrant.pk)) != []
    assert list(_value("missions_completed", "BE", "year")) == [Decimal(1)]
    assert list(_value("mission_completion_rate", "WMP", "day")) == [Decimal(100)]
    assert not DirtyBucket.objects.exists()
    report = indicators_reconcile(repair=False)
    assert report["differences"] == [], report["differences"][:5]
    assert Indicator.objects.filter(code="recorded_crime").exists()
    assert Area.objects.get(code="WMP")
