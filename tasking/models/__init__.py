"""Tasking: requests, assessments, missions, outcomes, TRM meetings, targets and threat items."""

from .missions import Mission, MissionTransition, Outcome
from .periods import ResourcePeriod, TaskingPeriod
from .requests import Assessment, Request, RequestKind
from .trm import OperationTarget, ThreatItem, TrmDecision, TrmMeeting

__all__ = [
    "Assessment",
    "Mission",
    "MissionTransition",
    "OperationTarget",
    "Outcome",
    "Request",
    "RequestKind",
    "ResourcePeriod",
    "TaskingPeriod",
    "ThreatItem",
    "TrmDecision",
    "TrmMeeting",
]
