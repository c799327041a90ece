"""Reads of policy parameters and of the areas a user may look at for policy purposes, scoped to the user."""
from django.http import Http404

from assessments.policy.models import PARAMETER_DEFINITIONS, ParameterCode, PolicyParameter
from assessments.policy.services import parameter_values_for_area
from povalleviation.access import Capability, covers, scope_prefixes
from villages.choices import AreaLevel
from villages.models import Area


def default_area(*, user, capability=Capability.POLICY_VIEW):
    """The widest area where the user holds ``capability`` (the first page a user sees)."""
    prefixes = scope_prefixes(user, capability)
    if not prefixes:
        return None
    codes = [p.ljust(12, "0") if len(p) <= 12 else p for p in prefixes]
    return Area.objects.filter(code__in=codes).order_by("code").first()


def visible_area(*, user, code: str, capability=Capability.POLICY_VIEW):
    """An area the user may look at for policy purposes: inside his scope, or an ancestor of it (the rows
    an area inherits are shown read-only). Anything else → 404."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        raise Http404
    prefixes = scope_prefixes(user, capability)
    if any(area.code.startswith(p) or p.startswith(area.scope_prefix) for p in prefixes):
        return area
    raise Http404


def parameter_overview(*, user, area, year: int) -> list[dict]:
    """For each parameter: the row that applies at ``area`` in ``year``, where it comes from (this level or
    inherited from which ancestor), and whether the user may edit it or override it here."""
    rows = parameter_values_for_area(area=area, year=year)
    can_override = covers(user, Capability.POLICY_EDIT, area.code) and area.level != AreaLevel.GROUP
    overview = []
    for code, label in ParameterCode.choices:
        row = rows[code]
        overview.append({
            "code": code, "label": label, "definition": PARAMETER_DEFINITIONS[code], "row": row,
            "inherited": row is not None and row.area_id != area.pk,
            "can_edit": row is not None and covers(user, Capability.POLICY_EDIT, row.area.code),
            "can_view_history": row is not None and covers(user, Capability.POLICY_VIEW, row.area.code),
            "can_override": can_override,
        })
    return overview


def parameter_rows(*, user, area):
    """Current rows set at ``area`` or below it, inside the user's scope."""
    return (
        PolicyParameter.objects.visible_to(user, Capability.POLICY_VIEW).current()
        .filter(area__code__startswith=area.scope_prefix)
        .select_related("area", "created_by").order_by("area__code", "code", "year_from")
    )


def parameter_detail(*, user, pk: int, capability=Capability.POLICY_VIEW) -> PolicyParameter:
    row = PolicyParameter.objects.visible_to(user, capability).select_related("area", "created_by").filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def parameter_history(*, parameter: PolicyParameter):
    return PolicyParameter.objects.filter(series=parameter.series).select_related(
        "created_by", "superseded_by", "area"
    ).order_by("-version")
