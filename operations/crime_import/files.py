"""What every import shares: reading a CSV file safely, the report, bad rows."""

import csv
import hashlib
import io
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

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
