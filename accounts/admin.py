from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils import timezone

from accounts import services
from accounts.models import AuditEvent, Post, User
from povalleviation.access import Capability, scope_q
from povalleviation.admin import ScopedModelAdmin


class PostInline(admin.TabularInline):
    model = Post
    fk_name = "user"
    extra = 0
    fields = ["area", "role", "is_active", "start_date", "end_date"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return Post.objects.visible_to(request.user, Capability.USER_MANAGE).select_related("area")


@admin.register(User)
class UserAdmin(ScopedModelAdmin, DjangoUserAdmin):
    view_capability = Capability.USER_MANAGE
    change_capability = Capability.USER_MANAGE
    list_display = ["username", "full_name", "unit", "is_active", "is_demo", "last_login"]
    search_fields = ["username", "full_name"]
    list_filter = ["is_active", "is_demo"]
    ordering = ["username"]
    inlines = [PostInline]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("个人信息", {"fields": ("full_name", "phone", "unit")}),
        ("状态", {"fields": ("is_active", "is_staff", "is_demo", "last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "password1", "password2")}),)
    readonly_fields = ["last_login", "date_joined", "is_demo"]

    def get_queryset(self, request):
        # Users posted inside the administrator's areas, plus users without any post yet (new accounts).
        in_scope = Post.objects.filter(scope_q(request.user, Capability.USER_MANAGE, "area__code")).values("user_id")
        return User.objects.filter(pk__in=in_scope) | User.objects.filter(posts__isnull=True)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            services.audit_record(
                actor=request.user, action="user.update" if change else "user.create", target=obj,
                summary=f"{'修改' if change else '创建'}用户 {obj.username}",
                changes={"fields": [name for name in form.changed_data if "password" not in name]},
            )


@admin.register(Post)
class PostAdmin(ScopedModelAdmin):
    view_capability = Capability.USER_MANAGE
    change_capability = Capability.USER_MANAGE
    list_display = ["user", "area", "role", "is_active", "start_date", "end_date"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "user__full_name", "area__name", "area__code"]
    raw_id_fields = ["user", "area"]
    list_select_related = ["user", "area"]
    ordering = ["area__code", "role"]

    def get_readonly_fields(self, request, obj=None):
        return ["user", "area", "role"] if obj else []

    def save_model(self, request, obj, form, change):
        if change:
            if "is_active" in form.changed_data and not obj.is_active:
                services.post_end(actor=request.user, post=obj, end_date=obj.end_date or timezone.localdate())
            return
        created = services.post_assign(actor=request.user, user=obj.user, area=obj.area, role=obj.role, start_date=obj.start_date)
        obj.pk = created.pk


@admin.register(AuditEvent)
class AuditEventAdmin(ScopedModelAdmin):
    view_capability = Capability.AUDIT_VIEW
    list_display = ["at", "actor", "action", "summary", "area_code", "ip_address"]
    list_filter = ["action"]
    search_fields = ["summary", "area_code", "actor__username"]
    ordering = ["-at"]
