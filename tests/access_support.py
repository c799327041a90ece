"""Shared pieces of the access tests: a neighbouring county, extra personas and response helpers."""
from urllib.parse import quote

from conftest import COUNTY, GROUP_A1, OTHER_TOWNSHIP, OTHER_VILLAGE, TOWNSHIP, VILLAGE_A, VILLAGE_B

OTHER_COUNTY = "530426000000"  # 峨山彝族自治县, a neighbouring county of the same city
OTHER_COUNTY_TOWNSHIP = "530426001000"  # 双江街道
COUNTY_SUBTREE = {COUNTY, TOWNSHIP, VILLAGE_A, VILLAGE_B, GROUP_A1, OTHER_TOWNSHIP, OTHER_VILLAGE}
NOT_FOUND_TEXT = "未找到"
FORBIDDEN_TEXT = "无权访问"

PAGES = ["/", "/areas/", f"/areas/{VILLAGE_A}/", "/accounts/audit/"]
ADMIN_PAGES = ["/admin/", "/admin/villages/area/", "/admin/accounts/user/", "/admin/accounts/post/"]
API_ENDPOINTS = [
    "/api/v1/areas/",
    f"/api/v1/areas/{VILLAGE_A}/",
    "/api/v1/audit-events/",
    "/api/v1/me/",
    "/api/schema/",
    "/api/docs/",
]


def text(response) -> str:
    return response.content.decode()


def assert_login_redirect(response, url, login_url="/accounts/login/"):
    assert response.status_code == 302
    assert response["Location"] == f"{login_url}?next={quote(url)}"


def listed_codes(response) -> set[str]:
    return {area.code for area in response.context["object_list"]}


def api_codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["code"] for row in response.json()["results"]}


