"""Malformed files for every recorded-crime import: a clear error and nothing imported."""

import pytest

from operations.crime_import import ImportRejected, area_lookup_import, crime_counts_import, crimes_import
from operations.models import CrimeRecord

from .crime_import_helpers import (
    BW_LSOA,
    COUNTS_HEADER,
    HEADER,
    LOOKUP_HEADER,
    crime_id,
    csv_bytes,
    database_state,
    import_crimes,
    row,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("reference_data")]


# --- malformed files, for every import --------------------------------------------------------

IMPORTS = {
    "crimes": (crimes_import, HEADER, row(cid=crime_id(1))),
    "lookup": (area_lookup_import, LOOKUP_HEADER, f"{BW_LSOA},BE"),
    "counts": (crime_counts_import, COUNTS_HEADER, "SH,all,2017-01-01,2017-12-31,15256"),
}
MALFORMED = {
    "wrong encoding": (
        lambda header, good: (f"{header}\n{good}\n{good.replace('1', '2')}Caf\xe9\n").encode("latin-1"),
        "not UTF-8",
    ),
    "missing column": (
        lambda header, good: f"{header.rsplit(',', 1)[0]}\n{good.rsplit(',', 1)[0]}\n".encode(),
        "missing column(s)",
    ),
    "extra column": (
        lambda header, good: f"{header},notes\n{good},x\n".encode(),
        "unexpected column(s): notes",
    ),
    "empty file": (lambda header, good: b"", "The file is empty"),
    "blank lines only": (lambda header, good: b"\n\n", "The file is empty"),
    "header only": (lambda header, good: f"{header}\n".encode(), "header but no rows"),
}


@pytest.mark.parametrize("kind", MALFORMED)
@pytest.mark.parametrize("which", IMPORTS)
def test_a_malformed_file_gets_a_clear_error_and_nothing_is_imported(which, kind):
    service, header, good = IMPORTS[which]
    make, message = MALFORMED[kind]
    before = database_state()

    with pytest.raises(ImportRejected) as caught:
        service(actor=None, data=make(header, good), source_file="bad.csv")

    assert message in caught.value.message
    assert database_state() == before


def test_a_wrong_encoding_after_the_first_batch_leaves_nothing_imported():
    data = csv_bytes(*(row(cid=crime_id(n)) for n in range(2500))) + row(location="Caf\xe9").encode("cp1252")

    with pytest.raises(ImportRejected, match="not UTF-8"):
        import_crimes(data)

    assert CrimeRecord.objects.count() == 0
