"""The differences a PostgreSQL reconcile finds, kept compact: a first reconcile of a large history
finds every value missing, so they are held as columns of machine integers, read as a list."""

from array import array
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from . import periods

KINDS = [kind for kind, _ in periods.KINDS]  # differences are ordered by this index
NULL = -(2**63)  # a missing number in the integer columns of ``Differences``
NO_AREA = -1  # no area (only when there is no force area to count under)
SCALE = 10_000  # stored numbers have 4 decimal places: kept as integers of 1/10,000


class Differences(Sequence):
    """The differences of a reconcile, each ``((kind, indicator, area, operation, start), stored,
    expected)`` with stored and expected ``(numerator, denominator)`` or None: a list to its
    readers, but kept as columns of machine integers (some fifty bytes a difference rather than
    some five hundred), since a first reconcile of a large history finds every value missing."""

    def __init__(self):
        # kind index; indicator, area, operation, start ordinal; four numbers (see ``_fetch``)
        self._columns = tuple(array(code) for code in "biiiiqqqq")

    def extend(self, rows):
        for column, values in zip(self._columns, zip(*rows, strict=True), strict=True):
            column.extend(values)

    def __len__(self):
        return len(self._columns[0])

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        kind, i, a, o, s, sn, sd, en, ed = (column[index] for column in self._columns)
        key = (KINDS[kind], i, None if a == NO_AREA else a, o, date.fromordinal(s))
        return key, _pair(sn, sd), _pair(en, ed)

    def __eq__(self, other):
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None

    def __repr__(self):
        more = f", … {len(self) - 10} more" if len(self) > 10 else ""
        return f"Differences({self[:10]!r}{more})"


def _number(value):
    return None if value == NULL else Decimal(value).scaleb(-4)


def _pair(numerator, denominator):
    return None if numerator == NULL else (_number(numerator), _number(denominator))
