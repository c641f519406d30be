"""Randomised deployment: reproducible, balanced within each NPU, locked once the trial starts."""

from collections import Counter
from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from operations.exceptions import Conflict
from operations.models import AuditEntry, Operation
from tasking import patrol_stats, services
from tasking.models import HotGrid, PatrolTrial, ScheduledPatrol

from .patrol_helpers import grid_make, local, patrol_reference, schedule, visit_log  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("patrol_reference")]

TODAY = date(2026, 6, 1)
NEXT_MONTH = date(2026, 7, 1)
# Grids per NPU: odd and even counts, so the balance rule is tested both ways.
LAYOUT = {"BE": 5, "BW": 4, "CV": 3, "DY": 2, "SH": 1}


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(local(2026, 6, 1, 12, 0), tick=False):
        yield


def guardian():
    return Operation.objects.get(code="GUARDIAN")


def make_grids(prefix="TGP", operation="GUARDIAN"):
    return [
        grid_make(code=f"{prefix}-{area}-{i}", area=area, operation=operation)
        for area, count in LAYOUT.items()
        for i in range(count)
    ]


def arms(operation=None):
    """{grid code suffix (without prefix): arm} for the operation's grids."""
    grids = HotGrid.objects.filter(operation=operation or guardian())
    return {code.split("-", 1)[1]: arm for code, arm in grids.values_list("code", "trial_arm")}


def randomise(actor=None, seed=42, operation=None, starts_on=NEXT_MONTH):
    return services.hot_grids_randomise(
        actor=actor, operation=operation or guardian(), seed=seed, starts_on=starts_on
    )


def test_every_grid_is_assigned_to_treatment_or_control(supervisor):
    make_grids()
    randomise(supervisor)
    assert set(arms().values()) == {HotGrid.Arm.TREATMENT, HotGrid.Arm.CONTROL}
    assert len(arms()) == sum(LAYOUT.values())


def test_each_npu_is_balanced_within_one_grid(supervisor):
    make_grids()
    for seed in (1, 2, 3, 42, 2026):
        randomise(supervisor, seed=seed)
        for row in services.trial_balance(guardian()):
            assert abs(row["treatment"] - row["control"]) <= 1, (seed, row)
            assert row["treatment"] + row["control"] == LAYOUT[row["area"]]
            assert row["unassigned"] == 0


def test_the_same_seed_gives_the_same_assignment_on_a_second_identical_set_of_grids(supervisor):
    make_grids(prefix="TGP", operation="GUARDIAN")
    make_grids(prefix="TGX", operation="TGP")
    randomise(supervisor, seed=42, operation=guardian())
    randomise(supervisor, seed=42, operation=Operation.objects.get(code="TGP"))
    assert arms(guardian()) == arms(Operation.objects.get(code="TGP"))


def test_re_running_with_the_same_seed_before_the_trial_starts_restores_the_same_assignment(supervisor):
    make_grids()
    randomise(supervisor, seed=42)
    first = arms()
    randomise(supervisor, seed=7)
    assert arms() != first
    randomise(supervisor, seed=42)
    assert arms() == first


def test_a_different_seed_gives_a_different_assignment(supervisor):
    make_grids()
    randomise(supervisor, seed=42)
    first = arms()
    randomise(supervisor, seed=43)
    assert arms() != first


def test_the_seed_and_who_ran_it_are_recorded_on_the_trial(supervisor):
    make_grids()
    randomise(supervisor, seed=123456789)
    trial = PatrolTrial.objects.get(operation=guardian())
    assert trial.seed == 123456789
    assert trial.randomised_by == supervisor
    assert trial.starts_on == NEXT_MONTH
    assert trial.randomised_at == local(2026, 6, 1, 12, 0)
    assert AuditEntry.objects.filter(
        object_type="tasking.patroltrial", object_id=str(trial.pk), actor=supervisor
    ).exists()


def test_each_changed_arm_is_audited_with_the_seed(supervisor):
    grids = make_grids()
    randomise(supervisor, seed=42)
    entries = AuditEntry.objects.filter(object_type="tasking.hotgrid", action=AuditEntry.Action.UPDATE)
    assert entries.count() == len(grids)
    assert all(entry.reason == "randomised with seed 42" for entry in entries)


def test_an_operation_without_grids_cannot_be_randomised(supervisor):
    with pytest.raises(Conflict, match="no hot grids"):
        randomise(supervisor)
    assert not PatrolTrial.objects.exists()


def test_once_the_trial_has_started_re_randomising_is_refused_and_the_refusal_is_audited(supervisor):
    make_grids()
    randomise(supervisor, seed=42, starts_on=TODAY)
    before = arms()
    with pytest.raises(Conflict, match="cannot be changed"):
        randomise(supervisor, seed=43)
    assert arms() == before
    trial = PatrolTrial.objects.get(operation=guardian())
    assert (trial.seed, trial.starts_on) == (42, TODAY)
    refusal = AuditEntry.objects.get(action=AuditEntry.Action.REFUSED)
    assert refusal.actor == supervisor
    assert refusal.object_id == str(trial.pk)
    assert refusal.changes == {"seed": [42, 43]}


def test_a_trial_starting_tomorrow_can_still_be_re_randomised_today(supervisor):
    make_grids()
    randomise(supervisor, seed=42, starts_on=TODAY + timedelta(days=1))
    randomise(supervisor, seed=43, starts_on=TODAY + timedelta(days=1))
    assert PatrolTrial.objects.get(operation=guardian()).seed == 43
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.REFUSED).exists()


def test_once_the_trial_has_started_a_grids_arm_cannot_be_changed_by_editing_it(supervisor):
    (grid, *_) = make_grids()
    randomise(supervisor, seed=42, starts_on=TODAY)
    grid.refresh_from_db()
    other = HotGrid.Arm.CONTROL if grid.trial_arm == HotGrid.Arm.TREATMENT else HotGrid.Arm.TREATMENT
    with pytest.raises(Conflict, match="locked"):
        services.hot_grid_save(actor=supervisor, grid=grid, trial_arm=other)
    grid.refresh_from_db()
    assert grid.trial_arm != other


def test_the_command_randomises_and_prints_the_balance_per_npu(supervisor):
    make_grids()
    out = StringIO()
    call_command("randomise_hot_grids", "GUARDIAN", "--seed", "42", "--user", "supervisor", stdout=out)
    text = out.getvalue()
    assert "randomised with seed 42" in text
    lines = text.splitlines()
    assert lines[1].split() == ["NPU", "treatment", "control"]
    table = {line.split()[0]: (int(line.split()[1]), int(line.split()[2])) for line in lines[2:]}
    assert set(table) == set(LAYOUT)
    for area, (treatment, control) in table.items():
        assert treatment + control == LAYOUT[area]
        assert abs(treatment - control) <= 1
    assert table == {
        row["area"]: (row["treatment"], row["control"]) for row in services.trial_balance(guardian())
    }
    trial = PatrolTrial.objects.get(operation=guardian())
    assert (trial.seed, trial.randomised_by, trial.starts_on) == (42, supervisor, TODAY)


def test_the_command_gives_the_same_assignment_as_the_service_for_the_same_seed(supervisor):
    make_grids()
    randomise(supervisor, seed=42)
    expected = arms()
    randomise(supervisor, seed=1)
    call_command(
        "randomise_hot_grids", "guardian", "--seed", "42", "--starts-on", "2026-07-01", stdout=StringIO()
    )
    assert arms() == expected


def test_the_command_refuses_once_the_trial_has_started():
    make_grids()
    call_command("randomise_hot_grids", "GUARDIAN", "--seed", "42", stdout=StringIO())  # starts today
    before = arms()
    with pytest.raises(CommandError, match="cannot be changed"):
        call_command("randomise_hot_grids", "GUARDIAN", "--seed", "43", stdout=StringIO())
    assert arms() == before
    assert AuditEntry.objects.filter(action=AuditEntry.Action.REFUSED).count() == 1


def test_the_command_names_an_unknown_operation():
    with pytest.raises(CommandError, match="No operation"):
        call_command("randomise_hot_grids", "NOPE", "--seed", "1", stdout=StringIO())


def test_control_grids_are_left_out_of_the_patrol_schedule_after_randomising(supervisor):
    make_grids()
    randomise(supervisor, seed=42)
    schedule(TODAY)
    scheduled = set(ScheduledPatrol.objects.values_list("grid__trial_arm", flat=True))
    assert scheduled == {HotGrid.Arm.TREATMENT}


def test_the_trial_readout_gives_grids_patrols_compliance_and_dosage_per_arm(supervisor):
    treated = [grid_make(area="BE", trial_arm=HotGrid.Arm.TREATMENT) for _ in range(2)]
    control = grid_make(area="BE", trial_arm=HotGrid.Arm.CONTROL)
    grid_make(area="BE", operation="VIBRANT", trial_arm=HotGrid.Arm.TREATMENT)  # another operation
    schedule(date(2026, 5, 30))
    schedule(date(2026, 5, 31))
    visit_log(treated[0], local(2026, 5, 30, 18, 30), local(2026, 5, 30, 18, 50))  # 20 min, effective
    visit_log(treated[1], local(2026, 5, 31, 19, 0), local(2026, 5, 31, 19, 10))  # 10 min
    visit_log(control, local(2026, 5, 31, 12, 0), local(2026, 5, 31, 12, 30))  # business as usual
    readout = {row["arm"]: row for row in patrol_stats.trial_readout(guardian())}
    treatment = readout[HotGrid.Arm.TREATMENT]
    assert (treatment["grids"], treatment["scheduled"], treatment["compliant"]) == (2, 4, 2)
    assert str(treatment["compliance_pct"]) == "50.0"
    assert (treatment["visits"], treatment["minutes"], treatment["effective_visits"]) == (2, 30, 1)
    ctrl = readout[HotGrid.Arm.CONTROL]
    assert (ctrl["grids"], ctrl["scheduled"], ctrl["compliant"], ctrl["compliance_pct"]) == (1, 0, 0, None)
    assert (ctrl["visits"], ctrl["minutes"], ctrl["effective_visits"]) == (1, 30, 1)
    assert Counter(row["arm"] for row in patrol_stats.trial_readout(guardian())) == {
        HotGrid.Arm.TREATMENT: 1,
        HotGrid.Arm.CONTROL: 1,
    }
