"""Writes to the 建档立卡 record. Views, the API, imports, commands and tasks call these; nothing else saves."""
from .edit import household_edit
from .household import household_register, household_set_status, household_update, id_number_reveal
from .lookups import records_refused_lookups
from .members import member_add, member_remove, member_update
from .reads import household_phone_reveal, household_read_record, household_search_record
from .records import (
    help_measure_add,
    helper_assign,
    helper_create,
    helper_pair,
    income_record_save,
    living_conditions_record,
    visit_record,
)

__all__ = [
    "household_register", "household_update", "household_edit", "household_set_status", "id_number_reveal",
    "member_add", "member_update", "member_remove",
    "income_record_save", "living_conditions_record", "help_measure_add", "helper_create", "helper_assign", "helper_pair",
    "visit_record", "household_read_record", "household_search_record", "household_phone_reveal",
    "records_refused_lookups",
]
