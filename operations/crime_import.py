"""Import recorded crime: police.uk street-level CSVs, the LSOA → NPU lookup, aggregated counts.

Every import is all or nothing: a file with a bad row (unless ``skip_bad_rows``), in the wrong
encoding, with the wrong columns or with no rows raises :class:`ImportRejected` and leaves the
database as it was. A successful import writes one audit entry and announces what it changed with
one outbox event, in the same transaction. Files are streamed: only one batch of rows is in memory.
"""

import csv
import hashlib
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db import connection, transaction

from .audit import audit_record
from .events import event_emit
from .models import Area, AuditEntry, CrimeCount, CrimeRecord, LsoaArea, OffenceGroup

CRIME_COLUMNS = [
    "Crime ID", "Month", "Reported by", "Falls within", "Longitude", "Latitude", "Location",
    "LSOA code", "LSOA name", "Crime type", "Last outcome category", "Context",
]  # fmt: skip
LOOKUP_COLUMNS = ["lsoa_code", "area_code"]
COUNT_COLUMNS = ["area_code", "offence_group", "period_start", "period_end", "count"]
ALL_CRIME = "all"  # offence_group value in a counts file meaning all recorded crime (stored as NULL)
BATCH_SIZE = 2000
ROWS_PER_INSERT = 500  # 8,500 parameters: under SQLite's 32,766 and PostgreSQL's 65,535
ERROR_DETAIL_LIMIT = 1000  # line-by-line reasons kept; the counts by reason cover every row
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
LSOA_CODE = re.compile(r"^[A-Z]\d{8}$")


class ImportRejected(Exception):
    """The file cannot be imported as a whole (wrong encoding, missing columns, empty, bad rows)."""

    def __init__(self, message, report=None):
        super().__init__(message)
        self.message = message
        self.report = report


class BadRow(ValueError):
    def __init__(self, reason, detail):
        super().__init__(detail)
        self.reason = reason


@dataclass
class ImportReport:
    """What an import read and did. ``errors`` are (line, reason); ``rejected`` counts by reason."""

    source_file: str = ""
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    unmapped: int = 0
    no_location: int = 0
    duplicates: list = field(default_factory=list)  # (line, line of the first occurrence)
    errors: list = field(default_factory=list)
    rejected: Counter = field(default_factory=Counter)

    def reject(self, line, exc):
        self.rejected[exc.reason] += 1
        if len(self.errors) < ERROR_DETAIL_LIMIT:
            self.errors.append((line, str(exc)))

    def as_dict(self):
        return {
            "source_file": self.source_file, "read": self.read, "new": self.new,
            "updated": self.updated, "unchanged": self.unchanged, "unmapped": self.unmapped,
            "no_location": self.no_location, "duplicates": len(self.duplicates),
            "duplicate_lines": [line for line, _ in self.duplicates[:100]],
            "rejected": sum(self.rejected.values()), "rejected_by_reason": dict(self.rejected),
        }  # fmt: skip

    def summary(self):
        text = f"read {self.read}; new {self.new}, "
        text += f"updated {self.updated}, " if self.updated else ""
        text += f"unchanged (already imported) {self.unchanged}; unmapped {self.unmapped}"
        text += f" (no location {self.no_location})" if self.no_location else ""
        if self.duplicates:
            lines = ", ".join(str(line) for line, _ in self.duplicates[:20])
            more = " …" if len(self.duplicates) > 20 else ""
            text += f"; duplicates {len(self.duplicates)} (lines {lines}{more})"
        else:
            text += "; duplicates 0"
        reasons = ", ".join(f"{reason} {count}" for reason, count in sorted(self.rejected.items()))
        text += f"; rejected {sum(self.rejected.values())}" + (f" ({reasons})" if reasons else "")
        return text + "."


class _ImportedFile:
    """What an import's audit entry is about: the file, not one row."""

    def __init__(self, source_file):
        self.pk = source_file[-64:]
        self.text = f"import of {source_file}"

    def __str__(self):
        return self.text


def _rows(data, columns, report):
    """Yield (line, row) from UTF-8 CSV ``data`` (bytes, text or a binary file) after checking the
    header is exactly ``columns``; a decoding error surfaces as :class:`ImportRejected`."""
    if isinstance(data, str):
        stream = io.StringIO(data, newline="")
    else:
        binary = io.BytesIO(data) if isinstance(data, bytes | bytearray) else data
        stream = io.TextIOWrapper(binary, encoding="utf-8-sig", newline="")
    reader = csv.reader(stream)
    try:
        yield from _checked_rows(reader, columns, report)
    except UnicodeDecodeError as exc:
        raise ImportRejected(
            f"The file is not UTF-8 text (undecodable byte near line {reader.line_num + 1}, {exc.reason}): "
            "save it as UTF-8 and import it again.",
            report,
        ) from None
    except csv.Error as exc:
        raise ImportRejected(
            f"The file is not a readable CSV (line {reader.line_num}: {exc}).", report
        ) from None
    finally:
        if isinstance(stream, io.TextIOWrapper):
            stream.detach()  # leave the caller's file open: it is theirs to close
    if report.read == 0:
        raise ImportRejected("The file has a header but no rows.", report)


def _checked_rows(reader, columns, report):
    header = next(reader, None)
    while header is not None and not any(cell.strip() for cell in header):
        header = next(reader, None)  # leading blank lines
    if header is None:
        raise ImportRejected(f"The file is empty: expected a header row {','.join(columns)}.", report)
    header = [cell.strip().lstrip("\ufeff") for cell in header]
    if header != columns:
        missing = [name for name in columns if name not in header]
        extra = [name for name in header if name not in columns]
        problems = [f"missing column(s): {', '.join(missing)}"] if missing else []
        problems += [f"unexpected column(s): {', '.join(extra)}"] if extra else []
        raise ImportRejected(
            f"Wrong header ({'; '.join(problems) or 'columns out of order'}). "
            f"Expected exactly: {','.join(columns)}.",
            report,
        )
    for row in reader:
        if not any(cell.strip() for cell in row):
            continue  # a blank line is not a row
        report.read += 1
        yield reader.line_num, row


def _check_columns(row, columns):
    if len(row) != len(columns):
        raise BadRow("wrong column count", f"expected {len(columns)} columns, found {len(row)}")
    return [cell.strip() for cell in row]


def _month(text):
    match = MONTH.match(text)
    if not match or not 1 <= int(match[2]) <= 12:
        raise BadRow("bad month", f"Month {text!r} is not YYYY-MM")
    return date(int(match[1]), int(match[2]), 1)


def _coordinates(lon_text, lat_text):
    if not lon_text and not lat_text:
        return None, None
    try:
        lon, lat = float(lon_text), float(lat_text)
    except ValueError:
        raise BadRow("bad coordinates", f"coordinates ({lon_text!r}, {lat_text!r}) are not numbers") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadRow("bad coordinates", f"coordinates out of range (longitude {lon}, latitude {lat})")
    return lon, lat


def _sha(*parts):
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _sorted_ids(values):
    return sorted(values, key=lambda value: (value is None, value or 0))


CRIME_FIELDS = [
    "key", "crime_id", "month", "reported_by", "falls_within", "longitude", "latitude", "location",
    "lsoa_code", "lsoa_name", "crime_type", "offence_group", "area", "last_outcome_category", "context",
    "source_file", "line",
]  # fmt: skip
AREA, GROUP, MONTH_AT = CRIME_FIELDS.index("area"), CRIME_FIELDS.index("offence_group"), 2


class _CrimeWriter:
    """Turns parsed rows into CrimeRecord rows and inserts them a batch at a time.

    Rows go in with COPY on PostgreSQL and multi-row INSERTs elsewhere, not ``bulk_create``:
    building model instances and compiling their SQL took most of a 100,000-row import (25 s on
    SQLite, against 4 s now).
    """

    def __init__(self, report, source_file):
        self.report = report
        self.source_file = source_file
        self.groups = {
            group.police_uk_crime_type: group.pk for group in OffenceGroup.objects.filter(parent__isnull=True)
        }
        self.lsoa_areas = dict(LsoaArea.objects.values_list("lsoa_code", "area_id"))
        self.crime_lines = {}  # key → first line, to report a crime ID repeated in a month
        self.asb_seen = Counter()  # content hash → occurrences so far in this file
        self.month_values = {}  # month → the value the database driver takes
        self.batch = []
        self.months, self.areas, self.offence_groups = set(), set(), set()
        meta, quote = CrimeRecord._meta, connection.ops.quote_name
        columns = ", ".join(quote(meta.get_field(name).column) for name in CRIME_FIELDS)
        self.placeholders = "(" + ", ".join(["%s"] * len(CRIME_FIELDS)) + ")"
        self.insert_sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES"
        self.copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"

    def record(self, line, row):
        (crime_id, month_text, reported_by, falls_within, lon_text, lat_text, location, lsoa_code,
         lsoa_name, crime_type, outcome, context) = _check_columns(row, CRIME_COLUMNS)  # fmt: skip
        month = _month(month_text)
        if crime_type not in self.groups:
            raise BadRow("unknown crime type", f"unknown crime type {crime_type!r}")
        lon, lat = _coordinates(lon_text, lat_text)
        if crime_id:
            key = _sha("crime", month.isoformat(), crime_id)
            if key in self.crime_lines:
                self.report.duplicates.append((line, self.crime_lines[key]))
                return None
            self.crime_lines[key] = line
        else:
            # Identical ASB rows are separate incidents: the occurrence number tells them apart
            # and stays the same when the same file is imported again.
            content = _sha("asb", month.isoformat(), crime_type, lon, lat, location, lsoa_code, lsoa_name,
                           reported_by, falls_within, outcome, context)  # fmt: skip
            self.asb_seen[content] += 1
            key = _sha(content, self.asb_seen[content])
        area_id = self.lsoa_areas.get(lsoa_code) if lsoa_code else None
        if area_id is None:
            self.report.unmapped += 1
            if lon is None and not lsoa_code:
                self.report.no_location += 1
        if month not in self.month_values:
            self.month_values[month] = connection.ops.adapt_datefield_value(month)
        return (
            key, crime_id, self.month_values[month], reported_by, falls_within, lon, lat, location,
            lsoa_code, lsoa_name, crime_type, self.groups[crime_type], area_id, outcome, context,
            self.source_file, line,
        )  # fmt: skip

    def add(self, record, write):
        self.batch.append(record)
        if len(self.batch) >= BATCH_SIZE:
            self.flush(write)

    def flush(self, write):
        batch, self.batch = self.batch, []
        if not batch:
            return
        keys = [record[0] for record in batch]
        existing = set(CrimeRecord.objects.filter(key__in=keys).values_list("key", flat=True))
        new = [record for record in batch if record[0] not in existing]
        self.report.unchanged += len(existing)
        self.report.new += len(new)
        if write and new:
            self.insert(new)
            for record in new:
                self.areas.add(record[AREA])
                self.offence_groups.add(record[GROUP])
                self.months.add(record[MONTH_AT])

    def insert(self, rows):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            for start in range(0, len(rows), ROWS_PER_INSERT):
                chunk = rows[start : start + ROWS_PER_INSERT]
                values = ", ".join([self.placeholders] * len(chunk))
                cursor.execute(f"{self.insert_sql} {values}", [value for row in chunk for value in row])

    def new_months(self):
        return sorted(month.isoformat() for month, value in self.month_values.items() if value in self.months)


def crimes_import(*, actor, data, source_file, skip_bad_rows=False, progress=None):
    """Import a data.police.uk street-level CSV (bytes, text or a binary file object).

    Re-importing a file changes nothing. Returns an :class:`ImportReport`; raises
    :class:`ImportRejected` (with the report) when the file is refused, and nothing is written.
    """
    progress = progress or (lambda n: None)
    report = ImportReport(source_file=source_file)
    with transaction.atomic():
        writer = _CrimeWriter(report, source_file)
        for line, row in _rows(data, CRIME_COLUMNS, report):
            if report.read % BATCH_SIZE == 0:
                progress(BATCH_SIZE)
            try:
                record = writer.record(line, row)
            except BadRow as exc:
                report.reject(line, exc)
                continue
            if record is not None:
                # After a bad row the file is refused anyway: keep validating, stop writing.
                writer.add(record, write=skip_bad_rows or not report.rejected)
        writer.flush(write=skip_bad_rows or not report.rejected)
        progress(report.read % BATCH_SIZE)
        if report.rejected and not skip_bad_rows:
            raise ImportRejected(f"{sum(report.rejected.values())} bad row(s): nothing was imported.", report)
        if report.new:
            event_emit(
                "crime.imported",
                payload={
                    "months": writer.new_months(),
                    "areas": _sorted_ids(writer.areas),
                    "offence_groups": sorted(writer.offence_groups),
                },
            )
        audit_record(
            actor=actor, action=AuditEntry.Action.IMPORT, obj=_ImportedFile(source_file),
            object_type="operations.crimerecord", changes=report.as_dict(), reason="police.uk crime import",
        )  # fmt: skip
    return report


def area_lookup_import(*, actor, data, source_file, skip_bad_rows=False, progress=None, update_existing=True):
    """Load an ``lsoa_code,area_code`` CSV into :class:`LsoaArea`; changed mappings are updated
    (unless ``update_existing`` is off, as when seeding) and crimes in those LSOAs follow them."""
    progress = progress or (lambda n: None)
    report = ImportReport(source_file=source_file)
    npus = dict(Area.objects.filter(kind=Area.Kind.NPU).values_list("code", "pk"))
    codes = {pk: code for code, pk in npus.items()}
    with transaction.atomic():
        stored = {item.lsoa_code: item for item in LsoaArea.objects.all()}
        seen, create, changes = {}, [], []
        for line, row in _rows(data, LOOKUP_COLUMNS, report):
            progress(1)
            try:
                lsoa_code, area_code = _check_columns(row, LOOKUP_COLUMNS)
                if not LSOA_CODE.match(lsoa_code):
                    raise BadRow("bad LSOA code", f"LSOA code {lsoa_code!r} is not like E01009417")
                if area_code not in npus:
                    raise BadRow("unknown area", f"area {area_code!r} is not an NPU code")
                if lsoa_code in seen:
                    raise BadRow("repeated LSOA", f"LSOA {lsoa_code} already on line {seen[lsoa_code]}")
            except BadRow as exc:
                report.reject(line, exc)
                continue
            seen[lsoa_code] = line
            current = stored.get(lsoa_code)
            if current is None:
                create.append(LsoaArea(lsoa_code=lsoa_code, area_id=npus[area_code], source=source_file))
            elif current.area_id != npus[area_code] and update_existing:
                changes.append((current, npus[area_code]))
            else:
                report.unchanged += 1
        if report.rejected and not skip_bad_rows:
            raise ImportRejected(f"{sum(report.rejected.values())} bad row(s): nothing was imported.", report)
        LsoaArea.objects.bulk_create(create, batch_size=BATCH_SIZE)
        detail = []
        for item, area_id in changes:
            detail.append([item.lsoa_code, codes[item.area_id], codes[area_id]])
            item.area_id, item.source = area_id, source_file
        LsoaArea.objects.bulk_update([item for item, _ in changes], ["area", "source"], batch_size=BATCH_SIZE)
        report.new, report.updated = len(create), len(changes)
        moved = [(item.lsoa_code, item.area_id) for item in create] + [
            (item.lsoa_code, item.area_id) for item, _ in changes
        ]
        if create or changes:
            summary = report.as_dict() | {"changed_mappings": detail[:500], "crimes_remapped": _remap(moved)}
            audit_record(
                actor=actor, action=AuditEntry.Action.IMPORT, obj=_ImportedFile(source_file),
                object_type="operations.lsoaarea", changes=summary, reason="LSOA → NPU lookup import",
            )  # fmt: skip
    return report


def _remap(moved):
    """Point stored crimes in newly mapped or re-mapped LSOAs at their NPU; announce it once."""
    by_area = {}
    for lsoa_code, area_id in moved:
        by_area.setdefault(area_id, []).append(lsoa_code)
    months, areas, groups, total = set(), set(), set(), 0
    for area_id, lsoa_codes in by_area.items():
        for start in range(0, len(lsoa_codes), 500):
            crimes = CrimeRecord.objects.filter(lsoa_code__in=lsoa_codes[start : start + 500]).exclude(
                area_id=area_id
            )
            touched = list(crimes.values_list("month", "area_id", "offence_group_id").distinct())
            if not touched:
                continue
            total += crimes.update(area_id=area_id)
            areas.add(area_id)
            for month, old_area, group in touched:
                months.add(month)
                areas.add(old_area)
                groups.add(group)
    if total:
        event_emit(
            "crime.imported",
            payload={
                "months": sorted(month.isoformat() for month in months),
                "areas": _sorted_ids(areas),
                "offence_groups": sorted(groups),
            },
        )
    return total


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
