from django.urls import reverse

from povalleviation.access import Capability, user_capabilities

# Navigation entries: (label, url name, capability). Each role sees only what it can use.
NAVIGATION = [
    ("首页", "home", None),
    ("建档立卡户", "households:list", Capability.HOUSEHOLD_VIEW),
    ("区域", "villages:area_list", Capability.AREA_VIEW),
    ("审计日志", "accounts:audit_list", Capability.AUDIT_VIEW),
    ("系统管理", "admin:index", Capability.USER_MANAGE),
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
    return {"navigation": items, "user_capabilities": capabilities}
