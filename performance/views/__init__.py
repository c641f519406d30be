"""Dashboard views: the scorecard, NPU tables and process charts (scorecard.py); operation pages,
patrols, today, the TRM pack and drill-down lists (pages.py)."""
