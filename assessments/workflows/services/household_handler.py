"""What the household workflows (识别纳入, 退出, 返贫) share: the household locked for a start, the snapshot a
step decides on, the 公示 posted, and the household status set when the workflow completes or undone when an
attempt ends."""

from django.utils import timezone

from households.models import Household
from households.services import household_set_status

from .common import WorkflowHandler, verification_start
from .snapshots import evaluate_eligibility, household_publicity_content, household_snapshot


class HouseholdHandler(WorkflowHandler):
    """Subclasses name the 公示 title and the status changes; every text is formatted with named fields."""

    publicity_title = ""  # {year}
    completed_status = ""
    completed_reason = ""  # {year} of the verification, {note}, {announced_year}
    # The status a running attempt holds the household in; an attempt that ends leaves it for
    # ``ended_status`` (empty: the status before the start). Empty: ending changes nothing.
    held_status = ""
    ended_status = ""
    ended_reason = ""  # {reason}

    def locked_for_start(self, actor, household, *, year, today, note, note_label):
        """Lock the household and make the checks every start makes (``require_starter``).
        Returns (household, year, note)."""
        household = Household.objects.select_for_update().select_related("area").get(pk=household.pk)
        year, note = self.require_starter(
            actor, household.area, year=year, today=today, note=note, note_label=note_label
        )
        return household, year, note

    def start(self, *, actor, household, year, note, **extra):
        """Start the workflow for the household (``verification_start``), remembering its status."""
        return verification_start(
            actor=actor,
            workflow_type=self.workflow_type,
            subject_area=household.area,
            household=household,
            year=year,
            note=note,
            **{"prior_household_status": household.status, **extra},
        )

    def snapshot(self, verification) -> dict:
        household, year = verification.household, verification.year
        return household_snapshot(household, year, eligibility=evaluate_eligibility(household, year))

    def publicity_content(self, verification) -> dict:
        return household_publicity_content(
            verification, title=self.publicity_title.format(year=verification.year), reason=verification.note
        )

    def set_status(self, household, to_status, *, actor, reason, today=None):
        return household_set_status(
            actor=actor,
            household=household,
            to_status=to_status,
            reason=reason,
            effective_date=today or timezone.localdate(),
            workflow=str(self.workflow_type),
        )

    def on_complete(self, verification, *, actor, today, snapshot):
        reason = self.completed_reason.format(
            year=verification.year, note=verification.note, announced_year=today.year
        )
        return self.set_status(
            verification.household, self.completed_status, actor=actor, reason=reason, today=today
        )

    def on_end(self, verification, *, actor, reason, today):
        if not self.held_status:
            return
        household = Household.objects.get(pk=verification.household_id)
        if household.status == self.held_status:
            self.set_status(
                household,
                self.ended_status or verification.prior_household_status,
                actor=actor,
                reason=self.ended_reason.format(reason=reason),
                today=today,
            )
