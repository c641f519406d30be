"""Aggregated crime counts for an area, offence group and date range."""

import re
from datetime import date

from django.db import transaction

from ..audit import audit_record
from ..events import event_emit
from ..models import Area, AuditEntry, CrimeCount, OffenceGroup
from .files import (
    ALL_CRIME,
    BATCH_SIZE,
    COUNT_COLUMNS,
    BadRow,
    ImportRejected,
    ImportReport,
    _check_columns,
    _ImportedFile,
    _rows,
    _sorted_ids,
)


def _day(text, name):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadRow("bad date", f"{name} {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _straddles(a, b):
    """Two ranges that overlap with neither inside the other cannot both be counted."""
    return (
        a[0] <= b[1]
        and b[0] <= a[1]
        and not (a[0] <= b[0] and b[1] <= a[1])
        and not (b[0] <= a[0] and a[1] <= b[1])
    )


def crime_counts_import(*, actor, data, source_file, skip_bad_rows=False, progress=None):
    """Upsert aggregated counts from an ``area_code,offence_group,period_start,period_end,count``
    CSV, keyed by (area, group, start, end); ``offence_group`` ``all`` means all recorded crime."""
    progress = progress or (lambda n: None)
    report = ImportReport(source_file=source_file)
    areas = dict(Area.objects.values_list("code", "pk"))
    groups = dict(OffenceGroup.objects.values_list("code", "pk")) | {ALL_CRIME: None}
    with transaction.atomic():
        stored = {
            (c.area_id, c.offence_group_id, c.period_start, c.period_end): c for c in CrimeCount.objects.all()
        }
        ranges = {}  # (area, group) → [(start, end, line or None for stored)]
        for area_id, group_id, start, end in stored:
            ranges.setdefault((area_id, group_id), []).append((start, end, None))
        seen, create, update = {}, [], []
        for line, row in _rows(data, COUNT_COLUMNS, report):
            progress(1)
            try:
                area_code, group_code, start_text, end_text, count_text = _check_columns(row, COUNT_COLUMNS)
                if area_code not in areas:
                    raise BadRow("unknown area", f"unknown area {area_code!r}")
                if group_code not in groups:
                    raise BadRow("unknown offence group", f"unknown offence group {group_code!r}")
                start, end = _day(start_text, "period_start"), _day(end_text, "period_end")
                if end < start:
                    raise BadRow("end before start", f"period_end {end} is before period_start {start}")
                if not re.fullmatch(r"-?\d+", count_text):
                    raise BadRow("bad count", f"count {count_text!r} is not a whole number")
                if int(count_text) < 0:
                    raise BadRow("negative count", f"count {count_text} is negative")
                key = (areas[area_code], groups[group_code], start, end)
                if key in seen:
                    raise BadRow("repeated row", f"same area, group and period as line {seen[key]}")
                for other_start, other_end, other_line in ranges.get(key[:2], []):
                    if _straddles((start, end), (other_start, other_end)):
                        where = f"line {other_line}" if other_line else "a stored count"
                        raise BadRow(
                            "straddling period",
                            f"period {start}..{end} straddles {other_start}..{other_end} ({where})",
                        )
            except BadRow as exc:
                report.reject(line, exc)
                continue
            seen[key] = line
            ranges.setdefault(key[:2], []).append((start, end, line))
            count, current = int(count_text), stored.get(key)
            if current is None:
                create.append(CrimeCount(area_id=key[0], offence_group_id=key[1], period_start=start,
                                         period_end=end, count=count, source_file=source_file))  # fmt: skip
            elif current.count != count:
                current.count, current.source_file = count, source_file
                update.append(current)
            else:
                report.unchanged += 1
        if report.rejected and not skip_bad_rows:
            raise ImportRejected(f"{sum(report.rejected.values())} bad row(s): nothing was imported.", report)
        CrimeCount.objects.bulk_create(create, batch_size=BATCH_SIZE)
        CrimeCount.objects.bulk_update(update, ["count", "source_file"], batch_size=BATCH_SIZE)
        report.new, report.updated = len(create), len(update)
        changed = create + update
        if changed:
            event_emit(
                "crime_counts.imported",
                payload={
                    "ranges": [
                        list(item)
                        for item in sorted(
                            {(c.period_start.isoformat(), c.period_end.isoformat()) for c in changed}
                        )
                    ],
                    "areas": sorted({c.area_id for c in changed}),
                    "offence_groups": _sorted_ids({c.offence_group_id for c in changed}),
                },
            )
        audit_record(
            actor=actor, action=AuditEntry.Action.IMPORT, obj=_ImportedFile(source_file),
            object_type="operations.crimecount", changes=report.as_dict(), reason="crime counts import",
        )  # fmt: skip
    return report
