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

from povalleviation.access import ROLE_CAPABILITIES, Capability

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
CONTACT = (Capability.COMPLAINT_MANAGE, Capability.COMPLAINT_HANDLE)

ROUTES: dict[str, Route] = {
    "home": page(LOGIN),
    "healthz": page(PUBLIC),
    "healthz_ready": page(PUBLIC),
    "healthz_live": page(PUBLIC),
    # Open by address, not by role: the test client's 127.0.0.1 is in METRICS_ALLOWED_NETWORKS' default.
    "metrics": page(PUBLIC),
    "accounts:login": page(PUBLIC, exceptions={("*", PAGE): (302, "a signed-in user is sent on to the home page")}),
    "accounts:logout": post(PUBLIC),
    "accounts:audit_list": page(Capability.AUDIT_VIEW),
    # one's own account: password, second factor, API tokens, sessions
    "accounts:password_change": page(LOGIN),
    "accounts:otp_verify": page(LOGIN, success=302),  # passed already (or nothing to verify): sent on
    "accounts:otp_enrol": page(LOGIN),
    "accounts:otp_recovery_codes": page(LOGIN, success=302),  # shown once after enrolment, else the security page
    "accounts:security": page(LOGIN),
    "accounts:logout_all": post(LOGIN),
    # 三权分立: the security administrator's pages
    "accounts:grant_list": page(Capability.GRANT_APPROVE),
    "accounts:grant_approve": post(Capability.GRANT_APPROVE, "grant"),
    "accounts:grant_reject": post(Capability.GRANT_APPROVE, "grant"),
    "accounts:locked_accounts": page(Capability.ACCOUNT_UNLOCK),
    "villages:area_list": page(Capability.AREA_VIEW),
    "villages:area_detail": page(Capability.AREA_VIEW, "village"),
    # households
    "household_imports:upload": page(Capability.HOUSEHOLD_IMPORT),
    "household_imports:template": page(Capability.HOUSEHOLD_IMPORT),
    "household_imports:help": page(Capability.HOUSEHOLD_IMPORT),
    "household_imports:export": page(Capability.HOUSEHOLD_EXPORT),
    "household_imports:job": page(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:status": page(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:error_file": page(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "household_imports:confirm": post(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "households:list": page(Capability.HOUSEHOLD_VIEW),
    "households:create": page(Capability.HOUSEHOLD_EDIT),
    "households:detail": page(Capability.HOUSEHOLD_VIEW, "household"),
    "households:card_pdf": page(Capability.HOUSEHOLD_VIEW, "household"),
    "households:edit": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:income": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:conditions": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:hospital": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:measure_add": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:helper_assign": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:visit_add": page(Capability.VISIT_RECORD, "household"),
    "households:status": page(Capability.HOUSEHOLD_EDIT, "household"),
    "households:member_remove": page(Capability.HOUSEHOLD_EDIT, "member"),
    "households:member_reveal": post(Capability.IDNUMBER_REVEAL, "member", success=200),
    "households:phone_reveal": post(Capability.IDNUMBER_REVEAL, "household", success=200),
    "households:village_register": page(Capability.HOUSEHOLD_VIEW, "village"),
    "households:township_book": page(Capability.HOUSEHOLD_VIEW, "township"),
    "households:county_summary": page(Capability.HOUSEHOLD_VIEW, "county"),
    # policy and eligibility
    "policy:parameter_list": page(Capability.POLICY_VIEW),
    "policy:parameter_create": page(Capability.POLICY_EDIT),
    "policy:parameter_detail": page(Capability.POLICY_VIEW, "parameter"),
    "policy:parameter_edit": page(Capability.POLICY_EDIT, "parameter"),
    "policy:parameter_retire": post(Capability.POLICY_EDIT, "parameter"),
    "eligibility:run_list": page(Capability.POLICY_VIEW),
    "eligibility:run_start": page(Capability.ELIGIBILITY_RECOMPUTE, success=302),  # a GET goes back to the run list
    "eligibility:run_status": page(Capability.POLICY_VIEW),
    "eligibility:area_results": page(Capability.POLICY_VIEW),
    # exits, identification, 公示 and 公告
    "workflow:list": page(Capability.EXIT_VIEW),
    "workflow:inbox": page(Capability.EXIT_VIEW),
    "workflow:announcement_list": page(Capability.EXIT_VIEW),
    "workflow:announcement_batch": page(Capability.EXIT_ANNOUNCE),
    "workflow:announcement_detail": page(Capability.EXIT_VIEW, "announcement"),
    "workflow:announcement_pdf": page(Capability.EXIT_VIEW, "announcement"),
    "workflow:chain_list": page(Capability.POLICY_VIEW),
    "workflow:chain_edit": page(Capability.POLICY_EDIT, "county", extra={"workflow_type": "household_exit"}),
    "workflow:chain_reset": post(Capability.POLICY_EDIT, "county", extra={"workflow_type": "household_exit"}),
    "workflow:detail": page(Capability.EXIT_VIEW, "verification"),
    "workflow:act": post(Capability.EXIT_VIEW, "verification", success=400),  # which step? the empty form is refused
    "workflow:objection_lodge": post(Capability.OBJECTION_RECORD, "verification", success=400),
    "workflow:objection_resolve": post(Capability.PUBLICITY_MANAGE, "exit_objection"),
    "workflow:match_explain": post(Capability.IDENTIFICATION_APPROVE_COUNTY, "match"),
    "workflow:nominate": page(Capability.EXIT_NOMINATE, "household"),
    "workflow:return_propose": page(Capability.RETURN_PROPOSE, "household"),
    "workflow:monitoring": page(Capability.HOUSEHOLD_EDIT, "household"),
    "workflow:identification_create": page(Capability.IDENTIFICATION_PROPOSE),
    "workflow:village_list": page(Capability.EXIT_VIEW),
    "workflow:village_apply": post(Capability.VILLAGE_EXIT_APPLY, "village", success=400),
    "workflow:county_list": page(Capability.EXIT_VIEW),
    "workflow:county_apply": post(Capability.COUNTY_EXIT_APPLY, "county", success=400),
    # exit plans
    "plan:plan_list": page(Capability.PLAN_VIEW),
    "plan:plan_create": page(Capability.PLAN_EDIT),
    "plan:plan_compare": page(Capability.PLAN_VIEW, success=302),
    "plan:plan_detail": page(Capability.PLAN_VIEW, "plan"),
    "plan:plan_edit": page(Capability.PLAN_EDIT, "plan"),
    "plan:plan_approve": post(Capability.PLAN_EDIT, "plan"),
    "plan:plan_revise": page(Capability.PLAN_EDIT, "plan", success=302),  # a draft is edited, not revised
    "plan:plan_vs_actual": page(Capability.PLAN_VIEW, "county_year"),
    # projects
    "projects:list": page(Capability.PROJECT_VIEW),
    "projects:create": page(Capability.PROJECT_SUBMIT),
    "projects:detail": page(Capability.PROJECT_VIEW, "project"),
    "projects:edit": page(Capability.PROJECT_SUBMIT, "project"),
    "projects:action": post(Capability.PROJECT_VIEW, "project", extra={"action": "submit"}, act=Capability.PROJECT_SUBMIT),
    "projects:publicity_create": post(Capability.PUBLICITY_MANAGE, "project"),
    "projects:objection_create": post(Capability.PUBLICITY_MANAGE, "project_publicity"),
    "projects:objection_resolve": post(Capability.PUBLICITY_MANAGE, "project_objection"),
    "public:projects": page(PUBLIC, "village"),
    # funds
    "funds:dashboard": page(Capability.FUND_VIEW),
    "funds:project_drill": page(Capability.FUND_VIEW),
    "funds:allocation_list": page(Capability.FUND_VIEW),
    "funds:allocation_create": page(Capability.FUND_ALLOCATE),
    "funds:allocation_detail": page(Capability.FUND_VIEW, "allocation"),
    "funds:allocation_publish": post(Capability.FUND_ALLOCATE, "allocation"),
    "funds:delay_create": page(Capability.FUND_ALLOCATE, "project"),
    "funds:disbursement_list": page(Capability.FUND_VIEW),
    "funds:disbursement_create": page(Capability.DISBURSEMENT_RECORD, exceptions={
        ("*", PAGE): (404, "the page records against ?funding=<id>; without one there is nothing to find")}),
    "funds:disbursement_review": post(Capability.FUND_VIEW, "disbursement",
                                      act=(Capability.DISBURSEMENT_REVIEW_TOWNSHIP, Capability.DISBURSEMENT_REVIEW_COUNTY)),
    "funds:import": page(Capability.FUND_ALLOCATE),
    "funds:import_preview": page(Capability.FUND_ALLOCATE, "fund_import"),
    "funds:export": page(Capability.FUND_VIEW),
    # oversight
    "oversight:ledger": page(Capability.INSPECTION_VIEW),
    "oversight:inspection_list": page(Capability.INSPECTION_VIEW),
    "oversight:inspection_create": page(Capability.INSPECTION_MANAGE),
    "oversight:inspection_detail": page(Capability.INSPECTION_VIEW, "inspection"),
    "oversight:inspection_add_items": page(Capability.INSPECTION_MANAGE, "inspection"),
    "oversight:item_detail": page(Capability.INSPECTION_VIEW, "item"),
    # an empty 进展 form is refused (400) before the action's own capability is looked at
    "oversight:item_action": post(Capability.INSPECTION_VIEW, "item", extra={"action": "progress"}, success=400),
    "oversight:evidence": page(Capability.INSPECTION_VIEW, "evidence"),
    "oversight:complaint_list": page(Capability.COMPLAINT_VIEW),
    "oversight:complaint_create": page(Capability.COMPLAINT_MANAGE),
    "oversight:complaint_detail": page(Capability.COMPLAINT_VIEW, "complaint"),
    "oversight:complaint_contact": post(Capability.COMPLAINT_VIEW, "complaint", success=200, act=CONTACT),
    "oversight:complaint_action": post(Capability.COMPLAINT_VIEW, "complaint", extra={"action": "handle"}, success=400,
                                       act=Capability.COMPLAINT_HANDLE),
    # quarterly reports
    "report_verify:verify_upload": page(PUBLIC),
    "report_verify:verify": page(PUBLIC, "report_token"),
    "reports:list": page(Capability.REPORT_VIEW),
    "reports:generate": page(Capability.REPORT_GENERATE),
    "reports:detail": page(Capability.REPORT_VIEW, "report"),
    "reports:status": page(Capability.REPORT_VIEW, "report"),
    "reports:action": post(Capability.REPORT_VIEW, "report", extra={"action": "review"}, act=Capability.REPORT_REVIEW),
    "reports:download": page(Capability.REPORT_VIEW, "report", extra={"kind": "draft"}, exceptions={
        ("*", OWN): (404, "the matrix's report is still queued: its draft PDF is made after commit")}),
    # API
    "api:me": api(LOGIN),
    "api:audit-event-list": api(Capability.AUDIT_VIEW),
    "api:audit-event-detail": api(Capability.AUDIT_VIEW, "audit_event"),
    "api:area-list": api(Capability.AREA_VIEW),
    "api:area-detail": api(Capability.AREA_VIEW, "village"),
    "api:household-list": api(Capability.HOUSEHOLD_VIEW),
    "api:household-detail": api(Capability.HOUSEHOLD_VIEW, "household"),
    "api:household-members": api(Capability.HOUSEHOLD_VIEW, "household"),
    "api:household-reveal": api_post(Capability.IDNUMBER_REVEAL, "household"),  # empty body: which value? 400
    "api:imports-list": api(Capability.HOUSEHOLD_IMPORT),
    "api:imports-detail": api(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "api:imports-confirm": api_post(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "api:imports-errors": api(Capability.HOUSEHOLD_IMPORT, "import_job"),
    "api:policy-parameter-list": api(Capability.POLICY_VIEW),
    "api:policy-parameter-detail": api(Capability.POLICY_VIEW, "parameter"),
    "api:policy-parameter-history": api(Capability.POLICY_VIEW, "parameter"),
    "api:eligibility-result-list": api(Capability.HOUSEHOLD_VIEW),
    "api:eligibility-result-detail": api(Capability.HOUSEHOLD_VIEW, "eligibility_result"),
    "api:area-eligibility-result-list": api(Capability.POLICY_VIEW),
    "api:area-eligibility-result-detail": api(Capability.POLICY_VIEW, "area_result"),
    "api:recompute-run-list": api(Capability.POLICY_VIEW),
    "api:recompute-run-detail": api(Capability.POLICY_VIEW, "recompute_run"),
    "api:exit-verification-list": api(Capability.EXIT_VIEW),
    "api:exit-verification-county-exit": api_post(Capability.COUNTY_EXIT_APPLY),
    "api:exit-verification-nominate": api_post(Capability.EXIT_NOMINATE),
    "api:exit-verification-overdue-summary": api(Capability.EXIT_VIEW),
    "api:exit-verification-return-to-poverty": api_post(Capability.RETURN_PROPOSE),
    "api:exit-verification-village-exit": api_post(Capability.VILLAGE_EXIT_APPLY),
    "api:exit-verification-detail": api(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-announce": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-approve": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-close-publicity": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-objections": api_post(Capability.OBJECTION_RECORD, "verification"),
    "api:exit-verification-open-publicity": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-reject": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-resolve-objection": api_post(Capability.PUBLICITY_MANAGE, "verification"),
    "api:exit-verification-run-comparison": api_post(Capability.IDENTIFICATION_APPROVE_COUNTY, "verification"),
    "api:exit-verification-send-back": api_post(Capability.EXIT_VIEW, "verification"),
    "api:exit-verification-withdraw": api_post(Capability.EXIT_VIEW, "verification"),
    "api:announcement-list": api(Capability.EXIT_VIEW),
    "api:announcement-batch": api_post(Capability.EXIT_ANNOUNCE),
    "api:announcement-detail": api(Capability.EXIT_VIEW, "announcement"),
    "api:exit-plan-list": api(Capability.PLAN_VIEW),
    "api:exit-plan-detail": api(Capability.PLAN_VIEW, "plan"),
    "api:exit-plan-approve": api_post(Capability.PLAN_EDIT, "plan", success=200),  # approving a draft needs no body
    "api:exit-plan-revise": api_post(Capability.PLAN_EDIT, "plan"),
    "api:exit-plan-versions": api(Capability.PLAN_VIEW, "plan"),
    "api:plan-vs-actual-list": api(Capability.PLAN_VIEW, "county", query="area={code}&year=2020"),
    "api:project-list": api(Capability.PROJECT_VIEW),
    "api:project-detail": api(Capability.PROJECT_VIEW, "project"),
    "api:project-transition": api_post(Capability.PROJECT_VIEW, "project"),
    "api:spend-ratios": api(Capability.FUND_VIEW, "county", query="area={code}&year=2024"),
    "api:fund-allocation-list": api(Capability.FUND_VIEW),
    "api:fund-allocation-detail": api(Capability.FUND_VIEW, "allocation"),
    "api:fund-allocation-publish": api_post(Capability.FUND_ALLOCATE, "allocation"),
    "api:disbursement-list": api(Capability.FUND_VIEW),
    "api:disbursement-detail": api(Capability.FUND_VIEW, "disbursement"),
    "api:disbursement-review": api_post(Capability.FUND_VIEW, "disbursement"),
    "api:inspection-list": api(Capability.INSPECTION_VIEW),
    "api:inspection-detail": api(Capability.INSPECTION_VIEW, "inspection"),
    "api:rectification-item-list": api(Capability.INSPECTION_VIEW),
    "api:rectification-item-detail": api(Capability.INSPECTION_VIEW, "item"),
    "api:rectification-item-deadline": api_post(Capability.INSPECTION_VIEW, "item"),
    "api:rectification-item-escalate": api_post(Capability.INSPECTION_VIEW, "item"),
    "api:rectification-item-progress": api_post(Capability.INSPECTION_VIEW, "item"),
    "api:rectification-item-transition": api_post(Capability.INSPECTION_VIEW, "item"),
    "api:complaint-list": api(Capability.COMPLAINT_VIEW),
    "api:complaint-detail": api(Capability.COMPLAINT_VIEW, "complaint"),
    "api:complaint-transition": api_post(Capability.COMPLAINT_VIEW, "complaint"),
    "api:complaint-reveal": api_post(Capability.COMPLAINT_VIEW, "complaint", success=200, act=CONTACT),
    "api:report-list": api(Capability.REPORT_VIEW),
    "api:report-detail": api(Capability.REPORT_VIEW, "report"),
    "schema": api(LOGIN),
    "api-docs": api(LOGIN),
}

# The admin: a staff account reaches it; each model's pages need the model admin's capabilities:
# label → (view capability or capabilities, change capability or None, status of a missing id for one who may view).
RO, REDIRECT = None, 302  # read-only model admin; Django's admin sends a missing id to the index with a message
ADMIN_MODELS: dict[str, tuple] = {
    "accounts.user": (Capability.USER_MANAGE, Capability.USER_MANAGE, 404),
    # the security administrator reads the posts whose grants he approves
    "accounts.post": ((Capability.USER_MANAGE, Capability.GRANT_APPROVE), Capability.USER_MANAGE, 404),
    "accounts.auditevent": (Capability.AUDIT_VIEW, RO, REDIRECT),
    "villages.area": (Capability.AREA_MANAGE, Capability.AREA_MANAGE, REDIRECT),
    "households.household": (Capability.HOUSEHOLD_VIEW, RO, REDIRECT),
    "households.member": (Capability.HOUSEHOLD_VIEW, RO, REDIRECT),
    "households.householdevent": (Capability.HOUSEHOLD_VIEW, RO, REDIRECT),
    "projects.fundsource": (Capability.FUND_VIEW, RO, REDIRECT),
    "funds.fundallocation": (Capability.FUND_VIEW, RO, REDIRECT),
    "funds.disbursement": (Capability.FUND_VIEW, RO, REDIRECT),
    "funds.funddelay": (Capability.FUND_VIEW, RO, REDIRECT),
    "funds.fundrecomputerun": (Capability.FUND_VIEW, RO, REDIRECT),
    "oversight.inspection": (Capability.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.rectificationitem": (Capability.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.rectificationhistory": (Capability.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.escalation": (Capability.INSPECTION_VIEW, RO, REDIRECT),
    "oversight.complaint": (Capability.COMPLAINT_VIEW, RO, REDIRECT),
    "oversight.complainthistory": (Capability.COMPLAINT_VIEW, RO, REDIRECT),
    "reports.quarterlyreport": (Capability.REPORT_VIEW, RO, REDIRECT),
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
