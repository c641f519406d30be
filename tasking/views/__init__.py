"""Server-rendered Mission Support screens. Views read through selectors and change nothing
themselves: every change is one call to a function in ``tasking.services``."""

from .allocation import AllocationBoardView
from .missions import (
    MissionAllocateView,
    MissionCancelView,
    MissionDetailView,
    MissionListView,
    MissionNotCompletedView,
    MissionStartView,
    OutcomeView,
)
from .patrol_trial import PatrolComplianceView, PatrolGapCoverView, PatrolTrialRandomiseView, PatrolTrialView
from .patrol_visits import PatrolImportView, PatrolVisitCreateView, PatrolVisitListView
from .patrols import HotGridDetailView, HotGridFormView, HotGridListView, PatrolHubView
from .requests import AssessView, RequestCreateView, RequestDetailView, TriageView
from .trm import (
    ThreatItemFormView,
    ThreatItemListView,
    TrmCarryOverView,
    TrmCloseView,
    TrmDecisionView,
    TrmDetailView,
    TrmListView,
    TrmMissionCancelView,
    TrmOpenView,
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
