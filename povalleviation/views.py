"""Base page views: each declares the capability it needs and reads rows through ``visible_to``.

Anonymous → login page; no capability → 403; a row outside the user's areas → 404 (same as missing).
"""
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.views.generic import DetailView, ListView

from povalleviation.access import has_capability


class CapabilityRequiredMixin(LoginRequiredMixin):
    required_capability: str | None = None

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.required_capability is None or not has_capability(request.user, self.required_capability):
            raise PermissionDenied("您没有访问此页面的权限。")
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
