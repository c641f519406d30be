"""What the tasking demo plans before it runs the days: the requests each day's TRM will see
(the steady streams of each kind and Op Sceptre's week of action), the threat items, and the
requests received since today's meeting. A mixin of ``tasking.demo._Demo``: it shares its random
generator, so the demo stays the same from run to run."""

from datetime import datetime, timedelta
from decimal import Decimal

from operations.models import Area

from . import services
from .demo_tables import CENTRES, FIREARMS_WEIGHTS, MARKER, NPU_WEIGHTS, STREAMS, THREATS, TRM_AT, K
from .models import Request, ThreatItem
from .models.periods import LONDON


class DemoPlan:
    """The intake and the threat items of ``tasking.demo._Demo``."""

    def _trm_time(self, day):
        return datetime.combine(day, TRM_AT, tzinfo=LONDON)

    def _plan_streams(self):
        for kind, ops, rate, groups, requested_by, resources in STREAMS:
            for _ in range(round(rate * self.days)):
                day = self.first_day + timedelta(days=self.rng.randrange(self.days))
                op = self.rng.choice(ops)
                weights = FIREARMS_WEIGHTS if op == "CAPTIVA" else NPU_WEIGHTS
                allowed = [a.code for a in self.ops[op].areas.all()] if op else []
                npu = self.rng.choices(allowed or list(weights), [weights[c] for c in allowed or weights])[0]
                fields = {
                    "kind": kind, "area": self.areas[npu], "operation": self.ops[op] if op else None,
                    "offence_group": self.groups[self.rng.choice(groups)],
                    "requested_by": f"{MARKER} {requested_by.format(npu=npu)}",
                }  # fmt: skip
                if kind == K.FORENSIC_ARREST:
                    fields["forensic_hit"] = self.rng.choice(list(Request.ForensicHit))
                self._add_intake(day, fields, resources)

    def _plan_sceptre(self):
        """Sceptre: a week of action on knife-point robbery (facts: "Sceptre: top knife/weapon robbery
        outstanding suspects targeted" = 10, "top offenders per NPU targeted" = 3, "knife point robbery
        hotspots identified (force)" = 3). The demo re-runs that week three weeks ago."""
        sceptre, group = self.ops["SCEPTRE"], self.groups["knife-enabled-robbery"]
        # The force-wide top 10 is listed against the force; each suspect lives in some NPU.
        lists = [
            ("WMP", rank, "Top 10 outstanding knife-point robbery suspect (force)") for rank in range(1, 11)
        ]
        lists += [
            (code, rank, f"Top 3 robbery offender for {code}") for code in NPU_WEIGHTS for rank in (1, 2, 3)
        ]
        week = [self.first_day + timedelta(days=max(0, self.days - 28) + i) for i in range(min(7, self.days))]
        force = Area.objects.get(code="WMP")
        for index, (code, rank, reason) in enumerate(lists):
            npu = self.rng.choice(["BE", "BW", "BW", "SW", "CV"]) if code == "WMP" else code
            area = force if code == "WMP" else self.areas[code]
            target = services.operation_target_save(
                actor=self.sup, operation=sceptre, area=area, rank=rank, reason=reason,
                subject_reference=f"DEMO-S{index + 1:06d}", allow_closed_operation=True,
            )  # fmt: skip
            if self.rng.random() < 0.55:  # about half are looked for during the week
                fields = {
                    "kind": K.NPU_ARREST, "area": self.areas[npu], "operation": sceptre,
                    "offence_group": group, "target": target, "subject_reference": target.subject_reference,
                    "requested_by": f"{MARKER} Op Sceptre cell",
                }  # fmt: skip
                self._add_intake(self.rng.choice(week), fields, ["GTF", "FS", "NPU"], due_hours=72)
        for day in week:
            for hotspot in range(1, 4):
                fields = {
                    "kind": K.WEAPONS_SWEEP, "area": self.areas[["BW", "BE", "SW"][hotspot - 1]],
                    "operation": sceptre, "offence_group": group,
                    "requested_by": f"{MARKER} Op Sceptre cell",
                    "location": f"Demo Sceptre hotspot {hotspot}",
                }  # fmt: skip
                self._add_intake(day, fields, ["GTF", "NPU"])

    def _add_intake(self, day, fields, resources, due_hours=None):
        """Received between the previous TRM and this day's (or now, for today)."""
        start = self._trm_time(day - timedelta(days=1))
        end = min(self._trm_time(day), self.now - timedelta(minutes=5))
        received_at = start + (end - start) * self.rng.random()
        self.subjects += 1
        code = fields["area"].code
        lat, lon = CENTRES[code]
        fields.setdefault("subject_reference", f"DEMO-N{self.subjects:06d}")
        fields.setdefault("location", f"Demo location {self.subjects}, {fields['area'].name}")
        fields["latitude"] = Decimal(str(round(lat + self.rng.uniform(-0.03, 0.03), 6)))
        fields["longitude"] = Decimal(str(round(lon + self.rng.uniform(-0.04, 0.04), 6)))
        fields["intelligence_summary"] = (
            f"Demo intelligence: {fields['offence_group'].name.lower()} suspect or location in {code}."
        )
        if due_hours:
            fields["due_by"] = received_at + timedelta(hours=due_hours)
        self.intake.setdefault(day, []).append((received_at, fields, resources))

    def _raise_threats(self):
        items = []
        for index, (category, code, title, rating) in enumerate(THREATS):
            raised = self.now - timedelta(days=self.rng.randint(1, self.days), hours=self.rng.randint(0, 12))
            item = services.threat_item_save(
                actor=self.sup, category=category, area=self.areas[code], title=title, risk_rating=rating,
                owner=f"{code} NPU superintendent", raised_at=raised,
                description=f"Demo threat item: {title.lower()} in {self.areas[code].name}.",
                actions="Hot-grid patrols; intelligence development; targeted arrests via Mission Support.",
            )  # fmt: skip
            if index % 3 == 2:
                item = services.threat_item_save(
                    actor=self.sup, item=item, status=ThreatItem.Status.MONITORING
                )
            items.append(item)
        services.threat_item_save(
            actor=self.sup, item=items[-1], status=ThreatItem.Status.CLOSED,
            actions="Closed: recruitment reduced after school and college engagement.",
        )  # fmt: skip
        return items

    def _late_requests(self):
        """Requests in since today's meeting: most await assessment (the triage queue), a few are
        approved and wait for allocation."""
        for index in range(12):
            kind, ops, _, groups, requested_by, _ = STREAMS[index % len(STREAMS)]
            npu = self.rng.choice(list(NPU_WEIGHTS))
            fields = {
                "kind": kind, "area": self.areas[npu], "operation": self.ops[ops[0]] if ops[0] else None,
                "offence_group": self.groups[groups[0]], "subject_reference": f"DEMO-N{900000 + index:06d}",
                "requested_by": f"{MARKER} {requested_by.format(npu=npu)}",
                "received_at": self.now - timedelta(minutes=self.rng.randint(10, 170)),
            }  # fmt: skip
            if kind == K.FORENSIC_ARREST:
                fields["forensic_hit"] = Request.ForensicHit.DNA
            request = services.request_receive(actor=self.ms, allow_closed_operation=True, **fields)
            self.received += 1
            if index % 4 == 3:
                self._assess(request, reject_rate=0)
