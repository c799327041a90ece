import pytest

from conftest import VILLAGE_A, VILLAGE_B


@pytest.mark.django_db
def test_cadre_sees_own_village_not_neighbour(api_for, village_cadre_a, village_cadre_b):
    response = api_for(village_cadre_a).get("/api/v1/areas/")
    assert response.status_code == 200
    codes = {row["code"] for row in response.json()["results"]}
    assert VILLAGE_A in codes
    assert VILLAGE_B not in codes
    assert api_for(village_cadre_a).get(f"/api/v1/areas/{VILLAGE_B}/").status_code == 404
