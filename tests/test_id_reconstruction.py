"""The reconstruction test: a masked ID number (digits 1-6 and 15-18 kept) must never be completable from
anything else the same user sees. Digits 7-14 are the birth date, so for every role that can see households,
on every surface (户卡 page, household list search, API detail, member list and search, 户卡 PDF text, export
workbook and CSV read back, village register, workflow snapshot page and API) the test collects everything
shown and asserts that no full ID number appears and that the birth date appears in none of its usual forms.
A full number may appear only in the answer of an explicit reveal, which is audited."""
import csv
import io
import subprocess

import pytest
from openpyxl import load_workbook

from accounts.models import AuditEvent
from assessments.tests.workflow_fixtures import helped, make_eligible, nominate
from conftest import CITY, COUNTY, GROUP_A1, PROVINCE, TOWNSHIP, VILLAGE_A, _persona
from households.idnumber import mask_id_number
from households.tests.factories import member_data, register_household
from povalleviation.access import ROLE_CAPABILITIES, Capability
from povalleviation.roles import Role
from villages.models import Area

pytestmark = pytest.mark.django_db

HEAD_BIRTH, SPOUSE_BIRTH = "19750104", "19781123"
PHONE = "13908771234"
POST_AREA = {
    Role.VILLAGE_CADRE: VILLAGE_A, Role.FIRST_SECRETARY: VILLAGE_A, Role.TOWNSHIP_OFFICER: TOWNSHIP,
    Role.CITY_OFFICER: CITY, Role.PROVINCE_OFFICER: PROVINCE,
}
HOUSEHOLD_ROLES = [role for role in Role if Capability.HOUSEHOLD_VIEW in ROLE_CAPABILITIES.get(role, ())]


def birth_date_forms(id_number: str) -> list[str]:
    """The ways a page, PDF, API or workbook may print the birth date held in digits 7-14."""
    year, month, day = id_number[6:10], id_number[10:12], id_number[12:14]
    m, d = str(int(month)), str(int(day))
    return list(dict.fromkeys([f"{year}-{month}-{day}", f"{year}{month}{day}", f"{year}年{m}月{d}日",
                               f"{year}年{month}月{day}日", f"{year}/{month}/{day}", f"{year}.{month}.{day}",
                               f"{year}-{m}-{d}"]))


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()


def workbook_text(content: bytes) -> str:
    workbook = load_workbook(io.BytesIO(content))
    cells = [str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True) for value in row if value is not None]
    headers = [part.text or "" for sheet in workbook for part in (sheet.oddHeader.center, sheet.oddFooter.center)]
    properties = [workbook.properties.title or "", workbook.properties.description or ""]
    return "\n".join(cells + headers + properties)


def csv_text(content: bytes) -> str:
    return "\n".join(",".join(row) for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def registered(village_cadre_a, exit_parameters):
    """太和村 上寨组: head and spouse with distinctive birth dates and a phone, 帮扶中 and nominated for exit
    (so the workflow snapshot is one of the surfaces)."""
    household = register_household(
        actor=village_cadre_a, area=Area.objects.get(code=GROUP_A1), sequence=31, head_name="杨正", phone=PHONE,
        members=[member_data(31, name="杨正", birth=HEAD_BIRTH),
                 member_data(32, name="李芬", relation="10", odd=False, birth=SPOUSE_BIRTH)],
    )
    make_eligible(village_cadre_a, household)
    household = helped(village_cadre_a, household)
    verification = nominate(village_cadre_a, household)
    members = list(household.members.order_by("id"))
    return household, verification, members


def surfaces(user, household, verification, client_for, api_for) -> dict[str, str]:
    """Everything the user is shown about the household, per surface (reads only, no reveal)."""
    client, api = client_for(user), api_for(user)
    capabilities = ROLE_CAPABILITIES[next(iter(user.active_posts_roles()))]

    def ok(response):
        assert response.status_code == 200, (response.status_code, response.request["PATH_INFO"])
        return response

    shown = {
        "户卡页面": ok(client.get(f"/households/{household.pk}/")).content.decode(),
        "户列表检索": ok(client.get("/households/", {"q": "杨正"})).content.decode(),
        "村册": ok(client.get(f"/households/register/{VILLAGE_A}/")).content.decode(),
        "接口户详情": ok(api.get(f"/api/v1/households/{household.pk}/")).content.decode(),
        "接口成员列表": ok(api.get(f"/api/v1/households/{household.pk}/members/")).content.decode(),
        "接口户检索": ok(api.get("/api/v1/households/", {"q": "李芬"})).content.decode(),
        "户卡PDF": pdf_text(ok(client.get(f"/households/{household.pk}/card.pdf", {"purpose": "入户核查"})).content),
        "流程快照页面": ok(client.get(f"/exits/{verification.pk}/")).content.decode(),
        "流程快照接口": ok(api.get(f"/api/v1/exit-verifications/{verification.pk}/")).content.decode(),
    }
    if Capability.HOUSEHOLD_EXPORT in capabilities:
        export = "/households/imports/export/"
        shown["导出Excel"] = workbook_text(ok(client.get(export, {"purpose": "入户核查"})).content)
        for sheet in ("户信息", "成员信息"):
            response = ok(client.get(export, {"purpose": "入户核查", "format": "csv", "sheet": sheet}))
            shown[f"导出CSV {sheet}"] = csv_text(response.content)
    return shown


@pytest.mark.parametrize("role", HOUSEHOLD_ROLES, ids=[role.value for role in HOUSEHOLD_ROLES])
def test_no_masked_id_number_can_be_completed_on_any_surface(role, registered, client_for, api_for):
    household, verification, members = registered
    user = _persona(f"probe_{role.value}", role, POST_AREA.get(role, COUNTY))
    shown = surfaces(user, household, verification, client_for, api_for)
    leaks = []
    for surface, text in shown.items():
        squeezed = "".join(text.split())
        for member in members:
            if member.id_number in text or member.id_number in squeezed:
                leaks.append(f"{surface}：{member.name} 的完整身份证号")
            leaks += [f"{surface}：{member.name} 的出生日期 {form}" for form in birth_date_forms(member.id_number)
                      if form in text or form in squeezed]
        if PHONE in text or PHONE in squeezed:
            leaks.append(f"{surface}：完整联系电话")
    assert not leaks, "；".join(leaks)
    # The surfaces did show the person (masked ID, age or birth year), so the test looked at real content.
    head = members[0]
    assert mask_id_number(head.id_number) in shown["户卡页面"] and f"{head.age} 岁" in shown["户卡页面"]
    assert mask_id_number(head.id_number) in shown["户卡PDF"] and "139****1234" in shown["户卡PDF"]
    assert f'"age":{head.age}' in shown["接口成员列表"].replace(" ", "")
    assert '"birth_year":1975' in shown["流程快照接口"].replace(" ", "")
    assert "杨正" in shown["户列表检索"] and "杨正" in shown["接口户检索"]
    # Reading is audited: the card, the API detail and member list, the PDF and both searches.
    actions = set(AuditEvent.objects.filter(actor=user).values_list("action", flat=True))
    assert {"household.view", "household.members_view", "household.pdf", "household.search"} <= actions


@pytest.mark.parametrize("role", [r for r in HOUSEHOLD_ROLES if Capability.IDNUMBER_REVEAL in ROLE_CAPABILITIES[r]],
                         ids=lambda role: role.value)
def test_full_number_only_through_an_audited_reveal(role, registered, client_for, api_for):
    household, _verification, members = registered
    user = _persona(f"reveal_{role.value}", role, POST_AREA.get(role, COUNTY))
    client, api = client_for(user), api_for(user)
    spouse = members[1]
    page = client.post(f"/households/{household.pk}/members/{spouse.pk}/reveal/")
    assert page.json() == {"id_number": spouse.id_number}
    by_api = api.post(f"/api/v1/households/{household.pk}/reveal/", {"field": "id_number", "member": spouse.pk})
    assert by_api.json() == {"field": "id_number", "value": spouse.id_number}
    phone = api.post(f"/api/v1/households/{household.pk}/reveal/", {"field": "phone"})
    assert phone.json() == {"field": "phone", "value": PHONE}
    assert client.post(f"/households/{household.pk}/phone/reveal/").json() == {"phone": PHONE}
    events = list(household.events.filter(actor=user).values_list("type", flat=True))
    assert sorted(events) == ["id_revealed", "id_revealed", "phone_revealed", "phone_revealed"]
    assert AuditEvent.objects.filter(actor=user, action="household.id_revealed", area_code=household.area_code).count() == 2
    # A reveal changes nothing on the pages: still masked, still no birth date.
    card = client.get(f"/households/{household.pk}/").content.decode()
    assert spouse.id_number not in card and all(form not in card for form in birth_date_forms(spouse.id_number))


@pytest.mark.parametrize("role", [r for r in HOUSEHOLD_ROLES if Capability.IDNUMBER_REVEAL not in ROLE_CAPABILITIES[r]],
                         ids=lambda role: role.value)
def test_roles_without_the_reveal_capability_are_refused_and_nothing_is_recorded(role, registered, client_for, api_for):
    household, _verification, members = registered
    user = _persona(f"noreveal_{role.value}", role, POST_AREA.get(role, COUNTY))
    assert client_for(user).post(f"/households/{household.pk}/members/{members[0].pk}/reveal/").status_code == 403
    assert client_for(user).post(f"/households/{household.pk}/phone/reveal/").status_code == 403
    refused = api_for(user).post(f"/api/v1/households/{household.pk}/reveal/", {"field": "phone"})
    assert refused.status_code == 403 and PHONE not in refused.content.decode()
    assert not household.events.filter(type__in=["id_revealed", "phone_revealed"]).exists()
