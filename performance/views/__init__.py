"""Dashboard views: the scorecard (scorecard.py), NPU tables (npu.py) and process charts
(process_chart.py), sharing base.py; operation pages, patrols, today, the TRM pack and drill-down lists
(pages/)."""
