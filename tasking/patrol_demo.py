"""Demo hot grids and patrols: 57 randomised Guardian hotspots and 24 Vibrant grids, a schedule for the
last ``days`` tasking periods, and visits giving treatment compliance near 75 %.

The grid centres come from ``operations/reference_data/hotspot_centres.csv`` (derived from a real
month of data.police.uk crime by ``scripts/derive_hotspots.py``; the NPU of each grid is
illustrative, see that file's README). Figures from the board papers are cited as "facts: <fact>"
(``operations/reference_data/facts.json``); everything else here (patrol windows, resources, visit
times and lengths, officer references) is illustrative.

Everything goes through ``tasking.services`` so grids are validated, visits audited and events
written to the outbox. Officer references such as "PC 4521" are made up.
"""

import csv
import random
import time
from datetime import time as clock
from datetime import timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operations.demo import demo_builders
from operations.models import Area, OffenceGroup, Operation, Resource

from . import patrol_stats, services
from .geo import square_cell
from .models import HotGrid, PatrolVisit, ScheduledPatrol

CENTRES_CSV = Path(__file__).resolve().parent.parent / "operations" / "reference_data" / "hotspot_centres.csv"
DAYS = 60
SEED = 2026
MARKER = "GDN-"  # the Guardian grid codes: how a second run knows the demo is there

# facts: "Guardian/TGP: share of serious youth violence in hotspots (%)" = 19 and "... share of SYV
# harm in hotspots (%)" = 18.4 (seed 001 §16), spread over the 57 grids by their crime counts.
GUARDIAN_CRIME_SHARE = Decimal("19.00")
GUARDIAN_HARM_SHARE = Decimal("18.40")
# facts: "Guardian/TGP: RCT compliance across force (%)" = 75 (seed 001 §17).
COMPLIANCE = 0.75

OFFENCE_GROUPS = {
    "GUARDIAN": ["serious-youth-violence", "violence-with-injury", "personal-robbery"],
    "VIBRANT": ["residential-burglary", "theft-of-motor-vehicle"],
}
EVERY_DAY, WEEKDAYS = [0, 1, 2, 3, 4, 5, 6], [0, 1, 2, 3, 4]
# Illustrative: the papers give no patrol times.
WINDOWS = {
    "GUARDIAN": [{"weekdays": EVERY_DAY, "start_time": clock(16), "end_time": clock(22)}],
    "VIBRANT": [
        {"weekdays": WEEKDAYS, "start_time": clock(10), "end_time": clock(14)},
        {"weekdays": WEEKDAYS, "start_time": clock(19), "end_time": clock(23)},
    ],
}
GUARDIAN_TASKFORCE_SHARE = 0.3  # of Guardian visits made by the Guardian Taskforce, not the NPU team
CONTROL_VISIT_RATE = 0.15  # business-as-usual visits a day to a control grid (not scheduled)


def centres():
    with CENTRES_CSV.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def shares(weights, total):
    """``total`` split in proportion to ``weights``, to 0.01, summing exactly (largest remainder)."""
    whole = sum(weights)
    raw = [Decimal(total) * Decimal(w) / Decimal(whole) for w in weights]
    cut = [r.quantize(Decimal("0.01"), rounding=ROUND_DOWN) for r in raw]
    short = int((total - sum(cut)) / Decimal("0.01"))
    for i in sorted(range(len(raw)), key=lambda i: (cut[i] - raw[i], i))[:short]:
        cut[i] += Decimal("0.01")
    return cut


def build_patrol_demo(stdout, days=DAYS):
    """Create the demo hot grids, randomise Guardian, schedule ``days`` periods and log visits. Once."""
    if HotGrid.objects.filter(code__startswith=MARKER).exists():
        stdout.write("Patrol demo already present")
        return
    operations = Operation.objects.filter(code__in=OFFENCE_GROUPS).count()
    if operations < len(OFFENCE_GROUPS) or not Resource.objects.filter(code="GTF").exists():
        stdout.write("Patrol demo skipped: reference data missing (run seed_reference)")
        return
    started = time.monotonic()
    with transaction.atomic():
        demo = _PatrolDemo(days)
        demo.build()
    due = ScheduledPatrol.objects.filter(grid__trial_arm=HotGrid.Arm.TREATMENT, arrive_by__lt=timezone.now())
    total = patrol_stats.compliance_total(due)
    stdout.write(
        f"Patrol demo created: {demo.counts['GUARDIAN']} Guardian hot grids ({demo.arms['treatment']} "
        f"treatment, {demo.arms['control']} control), {demo.counts['VIBRANT']} Vibrant; "
        f"{demo.scheduled} patrols over {days} periods, {demo.visits} visits; treatment compliance "
        f"{total['compliance_pct']} % of {total['scheduled']} due patrols; {demo.gaps} gaps "
        f"({time.monotonic() - started:.1f}s)."
    )


class _PatrolDemo:
    def __init__(self, days):
        self.rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not security
        self.days = days
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.active_from = self.today - timedelta(days=days)
        self.last_day = services.period_for(self.now).day
        users = {
            u.username: u for u in get_user_model().objects.filter(username__in=["mission", "supervisor"])
        }
        self.supervisor, self.logger = users.get("supervisor"), users.get("mission")
        self.areas = {a.code: a for a in Area.objects.filter(kind=Area.Kind.NPU)}
        self.operations = {o.code: o for o in Operation.objects.filter(code__in=OFFENCE_GROUPS)}
        self.groups = {g.code: g for g in OffenceGroup.objects.all()}
        self.resources = {r.code: r for r in Resource.objects.all()}
        self.officers = {}
        self.counts = {"GUARDIAN": 0, "VIBRANT": 0}
        self.arms = {"treatment": 0, "control": 0}
        self.scheduled = self.visits = self.gaps = 0

    def build(self):
        self._grids()
        services.hot_grids_randomise(
            actor=self.supervisor,
            operation=self.operations["GUARDIAN"],
            seed=SEED,
            starts_on=self.active_from,
            today=self.active_from,  # the demo's history begins with the randomisation
        )
        for arm in self.arms:
            self.arms[arm] = HotGrid.objects.filter(code__startswith=MARKER, trial_arm=arm).count()
        for offset in range(self.days - 1, -1, -1):
            period = services.period_for_day(self.last_day - timedelta(days=offset))
            self.scheduled += services.patrol_schedule_generate(period=period)
        self._visits()
        self.gaps = len(services.patrol_gaps_detect())

    def _grids(self):
        rows = centres()
        guardian = [row for row in rows if row["operation"] == "GUARDIAN"]
        weights = [int(row["crimes_in_cell"]) for row in guardian]
        crime = dict(zip((r["code"] for r in guardian), shares(weights, GUARDIAN_CRIME_SHARE), strict=True))
        harm = dict(zip((r["code"] for r in guardian), shares(weights, GUARDIAN_HARM_SHARE), strict=True))
        for row in rows:
            operation = row["operation"]
            services.hot_grid_save(
                actor=self.supervisor,
                code=row["code"],
                name=row["name"],
                area=self.areas[row["area_code"]],
                geometry=square_cell(lon=float(row["lon"]), lat=float(row["lat"]), size_m=int(row["size_m"])),
                operation=self.operations[operation],
                crime_share=crime.get(row["code"]),
                harm_share=harm.get(row["code"]),
                active_from=self.active_from,
                ftdb_date=self.active_from,
                offence_groups=[self.groups[code] for code in OFFENCE_GROUPS[operation]],
                windows=WINDOWS[operation],
                reason="demo data (hotspot_centres.csv, derived from police.uk Feb 2011)",
            )
            self.counts[operation] += 1

    # -- visits ----------------------------------------------------------------------------------
    def _officer(self, resource):
        pool = self.officers.get(resource.code)
        if pool is None:
            pool = self.officers[resource.code] = [f"PC {self.rng.randint(1000, 9999)}" for _ in range(6)]
        return self.rng.choice(pool)

    def _dwell(self):
        """Minutes in the grid, around 12-25: about 60 % reach the 15-minute effective dose."""
        return max(4.0, min(45.0, self.rng.gauss(16.5, 5.5)))

    def _log(self, grid, resource, arrived_at):
        left_at = arrived_at + timedelta(minutes=self._dwell())
        if left_at > self.now:
            return False  # not yet happened
        services.patrol_visit_log(
            actor=self.logger,
            grid=grid,
            resource=resource,
            officer_reference=self._officer(resource),
            arrived_at=arrived_at,
            left_at=left_at,
            source=PatrolVisit.Source.FORM,
        )
        self.visits += 1
        return True

    def _resource(self, grid):
        npu_team = self.resources[f"NPU-{grid.area.code}"]
        if grid.operation.code == "GUARDIAN" and self.rng.random() < GUARDIAN_TASKFORCE_SHARE:
            return self.resources["GTF"]
        return npu_team

    def _visits(self):
        patrols = ScheduledPatrol.objects.filter(grid__code__in=self._demo_codes()).select_related(
            "grid", "grid__area", "grid__operation"
        )
        previous_ok = {}  # grid id → was its previous patrol covered
        for patrol in patrols.order_by("starts_at", "grid__code"):
            grid, rng = patrol.grid, self.rng
            resource = self._resource(grid)
            minutes = (patrol.ends_at - patrol.starts_at) / timedelta(minutes=1)
            ok = False
            if rng.random() < COMPLIANCE:
                if grid.operation.code == "GUARDIAN" and rng.random() < 0.15:
                    # Late but inside Guardian's 24 h rule (seed 001 §17): next morning or overnight.
                    arrival = patrol.starts_at + timedelta(minutes=rng.uniform(minutes, 20 * 60))
                else:
                    arrival = patrol.starts_at + timedelta(minutes=rng.uniform(0, minutes - 20))
                ok = self._log(grid, resource, arrival)
            elif rng.random() < 0.4:
                if grid.operation.code == "GUARDIAN":
                    # Too early: before the scheduled start. Only when the previous day's patrol was
                    # covered, or this visit would count for it (it is within that one's 24 h).
                    if previous_ok.get(grid.pk, True):
                        self._log(grid, resource, patrol.starts_at - timedelta(minutes=rng.uniform(90, 300)))
                else:
                    # Too late: after the window closed, so it counts for nothing.
                    self._log(grid, resource, patrol.ends_at + timedelta(minutes=rng.uniform(10, 90)))
            previous_ok[grid.pk] = ok
        self._control_visits()

    def _control_visits(self):
        """Business-as-usual visits to control grids: unscheduled, a few a week (illustrative)."""
        control = HotGrid.objects.filter(
            code__startswith=MARKER, trial_arm=HotGrid.Arm.CONTROL
        ).select_related("area", "operation")
        for offset in range(self.days - 1, -1, -1):
            day = self.last_day - timedelta(days=offset)
            start = services.period_for_day(day).starts_at
            for grid in control:
                if self.rng.random() < CONTROL_VISIT_RATE:
                    arrival = start + timedelta(minutes=self.rng.uniform(0, 23 * 60))
                    self._log(grid, self.resources[f"NPU-{grid.area.code}"], arrival)

    def _demo_codes(self):
        return [row["code"] for row in centres()]


if build_patrol_demo not in demo_builders:
    demo_builders.append(build_patrol_demo)
