"""Verification workflows (DOMAIN.md §5.1–§5.6): one service per transition, over one engine (``common``).

Importing the package registers every workflow's handler.
"""

from assessments.workflows.default_chains import DEFAULT_CHAINS

from .announcements import announcement_publish
from .area_exit import county_exit_apply, village_exit_apply
from .chain_config import approval_chain_reset, approval_chain_set
from .chains import chain_for, validate_steps
from .common import can_take_step
from .deadlines import nomination_window, refuse_outside_nomination_window, step_due_on
from .household_exit import household_exit_nominate
from .identification import (
    comparison_match_explain,
    external_list_load,
    identification_apply,
    identification_compare,
)
from .publicity import (
    close_due_publicities,
    objection_lodge,
    objection_resolve,
    publicity_close,
    publicity_open,
)
from .return_to_poverty import monitoring_flag_set, return_to_poverty_propose
from .transitions import (
    available_actions,
    verification_approve,
    verification_reject,
    verification_return,
    verification_withdraw,
)

__all__ = [
    "household_exit_nominate",
    "announcement_publish",
    "nomination_window",
    "refuse_outside_nomination_window",
    "step_due_on",
    "village_exit_apply",
    "county_exit_apply",
    "identification_apply",
    "return_to_poverty_propose",
    "verification_approve",
    "verification_return",
    "verification_reject",
    "verification_withdraw",
    "publicity_open",
    "publicity_close",
    "objection_lodge",
    "objection_resolve",
    "close_due_publicities",
    "identification_compare",
    "comparison_match_explain",
    "external_list_load",
    "monitoring_flag_set",
    "approval_chain_set",
    "approval_chain_reset",
    "available_actions",
    "can_take_step",
    "chain_for",
    "validate_steps",
    "DEFAULT_CHAINS",
]
