"""Capabilities and the one table mapping roles to them.

Views and API viewsets declare the capability each action needs; ``visible_to(user, capability)`` on
every scoped manager keeps the rows inside the areas where the user holds a post whose role grants it.
A post at an area covers every row whose area code starts with that area's scope prefix.
"""
from django.db import models
from django.db.models import Q

from povalleviation.roles import Role


class Capability(models.TextChoices):
    AREA_VIEW = "area.view", "查看区域"
    AREA_MANAGE = "area.manage", "管理区域"
    USER_MANAGE = "user.manage", "管理用户与任职"
    AUDIT_VIEW = "audit.view", "查看审计日志"
    HOUSEHOLD_VIEW = "household.view", "查看建档立卡户"
    HOUSEHOLD_EDIT = "household.edit", "编辑建档立卡户"
    HOUSEHOLD_IMPORT = "household.import", "导入建档立卡户"
    HOUSEHOLD_EXPORT = "household.export", "导出建档立卡户"
    IDNUMBER_REVEAL = "idnumber.reveal", "查看完整身份证号"
    VISIT_RECORD = "visit.record", "记录走访"
    EXIT_NOMINATE = "exit.nominate", "退出提名"
    EXIT_VILLAGE_REVIEW = "exit.village_review", "村级评议"
    EXIT_APPROVE_TOWNSHIP = "exit.approve_township", "乡级初核"
    EXIT_APPROVE_COUNTY = "exit.approve_county", "县级审定"
    EXIT_ANNOUNCE = "exit.announce", "退出公告"
    PUBLICITY_MANAGE = "publicity.manage", "管理公示"
    VILLAGE_EXIT_APPLY = "village_exit.apply", "贫困村退出申请"
    VILLAGE_EXIT_ASSESS_TOWNSHIP = "village_exit.assess_township", "贫困村退出乡级初评"
    VILLAGE_EXIT_CHECK_COUNTY = "village_exit.check_county", "贫困村退出县级初核"
    VILLAGE_EXIT_APPROVE_CITY = "village_exit.approve_city", "贫困村退出市级审定"
    COUNTY_EXIT_CHECK_CITY = "county_exit.check_city", "贫困县退出市级初核"
    COUNTY_EXIT_APPROVE_PROVINCE = "county_exit.approve_province", "贫困县退出省级审定"
    EXIT_VIEW = "exit.view", "查看退出与识别流程"
    OBJECTION_RECORD = "objection.record", "登记公示异议"
    IDENTIFICATION_PROPOSE = "identification.propose", "识别纳入申请"
    IDENTIFICATION_APPROVE_TOWNSHIP = "identification.approve_township", "识别纳入与返贫乡级审核"
    IDENTIFICATION_APPROVE_COUNTY = "identification.approve_county", "识别纳入与返贫县级审定"
    RETURN_PROPOSE = "return.propose", "返贫申报"
    COUNTY_EXIT_APPLY = "county_exit.apply", "贫困县退出申请"
    POLICY_EDIT = "policy.edit", "编辑政策参数"
    POLICY_VIEW = "policy.view", "查看政策参数与重算记录"
    ELIGIBILITY_RECOMPUTE = "eligibility.recompute", "发起脱贫标准重算"
    PLAN_VIEW = "plan.view", "查看脱贫计划"
    PLAN_EDIT = "plan.edit", "编辑脱贫计划"
    PROJECT_VIEW = "project.view", "查看项目"
    PROJECT_SUBMIT = "project.submit", "项目申报"
    PROJECT_APPROVE = "project.approve", "项目审批"
    PROJECT_LIBRARY_ADMIT = "project.library_admit", "项目入库"
    PROJECT_IMPLEMENT = "project.implement", "项目实施"
    PROJECT_ACCEPT = "project.accept", "项目验收"
    FUND_VIEW = "fund.view", "查看资金"
    FUND_ALLOCATE = "fund.allocate", "资金分配"
    DISBURSEMENT_RECORD = "disbursement.record", "资金报账"
    DISBURSEMENT_REVIEW_TOWNSHIP = "disbursement.review_township", "报账乡级审核"
    DISBURSEMENT_REVIEW_COUNTY = "disbursement.review_county", "报账县级审核"
    INSPECTION_MANAGE = "inspection.manage", "管理问题整改"
    INSPECTION_VIEW = "inspection.view", "查看问题整改台账"
    RECTIFICATION_WORK = "rectification.work", "整改落实与申请销号"
    RECTIFICATION_VERIFY = "rectification.verify", "整改对账销号"
    COMPLAINT_VIEW = "complaint.view", "查看投诉信访"
    COMPLAINT_MANAGE = "complaint.manage", "投诉信访登记交办办结"
    COMPLAINT_HANDLE = "complaint.handle", "投诉信访办理答复"
    REPORT_VIEW = "report.view", "查看报告"
    REPORT_GENERATE = "report.generate", "生成季度报告"
    REPORT_REVIEW = "report.review", "审核季度报告"
    REPORT_SIGN = "report.sign", "签署季度报告"
    ACCOUNT_UNLOCK = "account.unlock", "解锁账号与安全设置"
    GRANT_APPROVE = "grant.approve", "审批数据角色授权"



# Every post reads these for its areas; complaints carry personal data and are granted per role below.
_READ_ALL = {
    Capability.AREA_VIEW, Capability.HOUSEHOLD_VIEW, Capability.PROJECT_VIEW, Capability.FUND_VIEW, Capability.REPORT_VIEW, Capability.PLAN_VIEW, Capability.EXIT_VIEW,
    Capability.INSPECTION_VIEW,
}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.VILLAGE_CADRE: frozenset(
        _READ_ALL
        | {
            Capability.HOUSEHOLD_EDIT, Capability.HOUSEHOLD_IMPORT, Capability.HOUSEHOLD_EXPORT, Capability.IDNUMBER_REVEAL, Capability.VISIT_RECORD,
            Capability.EXIT_NOMINATE, Capability.EXIT_VILLAGE_REVIEW, Capability.PUBLICITY_MANAGE, Capability.VILLAGE_EXIT_APPLY,
            Capability.OBJECTION_RECORD, Capability.IDENTIFICATION_PROPOSE, Capability.RETURN_PROPOSE,
            Capability.RECTIFICATION_WORK,
        }
    ),
    Role.FIRST_SECRETARY: frozenset(
        _READ_ALL | {Capability.VISIT_RECORD, Capability.EXIT_VILLAGE_REVIEW, Capability.VILLAGE_EXIT_APPLY, Capability.HOUSEHOLD_EXPORT}
        | {Capability.OBJECTION_RECORD, Capability.RETURN_PROPOSE}
    ),
    Role.TOWNSHIP_OFFICER: frozenset(
        _READ_ALL
        | {
            Capability.HOUSEHOLD_EXPORT, Capability.IDNUMBER_REVEAL, Capability.EXIT_APPROVE_TOWNSHIP, Capability.VILLAGE_EXIT_ASSESS_TOWNSHIP,
            Capability.PUBLICITY_MANAGE, Capability.PROJECT_SUBMIT, Capability.DISBURSEMENT_RECORD, Capability.VISIT_RECORD,
            Capability.PROJECT_IMPLEMENT, Capability.DISBURSEMENT_REVIEW_TOWNSHIP,
            Capability.OBJECTION_RECORD, Capability.IDENTIFICATION_APPROVE_TOWNSHIP,
            Capability.POLICY_VIEW,
            Capability.RECTIFICATION_WORK, Capability.COMPLAINT_VIEW, Capability.COMPLAINT_HANDLE,
        }
    ),
    Role.COUNTY_OFFICER: frozenset(
        _READ_ALL
        | {
            Capability.HOUSEHOLD_EXPORT, Capability.IDNUMBER_REVEAL, Capability.EXIT_APPROVE_COUNTY, Capability.VILLAGE_EXIT_CHECK_COUNTY,
            Capability.POLICY_EDIT, Capability.PROJECT_APPROVE, Capability.FUND_ALLOCATE, Capability.DISBURSEMENT_RECORD, Capability.INSPECTION_MANAGE,
            Capability.PROJECT_SUBMIT, Capability.PROJECT_LIBRARY_ADMIT, Capability.PROJECT_IMPLEMENT, Capability.PROJECT_ACCEPT,
            Capability.DISBURSEMENT_REVIEW_COUNTY,
            Capability.OBJECTION_RECORD, Capability.IDENTIFICATION_APPROVE_COUNTY,
            Capability.POLICY_VIEW, Capability.ELIGIBILITY_RECOMPUTE,
            Capability.RECTIFICATION_WORK, Capability.RECTIFICATION_VERIFY, Capability.COMPLAINT_VIEW, Capability.COMPLAINT_MANAGE, Capability.COMPLAINT_HANDLE,
        }
    ),
    Role.CITY_OFFICER: frozenset(
        _READ_ALL
        | {Capability.VILLAGE_EXIT_APPROVE_CITY, Capability.COUNTY_EXIT_CHECK_CITY, Capability.INSPECTION_MANAGE, Capability.POLICY_EDIT}
        | {Capability.OBJECTION_RECORD}
        | {Capability.POLICY_VIEW, Capability.ELIGIBILITY_RECOMPUTE}
        | {Capability.RECTIFICATION_VERIFY, Capability.COMPLAINT_VIEW, Capability.COMPLAINT_MANAGE}
    ),
    Role.PROVINCE_OFFICER: frozenset(
        _READ_ALL | {Capability.COUNTY_EXIT_APPROVE_PROVINCE, Capability.POLICY_EDIT} | {Capability.POLICY_VIEW, Capability.ELIGIBILITY_RECOMPUTE}
    ),
    Role.LEADING_GROUP_OFFICE: frozenset(
        _READ_ALL
        | {
            Capability.HOUSEHOLD_EXPORT, Capability.EXIT_ANNOUNCE, Capability.PLAN_EDIT, Capability.REPORT_GENERATE, Capability.REPORT_REVIEW,
            Capability.REPORT_SIGN,
            Capability.OBJECTION_RECORD, Capability.COUNTY_EXIT_APPLY,
            Capability.POLICY_VIEW,
            Capability.COMPLAINT_VIEW, Capability.COMPLAINT_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset(_READ_ALL | {Capability.AUDIT_VIEW} | {Capability.POLICY_VIEW} | {Capability.COMPLAINT_VIEW}),
    # The system administrator manages accounts and the area tree and sees no household data.
    Role.SYSTEM_ADMIN: frozenset({Capability.AREA_VIEW, Capability.AREA_MANAGE, Capability.USER_MANAGE}),
    # 三权分立 (等保 level 3): the security administrator unlocks accounts and approves the system
    # administrator's grants of data roles; the audit administrator reads the audit log and nothing else.
    Role.SECURITY_ADMIN: frozenset({Capability.AREA_VIEW, Capability.ACCOUNT_UNLOCK, Capability.GRANT_APPROVE}),
    Role.AUDIT_ADMIN: frozenset({Capability.AUDIT_VIEW}),
}


def roles_with(capability: str) -> list[str]:
    return [role for role, capabilities in ROLE_CAPABILITIES.items() if capability in capabilities]


def user_capabilities(user) -> frozenset[str]:
    """Every capability the user holds through any active post (cached on the user object)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, "_capability_cache", None)
    if cached is None:
        capabilities = set()
        for role in user.active_posts_roles():
            capabilities |= ROLE_CAPABILITIES.get(role, frozenset())
        cached = frozenset(capabilities)
        user._capability_cache = cached
    return cached


def has_capability(user, capability: str) -> bool:
    return capability in user_capabilities(user)


def scope_prefixes(user, capability: str) -> list[str]:
    """Code prefixes of the areas where the user holds ``capability``; empty means nothing visible."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return []
    cache = getattr(user, "_scope_cache", None)
    if cache is None:
        cache = user._scope_cache = {}
    if capability not in cache:
        prefixes = sorted({prefix for role, prefix in user.active_post_scopes() if capability in ROLE_CAPABILITIES.get(role, ())})
        # A prefix covered by a shorter one adds nothing.
        cache[capability] = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    return cache[capability]


def scope_q(user, capability: str, code_path: str) -> Q:
    """A Q matching rows whose area code (reached through ``code_path``) is inside the user's scope."""
    prefixes = scope_prefixes(user, capability)
    if not prefixes:
        return Q(pk__in=[])
    q = Q()
    for prefix in prefixes:
        q |= Q(**{f"{code_path}__startswith": prefix})
    return q


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every area-scoped model. Subclasses set ``area_code_path``."""

    area_code_path = "area__code"

    def visible_to(self, user, capability: str):
        return self.filter(scope_q(user, capability, self.area_code_path))


def covers(user, capability: str, area_code: str) -> bool:
    """Whether the user holds ``capability`` at the area with this code or one of its ancestors."""
    return any(area_code.startswith(prefix) for prefix in scope_prefixes(user, capability))


def require(user, capability: str, area_code: str | None = None):
    """Refuse (PermissionDenied, 403) unless the user holds ``capability``, at ``area_code`` when given.

    Services call this; ``user=None`` means the installation itself (commands, demo data, migrations).
    """
    from povalleviation.errors import PermissionDenied

    if user is None:
        return
    if area_code is None:
        if not has_capability(user, capability):
            raise PermissionDenied("您没有执行此操作的权限。")
    elif not covers(user, capability, area_code):
        raise PermissionDenied("该区域不在您的工作范围内，或您没有执行此操作的权限。")
