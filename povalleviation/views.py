"""Base page views and the helpers every app's pages share.

Each page declares the capability it needs and reads rows through ``visible_to``: anonymous → login page; no
capability → 403; a row outside the user's areas → 404 (same as missing). ``PageView`` is a read page whose
context is computed for the signed-in user; ``ServiceFormView`` a page with one form whose valid submission calls
a service; the functions place a service's refusal on a form or in a message and page a filtered list.
"""
from abc import ABC, abstractmethod

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied as PageForbidden
from django.core.paginator import Paginator
from django.shortcuts import render
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from povalleviation.access import has_capability
from povalleviation.errors import ApplicationError, PermissionDenied


class CapabilityRequiredMixin(LoginRequiredMixin):
    required_capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_capability is None or not has_capability(request.user, self.required_capability):
            raise PageForbidden("您没有访问此页面的权限。")
        return super().dispatch(request, *args, **kwargs)


class ScopedQuerysetMixin(CapabilityRequiredMixin):
    model = None
    list_select_related: tuple = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user, self.required_capability).select_related(
            *self.list_select_related
        )


class ScopedListView(ScopedQuerysetMixin, ListView):
    paginate_by = 50


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    pass


def forbid_if_denied(error: ApplicationError):
    """A service's permission refusal becomes the page's 403."""
    if isinstance(error, PermissionDenied):
        raise PageForbidden(error.message) from error


def flash_refusal(request, error: ApplicationError):
    """A service's refusal as an error message on the next page (a permission refusal is a 403)."""
    forbid_if_denied(error)
    messages.error(request, error.message)


def paginate(request, queryset, per_page=50):
    """The requested page of ``queryset`` and the query string of the filters without the page number."""
    page = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


def apply_form_errors(error: ApplicationError, form, aliases=None):
    """Put the service's field errors on the form's fields (``aliases`` maps a service key to a field, or to
    ``None`` for the whole form); when none fits, the message goes on the form as a whole."""
    aliases = aliases or {}
    placed = False
    for key, message in error.field_errors.items():
        name = aliases.get(key, key)
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class PageView(CapabilityRequiredMixin, TemplateView):
    """A read page: the template's context is TemplateView's plus what ``page_context`` computes."""

    def page_context(self, user, **kwargs) -> dict:
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.page_context(self.request.user, **kwargs))
        return context


class ServiceFormView(CapabilityRequiredMixin, View, ABC):
    """One form about an object (found from the URL by ``get_object``): GET shows it, POST calls ``save`` with
    the valid form, which answers (usually a redirect). A refusal shows the page again with the reasons on the
    form: status 400 for an invalid form, ``refusal_status`` (or the service's own status) for a refusal."""

    template_name = None
    form_class = None
    refusal_status: int | None = None
    error_aliases: dict = {}

    def get_object(self, request, **kwargs):
        return None

    def form_kwargs(self, request, obj) -> dict:
        return {}

    def initial(self, request, obj) -> dict:
        return {}

    def refuse_form(self, request, obj):
        """A response that replaces the empty form (e.g. a redirect when the object may not be changed)."""
        return None

    def page_context(self, request, obj, form) -> dict:
        return {"form": form}

    def place_errors(self, error: ApplicationError, form):
        apply_form_errors(error, form, self.error_aliases)

    @abstractmethod
    def save(self, request, obj, form):
        ...

    def render_page(self, request, obj, form, status=200):
        return render(request, self.template_name, self.page_context(request, obj, form), status=status)

    def get(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        refusal = self.refuse_form(request, obj)
        if refusal is not None:
            return refusal
        form = self.form_class(initial=self.initial(request, obj), **self.form_kwargs(request, obj))
        return self.render_page(request, obj, form)

    def post(self, request, **kwargs):
        obj = self.get_object(request, **kwargs)
        form = self.form_class(request.POST, **self.form_kwargs(request, obj))
        status = 400
        if form.is_valid():
            try:
                return self.save(request, obj, form)
            except ApplicationError as error:
                self.place_errors(error, form)
                status = self.refusal_status or error.status_code
        return self.render_page(request, obj, form, status=status)
