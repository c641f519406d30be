"""Every change to tasking data goes through a function here: grep ``mission_`` to see all that
can happen to a mission. Each is atomic, audited, and writes its domain event to the outbox."""

from .deadlines import deadlines_flag
from .gps_import import ImportRejected, patrol_points_import
from .hot_grids import hot_grid_save
from .missions import (
    mission_allocate,
    mission_cancel,
    mission_log_outcome,
    mission_not_complete,
    mission_start,
)
from .patrols import (
    patrol_gap_cover,
    patrol_gaps_detect,
    patrol_schedule_for,
    patrol_schedule_generate,
    patrol_visit_log,
)
from .periods import period_for, period_for_day, resource_period_set_capacity, resource_usage
from .requests import priority_compute, request_area_correct, request_assess, request_receive
from .trials import hot_grids_randomise, trial_balance
from .trm import (
    operation_target_problems,
    operation_target_save,
    threat_item_save,
    trm_decision_record,
    trm_meeting_close,
    trm_meeting_open,
    trm_meeting_reopen,
    trm_meeting_update,
    trm_mission_cancel,
    trm_mission_carry_over,
)

__all__ = [
    "ImportRejected",
    "deadlines_flag",
    "hot_grid_save",
    "hot_grids_randomise",
    "mission_allocate",
    "mission_cancel",
    "mission_log_outcome",
    "mission_not_complete",
    "mission_start",
    "operation_target_problems",
    "operation_target_save",
    "patrol_gap_cover",
    "patrol_gaps_detect",
    "patrol_points_import",
    "patrol_schedule_for",
    "patrol_schedule_generate",
    "patrol_visit_log",
    "period_for",
    "period_for_day",
    "priority_compute",
    "request_area_correct",
    "request_assess",
    "request_receive",
    "resource_period_set_capacity",
    "resource_usage",
    "threat_item_save",
    "trial_balance",
    "trm_decision_record",
    "trm_meeting_close",
    "trm_meeting_open",
    "trm_meeting_reopen",
    "trm_meeting_update",
    "trm_mission_cancel",
    "trm_mission_carry_over",
]
