"""The report: a summary table (measure | goal | result | met), then the detailed tables, the
machine and the exact command line; printed and written to BENCHMARKS.md."""

import os
from datetime import datetime
from pathlib import Path


def machine():
    mem = next(
        (
            line.split()[1]
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        ),
        "0",
    )
    load = os.getloadavg()
    return {
        "cores": os.cpu_count(),
        "memory_gib": int(mem) / 1024 / 1024,
        "load": f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}",
    }


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(out)


def ms(value):
    return "—" if value is None else f"{value:.0f} ms" if value >= 10 else f"{value:.1f} ms"


def yes(condition):
    return "—" if condition is None else "yes" if condition else "no"


def summary(r):
    rows = []
    api = r.get("api") or []
    if api:
        ratios = " / ".join(f"{row['ratio']:.2f}" for row in api)
        rows.append(
            (
                "create-outcome throughput ÷ bare DRF create ("
                + "/".join(str(x["clients"]) for x in api)
                + " clients)",
                "≥ 0.6",
                ratios,
                yes(all(row["ratio"] >= 0.6 for row in api)),
            )
        )
        top = api[-1]
        rows.append(
            (
                f"create-outcome p99 at {top['clients']} clients",
                "≤ 150 ms",
                ms(top["real"]["p99"]),
                yes(top["real"]["p99"] <= 150),
            )
        )
    fresh = {row["rate"]: row for row in r.get("freshness") or []}
    if 50 in fresh:
        p95 = fresh[50]["from_response"]["p95"]
        rows.append(
            (
                "freshness p95 at 50 outcomes/s (commit → value stored)",
                "≤ 250 ms",
                ms(p95),
                yes(p95 is not None and p95 <= 250 and not fresh[50]["missing"]),
            )
        )
    cost = r.get("cost") or {}
    if cost.get("small") and cost.get("large"):
        ratio = cost["large"]["median_ms"] / cost["small"]["median_ms"]
        rows.append(
            (
                f"recompute cost per event, {cost['large_missions']:,} ÷ {cost['small_missions']:,} "
                "missions of history",
                "≤ 1.5",
                f"{ratio:.2f} ({cost['large']['median_ms']:.0f} ms vs {cost['small']['median_ms']:.0f} ms)",
                yes(ratio <= 1.5),
            )
        )
    pages = r.get("pages") or []
    if pages:
        worst = max(pages, key=lambda p: p["ms"])
        most = max(pages, key=lambda p: p["queries"])
        rows.append(
            (
                f"dashboard pages: slowest server time ({len(pages)} pages)",
                "≤ 150 ms",
                f"{ms(worst['ms'])} ({worst['page']})",
                yes(worst["ms"] <= 150),
            )
        )
        rows.append(
            (
                "dashboard pages: most queries",
                "≤ 20",
                f"{most['queries']} ({most['page']})",
                yes(most["queries"] <= 20),
            )
        )
    else:
        rows.append(("dashboard pages", "≤ 150 ms, ≤ 20 queries", "not measured: no pages", "no"))
    rec = r.get("reconcile")
    if rec:
        rows.append(
            (
                f"full reconcile at {r['missions']:,} missions: time",
                "≤ 60 s",
                f"{rec['seconds']:.1f} s",
                yes(rec["seconds"] <= 60),
            )
        )
        rows.append(
            (
                "full reconcile: differences",
                "0",
                f"{rec['differences']} of {rec['checked']:,} values",
                yes(rec["differences"] == 0),
            )
        )
    after = r.get("reconcile_after")
    if after:
        rows.append(
            (
                "reconcile after all the load (every outcome counted once)",
                "0 differences",
                str(after["differences"]),
                yes(after["differences"] == 0),
            )
        )
    return table(("measure", "goal", "result", "met"), rows)


def details(r):
    parts = []
    if r.get("api"):
        rows = []
        for row in r["api"]:
            for name, m in (
                ("bare DRF create", row["bare"]),
                ("POST /api/missions/{id}/outcome/", row["real"]),
            ):
                rows.append(
                    (
                        row["clients"],
                        name,
                        m["requests"],
                        m["non2xx"],
                        f"{m['throughput']:.0f}",
                        ms(m["p50"]),
                        ms(m["p95"]),
                        ms(m["p99"]),
                    )
                )
        parts.append(
            "### 1. Create-outcome API vs a bare DRF create\n\n"
            + table(("clients", "endpoint", "requests", "non-2xx", "req/s", "p50", "p95", "p99"), rows)
        )
    if r.get("freshness"):
        rows = [
            (
                f["rate"],
                f["sent"],
                f"{f['achieved_rate']:.0f}",
                f["missing"],
                ms(f["from_response"]["p50"]),
                ms(f["from_response"]["p95"]),
                ms(f["from_response"]["p99"]),
                ms(f["from_request"]["p95"]),
            )
            for f in r["freshness"]
        ]
        parts.append(
            "### 2. Freshness: outcome committed → indicator value stored\n\n"
            + table(
                (
                    "target/s",
                    "outcomes",
                    "achieved/s",
                    "not seen",
                    "p50",
                    "p95",
                    "p99",
                    "p95 from request sent",
                ),
                rows,
            )
        )
    cost = r.get("cost") or {}
    if cost:
        rows = [
            (
                f"{cost[k + '_missions']:,}",
                cost[k]["samples"],
                ms(cost[k]["median_ms"]),
                ms(cost[k]["p95_ms"]),
                cost[k]["queries"],
                cost[k]["max_queries"],
            )
            for k in ("small", "large")
            if cost.get(k)
        ]
        parts.append(
            "### 3. Recompute cost per event (one outcome's drain)\n\n"
            + table(
                ("missions of history", "samples", "median", "p95", "queries (median)", "queries (max)"), rows
            )
        )
    if r.get("pages") is not None:
        rows = [
            (p["page"], p["url"], p["status"], ms(p["ms"]), ms(p["max_ms"]), p["queries"]) for p in r["pages"]
        ]
        text = "### 4. Dashboard pages (server time, in-process test client)\n\n" + table(
            ("page", "url", "status", "median", "max", "queries"), rows
        )
        if r.get("page_notes"):
            text += "\n\n" + "\n".join(f"- {note}" for note in r["page_notes"])
        parts.append(text)
    if r.get("reconcile"):
        rec = r["reconcile"]
        parts.append(
            "### 5. Full reconcile\n\n"
            + table(
                ("missions", "values checked", "differences", "time"),
                [
                    (
                        f"{r['missions']:,}",
                        f"{rec['checked']:,}",
                        rec["differences"],
                        f"{rec['seconds']:.1f} s",
                    )
                ],
            )
        )
    if r.get("memory"):
        rows = [(name, pid, f"{kib / 1024:.0f} MiB") for name, pid, kib in r["memory"]]
        parts.append("### 6. Peak memory (VmHWM)\n\n" + table(("process", "pid", "peak RSS"), rows))
    if r.get("dataset"):
        rows = [(k, f"{v:,}") for k, v in r["dataset"]["rows"].items()]
        rows.append(("generation time", f"{r['dataset']['seconds']:.0f} s"))
        rows.append(("values seeded by indicators_reconcile(repair=True)", f"{r['seed_seconds']:.0f} s"))
        parts.append("### Dataset\n\n" + table(("rows", "count"), rows))
    return "\n\n".join(parts)


def render(r):
    m = r["machine"]
    head = (
        "# Benchmarks\n\n"
        f"Produced by `{r['command']}` on {datetime.now().astimezone():%Y-%m-%d %H:%M %Z}: "
        f"{m['cores']} cores, {m['memory_gib']:.1f} GiB memory, load average at start {m['load']}, "
        f"at end {r.get('load_end', '?')}. Scale {r['scale']}: {r['missions']:,} missions over 5 years.\n\n"
    )
    notes = "\n".join(f"- {note}" for note in r.get("notes", []))
    return (
        head
        + summary(r)
        + "\n\n## Details\n\n"
        + details(r)
        + ("\n\n## Notes\n\n" + notes if notes else "")
        + "\n"
    )


def write(r, path):
    text = render(r)
    Path(path).write_text(text, encoding="utf-8")
    return text
