"""Helpers shared by the oversight pages."""
from abc import ABC, abstractmethod

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views import View

from accounts.conflicts import is_stale
from povalleviation.errors import ApplicationError
from povalleviation.views import forbid_if_denied
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


class RecordPageView(View, ABC):
    """The detail page of one record with the folded forms of its ``actions`` (name → (label, form class)).
    ``selector(user=, pk=)`` finds the record in the user's scope; ``may`` says which actions the user may take,
    ``make_form`` builds an action's form and ``page_context`` gives the rest of the template's context."""

    template_name = ""
    selector = None
    actions: dict = {}

    def load(self, pk):
        return type(self).selector(user=self.request.user, pk=pk)

    @abstractmethod
    def may(self, name, record) -> bool:
        ...

    def make_form(self, name, record, data=None, files=None):
        return self.actions[name][1](data, files)

    def page_context(self, record) -> dict:
        return {}

    def render_page(self, record, *, bound=None, status=200, posted_version=None):
        cards = action_cards(self.actions, may=lambda name: self.may(name, record),
                             make_form=lambda name: self.make_form(name, record), bound=bound)
        # Each form carries the version shown (the one posted, when a form comes back refused).
        for card in cards:
            card["version"] = posted_version if card["open"] and posted_version is not None else getattr(record, "version", "")
        return render(self.request, self.template_name, self.page_context(record) | {"actions": cards}, status=status)

    def get(self, request, pk):
        return self.render_page(self.load(pk))


class RecordActionView(RecordPageView):
    """POST one action of a record's page (subclass it together with that page's view). An unknown action goes
    back to the page; a refusal or an invalid form shows the page again with that form open (400, or 409 when
    the record changed since the page showed it: ``perform`` passes ``self.expected_version``, the version the
    form carried, to the service); success shows a message and goes back."""

    http_method_names = ["post", "options"]
    detail_url = ""
    expected_version: int | None = None

    def bound_form(self, action, record):
        return self.make_form(action, record, self.request.POST, self.request.FILES)

    @abstractmethod
    def perform(self, action, record, data):
        ...

    def post(self, request, pk, action):
        if action not in self.actions:
            return redirect(self.detail_url, pk=pk)
        record = self.load(pk)
        posted = (request.POST.get("version") or "").strip()
        self.expected_version = int(posted) if posted.isdigit() else None
        form = self.bound_form(action, record)
        status = 400
        if form.is_valid():
            try:
                self.perform(action, record, form.cleaned_data)
            except ApplicationError as error:
                forbid_if_denied(error)
                apply_errors(form, error)
                status = error.status_code if is_stale(error) else 400
            else:
                messages.success(request, f"已{self.actions[action][0]}。")
                return redirect(self.detail_url, pk=pk)
        return self.render_page(self.load(pk), bound=(action, form), status=status, posted_version=self.expected_version)
