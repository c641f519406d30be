"""Import GPS points (CSV: resource, officer, timestamp, lat, lon) and turn them into visits."""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from operations.dates import day_in_range, day_out_of_range_message
from operations.models import Resource

from ..geo import GridIndex
from ..models import HotGrid, PatrolVisit, ScheduledPatrol
from ..models.patrols import FUTURE_ALLOWANCE
from ..models.periods import LONDON
from .patrol_visits import allowance_spans, grid_was_active
from .patrols import patrol_visit_log

REQUIRED_COLUMNS = ["resource", "officer", "timestamp", "lat", "lon"]


class ImportRejected(Exception):
    """The file cannot be imported as a whole (wrong encoding, missing columns, empty, bad rows)."""

    def __init__(self, message, report=None):
        super().__init__(message)
        self.message = message
        self.report = report


@dataclass
class ImportReport:
    rows: int = 0
    points_in_grids: int = 0
    points_outside: int = 0
    visits_created: int = 0
    visits_existing: int = 0
    errors: list = field(default_factory=list)  # (line number, reason)

    def as_dict(self):
        return {
            "rows": self.rows, "points_in_grids": self.points_in_grids,
            "points_outside": self.points_outside, "visits_created": self.visits_created,
            "visits_existing": self.visits_existing,
            "errors": [{"line": line, "reason": reason} for line, reason in self.errors],
        }  # fmt: skip


@dataclass(frozen=True)
class Point:
    resource: Resource
    officer: str
    at: datetime
    lat: float
    lon: float
    line: int = 0  # in the file, for a clear refusal


def _parse_time(text):
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    value = value if value.tzinfo else value.replace(tzinfo=LONDON)
    value.astimezone(UTC)  # OverflowError: a moment UTC (and the database) cannot hold
    return value


def _read_points(stream, report, progress):
    reader = csv.DictReader(stream)
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise ImportRejected("The file is empty: expected a header row " + ",".join(REQUIRED_COLUMNS) + ".")
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise ImportRejected(
            f"Missing column(s): {', '.join(missing)}. Expected {','.join(REQUIRED_COLUMNS)}."
        )
    reader.fieldnames = header
    resources = {r.code: r for r in Resource.objects.all()}
    officer_length = PatrolVisit._meta.get_field("officer_reference").max_length
    latest = timezone.now() + FUTURE_ALLOWANCE
    points = []
    for row in reader:
        report.rows += 1
        line = reader.line_num
        progress(1)
        try:
            code = (row["resource"] or "").strip()
            if code not in resources:
                raise ValueError(f"unknown resource {code!r}")
            officer = (row["officer"] or "").strip()
            if not officer:
                raise ValueError("officer is blank")
            if len(officer) > officer_length:
                raise ValueError(f"officer is longer than {officer_length} characters")
            try:
                at = _parse_time(row["timestamp"] or "")
            except (ValueError, OverflowError):
                raise ValueError(f"timestamp {row['timestamp']!r} is not ISO 8601") from None
            # The day in the time's own zone, as the visit rules read it: a year-1 time converted
            # to London would fall off the start of the calendar.
            if not day_in_range(at.date()):
                raise ValueError(day_out_of_range_message(at.date()))
            if at > latest:
                raise ValueError(
                    f"timestamp {row['timestamp'].strip()} is in the future "
                    f"(now {timezone.localtime():%d %b %Y %H:%M})"
                )
            try:
                lat, lon = float(row["lat"]), float(row["lon"])
            except (TypeError, ValueError):
                raise ValueError("lat/lon are not numbers") from None
            if not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValueError(f"coordinates out of range ({lat}, {lon})")
        except ValueError as exc:
            report.errors.append((line, str(exc)))
            continue
        points.append(Point(resources[code], officer, at, lat, lon, line))
    if report.rows == 0:
        raise ImportRejected("The file has a header but no rows.")
    return points


def _visits_from(points, index, tolerance, report, spans):
    """Merge consecutive points of one officer in one grid, gaps under ``tolerance``, into visits.
    A point is in a grid only while the grid takes visits, by the rule a visit logged by hand
    meets (``grid_was_active``): on its active (London) days, or after its last one within the
    arrival allowance of a patrol of those days (``spans``). Otherwise, after a grid is retired or
    before it starts, a point on its ground counts as outside it and ends any visit there."""
    visits = []
    points = sorted(points, key=lambda p: (p.resource.code, p.officer, p.at))
    # (resource, officer) → {grid pk: [grid, first, last, resource, line of the first point]}
    open_runs = {}
    for point in points:
        key = (point.resource.pk, point.officer)
        grids = index.grids_at(point.lon, point.lat)
        if grids:
            grids = [
                grid for grid in grids if grid_was_active(grid, point.at, point.at, spans.get(grid.pk, []))
            ]
        if grids:
            report.points_in_grids += 1
        else:
            report.points_outside += 1
        runs = open_runs.setdefault(key, {})
        here = {grid.pk for grid in grids}
        for grid_pk in list(runs):
            grid, first, last, resource, line = runs[grid_pk]
            if grid_pk not in here or point.at - last >= tolerance:  # merge only gaps *under* it
                visits.append((resource, point.officer, grid, first, last, line))
                del runs[grid_pk]
        for grid in grids:
            if grid.pk in runs:
                runs[grid.pk][2] = point.at
            else:
                runs[grid.pk] = [grid, point.at, point.at, point.resource, point.line]
    for (_, officer), runs in open_runs.items():
        for grid, first, last, resource, line in runs.values():
            visits.append((resource, officer, grid, first, last, line))
    return visits


def _import_key(resource, officer, grid, first, last):
    text = f"{resource.code}|{officer}|{grid.code}|{first.isoformat()}|{last.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()


def patrol_points_import(*, actor, data, tolerance_minutes=None, skip_bad_rows=False, progress=None):
    """Import a GPS CSV (bytes or text). Bad rows are reported with line numbers; unless
    ``skip_bad_rows`` they reject the whole file, so nothing is half-imported. Re-importing the
    same file changes nothing (each visit has a stable key)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ImportRejected(f"The file is not UTF-8 text (byte {exc.start}).") from None
    tolerance = timedelta(
        minutes=settings.GPS_MERGE_TOLERANCE_MINUTES if tolerance_minutes is None else tolerance_minutes
    )
    report = ImportReport()
    points = _read_points(io.StringIO(data), report, progress or (lambda n: None))
    if report.errors and not skip_bad_rows:
        raise ImportRejected(
            f"{len(report.errors)} bad row(s): nothing was imported. {_lines_named(report.errors)} "
            "Correct them, or tick “skip bad rows” to import the rest.",
            report,
        )
    if not points:
        return report
    # The grids active on any day of the file, or retired before it with a patrol that could still
    # be made during it, in one read, with those patrols' spans in another; each point is then
    # matched only against the grids that take visits at its own time.
    first, last = min(p.at for p in points), max(p.at for p in points)
    reaching = ScheduledPatrol.objects.filter(starts_at__lte=last, arrive_by__gte=first).values("grid_id")
    grids = list(
        HotGrid.objects.filter(
            Q(active_to__isnull=True)
            | Q(active_to__gte=timezone.localdate(first, LONDON))
            | Q(pk__in=reaching),
            active_from__lte=timezone.localdate(last, LONDON),
        )
    )
    spans = allowance_spans(grids, first, last)
    visits = _visits_from(points, GridIndex(grids), tolerance, report, spans)
    with transaction.atomic():  # one visit refused rolls back every visit before it
        for resource, officer, grid, arrived_at, left_at, line in visits:
            key = _import_key(resource, officer, grid, arrived_at, left_at)
            if PatrolVisit.objects.filter(import_key=key).exists():
                report.visits_existing += 1
                continue
            try:
                patrol_visit_log(
                    actor=actor, grid=grid, resource=resource, officer_reference=officer,
                    arrived_at=arrived_at, left_at=left_at, source=PatrolVisit.Source.GPS,
                    import_key=key,
                )  # fmt: skip
            except ValidationError as exc:
                refused = "; ".join(message.rstrip(".") for message in exc.messages)
                reason = f"the visit to {grid.code} starting at this point was refused: {refused}"
                raise ImportRejected(
                    f"Line {line}: {reason}. Nothing was imported.",
                    ImportReport(rows=report.rows, errors=[*report.errors, (line, reason)]),
                ) from exc
            report.visits_created += 1
    return report


def _lines_named(errors, shown=3):
    """'Line 4: officer is blank; line 9: …' for the first few bad rows, and how many more."""
    named = "; ".join(f"line {line}: {reason}" for line, reason in errors[:shown])
    more = f"; and {len(errors) - shown} more" if len(errors) > shown else ""
    return f"{named[:1].upper()}{named[1:]}{more}."
