"""``manage.py bench``: build a large dataset, run the app on PostgreSQL + Redis + Celery +
gunicorn on loopback, measure it, and write BENCHMARKS.md. See performance/bench/."""

import shlex
import sys
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from performance.bench import measures, measures_inprocess, report, servers

SMALL_HISTORY = 10_000


class Command(BaseCommand):
    help = "Benchmark the tracker at scale (default 1 M missions) and write BENCHMARKS.md."
    requires_system_checks = []  # the run loads what it needs; a page mid-edit must not stop it

    def add_arguments(self, parser):
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = 1,000,000 missions over 5 years.")
        parser.add_argument("--seed", type=int, default=20260101)
        parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers.")
        parser.add_argument("--celery-concurrency", type=int, default=2)
        parser.add_argument("--port", type=int, default=8765)
        parser.add_argument("--levels", default="1,8,32", help="Concurrent clients for the API measure.")
        parser.add_argument("--duration", type=int, default=10, help="Seconds per API run (upper bound).")
        parser.add_argument(
            "--max-requests",
            type=int,
            default=10_000,
            help="Create-outcome requests per API run (upper bound; one fresh mission each).",
        )
        parser.add_argument(
            "--bare-max-requests",
            type=int,
            default=100_000,
            help="Bare create requests per run (upper bound).",
        )
        parser.add_argument("--rates", default="10,50,100", help="Outcomes per second for freshness.")
        parser.add_argument("--fresh-seconds", type=int, default=10)
        parser.add_argument("--samples", type=int, default=30, help="Drains timed per history size.")
        parser.add_argument("--output", default=str(Path(settings.BASE_DIR) / "BENCHMARKS.md"))
        parser.add_argument("--keep-db", action="store_true", help="Leave the bench database in place.")

    def handle(self, *args, **o):
        redis_url = servers.redis_url_default()
        servers.assert_loopback(redis_url)
        levels = [int(x) for x in o["levels"].split(",")]
        rates = [int(x) for x in o["rates"].split(",")]
        missions = int(1_000_000 * o["scale"])
        pool = len(levels) * o["max_requests"] + sum(rates) * o["fresh_seconds"] + 500
        log_dir = Path(settings.BASE_DIR) / "var" / "bench"
        log_dir.mkdir(parents=True, exist_ok=True)
        r = {
            "command": "manage.py bench " + shlex.join(sys.argv[2:])
            if len(sys.argv) > 2
            else "manage.py bench",
            "machine": report.machine(),
            "scale": o["scale"],
            "missions": missions,
            "notes": [],
        }
        r["notes"].append(
            f"gunicorn: {o['workers']} sync workers; Celery: 1 worker, prefork concurrency "
            f"{o['celery_concurrency']}, at niceness {settings.WORKER_NICE} (WORKER_NICE: the worker and "
            "its session; its PostgreSQL backends run at the database's own); PostgreSQL database "
            f"`{servers.database_name()}`, Redis {redis_url}; load generator, servers and database "
            "share the same machine."
        )
        r["notes"].append(
            "The generated history and the seeded values are vacuumed and analysed after loading, "
            "as autovacuum would do on a running server (this machine's PostgreSQL runs with "
            "autovacuum off)."
        )
        r["notes"].append(
            "Cost per event: each sample marks the buckets one historic outcome touches, gives every "
            "one of them a stale stored value (a placeholder where none was stored) so that the drain "
            "stores and rolls up all of them at either history size, times the drain, and rolls back."
        )
        small = min(SMALL_HISTORY, missions)
        cost = {"small_missions": small, "large_missions": missions}
        if missions > small:
            self.log(f"History of {small:,} missions for the small cost-per-event measure")
            self.build(small, 0, o["seed"], r, record=False)
            cost["small"] = measures_inprocess.drain_cost(samples=o["samples"])
            self.log(f"  drain at {small:,}: {cost['small']}")
        self.log(f"Dataset: {missions:,} missions (+{pool:,} in progress for the API)")
        token, supervisor = self.build(missions, pool, o["seed"], r, record=True)
        cost["large"] = measures_inprocess.drain_cost(samples=o["samples"])
        cost.setdefault("small", cost["large"])
        r["cost"] = cost
        self.log(f"  drain at {missions:,}: {cost['large']}")
        self.log("Full reconcile (repair=False)")
        r["reconcile"] = measures_inprocess.reconcile_timed()
        self.log(f"  {r['reconcile']['seconds']:.1f} s, {r['reconcile']['differences']} differences")
        r["memory"] = [("bench command (generation, seeding, reconcile)", "self", servers.vm_hwm_kib("self"))]
        self.log("Dashboard pages")
        r["pages"], r["page_notes"] = measures_inprocess.dashboard_pages(user=supervisor)
        self.serve_and_load(o, r, token, redis_url, log_dir, levels, rates)
        self.log("Reconcile after the load")
        r["reconcile_after"] = measures_inprocess.reconcile_timed()
        r["load_end"] = report.machine()["load"]
        text = report.write(r, o["output"])
        self.stdout.write(text)
        if not o["keep_db"]:
            servers.database_recreate(create=False)

    def build(self, missions, pool, seed, r, record):
        from operations.models import Event
        from operations.reference import reference_data_load
        from performance.bench.dataset import bench_users, dataset_generate, vacuum_analyze
        from performance.dirty import indicators_drain
        from performance.reconcile import indicators_reconcile

        servers.database_recreate()
        call_command("migrate", verbosity=0)
        reference_data_load()
        token, _mission_user, supervisor = bench_users()
        counts = dataset_generate(missions=missions, seed=seed, pool=pool, log=self.log)
        self.log(f"  generated in {counts.seconds:.0f} s: {counts.rows}")
        start = time.monotonic()
        indicators_reconcile(repair=True)
        indicators_drain()
        Event.objects.filter(processed_at__isnull=True).update(processed_at=timezone.now())
        vacuum_analyze(["performance_indicatorvalue", "performance_dirtybucket", "operations_event"])
        seeded = time.monotonic() - start
        self.log(f"  values seeded in {seeded:.0f} s")
        if record:
            r["dataset"], r["seed_seconds"] = {"rows": counts.rows, "seconds": counts.seconds}, seeded
        return token, supervisor

    def serve_and_load(self, o, r, token, redis_url, log_dir, levels, rates):
        from operations.models import Event
        from performance.bench.bare import create_table_sql
        from tasking.models import Mission

        with connection.cursor() as cursor:
            for sql in create_table_sql():
                cursor.execute(sql)
        pool = list(Mission.objects.filter(state="in_progress").order_by("pk").values_list("pk", flat=True))
        Event.objects.filter(processed_at__isnull=True).update(processed_at=timezone.now())
        servers.redis_flush(redis_url)
        base_url = f"http://127.0.0.1:{o['port']}"
        procs = []
        try:
            procs.append(
                servers.celery_start(
                    concurrency=o["celery_concurrency"], redis_url=redis_url, log_dir=log_dir
                )
            )
            procs.append(
                servers.gunicorn_start(
                    port=o["port"], workers=o["workers"], redis_url=redis_url, log_dir=log_dir
                )
            )
            self.log("Create-outcome API vs bare create")
            r["api"], pool = measures.api_compare(
                base_url=base_url,
                token=token,
                pool=pool,
                levels=levels,
                duration=o["duration"],
                max_requests=o["max_requests"],
                bare_max_requests=o["bare_max_requests"],
                settle=self.settle,
            )
            for row in r["api"]:
                self.log(
                    f"  {row['clients']} clients: real {row['real']['throughput']:.0f}/s "
                    f"p99 {row['real']['p99']:.0f} ms, bare {row['bare']['throughput']:.0f}/s, "
                    f"ratio {row['ratio']:.2f}"
                )
            self.log("Freshness")
            bucket = measures.freshness_prepare()
            r["freshness"] = []
            for rate in rates:
                need = rate * o["fresh_seconds"]
                result = measures.freshness_run(
                    base_url=base_url,
                    token=token,
                    ids=pool[:need],
                    rate=rate,
                    seconds=o["fresh_seconds"],
                    settle=self.settle,
                    bucket=bucket,
                )
                pool = pool[need:]
                r["freshness"].append(result)
                self.log(f"  {rate}/s: p95 {result['from_response']['p95']} ms, missing {result['missing']}")
            for proc in procs:
                for pid in proc.tree():
                    r["memory"].append(
                        (
                            f"{proc.name} {'master' if pid == proc.pid else 'child'}",
                            pid,
                            servers.vm_hwm_kib(pid),
                        )
                    )
        finally:
            for proc in reversed(procs):
                proc.stop()

    def settle(self, timeout=120):
        """Wait until every event is dispatched and no bucket is dirty (the worker caught up)."""
        from operations.models import Event
        from performance.models import DirtyBucket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (
                not Event.objects.filter(processed_at__isnull=True).exists()
                and not DirtyBucket.objects.exists()
            ):
                return True
            time.sleep(0.1)
        self.log("  (the worker had not caught up after 2 minutes)")
        return False

    def log(self, message):
        self.stderr.write(message)
        self.stderr.flush()
