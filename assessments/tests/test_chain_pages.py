"""审核步骤配置 pages (DOMAIN.md §5.0 rule 1, §8 Q5): staff with policy.view see the chain in force for their
area and its history; county (and higher) staff with policy.edit replace it or go back to the inherited one,
each change audited; a refused change stores nothing; new verifications follow the new chain."""

import pytest

from accounts.models import AuditEvent
from assessments.tests.workflow_fixtures import nominate
from assessments.workflows.models import ApprovalChain
from assessments.workflows.services import DEFAULT_CHAINS
from conftest import COUNTY, _persona
from povalleviation.roles import Role
from tests.access_support import text
from villages.services import area_create

pytestmark = pytest.mark.django_db
LIST = "/exits/chains/"
EDIT = f"/exits/chains/{COUNTY}/household_exit/"


@pytest.fixture
def other_county(areas):
    """峨山县 with one township, in the same city as 新平县."""
    county = area_create(actor=None, code="530426000000", name="峨山彝族自治县", level="county")
    township = area_create(actor=None, code="530426001000", name="双江街道", level="township")
    return county, township


@pytest.fixture
def other_county_cadre(other_county):
    return _persona("eshan_officer", Role.TOWNSHIP_OFFICER, other_county[1].code)


def form_data(steps, **meta):
    data = {
        "steps-TOTAL_FORMS": str(len(steps)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        "year_from": "2020",
        "note": "新平县扶贫开发领导小组关于简化退出程序的通知",
        **meta,
    }
    for index, step in enumerate(steps):
        for key in ("code", "label", "level", "capability", "kind", "upheld_to"):
            data[f"steps-{index}-{key}"] = step.get(key, "")
        data[f"steps-{index}-order"] = str(index)
    return data


def without_publicity():
    return [s for s in DEFAULT_CHAINS["household_exit"] if s["kind"] != "publicity"]


def test_access(client, client_for, village_cadre_a, township_officer, county_officer, other_county_cadre):
    assert client.get(LIST).status_code == 302 and client.get(EDIT).status_code == 302
    assert client_for(village_cadre_a).get(LIST).status_code == 403
    assert client_for(township_officer).get(EDIT).status_code == 403
    # A township officer sees the chains in force at the township, without an edit link.
    page = text(client_for(other_county_cadre).get(LIST))
    assert "审核步骤配置：双江街道" in page and "村民小组提名" in page and "/exits/chains/530426" not in page
    assert client_for(county_officer).get(f"/exits/chains/{COUNTY}/nonsense/").status_code == 404


def test_out_of_area_edit_is_404(client_for, city_officer, county_officer, other_county):
    county_code = other_county[0].code
    assert client_for(county_officer).get(f"/exits/chains/{county_code}/household_exit/").status_code == 404
    response = client_for(county_officer).post(
        f"/exits/chains/{county_code}/household_exit/", form_data(without_publicity())
    )
    assert response.status_code == 404 and not ApprovalChain.objects.exists()
    # The city covers both counties.
    assert client_for(city_officer).get(f"/exits/chains/{county_code}/household_exit/").status_code == 200


def test_the_list_shows_the_chain_in_force_and_its_source(client_for, county_officer):
    page = text(client_for(county_officer).get(LIST))
    assert "村民小组提名" in page and "县级审定" in page and "默认流程" in page
    assert f"/exits/chains/{COUNTY}/household_exit/" in page and "本区域没有自行设置过审核步骤" in page


def test_county_replaces_the_chain_and_new_nominations_follow_it(
    client_for, county_officer, ready_household, village_cadre_a
):
    county = client_for(county_officer)
    page = text(county.get(EDIT))
    assert 'name="steps-0-code"' in page and 'value="nominate"' in page
    response = county.post(EDIT, form_data(without_publicity()))
    assert response.status_code == 302, text(response)
    chain = ApprovalChain.objects.get()
    assert [s["code"] for s in chain.steps] == [s["code"] for s in without_publicity()]
    assert chain.created_by == county_officer and chain.area.code == COUNTY and chain.is_active
    assert AuditEvent.objects.filter(action="approval_chain.set", object_id=str(chain.pk)).count() == 1
    page = text(county.get(LIST))
    assert "简化退出程序" in page and "有效" in page
    verification = nominate(village_cadre_a, ready_household)
    assert "village_publicity" not in [s["code"] for s in verification.chain]
    assert "简化退出程序" in verification.chain_source


def test_an_invalid_chain_is_refused_and_nothing_is_stored(client_for, county_officer):
    steps = without_publicity()[1:]  # no 发起 step first
    response = client_for(county_officer).post(EDIT, form_data(steps))
    assert response.status_code == 400 and "第一步必须是发起" in text(response)
    missing_note = client_for(county_officer).post(EDIT, form_data(without_publicity(), note=""))
    assert missing_note.status_code == 400
    assert not ApprovalChain.objects.exists() and not AuditEvent.objects.filter(action="approval_chain.set").exists()


def test_reset_goes_back_to_the_default_and_keeps_the_history(client_for, county_officer):
    county = client_for(county_officer)
    county.post(EDIT, form_data(without_publicity()))
    refused = county.post(f"{EDIT}default/", {"note": ""})
    assert refused.status_code == 302 and ApprovalChain.objects.get().is_active
    response = county.post(f"{EDIT}default/", {"note": "恢复省定程序"})
    assert response.status_code == 302
    chain = ApprovalChain.objects.get()
    assert not chain.is_active
    assert AuditEvent.objects.filter(action="approval_chain.reset", object_id=str(chain.pk)).count() == 1
    page = text(county.get(LIST))
    assert "已停用" in page and "默认流程" in page


def test_a_verification_on_the_default_chain_cites_the_document_it_follows(client, village_cadre_a, ready_household):
    verification = nominate(village_cadre_a, ready_household)
    client.force_login(village_cadre_a)
    page = text(client.get(f"/exits/{verification.pk}/"))
    assert "<dt>审核步骤来源</dt><dd>默认流程（新发〔2016〕9号《关于打赢脱贫攻坚战的实施意见》第三部分第（四）项）</dd>" in page
    assert "DOMAIN" not in page
