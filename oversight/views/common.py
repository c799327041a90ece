"""Helpers shared by the oversight pages."""
from django.core.exceptions import PermissionDenied as PageForbidden
from django.core.paginator import Paginator

from povalleviation.errors import PermissionDenied
from villages.models import Area

ITEM_AREA_LEVELS = ["county", "township", "village"]


def area_choices(user, capability, *, levels=ITEM_AREA_LEVELS, within=None):
    """(code, "code name") of the areas of ``levels`` where the user holds ``capability`` (optionally under one)."""
    areas = Area.objects.visible_to(user, capability).filter(level__in=levels)
    if within is not None:
        areas = areas.filter(code__startswith=within.scope_prefix)
    return [(a.code, f"{a.code} {a.name}") for a in areas.order_by("code").only("code", "name")]


def forbid_if_denied(error):
    if isinstance(error, PermissionDenied):
        raise PageForbidden(error.message) from error


def paginate(request, queryset, per_page=50):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()
