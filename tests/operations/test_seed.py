"""The seeding commands: reference data, demo users and periodic schedules, all idempotent."""

import re
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.http import HttpRequest
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from operations.models import Area, AuditEntry, OffenceGroup, Operation, Resource

pytestmark = pytest.mark.django_db

NPU_CODES = ["BE", "BW", "CV", "DY", "SH", "SW", "WS", "WV"]
FORCE_POPULATION_CENSUS_2021 = 2_919_662
POLICE_UK_GROUPS = {
    "anti-social-behaviour", "bicycle-theft", "burglary", "criminal-damage-arson", "drugs",
    "other-theft", "possession-of-weapons", "public-order", "robbery", "shoplifting",
    "theft-from-the-person", "vehicle-crime", "violent-crime", "other-crime",
}  # fmt: skip
FINER_GROUPS = {
    "violence-against-the-person": "violent-crime",
    "violence-with-injury": "violent-crime",
    "homicide": "violent-crime",
    "theft-from-motor-vehicle": "vehicle-crime",
    "theft-of-motor-vehicle": "vehicle-crime",
    "vehicle-interference": "vehicle-crime",
    "residential-burglary": "burglary",
    "personal-robbery": "robbery",
}
DEMO_ROLES = {
    "viewer": "Viewer",
    "mission": "Mission Support",
    "supervisor": "Supervisor",
    "admin": "Administrator",
}
PASSWORD_LINE = re.compile(r"Password for the new demo users: (\S+)")


def seed(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def row_counts():
    models = apps.get_app_config("operations").get_models()
    return {model._meta.label: model.objects.count() for model in models}


def test_seed_reference_creates_the_force_and_eight_npus_summing_to_the_census_population():
    seed("seed_reference")

    force = Area.objects.get(code="WMP")
    npus = Area.objects.filter(kind=Area.Kind.NPU)
    assert force.kind == Area.Kind.FORCE
    assert force.parent is None
    assert force.population == FORCE_POPULATION_CENSUS_2021
    assert force.population_year == 2021
    assert sorted(npus.values_list("code", flat=True)) == NPU_CODES
    assert {npu.parent_id for npu in npus} == {force.pk}
    assert sum(npu.population for npu in npus) == FORCE_POPULATION_CENSUS_2021
    assert all(npu.population > 0 for npu in npus)


def test_seed_reference_creates_the_named_operations():
    seed("seed_reference")

    codes = set(Operation.objects.values_list("code", flat=True))
    assert {"VIBRANT", "SCEPTRE", "GUARDIAN", "CAPTIVA", "SECLUSION", "HENHOUSE"} <= codes


def test_seed_reference_creates_exactly_the_fourteen_police_uk_groups_at_the_top():
    seed("seed_reference")

    top = set(OffenceGroup.objects.filter(parent__isnull=True).values_list("code", flat=True))
    assert top == POLICE_UK_GROUPS


def test_seed_reference_puts_finer_groups_under_their_police_uk_parent():
    seed("seed_reference")

    for code, parent in FINER_GROUPS.items():
        group = OffenceGroup.objects.get(code=code)
        assert group.parent.code == parent, code
    assert not OffenceGroup.objects.filter(parent__isnull=False, parent__parent__isnull=False).exists()


def test_seed_reference_creates_force_resources_and_a_team_per_npu():
    seed("seed_reference")

    codes = set(Resource.objects.values_list("code", flat=True))
    assert {"FS", "OSU", "CMPG", "FR"} <= codes
    for npu in NPU_CODES:
        team = Resource.objects.get(code=f"NPU-{npu}")
        assert team.kind == Resource.Kind.NPU_TEAM
        assert team.home_area.code == npu


def test_seed_reference_twice_changes_nothing():
    first = seed("seed_reference")
    counts = row_counts()
    audit_ids = set(AuditEntry.objects.values_list("pk", flat=True))

    second = seed("seed_reference")

    assert "Reference data created" in first
    assert "nothing to do" in second
    assert row_counts() == counts
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == audit_ids


def test_an_administrators_correction_to_a_seeded_row_survives_a_second_seed(api, administrator):
    seed("seed_reference")
    osu = Resource.objects.get(code="OSU")
    force = Area.objects.get(code="WMP")
    client = api.as_user(administrator)
    assert client.patch(f"/api/resources/{osu.pk}/", {"capacity_per_period": 3}).status_code == 200
    assert client.patch(f"/api/areas/{force.pk}/", {"name": "West Midlands Police force"}).status_code == 200

    seed("seed_reference")

    osu.refresh_from_db()
    force.refresh_from_db()
    assert osu.capacity_per_period == 3
    assert force.name == "West Midlands Police force"


def test_seed_demo_refuses_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = "a demo password"

    with pytest.raises(CommandError, match="DEBUG off"):
        seed("seed_demo", "--days", "1")

    assert not get_user_model().objects.filter(username__in=DEMO_ROLES).exists()


def test_seed_demo_with_force_runs_when_debug_is_off(settings):
    settings.DEBUG = False
    settings.DEMO_PASSWORD = "a demo password"

    seed("seed_demo", "--days", "1", "--force")

    assert get_user_model().objects.filter(username__in=DEMO_ROLES).count() == 4


def test_seed_demo_with_demo_password_creates_four_users_in_their_groups_who_can_sign_in(settings, client):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "correct horse battery"

    output = seed("seed_demo", "--days", "1")

    assert "correct horse battery" not in output
    for username, group in DEMO_ROLES.items():
        user = get_user_model().objects.get(username=username)
        assert list(user.groups.values_list("name", flat=True)) == [group]
        response = client.post("/login/", {"username": username, "password": "correct horse battery"})
        assert response.status_code == 302, username
        assert response.url == "/"
        client.post("/logout/")


def test_seed_demo_without_demo_password_prints_a_generated_password_only_once(settings, client):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = ""

    first = seed("seed_demo", "--days", "1")
    second = seed("seed_demo", "--days", "1")

    shown = PASSWORD_LINE.findall(first)
    assert len(shown) == 1
    password = shown[0]
    assert len(password) >= 12
    assert PASSWORD_LINE.search(second) is None
    assert password not in second
    for username in DEMO_ROLES:
        # django-axes checks every sign-in against its lockout, which needs a request.
        assert client.login(request=HttpRequest(), username=username, password=password), username


def test_setup_schedules_creates_the_outbox_sweep_once():
    seed("setup_schedules")
    seed("setup_schedules")

    task = PeriodicTask.objects.get(name="outbox sweep")
    assert PeriodicTask.objects.filter(name="outbox sweep").count() == 1
    assert task.task == "operations.tasks.sweep_outbox"
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (15, IntervalSchedule.SECONDS)


def test_setup_schedules_keeps_an_administrators_interval_and_enabled_flag(client, administrator):
    seed("setup_schedules")
    task = PeriodicTask.objects.get(name="outbox sweep")
    slower, _ = IntervalSchedule.objects.get_or_create(every=120, period=IntervalSchedule.SECONDS)
    client.force_login(administrator)
    change_url = f"/admin/django_celery_beat/periodictask/{task.pk}/change/"
    form = client.get(change_url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data.update(interval=slower.pk, _save="Save")
    del data["enabled"]  # an unticked checkbox is simply not posted
    response = client.post(change_url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors

    output = seed("setup_schedules")

    task.refresh_from_db()
    assert "already present" in output
    assert task.interval == slower
    assert task.enabled is False
    assert PeriodicTask.objects.filter(name="outbox sweep").count() == 1


def test_the_role_groups_survive_a_database_flush_so_seed_demo_still_works(settings):
    settings.DEBUG = True
    settings.DEMO_PASSWORD = "correct horse battery"

    call_command("flush", interactive=False, verbosity=0)
    seed("seed_demo", "--days", "1")

    for username, group in DEMO_ROLES.items():
        assert get_user_model().objects.get(username=username).groups.get().name == group
