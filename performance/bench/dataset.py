"""A large, realistic history generated fast: rows are made in Python from ``random.Random(seed)``
and streamed into PostgreSQL with ``COPY … FROM STDIN`` (psycopg 3), never through the ORM per row.

Per mission: a request, the mission, its transitions (pending → allocated → in progress →
completed / not completed, or pending → cancelled) and, when completed, its outcome. Also hot grids
with a daily patrol window, the scheduled patrols and visits, and a year of police.uk-style crimes.
Missions follow a weekly rhythm and a gentle growth over 5 years, NPUs by population, kinds and
results in the proportions the papers describe (curfew breaches about 16 %, most warrants with
finds). ``pool`` missions are left in progress today for the API benchmark to complete.
"""

import bisect
import io
import queue
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from random import Random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

LONDON = ZoneInfo("Europe/London")
HOUR = 3600.0
YEARS = 5
CHUNK = 20_000  # missions per COPY batch

# kind, share, operation code (None: sometimes a random operation), due hours
KINDS = [
    ("npu_arrest", 24, None, None),
    ("vibrant_arrest", 14, "VIBRANT", None),
    ("forensic_arrest", 10, None, 48),
    ("curfew_check", 16, None, 24),
    ("warrant_drugs", 8, None, None),
    ("warrant_firearms", 4, "CAPTIVA", None),
    ("warrant_other", 5, None, None),
    ("captiva_visit", 5, "CAPTIVA", None),
    ("weapons_sweep", 6, "SCEPTRE", None),
    ("patrol_support", 5, "GUARDIAN", None),
    ("other", 3, None, None),
]
OTHER_OPERATIONS = ["SCEPTRE", "GUARDIAN", "SECLUSION", "HENHOUSE", "CLTF", "VANGUARD"]
WEEKDAY_FACTOR = [1.1, 1.15, 1.15, 1.1, 1.05, 0.75, 0.7]
# police.uk crime type, share of recorded crime (West Midlands, roughly)
CRIME_TYPES = [
    ("Violence and sexual offences", 38),
    ("Anti-social behaviour", 8),
    ("Other theft", 8),
    ("Vehicle crime", 8),
    ("Public order", 8),
    ("Criminal damage and arson", 7),
    ("Shoplifting", 6),
    ("Burglary", 5),
    ("Robbery", 2.5),
    ("Drugs", 2.5),
    ("Other crime", 2.5),
    ("Theft from the person", 1.5),
    ("Possession of weapons", 1.2),
    ("Bicycle theft", 0.8),
]
LAST_OUTCOMES = [
    ("Investigation complete; no suspect identified", 40),
    ("Unable to prosecute suspect", 25),
    ("Under investigation", 12),
    ("Awaiting court outcome", 6),
    ("Offender given a caution", 3),
    ("Local resolution", 4),
    ("Offender sent to prison", 2),
    ("Offender fined", 2),
    ("Further investigation is not in the public interest", 6),
]
TABLES = {
    "request": "tasking_request",
    "mission": "tasking_mission",
    "transition": "tasking_missiontransition",
    "outcome": "tasking_outcome",
    "visit": "tasking_patrolvisit",
    "patrol": "tasking_scheduledpatrol",
    "crime": "operations_crimerecord",
    "period": "tasking_taskingperiod",
}
COLUMNS = {
    "request": "id, kind, state, forensic_hit, subject_reference, subject_name, location, intelligence_summary, "  # noqa: E501
    "requested_by, received_at, due_by, priority_score, grade, area_id, operation_id, created_by_id",
    "mission": "id, kind, due_by, state, version, carry_overs, state_reason, created_at, allocated_at, "
    "started_at, finished_at, area_id, operation_id, resource_id, request_id, period_id",
    "transition": "id, from_state, to_state, at, reason, details, actor_id, mission_id, area_id, "
    "operation_id, mission_kind",
    "outcome": "id, result, arrests, firearms, ammunition_rounds, knives_weapons, drugs_class_a_grams, "
    "drugs_class_b_grams, drugs_class_c_grams, cash_gbp, vehicles, other_finds, completed_at, logged_at, "
    "notes, logged_by_id, mission_id, area_id, operation_id, mission_kind",
    "visit": "id, officer_reference, arrived_at, left_at, dwell_minutes, source, logged_at, grid_id, "
    "resource_id",
    "patrol": "id, starts_at, ends_at, arrive_by, compliant_visit_id, grid_id, period_id, window_id",
    "crime": "id, key, crime_id, month, reported_by, falls_within, longitude, latitude, location, "
    "lsoa_code, lsoa_name, crime_type, last_outcome_category, context, source_file, line, area_id, "
    "offence_group_id",
    "period": "id, day, starts_at, ends_at",
}


def ts(epoch):
    return datetime.fromtimestamp(epoch, UTC).isoformat()


def weighted(rng, pairs):
    """A chooser over (value, weight) pairs: ``choose()`` → value."""
    values, weights = [p[0] for p in pairs], [p[1] for p in pairs]
    total, acc, cum = sum(weights), 0.0, []
    for weight in weights:
        acc += weight
        cum.append(acc / total)
    return lambda: values[min(bisect.bisect(cum, rng.random()), len(values) - 1)]


@dataclass
class Counts:
    rows: dict = field(default_factory=dict)
    seconds: float = 0.0

    def add(self, name, n):
        self.rows[name] = self.rows.get(name, 0) + n


class Sink:
    """Writes COPY batches: inline on Django's connection (inside the caller's transaction, as in
    tests), or from a background thread on its own connection so PostgreSQL ingests while Python
    generates the next batch (and, as a superuser, with FK triggers off: the generator is consistent)."""

    def __init__(self, threaded):
        self.threaded, self.error = threaded, None
        if threaded:
            self.jobs = queue.Queue(maxsize=3)
            self.thread = threading.Thread(target=self._run, daemon=True)
            self.thread.start()

    def write(self, name, text):
        if not text:
            return
        if not self.threaded:
            with connection.cursor() as cursor, cursor.cursor.copy(_copy_sql(name)) as copy:
                copy.write(text)
            return
        if self.error:
            raise self.error
        self.jobs.put((name, text))

    def close(self):
        if self.threaded:
            self.jobs.put(None)
            self.thread.join()
            if self.error:
                raise self.error

    def _run(self):
        import psycopg

        db = settings.DATABASES["default"]
        try:
            with psycopg.connect(
                dbname=db["NAME"],
                user=db["USER"],
                password=db["PASSWORD"] or None,
                host=db["HOST"] or None,
                port=db["PORT"] or None,
            ) as conn:
                if conn.execute("select rolsuper from pg_roles where rolname = current_user").fetchone()[0]:
                    conn.execute("set session_replication_role = replica")
                conn.execute("set synchronous_commit = off")
                while (job := self.jobs.get()) is not None:
                    with conn.cursor() as cursor, cursor.copy(_copy_sql(job[0])) as copy:
                        copy.write(job[1])
                    conn.commit()
        except Exception as exc:  # surfaced to the generator on its next write
            self.error = exc
            while self.jobs.get() is not None:
                pass


def _copy_sql(name):
    return f"COPY {TABLES[name]} ({COLUMNS[name]}) FROM STDIN"


def _next_ids():
    with connection.cursor() as cursor:
        out = {}
        for name, table in TABLES.items():
            cursor.execute(f"SELECT coalesce(max(id), 0) FROM {table}")  # noqa: S608 — fixed names
            out[name] = cursor.fetchone()[0] + 1
        return out


def _reset_sequences():
    with connection.cursor() as cursor:
        for table in TABLES.values():
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 — fixed names
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )


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
    ids = _next_ids()
    sink = Sink(threaded)
    try:
        period_ids = _periods(sink, ids, first, today + timedelta(days=1), counts)
        _missions(
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
            _pool(sink, rng, ids, counts, pool, npus, operations, npu_team, period_ids, actor_id)
        scale = missions / 1_000_000
        grids = grids if grids is not None else max(4, min(48, round(48 * scale * 4)))
        _patrols(sink, rng, ids, counts, grids, first, last, npus, operations, npu_team, period_ids)
        groups = dict(OffenceGroup.objects.filter(parent=None).values_list("police_uk_crime_type", "pk"))
        _crimes(
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
    _reset_sequences()
    vacuum_analyze(TABLES.values())
    counts.seconds = time.monotonic() - started
    return counts


def vacuum_analyze(tables):
    """VACUUM (ANALYZE) freshly loaded tables, as autovacuum would on a running server: fresh
    statistics for the planner, and a visibility map so that index-only scans need not visit the
    table (a server may run with autovacuum off, as this one's test setup does)."""
    command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"  # VACUUM needs autocommit
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"{command} {table}")


def _bench_actor_id():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-history")
    return user.pk


def _day_bounds(day):
    midnight = datetime.combine(day, dtime(), tzinfo=LONDON).timestamp()
    period = datetime.combine(day, dtime(settings.TASKING_PERIOD_START_HOUR), tzinfo=LONDON).timestamp()
    return midnight, period


def _periods(sink, ids, first, last, counts):
    from tasking.models import TaskingPeriod

    existing = dict(TaskingPeriod.objects.values_list("day", "pk"))
    out, buf, day = {}, io.StringIO(), first - timedelta(days=1)
    while day <= last + timedelta(days=1):
        if day in existing:
            out[day] = existing[day]
        else:
            _, start = _day_bounds(day)
            _, end = _day_bounds(day + timedelta(days=1))
            out[day] = ids["period"]
            buf.write(f"{ids['period']}\t{day.isoformat()}\t{ts(start)}\t{ts(end)}\n")
            ids["period"] += 1
            counts.add("periods", 1)
        day += timedelta(days=1)
    sink.write("period", buf.getvalue())
    return out


def _per_day(rng, total, first, last):
    """How many missions each day gets: weekly rhythm, growth of about 30 % over the years."""
    days = (last - first).days + 1
    weights = [
        WEEKDAY_FACTOR[(first + timedelta(days=i)).weekday()]
        * (0.85 + 0.3 * i / days)
        * rng.uniform(0.9, 1.1)
        for i in range(days)
    ]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for _ in range(total - sum(counts)):
        counts[rng.randrange(days)] += 1
    return counts


def _outcome_fields(rng, kind):
    """result, arrests, firearms, ammunition, knives, drugs a, b, c, cash, vehicles."""
    zero = [0, 0, 0, 0, "0", "0", "0", "0", 0]
    r = rng.random()
    if kind == "curfew_check":
        return ("curfew_breached" if r < 0.16 else "curfew_complied" if r < 0.98 else "aborted", *zero)
    if kind.startswith("warrant_"):
        if r < 0.35:
            return ("warrant_no_finds", rng.choice([0, 0, 1]), *zero[1:])
        firearms = rng.choice([0, 1, 1, 2]) if kind == "warrant_firearms" else 0
        return (
            "warrant_finds",
            rng.choice([0, 1, 1, 2]),
            firearms,
            firearms * rng.randint(0, 30),
            rng.choice([0, 0, 1]),
            f"{rng.uniform(0, 200):.2f}" if kind == "warrant_drugs" else "0",
            f"{rng.uniform(0, 500):.2f}" if r < 0.5 else "0",
            "0",
            f"{rng.choice([0, 250, 1200, 5400])}",
            rng.choice([0, 0, 0, 1]),
        )
    if r < 0.62 and kind != "weapons_sweep":
        return ("arrested", rng.choice([1, 1, 1, 2, 3]), *zero[1:])
    if kind == "weapons_sweep" and r < 0.3:
        return ("not_found", 0, 0, 0, rng.randint(1, 4), *zero[4:])
    return ("aborted" if r > 0.97 else "not_found", *zero)


def _missions(
    sink, rng, ids, counts, total, first, last, npus, operations, npu_team, central, period_ids, actor
):
    choose_kind = weighted(rng, [((k, op, due), share) for k, share, op, due in KINDS])
    choose_npu = weighted(rng, [((pk, code), population) for pk, code, population in npus])
    bufs = {name: io.StringIO() for name in ("request", "mission", "transition", "outcome")}
    done = 0
    for offset, per_day in enumerate(_per_day(rng, total, first, last)):
        day = first + timedelta(days=offset)
        midnight, _ = _day_bounds(day)
        for _ in range(per_day):
            kind, op_code, due_hours = choose_kind()
            area, code = choose_npu()
            if op_code is None and rng.random() < 0.2:
                op_code = rng.choice(OTHER_OPERATIONS)
            op = operations.get(op_code) if op_code else None
            created = midnight + rng.uniform(6, 22) * HOUR
            local_hour = (created - midnight) / HOUR
            pday = day if local_hour < settings.TASKING_PERIOD_START_HOUR else day + timedelta(days=1)
            _, pstart = _day_bounds(pday)
            _write_mission(
                bufs,
                rng,
                ids,
                counts,
                kind,
                op,
                due_hours,
                area,
                code,
                created,
                pstart,
                period_ids[pday],
                npu_team,
                central,
                actor,
                final=None,
            )
            done += 1
            if done % CHUNK == 0:
                _flush(sink, bufs)
    _flush(sink, bufs)


def _write_mission(
    bufs,
    rng,
    ids,
    counts,
    kind,
    op,
    due_hours,
    area,
    code,
    created,
    pstart,
    period,
    npu_team,
    central,
    actor,
    final,
):
    """One request, its mission, transitions and outcome. ``final`` "in_progress" leaves it open."""
    rid = ids["request"]
    ids["request"] += 1
    mid = ids["mission"]
    ids["mission"] += 1
    due = created + due_hours * HOUR if due_hours else None
    due_s = ts(due) if due else "\\N"
    op_s = str(op) if op else "\\N"
    forensic = "dna" if kind == "forensic_arrest" else ""
    score = rng.randint(20, 95)
    grade = "P1" if score >= 70 else "P2" if score >= 50 else "P3" if score >= 30 else "P4"
    bufs["request"].write(
        f"{rid}\t{kind}\tapproved\t{forensic}\tN{rid % 50000:05d}\t\t\t\tPC {rid % 9000}\t{ts(created)}\t"
        f"{due_s}\t{score}.00\t{grade}\t{area}\t{op_s}\t{actor}\n"
    )
    trans = [("", "pending", created)]
    r = rng.random()
    state, resource, period_s = "pending", "\\N", "\\N"
    allocated = started = finished = None
    if final is None and r < 0.03:
        state, finished = "cancelled", created + rng.uniform(1, 12) * HOUR
        trans.append(("pending", "cancelled", finished))
    else:
        resource = str(npu_team[code] if rng.random() < 0.55 else rng.choice(central))
        period_s = str(period)
        allocated = max(created + 60, pstart + rng.uniform(0.1, 2.5) * HOUR)
        trans.append(("pending", "allocated", allocated))
        if final is None and r < 0.15:
            state, finished = "not_completed", allocated + rng.uniform(12, 23) * HOUR
            trans.append(("allocated", "not_completed", finished))
        else:
            started = allocated + rng.uniform(0.3, 8) * HOUR if final is None else allocated + 60
            trans.append(("allocated", "in_progress", started))
            state = "in_progress"
            if final is None:
                state = "completed"
                finished = started + rng.uniform(0.2, 4) * HOUR
                if due and rng.random() < 0.85:
                    finished = min(finished, due - 60)
                    finished = max(finished, started + 60)
                trans.append(("in_progress", "completed", finished))
                fields = "\t".join(str(v) for v in _outcome_fields(rng, kind))
                bufs["outcome"].write(
                    f"{ids['outcome']}\t{fields}\t\t{ts(finished)}\t{ts(finished + 600)}\t\t{actor}\t{mid}\t"
                    f"{area}\t{op_s}\t{kind}\n"
                )
                ids["outcome"] += 1
                counts.add("outcomes", 1)
    reason = "not done: ran out of time" if state == "not_completed" else ""
    bufs["mission"].write(
        f"{mid}\t{kind}\t{due_s}\t{state}\t{len(trans)}\t0\t{reason}\t{ts(created)}\t"
        f"{ts(allocated) if allocated else chr(92) + 'N'}\t{ts(started) if started else chr(92) + 'N'}\t"
        f"{ts(finished) if finished else chr(92) + 'N'}\t{area}\t{op_s}\t{resource}\t{rid}\t{period_s}\n"
    )
    for from_state, to_state, at in trans:
        bufs["transition"].write(
            f"{ids['transition']}\t{from_state}\t{to_state}\t{ts(at)}\t\t{{}}\t{actor}\t{mid}\t"
            f"{area}\t{op_s}\t{kind}\n"
        )
        ids["transition"] += 1
    counts.add("requests", 1)
    counts.add("missions", 1)
    counts.add("transitions", len(trans))


def _flush(sink, bufs):
    for name in ("request", "mission", "transition", "outcome", "visit", "patrol", "crime"):
        if name in bufs:
            sink.write(name, bufs[name].getvalue())
            bufs[name] = io.StringIO()


def _pool(sink, rng, ids, counts, pool, npus, operations, npu_team, period_ids, actor):
    """Missions in progress in the current tasking period, for the API benchmark to complete."""
    from tasking.models.periods import period_bounds

    start, _ = period_bounds(timezone.now())
    pday = start.astimezone(LONDON).date()
    bufs = {name: io.StringIO() for name in ("request", "mission", "transition", "outcome")}
    base = min(start.timestamp(), time.time() - 3 * HOUR)
    for i in range(pool):
        area, code, _ = npus[i % len(npus)]
        op = operations.get("VIBRANT") if i % 2 else None
        _write_mission(
            bufs,
            rng,
            ids,
            counts,
            "npu_arrest",
            op,
            None,
            area,
            code,
            base - HOUR,
            base,
            period_ids[pday],
            npu_team,
            [npu_team[code]],
            actor,
            final="in_progress",
        )
        counts.add("pool", 1)
    _flush(sink, bufs)


def _patrols(sink, rng, ids, counts, grids, first, last, npus, operations, npu_team, period_ids):
    """Hot grids (one daily 18:00–20:00 window each), a scheduled patrol per grid per day and its
    visits; about three in four patrols get a compliant visit."""
    from tasking.geo import square_cell
    from tasking.models import HotGrid, PatrolWindow

    made = []
    guardian = [operations.get("GUARDIAN"), operations.get("TGP"), None, None]
    with transaction.atomic():
        for i in range(grids):
            area, code, _ = npus[i % len(npus)]
            lon, lat = -2.1 + (i % 12) * 0.06, 52.42 + (i // 12) * 0.03
            geometry = square_cell(lon=lon, lat=lat, size_m=200)
            xs = [p[0] for p in geometry["coordinates"][0]]
            ys = [p[1] for p in geometry["coordinates"][0]]
            grid = HotGrid.objects.create(
                code=f"BENCH-{i:03d}",
                name=f"Bench grid {i}",
                area_id=area,
                geometry=geometry,
                min_lon=min(xs),
                min_lat=min(ys),
                max_lon=max(xs),
                max_lat=max(ys),
                operation_id=guardian[i % 4],
                active_from=first,
            )
            window = PatrolWindow.objects.create(
                grid=grid, weekdays=list(range(7)), start_time=dtime(18), end_time=dtime(20)
            )
            made.append((grid.pk, window.pk, npu_team[code]))
    bufs = {"visit": io.StringIO(), "patrol": io.StringIO()}
    day = first
    while day <= last:
        midnight, _ = _day_bounds(day)
        start = midnight + 18 * HOUR
        for grid, window, resource in made:
            compliant = "\\N"
            for v in range(rng.choice([0, 1, 1, 1, 2])):
                arrived = start + rng.uniform(0, 1.8) * HOUR
                dwell = rng.choice([5, 10, 15, 18, 20, 25, 30])
                vid = ids["visit"]
                ids["visit"] += 1
                bufs["visit"].write(
                    f"{vid}\tPC {vid % 4000}\t{ts(arrived)}\t{ts(arrived + dwell * 60)}\t{dwell}.00\tform\t"
                    f"{ts(arrived + dwell * 60)}\t{grid}\t{resource}\n"
                )
                counts.add("visits", 1)
                if dwell >= 15 and arrived <= start + HOUR and compliant == "\\N" and v == 0:
                    compliant = str(vid)
            bufs["patrol"].write(
                f"{ids['patrol']}\t{ts(start)}\t{ts(start + 2 * HOUR)}\t{ts(start + HOUR)}\t{compliant}\t{grid}\t"  # noqa: E501
                f"{period_ids[day]}\t{window}\n"
            )
            ids["patrol"] += 1
            counts.add("patrols", 1)
        day += timedelta(days=1)
        if day.toordinal() % 200 == 0:
            _flush(sink, bufs)
    _flush(sink, bufs)


def _crimes(sink, rng, ids, counts, total, today, npus, groups):
    """A year of police.uk street-level records: the last 12 complete months; ~1 % unmapped."""
    from operations.reference import lsoa_lookup

    lsoas = {}
    for lsoa, code in lsoa_lookup().items():
        lsoas.setdefault(code, []).append(lsoa)
    choose_type = weighted(rng, [(t, share) for t, share in CRIME_TYPES if t in groups])
    choose_npu = weighted(rng, [((pk, code), population) for pk, code, population in npus])
    choose_outcome = weighted(rng, LAST_OUTCOMES)
    first_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    months = [first_month]
    for _ in range(11):
        months.append((months[-1] - timedelta(days=1)).replace(day=1))
    buf = io.StringIO()
    for i in range(total):
        crime_type = choose_type()
        month = months[i % 12]
        area, code = choose_npu()
        unmapped = rng.random() < 0.01
        lsoa = "" if unmapped else rng.choice(lsoas.get(code) or [""])
        area_s = "\\N" if unmapped or not lsoa else str(area)
        asb = crime_type == "Anti-social behaviour"
        crime_id = "" if asb else f"{rng.getrandbits(128):032x}{i:032x}"[:64]
        coords = (
            "\\N\t\\N" if unmapped else f"{-2.1 + rng.random() * 0.7:.6f}\t{52.35 + rng.random() * 0.3:.6f}"
        )
        outcome = "" if asb else choose_outcome()
        key = f"bench-{ids['crime']}"
        buf.write(
            f"{ids['crime']}\t{key}\t{crime_id}\t{month.isoformat()}\tWest Midlands Police\tWest Midlands Police\t"  # noqa: E501
            f"{coords}\tOn or near Bench Street\t{lsoa}\t{lsoa and 'Bench ' + lsoa}\t{crime_type}\t{outcome}\t\t"  # noqa: E501
            f"bench.csv\t{i + 2}\t{area_s}\t{groups[crime_type]}\n"
        )
        ids["crime"] += 1
        counts.add("crimes", 1)
        if (i + 1) % 50_000 == 0:
            sink.write("crime", buf.getvalue())
            buf = io.StringIO()
    sink.write("crime", buf.getvalue())


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
