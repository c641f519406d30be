"""The benchmark's missions, written as COPY rows: a request, the mission, its transitions and, when
completed, its outcome. The history follows a weekly rhythm and a gentle growth over the years,
NPUs by population, kinds and results in the proportions the papers describe; the pool is left in
progress in the current tasking period for the API benchmark to complete.
"""

import io
import time
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .copy_sink import HOUR, LONDON, day_bounds, flush, ts, weighted

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


def missions_write(
    sink, rng, ids, counts, total, first, last, npus, operations, npu_team, central, period_ids, actor
):
    choose_kind = weighted(rng, [((k, op, due), share) for k, share, op, due in KINDS])
    choose_npu = weighted(rng, [((pk, code), population) for pk, code, population in npus])
    bufs = {name: io.StringIO() for name in ("request", "mission", "transition", "outcome")}
    done = 0
    for offset, per_day in enumerate(_per_day(rng, total, first, last)):
        day = first + timedelta(days=offset)
        midnight, _ = day_bounds(day)
        for _ in range(per_day):
            kind, op_code, due_hours = choose_kind()
            area, code = choose_npu()
            if op_code is None and rng.random() < 0.2:
                op_code = rng.choice(OTHER_OPERATIONS)
            op = operations.get(op_code) if op_code else None
            created = midnight + rng.uniform(6, 22) * HOUR
            local_hour = (created - midnight) / HOUR
            pday = day if local_hour < settings.TASKING_PERIOD_START_HOUR else day + timedelta(days=1)
            _, pstart = day_bounds(pday)
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
                flush(sink, bufs)
    flush(sink, bufs)


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


def pool_write(sink, rng, ids, counts, pool, npus, operations, npu_team, period_ids, actor):
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
    flush(sink, bufs)
