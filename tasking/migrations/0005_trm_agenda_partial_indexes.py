"""Partial indexes for the TRM agenda (tasking/agenda.py), so the TRM pages read what they list
without scanning the history.

- Missions not completed, by period: the agenda walks the periods by day and looks up each one's
  missions not completed here, and counts them all from this small index.
- Requests with a deadline flag, by deadline: the agenda lists the flagged requests that are still
  open, soonest first, and would otherwise read every request ever received.

Both are partial (PostgreSQL and SQLite support them).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("tasking", "0004_indicator_day_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="mission",
            index=models.Index(
                condition=models.Q(("state", "not_completed")),
                fields=["period", "due_by", "id"],
                name="mission_not_completed_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="request",
            index=models.Index(
                condition=models.Q(
                    ("at_risk_flagged_at__isnull", False),
                    ("overdue_flagged_at__isnull", False),
                    _connector="OR",
                ),
                fields=["due_by", "id"],
                name="request_deadline_flagged_idx",
            ),
        ),
    ]
