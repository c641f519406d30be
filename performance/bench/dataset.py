"""A large, realistic history generated fast: rows are made in Python from ``random.Random(seed)``
and streamed into PostgreSQL with ``COPY … FROM STDIN`` (psycopg 3), never through the ORM per row.

Per mission: a request, the mission, its transitions (pending → allocated → in progress →
completed / not completed, or pending → cancelled) and, when completed, its outcome. Also hot grids
with a daily patrol window, the scheduled patrols and visits, and a year of police.uk-style crimes.
Missions follow a weekly rhythm and a gentle growth over 5 years, NPUs by population, kinds and
results in the proportions the papers describe (curfew breaches about 16 %, most warrants with
finds). ``pool`` missions are left in progress today for the API benchmark to complete.
"""

import io
import time
from datetime import timedelta
from random import Random

from django.utils import timezone

from .copy_sink import (
    TABLES,
    Counts,
    Sink,
    day_bounds,
    next_ids,
    reset_sequences,
    ts,
    vacuum_analyze,
)
from .dataset_missions import missions_write, pool_write
from .dataset_places import crimes_write, patrols_write

YEARS = 5


def dataset_generate(*, missions, seed=20260101, pool=0, grids=None, crimes=None, threaded=True, log=None):
    """Generate ``missions`` missions of history over 5 years (ending two days ago), ``pool`` more in
    progress today, patrols and a year of crimes. Reference data must be loaded. Returns Counts."""
    from operations.models import Area, OffenceGroup, Operation, Resource

    log = log or (lambda message: None)
    started = time.monotonic()
    rng = Random(seed)  # noqa: S311
    counts = Counts()
    npus = list(Area.objects.filter(kind=Area.Kind.NPU).values_list("pk", "code", "population"))
    operations = dict(Operation.objects.values_list("code", "pk"))
    resources = list(Resource.objects.values_list("pk", "code"))
    npu_team = {code[4:]: pk for pk, code in resources if code.startswith("NPU-")}
    central = [pk for pk, code in resources if not code.startswith("NPU-")]
    actor_id = _bench_actor_id()
    today = timezone.localdate()
    first = today - timedelta(days=YEARS * 365 + 1)
    last = today - timedelta(days=2)
    ids = next_ids()
    sink = Sink(threaded)
    try:
        period_ids = _periods(sink, ids, first, today + timedelta(days=1), counts)
        missions_write(
            sink,
            rng,
            ids,
            counts,
            missions,
            first,
            last,
            npus,
            operations,
            npu_team,
            central,
            period_ids,
            actor_id,
        )
        log(f"  missions generated in {time.monotonic() - started:.0f} s")
        if pool:
            pool_write(sink, rng, ids, counts, pool, npus, operations, npu_team, period_ids, actor_id)
        scale = missions / 1_000_000
        grids = grids if grids is not None else max(4, min(48, round(48 * scale * 4)))
        patrols_write(sink, rng, ids, counts, grids, first, last, npus, operations, npu_team, period_ids)
        groups = dict(OffenceGroup.objects.filter(parent=None).values_list("police_uk_crime_type", "pk"))
        crimes_write(
            sink,
            rng,
            ids,
            counts,
            crimes if crimes is not None else max(500, round(300_000 * scale)),
            today,
            npus,
            groups,
        )
    finally:
        sink.close()
    reset_sequences()
    vacuum_analyze(TABLES.values())
    counts.seconds = time.monotonic() - started
    return counts


def _bench_actor_id():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-history")
    return user.pk


def _periods(sink, ids, first, last, counts):
    from tasking.models import TaskingPeriod

    existing = dict(TaskingPeriod.objects.values_list("day", "pk"))
    out, buf, day = {}, io.StringIO(), first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        if day in existing:
            out[day] = existing[day]
        else:
            _, start = day_bounds(day)
            _, end = day_bounds(day + timedelta(days=1))
            out[day] = ids["period"]
            buf.write(f"{ids['period']}\t{day.isoformat()}\t{ts(start)}\t{ts(end)}\n")
            ids["period"] += 1
            counts.add("periods", 1)
        day += timedelta(days=1)
    sink.write("period", buf.getvalue())
    return out


def history_day_range():
    today = timezone.localdate()
    return today - timedelta(days=YEARS * 365 + 1), today - timedelta(days=2)


__all__ = ["Counts", "dataset_generate", "history_day_range"]


def bench_users():
    """The API client (Mission Support, with a token) and a Supervisor for the dashboards."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from operations.roles import Role

    users = {}
    for username, role in (("bench-mission", Role.MISSION_SUPPORT), ("bench-supervisor", Role.SUPERVISOR)):
        user, _ = get_user_model().objects.get_or_create(username=username)
        user.groups.add(Group.objects.get(name=role.label))
        users[username] = user
    token, _ = Token.objects.get_or_create(user=users["bench-mission"])
    return token.key, users["bench-mission"], users["bench-supervisor"]
