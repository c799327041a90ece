"""Users, their posts (user × area × role) and the audit trail."""
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from povalleviation import clock
from povalleviation.access import ScopedQuerySet
from povalleviation.roles import Role

from .choices import AuditOutcome, PostApproval
from .models_history import ValueChange  # noqa: F401 (the model lives in its own module)

# The three administrative roles of 等保 level 3: nobody holds two of them, and their passwords expire.
ADMINISTRATIVE_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})


class User(AbstractUser):
    """A person who signs in. What they may do and see comes only from their posts."""

    full_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    unit = models.CharField("工作单位", max_length=100, blank=True)
    is_demo = models.BooleanField("演示账号", default=False)
    must_change_password = models.BooleanField(
        "下次登录须修改密码", default=False, help_text="管理员重置密码后置位；用户修改密码后清除。"
    )
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    managed_area_code = models.CharField(
        "管理区域代码", max_length=15, blank=True,
        help_text="创建该账号的管理员所辖区域；账号尚无任职时，只有该区域的管理员能看到它。",
    )
    session_generation = models.PositiveIntegerField(
        "会话代次", default=0, help_text="“退出所有设备”时加一，此前的会话全部失效。"
    )

    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.full_name or self.username

    def _active_posts(self):
        cached = getattr(self, "_active_posts_cache", None)
        if cached is None:
            today = timezone.localdate()
            cached = list(
                Post.objects.filter(user=self, is_active=True, approval_status=PostApproval.APPROVED)
                .filter(models.Q(end_date__isnull=True) | models.Q(end_date__gte=today))
                .filter(models.Q(start_date__isnull=True) | models.Q(start_date__lte=today))
                .select_related("area")
                .order_by("area__code", "role")
            )
            self._active_posts_cache = cached
        return cached

    def active_posts(self):
        return list(self._active_posts())

    def active_posts_roles(self):
        return {post.role for post in self._active_posts()}

    def active_post_scopes(self):
        return [(post.role, post.area.scope_prefix) for post in self._active_posts()]

    def get_session_auth_hash(self):
        """Sessions carry this hash; it changes with the password and with "退出所有设备" (session_generation)."""
        from django.utils.crypto import salted_hmac

        return salted_hmac(
            "povalleviation.accounts.session", f"{self.password}|{self.session_generation}", algorithm="sha256"
        ).hexdigest()

    @property
    def holds_administrative_role(self) -> bool:
        """Whether the user holds one of the three administrative roles (三权分立), or is a superuser."""
        return self.is_superuser or bool(self.active_posts_roles() & ADMINISTRATIVE_ROLES)

    def password_expired(self, now=None) -> bool:
        """Administrative accounts must change their password every ``PASSWORD_MAX_AGE_DAYS`` days."""
        from datetime import timedelta

        from django.conf import settings

        if not self.holds_administrative_role:
            return False
        changed_at = self.password_changed_at or self.date_joined
        max_age = timedelta(days=getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
        return (now or timezone.now()) - changed_at > max_age

    @property
    def needs_password_change(self) -> bool:
        """A temporary password (set by an administrator) or an expired one must be changed before anything else."""
        return self.must_change_password or self.password_expired()

    def forget_access_cache(self):
        for name in ("_active_posts_cache", "_capability_cache", "_scope_cache"):
            self.__dict__.pop(name, None)


class PostQuerySet(ScopedQuerySet):
    area_code_path = "area__code"


class Post(models.Model):
    """A user's role at an area (任职). Scope = the area and everything below it."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="posts")
    area = models.ForeignKey("villages.Area", verbose_name="任职区域", on_delete=models.PROTECT, related_name="posts")
    role = models.CharField("角色", max_length=32, choices=Role.choices)
    is_active = models.BooleanField("有效", default=True)
    start_date = models.DateField("起始日期", null=True, blank=True)
    end_date = models.DateField("截止日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    approval_status = models.CharField(
        "审批状态", max_length=16, choices=PostApproval.choices, default=PostApproval.APPROVED, db_index=True
    )
    requested_by = models.ForeignKey(
        User, verbose_name="申请人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = "任职"
        verbose_name_plural = "任职"
        constraints = [models.UniqueConstraint(fields=["user", "area", "role"], name="post_user_area_role_unique")]

    def __str__(self):
        return f"{self.user} · {self.area} · {self.get_role_display()}"


class AuditEventQuerySet(ScopedQuerySet):
    area_code_path = "area_code"


class AuditEvent(models.Model):
    """One recorded action: who, when, what, on which record, in which area, from where.

    Written by services in the same transaction as the change they describe (ARCHITECTURE.md §8).
    """

    at = models.DateTimeField("时间", default=clock.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name="操作人", null=True, blank=True, on_delete=models.PROTECT, related_name="audit_events"
    )
    action = models.CharField("操作", max_length=64, db_index=True)
    summary = models.CharField("说明", max_length=300, blank=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    area_code = models.CharField("区域代码", max_length=15, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=300, blank=True)
    role = models.CharField("角色", max_length=200, blank=True, help_text="操作时操作人的有效角色，逗号分隔")
    username = models.CharField(
        "用户名", max_length=150, blank=True, help_text="操作人用户名；登录失败时为所填用户名（账号可能不存在）"
    )
    outcome = models.CharField(
        "结果", max_length=16, choices=AuditOutcome.choices, default=AuditOutcome.SUCCESS, db_index=True
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["area_code"], name="audit_area_prefix_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action}"

    @property
    def action_display(self) -> str:
        """The action in Chinese, from the registry each app contributes to (``ACTION_LABELS``)."""
        return ACTION_LABELS.get(self.action) or ACTION_LABELS.get(self.action.split(".")[0] + ".*", self.action)


# Chinese names of audited actions; apps add theirs with ``register_action_labels``.
ACTION_LABELS: dict[str, str] = {
    "user.create": "创建用户", "user.update": "修改用户", "post.assign": "任命任职", "post.end": "免去任职",
    "area.create": "新增区域", "area.update": "修改区域", "area.load": "导入区域列表",
}


def register_action_labels(labels: dict[str, str]):
    ACTION_LABELS.update(labels)


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords: a new password may not repeat one of the last five."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码散列", max_length=128)
    created_at = models.DateTimeField("设置时间", default=clock.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.user} · {self.created_at:%Y-%m-%d %H:%M}"


class AuditArchive(models.Model):
    """One archive file of audit events written by ``manage.py archive_audit`` before those rows are removed.

    The rows it covers (``first_id``..``last_id``, all older than ``before``) may be deleted only while the
    archive row exists (database trigger); ``head_hash`` is the last link of the SHA-256 chain over the rows.
    """

    created_at = models.DateTimeField("归档时间", default=clock.now)
    before = models.DateField("归档截止日期（不含）")
    first_id = models.BigIntegerField("首条编号")
    last_id = models.BigIntegerField("末条编号")
    event_count = models.PositiveIntegerField("条数")
    head_hash = models.CharField("哈希链末值", max_length=64)
    file_name = models.CharField("归档文件", max_length=300)
    file_sha256 = models.CharField("文件 SHA-256", max_length=64)
    created_by = models.CharField("执行人", max_length=150, blank=True)

    class Meta:
        verbose_name = "审计日志归档"
        verbose_name_plural = "审计日志归档"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name}（{self.event_count} 条，{self.before} 之前）"
