"""The duplicate check as an oracle: "is this person registered anywhere?" must not be answerable at will.

A hit outside the user's scope says only that the number is already registered (never where), is audited,
and counts against a per-user limit (``DUPLICATE_LOOKUP_LIMIT`` hits per hour, kept in the cache); past the
limit every ID number that is not already visible to the user is refused with a Chinese message until the
hour is over, so the refusal itself tells nothing.

The refusal rolls back the service's transaction, so its audit row is written by ``records_refused_lookups``
around the service, after the rollback.
"""
import functools

from django.core.cache import cache
from django.utils import timezone

from accounts.services import audit_record
from households.idnumber import mask_id_number
from povalleviation.access import Capability
from povalleviation.actors import actor_area_code
from povalleviation.errors import ApplicationError

DUPLICATE_LOOKUP_LIMIT = 20
DUPLICATE_LOOKUP_WINDOW = 3600  # seconds
REGISTERED_ELSEWHERE = "该身份证号已登记在册，一人只能在一个在册户中；请联系乡镇扶贫工作站核实"
LOOKUP_LIMIT_REACHED = "身份证号查重次数过多，请一小时后再试，或联系乡镇扶贫工作站核实"


class LookupRefused(ApplicationError):
    """A refusal whose audit row must outlive the rolled-back transaction."""

    def __init__(self, message: str, *, audit: dict, **kwargs):
        super().__init__(message, **kwargs)
        self.audit = audit


def _window_key(actor) -> str:
    bucket = int(timezone.now().timestamp()) // DUPLICATE_LOOKUP_WINDOW
    return f"household:duplicate-lookups:{actor.pk}:{bucket}"


def lookups_used(actor) -> int:
    if not getattr(actor, "pk", None):
        return 0
    return int(cache.get(_window_key(actor)) or 0)


def lookup_limit_reached(actor) -> bool:
    return getattr(actor, "pk", None) is not None and lookups_used(actor) >= DUPLICATE_LOOKUP_LIMIT


def count_lookup(actor, hits: int = 1) -> int:
    if not getattr(actor, "pk", None):
        return 0
    key = _window_key(actor)
    cache.add(key, 0, DUPLICATE_LOOKUP_WINDOW + 60)
    try:
        return cache.incr(key, hits)
    except ValueError:  # expired between add and incr
        cache.set(key, hits, DUPLICATE_LOOKUP_WINDOW + 60)
        return hits


def registered_elsewhere(*, actor, id_number: str, area_code: str, field: str, row_label: str = "") -> LookupRefused:
    """The refusal for a person registered outside the actor's scope (counted and audited)."""
    count_lookup(actor)
    return LookupRefused(
        f"{row_label}{REGISTERED_ELSEWHERE}", field_errors={field: REGISTERED_ELSEWHERE}, code="duplicate_person",
        audit={"actor": actor, "action": "household.duplicate_lookup", "area_code": area_code,
               "summary": f"身份证号查重命中范围外的在册人员（{mask_id_number(id_number)}）",
               "changes": {"id_number": mask_id_number(id_number)}, "outcome": "denied"},
    )


def limit_refusal(*, actor, id_number: str, field: str, row_label: str = "") -> LookupRefused:
    return LookupRefused(
        f"{row_label}{LOOKUP_LIMIT_REACHED}", field_errors={field: LOOKUP_LIMIT_REACHED}, code="lookup_limit",
        audit={"actor": actor, "action": "household.duplicate_lookup_limited",
               "area_code": actor_area_code(actor, Capability.HOUSEHOLD_EDIT),
               "summary": f"身份证号查重超过每小时 {DUPLICATE_LOOKUP_LIMIT} 次的限制，已拒绝（{mask_id_number(id_number)}）",
               "changes": {"id_number": mask_id_number(id_number), "limit": DUPLICATE_LOOKUP_LIMIT}, "outcome": "denied"},
    )


def records_refused_lookups(service):
    """Write the audit row of a refused lookup once the service's own transaction has rolled back."""

    @functools.wraps(service)
    def wrapper(*args, **kwargs):
        try:
            return service(*args, **kwargs)
        except LookupRefused as error:
            audit_record(**error.audit)
            raise

    return wrapper


def rerecord_refused_lookup(error):
    """For a caller whose own transaction rolled back after the service wrote the audit row: write it again."""
    if isinstance(error, LookupRefused):
        audit_record(**error.audit)
