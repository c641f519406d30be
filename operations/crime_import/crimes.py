"""data.police.uk street-level crimes."""

from collections import Counter

from django.db import connection, transaction

from ..audit import audit_record
from ..events import event_emit
from ..models import AuditEntry, CrimeRecord, LsoaArea, OffenceGroup
from .files import (
    AREA,
    BATCH_SIZE,
    CRIME_COLUMNS,
    CRIME_FIELDS,
    GROUP,
    MONTH_AT,
    ROWS_PER_INSERT,
    BadRow,
    ImportRejected,
    ImportReport,
    _check_columns,
    _coordinates,
    _ImportedFile,
    _month,
    _rows,
    _sha,
    _sorted_ids,
)


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
