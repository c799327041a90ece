from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import FormView, TemplateView

from accounts import selectors, services
from accounts.forms import GrantDecisionForm, LoginForm, PasswordChangeForm
from accounts.models import AuditEvent
from povalleviation.access import Capability
from povalleviation.errors import ApplicationError
from povalleviation.views import CapabilityRequiredMixin, ScopedListView


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


# ---------------------------------------------------------------- own password, grant approval


class PasswordChangeView(LoginRequiredMixin, FormView):
    """Change one's own password. Every other session of the user ends; this one stays signed in."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["reason"] = (
            "管理员已为您重置了密码，请设置只有您自己知道的新密码。" if user.must_change_password
            else "您的密码已超过 90 天有效期，请设置新密码。" if user.password_expired() else ""
        )
        context["next"] = self._next_url()
        return context

    def _next_url(self):
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        allowed = url_has_allowed_host_and_scheme(candidate, allowed_hosts={self.request.get_host()},
                                                  require_https=self.request.is_secure())
        return candidate if allowed and candidate != self.request.path else ""

    def form_valid(self, form):
        user = self.request.user
        try:
            services.user_password_change(user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            form.add_error("new_password1", error.messages)
            return self.form_invalid(form)
        update_session_auth_hash(self.request, user)
        messages.success(self.request, "密码已修改。您在其他设备上的登录已全部退出。")
        return redirect(self._next_url() or "home")


class GrantListView(CapabilityRequiredMixin, TemplateView):
    """待审批授权: the security administrator approves or rejects the grants of data and administrative roles."""

    required_capability = Capability.GRANT_APPROVE
    template_name = "accounts/grant_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["pending"] = list(selectors.pending_grants(user=self.request.user))
        context["decided"] = list(selectors.decided_grants(user=self.request.user))
        return context


class GrantDecideView(CapabilityRequiredMixin, View):
    required_capability = Capability.GRANT_APPROVE
    http_method_names = ["post"]

    def post(self, request, pk, decision):
        post = get_object_or_404(selectors.pending_grants(user=request.user), pk=pk)
        form = GrantDecisionForm(request.POST)
        note = form.cleaned_data["note"] if form.is_valid() else ""
        try:
            if decision == "approve":
                services.post_approve(actor=request.user, post=post, note=note)
                messages.success(request, f"已批准：{post}。")
            else:
                services.post_reject(actor=request.user, post=post, note=note)
                messages.success(request, f"已驳回：{post}。")
        except ApplicationError as error:
            messages.error(request, error.message)
        return redirect("accounts:grant_list")
