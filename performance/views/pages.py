"""Operation pages, patrols, today, the TRM pack and drill-down lists."""

urlpatterns = []
