"""Mission Support screens, mounted at the site root: /requests/, /missions/, /allocation/, /trm/."""

from django.urls import path, register_converter

from . import views

app_name = "tasking"


class IsoDateConverter:
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value if isinstance(value, str) else value.isoformat()


register_converter(IsoDateConverter, "isodate")

urlpatterns = [
    path("requests/", views.TriageView.as_view(), name="triage"),
    path("requests/new/", views.RequestCreateView.as_view(), name="request-create"),
    path("requests/<int:pk>/", views.RequestDetailView.as_view(), name="request-detail"),
    path("requests/<int:pk>/assess/", views.AssessView.as_view(), name="request-assess"),
    path(
        "requests/<int:pk>/correct-npu/", views.RequestAreaCorrectView.as_view(), name="request-correct-area"
    ),
    path("missions/", views.MissionListView.as_view(), name="mission-list"),
    path("missions/<int:pk>/", views.MissionDetailView.as_view(), name="mission-detail"),
    path("missions/<int:pk>/start/", views.MissionStartView.as_view(), name="mission-start"),
    path(
        "missions/<int:pk>/not-completed/",
        views.MissionNotCompletedView.as_view(),
        name="mission-not-completed",
    ),
    path("missions/<int:pk>/cancel/", views.MissionCancelView.as_view(), name="mission-cancel"),
    path("missions/<int:pk>/allocate/", views.MissionAllocateView.as_view(), name="mission-allocate"),
    path("missions/<int:pk>/outcome/", views.OutcomeView.as_view(), name="mission-outcome"),
    path("allocation/", views.AllocationBoardView.as_view(), name="allocation"),
    path("trm/", views.TrmListView.as_view(), name="trm-list"),
    path("trm/open/", views.TrmOpenView.as_view(), name="trm-open"),
    path("trm/<isodate:date>/", views.TrmDetailView.as_view(), name="trm-detail"),
    path("trm/<isodate:date>/decisions/", views.TrmDecisionView.as_view(), name="trm-decision"),
    path("trm/<isodate:date>/update/", views.TrmUpdateView.as_view(), name="trm-update"),
    path("trm/<isodate:date>/close/", views.TrmCloseView.as_view(), name="trm-close"),
    path("trm/<isodate:date>/reopen/", views.TrmReopenView.as_view(), name="trm-reopen"),
    path(
        "trm/<isodate:date>/missions/<int:pk>/carry-over/",
        views.TrmCarryOverView.as_view(),
        name="trm-carry-over",
    ),
    path(
        "trm/<isodate:date>/missions/<int:pk>/cancel/",
        views.TrmMissionCancelView.as_view(),
        name="trm-cancel",
    ),
    path("threat-items/", views.ThreatItemListView.as_view(), name="threat-list"),
    path("threat-items/new/", views.ThreatItemFormView.as_view(), name="threat-create"),
    path("threat-items/<int:pk>/edit/", views.ThreatItemFormView.as_view(), name="threat-edit"),
    # Hot grids and patrols
    path("patrols/", views.PatrolHubView.as_view(), name="patrols"),
    path("patrols/grids/", views.HotGridListView.as_view(), name="hot-grid-list"),
    path("patrols/grids/new/", views.HotGridFormView.as_view(), name="hot-grid-create"),
    path("patrols/grids/<int:pk>/", views.HotGridDetailView.as_view(), name="hot-grid-detail"),
    path("patrols/grids/<int:pk>/edit/", views.HotGridFormView.as_view(), name="hot-grid-edit"),
    path("patrols/visits/", views.PatrolVisitListView.as_view(), name="patrol-visit-list"),
    path("patrols/visits/new/", views.PatrolVisitCreateView.as_view(), name="patrol-visit-create"),
    path("patrols/visits/import/", views.PatrolImportView.as_view(), name="patrol-visit-import"),
    path("patrols/compliance/", views.PatrolComplianceView.as_view(), name="patrol-compliance"),
    path("patrols/gaps/<int:pk>/cover/", views.PatrolGapCoverView.as_view(), name="patrol-gap-cover"),
    path("patrols/trials/<str:code>/", views.PatrolTrialView.as_view(), name="patrol-trial"),
    path(
        "patrols/trials/<str:code>/randomise/",
        views.PatrolTrialRandomiseView.as_view(),
        name="patrol-trial-randomise",
    ),
]
