from django.urls import reverse

from povalleviation.access import Capability, user_capabilities

# Navigation entries: (label, url name, capability). Each role sees only what it can use.
NAVIGATION = [
    ("首页", "home", None),
    ("建档立卡户", "households:list", Capability.HOUSEHOLD_VIEW),
    ("待办", "workflow:inbox", Capability.EXIT_VIEW),
    ("项目库", "projects:list", Capability.PROJECT_VIEW),
    ("资金", "funds:dashboard", Capability.FUND_VIEW),
    ("脱贫计划", "plan:plan_list", Capability.PLAN_VIEW),
    ("督查整改", "oversight:ledger", Capability.INSPECTION_VIEW),
    ("投诉信访", "oversight:complaint_list", Capability.COMPLAINT_VIEW),
    ("季度报告", "reports:list", Capability.REPORT_VIEW),
    ("政策参数", "policy:parameter_list", Capability.POLICY_VIEW),
    ("区域", "villages:area_list", Capability.AREA_VIEW),
    ("审计日志", "accounts:audit_list", Capability.AUDIT_VIEW),
    ("系统管理", "admin:index", Capability.USER_MANAGE),
    ("账号解锁", "accounts:locked_accounts", Capability.ACCOUNT_UNLOCK),
    ("授权审批", "accounts:grant_list", Capability.GRANT_APPROVE),
    ("账号安全", "accounts:security", None),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"navigation": []}
    capabilities = user_capabilities(user)
    items = []
    current = request.path
    for label, url_name, capability in NAVIGATION:
        if capability is None or capability in capabilities:
            url = reverse(url_name)
            items.append({"label": label, "url": url, "active": current == url or (url != "/" and current.startswith(url))})
    inbox_count = 0
    if Capability.EXIT_VIEW in capabilities:
        from assessments.workflows.selectors.verifications import inbox_count as count_inbox

        inbox_count = count_inbox(user=user)
        inbox_url = reverse("workflow:inbox")
        for item in items:
            if item["url"] == inbox_url and inbox_count:
                item["label"] = f"待办（{inbox_count}）"
    return {"navigation": items, "user_capabilities": capabilities, "inbox_count": inbox_count}
