from django.contrib.auth import views as auth_views
from django.db.models import Q

from accounts.forms import LoginForm
from accounts.models import AuditEvent
from povalleviation.access import Capability
from povalleviation.views import ScopedListView


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


class AuditEventListView(ScopedListView):
    """The audit log of the auditor's areas, newest first."""

    model = AuditEvent
    required_capability = Capability.AUDIT_VIEW
    template_name = "accounts/auditevent_list.html"
    list_select_related = ("actor",)

    def get_queryset(self):
        queryset = super().get_queryset().order_by("-at", "-id")
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(
                Q(summary__contains=query) | Q(action__startswith=query) | Q(actor__username=query) | Q(area_code__startswith=query)
            )
        return queryset
