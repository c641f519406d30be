"""The LSOA → NPU lookup; moving stored crimes when a mapping changes."""

from django.db import transaction

from ..audit import audit_record
from ..events import event_emit
from ..models import Area, AuditEntry, CrimeRecord, LsoaArea
from .files import (
    BATCH_SIZE,
    LOOKUP_COLUMNS,
    LSOA_CODE,
    BadRow,
    ImportRejected,
    ImportReport,
    _check_columns,
    _ImportedFile,
    _rows,
    _sorted_ids,
)


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
