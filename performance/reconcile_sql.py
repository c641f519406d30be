"""The full reconcile on PostgreSQL, set-based: the same report as the value-by-value Python
reconcile (``performance.reconcile``: the SQLite path, and the oracle of this one).

One statement per calculator family: the family's grouped aggregate (the very query of the Python
path) is summed for each source group's NPU and the force, its operation and 'all'
(``Context.keys_for``); days roll up into weeks and months, months into quarters, calendar and
financial years and the rolling windows kept as ``periods`` defines them; the sums are unpivoted into one
row per indicator and finished by unit (``Context.finish``); a FULL OUTER JOIN with the stored
values keeps only the differences, in a temporary table. A repair is then one INSERT … ON CONFLICT
DO UPDATE. What passes through Python is the differences alone, kept compact (``Differences``).
"""

# ruff: noqa: S608 — statements are built from fixed names, integer ids and Django's own query
# (whose values stay parameters); nothing a user typed is ever formatted into them.

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from . import periods
from .calculators import FAMILIES, expressions
from .engine import Context
from .models import Indicator
from .reconcile import base_rows
from .reconcile_differences import KINDS, NO_AREA, NULL, SCALE, Differences

# Memory for each sort and hash of the reconcile's statements (this transaction only): at 1 M
# missions 64MB gives 16 s and a 0.5 GB server process peak, 256MB 15 s and 0.9 GB.
WORK_MEM = "64MB"
DIFFERENCES = "reconcile_differences"
FETCH = 50_000


def sql_reconcile(*, repair=True):
    """``indicators_reconcile`` on PostgreSQL: the same report, computed in the database."""
    context = Context()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
        cursor.execute("SET LOCAL jit = off")  # compiling costs seconds a statement and saves little
        cursor.execute(f"DROP TABLE IF EXISTS {DIFFERENCES}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {DIFFERENCES} (k varchar(14), i integer, a integer, o integer,"
            " s date, sn numeric, sd numeric, en numeric, ed numeric) ON COMMIT DROP"
        )
        checked, covered = 0, set()
        for family in FAMILIES.values():
            indicators = context.of_family(family)
            if indicators:
                sql, params = _family_sql(context, indicators, family, base_rows(family, indicators))
                cursor.execute(sql, params)
                checked += cursor.fetchone()[0] * len(indicators)
                covered.update(i.pk for i in indicators)
        others = [context.indicators[pk] for pk in context.indicators if pk not in covered]
        if others:  # active, but with no calculator: every stored value is one too many
            nothing = (
                "SELECT NULL::varchar AS k, NULL::integer AS i, NULL::integer AS a, NULL::integer AS o,"
                " NULL::date AS s, NULL::numeric AS n, NULL::numeric AS d, NULL::boolean AS empty WHERE false"
            )
            cursor.execute(_differences_sql(others, nothing))
        cursor.execute(f"SELECT count(*) FROM {DIFFERENCES}")
        found = cursor.fetchone()[0]
        if repair and found:
            cursor.execute(_repair_sql(context), [timezone.now()])
        differences = _fetch() if found else Differences()
        cursor.execute(f"DROP TABLE {DIFFERENCES}")
    return {"checked": checked, "differences": differences, "repaired": repair and bool(differences)}


# ---------------------------------------------------------------------------------- expected


def _int(value):
    return "NULL::integer" if value is None else str(int(value))


def _unit(indicator):
    """'r' rate (denominator: the area's population), 'p' percent, 'c' anything else (none)."""
    return {Indicator.Unit.RATE: "r", Indicator.Unit.PERCENT: "p"}.get(indicator.unit, "c")


def _quantize(x):
    """``Decimal.quantize(FOUR)`` (half to even) of a numeric; exact numbers of up to 4 places
    (every source column today) pass unchanged."""
    return (
        f"(CASE WHEN scale({x}) <= 4 THEN {x} WHEN abs({x} * {SCALE} - trunc({x} * {SCALE})) = 0.5"
        f" THEN (trunc({x} * {SCALE}) + sign({x}) * abs(mod(trunc({x} * {SCALE}), 2))) / {SCALE}"
        f" ELSE round({x}, 4) END)"
    )


def _populations(context):
    rows = ", ".join(f"({_int(a)}, {_int(p)})" for a, p in context.population.items())
    return f"(VALUES {rows or '(NULL::integer, NULL::integer)'}) AS pop (a, pop)"


def _months_of(m):
    """SQL for the first month of each of the coarser periods holding month ``m`` (a date)."""
    y, mo = f"extract(year FROM {m})::integer", f"extract(month FROM {m})::integer"
    index = f"{y} * 12 + {mo} - 1 - r"  # months since year 0, less r
    return {
        periods.QUARTER: f"make_date({y}, ({mo} - 1) / 3 * 3 + 1, 1)",
        periods.YEAR: f"make_date({y}, 1, 1)",
        periods.FINANCIAL_YEAR: f"make_date(CASE WHEN {mo} >= 4 THEN {y} ELSE {y} - 1 END, 4, 1)",
        # The twelve windows holding a month start 0 … 11 months before it (r, below).
        periods.ROLLING_12: f"make_date(({index}) / 12, mod({index}, 12) + 1, 1)",
    }


def _family_sql(context, indicators, family, queryset):
    """One statement for one family: every expected value, finished, compared with the stored
    values of the family's indicators; the differences go into the differences table and the
    statement returns the number of (kind, area, operation, period) buckets computed."""
    inner, params = queryset.query.sql_with_params()
    force = _int(context.force_id)
    counts = {f"n{i.pk}": isinstance(expressions(i)[0], Count) for i in indicators}
    for i in indicators:
        if (denominator := expressions(i)[1]) is not None:
            counts[f"d{i.pk}"] = isinstance(denominator, Count)
    columns = list(counts)
    sums = ", ".join(f"sum({c}) AS {c}" for c in columns)
    plain = ", ".join(columns)
    day_based = family.base == periods.DAY
    month = "make_date(extract(year FROM p)::integer, extract(month FROM p)::integer, 1)"
    months = (
        f"SELECT a, o, {month} AS m, {sums} FROM base GROUP BY 1, 2, 3" if day_based
        else f"SELECT a, o, p AS m, {plain} FROM base"
    )  # fmt: skip
    rolled = []
    if day_based:
        rolled += [
            f"SELECT '{periods.DAY}', a, o, p, {plain} FROM base",
            f"SELECT '{periods.WEEK}', a, o, p - (extract(isodow FROM p)::integer - 1), {sums}"
            " FROM base GROUP BY 2, 3, 4",
        ]
    rolled.append(f"SELECT '{periods.MONTH}', a, o, m, {plain} FROM months")
    # The rolling windows kept are those whose last month has begun (``periods.kept``).
    last_kept = periods.start_of(periods.ROLLING_12, timezone.localdate()).isoformat()
    for kind, start in _months_of("m").items():
        series = ""
        if kind == periods.ROLLING_12:
            series = f" CROSS JOIN generate_series(0, 11) AS r WHERE {start} <= DATE '{last_kept}'"
        rolled.append(f"SELECT '{kind}', a, o, {start}, {sums} FROM months{series} GROUP BY 2, 3, 4")
    # Finished like Context.finish: rounded to 4 places (a count needs no rounding), once per
    # bucket (OFFSET 0 keeps the planner from repeating it in each indicator's row below).
    finished = ", ".join(c if count else f"{_quantize(c)} AS {c}" for c, count in counts.items())
    values = []
    for i in indicators:
        n, unit = f"r.n{i.pk}", _unit(i)
        d = {"r": "NULLIF(pop.pop, 0)::numeric", "c": "NULL::numeric"}.get(unit)
        d = d or (f"r.d{i.pk}" if f"d{i.pk}" in counts else "0")
        empty = f"{n} = 0 AND {d} = 0" if unit == "p" else f"{n} = 0"
        values.append(f"({i.pk}, {n}, {d}, {empty})")
    expected = f"""
        SELECT r.k, v.i, r.a, r.o, r.s, v.n, v.d, v.empty
        FROM (SELECT k, a, o, s, {finished} FROM rolled OFFSET 0) AS r
        LEFT JOIN {_populations(context)} ON pop.a = r.a
        CROSS JOIN LATERAL (VALUES {", ".join(values)}) AS v (i, n, d, empty)
    """
    sql = f"""
        WITH g AS ({inner}),
        base AS (
            SELECT ka.a, ko.o, g.g_period::date AS p,
                   {", ".join(f'COALESCE(sum(g."{c}"), 0)::numeric AS {c}' for c in columns)}
            FROM g
            CROSS JOIN LATERAL unnest(CASE WHEN g.g_area IS NULL OR g.g_area = {force}
                THEN ARRAY[{force}] ELSE ARRAY[g.g_area, {force}] END) AS ka (a)
            CROSS JOIN LATERAL unnest(CASE WHEN COALESCE(g.g_op::integer, 0) = 0
                THEN ARRAY[0] ELSE ARRAY[0, g.g_op::integer] END) AS ko (o)
            GROUP BY 1, 2, 3
        ),
        months AS ({months}),
        rolled (k, a, o, s, {plain}) AS ({" UNION ALL ".join(rolled)}),
        found AS ({_differences_sql(indicators, expected)})
        SELECT count(*) FROM rolled
    """
    return sql, list(params)


# ---------------------------------------------------------------------------------- compared


def _ids(ids):
    return f"ARRAY[{', '.join(_int(i) for i in ids)}]::integer[]"


def _differences_sql(indicators, expected):
    """INSERT into the differences table of the ``expected`` values (k, i, a, o, s, n, d, empty)
    that differ from the stored values of ``indicators``, and of stored values not expected."""
    rates = [i.pk for i in indicators if _unit(i) == "r"]
    return f"""
        INSERT INTO {DIFFERENCES} (k, i, a, o, s, sn, sd, en, ed)
        SELECT COALESCE(e.k, v.period_kind), COALESCE(e.i, v.indicator_id), COALESCE(e.a, v.area_id),
               COALESCE(e.o, v.operation_key), COALESCE(e.s, v.period_start),
               v.numerator, v.denominator, e.n, e.d
        FROM ({expected}) AS e
        FULL JOIN (
            SELECT id, indicator_id, area_id, operation_key, period_kind, period_start, numerator, denominator
            FROM performance_indicatorvalue WHERE indicator_id = ANY({_ids(i.pk for i in indicators)})
        ) AS v
          ON v.period_kind = e.k AND v.indicator_id = e.i AND v.area_id = e.a
             AND v.operation_key = e.o AND v.period_start = e.s
        WHERE CASE
            WHEN v.id IS NULL THEN NOT e.empty
            WHEN e.i IS NULL THEN NOT (v.numerator = 0 AND (v.indicator_id = ANY({_ids(rates)})
                                       OR v.denominator IS NULL OR v.denominator = 0))
            ELSE v.numerator IS DISTINCT FROM e.n OR v.denominator IS DISTINCT FROM e.d
        END
    """


def _repair_sql(context):
    """Every difference written as ``_store`` writes it: the expected value, or, for a stored
    value that should not be there, zero finished by unit (the row is kept, as zero)."""
    units = ", ".join(f"({pk}, '{_unit(i)}')" for pk, i in context.indicators.items())
    value_of = {
        "r": "CASE WHEN den <> 0 THEN round((num * 1000)::numeric(1000, 28) / den, 4) END",
        "p": "CASE WHEN den <> 0 THEN round((num * 100)::numeric(1000, 28) / den, 4) END",
    }
    return f"""
        INSERT INTO performance_indicatorvalue
            (indicator_id, area_id, operation_key, period_kind, period_start,
             value, numerator, denominator, computed_at)
        SELECT i, a, o, k, s, CASE u WHEN 'r' THEN {value_of["r"]} WHEN 'p' THEN {value_of["p"]}
                                     ELSE num END, num, den, %s
        FROM (
            SELECT x.*, u.u, COALESCE(x.en, 0) AS num,
                   CASE WHEN x.en IS NOT NULL THEN x.ed
                        WHEN u.u = 'r' THEN NULLIF(pop.pop, 0)::numeric
                        WHEN u.u = 'p' THEN 0 END AS den
            FROM {DIFFERENCES} AS x
            JOIN (VALUES {units}) AS u (i, u) ON u.i = x.i
            LEFT JOIN {_populations(context)} ON pop.a = x.a
        ) AS fixed
        ORDER BY i, a, o, k, s
        ON CONFLICT (indicator_id, area_id, operation_key, period_kind, period_start) DO UPDATE
        SET value = EXCLUDED.value, numerator = EXCLUDED.numerator,
            denominator = EXCLUDED.denominator, computed_at = EXCLUDED.computed_at
    """


# ---------------------------------------------------------------------------------- reported


def _fetch():
    """The differences, ordered, numbers as integers of 1/10,000 (``NULL`` for none), periods as
    ordinals, read in batches from a server-side cursor."""
    differences = Differences()
    kinds = ", ".join(f"'{kind}'" for kind in KINDS)
    scaled = ", ".join(f"COALESCE(({x} * {SCALE})::bigint, {NULL})" for x in ("sn", "sd", "en", "ed"))
    with connection.connection.cursor(name="reconcile_differences") as named:
        named.execute(
            f"SELECT array_position(ARRAY[{kinds}]::varchar[], k) - 1 AS kind, i, COALESCE(a, {NO_AREA}), o,"
            f" s - DATE '0001-01-01' + 1, {scaled} FROM {DIFFERENCES} ORDER BY i, a, o, kind, s"
        )
        while rows := named.fetchmany(FETCH):
            differences.extend(rows)
    return differences
