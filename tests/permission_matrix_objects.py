"""The permission matrix's world: one persona per role, and each kind of object inside and just outside each area.

Personas are posted in the demo test county tree of conftest.py (village roles at 太和村, the township officer at
老厂乡, county-level roles at 新平县, the city officer at 玉溪市, the province officer at 云南省). Each object kind is
made in the demo tree (its "own" copy, at 太和村, 老厂乡 or 新平县 by the kind's level) and in the nearest area outside
each persona's post (its "other" copy: the neighbouring village for a village cadre, the other township's village
for the township officer, the neighbouring county for county-level roles, another city, another province).
Everything is built through the services, the installation itself acting (``actor=None``).
"""
import datetime
import uuid

from accounts.models import AuditEvent
from conftest import (
    CITY,
    COUNTY,
    GROUP_A1,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    PASSWORD,
    PROVINCE,
    TOWNSHIP,
    VILLAGE_A,
    VILLAGE_B,
)
from povalleviation.roles import Role
from villages.codes import county_code
from villages.models import Area
from villages.services import area_create

NEIGHBOUR_COUNTY = "530426000000"  # 峨山彝族自治县, same city
NEIGHBOUR_COUNTY_TOWNSHIP = "530426001000"
NEIGHBOUR_COUNTY_VILLAGE = "530426001001"
OTHER_CITY_OF_PROVINCE = "530100000000"  # 昆明市, same province
OTHER_CITY_COUNTY = "530102000000"
OTHER_CITY_TOWNSHIP = "530102001000"
OTHER_CITY_VILLAGE = "530102001001"
OTHER_PROVINCE = "520000000000"
OTHER_CITY = "520100000000"
OTHER_COUNTY = "520102000000"
OTHER_PROVINCE_TOWNSHIP = "520102001000"
OTHER_PROVINCE_VILLAGE = "520102001001"

TREE = [
    (PROVINCE, "云南省", "province"), (CITY, "玉溪市", "city"), (COUNTY, "新平彝族傣族自治县", "county"),
    (TOWNSHIP, "老厂乡", "township"), (VILLAGE_A, "太和村委会", "village"), (VILLAGE_B, "勐炳村委会", "village"),
    (GROUP_A1, "上寨村民小组", "group"), (OTHER_TOWNSHIP, "水塘镇", "township"), (OTHER_VILLAGE, "大口村委会", "village"),
    (NEIGHBOUR_COUNTY, "峨山彝族自治县", "county"), (NEIGHBOUR_COUNTY_TOWNSHIP, "双江街道", "township"),
    (NEIGHBOUR_COUNTY_VILLAGE, "双江社区", "village"), (OTHER_CITY_OF_PROVINCE, "昆明市", "city"),
    (OTHER_CITY_COUNTY, "五华区", "county"), (OTHER_CITY_TOWNSHIP, "华山街道", "township"),
    (OTHER_CITY_VILLAGE, "华山社区", "village"),
    (OTHER_PROVINCE, "贵州省", "province"), (OTHER_CITY, "贵阳市", "city"), (OTHER_COUNTY, "南明区", "county"),
    (OTHER_PROVINCE_TOWNSHIP, "花果园街道", "township"), (OTHER_PROVINCE_VILLAGE, "花果园社区", "village"),
]

# role → the area its persona is posted at
PERSONA_POSTS = {
    Role.VILLAGE_CADRE: VILLAGE_A, Role.FIRST_SECRETARY: VILLAGE_A, Role.TOWNSHIP_OFFICER: TOWNSHIP,
    Role.COUNTY_OFFICER: COUNTY, Role.LEADING_GROUP_OFFICE: COUNTY, Role.AUDITOR: COUNTY, Role.SYSTEM_ADMIN: COUNTY,
    Role.SECURITY_ADMIN: COUNTY, Role.AUDIT_ADMIN: COUNTY, Role.CITY_OFFICER: CITY, Role.PROVINCE_OFFICER: PROVINCE,
}
# The three administrative roles (三权分立) open the admin; a grant of one gives the staff flag, no other role does.
STAFF_ROLES = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
ANONYMOUS = "anonymous"
PERSONAS = [ANONYMOUS, *[str(role) for role in Role]]

# kind's level → (own place, {persona's post level: the nearest place of that level outside the post})
PLACES = {
    "village": (VILLAGE_A, {"village": VILLAGE_B, "township": OTHER_VILLAGE, "county": NEIGHBOUR_COUNTY_VILLAGE,
                            "city": OTHER_CITY_VILLAGE, "province": OTHER_PROVINCE_VILLAGE}),
    "township": (TOWNSHIP, {"village": OTHER_TOWNSHIP, "township": OTHER_TOWNSHIP, "county": NEIGHBOUR_COUNTY_TOWNSHIP,
                            "city": OTHER_CITY_TOWNSHIP, "province": OTHER_PROVINCE_TOWNSHIP}),
    "county": (COUNTY, {"village": NEIGHBOUR_COUNTY, "township": NEIGHBOUR_COUNTY, "county": NEIGHBOUR_COUNTY,
                        "city": OTHER_CITY_COUNTY, "province": OTHER_COUNTY}),
}
POST_LEVELS = {PROVINCE: "province", CITY: "city", COUNTY: "county", TOWNSHIP: "township", VILLAGE_A: "village"}


def place(kind, case, role):
    """The area code of ``kind``'s copy for ``case`` ("own"/"other") as seen by a persona of ``role``."""
    own, others = PLACES[KINDS[kind][0]]
    if case == "own":
        return own
    return others[POST_LEVELS[PERSONA_POSTS[role]]] if role else others["village"]
MISSING_PK = 2_000_000_000
MISSING_CODES = {"village": "530427204299", "township": "530427299000", "county": "530499000000"}


def _area(code):
    return Area.objects.get(code=code)


def _code_kwargs(code):
    return {"code": code}


# ---------------------------------------------------------------- factories: (area code, sequence) → path kwargs


def _household(code, sequence):
    from households.tests.factories import member_data, register_household

    household = register_household(actor=None, area=_area(code), sequence=sequence, head_name=f"户主{sequence}",
                                   members=[member_data(sequence, name=f"户主{sequence}")])
    return household


def make_household(code, sequence):
    return {"pk": _household(code, sequence).pk}


def make_member(code, sequence):
    household = _household(code, sequence)
    return {"pk": household.pk, "member_pk": household.members.get().pk}


def make_parameter(code, sequence):
    from assessments.policy.services import policy_parameter_create

    row = policy_parameter_create(actor=None, code="income_line", area=_area(code), year_from=2013, value=4000,
                                  source_citation="测试数据", reason="测试")
    return {"pk": row.pk}


def make_plan(code, sequence):
    from assessments.plans.services import exit_plan_create

    return {"pk": exit_plan_create(actor=None, area=_area(code), year=2020, households=10).pk}


def make_project(code, sequence):
    from projects.tests.factories import make_project as project

    return {"pk": project(actor=None, area=_area(code), name=f"产业项目{sequence}").pk}


def _publicity(code, sequence):
    from projects.tests.factories import approve, publicize_plan
    from projects.tests.factories import make_project as project

    made = approve(project(actor=None, area=_area(code), name=f"公示项目{sequence}"),
                   submitter=None, admitter=None, approver=None)
    return publicize_plan(made, actor=None)


def make_project_publicity(code, sequence):
    return {"pk": _publicity(code, sequence).pk}


def make_project_objection(code, sequence):
    from projects.services import project_objection_record

    objection = project_objection_record(actor=None, publicity=_publicity(code, sequence), channel="on_site",
                                         content="受益户名单有误", received_on=datetime.date(2024, 2, 22))
    return {"pk": objection.pk}


def make_allocation(code, sequence):
    from funds.tests.factories import allocate

    return {"pk": allocate(actor=None, area=_area(code), document=f"测试〔2024〕{sequence}号").pk}


def _inspection(code):
    from oversight.tests.conftest import make_inspection

    village = _area(code)
    township = village.parent
    return make_inspection(None, issuer=township.parent.code, target=township.code,
                           items=[("目标精准把握", code, datetime.date(2024, 3, 31))])


def make_inspection(code, sequence):
    """An inspection of the township ``code``, its one item in the township's first village."""
    village = Area.objects.filter(parent__code=code, level="village").order_by("code").first()
    return {"pk": _inspection(village.code).pk}


def make_item(code, sequence):
    from oversight.tests.conftest import item_of

    return {"pk": item_of(_inspection(code), 1).pk}


def make_complaint(code, sequence):
    from django.utils import timezone

    from oversight.services import complaint_receive

    complaint = complaint_receive(actor=None, area=_area(code), channel="on_site", content="反映帮扶措施未落实",
                                  received_at=timezone.make_aware(datetime.datetime(2024, 3, 1, 10)))
    return {"pk": complaint.pk}


def make_audit_event(code, sequence):
    return {"pk": AuditEvent.objects.filter(action="area.create", area_code=code).get().pk}


def make_report(code, sequence):
    """A quarterly report of the county ``code``, queued (its PDF is made after commit, which never comes here)."""
    from accounts.services import post_assign, user_create
    from reports.services import report_generate

    office = user_create(actor=None, username=f"matrix_office_{sequence}", password=PASSWORD)
    post_assign(actor=None, user=office, area=_area(code), role=Role.LEADING_GROUP_OFFICE)
    return {"pk": report_generate(actor=office, area=_area(code), year=2024, quarter=1).pk}


def make_disbursement(code, sequence):
    """报账 of an approved, publicized project of the village ``code`` paid from its county's published allocation."""
    from funds.tests.factories import allocate, fund
    from projects.tests.factories import approve, publicize_plan
    from projects.tests.factories import make_project as project

    made = approve(project(actor=None, area=_area(code), name=f"报账项目{sequence}"),
                   submitter=None, admitter=None, approver=None)
    publicize_plan(made, actor=None)
    allocation = allocate(actor=None, area=_area(county_code(code)), document=f"报账〔2024〕{sequence}号")
    funding = fund(actor=None, allocation=allocation, project=made, amount="1000")
    from funds.services import fund_disburse

    disbursement = fund_disburse(actor=None, funding=funding, amount="100", paid_on=datetime.date(2024, 3, 10),
                                 voucher_number=f"PZ{sequence}")
    return {"pk": disbursement.pk}


def _exit_parameters(code):
    """The exit rule rows of the village's county and province (as assessments' workflow tests set them)."""
    from assessments.policy.models import PolicyParameter
    from assessments.tests.workflow_fixtures import set_parameter

    county, province = county_code(code), code[:2] + "0000000000"
    if PolicyParameter.objects.filter(area__code=county, code="household_income_test").exists():
        return
    for name, value in (("income_line", 4000), ("household_income_test", None), ("publicity_days_min", 7),
                        ("compulsory_education_age_min", 6), ("compulsory_education_age_max", 15)):
        if not PolicyParameter.objects.filter(area__code=county, code=name).exists():
            set_parameter(name, value, area_code=county)
    if not PolicyParameter.objects.filter(area__code=province, code="exit_nomination_window_start").exists():
        set_parameter("exit_nomination_window_start", 101, area_code=province)
        set_parameter("exit_nomination_window_end", 1231, area_code=province)
        for level, days in (("village", 5), ("township", 15), ("county", 15), ("city", 30), ("province", 30)):
            set_parameter(f"step_days_{level}", days, area_code=province)


def make_verification(code, sequence):
    """A household exit of the village ``code``, nominated and waiting for the village review."""
    from assessments.tests.workflow_fixtures import helped, make_eligible, nominate

    _exit_parameters(code)
    household = helped(None, make_eligible(None, _household(code, sequence)))
    return {"pk": nominate(None, household).pk}


def make_eligibility_result(code, sequence):
    """The stored 脱贫标准 evaluation of a household of the village ``code``."""
    from assessments.eligibility.services import eligibility_evaluate_household
    from assessments.tests.workflow_fixtures import YEAR, make_eligible

    _exit_parameters(code)
    household = make_eligible(None, _household(code, sequence))
    return {"pk": eligibility_evaluate_household(household=household, year=YEAR).pk}


def make_recompute_run(code, sequence):
    """A queued 立即重算 of the county ``code`` (its task would start after commit)."""
    from assessments.eligibility.services import recompute_run_start
    from assessments.tests.workflow_fixtures import YEAR

    return {"pk": recompute_run_start(actor=None, area=_area(code), year=YEAR).pk}


def make_grant(code, sequence):
    """A village cadre's post at ``code`` asked for by the county's system administrator: waits for approval."""
    from accounts.services import post_assign, user_create

    grantor = user_create(actor=None, username=f"matrix_grantor_{sequence}", password=PASSWORD)
    post_assign(actor=None, user=grantor, area=_area(county_code(code)), role=Role.SYSTEM_ADMIN)
    newcomer = user_create(actor=grantor, username=f"matrix_newcomer_{sequence}", password=PASSWORD)
    post = post_assign(actor=grantor, user=newcomer, area=_area(code), role=Role.VILLAGE_CADRE)
    assert post.approval_status == "pending"
    return {"pk": post.pk}


def make_county_year(code, sequence):
    return {"area_code": code, "year": 2020}


KINDS = {
    # kind: (level, factory, missing kwargs)
    "village": ("village", lambda code, sequence: _code_kwargs(code), _code_kwargs(MISSING_CODES["village"])),
    "township": ("township", lambda code, sequence: _code_kwargs(code), _code_kwargs(MISSING_CODES["township"])),
    "county": ("county", lambda code, sequence: _code_kwargs(code), _code_kwargs(MISSING_CODES["county"])),
    "county_year": ("county", make_county_year, {"area_code": MISSING_CODES["county"], "year": 2020}),
    "household": ("village", make_household, {"pk": MISSING_PK}),
    "member": ("village", make_member, {"pk": MISSING_PK, "member_pk": MISSING_PK}),
    "parameter": ("county", make_parameter, {"pk": MISSING_PK}),
    "plan": ("county", make_plan, {"pk": MISSING_PK}),
    "project": ("village", make_project, {"pk": MISSING_PK}),
    "allocation": ("county", make_allocation, {"pk": MISSING_PK}),
    "inspection": ("township", make_inspection, {"pk": MISSING_PK}),
    "item": ("village", make_item, {"pk": MISSING_PK}),
    "complaint": ("village", make_complaint, {"pk": MISSING_PK}),
    "audit_event": ("village", make_audit_event, {"pk": MISSING_PK}),
    "grant": ("village", make_grant, {"pk": MISSING_PK}),
    "verification": ("village", make_verification, {"pk": MISSING_PK}),
    "eligibility_result": ("village", make_eligibility_result, {"pk": MISSING_PK}),
    "recompute_run": ("county", make_recompute_run, {"pk": MISSING_PK}),
    "project_publicity": ("village", make_project_publicity, {"pk": MISSING_PK}),
    "project_objection": ("village", make_project_objection, {"pk": MISSING_PK}),
    "report": ("county", make_report, {"pk": MISSING_PK}),
    "disbursement": ("village", make_disbursement, {"pk": MISSING_PK}),
}
# Kinds the matrix reaches with a missing id only: uploads (import jobs, evidence) would write files into the media
# folder, the others need a workflow taken to its 公告/比对 steps or a signed report. Each app's tests cover them in and
# out of area.
MISSING_ONLY = {
    "import_job": {"pk": MISSING_PK}, "fund_import": {"pk": MISSING_PK}, "evidence": {"pk": MISSING_PK},
    "announcement": {"pk": MISSING_PK}, "exit_objection": {"pk": MISSING_PK}, "match": {"pk": MISSING_PK},
    "area_result": {"pk": MISSING_PK}, "report_token": {"token": uuid.UUID(int=0)},
}


def missing_kwargs(kind):
    return KINDS[kind][2] if kind in KINDS else MISSING_ONLY[kind]


def build_world():
    """Areas, personas (role → user) and objects (kind → {area code: path kwargs})."""
    from accounts.services import post_assign, user_create

    for code, name, level in TREE:
        area_create(actor=None, code=code, name=name, level=level)
    users = {}
    for role, code in PERSONA_POSTS.items():
        user = user_create(actor=None, username=f"matrix_{role}", password=PASSWORD, full_name=str(role.label))
        post_assign(actor=None, user=user, area=_area(code), role=role)
        users[str(role)] = user
    objects = {}
    sequence = 700
    for kind, (level, factory, _missing) in KINDS.items():
        objects[kind] = {}
        own, others = PLACES[level]
        for code in dict.fromkeys([own, *others.values()]):
            sequence += 1
            objects[kind][code] = factory(code, sequence)
    return users, objects
