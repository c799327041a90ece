"""Reads of the area tree, always scoped to the user."""
from django.db.models import Count, Q

from povalleviation.access import Capability
from villages.models import Area


def area_list(*, user, level=None, query=None, within=None):
    areas = Area.objects.visible_to(user, Capability.AREA_VIEW).select_related("parent")
    if level:
        areas = areas.filter(level=level)
    if within is not None:
        areas = areas.within(within)
    if query:
        areas = areas.filter(Q(name__contains=query) | Q(code__startswith=query))
    return areas.order_by("code")


def area_children(*, user, area):
    return (
        Area.objects.visible_to(user, Capability.AREA_VIEW)
        .filter(parent=area)
        .annotate(child_count=Count("children"))
        .order_by("code")
    )


def home_areas(*, user):
    """For each post: its area and the areas directly below it (the cadre's groups, the county's townships)."""
    posts = user.active_posts()
    entries = []
    for post in posts:
        children = list(area_children(user=user, area=post.area))
        entries.append({"post": post, "area": post.area, "children": children})
    return entries
