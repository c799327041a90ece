"""The dashboard's figures against the same figures computed independently with raw SQL over a county year
built through the services; and the dashboard's query count, pinned whatever the number of townships."""
import datetime
from decimal import ROUND_HALF_UP, Decimal

import lxml.html
import pytest
from django.db import connection
from django.urls import reverse

from assessments.policy.services import policy_parameter_create
from conftest import COUNTY, OTHER_TOWNSHIP, OTHER_VILLAGE, TOWNSHIP, VILLAGE_A, VILLAGE_B, _persona
from funds.services import disbursement_review_township, fund_disburse
from funds.tests.factories import allocate, fund
from povalleviation.roles import Role
from projects.tests.factories import approve, make_project, publicize_plan
from villages.models import Area
from villages.services import area_create

AS_OF = datetime.date(2024, 10, 31)


@pytest.fixture
def county_year(areas, township_officer, other_township_officer, county_officer, county_approver):
    """A 2024 ledger of 新平县: allocations to the county, two townships and a village; three projects in three
    villages of both townships; payments before and after the as-of date, one rejected; a 2023 allocation."""
    def project(area, name, officer):
        made = approve(make_project(actor=officer, area=areas[area], name=name), submitter=officer,
                       admitter=county_officer, approver=county_approver)
        publicize_plan(made, actor=officer)
        return made

    p1, p2 = project(VILLAGE_A, "太和村核桃产业项目", township_officer), project(VILLAGE_B, "勐炳村道路项目", township_officer)
    p3 = project(OTHER_VILLAGE, "水塘镇村组道路项目", other_township_officer)
    day = datetime.date
    central = allocate(actor=county_officer, area=areas[COUNTY], amount="1000000", allocated_on=day(2024, 2, 1), document="A")
    province = allocate(actor=county_officer, area=areas[COUNTY], code="province_special", amount="400000",
                        allocated_on=day(2024, 3, 1), document="B")
    integrated = allocate(actor=county_officer, area=areas[COUNTY], code="county_integrated", amount="300000",
                          allocated_on=day(2024, 4, 1), document="C")
    allocate(actor=county_officer, area=areas[COUNTY], code="city_special", amount="150000", allocated_on=day(2024, 11, 1),
             document="D")  # after the as-of date
    allocate(actor=county_officer, area=areas[COUNTY], amount="500000", allocated_on=day(2023, 3, 1), year=2023,
             document="E")  # another fiscal year
    laochang = allocate(actor=county_officer, area=areas[TOWNSHIP], code="province_special", amount="200000",
                        allocated_on=day(2024, 3, 10), document="F")
    shuitang = allocate(actor=county_officer, area=areas[OTHER_TOWNSHIP], amount="250000", allocated_on=day(2024, 3, 15),
                        document="G")
    village = allocate(actor=county_officer, area=areas[OTHER_VILLAGE], code="county_special", amount="80000",
                       allocated_on=day(2024, 4, 5), document="H")
    fundings = {
        "p1_central": fund(actor=county_officer, allocation=central, project=p1, amount="300000"),
        "p2_central": fund(actor=county_officer, allocation=central, project=p2, amount="200000"),
        "p3_central": fund(actor=county_officer, allocation=central, project=p3, amount="200000"),
        "p1_province": fund(actor=county_officer, allocation=province, project=p1, amount="100000"),
        "p2_integrated": fund(actor=county_officer, allocation=integrated, project=p2, amount="150000"),
        "p1_laochang": fund(actor=county_officer, allocation=laochang, project=p1, amount="120000"),
        "p3_shuitang": fund(actor=county_officer, allocation=shuitang, project=p3, amount="200000"),
        "p3_village": fund(actor=county_officer, allocation=village, project=p3, amount="60000"),
    }
    payments = [
        ("p1_central", "123456.78", day(2024, 4, 10), township_officer), ("p1_central", "50000", day(2024, 11, 5), township_officer),
        ("p1_province", "33333.33", day(2024, 5, 1), township_officer), ("p1_laochang", "70000.01", day(2024, 6, 1), township_officer),
        ("p2_central", "99999.99", day(2024, 7, 1), township_officer), ("p2_integrated", "45000", day(2024, 8, 1), township_officer),
        ("p2_integrated", "20000", day(2024, 8, 2), township_officer), ("p3_central", "150000", day(2024, 9, 1), other_township_officer),
        ("p3_shuitang", "88888.88", day(2024, 9, 2), other_township_officer),
        ("p3_village", "12345.67", day(2024, 10, 31), other_township_officer),
    ]
    paid = [fund_disburse(actor=actor, funding=fundings[key], amount=Decimal(amount), paid_on=paid_on, voucher_number=f"V{index}")
            for index, (key, amount, paid_on, actor) in enumerate(payments)]
    checker = _persona("checker", Role.TOWNSHIP_OFFICER, TOWNSHIP)
    disbursement_review_township(actor=checker, disbursement=paid[5], approve=False, note="凭证不全")
    return areas


SQL_BY_SOURCE = """
SELECT s.name, COALESCE(a.total, 0), COALESCE(p.total, 0)
  FROM funds_fundsource s
  LEFT JOIN (SELECT source_id, SUM(amount) AS total FROM funds_fundallocation
              WHERE year = %(year)s AND allocated_on <= %(as_of)s AND area_code LIKE %(like)s GROUP BY source_id) a
         ON a.source_id = s.id
  LEFT JOIN (SELECT al.source_id, SUM(d.amount) AS total FROM funds_disbursement d
               JOIN funds_fundallocation al ON al.id = d.allocation_id
              WHERE al.year = %(year)s AND d.paid_on <= %(as_of)s AND d.status <> 'rejected' AND al.area_code LIKE %(like)s
              GROUP BY al.source_id) p
         ON p.source_id = s.id
 WHERE a.total IS NOT NULL OR p.total IS NOT NULL
"""

SQL_BY_TOWNSHIP = """
SELECT t.name,
       (SELECT COALESCE(SUM(al.amount), 0) FROM funds_fundallocation al
         WHERE al.year = %(year)s AND al.allocated_on <= %(as_of)s AND al.area_code LIKE substr(t.code, 1, 9) || '%%'),
       (SELECT COALESCE(SUM(d.amount), 0) FROM funds_disbursement d JOIN funds_fundallocation al ON al.id = d.allocation_id
         WHERE al.year = %(year)s AND d.paid_on <= %(as_of)s AND d.status <> 'rejected'
           AND al.area_code LIKE substr(t.code, 1, 9) || '%%')
  FROM villages_area t JOIN villages_area c ON c.id = t.parent_id
 WHERE c.code = %(county)s
"""


def _independent(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql, {"year": 2024, "as_of": AS_OF, "like": COUNTY[:6] + "%", "county": COUNTY})
        rows = cursor.fetchall()
    return {name: (Decimal(allocated).quantize(Decimal("0.01")), Decimal(paid).quantize(Decimal("0.01")), _percent(paid, allocated))
            for name, allocated, paid in rows}


def _percent(paid, allocated):
    if not allocated:
        return "—"
    return f"{(Decimal(paid) * 100 / Decimal(allocated)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP)} %"


def _shown(document, section):
    """label → (allocated, disbursed, ratio text) as the table in ``section`` shows them."""
    shown = {}
    for row in document.xpath(f"//section[@id='{section}']//tbody/tr"):
        cells = row.xpath("./td")
        label = (cells[0].xpath("./a/text()") or cells[0].xpath("./text()"))[0].strip()
        ratio_text = cells[5].xpath(".//span[@class='num']/text()")[0].strip()
        shown[label] = (Decimal(cells[1].text_content().strip()), Decimal(cells[2].text_content().strip()), ratio_text)
    return shown


def test_dashboard_figures_equal_an_independent_sql_computation(county_year, county_officer, client_for):
    html = client_for(county_officer).get(reverse("funds:dashboard") + f"?area={COUNTY}&year=2024&as_of={AS_OF}"
                                          ).content.decode()
    document = lxml.html.fromstring(html)
    by_source = _independent(SQL_BY_SOURCE)
    by_township = _independent(SQL_BY_TOWNSHIP)
    assert _shown(document, "by-source") == by_source
    shown_areas = _shown(document, "by-area")
    assert {label: shown_areas[label] for label in by_township} == by_township
    # The remaining row is the county's own level: everything not received by a township.
    own = shown_areas.pop("新平彝族傣族自治县本级")
    assert set(shown_areas) == set(by_township)
    total_allocated = sum(row[0] for row in by_source.values())
    total_paid = sum(row[1] for row in by_source.values())
    assert own[:2] == (total_allocated - sum(r[0] for r in by_township.values()),
                       total_paid - sum(r[1] for r in by_township.values()))
    assert document.xpath("//*[@data-testid='total-ratio']/text()")[0] == _percent(total_paid, total_allocated)
    # A hand check of the independent figures: 中央 1 000 000 (county) + 250 000 (水塘镇); paid 123 456.78 + 99 999.99
    # + 150 000 + 88 888.88 (the 50 000 of 5 November is after the as-of date).
    assert by_source["中央财政专项扶贫资金"] == (Decimal("1250000.00"), Decimal("462345.65"), "36.99 %")
    assert by_township["老厂乡"] == (Decimal("200000.00"), Decimal("70000.01"), "35.00 %")
    assert by_township["水塘镇"] == (Decimal("330000.00"), Decimal("101234.55"), "30.68 %")
    # The charts show the same ratios as the tables.
    for label, (_, _, ratio_text) in by_source.items():
        assert f"<title>{label}：{ratio_text}" in html


def _add_townships(count, county_officer, start):
    county = Area.objects.get(code=COUNTY)
    for index in range(count):
        township = area_create(actor=None, code=f"530427{start + index:03d}000", name=f"测试乡{index}", level="township",
                               parent=county)
        policy_parameter_create(actor=None, code="fund_spend_ratio_min", area=township, year_from=2024, value="80",
                                source_citation="测试", reason="测试")
        policy_parameter_create(actor=None, code="district_fund_ratio_min", area=township, year_from=2024, value="30",
                                source_citation="测试", reason="测试")
        allocate(actor=county_officer, area=township, amount="1000", allocated_on=datetime.date(2024, 3, 1),
                 document=f"测试乡{index}")


# 16 = session, user, second-factor device (county level), posts, then the dashboard's own queries.
DASHBOARD_QUERIES = 16


@pytest.mark.parametrize("extra_townships", [0, 5])
def test_dashboard_query_count_is_constant_in_the_number_of_townships(county_year, county_officer, client_for,
                                                                     django_assert_num_queries, extra_townships):
    """Targets (spend and contribution) for every township come from one query, not one per township."""
    policy_parameter_create(actor=None, code="fund_spend_ratio_min", area=county_year[COUNTY], year_from=2024, value="90",
                            source_citation="测试", reason="测试")
    policy_parameter_create(actor=None, code="district_fund_ratio_min", area=county_year[COUNTY], year_from=2024,
                            value="40", source_citation="测试", reason="测试")
    _add_townships(extra_townships, county_officer, start=300)
    client = client_for(county_officer)
    url = reverse("funds:dashboard") + f"?area={COUNTY}&year=2024&as_of={AS_OF}"
    client.get(url)  # warm the session
    with django_assert_num_queries(DASHBOARD_QUERIES):
        html = client.get(url).content.decode()
    townships = Area.objects.filter(parent__code=COUNTY).count()
    contribution_rows = lxml.html.fromstring(html).xpath("//section[@id='contribution-targets']//tbody/tr")
    assert len(contribution_rows) == townships + 1
    if extra_townships:
        assert "测试乡4" in html and "80.00 %" in html
