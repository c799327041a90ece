"""Record changes of tracked fields and read a field's value as of a past day (reverse deltas).

Rule: the value of field F of record O as of day D is the old value of the earliest change of (O, F) made
after D — ``changed_at`` on or after the start of the next local day — or, when there is none, the current
value. A record created after D therefore counts with its first value (new records and bulk inserts write no
history, so they cost nothing); what a later edit replaced is never lost.

Writers: ``record_changes(target, pk, {field: old_value}, actor)`` from a service, in the transaction of the
change, and ``record_changes_bulk(target, [(pk, {field: old_value}), …], actor)`` from bulk paths (one
``bulk_create``). Only the fields listed in ``TRACKED_FIELDS`` are kept, so a service may pass every field
it changed. Readers: ``value_as_of(Model, "field", day)`` is a query expression (a correlated subquery on the
indexed change table) to annotate a queryset of ``Model`` with, so aggregates stay set-based;
``value_on(instance, "field", day)`` answers for one record.
"""
import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from povalleviation.actors import saved_user

from .models_history import ValueChange

# Fields whose past values quarterly reports read (DOMAIN.md §6.3), by ``app_label.model``. Only these are
# recorded; ``value_as_of`` refuses any other field, because its history would be silently missing.
TRACKED_FIELDS: dict[str, tuple[str, ...]] = {
    # §12 低保/特困 comparison: the members' own flags and labour capacity.
    "households.member": ("is_dibao", "tekun", "labour_capacity"),
    # §9 资金: a voucher counts (or is pending) by its review status on the day.
    "funds.disbursement": ("status",),
    # §10 项目: amounts, category and the planned finish date (overdue) of projects edited while returned.
    "projects.project": ("budget_total", "category", "planned_finish"),
    # §3 脱贫计划: figures of a draft (approved versions are locked; which version is in force comes from dates).
    "assessments.exitplan": ("households", "persons", "villages"),
    "assessments.exitplanbase": ("end_year", "households", "persons"),
    # §3 贫困村退出: the village's designation and exit date.
    "villages.area": ("is_poor_village", "actual_exit_date"),
    # 户脱贫标准评估 counts: each recompute that changes a household's conclusion keeps the previous one.
    "assessments.eligibilityresult": ("passed",),
}


def model_label(target) -> str:
    """``app_label.model`` of a model class, an instance or a label given as text."""
    if isinstance(target, str):
        return target.lower()
    return target._meta.label_lower


def day_end(day: datetime.date) -> datetime.datetime:
    """The first instant after ``day`` in the installation's time zone (changes from then on are "after D")."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def encode(value) -> str | None:
    """The stored text of a value: ``None`` stays NULL, booleans are ``true``/``false``, dates ISO 8601."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value)


def decode(field: models.Field, text: str | None):
    if text is None:
        return None
    if isinstance(field, BooleanField):
        return text == "true"
    return field.to_python(text)


def _rows(label: str, pk, old_values: dict, actor, at) -> list[ValueChange]:
    tracked = TRACKED_FIELDS.get(label, ())
    return [ValueChange(model=label, object_id=pk, field=name, old_value=encode(value), changed_at=at, actor=actor)
            for name, value in old_values.items() if name in tracked]


def record_changes(target, pk, old_values: dict, actor=None, *, at: datetime.datetime | None = None) -> int:
    """Record the previous values of the tracked fields among ``old_values`` for one record (``pk``; taken
    from ``target`` when it is an instance and ``pk`` is None). Returns the number of rows written."""
    if pk is None:
        pk = target.pk
    rows = _rows(model_label(target), pk, old_values, saved_user(actor), at or timezone.now())
    if rows:
        ValueChange.objects.bulk_create(rows)
    return len(rows)


def record_changes_bulk(target, changes: Iterable[tuple[int, dict]], actor=None, *,
                        at: datetime.datetime | None = None) -> int:
    """``record_changes`` for many records of one model with one ``bulk_create``."""
    label, actor, at = model_label(target), saved_user(actor), at or timezone.now()
    rows = [row for pk, old_values in changes for row in _rows(label, pk, old_values, actor, at)]
    if rows:
        ValueChange.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _tracked_field(model, field_name: str) -> models.Field:
    label = model_label(model)
    if field_name not in TRACKED_FIELDS.get(label, ()):
        raise ValueError(f"{label}.{field_name} keeps no history (accounts.history.TRACKED_FIELDS)")
    return model._meta.get_field(field_name)


def _typed_old_value(field: models.Field):
    """The stored text as the field's type, inside the change-table subquery."""
    if isinstance(field, BooleanField):
        return Case(When(old_value="true", then=Value(True)), When(old_value="false", then=Value(False)),
                    default=Value(None), output_field=BooleanField(null=True))
    if isinstance(field, (models.CharField, models.TextField)):
        return F("old_value")
    return Cast("old_value", output_field=field.clone())


def value_as_of(model, field_name: str, day: datetime.date, *, relation: str = ""):
    """An expression for ``field_name`` of each row of a ``model`` queryset as of ``day``.

    Use as ``Model.objects.annotate(x=value_as_of(Model, "field", day))``, or on a queryset of another model
    that reaches ``model`` through ``relation`` (``Member.objects.annotate(x=value_as_of(Household, "…", day,
    relation="household"))``). Non-null fields cost one indexed subquery per row, nullable ones two (an old
    value may itself be NULL)."""
    field = _tracked_field(model, field_name)
    prefix = f"{relation}__" if relation else ""
    later = ValueChange.objects.filter(model=model_label(model), field=field_name, object_id=OuterRef(f"{prefix}pk"),
                                       changed_at__gte=day_end(day))
    first = Subquery(later.order_by("changed_at", "id").annotate(typed=_typed_old_value(field)).values("typed")[:1],
                     output_field=field.clone())
    if not field.null:
        return Coalesce(first, F(f"{prefix}{field_name}"), output_field=field.clone())
    return Case(When(Exists(later), then=first), default=F(f"{prefix}{field_name}"), output_field=field.clone())


def value_on(instance, field_name: str, day: datetime.date):
    """``value_as_of`` for one record, in Python (one query)."""
    field = _tracked_field(type(instance), field_name)
    change = (ValueChange.objects.filter(model=model_label(instance), field=field_name, object_id=instance.pk,
                                         changed_at__gte=day_end(day)).order_by("changed_at", "id").first())
    if change is None:
        return getattr(instance, field_name)
    return decode(field, change.old_value)
