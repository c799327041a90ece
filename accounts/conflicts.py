"""The 409 of a stale save: who changed the record since the version the caller read, when, and which fields.

Services lock the row, then call ``check_version(row, expected_version)``; on a mismatch it raises
``Conflict`` with a message read from the audit trail, e.g. "该记录已被 张三 于 2026-12-07 10:32 修改（住址），
请刷新后再改。". Each save bumps the version once and writes its audit rows, so the writes since the version read
are the latest ``current - expected`` writes on the record (reads, reveals and exports are not writes).
"""
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q
from django.utils import timezone

from povalleviation.errors import Conflict

from .models import AuditEvent

STALE_CODE = "stale_version"  # the code of a 409 for a stale version (other 409s: a step already taken, …)
READ_ACTIONS = r"(view|reveal|search|read|lookup|export|download|print|pdf)"
MAX_WRITES = 5
# Keys of audit ``changes`` that are no field of the record, by what users call them.
# A service may also list the changed fields as ``changes["fields"]``.
EXTRA_LABELS = {"members": "成员", "member": "成员", "budget": "预算", "beneficiaries": "受益户", "removal": "成员减少"}


def _field_labels(model, changes) -> list[str]:
    """Names of the fields a save says it changed: listed in ``changes["fields"]`` or given as [before, after]."""
    if not isinstance(changes, dict):
        return []
    listed = [str(name) for name in changes["fields"]] if isinstance(changes.get("fields"), list) else []
    paired = [key for key, value in changes.items() if isinstance(value, list) and len(value) == 2]
    extra = [key for key in changes if key in EXTRA_LABELS]
    labels = []
    for key in [*listed, *paired, *extra]:
        if key in ("version", "id"):
            continue
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            field = None
        # A reverse relation (e.g. a household's members) has no verbose name: its label comes from EXTRA_LABELS.
        label = str(getattr(field, "verbose_name", "") or EXTRA_LABELS.get(key, ""))
        if label and label not in labels:
            labels.append(label)
    return labels


def _what(event) -> str:
    """What a save did, in Chinese: the action's label, else the summary's head (e.g. "申请销号：…")."""
    label = event.action_display
    if label == event.action:
        label = (event.summary or "").split("：")[0][:30] or "修改"
    return label


def writes_since(target, expected_version: int, current_version: int) -> list[AuditEvent]:
    """The audit rows of the saves made on ``target`` since ``expected_version`` (newest first)."""
    count = max(1, min(MAX_WRITES, int(current_version) - int(expected_version)))
    return list(
        AuditEvent.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk), outcome="success")
        .exclude(Q(action__iregex=READ_ACTIONS)).select_related("actor").order_by("-at", "-id")[:count]
    )


def changed_since_message(target, expected_version: int, current_version: int, *, noun: str = "该记录") -> str:
    events = writes_since(target, expected_version, current_version)
    if not events:
        return f"{noun}已被他人修改（您读取的是第 {expected_version} 版，现为第 {current_version} 版），请刷新后再改。"
    names, labels = [], []
    for event in events:
        name = str(event.actor) if event.actor_id else (event.username or "系统")
        if name not in names:
            names.append(name)
        for label in _field_labels(type(target), event.changes) or [_what(event)]:
            if label not in labels:
                labels.append(label)
    when = timezone.localtime(events[0].at).strftime("%Y-%m-%d %H:%M")
    return f"{noun}已被 {'、'.join(names)} 于 {when} 修改（{'、'.join(labels)}），请刷新后再改。"


def check_version(target, expected_version: int | None, *, current_version: int | None = None, noun: str = "该记录"):
    """Raise ``Conflict`` naming who changed what since, when ``expected_version`` is given and stale.

    Call with the locked row; ``None`` means the caller is a workflow or import that does not edit a form.
    """
    if expected_version is None:
        return
    current = target.version if current_version is None else current_version
    if int(expected_version) != int(current):
        raise Conflict(changed_since_message(target, int(expected_version), current, noun=noun), code=STALE_CODE)


def is_stale(error) -> bool:
    """True for the 409 of a stale version (pages answer it with 409 and the typed values kept)."""
    return isinstance(error, Conflict) and error.code == STALE_CODE
