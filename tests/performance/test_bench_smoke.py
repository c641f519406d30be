"""The benchmark's dataset generator at a tiny scale, so it cannot rot: the rows it promises
exist, they are consistent with the domain, and the values it seeds reconcile with 0 differences.
(The benchmark itself, `make bench`, is far too slow for the suite.)"""

import pytest

from performance.bench.dataset import bench_users, dataset_generate
from performance.reconcile import indicators_reconcile
from tasking.models import Mission, MissionTransition, Outcome

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_the_benchmark_dataset_generator_makes_consistent_history_that_reconciles(perf_reference):
    bench_users()
    counts = dataset_generate(missions=2_000, pool=50, grids=2, crimes=500, threaded=False)

    assert Mission.objects.count() == 2_050 == counts.rows["missions"]
    assert Mission.objects.filter(state="in_progress").count() == 50
    assert (
        Outcome.objects.count()
        == counts.rows["outcomes"]
        == Mission.objects.filter(state="completed").count()
    )
    assert MissionTransition.objects.count() == counts.rows["transitions"]
    assert counts.rows["crimes"] == 500 and counts.rows["patrols"] > 0 and counts.rows["visits"] > 0
    seeded = indicators_reconcile(repair=True)
    assert seeded["differences"]  # the generator writes source rows only: values come from the engine
    assert indicators_reconcile(repair=False)["differences"] == []
