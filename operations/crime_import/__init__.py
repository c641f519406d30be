"""Import recorded crime: police.uk street-level CSVs, the LSOA → NPU lookup, aggregated counts.

Every import is all or nothing: a file with a bad row (unless ``skip_bad_rows``), in the wrong
encoding, with the wrong columns or with no rows raises :class:`ImportRejected` and leaves the
database as it was. A successful import writes one audit entry and announces what it changed with
one outbox event, in the same transaction. Files are streamed: only one batch of rows is in memory.
"""

from .counts import crime_counts_import
from .crimes import crimes_import
from .files import ImportRejected, ImportReport
from .lookups import area_lookup_import

__all__ = ["ImportRejected", "ImportReport", "area_lookup_import", "crime_counts_import", "crimes_import"]
