"""Step time limits and the exit nomination window, both from ``PolicyParameter`` (DOMAIN.md §5.0 rule 7,
§5.1 step 1). Nothing here is a constant: a missing parameter means "no time limit" for a step (shown on the
pages as 未设置) and a refused nomination for the window (DOMAIN.md §4: absence is an error, never a default).
"""

import datetime

from django.utils import timezone

from assessments.policy.models import ParameterCode, month_day
from povalleviation.errors import ApplicationError
from villages.choices import AreaLevel

STEP_DAYS_CODES = {
    AreaLevel.VILLAGE: ParameterCode.STEP_DAYS_VILLAGE,
    AreaLevel.TOWNSHIP: ParameterCode.STEP_DAYS_TOWNSHIP,
    AreaLevel.COUNTY: ParameterCode.STEP_DAYS_COUNTY,
    AreaLevel.CITY: ParameterCode.STEP_DAYS_CITY,
    AreaLevel.PROVINCE: ParameterCode.STEP_DAYS_PROVINCE,
}


def parameter_area(verification):
    """The area whose parameters apply: the household's village, or the village/county subject."""
    if verification.household_id:
        return verification.household.village
    return verification.subject_area


def step_due_on(verification, step: dict, *, started: datetime.date) -> datetime.date | None:
    """The last day to take ``step`` when it started waiting on ``started``: ``started`` plus the
    ``step_days_<level>`` parameter (calendar days); None when no parameter applies."""
    from assessments.policy.services import parameter_values_for_area

    code = STEP_DAYS_CODES.get(step["level"])
    if code is None:
        return None
    row = parameter_values_for_area(area=parameter_area(verification), year=started.year, codes=[code])[code]
    if row is None or row.value is None:
        return None
    return started + datetime.timedelta(days=int(row.value))


def _window_dates(start_md, end_md, year: int) -> tuple[datetime.date, datetime.date]:
    """The window for exit year ``year``; an end before the start means the window runs into the next year."""

    def day(month_and_day, in_year):
        month, day_of_month = month_and_day
        if (month, day_of_month) == (2, 29):
            try:
                return datetime.date(in_year, 2, 29)
            except ValueError:
                return datetime.date(in_year, 2, 28)
        return datetime.date(in_year, month, day_of_month)

    start = day(start_md, year)
    end = day(end_md, year if end_md >= start_md else year + 1)
    return start, end


def nomination_window(*, area, year: int) -> dict:
    """The exit nomination window in force for ``area`` and exit year ``year``: start and end dates, and the
    parameter rows (for the area that set it and the citation). Raises ApplicationError when not set."""
    from assessments.policy.services import parameter_values_for_area

    codes = [ParameterCode.EXIT_NOMINATION_WINDOW_START, ParameterCode.EXIT_NOMINATION_WINDOW_END]
    rows = parameter_values_for_area(area=area, year=year, codes=codes)
    start_row, end_row = rows[codes[0]], rows[codes[1]]
    if start_row is None or end_row is None:
        raise ApplicationError(
            f"{year} 年度“贫困户退出提名开始日/截止日”参数未设置（{area.name}及其上级区域都没有），"
            "不能提名；请县级政策参数管理人员设置。",
            code="parameter_missing",
        )
    start_md, end_md = month_day(start_row.value), month_day(end_row.value)
    if start_md is None or end_md is None:
        raise ApplicationError("退出提名时间参数不是有效的月日，请县级政策参数管理人员更正。", code="parameter_invalid")
    start, end = _window_dates(start_md, end_md, year)
    return {"start": start, "end": end, "start_row": start_row, "end_row": end_row}


def window_label(window: dict) -> str:
    start, end = window["start"], window["end"]
    return f"{start.year} 年 {start.month} 月 {start.day} 日至 {end.year} 年 {end.month} 月 {end.day} 日"


def refuse_outside_nomination_window(*, area, year: int, today=None) -> dict:
    """Household exit nominations for ``year`` only inside the window (DOMAIN.md §5.1 step 1, ⚠ default
    1 Oct–31 Dec); a county overrides it with its own parameter rows."""
    today = today or timezone.localdate()
    window = nomination_window(area=area, year=year)
    if not window["start"] <= today <= window["end"]:
        setter = window["start_row"].area.name
        raise ApplicationError(
            f"不在退出提名时间内：{year} 年度贫困户退出提名时间为 {window_label(window)}"
            f"（{setter}设定），今天是 {today.year} 年 {today.month} 月 {today.day} 日。",
            code="outside_nomination_window",
            field_errors={"year": "不在退出提名时间内"},
        )
    return window


def fill_missing_due_dates() -> int:
    """Give every open verification without a time limit the one its waiting step has now: the end of its open
    公示, else ``step_since`` plus the ``step_days_<level>`` parameter. For records started before time limits
    were kept; a step with no parameter stays without one (未设置). Returns how many were filled."""
    from assessments.workflows.models import Publicity, Verification, VerificationStatus

    filled = 0
    pending = (Verification.objects.filter(status=VerificationStatus.IN_PROGRESS, due_on__isnull=True)
               .select_related("household__village", "subject_area").order_by("pk"))
    notices = dict(Publicity.objects.filter(status=Publicity.Status.OPEN, verification__in=pending)
                   .order_by("verification_id", "id").values_list("verification_id", "end_date"))
    for verification in pending.iterator(chunk_size=500):
        step = verification.waiting_step
        if step is None:
            continue
        due = notices.get(verification.pk) or step_due_on(verification, step,
                                                          started=timezone.localdate(verification.step_since))
        if due is not None:
            Verification.objects.filter(pk=verification.pk, due_on__isnull=True).update(due_on=due)
            filled += 1
    return filled
