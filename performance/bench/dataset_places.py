"""The benchmark dataset's places: hot grids with their daily patrols and visits, and a year of
police.uk-style street-level crimes."""

import io
from datetime import time as dtime
from datetime import timedelta

from django.db import transaction

from .copy_sink import HOUR, day_bounds, flush, ts, weighted

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


def patrols_write(sink, rng, ids, counts, grids, first, last, npus, operations, npu_team, period_ids):
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
        midnight, _ = day_bounds(day)
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
            flush(sink, bufs)
    flush(sink, bufs)


def crimes_write(sink, rng, ids, counts, total, today, npus, groups):
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
