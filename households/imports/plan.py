"""What a validated workbook will do: one plan per household row, with its member rows."""
from dataclasses import dataclass, field

from .errors import ErrorList
from .history import HistoryPlan


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
    # Status and years, 监测标识, 帮扶责任人, incomes and measures the file gives for this household.
    history: HistoryPlan = field(default_factory=HistoryPlan)


class ReadingCursor:
    """Where validation is: the sheet and Excel row being read, updated by the row loops, so that an
    unexpected failure is reported at that row instead of as a bare 系统错误."""

    __slots__ = ("sheet", "row", "stage")

    def __init__(self):
        self.sheet, self.row, self.stage = "", None, "读取文件"

    def at(self, sheet: str, row: int | None, stage: str = ""):
        self.sheet, self.row, self.stage = sheet, row, stage

    def message(self) -> str:
        """"读取成员信息第 17 行时出错：…" — the error row of a failure inside validation."""
        if self.sheet and self.row:
            return (f"读取{self.sheet}第 {self.row} 行时出错：无法校验该行的内容，未导入任何数据，"
                    "请检查该行或联系管理员")
        place = f"读取{self.sheet}" if self.sheet else (self.stage or "校验文件")
        return f"{place}时出错：未导入任何数据，请检查文件内容后重试，或联系管理员"


def column_note_text(note: dict) -> str:
    """One line of the preview for a header the template does not have under that name."""
    place = f"{note['sheet']} {note['column']} 列"
    if note.get("mapped_to"):
        return f"{place}：“{note['header']}”按“{note['mapped_to']}”导入"
    samples = "、".join(f"“{sample}”" for sample in note.get("samples") or ())
    return f"{place}：“{note['header']}”未导入" + (f"（示例：{samples}）" if samples else "（该列没有内容）")


@dataclass
class ValidationResult:
    errors: ErrorList
    households: list[HouseholdPlan] = field(default_factory=list)
    household_rows: int = 0
    member_rows: int = 0
    # Headers of 户信息 and 成员信息 the template does not know (not imported, with sample values) or knows
    # under another name (read as that column): notes, not errors (``reader.column_note``).
    column_notes: list[dict] = field(default_factory=list)

    @property
    def unknown_columns(self) -> list[dict]:
        return [note for note in self.column_notes if not note["mapped_to"]]

    @property
    def mapped_columns(self) -> list[dict]:
        return [note for note in self.column_notes if note["mapped_to"]]

    def notes_summary(self) -> dict:
        """What a job keeps of the notes, whatever the outcome (the page and the API show them)."""
        return {"column_notes": self.column_notes} if self.column_notes else {}

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
        counts = self.history_counts()
        return {"households_new": self.created_count, "households_matched": self.matched_count,
                "households_updated": self.updated_count, "households_unchanged": self.unchanged_count,
                "members": self.member_rows, **counts,
                "history_text": history_text(counts["households_by_status"], counts["incomes"], counts["measures"],
                                             counts["helpers"]),
                **self.notes_summary()}

    def history_counts(self) -> dict:
        """What the file brings besides households and members, counted the way the commit counts it."""
        from collections import Counter

        statuses = Counter(plan.history.final_status(None) for plan in self.households if plan.existing is None)
        return {
            "households_by_status": dict(statuses),
            "incomes": sum(1 for plan in self.households for income in plan.history.incomes.values()
                           if income.existing_id is None or income.changed),
            "measures": sum(len(plan.history.new_measures) for plan in self.households),
            "helpers": sum(1 for plan in self.households if plan.history.helper is not None and plan.history.helper_changed),
        }

    def preview_text(self) -> str:
        """"新建 3 户，更新 2 户，无变化 195 户" — the command line's words for the same counts."""
        return f"新建 {self.created_count} 户，更新 {self.updated_count} 户，无变化 {self.unchanged_count} 户"


def history_text(by_status: dict, incomes: int, measures: int, helpers: int) -> str:
    """"新建户中已脱贫 160 户、返贫 3 户、建档立卡（未脱贫）37 户；收入 200 条，帮扶措施 400 条，结对帮扶 200 户"
    — for the preview (what the commit will write) and the result (what it wrote); "" when there is none."""
    from households.choices import HouseholdStatus

    parts = []
    if by_status:
        order = list(HouseholdStatus.values)
        shown = "、".join(f"{HouseholdStatus(status).label} {count} 户"
                         for status, count in sorted(by_status.items(), key=lambda item: order.index(item[0])))
        parts.append(f"新建户中{shown}")
    extras = [f"{name} {count} {unit}" for name, count, unit in (
        ("收入", incomes, "条"), ("帮扶措施", measures, "条"), ("结对帮扶", helpers, "户")) if count]
    if extras:
        parts.append("，".join(extras))
    return "；".join(parts)

