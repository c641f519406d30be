"""Supervisor dashboards, mounted at /dashboards/."""

from django.urls import path

from .views.npu import NpuTableView
from .views.pages import urlpatterns as page_urls
from .views.process_chart import ProcessChartView
from .views.scorecard import ScorecardView

app_name = "performance"

urlpatterns = [
    path("", ScorecardView.as_view(), name="scorecard"),
    path("npu/", NpuTableView.as_view(), name="npu-table"),
    path("indicators/<slug:code>/", ProcessChartView.as_view(), name="process-chart"),
    *page_urls,
]
