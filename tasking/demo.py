"""Demo activity for tasking: about 60 days of requests, assessments, missions, outcomes, TRM
meetings, threat items and Sceptre targets, ending today.

Everything is made through ``tasking.services`` so every row is validated, audited and has its
events. The services stamp "now" on assessments, allocations, starts and history rows (we pass
``received_at`` and ``completed_at``, and allocate into past periods by passing the period), so
those timestamps show when the demo was built, not when the work happened. Replaying past periods
is what ``allow_past`` (allocations and carry-overs) and ``allow_before_start`` (outcomes) are
for: each past day is played as if it were the current one. ``allow_closed_operation`` (requests and
targets) lets the demo replay a closed operation's week of action (Sceptre's) as if it ran now.

Volumes follow the force's board papers in ``operations/reference_data/facts.json`` (cited below
as "facts: <fact>"); anything else is illustrative. Personal data is minimal and obviously
fictional: subjects are references such as DEMO-N000123 with no name, places "Demo location 12".
"""

import logging
import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from operations.demo import demo_builders
from operations.models import Area, OffenceGroup, Operation, OutcomeType, Resource

from . import services
from .demo_plan import DemoPlan
from .demo_tables import (
    ATTENDEES,
    CANCELLED,
    DAYS,
    MARKER,
    NOT_COMPLETED,
    NPU_WEIGHTS,
    REJECTIONS,
    TRH,
    K,
    outcome_fields,
)
from .models import Outcome, Request, TrmDecision


def build_demo_activity(stdout, days=None):
    """Add ``days`` (default DAYS) of demo tasking activity ending today, once: a second run adds
    nothing."""
    days = days or DAYS
    if Request.objects.filter(requested_by__startswith=MARKER).exists():
        stdout.write("Demo activity already present")
        return
    users = {u.username: u for u in get_user_model().objects.filter(username__in=["mission", "supervisor"])}
    if len(users) < 2 or not Resource.objects.exists():
        stdout.write("Demo activity skipped: demo users or reference data missing")
        return
    started = time.monotonic()
    # One transaction: all or nothing, and fast on SQLite. Its ~15,000 events are dispatched after
    # it (by seed_demo in one go, or in-process on commit); Celery's INFO line per dispatch would
    # bury the seed's own output.
    trace_log = logging.getLogger("celery.app.trace")
    level = trace_log.level
    trace_log.setLevel(max(level, logging.WARNING))
    try:
        with transaction.atomic():
            demo = _Demo(users["mission"], users["supervisor"], days)
            demo.build()
    finally:
        trace_log.setLevel(level)
    stdout.write(
        f"Demo activity created: {days} days, {demo.received} requests and {demo.breaches} curfew-breach "
        f"follow-ups, with their missions, outcomes and TRM meetings ({time.monotonic() - started:.1f}s)."
    )


class _Demo(DemoPlan):
    def __init__(self, mission_user, supervisor, days):
        self.rng = random.Random(2026)  # noqa: S311 - reproducible demo data, not security
        self.ms, self.sup, self.days = mission_user, supervisor, days
        self.now = timezone.now()
        self.last_day = services.period_for(self.now).day
        self.first_day = self.last_day - timedelta(days=days - 1)
        self.areas = {a.code: a for a in Area.objects.filter(kind=Area.Kind.NPU)}
        self.groups = {g.code: g for g in OffenceGroup.objects.all()}
        self.ops = {o.code: o for o in Operation.objects.prefetch_related("areas")}
        self.resources = {r.code: r for r in Resource.objects.filter(active=True)}
        self.outcome_types = {t.code: t for t in OutcomeType.objects.all()}
        self.used, self.capacity = {}, {}  # (resource id, period id) → missions allocated, capacity
        self.received = self.subjects = self.breaches = 0
        self.curfew_breach_debt = 0.0
        self.intake = {}  # day → [(received_at, fields, resources)]
        self.follow_ups = {}  # day → curfew-breach follow-up requests for that day's TRM to assess
        self.meta = {}  # mission id → (usual resources, offence group code, NPU code)
        self.not_completed = []  # missions of the period just run, for the next TRM

    # -- the days ------------------------------------------------------------------------------
    def build(self):
        self._plan_streams()
        self._plan_sceptre()
        threats = self._raise_threats()
        for offset in range(self.days):
            day = self.first_day + timedelta(days=offset)
            period = services.period_for_day(day)
            if offset % 9 == 4:  # a unit abstracted for the day (e.g. mutual aid): capacity override
                osu = self.resources["OSU"]
                services.resource_period_set_capacity(
                    actor=self.sup, resource=osu, period=period, capacity=osu.capacity_per_period // 2,
                    reason="Half of OSU abstracted to mutual aid.",
                )  # fmt: skip
                self.capacity[(osu.pk, period.pk)] = osu.capacity_per_period // 2
            meeting = services.trm_meeting_open(actor=self.sup, date=day, chair=self.sup, attendees=ATTENDEES)
            missions = self._review(meeting, day, period)
            for received_at, fields, resources in self.intake.get(day, []):
                request = services.request_receive(
                    actor=self.ms, received_at=received_at, allow_closed_operation=True, **fields
                )
                self.received += 1
                missions.append(self._task(request, resources, period))
            for request in self.follow_ups.get(day, []):
                missions.append(self._task(request, ["NPU", "FR"], period))
            missions = [m for m in missions if m is not None]
            self._decide(meeting, missions, period, threats)
            if day < self.last_day:
                services.trm_meeting_close(actor=self.sup, meeting=meeting)
            self._run_period(period, missions, day)
        self._late_requests()

    # -- the cycle -------------------------------------------------------------------------------
    def _review(self, meeting, day, period):
        """The meeting decides on what the last period did not complete: carry over, or cancel."""
        carried = []
        waiting, self.not_completed = self.not_completed, []
        for index, mission in enumerate(waiting):
            if day == self.last_day and index % 2 == 0:
                continue  # left for today's meeting to decide: it shows on the agenda
            resources, _, npu = self.meta[mission.pk]
            resource = self._pick(resources, npu, period) if self.rng.random() < 0.75 else None
            if resource is not None:
                services.trm_mission_carry_over(
                    actor=self.sup, meeting=meeting, mission=mission, resource=resource,
                    reason=f"Carry {mission.reference} over to {resource.name}: still wanted.",
                    allow_past=True,
                )  # fmt: skip
                self._use(resource, period)
                mission.resource, mission.period = resource, period  # as the service just set them
                carried.append(mission)
            else:
                services.trm_mission_cancel(
                    actor=self.sup, meeting=meeting, mission=mission, reason=self.rng.choice(CANCELLED)
                )
        return carried

    def _task(self, request, resources, period):
        """Assess a received request and, if approved, allocate its mission into ``period``."""
        mission = self._assess(request)
        if mission is None:
            return None
        self.meta[mission.pk] = (resources, request.offence_group.code, request.area.code)
        resource = self._pick(resources, request.area.code, period)
        if resource is None:
            return None  # nothing free anywhere: stays pending for the TRM to see
        mission = services.mission_allocate(
            actor=self.ms, mission=mission, resource=resource, period=period, allow_past=True
        )
        self._use(resource, period)
        return mission

    def _assess(self, request, reject_rate=0.03):
        base = TRH.get(request.kind, (3, 3, 3))
        threat, risk, harm = (max(1, min(5, score + self.rng.choice((-1, 0, 0, 1)))) for score in base)
        group = request.offence_group.name.lower()
        reject = self.rng.random() < reject_rate
        assessment = services.request_assess(
            actor=self.sup if reject or self.rng.random() < 0.2 else self.ms, request=request,
            threat=threat, threat_rationale=f"Intelligence shows continuing {group} offending.",
            risk=risk, risk_rationale="Risk to the public if not actioned in the next period.",
            harm=harm, harm_rationale=f"Harm weight of {group}; victims in the area.",
            decision="reject" if reject else "approve",
            rejection_reason=self.rng.choice(REJECTIONS) if reject else "",
            enhanced_research_done=request.kind in (K.WARRANT_FIREARMS, K.CAPTIVA_VISIT),
            research_notes="Enhanced intelligence research done." if threat >= 4 else "",
        )  # fmt: skip
        return None if reject else assessment.request.mission

    def _pick(self, codes, npu, period):
        """A resource with room in the period, favouring the freest of the kind's usual ones."""
        for pool in (codes, list(self.resources)):
            options = []
            for code in pool:
                resource = self.resources.get(f"NPU-{npu}" if code == "NPU" else code)
                free = self._capacity(resource, period) - self.used.get((resource.pk, period.pk), 0)
                if free > 0:
                    options.append((resource, free))
            if options:
                return self.rng.choices([r for r, _ in options], [f for _, f in options])[0]
        return None

    def _capacity(self, resource, period):
        return self.capacity.get((resource.pk, period.pk), resource.capacity_per_period)

    def _use(self, resource, period, count=1):
        key = (resource.pk, period.pk)
        self.used[key] = self.used.get(key, 0) + count

    def _decide(self, meeting, missions, period, threats):
        """The meeting's other decisions: a diversion, patrol cover, a threat item review."""
        if missions and self.rng.random() < 0.6:
            index = self.rng.randrange(len(missions))
            mission = missions[index]
            resource = self._pick(["FR", "FS", "OSU", "GTF"], self.meta[mission.pk][2], period)
            if resource is not None and resource.pk != mission.resource_id:
                text = f"Divert {mission.reference} to {resource.name}: its team is on a firearms job."
                services.trm_decision_record(
                    actor=self.sup, meeting=meeting, text=text, kind=TrmDecision.Kind.DIVERT, mission=mission
                )
                missions[index] = services.mission_allocate(
                    actor=self.sup, mission=mission, resource=resource, reason=text
                )
                self._use(mission.resource, period, -1)
                self._use(resource, period)
        npu = self.rng.choice(list(NPU_WEIGHTS))
        services.trm_decision_record(
            actor=self.sup, meeting=meeting, kind=TrmDecision.Kind.PATROL,
            text=f"Hot-grid patrol cover agreed for {npu} overnight (Guardian hot spots).",
        )  # fmt: skip
        item = self.rng.choice(threats)
        services.trm_decision_record(
            actor=self.ms, meeting=meeting, text=f"Threat item reviewed: {item.title}; actions updated.",
        )  # fmt: skip

    def _run_period(self, period, missions, day):
        """Start, complete, fail or cancel the period's missions; today's are still under way."""
        end = min(period.ends_at - timedelta(minutes=30), self.now - timedelta(minutes=2))
        begin = self._trm_time(day) + timedelta(minutes=30)
        # Today's open meeting always has a not-completed mission to decide (see _review), even
        # on a quiet day: the last full period leaves at least one.
        leave_one = day == self.last_day - timedelta(days=1)
        for mission in missions:
            done_at = begin + (period.ends_at - timedelta(minutes=30) - begin) * self.rng.random()
            fate = self.rng.random()
            if done_at > end:  # later today: not done yet
                if fate < 0.4:
                    services.mission_start(actor=self.ms, mission=mission)
                continue
            if day == self.last_day and fate >= 0.7:
                # The current period keeps work under way whatever the hour (at 6 a.m. most of
                # its missions would otherwise be done): about 3 in 10 are still open.
                if fate >= 0.88:
                    services.mission_start(actor=self.ms, mission=mission)
                continue
            if leave_one and not self.not_completed and fate >= 0.08:
                fate = 0.06
            if fate < 0.012:
                services.mission_cancel(actor=self.sup, mission=mission, reason=self.rng.choice(CANCELLED))
                continue
            if fate < 0.08:
                if fate < 0.04:
                    services.mission_start(actor=self.ms, mission=mission)
                reason = self.rng.choice(NOT_COMPLETED)
                self.not_completed.append(
                    services.mission_not_complete(actor=self.ms, mission=mission, reason=reason)
                )
                continue
            services.mission_start(actor=self.ms, mission=mission)
            outcome = services.mission_log_outcome(
                actor=self.ms, mission=mission, completed_at=done_at, allow_before_start=True,
                **self._outcome(mission),
            )  # fmt: skip
            if outcome.result == Outcome.Result.CURFEW_BREACHED:
                self.breaches += 1
                if day < self.last_day:  # its follow-up arrest is assessed at the next TRM
                    self.follow_ups.setdefault(day + timedelta(days=1), []).append(mission.follow_ups.get())

    def _outcome(self, mission):
        """Plausible results and finds for the mission's kind (proportions illustrative)."""
        rng, kind = self.rng, mission.kind
        if kind == K.CURFEW_CHECK:
            # facts: "Curfew breach rate (derived: 60/375)" = 0.16, spread evenly over the checks.
            self.curfew_breach_debt += 60 / 375
            if self.curfew_breach_debt >= 1:
                self.curfew_breach_debt -= 1
                return {"result": Outcome.Result.CURFEW_BREACHED, "notes": "Not at the curfew address."}
            return {"result": Outcome.Result.CURFEW_COMPLIED}
        vehicle_crime = self.meta[mission.pk][1] in ("theft-of-motor-vehicle", "theft-from-motor-vehicle")
        fields = outcome_fields(rng, kind, vehicle_crime)
        if fields.get("arrests") and rng.random() < 0.3:
            fields["home_office_outcome"] = self.outcome_types.get(rng.choice([1, 1, 1, 3, 8, 15]))
        return fields


if build_demo_activity not in demo_builders:
    demo_builders.append(build_demo_activity)
