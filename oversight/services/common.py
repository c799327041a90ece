"""Pieces every oversight service shares: validation to ``ApplicationError``, event times, snapshots."""
import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone

from povalleviation.errors import ApplicationError


def validation_error(error: ValidationError) -> ApplicationError:
    fields = {k: "；".join(v) for k, v in getattr(error, "message_dict", {}).items()}
    return ApplicationError("；".join(fields.values()) or "；".join(error.messages), field_errors=fields)


def save(instance, *, exclude=None):
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as error:
        raise validation_error(error) from error
    instance.save()


def event_time(at: datetime.datetime | None, *, after: datetime.datetime | None = None) -> datetime.datetime:
    """When a step happened: now, or a past moment given by commands and data entry of paper ledgers.

    A step can never be in the future nor before the previous step of the same record.
    """
    now = timezone.now()
    if at is None:
        at = now
    if at > now:
        raise ApplicationError("办理时间不能晚于当前时间。", field_errors={"at": "不能是将来的时间"})
    if after is not None and at < after:
        raise ApplicationError("办理时间不能早于上一环节。", field_errors={"at": "早于上一环节"})
    return at


def same_person(actor, user_id) -> bool:
    return actor is not None and user_id is not None and getattr(actor, "pk", None) == user_id


def required_text(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(f"请填写{label}。", field_errors={field: f"{label}不能为空"})
    return value
