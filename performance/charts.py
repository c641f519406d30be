"""Server-rendered SVG charts: a tile's sparkline and the SPC process chart.

No JavaScript: each chart is an accessible image (role="img" with a <title> and <desc>), and every
page that draws one also shows the same numbers as a table. Colour is never the only signal: special
cause points are also drawn as shapes (improvement ▲, concern ■) and named in each point's <title>.
"""

import math
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)

SIGNAL_WORDS = {
    "beyond_limit": "beyond a process limit",
    "shift": "run of 7 on one side of the mean",
    "trend": "trend of 7 rising or falling",
    "two_of_three": "2 of 3 beyond the 2σ line",
}


def _n(x):
    return f"{x:.1f}".rstrip("0").rstrip(".")


def sparkline(values: list[float | None], *, width=120, height=32, label="") -> SafeString:
    """A small line of ``values`` (None leaves a gap), the last value marked with a dot."""
    present = [v for v in values if v is not None]
    title = escape(label or "Trend")
    if not present:
        desc = "No values yet."
    else:
        desc = "Values, oldest first: " + ", ".join("no value" if v is None else _n(v) for v in values) + "."
    parts = [
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" focusable="false" '
        f'aria-labelledby="sp{{id}}t sp{{id}}d">'
        f'<title id="sp{{id}}t">{title}</title><desc id="sp{{id}}d">{escape(desc)}</desc>'
    ]
    if present:
        low, high = min(present), max(present)
        span = (high - low) or 1.0
        pad = 3
        step = (width - 2 * pad) / max(len(values) - 1, 1)

        def xy(i, v):
            y = height - pad - (v - low) / span * (height - 2 * pad) if high != low else height / 2
            return pad + i * step, y

        run = []
        for i, v in enumerate([*values, None]):
            if v is None:
                if len(run) > 1:
                    points = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                    parts.append(f'<polyline class="sparkline__line" points="{points}"/>')
                elif run:
                    x, y = run[0]
                    parts.append(f'<circle class="sparkline__line" cx="{x:.1f}" cy="{y:.1f}" r="1.5"/>')
                run = []
            else:
                run.append(xy(i, v))
        last = max(i for i, v in enumerate(values) if v is not None)
        x, y = xy(last, values[last])
        parts.append(f'<circle class="sparkline__last" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
    parts.append("</svg>")
    # Safe: every text interpolated above went through escape(); the rest are numbers.
    return mark_safe("".join(parts).replace("{id}", str(next(_ids))))  # noqa: S308


def _nice_ticks(low, high, target=5):
    if high == low:
        high, low = high + 1, low - 1
    raw = (high - low) / target
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step) * step
    ticks, tick = [], first
    while tick <= high + step * 0.001:
        ticks.append(round(tick, 10))
        tick += step
    if ticks[-1] < high:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _shape(kind, x, y):
    if kind == "improvement":  # an upward triangle
        return f'<polygon points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y + 4.5:.1f} {x - 6:.1f},{y + 4.5:.1f}"/>'
    if kind == "concern":  # a square
        return f'<rect x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5"/>'


def signal_words(point):
    """'Special cause — concern: beyond a process limit, …' or 'Common cause'."""
    if point.value is None:
        return "No value"
    if not point.special_cause:
        return "Common cause"
    rules = sorted({SIGNAL_WORDS[s.rule] for s in point.signals})
    return f"Special cause — {point.special_cause}: " + ", ".join(rules)


def process_chart(
    chart, *, labels, fmt, breaks=(), title="", desc="", point_labels=None, width=860, height=340
) -> SafeString:
    """The XmR chart: points joined by a line, each segment's mean, process limits and (dashed) 2σ
    lines, special-cause points coloured *and* shaped, labelled vertical lines at ``breaks``
    [(date, text)], y ticks and x labels. ``labels`` name the points on the axis, ``point_labels``
    (longer, default ``labels``) in each point's hover title; ``fmt`` formats a number."""
    point_labels = point_labels or labels
    points = chart.points
    left, right, top, bottom = 64, 16, 28, 46
    plot_w, plot_h = width - left - right, height - top - bottom
    numbers = [
        v
        for p in points
        for v in (p.value, p.upper_limit, p.lower_limit)
        if v is not None and math.isfinite(v)
    ]
    if chart.target is not None:
        numbers.append(chart.target)
    uid = next(_ids)
    head = (
        f'<svg class="spc-chart" viewBox="0 0 {width} {height}" '
        f'role="img" focusable="false" aria-labelledby="spc{uid}t spc{uid}d" '
        'preserveAspectRatio="xMinYMin meet">'
        f'<title id="spc{uid}t">{escape(title)}</title><desc id="spc{uid}d">{escape(desc)}</desc>'
    )
    if not numbers:
        head = head.replace(f"0 0 {width} {height}", f"0 0 {width} 60", 1)  # a short empty box
        return mark_safe(  # noqa: S308 (titles escaped above)
            head + '<text x="12" y="34" class="spc-chart__empty">No values for this selection.</text></svg>'
        )
    ticks = _nice_ticks(min(numbers), max(numbers))
    low, high = ticks[0], ticks[-1]
    step = plot_w / max(len(points), 1)

    def x_of(i):
        return left + step * (i + 0.5)

    def y_of(v):
        return top + plot_h - (v - low) / (high - low) * plot_h

    out = [head, '<g class="spc-chart__axes">']
    for tick in ticks:
        y = y_of(tick)
        out.append(
            f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>'
            f'<text class="tick tick--y" x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(fmt(tick))}</text>"
        )
    every = max(1, math.ceil(len(points) / 12))
    shown = list(range(0, len(points), every))
    if shown and len(points) - 1 - shown[-1] >= every / 2:
        shown.append(len(points) - 1)  # the latest period is always labelled
    for i in shown:
        out.append(
            f'<text class="tick tick--x" x="{x_of(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle">'
            f"{escape(labels[i])}</text>"
        )
    out.append(
        f'<line class="axis" x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}"/>'
        f'<line class="axis" x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}"/></g>'
    )

    # Each segment's lines, drawn across its own points only.
    segments = {}
    for i, p in enumerate(points):
        segments.setdefault(p.segment, []).append(i)
    for indices in segments.values():
        p = points[indices[0]]
        if p.mean is None:
            continue
        x1, x2 = x_of(indices[0]) - step / 2, x_of(indices[-1]) + step / 2
        for cls, value in (
            ("line--limit line--upper", p.upper_limit),
            ("line--limit line--lower", p.lower_limit),
            ("line--sigma2", p.upper_2sigma),
            ("line--sigma2", p.lower_2sigma),
            ("line--mean", p.mean),
        ):
            y = y_of(value)
            out.append(f'<line class="{cls}" x1="{x1:.1f}" x2="{x2:.1f}" y1="{y:.1f}" y2="{y:.1f}"/>')
    if chart.target is not None:
        y = y_of(chart.target)
        out.append(f'<line class="line--target" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}"/>')

    for when, text in breaks:
        after = next((i for i, p in enumerate(points) if p.period_start >= when), None)
        if not after:  # before the first point or after the last: nothing to separate
            continue
        x = x_of(after) - step / 2
        out.append(
            f'<g class="break"><line class="line--break" x1="{x:.1f}" x2="{x:.1f}" y1="{top - 6}" '
            f'y2="{top + plot_h}"/><text class="break__label" x="{x + 3:.1f}" y="{top - 10}">'
            f"{escape(text)}</text></g>"
        )

    run = []
    for i, p in enumerate([*points, None]):
        if p is None or p.value is None:
            if len(run) > 1:
                out.append(f'<polyline class="line--data" points="{" ".join(run)}"/>')
            run = []
        else:
            run.append(f"{x_of(i):.1f},{y_of(p.value):.1f}")
    for i, p in enumerate(points):
        if p.value is None:
            continue
        kind = p.special_cause or "common"
        out.append(
            f'<g class="point point--{kind}"><title>{escape(point_labels[i])}: {escape(fmt(p.value))} — '
            f"{escape(signal_words(p))}</title>{_shape(kind, x_of(i), y_of(p.value))}</g>"
        )
    out.append("</svg>")
    # Safe: labels, titles and formatted numbers all went through escape().
    return mark_safe("".join(out))  # noqa: S308
