"""Operation pages, patrols, today, the TRM pack and drill-down lists (mounted at /dashboards/)."""

from django.urls import path

from .operations import OperationView
from .patrols import PatrolsView
from .rows import RowsView
from .today import TodayView
from .trm import TrmPackLatestView, TrmPackView

urlpatterns = [
    path("operations/<str:code>/", OperationView.as_view(), name="operation"),
    path("patrols/", PatrolsView.as_view(), name="patrols"),
    path("today/", TodayView.as_view(), name="today"),
    path("trm/", TrmPackLatestView.as_view(), name="trm-pack-latest"),
    path("trm/<str:date>/", TrmPackView.as_view(), name="trm-pack"),
    path("rows/<str:source>/", RowsView.as_view(), name="rows"),
]
