"""The tasking demo's volumes, proportions and texts. Figures cited as "facts: <fact>" come from
the force's board papers in ``operations/reference_data/facts.json``; the rest is illustrative."""

from datetime import time as clock
from decimal import Decimal

from .models import Outcome, RequestKind, ThreatItem

K = RequestKind
MARKER = "Demo:"  # every demo request's requested_by starts with it: how a second run knows
DAYS = 60
TRM_AT = clock(9)  # facts: "Daily TRM meeting time" 09:00 (illustrative in the papers too)

# NPU weights (roughly population; Birmingham split illustrative) and rough centres for the map.
NPU_WEIGHTS = {"BE": 18, "BW": 18, "CV": 12, "DY": 10, "SH": 7, "SW": 11, "WS": 9, "WV": 10}
# facts: "Share of 2017 firearms discharges in Birmingham (%)" = 67.
FIREARMS_WEIGHTS = {"BE": 34, "BW": 33, "CV": 7, "DY": 5, "SH": 3, "SW": 7, "WS": 5, "WV": 6}
CENTRES = {
    "BE": (52.49, -1.83), "BW": (52.47, -1.93), "CV": (52.41, -1.51), "DY": (52.51, -2.09),
    "SH": (52.41, -1.78), "SW": (52.51, -2.01), "WS": (52.59, -1.98), "WV": (52.59, -2.13),
}  # fmt: skip

# Captiva's quarter (facts: "Captiva: firearms warrants in the quarter (Q4 2022/23)" = 54,
# "... other related warrants" = 63, "... Captiva visits" = 139). Choice: the demo runs the
# quarter's pace, so 60 days hold 60/91 of it (about 36, 42 and 92); "other related warrants"
# are split 60/40 between other and drugs warrants.
QUARTER_DAYS = 91
BURGLARY_ROBBERY_VEHICLE = [
    "residential-burglary", "business-community-burglary", "personal-robbery", "business-robbery",
    "theft-of-motor-vehicle", "theft-from-motor-vehicle",
]  # fmt: skip

# (kind, operation code(s), requests per day, offence groups, requested by, resources; "NPU" is the
# source NPU's own team). Rates:
# - Vibrant: facts "just under 500 arrests a month" for burglary, robbery and vehicle crime: 21
#   requests a day give about 16-17 arrests a day once rejections, no-trace and carry-overs count.
# - Curfew checks: facts "Curfew check requests so far in 2018" = 375 in about a month: 12.3 a day.
# - Arrest missions: facts "Arrest missions coordinated ... so far in 2018" = 830 in about a month:
#   Vibrant's 21 plus 4 NPU and 3 forensic-hit arrests a day give about 28 a day.
STREAMS = [
    (K.VIBRANT_ARREST, ["VIBRANT"], 21.0, BURGLARY_ROBBERY_VEHICLE, "Op Vibrant desk",
     ["NPU", "FS", "HHVT", "FR"]),
    (K.NPU_ARREST, [None, None, "SENTINEL", "GUARDIAN"], 4.0,
     ["violence-with-injury", "personal-robbery", "knife-crime", "drug-trafficking"], "{npu} investigations",
     ["NPU", "FR", "HHVT"]),
    (K.FORENSIC_ARREST, [None, "LUCA", "TREASURER"], 3.0,
     ["residential-burglary", "business-community-burglary", "theft-of-motor-vehicle"],
     "Forensic Services (CORVUS)", ["NPU", "HHVT", "FS"]),
    (K.CURFEW_CHECK, [None], 12.3, ["violence-with-injury", "residential-burglary", "personal-robbery"],
     "{npu} offender management", ["NPU", "FR"]),
    (K.WARRANT_FIREARMS, ["CAPTIVA"], 54 / QUARTER_DAYS, ["firearms-offences"], "Force CID (Captiva)",
     ["OSU"]),
    (K.WARRANT_OTHER, ["CAPTIVA"], 63 * 0.6 / QUARTER_DAYS, ["possession-of-weapons"], "Force CID (Captiva)",
     ["OSU", "FS"]),
    (K.WARRANT_DRUGS, ["CAPTIVA"], 63 * 0.4 / QUARTER_DAYS, ["drug-trafficking"], "Force CID (Captiva)",
     ["OSU", "FS"]),
    (K.CAPTIVA_VISIT, ["CAPTIVA"], 139 / QUARTER_DAYS, ["firearms-offences"], "Force CID (Captiva)",
     ["OSU", "FS", "NPU"]),
    (K.WARRANT_DRUGS, ["CLTF", "SKYCLASH", "FERRARI", "ROMANO"], 0.6, ["drug-trafficking"],
     "County Lines Taskforce", ["OSU", "FS", "NPU"]),
    (K.WARRANT_OTHER, ["SECLUSION"], 0.3, ["theft-of-motor-vehicle"], "Vehicle Crime Taskforce",
     ["VCTF", "OSU"]),
    (K.WEAPONS_SWEEP, ["GUARDIAN", "TGP"], 1.0, ["knife-crime"], "Guardian Taskforce", ["GTF", "NPU"]),
    (K.PATROL_SUPPORT, ["GUARDIAN", "TGP", "O2R"], 1.0, ["serious-youth-violence", "shoplifting"],
     "{npu} neighbourhood inspector", ["GTF", "CMPG", "NPU"]),
    (K.OTHER, ["SECLUSION", "STONETHWAITE", None], 0.5,
     ["theft-of-motor-vehicle", "violence-against-the-person"], "{npu} duty inspector",
     ["CMPG", "VCTF", "FR"]),
]  # fmt: skip

# Threat, risk and harm a kind usually scores (an assessor moves each by up to one).
TRH = {
    K.WARRANT_FIREARMS: (5, 4, 5), K.CAPTIVA_VISIT: (4, 3, 4), K.WARRANT_DRUGS: (3, 3, 4),
    K.WARRANT_OTHER: (3, 3, 3), K.CURFEW_CHECK: (2, 3, 2), K.PATROL_SUPPORT: (2, 2, 3), K.OTHER: (2, 2, 2),
}  # fmt: skip
REJECTIONS = [
    "Duplicate of a request already tasked.",
    "Insufficient intelligence: returned to the NPU for development.",
    "Outside Mission Support remit: referred to the neighbourhood team.",
]
NOT_COMPLETED = [
    "Resource diverted to a firearms incident.",
    "Subject not at the address; intelligence refresh requested.",
    "Team abstracted to a critical incident overnight.",
    "Entry team unavailable: rescheduled.",
]
CANCELLED = ["Subject arrested by another unit.", "Intelligence withdrawn by the requesting NPU."]
THREATS = [
    (ThreatItem.Category.CRIME_SERIES, "BW", "Knife-point robbery series near transport hubs", "very_high"),
    (ThreatItem.Category.FIREARMS, "BE", "Firearms discharges linked to a drugs dispute", "very_high"),
    (ThreatItem.Category.ACQUISITIVE, "SH", "Keyless theft of high-value vehicles", "high"),
    (ThreatItem.Category.ACQUISITIVE, "DY", "Catalytic converter thefts from car parks", "medium"),
    (ThreatItem.Category.CRIME_SERIES, "CV", "Distraction burglaries targeting older residents", "high"),
    (ThreatItem.Category.HOT_SPOT, "WV", "City-centre shoplifting hot spot", "medium"),
    (ThreatItem.Category.EMERGING_TREND, "WS", "Cuckooing of vulnerable tenants by county lines", "high"),
    (ThreatItem.Category.EMERGING_TREND, "SW", "Money mule recruitment of students", "medium"),
]
ATTENDEES = (
    "Mission Support Superintendent (chair)\nMission Support / CTAC\nForce Response\nOSU\n"
    "Force Support\nForce Intelligence\nNPU duty inspectors"
)  # facts: "TRM chair"; "Resource/unit named: ..." (seed 000 §41-43)


def outcome_finds(rng, kind, vehicle_crime):
    """What a mission of ``kind`` found (proportions illustrative, totals after the facts cited)."""
    finds = {}
    if kind == K.WARRANT_FIREARMS:
        # facts: "Captiva: lethal barrelled firearms recovered by proactive activity in Q4" = 18.
        if rng.random() < 0.33:
            finds["firearms"] = 1
        if rng.random() < 0.35:
            finds["ammunition_rounds"] = rng.randint(3, 60)
        if rng.random() < 0.15:
            finds["other_finds"] = rng.choice(["Air weapon", "BB gun", "Blank firer"])
    if kind in (K.WARRANT_DRUGS, K.WARRANT_OTHER, K.WARRANT_FIREARMS) and rng.random() < 0.5:
        finds["drugs_class_a_grams"] = Decimal(rng.randint(5, 400))
        finds["drugs_class_b_grams"] = Decimal(rng.choice([0, rng.randint(50, 3000)]))
    if kind in (K.WARRANT_DRUGS, K.WARRANT_FIREARMS, K.WARRANT_OTHER) and rng.random() < 0.35:
        # facts: "Captiva Q4 other recoveries" include "over GBP 1 million cash".
        big = rng.random() < 0.25
        finds["cash_gbp"] = Decimal(rng.randint(10_000, 90_000) if big else rng.randint(500, 9000))
    if kind == K.WEAPONS_SWEEP and rng.random() < 0.3:
        finds["knives_weapons"] = rng.randint(1, 3)
    if vehicle_crime and rng.random() < 0.2:
        finds["vehicles"] = rng.choice([1, 1, 1, 2])
    return finds


def outcome_fields(rng, kind, vehicle_crime):
    """Result, arrests and finds of a mission of ``kind`` carried out (a curfew check excepted:
    its breaches follow the papers' rate), proportions illustrative."""
    if rng.random() < 0.02:
        return {"result": Outcome.Result.ABORTED, "notes": "Aborted on arrival: risk assessment changed."}
    finds = outcome_finds(rng, kind, vehicle_crime)
    if kind in (K.WARRANT_DRUGS, K.WARRANT_OTHER, K.WARRANT_FIREARMS):
        result = Outcome.Result.WARRANT_FINDS if finds else Outcome.Result.WARRANT_NO_FINDS
        arrests = rng.choice([0, 1, 1, 2]) if finds else rng.choice([0, 0, 1])
    elif kind in (K.VIBRANT_ARREST, K.NPU_ARREST, K.FORENSIC_ARREST):
        arrested = rng.random() < 0.8
        result = Outcome.Result.ARRESTED if arrested else Outcome.Result.NOT_FOUND
        arrests = (2 if rng.random() < 0.12 else 1) if arrested else 0
    else:
        # Visits, sweeps, patrols: no result fits "done, nothing to report", so "No trace".
        arrested = rng.random() < 0.12
        result = Outcome.Result.ARRESTED if arrested else Outcome.Result.NOT_FOUND
        arrests = 1 if arrested else 0
    return {"result": result, "arrests": arrests, **finds}
