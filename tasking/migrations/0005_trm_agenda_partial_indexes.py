"""Partial indexes for the TRM agenda (tasking/agenda.py), so the TRM pack reads what it lists
without scanning the history.

- Missions not completed, by period: the agenda walks the periods by day and looks up each one's
  missions not completed here, and counts them all from this small index.
- Requests with a deadline flag, by deadline: the agenda lists the flagged requests that are still
  open, soonest first, and would otherwise read every request ever received.

Both are partial (PostgreSQL and SQLite support them) and written as SQL: the models do not declare
them, so the migration state is unchanged and ``makemigrations`` proposes nothing.
"""

from django.db import migrations

MISSION_INDEX = "mission_not_completed_idx"
REQUEST_INDEX = "request_deadline_flagged_idx"


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0004_indicator_day_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE INDEX {MISSION_INDEX} ON tasking_mission (period_id, due_by, id) "
            "WHERE state = 'not_completed'",
            f"DROP INDEX {MISSION_INDEX}",
        ),
        migrations.RunSQL(
            f"CREATE INDEX {REQUEST_INDEX} ON tasking_request (due_by, id) "
            "WHERE at_risk_flagged_at IS NOT NULL OR overdue_flagged_at IS NOT NULL",
            f"DROP INDEX {REQUEST_INDEX}",
        ),
    ]
