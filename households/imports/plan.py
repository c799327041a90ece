"""What a validated workbook will do: one plan per household row, with its member rows."""
from dataclasses import dataclass, field

from .errors import ErrorList


@dataclass
class MemberPlan:
    row: int
    data: dict  # Member field values (sex and birth date from the ID number)
    existing_id: int | None = None  # the registered member of the updated household with this ID number


@dataclass
class HouseholdPlan:
    row: int
    data: dict  # Household field values (area, village, area_code, head_name, …)
    head_id_number: str | None
    household_number: str = ""  # as written in the file ("" = the system assigns one)
    existing: object = None  # the Household updated by this row, None for a new household
    members: list[MemberPlan] = field(default_factory=list)
    member_count: int = 0
    has_error: bool = False


@dataclass
class ValidationResult:
    errors: ErrorList
    households: list[HouseholdPlan] = field(default_factory=list)
    household_rows: int = 0
    member_rows: int = 0

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def created_count(self) -> int:
        return sum(1 for plan in self.households if plan.existing is None)

    @property
    def matched_count(self) -> int:
        return sum(1 for plan in self.households if plan.existing is not None)
