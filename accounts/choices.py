from django.db import models


class PostApproval(models.TextChoices):
    """A grant of a role that sees household data takes a second person's approval (三权分立)."""

    APPROVED = "approved", "已生效"
    PENDING = "pending", "待安全管理员审批"
    REJECTED = "rejected", "已驳回"


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", "成功"
    DENIED = "denied", "拒绝"
    FAILURE = "failure", "失败"
