"""The roles a user can hold at an area (a ``Post``): part of the kernel, so that access rules
(``povalleviation.access``) and every app name roles without importing ``accounts``."""
from django.db import models


class Role(models.TextChoices):
    """Roles a user can hold at an area (a ``Post``); DOMAIN.md §5.0.1."""

    VILLAGE_CADRE = "village_cadre", "村级信息员"
    FIRST_SECRETARY = "first_secretary", "驻村第一书记"
    TOWNSHIP_OFFICER = "township_officer", "乡镇审核员"
    COUNTY_OFFICER = "county_officer", "县级审定员"
    CITY_OFFICER = "city_officer", "市级审定员"
    PROVINCE_OFFICER = "province_officer", "省级审定员"
    LEADING_GROUP_OFFICE = "leading_group_office", "领导小组办公室"
    AUDITOR = "auditor", "审计员"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"
