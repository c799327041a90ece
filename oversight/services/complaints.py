"""Writes of the complaint and petition ledger: RECEIVED → ASSIGNED → HANDLING → REPLIED → CLOSED, one service
per step, each checking capability and area, locking the row and writing history and audit in one transaction."""
import datetime
import uuid

from django.db import transaction
from django.utils import timezone

from accounts.conflicts import check_version
from accounts.services import audit_record
from povalleviation.access import Capability, covers, require
from povalleviation.actors import saved_user
from povalleviation.errors import ApplicationError, Conflict, PermissionDenied

from ..choices import DEFAULT_REPLY_DAYS, NOT_REPLIED_STATUSES, ComplaintEvent, ComplaintStatus
from ..models import Complaint, ComplaintHistory
from .common import event_time, required_text, save


def default_reply_deadline(channel: str, received_on: datetime.date) -> datetime.date:
    """受理 date + the channel's default period (信访 60 days, other channels 15; see ``DEFAULT_REPLY_DAYS``)."""
    return received_on + datetime.timedelta(days=DEFAULT_REPLY_DAYS.get(channel, 15))


def _history(complaint, *, actor, event, from_status, at, note=""):
    ComplaintHistory.objects.create(
        complaint=complaint, event=event, from_status=from_status, to_status=complaint.status,
        area_code=complaint.area_code, reply_deadline=complaint.reply_deadline, actor=saved_user(actor), at=at,
        note=note[:500],
    )
    audit_record(actor=actor, action=f"complaint.{event}", target=complaint, area_code=complaint.area_code,
                 summary=f"{ComplaintEvent(event).label}：{complaint.number}",
                 changes={"from": from_status, "to": complaint.status, "note": note[:200]})


def _check_household(household, area):
    if household is not None and not household.area_code.startswith(area.scope_prefix):
        raise ApplicationError(f"所涉建档立卡户 {household.household_number} 不在{area.name}范围内。",
                               field_errors={"household": "所涉户必须在办理区域范围内"})


@transaction.atomic
def complaint_receive(*, actor, area, channel: str, received_at: datetime.datetime, content: str,
                      complainant_name: str = "", complainant_phone: str = "", household=None,
                      reply_deadline: datetime.date | None = None, is_demo: bool = False) -> Complaint:
    """受理登记 at the receiving office's area; the reply deadline defaults from the channel."""
    require(actor, Capability.COMPLAINT_MANAGE, area.code)
    if timezone.is_naive(received_at):
        received_at = timezone.make_aware(received_at)
    received_at = event_time(received_at)
    _check_household(household, area)
    received_on = timezone.localtime(received_at).date()
    deadline = reply_deadline or default_reply_deadline(channel, received_on)
    if deadline < received_on:
        raise ApplicationError("答复期限不能早于受理日期。", field_errors={"reply_deadline": "早于受理日期"})
    complaint = Complaint(
        number=uuid.uuid4().hex[:20], channel=channel, received_at=received_at,
        complainant_name=complainant_name.strip(), complainant_phone=complainant_phone.strip(),
        content=required_text(content, "content", "反映内容"), area=area, area_code=area.code,
        received_area_code=area.code, household=household, reply_deadline=deadline, status=ComplaintStatus.RECEIVED,
        received_by=saved_user(actor), is_demo=is_demo,
    )
    save(complaint)
    complaint.number = f"TS{received_on.year}-{complaint.pk:06d}"
    complaint.save(update_fields=["number"])
    _history(complaint, actor=actor, event=ComplaintEvent.RECEIVE, from_status="", at=received_at)
    return complaint


def _lock(complaint, expected_version: int | None = None) -> Complaint:
    """The locked row; a 409 naming who changed it when ``expected_version`` (the version the caller read) is stale."""
    complaint = Complaint.objects.select_for_update(of=("self",)).select_related("area").get(pk=complaint.pk)
    check_version(complaint, expected_version, noun="该件")
    return complaint


def _last_at(complaint):
    return complaint.history.order_by("-at", "-id").values_list("at", flat=True).first()


def _step(complaint, *, expected, label):
    if complaint.status != expected:
        raise Conflict(f"该件处于“{complaint.get_status_display()}”状态，不能{label}。")


def _begin(complaint, *, actor, capability, scope, expected, label, expected_version=None) -> Complaint:
    """Lock the row (at ``expected_version``), check ``capability`` over the area code in field ``scope`` and that
    the step comes next."""
    complaint = _lock(complaint, expected_version)
    require(actor, capability, getattr(complaint, scope))
    _step(complaint, expected=expected, label=label)
    return complaint


def _advance(complaint, *, actor, event, to, at, note="", fields=()):
    """Move to status ``to`` (with ``fields`` already set), bump the version, save, and record history and audit."""
    from_status, complaint.status = complaint.status, to
    complaint.version += 1
    complaint.save(update_fields=[*fields, "status", "version"])
    _history(complaint, actor=actor, event=event, from_status=from_status, at=at, note=note)


@transaction.atomic
def complaint_assign(*, actor, complaint: Complaint, area, handling_unit: str, note: str = "",
                     at: datetime.datetime | None = None,
                     expected_version: int | None = None) -> Complaint:
    """交办 to an area inside the current one (the receiving office, or a township/village below it)."""
    complaint = _begin(complaint, expected_version=expected_version, actor=actor, capability=Capability.COMPLAINT_MANAGE, scope="area_code",
                       expected=ComplaintStatus.RECEIVED, label="交办")
    if not complaint.area.contains(area):
        raise ApplicationError(f"只能交办到{complaint.area.name}或其下级区域。", field_errors={"area": "不在受理单位范围内"})
    _check_household(complaint.household, area)
    when = event_time(at, after=_last_at(complaint))
    complaint.area, complaint.area_code = area, area.code
    complaint.handling_unit = required_text(handling_unit, "handling_unit", "承办单位")
    _advance(complaint, actor=actor, event=ComplaintEvent.ASSIGN, to=ComplaintStatus.ASSIGNED, at=when,
             note=f"交办{area.name}·{complaint.handling_unit}" + (f"：{note}" if note else ""),
             fields=["area", "area_code", "handling_unit"])
    return complaint


@transaction.atomic
def complaint_start_handling(*, actor, complaint: Complaint, note: str = "",
                             at: datetime.datetime | None = None,
                             expected_version: int | None = None) -> Complaint:
    """开始办理 by the assigned area."""
    complaint = _begin(complaint, expected_version=expected_version, actor=actor, capability=Capability.COMPLAINT_HANDLE, scope="area_code",
                       expected=ComplaintStatus.ASSIGNED, label="开始办理（须先交办）")
    when = event_time(at, after=_last_at(complaint))
    _advance(complaint, actor=actor, event=ComplaintEvent.HANDLE, to=ComplaintStatus.HANDLING, at=when, note=note)
    return complaint


@transaction.atomic
def complaint_reply(*, actor, complaint: Complaint, reply_text: str,
                    at: datetime.datetime | None = None,
                    expected_version: int | None = None) -> Complaint:
    """答复 the complainant (HANDLING → REPLIED); the reply text is kept on the record."""
    complaint = _begin(complaint, expected_version=expected_version, actor=actor, capability=Capability.COMPLAINT_HANDLE, scope="area_code",
                       expected=ComplaintStatus.HANDLING, label="答复（须先开始办理）")
    when = event_time(at, after=_last_at(complaint))
    complaint.reply_text = required_text(reply_text, "reply_text", "答复内容")
    complaint.replied_at = when
    _advance(complaint, actor=actor, event=ComplaintEvent.REPLY, to=ComplaintStatus.REPLIED, at=when,
             note=complaint.reply_text, fields=["reply_text", "replied_at"])
    return complaint


@transaction.atomic
def complaint_close(*, actor, complaint: Complaint, note: str = "",
                    at: datetime.datetime | None = None,
                    expected_version: int | None = None) -> Complaint:
    """办结 by the receiving office after the reply (REPLIED → CLOSED)."""
    complaint = _begin(complaint, expected_version=expected_version, actor=actor, capability=Capability.COMPLAINT_MANAGE, scope="received_area_code",
                       expected=ComplaintStatus.REPLIED, label="办结（须先答复）")
    complaint.closed_at = event_time(at, after=_last_at(complaint))
    _advance(complaint, actor=actor, event=ComplaintEvent.CLOSE, to=ComplaintStatus.CLOSED, at=complaint.closed_at,
             note=note, fields=["closed_at"])
    return complaint


def complaint_step(*, actor, complaint: Complaint, step: str, text: str = "", area=None,
                  handling_unit: str = "", expected_version: int | None = None) -> Complaint:
    """One handling step by the name the page and the API give it: assign (交办 to ``area``, ``text`` as the note),
    handle (开始办理), reply (答复, ``text`` is the reply) or close (办结)."""
    match step:
        case "assign":
            return complaint_assign(actor=actor, complaint=complaint, area=area, handling_unit=handling_unit, note=text,
                                    expected_version=expected_version)
        case "handle":
            return complaint_start_handling(actor=actor, complaint=complaint, note=text, expected_version=expected_version)
        case "reply":
            return complaint_reply(actor=actor, complaint=complaint, reply_text=text, expected_version=expected_version)
        case "close":
            return complaint_close(actor=actor, complaint=complaint, note=text, expected_version=expected_version)
    raise ValueError(f"unknown complaint step {step!r}")


@transaction.atomic
def complaint_set_deadline(*, actor, complaint: Complaint, reply_deadline: datetime.date, reason: str,
                           at: datetime.datetime | None = None,
                           expected_version: int | None = None) -> Complaint:
    """调整答复期限 (receiving office, with a reason) while not yet replied; past reports keep the old one."""
    complaint = _lock(complaint, expected_version)
    require(actor, Capability.COMPLAINT_MANAGE, complaint.received_area_code)
    if complaint.status not in NOT_REPLIED_STATUSES:
        raise Conflict("已答复的件不能调整答复期限。")
    reason = required_text(reason, "reason", "调整理由")
    if reply_deadline < timezone.localtime(complaint.received_at).date():
        raise ApplicationError("答复期限不能早于受理日期。", field_errors={"reply_deadline": "早于受理日期"})
    when = event_time(at, after=_last_at(complaint))
    old, complaint.reply_deadline = complaint.reply_deadline, reply_deadline
    complaint.version += 1
    complaint.save(update_fields=["reply_deadline", "version"])
    _history(complaint, actor=actor, event=ComplaintEvent.DEADLINE, from_status=complaint.status, at=when,
             note=f"{old} → {reply_deadline}：{reason}")
    return complaint


def may_see_contact(user, complaint) -> bool:
    """The receiving office (who closes it) and the handling area's officers may reveal the complainant."""
    return (covers(user, Capability.COMPLAINT_MANAGE, complaint.received_area_code)
            or covers(user, Capability.COMPLAINT_HANDLE, complaint.area_code))


@transaction.atomic
def complaint_contact_reveal(*, actor, complaint: Complaint) -> dict:
    """The complainant's full name and phone for the officers who take the case; every reveal is audited."""
    if not may_see_contact(actor, complaint):
        raise PermissionDenied("您无权查看该投诉人的联系方式。")
    audit_record(actor=actor, action="complaint.contact_reveal", target=complaint, area_code=complaint.area_code,
                 summary=f"查看投诉人联系方式：{complaint.number}", changes={})
    return {"complainant_name": complaint.complainant_name, "complainant_phone": complaint.complainant_phone}
