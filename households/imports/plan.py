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
    # For a matched household: whether the commit would change it (``existing.predict_changes``, the same
    # comparison ``commit.commit_plans`` makes); None for a new household or a file with errors.
    is_changed: bool | None = None


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
        """Rows matched to a registered household, whether or not the file changes it."""
        return sum(1 for plan in self.households if plan.existing is not None)

    @property
    def updated_count(self) -> int:
        """Matched households the commit would change (its 更新); the same count as the commit's summary."""
        return sum(1 for plan in self.households if plan.existing is not None and plan.is_changed)

    @property
    def unchanged_count(self) -> int:
        """Matched households the file leaves as they are (the commit's 无变化)."""
        return self.matched_count - self.updated_count

    def preview_summary(self) -> dict:
        """What the preview (web job, API, ``--dry-run``) says the commit will do, in the commit's terms."""
        return {"households_new": self.created_count, "households_matched": self.matched_count,
                "households_updated": self.updated_count, "households_unchanged": self.unchanged_count,
                "members": self.member_rows}

    def preview_text(self) -> str:
        """"新建 3 户，更新 2 户，无变化 195 户" — the command line's words for the same counts."""
        return f"新建 {self.created_count} 户，更新 {self.updated_count} 户，无变化 {self.unchanged_count} 户"
