"""Rolling windows whose last month has not begun are no longer kept (``periods.kept``): remove
the ones stored before. No value and a zero value read the same, and each window is stored again
from its last month's first day."""

from django.db import migrations
from django.utils import timezone


def windows_to_come_remove(apps, schema_editor):
    from performance import periods

    IndicatorValue = apps.get_model("performance", "IndicatorValue")
    last_kept = periods.start_of(periods.ROLLING_12, timezone.localdate())
    IndicatorValue.objects.filter(period_kind=periods.ROLLING_12, period_start__gt=last_kept).delete()


class Migration(migrations.Migration):
    dependencies = [("performance", "0002_indicator_value_period_index")]

    operations = [migrations.RunPython(windows_to_come_remove, migrations.RunPython.noop)]
