"""The auditor's page: the audit log of his areas, filtered, paginated and exported as shown."""
from urllib.parse import quote

from django.http import HttpResponse

from accounts.audit_export import audit_export, role_labels
from accounts.filters import AuditEventFilter
from accounts.models import ACTION_LABELS, AuditEvent
from povalleviation.access import Capability
from povalleviation.views import ScopedListView

EXPORT_FORMATS = ("xlsx", "csv")


class AuditEventListView(ScopedListView):
    """Filters by user, action, area, date range and outcome; a bad value is a form error (400), never a 500."""

    model = AuditEvent
    required_capability = Capability.AUDIT_VIEW
    template_name = "accounts/auditevent_list.html"
    list_select_related = ("actor",)

    def get(self, request, *args, **kwargs):
        scoped = super().get_queryset().order_by("-at", "-id")
        self.filterset = AuditEventFilter(request.GET or None, queryset=scoped)
        self.filters_valid = self.filterset.is_valid() if self.filterset.is_bound else True
        export_format = request.GET.get("export", "")
        if export_format in EXPORT_FORMATS and self.filters_valid:
            return self.export(export_format)
        response = super().get(request, *args, **kwargs)
        if not self.filters_valid:
            response.status_code = 400
        return response

    def get_queryset(self):
        if not self.filters_valid:
            return AuditEvent.objects.none()
        return self.filterset.qs

    def paginate_queryset(self, queryset, page_size):
        # A page number out of range or not a number shows the nearest page instead of a 404.
        paginator = self.get_paginator(queryset, page_size, orphans=self.get_paginate_orphans())
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for event in context["object_list"]:
            event.role_display = role_labels(event.role)
        query = self.request.GET.copy()
        for name in ("page", "export"):
            query.pop(name, None)
        context.update(
            filter_form=self.filterset.form, filters_valid=self.filters_valid,
            export_query=query.urlencode(), action_choices=sorted(ACTION_LABELS.items()),
        )
        return context

    def export(self, file_format):
        cleaned = {name: value for name, value in self.filterset.form.cleaned_data.items()}
        export = audit_export(actor=self.request.user, events=self.filterset.qs, file_format=file_format,
                              filters=cleaned)
        response = HttpResponse(export.content, content_type=export.content_type)
        response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export.file_name)}"
        response["Cache-Control"] = "no-store"
        return response
