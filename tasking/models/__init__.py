"""Tasking: requests, assessments, missions, outcomes, TRM meetings, targets and threat items."""

from .missions import Mission, MissionTransition, Outcome
from .patrols import HotGrid, PatrolTrial, PatrolVisit, PatrolWindow, ScheduledPatrol
from .periods import ResourcePeriod, TaskingPeriod
from .requests import Assessment, Request, RequestKind
from .trm import OperationTarget, ThreatItem, TrmDecision, TrmMeeting

__all__ = [
    "Assessment",
    "HotGrid",
    "Mission",
    "MissionTransition",
    "OperationTarget",
    "Outcome",
    "PatrolTrial",
    "PatrolVisit",
    "PatrolWindow",
    "Request",
    "RequestKind",
    "ResourcePeriod",
    "ScheduledPatrol",
    "TaskingPeriod",
    "ThreatItem",
    "TrmDecision",
    "TrmMeeting",
]
