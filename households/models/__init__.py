from .help import Helper, HelperAssignment, HelpMeasure, Visit
from .household import Household, HouseholdEvent, HouseholdStatusChange
from .imports import ImportJob
from .medical import HospitalExpense
from .member import Member
from .yearly import IncomeRecord, LivingConditions

__all__ = [
    "Household", "HouseholdEvent", "HouseholdStatusChange", "Member", "IncomeRecord", "LivingConditions",
    "HelpMeasure", "Helper", "HelperAssignment", "Visit", "ImportJob", "HospitalExpense",
]
