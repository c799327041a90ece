"""Who may open which page and endpoint, and what each one shows.

For every page and endpoint of the foundation: anonymous → login page (pages) or 401 (API);
no capability → 403; a row outside the user's areas → 404 (indistinguishable from a missing row);
inside → the data, and nothing of the neighbouring areas. Refused writes change nothing.
"""
import pytest
from knox.models import AuthToken

from accounts.models import AuditEvent
from conftest import (
    CITY,
    COUNTY,
    GROUP_A1,
    OTHER_TOWNSHIP,
    OTHER_VILLAGE,
    PROVINCE,
    TOWNSHIP,
    VILLAGE_A,
    VILLAGE_B,
)
from povalleviation.roles import Role
from tests.access_support import (
    ADMIN_PAGES,
    API_ENDPOINTS,
    COUNTY_SUBTREE,
    FORBIDDEN_TEXT,
    NOT_FOUND_TEXT,
    OTHER_COUNTY,
    PAGES,
    api_codes,
    assert_login_redirect,
    listed_codes,
    text,
)
from villages.models import Area
from villages.services import area_create

pytestmark = pytest.mark.django_db
# ---------------------------------------------------------------- anonymous


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_page_redirects_to_login(client, areas, url):
    assert_login_redirect(client.get(url), url)


@pytest.mark.parametrize("url", [*ADMIN_PAGES, "/admin/villages/area/1/change/"])
def test_anonymous_admin_redirects_to_admin_login(client, areas, url):
    assert_login_redirect(client.get(url), url, login_url="/admin/login/")


@pytest.mark.parametrize("url", API_ENDPOINTS)
def test_anonymous_api_gets_401_with_token_challenge(api_for, areas, url):
    response = api_for(None).get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_anonymous_api_write_is_refused_and_changes_nothing(api_for, areas):
    before = Area.objects.count()
    response = api_for(None).post("/api/v1/areas/", {"code": "530427204210", "name": "新村", "level": "village"})
    assert response.status_code == 401
    assert Area.objects.count() == before


def test_token_authentication_sees_the_same_scope_as_the_session(village_cadre_a):
    from rest_framework.test import APIClient

    _instance, token = AuthToken.objects.create(user=village_cadre_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_codes(api.get("/api/v1/areas/")) == {VILLAGE_A, GROUP_A1}
    api.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert api.get("/api/v1/areas/").status_code == 401


# ---------------------------------------------------------------- home page


def _entry_areas(entries) -> list[str]:
    return [entry["area"].code for entry in entries]


def _only_entry_children(entries) -> list[str]:
    [entry] = entries
    return [child.code for child in entry["children"]]


@pytest.mark.parametrize(("persona", "neighbours", "shown", "hidden", "entries", "expected_entries"), [
    pytest.param("user_without_post", "areas", ["您还没有任职"], ["太和村委会", "新平彝族傣族自治县"], None, None,
                 id="user_without_post_says_so"),
    pytest.param("village_cadre_a", "village_cadre_b", ["太和村委会", "上寨村民小组", f"/areas/{GROUP_A1}/"],
                 ["勐炳村委会", "水塘镇", "大口村委会"], _entry_areas, [VILLAGE_A],
                 id="village_cadre_shows_his_village_and_its_group_only"),
    pytest.param("county_officer", "other_county", ["新平彝族傣族自治县", "老厂乡", "水塘镇"], ["峨山彝族自治县", "双江街道"],
                 _only_entry_children, [OTHER_TOWNSHIP, TOWNSHIP], id="county_officer_lists_the_townships_of_his_county"),
])
def test_home_page(request, client_for, persona, neighbours, shown, hidden, entries, expected_entries):
    """The home page of each persona: his areas, none of the neighbours' (``neighbours`` is the fixture that
    makes them)."""
    user = request.getfixturevalue(persona)
    request.getfixturevalue(neighbours)
    response = client_for(user).get("/")
    assert response.status_code == 200
    body = text(response)
    for expected in shown:
        assert expected in body
    for foreign in hidden:
        assert foreign not in body
    if entries is not None:
        assert entries(response.context["entries"]) == expected_entries


# ---------------------------------------------------------------- /areas/


def test_area_list_without_post_is_403(client_for, user_without_post, areas):
    response = client_for(user_without_post).get("/areas/")
    assert response.status_code == 403
    assert FORBIDDEN_TEXT in text(response)
    assert "太和村委会" not in text(response)


def test_area_list_of_village_cadre(client_for, village_cadre_a, village_cadre_b):
    response = client_for(village_cadre_a).get("/areas/")
    assert response.status_code == 200
    assert listed_codes(response) == {VILLAGE_A, GROUP_A1}
    body = text(response)
    assert "太和村委会" in body
    assert "上寨村民小组" in body
    for foreign in ("勐炳村委会", "水塘镇", "大口村委会"):
        assert foreign not in body


def test_area_list_filters_stay_inside_the_scope(client_for, village_cadre_a):
    client = client_for(village_cadre_a)
    assert listed_codes(client.get("/areas/", {"level": "village"})) == {VILLAGE_A}
    assert listed_codes(client.get("/areas/", {"q": "勐炳"})) == set()
    assert listed_codes(client.get("/areas/", {"q": "530427"})) == {VILLAGE_A, GROUP_A1}


def test_area_list_of_county_officer(client_for, county_officer, other_county):
    response = client_for(county_officer).get("/areas/")
    assert response.status_code == 200
    assert listed_codes(response) == COUNTY_SUBTREE
    body = text(response)
    assert "水塘镇" in body and "勐炳村委会" in body
    assert "峨山彝族自治县" not in body
    assert "双江街道" not in body


# ---------------------------------------------------------------- /areas/<code>/


def test_area_detail_without_post_is_403(client_for, user_without_post, areas):
    response = client_for(user_without_post).get(f"/areas/{VILLAGE_A}/")
    assert response.status_code == 403
    assert "太和村委会" not in text(response)


def test_area_detail_of_own_village(client_for, village_cadre_a):
    response = client_for(village_cadre_a).get(f"/areas/{VILLAGE_A}/")
    assert response.status_code == 200
    body = text(response)
    assert "<h1>太和村委会</h1>" in body
    assert VILLAGE_A in body
    assert "上寨村民小组" in body
    # The breadcrumb names the ancestors but links none of them: they are outside the cadre's scope.
    assert "老厂乡" in body
    assert f'href="/areas/{TOWNSHIP}/"' not in body
    assert f'href="/areas/{COUNTY}/"' not in body


@pytest.mark.parametrize(
    "code",
    [VILLAGE_B, TOWNSHIP, OTHER_VILLAGE, "530427204299"],
    ids=["neighbour-village", "own-township", "other-township-village", "missing"],
)
def test_area_detail_outside_scope_is_404_like_a_missing_area(client_for, village_cadre_a, village_cadre_b, code):
    response = client_for(village_cadre_a).get(f"/areas/{code}/")
    assert response.status_code == 404
    body = text(response)
    assert NOT_FOUND_TEXT in body
    for name in ("勐炳村委会", "老厂乡", "大口村委会", "水塘镇"):
        assert name not in body


def test_area_detail_for_county_officer(client_for, county_officer, other_county):
    client = client_for(county_officer)
    response = client.get(f"/areas/{OTHER_TOWNSHIP}/")
    assert response.status_code == 200
    assert "<h1>水塘镇</h1>" in text(response)
    assert "大口村委会" in text(response)
    response = client.get(f"/areas/{OTHER_COUNTY}/")
    assert response.status_code == 404
    assert "峨山彝族自治县" not in text(response)


# ---------------------------------------------------------------- audit log


def _events_in_two_townships():
    """Two writes through services: one under 水塘镇 (大口村), one under 老厂乡 (太和村)."""
    area_create(actor=None, code=f"{OTHER_VILLAGE}002", name="大口二组", level="group")
    area_create(actor=None, code=f"{VILLAGE_A}002", name="太和二组", level="group")


def test_audit_page_refused_without_audit_capability(client_for, village_cadre_a, system_admin):
    for user in (village_cadre_a, system_admin):
        response = client_for(user).get("/accounts/audit/")
        assert response.status_code == 403
        assert FORBIDDEN_TEXT in text(response)
        assert "新增区域" not in text(response)


def test_audit_page_of_county_auditor_shows_his_county_only(client_for, auditor, other_county):
    _events_in_two_townships()
    response = client_for(auditor).get("/accounts/audit/", {"q": "area.create"})
    assert response.status_code == 200
    codes = {event.area_code for event in response.context["object_list"]}
    assert codes == COUNTY_SUBTREE | {f"{OTHER_VILLAGE}002", f"{VILLAGE_A}002"}
    body = text(response)
    assert "新增区域 大口二组" in body
    assert "新增区域 太和二组" in body
    assert "云南省" not in body and "玉溪市" not in body and "峨山彝族自治县" not in body


def test_audit_page_of_township_auditor_hides_other_townships(client_for, township_auditor):
    _events_in_two_townships()
    response = client_for(township_auditor).get("/accounts/audit/")
    assert response.status_code == 200
    events = list(response.context["object_list"])
    assert events, "the auditor's own township has events"
    assert all(event.area_code.startswith(OTHER_TOWNSHIP[:9]) for event in events)
    body = text(response)
    assert "新增区域 大口二组" in body
    assert "新增区域 太和二组" not in body
    assert "老厂乡" not in body


def test_audit_api_of_township_auditor(api_for, township_auditor, auditor):
    _events_in_two_townships()
    inside = AuditEvent.objects.get(summary__startswith="新增区域 大口二组")
    outside = AuditEvent.objects.get(summary__startswith="新增区域 太和二组")
    api = api_for(township_auditor)
    response = api.get("/api/v1/audit-events/", {"page_size": 500})
    assert response.status_code == 200
    rows = response.json()["results"]
    ids = {row["id"] for row in rows}
    assert inside.pk in ids
    assert outside.pk not in ids
    assert all(row["area_code"].startswith(OTHER_TOWNSHIP[:9]) for row in rows)
    assert response.json()["count"] == AuditEvent.objects.filter(area_code__startswith=OTHER_TOWNSHIP[:9]).count()
    assert api.get(f"/api/v1/audit-events/{inside.pk}/").json()["summary"].startswith("新增区域 大口二组")
    assert api.get(f"/api/v1/audit-events/{outside.pk}/").status_code == 404
    # The county auditor sees both.
    county_api = api_for(auditor)
    assert county_api.get(f"/api/v1/audit-events/{outside.pk}/").status_code == 200
    assert county_api.get(f"/api/v1/audit-events/{inside.pk}/").status_code == 200


def test_audit_api_of_county_auditor_excludes_province_and_city_events(api_for, auditor):
    province_event = AuditEvent.objects.get(action="area.create", area_code=PROVINCE)
    response = api_for(auditor).get("/api/v1/audit-events/", {"page_size": 500})
    assert response.status_code == 200
    codes = {row["area_code"] for row in response.json()["results"]}
    assert codes and all(code.startswith(COUNTY[:6]) for code in codes)
    assert PROVINCE not in codes and CITY not in codes
    assert api_for(auditor).get(f"/api/v1/audit-events/{province_event.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["village_cadre_a", "system_admin", "user_without_post"])
def test_audit_api_refused_without_audit_capability(api_for, request, areas, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).get("/api/v1/audit-events/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "results" not in response.json()


# ---------------------------------------------------------------- API areas


def test_api_areas_without_post_is_403(api_for, user_without_post, areas):
    for url in ("/api/v1/areas/", f"/api/v1/areas/{VILLAGE_A}/"):
        response = api_for(user_without_post).get(url)
        assert response.status_code == 403
        assert "太和村委会" not in response.content.decode()


def test_api_areas_of_village_cadre(api_for, village_cadre_a, village_cadre_b):
    api = api_for(village_cadre_a)
    response = api.get("/api/v1/areas/")
    assert api_codes(response) == {VILLAGE_A, GROUP_A1}
    names = {row["name"] for row in response.json()["results"]}
    assert names == {"太和村委会", "上寨村民小组"}
    assert api_codes(api.get("/api/v1/areas/", {"within": VILLAGE_B})) == set()
    assert api_codes(api.get("/api/v1/areas/", {"level": "village"})) == {VILLAGE_A}
    detail = api.get(f"/api/v1/areas/{VILLAGE_A}/")
    assert detail.status_code == 200
    assert detail.json()["name"] == "太和村委会"
    assert detail.json()["parent_code"] == TOWNSHIP
    for code in (VILLAGE_B, TOWNSHIP, OTHER_TOWNSHIP, "530427204299"):
        response = api.get(f"/api/v1/areas/{code}/")
        assert response.status_code == 404
        assert "勐炳" not in response.content.decode()


def test_api_areas_of_county_officer(api_for, county_officer, other_county):
    api = api_for(county_officer)
    assert api_codes(api.get("/api/v1/areas/")) == COUNTY_SUBTREE
    townships = api.get("/api/v1/areas/", {"level": "township"}).json()["results"]
    assert [(row["code"], row["name"]) for row in townships] == [(OTHER_TOWNSHIP, "水塘镇"), (TOWNSHIP, "老厂乡")]
    assert api.get(f"/api/v1/areas/{OTHER_COUNTY}/").status_code == 404
    assert api.get(f"/api/v1/areas/{CITY}/").status_code == 404


def test_api_area_writes_are_refused_and_change_nothing(api_for, county_officer, system_admin):
    before = list(Area.objects.values_list("code", "name").order_by("code"))
    for user in (county_officer, system_admin):
        api = api_for(user)
        assert api.post("/api/v1/areas/", {"code": "530427204210", "name": "新村"}).status_code == 405
        assert api.patch(f"/api/v1/areas/{VILLAGE_A}/", {"name": "改名"}).status_code == 405
        assert api.delete(f"/api/v1/areas/{VILLAGE_A}/").status_code == 405
    assert list(Area.objects.values_list("code", "name").order_by("code")) == before


# ---------------------------------------------------------------- /api/v1/me/


def test_me_of_user_without_post(api_for, user_without_post):
    response = api_for(user_without_post).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["username"] == "nopost"
    assert response.json()["posts"] == []
    assert response.json()["capabilities"] == []


def test_me_of_village_cadre(api_for, village_cadre_a):
    data = api_for(village_cadre_a).get("/api/v1/me/").json()
    assert [(post["area_code"], post["area_name"], post["role"]) for post in data["posts"]] == [
        (VILLAGE_A, "太和村委会", Role.VILLAGE_CADRE)
    ]
    assert {"household.view", "household.edit", "idnumber.reveal", "area.view"} <= set(data["capabilities"])
    assert "audit.view" not in data["capabilities"]
    assert "user.manage" not in data["capabilities"]


def test_system_admin_holds_no_household_capability(api_for, system_admin):
    data = api_for(system_admin).get("/api/v1/me/").json()
    assert data["capabilities"] == ["area.manage", "area.view", "user.manage"]
    assert not any(capability.startswith(("household.", "idnumber.", "fund.", "project.")) for capability in data["capabilities"])
    assert [(post["area_code"], post["role"]) for post in data["posts"]] == [(COUNTY, Role.SYSTEM_ADMIN)]


def test_auditor_capabilities(api_for, auditor):
    data = api_for(auditor).get("/api/v1/me/").json()
    assert "audit.view" in data["capabilities"]
    assert "household.edit" not in data["capabilities"]


# ---------------------------------------------------------------- schema and docs


def test_schema_and_docs_need_only_a_login(api_for, user_without_post, village_cadre_a):
    for user in (user_without_post, village_cadre_a):
        api = api_for(user)
        schema = api.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        assert schema.status_code == 200
        paths = schema.json()["paths"]
        assert "/api/v1/areas/" in paths
        assert "/api/v1/areas/{code}/" in paths
        assert "/api/v1/me/" in paths
        assert "/api/v1/audit-events/" in paths
        docs = api.get("/api/docs/")
        assert docs.status_code == 200
        body = docs.content.decode()
        assert "swagger-ui" in body
        # The start-up script (schema address included) is its own file: the CSP allows no inline script.
        assert '<script src="/api/docs/?script="></script>' in body
        assert "/api/schema/" in api.get("/api/docs/?script=").content.decode()
        # Served from the installation itself (drf-spectacular-sidecar), not a CDN.
        assert "cdn.jsdelivr.net" not in body and "unpkg.com" not in body
