"""Rows, files and database snapshots shared by the recorded-crime import tests."""

import hashlib
from pathlib import Path

from operations.crime_import import crimes_import
from operations.models import Area, AuditEntry, CrimeCount, CrimeRecord, Event, LsoaArea

DATA = Path(__file__).parent / "data"
HEADER = (
    "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
    "Crime type,Last outcome category,Context"
)
LOOKUP_HEADER = "lsoa_code,area_code"
COUNTS_HEADER = "area_code,offence_group,period_start,period_end,count"
BW_LSOA, BE_LSOA, SH_LSOA = "E01009417", "E01009415", "E01010118"  # from lsoa_npu_lookup.csv
UNKNOWN_LSOA = "E01099999"
WMP = "West Midlands Police"


def crime_id(n):
    """A 64-hex identifier shaped like police.uk's."""
    return hashlib.sha256(f"crime-{n}".encode()).hexdigest()


def row(
    cid="", month="2026-01", lon="-1.904796", lat="52.479387", location="On or near Broad Street",
    lsoa=BW_LSOA, lsoa_name="Birmingham 050A", crime_type="Burglary", outcome="Under investigation",
    context="",
):  # fmt: skip
    return ",".join([cid, month, WMP, WMP, lon, lat, location, lsoa, lsoa_name, crime_type, outcome, context])


def asb(**kwargs):
    return row(**({"crime_type": "Anti-social behaviour", "outcome": ""} | kwargs))


def csv_bytes(*rows, header=HEADER):
    return ("\n".join([header, *rows]) + "\n").encode()


def import_crimes(data, source_file="2026-01-west-midlands-street.csv", **kwargs):
    return crimes_import(actor=None, data=data, source_file=source_file, **kwargs)


def keys():
    return set(CrimeRecord.objects.values_list("key", flat=True))


def area(code):
    return Area.objects.get(code=code)


def events(event_type):
    return Event.objects.filter(type=event_type)


def database_state():
    """Everything an import could leave behind, to prove a refused file left nothing."""
    return {
        "crimes": CrimeRecord.objects.count(),
        "lookup": sorted(LsoaArea.objects.values_list("lsoa_code", "area_id")),
        "counts": sorted(
            CrimeCount.objects.values_list("area_id", "offence_group_id", "period_start", "count")
        ),
        "events": Event.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def crime_checksum():
    rows = CrimeRecord.objects.order_by("key").values_list(
        "key", "month", "crime_type", "offence_group_id", "area_id", "lsoa_code", "longitude", "latitude"
    )
    return CrimeRecord.objects.count(), hashlib.sha256(repr(list(rows)).encode()).hexdigest()
