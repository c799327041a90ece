"""Helpers shared by the oversight pages."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied as PageForbidden
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.views import View

from povalleviation.errors import ApplicationError, PermissionDenied
from villages.models import Area

from ..forms import apply_errors

ITEM_AREA_LEVELS = ["county", "township", "village"]


def area_choices(user, capability, *, levels=ITEM_AREA_LEVELS, within=None):
    """(code, "code name") of the areas of ``levels`` where the user holds ``capability`` (optionally under one)."""
    areas = Area.objects.visible_to(user, capability).filter(level__in=levels)
    if within is not None:
        areas = areas.filter(code__startswith=within.scope_prefix)
    return [(a.code, f"{a.code} {a.name}") for a in areas.order_by("code").only("code", "name")]


def action_cards(actions, *, may, make_form, bound=None):
    """The folded forms of a detail page: each action of ``actions`` (name → (label, form class)) the user may take,
    plus the one just posted with errors (``bound`` = (name, bound form)), which stays open."""
    cards = []
    for name, (label, _) in actions.items():
        posted = bool(bound and bound[0] == name)
        if may(name) or posted:
            cards.append({"name": name, "label": label, "open": posted, "form": bound[1] if posted else make_form(name)})
    return cards


def forbid_if_denied(error):
    if isinstance(error, PermissionDenied):
        raise PageForbidden(error.message) from error


def paginate(request, queryset, per_page=50):
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


class RecordActionView(View):
    """POST one action of a detail page. An unknown action goes back to the page; a refusal or an invalid form
    shows the page again with that form open (400); success shows a message and goes back."""

    actions: dict = {}  # name → (label, form class)
    detail_url = ""

    def load(self, pk):
        raise NotImplementedError

    def bound_form(self, action, record):
        raise NotImplementedError

    def perform(self, action, record, data):
        raise NotImplementedError

    def render_page(self, record, *, bound, status):
        raise NotImplementedError

    def post(self, request, pk, action):
        if action not in self.actions:
            return redirect(self.detail_url, pk=pk)
        record = self.load(pk)
        form = self.bound_form(action, record)
        if form.is_valid():
            try:
                self.perform(action, record, form.cleaned_data)
            except ApplicationError as error:
                forbid_if_denied(error)
                apply_errors(form, error)
            else:
                messages.success(request, f"已{self.actions[action][0]}。")
                return redirect(self.detail_url, pk=pk)
        return self.render_page(self.load(pk), bound=(action, form), status=400)
