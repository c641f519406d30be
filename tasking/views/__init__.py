"""Server-rendered Mission Support screens. Views read through selectors and change nothing
themselves: every change is one call to a function in ``tasking.services``."""

from .allocation import AllocationBoardView
from .mission_forms import MissionAllocateView, OutcomeView
from .missions import (
    MissionCancelView,
    MissionDetailView,
    MissionListView,
    MissionNotCompletedView,
    MissionStartView,
)
from .patrol_trial import PatrolComplianceView, PatrolGapCoverView, PatrolTrialRandomiseView, PatrolTrialView
from .patrol_visits import PatrolImportView, PatrolVisitCreateView, PatrolVisitListView
from .patrols import HotGridDetailView, HotGridFormView, HotGridListView, PatrolHubView
from .requests import AssessView, RequestAreaCorrectView, RequestCreateView, RequestDetailView, TriageView
from .threat_items import ThreatItemFormView, ThreatItemListView
from .trm import TrmDetailView, TrmListView, TrmOpenView
from .trm_actions import (
    TrmCarryOverView,
    TrmCloseView,
    TrmDecisionView,
    TrmMissionCancelView,
    TrmReopenView,
    TrmUpdateView,
)

__all__ = [
    "AllocationBoardView",
    "AssessView",
    "HotGridDetailView",
    "HotGridFormView",
    "HotGridListView",
    "MissionAllocateView",
    "MissionCancelView",
    "MissionDetailView",
    "MissionListView",
    "MissionNotCompletedView",
    "MissionStartView",
    "OutcomeView",
    "PatrolComplianceView",
    "PatrolGapCoverView",
    "PatrolHubView",
    "PatrolImportView",
    "PatrolTrialRandomiseView",
    "PatrolTrialView",
    "PatrolVisitCreateView",
    "PatrolVisitListView",
    "RequestAreaCorrectView",
    "RequestCreateView",
    "RequestDetailView",
    "ThreatItemFormView",
    "ThreatItemListView",
    "TriageView",
    "TrmCarryOverView",
    "TrmCloseView",
    "TrmDecisionView",
    "TrmDetailView",
    "TrmListView",
    "TrmMissionCancelView",
    "TrmOpenView",
    "TrmReopenView",
    "TrmUpdateView",
]
