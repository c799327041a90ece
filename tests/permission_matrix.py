"""The permission matrix's table: every named route, the capability it needs and how to reach it.

``ROUTES`` maps each route name of Django's resolver (non-admin) to a ``Route``; ``ADMIN_MODELS`` names the capability
each admin model needs (every ``admin:<app>_<model>_*`` route) and ``ADMIN_SITE_ROUTES`` the admin site's own pages.
The expected status is derived in ``expected_status`` from ``ROLE_CAPABILITIES`` and the case; a route whose answer
differs for a good reason records it in ``exceptions`` with a one-line reason.

Requests are GETs, except routes that only accept POST: those get a POST with an empty body, which still tells
access apart (403/404 come before the body is read; a post in the user's own area gets the form's refusal). Writes
with a real body stay covered by each app's tests.
"""
from dataclasses import dataclass, field

from povalleviation.access import ROLE_CAPABILITIES
from povalleviation.access import Capability as C

LOGIN = "login"  # any logged-in user
PUBLIC = "public"  # anyone, anonymous included
SUPERUSER = "superuser"  # Django's own permissions: no persona (none is a superuser)

# Cases: a route without path arguments is requested once ("page"); one with an object or area in its path is
# requested for the persona's own area, another area and a missing id.
PAGE, OWN, OTHER, MISSING = "page", "own", "other", "missing"


@dataclass(frozen=True)
class Route:
    capability: str
    kind: str | None = None  # the object kind in the path (see permission_matrix_objects.KINDS)
    method: str = "get"
    api: bool = False
    success: int = 200  # the status of a request the user may make (own area)
    extra: dict = field(default_factory=dict)  # further path arguments (an action name, a file kind)
    query: str = ""  # a query string; with one, the object's path arguments fill it instead of the path
    # The capability the action in the path needs beyond ``capability`` (checked once the object is found: 403).
    act: str | tuple | None = None  # a tuple: any one of them
    # (role or "*", case) → (status, reason): where the app answers otherwise for a good reason.
    exceptions: dict = field(default_factory=dict)

    @property
    def cases(self):
        return (OWN, OTHER, MISSING) if self.kind else (PAGE,)


def page(capability, kind=None, **options):
    return Route(capability, kind, **options)


def post(capability, kind=None, success=302, **options):
    return Route(capability, kind, method="post", success=success, **options)


def api(capability, kind=None, **options):
    return Route(capability, kind, api=True, **options)


def api_post(capability, kind=None, success=400, **options):
    return Route(capability, kind, method="post", api=True, success=success, **options)


# The complainant's name and phone: the receiving office or the handling area's officers (the auditor reads the
# complaint, masked, but may not reveal who made it).
CONTACT = (C.COMPLAINT_MANAGE, C.COMPLAINT_HANDLE)

ROUTES: dict[str, Route] = {
    "home": page(LOGIN),
    "healthz": page(PUBLIC),
    "healthz_ready": page(PUBLIC),
    "healthz_live": page(PUBLIC),
    # Open by address, not by role: the test client's 127.0.0.1 is in METRICS_ALLOWED_NETWORKS' default.
    "metrics": page(PUBLIC),
    "accounts:login": page(PUBLIC, exceptions={("*", PAGE): (302, "a signed-in user is sent on to the home page")}),
    "accounts:logout": post(PUBLIC),
    "accounts:audit_list": page(C.AUDIT_VIEW),
    # one's own account: password, second factor, API tokens, sessions
    "accounts:password_change": page(LOGIN),
    "accounts:otp_verify": page(LOGIN, success=302),  # passed already (or nothing to verify): sent on
    "accounts:otp_enrol": page(LOGIN),
    "accounts:otp_recovery_codes": page(LOGIN, success=302),  # shown once after enrolment, else the security page
    "accounts:security": page(LOGIN),
    "accounts:logout_all": post(LOGIN),
    # 三权分立: the security administrator's pages
    "accounts:grant_list": page(C.GRANT_APPROVE),
    "accounts:grant_approve": post(C.GRANT_APPROVE, "grant"),
    "accounts:grant_reject": post(C.GRANT_APPROVE, "grant"),
    "accounts:locked_accounts": page(C.ACCOUNT_UNLOCK),
    "villages:area_list": page(C.AREA_VIEW),
    "villages:area_detail": page(C.AREA_VIEW, "village"),
    # households
    "household_imports:upload": page(C.HOUSEHOLD_IMPORT),
    "household_imports:template": page(C.HOUSEHOLD_IMPORT),
    "household_imports:help": page(C.HOUSEHOLD_IMPORT),
    "household_imports:export": page(C.HOUSEHOLD_EXPORT),
    "household_imports:job": page(C.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:status": page(C.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:error_file": page(C.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:confirm": post(C.HOUSEHOLD_IMPORT, "import_job"),
    "households:list": page(C.HOUSEHOLD_VIEW),
    "households:create": page(C.HOUSEHOLD_EDIT),
    "households:detail": page(C.HOUSEHOLD_VIEW, "household"),
    "households:card_pdf": page(C.HOUSEHOLD_VIEW, "household"),
    "households:edit": page(C.HOUSEHOLD_EDIT, "household"),
    "households:income": page(C.HOUSEHOLD_EDIT, "household"),
    "households:conditions": page(C.HOUSEHOLD_EDIT, "household"),
    "households:hospital": page(C.HOUSEHOLD_EDIT, "household"),
    "households:measure_add": page(C.HOUSEHOLD_EDIT, "household"),
    "households:helper_assign": page(C.HOUSEHOLD_EDIT, "household"),
    "households:visit_add": page(C.VISIT_RECORD, "household"),
    "households:status": page(C.HOUSEHOLD_EDIT, "household"),
    "households:member_remove": page(C.HOUSEHOLD_EDIT, "member"),
    "households:member_reveal": post(C.IDNUMBER_REVEAL, "member", success=200),
    "households:phone_reveal": post(C.IDNUMBER_REVEAL, "household", success=200),
    "households:village_register": page(C.HOUSEHOLD_VIEW, "village"),
    "households:township_book": page(C.HOUSEHOLD_VIEW, "township"),
    "households:county_summary": page(C.HOUSEHOLD_VIEW, "county"),
    # policy and eligibility
    "policy:parameter_list": page(C.POLICY_VIEW),
    "policy:parameter_create": page(C.POLICY_EDIT),
    "policy:parameter_detail": page(C.POLICY_VIEW, "parameter"),
    "policy:parameter_edit": page(C.POLICY_EDIT, "parameter"),
    "policy:parameter_retire": post(C.POLICY_EDIT, "parameter"),
    "eligibility:run_list": page(C.POLICY_VIEW),
    "eligibility:run_start": page(C.ELIGIBILITY_RECOMPUTE, success=302),  # a GET goes back to the run list
    "eligibility:run_status": page(C.POLICY_VIEW),
    "eligibility:area_results": page(C.POLICY_VIEW),
    # exits, identification, 公示 and 公告
    "workflow:list": page(C.EXIT_VIEW),
    "workflow:inbox": page(C.EXIT_VIEW),
    "workflow:announcement_list": page(C.EXIT_VIEW),
    "workflow:announcement_batch": page(C.EXIT_ANNOUNCE),
    "workflow:announcement_detail": page(C.EXIT_VIEW, "announcement"),
    "workflow:announcement_pdf": page(C.EXIT_VIEW, "announcement"),
    "workflow:chain_list": page(C.POLICY_VIEW),
    "workflow:chain_edit": page(C.POLICY_EDIT, "county", extra={"workflow_type": "household_exit"}),
    "workflow:chain_reset": post(C.POLICY_EDIT, "county", extra={"workflow_type": "household_exit"}),
    "workflow:detail": page(C.EXIT_VIEW, "verification"),
    "workflow:act": post(C.EXIT_VIEW, "verification", success=400),  # which step? the empty form is refused
    "workflow:objection_lodge": post(C.OBJECTION_RECORD, "verification", success=400),
    "workflow:objection_resolve": post(C.PUBLICITY_MANAGE, "exit_objection"),
    "workflow:match_explain": post(C.IDENTIFICATION_APPROVE_COUNTY, "match"),
    "workflow:nominate": page(C.EXIT_NOMINATE, "household"),
    "workflow:return_propose": page(C.RETURN_PROPOSE, "household"),
    "workflow:monitoring": page(C.HOUSEHOLD_EDIT, "household"),
    "workflow:identification_create": page(C.IDENTIFICATION_PROPOSE),
    "workflow:village_list": page(C.EXIT_VIEW),
    "workflow:village_apply": post(C.VILLAGE_EXIT_APPLY, "village", success=400),
    "workflow:county_list": page(C.EXIT_VIEW),
    "workflow:county_apply": post(C.COUNTY_EXIT_APPLY, "county", success=400),
    # exit plans
    "plan:plan_list": page(C.PLAN_VIEW),
    "plan:plan_create": page(C.PLAN_EDIT),
    "plan:plan_compare": page(C.PLAN_VIEW, success=302),
    "plan:plan_detail": page(C.PLAN_VIEW, "plan"),
    "plan:plan_edit": page(C.PLAN_EDIT, "plan"),
    "plan:plan_approve": post(C.PLAN_EDIT, "plan"),
    "plan:plan_revise": page(C.PLAN_EDIT, "plan", success=302),  # a draft is edited, not revised
    "plan:plan_vs_actual": page(C.PLAN_VIEW, "county_year"),
    # projects
    "projects:list": page(C.PROJECT_VIEW),
    "projects:create": page(C.PROJECT_SUBMIT),
    "projects:detail": page(C.PROJECT_VIEW, "project"),
    "projects:edit": page(C.PROJECT_SUBMIT, "project"),
    "projects:action": post(C.PROJECT_VIEW, "project", extra={"action": "submit"}, act=C.PROJECT_SUBMIT),
    "projects:publicity_create": post(C.PUBLICITY_MANAGE, "project"),
    "projects:objection_create": post(C.PUBLICITY_MANAGE, "project_publicity"),
    "projects:objection_resolve": post(C.PUBLICITY_MANAGE, "project_objection"),
    "public:projects": page(PUBLIC, "village"),
    # funds
    "funds:dashboard": page(C.FUND_VIEW),
    "funds:project_drill": page(C.FUND_VIEW),
    "funds:allocation_list": page(C.FUND_VIEW),
    "funds:allocation_create": page(C.FUND_ALLOCATE),
    "funds:allocation_detail": page(C.FUND_VIEW, "allocation"),
    "funds:allocation_publish": post(C.FUND_ALLOCATE, "allocation"),
    "funds:delay_create": page(C.FUND_ALLOCATE, "project"),
    "funds:disbursement_list": page(C.FUND_VIEW),
    "funds:disbursement_create": page(C.DISBURSEMENT_RECORD, exceptions={
        ("*", PAGE): (404, "the page records against ?funding=<id>; without one there is nothing to find")}),
    "funds:disbursement_review": post(C.FUND_VIEW, "disbursement",
                                      act=(C.DISBURSEMENT_REVIEW_TOWNSHIP, C.DISBURSEMENT_REVIEW_COUNTY)),
    "funds:import": page(C.FUND_ALLOCATE),
    "funds:import_preview": page(C.FUND_ALLOCATE, "fund_import"),
    "funds:export": page(C.FUND_VIEW),
    # oversight
    "oversight:ledger": page(C.INSPECTION_VIEW),
    "oversight:inspection_list": page(C.INSPECTION_VIEW),
    "oversight:inspection_create": page(C.INSPECTION_MANAGE),
    "oversight:inspection_detail": page(C.INSPECTION_VIEW, "inspection"),
    "oversight:inspection_add_items": page(C.INSPECTION_MANAGE, "inspection"),
    "oversight:item_detail": page(C.INSPECTION_VIEW, "item"),
    # an empty 进展 form is refused (400) before the action's own capability is looked at
    "oversight:item_action": post(C.INSPECTION_VIEW, "item", extra={"action": "progress"}, success=400),
    "oversight:evidence": page(C.INSPECTION_VIEW, "evidence"),
    "oversight:complaint_list": page(C.COMPLAINT_VIEW),
    "oversight:complaint_create": page(C.COMPLAINT_MANAGE),
    "oversight:complaint_detail": page(C.COMPLAINT_VIEW, "complaint"),
    "oversight:complaint_contact": post(C.COMPLAINT_VIEW, "complaint", success=200, act=CONTACT),
    "oversight:complaint_action": post(C.COMPLAINT_VIEW, "complaint", extra={"action": "handle"}, success=400,
                                       act=C.COMPLAINT_HANDLE),
    # quarterly reports
    "report_verify:verify_upload": page(PUBLIC),
    "report_verify:verify": page(PUBLIC, "report_token"),
    "reports:list": page(C.REPORT_VIEW),
    "reports:generate": page(C.REPORT_GENERATE),
    "reports:detail": page(C.REPORT_VIEW, "report"),
    "reports:status": page(C.REPORT_VIEW, "report"),
    "reports:action": post(C.REPORT_VIEW, "report", extra={"action": "review"}, act=C.REPORT_REVIEW),
    "reports:download": page(C.REPORT_VIEW, "report", extra={"kind": "draft"}, exceptions={
        ("*", OWN): (404, "the matrix's report is still queued: its draft PDF is made after commit")}),
    # API
    "api:me": api(LOGIN),
    "api:audit-event-list": api(C.AUDIT_VIEW),
    "api:audit-event-detail": api(C.AUDIT_VIEW, "audit_event"),
    "api:area-list": api(C.AREA_VIEW),
    "api:area-detail": api(C.AREA_VIEW, "village"),
    "api:household-list": api(C.HOUSEHOLD_VIEW),
    "api:household-detail": api(C.HOUSEHOLD_VIEW, "household"),
    "api:household-members": api(C.HOUSEHOLD_VIEW, "household"),
    "api:household-reveal": api_post(C.IDNUMBER_REVEAL, "household"),  # empty body: which value? 400
    "api:imports-list": api(C.HOUSEHOLD_IMPORT),
    "api:imports-detail": api(C.HOUSEHOLD_IMPORT, "import_job"),
    "api:imports-confirm": api_post(C.HOUSEHOLD_IMPORT, "import_job"),
    "api:imports-errors": api(C.HOUSEHOLD_IMPORT, "import_job"),
    "api:policy-parameter-list": api(C.POLICY_VIEW),
    "api:policy-parameter-detail": api(C.POLICY_VIEW, "parameter"),
    "api:policy-parameter-history": api(C.POLICY_VIEW, "parameter"),
    "api:eligibility-result-list": api(C.HOUSEHOLD_VIEW),
    "api:eligibility-result-detail": api(C.HOUSEHOLD_VIEW, "eligibility_result"),
    "api:area-eligibility-result-list": api(C.POLICY_VIEW),
    "api:area-eligibility-result-detail": api(C.POLICY_VIEW, "area_result"),
    "api:recompute-run-list": api(C.POLICY_VIEW),
    "api:recompute-run-detail": api(C.POLICY_VIEW, "recompute_run"),
    "api:exit-verification-list": api(C.EXIT_VIEW),
    "api:exit-verification-county-exit": api_post(C.COUNTY_EXIT_APPLY),
    "api:exit-verification-nominate": api_post(C.EXIT_NOMINATE),
    "api:exit-verification-overdue-summary": api(C.EXIT_VIEW),
    "api:exit-verification-return-to-poverty": api_post(C.RETURN_PROPOSE),
    "api:exit-verification-village-exit": api_post(C.VILLAGE_EXIT_APPLY),
    "api:exit-verification-detail": api(C.EXIT_VIEW, "verification"),
    "api:exit-verification-announce": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-approve": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-close-publicity": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-objections": api_post(C.OBJECTION_RECORD, "verification"),
    "api:exit-verification-open-publicity": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-reject": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-resolve-objection": api_post(C.PUBLICITY_MANAGE, "verification"),
    "api:exit-verification-run-comparison": api_post(C.IDENTIFICATION_APPROVE_COUNTY, "verification"),
    "api:exit-verification-send-back": api_post(C.EXIT_VIEW, "verification"),
    "api:exit-verification-withdraw": api_post(C.EXIT_VIEW, "verification"),
    "api:announcement-list": api(C.EXIT_VIEW),
    "api:announcement-batch": api_post(C.EXIT_ANNOUNCE),
    "api:announcement-detail": api(C.EXIT_VIEW, "announcement"),
    "api:exit-plan-list": api(C.PLAN_VIEW),
    "api:exit-plan-detail": api(C.PLAN_VIEW, "plan"),
    "api:exit-plan-approve": api_post(C.PLAN_EDIT, "plan", success=200),  # approving a draft needs no body
    "api:exit-plan-revise": api_post(C.PLAN_EDIT, "plan"),
    "api:exit-plan-versions": api(C.PLAN_VIEW, "plan"),
    "api:plan-vs-actual-list": api(C.PLAN_VIEW, "county", query="area={code}&year=2020"),
    "api:project-list": api(C.PROJECT_VIEW),
    "api:project-detail": api(C.PROJECT_VIEW, "project"),
    "api:project-transition": api_post(C.PROJECT_VIEW, "project"),
    "api:spend-ratios": api(C.FUND_VIEW, "county", query="area={code}&year=2024"),
    "api:fund-allocation-list": api(C.FUND_VIEW),
    "api:fund-allocation-detail": api(C.FUND_VIEW, "allocation"),
    "api:fund-allocation-publish": api_post(C.FUND_ALLOCATE, "allocation"),
    "api:disbursement-list": api(C.FUND_VIEW),
    "api:disbursement-detail": api(C.FUND_VIEW, "disbursement"),
    "api:disbursement-review": api_post(C.FUND_VIEW, "disbursement"),
    "api:inspection-list": api(C.INSPECTION_VIEW),
    "api:inspection-detail": api(C.INSPECTION_VIEW, "inspection"),
    "api:rectification-item-list": api(C.INSPECTION_VIEW),
    "api:rectification-item-detail": api(C.INSPECTION_VIEW, "item"),
    "api:rectification-item-deadline": api_post(C.INSPECTION_VIEW, "item"),
    "api:rectification-item-escalate": api_post(C.INSPECTION_VIEW, "item"),
    "api:rectification-item-progress": api_post(C.INSPECTION_VIEW, "item"),
    "api:rectification-item-transition": api_post(C.INSPECTION_VIEW, "item"),
    "api:complaint-list": api(C.COMPLAINT_VIEW),
    "api:complaint-detail": api(C.COMPLAINT_VIEW, "complaint"),
    "api:complaint-transition": api_post(C.COMPLAINT_VIEW, "complaint"),
    "api:complaint-reveal": api_post(C.COMPLAINT_VIEW, "complaint", success=200, act=CONTACT),
    "api:report-list": api(C.REPORT_VIEW),
    "api:report-detail": api(C.REPORT_VIEW, "report"),
    "schema": api(LOGIN),
    "api-docs": api(LOGIN),
}

# The admin: a staff account reaches it; each model's pages need the model admin's capabilities:
# label → (view capability or capabilities, change capability or None, status of a missing id for one who may view).
RO, REDIRECT = None, 302  # read-only model admin; Django's admin sends a missing id to the index with a message
ADMIN_MODELS: dict[str, tuple] = {
    "accounts.user": (C.USER_MANAGE, C.USER_MANAGE, 404),
    # the security administrator reads the posts whose grants he approves
    "accounts.post": ((C.USER_MANAGE, C.GRANT_APPROVE), C.USER_MANAGE, 404),
    "accounts.auditevent": (C.AUDIT_VIEW, RO, REDIRECT),
    "villages.area": (C.AREA_MANAGE, C.AREA_MANAGE, REDIRECT),
    "households.household": (C.HOUSEHOLD_VIEW, RO, REDIRECT),
    "households.member": (C.HOUSEHOLD_VIEW, RO, REDIRECT),
    "households.householdevent": (C.HOUSEHOLD_VIEW, RO, REDIRECT),
    "projects.fundsource": (C.FUND_VIEW, RO, REDIRECT),
    "funds.fundallocation": (C.FUND_VIEW, RO, REDIRECT),
    "funds.disbursement": (C.FUND_VIEW, RO, REDIRECT),
    "funds.funddelay": (C.FUND_VIEW, RO, REDIRECT),
    "funds.fundrecomputerun": (C.FUND_VIEW, RO, REDIRECT),
    "oversight.inspection": (C.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.rectificationitem": (C.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.rectificationhistory": (C.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.escalation": (C.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.complaint": (C.COMPLAINT_VIEW, RO, REDIRECT),
    "oversight.complainthistory": (C.COMPLAINT_VIEW, RO, REDIRECT),
    "reports.quarterlyreport": (C.REPORT_VIEW, RO, REDIRECT),
    # django-celery-beat's model admins: Django permissions, which only superusers hold.
    "django_celery_beat.clockedschedule": (SUPERUSER, SUPERUSER, REDIRECT),
    "django_celery_beat.crontabschedule": (SUPERUSER, SUPERUSER, REDIRECT),
    "django_celery_beat.intervalschedule": (SUPERUSER, SUPERUSER, REDIRECT),
    "django_celery_beat.periodictask": (SUPERUSER, SUPERUSER, REDIRECT),
    "django_celery_beat.solarschedule": (SUPERUSER, SUPERUSER, REDIRECT),
}
ADMIN_SITE_ROUTES = {"admin:index", "admin:login", "admin:logout", "admin:password_change",
                     "admin:password_change_done", "admin:autocomplete", "admin:jsi18n", "admin:view_on_site",
                     "admin:app_list",
                     # the user admin's password page (Django names it after auth.User whatever the user model)
                     "admin:auth_user_password_change"}
ADMIN_MODEL_VIEWS = ("changelist", "add", "history", "delete", "change")


def level_prefix(code: str) -> str:
    """The code prefix a post at this area covers: 省 2, 市 4, 县 6, 乡 9, 村 12 digits."""
    for length, tail in ((2, 10), (4, 8), (6, 6), (9, 3)):
        if code[length:12] == "0" * tail:
            return code[:length]
    return code


def expected_status(route: Route, role: str | None, post_code: str | None, case: str, object_code: str | None) -> int:
    """What persona (role posted at ``post_code``; None = anonymous) must get for ``route`` in ``case``."""
    if route.capability == PUBLIC and (role is None or case == MISSING):
        return 404 if case == MISSING else route.success
    if role is None:
        return 401 if route.api else 302
    if route.capability in (LOGIN, PUBLIC):
        return _success(route, role, case)
    if route.capability not in ROLE_CAPABILITIES[role]:
        return 403
    if case == MISSING:
        return 404
    if case in (OWN, OTHER) and not object_code.startswith(level_prefix(post_code)):
        return 404
    acts = route.act if isinstance(route.act, tuple) else (route.act,) if route.act else ()
    if acts and not any(capability in ROLE_CAPABILITIES[role] for capability in acts):
        return 403
    return _success(route, role, case)


def _success(route: Route, role: str, case: str) -> int:
    exception = route.exceptions.get((role, case)) or route.exceptions.get(("*", case))
    return exception[0] if exception else route.success


ADMIN_VIEWS = ("changelist", "add", "change")  # the change page with a missing id


def expected_admin_status(label: str, view: str, role: str | None, is_staff: bool) -> int:
    """Anonymous and non-staff → the admin's login page; staff → 403 without the model's capability."""
    if role is None or not is_staff:
        return 302
    view_capability, change_capability, missing = ADMIN_MODELS[label]
    held = ROLE_CAPABILITIES[role]
    may_change = change_capability is not None and change_capability in held
    viewing = view_capability if isinstance(view_capability, tuple) else (view_capability,)
    may_view = may_change or any(capability in held for capability in viewing)
    if view == "add":
        return 200 if may_change else 403
    if not may_view:
        return 403
    return 200 if view == "changelist" else missing
