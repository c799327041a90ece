"""Schedule delays of projects (P-FD-10, DOMAIN.md §5.9 "Delay record"): how many days a project is behind
its planned start or finish on a date. The attribution (cause → responsible party) is written by
``funds.services.fund_delay_record``; the drill-down shows both."""
import datetime
from dataclasses import dataclass

from projects.choices import ProjectStatus

from .choices import DelayKind

FINISHED_STATUSES = {ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED, ProjectStatus.CLOSED}
NOT_SCHEDULED_STATUSES = {ProjectStatus.DRAFT, ProjectStatus.SUBMITTED, ProjectStatus.RETURNED,
                          ProjectStatus.IN_LIBRARY, ProjectStatus.CANCELLED}


@dataclass(frozen=True)
class ScheduleDelay:
    kind: str
    days: int

    @property
    def label(self) -> str:
        return f"{DelayKind(self.kind).label} {self.days} 天"


def schedule_delay(project, on: datetime.date) -> ScheduleDelay | None:
    """The delay of an approved project on ``on``: finished late, past its planned finish and not finished,
    or past its planned start and not started. None when on schedule (or not yet approved)."""
    if project.status in NOT_SCHEDULED_STATUSES:
        return None
    if project.actual_finish is not None or project.status in FINISHED_STATUSES:
        finish = project.actual_finish or on
        days = (finish - project.planned_finish).days
        return ScheduleDelay(DelayKind.FINISH, days) if days > 0 else None
    if project.planned_finish < on:
        return ScheduleDelay(DelayKind.FINISH, (on - project.planned_finish).days)
    if project.actual_start is None and project.planned_start < on:
        return ScheduleDelay(DelayKind.START, (on - project.planned_start).days)
    if project.actual_start is not None and project.actual_start > project.planned_start:
        return ScheduleDelay(DelayKind.START, (project.actual_start - project.planned_start).days)
    return None
