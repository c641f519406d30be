"""Supervisor dashboards, mounted at /dashboards/."""

from .views.pages import urlpatterns as page_urls
from .views.scorecard import urlpatterns as scorecard_urls

app_name = "performance"

urlpatterns = [*scorecard_urls, *page_urls]
