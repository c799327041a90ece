"""The admin of accounts: scoped to the administrator's areas; every write goes through the audited services."""
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from accounts import services
from accounts.forms import AdminPostForm, AdminUserAddForm, AdminUserChangeForm
from accounts.models import AuditEvent, Post, User
from accounts.selectors import users_managed_by
from povalleviation.access import Capability, scope_q
from povalleviation.admin import ScopedModelAdmin
from povalleviation.errors import ApplicationError

# What a user may do comes only from his posts: Django's groups and permissions are not used, and their admin
# page (an unaudited way to hand out rights) is not offered.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)


class NotFoundInsteadOfRedirect:
    """A row outside the administrator's areas answers 404, exactly like a missing one."""

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404("该记录不存在，或不在您的管理范围内。")


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "user"
    extra = 0
    fields = ["area", "role", "is_active", "approval_status", "start_date", "end_date"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True

    def get_queryset(self, request):
        return Post.objects.visible_to(request.user, Capability.USER_MANAGE).select_related("area")


@admin.register(User)
class UserAdmin(NotFoundInsteadOfRedirect, ScopedModelAdmin, DjangoUserAdmin):
    view_capability = Capability.USER_MANAGE
    change_capability = Capability.USER_MANAGE
    form = AdminUserChangeForm
    add_form = AdminUserAddForm
    list_display = ["username", "full_name", "unit", "is_active", "must_change_password", "is_demo", "last_login"]
    search_fields = ["username", "full_name"]
    list_filter = ["is_active", "is_demo", "must_change_password"]
    ordering = ["username"]
    inlines = [PostInline]
    # No groups or permissions: what a user may do comes only from his posts. No staff/superuser switch:
    # the staff flag follows the administrative roles' grants.
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "unit")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_demo", "must_change_password", "password_changed_at",
                           "managed_area_code", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "phone", "unit", "password1", "password2")}),)
    readonly_fields = ["is_staff", "is_demo", "must_change_password", "password_changed_at", "managed_area_code",
                       "last_login", "date_joined"]

    def get_queryset(self, request):
        return users_managed_by(request.user).order_by(*self.ordering)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in services.USER_EDITABLE_FIELDS}
            updated = services.user_update(actor=request.user, user=obj, **fields)
            obj.pk = updated.pk
            return
        data = form.cleaned_data
        created = services.user_create(
            actor=request.user, username=data["username"], password=data["password1"], full_name=data.get("full_name", ""),
            phone=data.get("phone", ""), unit=data.get("unit", ""),
        )
        obj.pk, obj.password, obj.managed_area_code = created.pk, created.password, created.managed_area_code
        obj._state.adding = False

    @method_decorator(csrf_protect)
    @method_decorator(never_cache)
    def user_change_password(self, request, id, form_url=""):
        """Reset another user's password to a temporary one, shown once; he must change it at his next login."""
        user = self.get_object(request, unquote(id))
        if user is None:
            raise Http404("该用户不存在，或不在您的管理范围内。")
        if not self.has_change_permission(request, user):
            raise DjangoPermissionDenied
        context = {**self.admin_site.each_context(request), "title": f"重置密码：{user.username}", "opts": self.opts,
                   "original": user, "temporary_password": None, "error": None}
        if request.method == "POST":
            try:
                context["temporary_password"] = services.user_password_reset(actor=request.user, user=user)
            except ApplicationError as error:
                context["error"] = error.message
            else:
                messages.success(request, f"已将用户 {user.username} 的密码重置为临时密码。")
        return TemplateResponse(request, "accounts/password_reset_admin.html", context)


@admin.register(Post)
class PostAdmin(NotFoundInsteadOfRedirect, ScopedModelAdmin):
    view_capability = Capability.USER_MANAGE
    change_capability = Capability.USER_MANAGE
    # The security administrator reads the grants of his areas (he approves them on the grants page).
    extra_view_capabilities = (Capability.GRANT_APPROVE,)
    form = AdminPostForm
    list_display = ["user", "area", "role", "approval_status", "is_active", "start_date", "end_date", "requested_by",
                    "decided_by"]
    list_filter = ["approval_status", "role", "is_active"]
    search_fields = ["user__username", "user__full_name", "area__name", "area__code"]
    raw_id_fields = ["user", "area"]
    list_select_related = ["user", "area", "requested_by", "decided_by"]
    ordering = ["area__code", "role"]
    approval_fields = ["approval_status", "requested_by", "decided_by", "decided_at", "decision_note"]

    def get_queryset(self, request):
        queryset = Post.objects.filter(
            scope_q(request.user, Capability.USER_MANAGE, "area__code")
            | scope_q(request.user, Capability.GRANT_APPROVE, "area__code")
        )
        return queryset.order_by(*self.ordering)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["user", "area", "role", "start_date"]
        return ["user", "area", "role", "start_date", "is_active", "end_date", *self.approval_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        editable = ["is_active", "end_date"] if obj.is_active and self.has_change_permission(request, obj) else []
        return [name for name in self.get_fields(request, obj) if name not in editable]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def has_change_permission(self, request, obj=None):
        if obj is not None and not obj.area.code.startswith(tuple(self._manage_prefixes(request))):
            return False
        return super().has_change_permission(request, obj)

    def _manage_prefixes(self, request):
        from povalleviation.access import scope_prefixes

        return scope_prefixes(request.user, Capability.USER_MANAGE) or ["\0"]

    def save_model(self, request, obj, form, change):
        if change:
            if "is_active" in form.changed_data and not obj.is_active:
                services.post_end(actor=request.user, post=obj, end_date=obj.end_date or timezone.localdate())
            return
        created = services.post_assign(actor=request.user, user=obj.user, area=obj.area, role=obj.role,
                                       start_date=obj.start_date)
        obj.pk = created.pk
        obj._state.adding = False
        if created.approval_status != "approved":
            messages.warning(request, "该授权涉及个人信息或管理员角色，须经安全管理员审批后才生效。")


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedModelAdmin):
    view_capability = Capability.AUDIT_VIEW
    list_display = ["at", "actor", "action", "summary", "area_code", "ip_address"]
    list_filter = ["action"]
    search_fields = ["summary", "area_code", "actor__username"]
    ordering = ["-at"]
