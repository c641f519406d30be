"""Scorecard, NPU tables and process charts."""

urlpatterns = []
