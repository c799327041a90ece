"""Deterministic demo households for the demo county, built through the services and marked as demo.

Every village gets a few households; the two demo villages (太和, 勐炳) get more, spread over their
村民小组, with income, 两不愁三保障, help measures, helpers and visits. Names and ID numbers come from
fixed sequences (no randomness), so every installation shows the same records.
"""
import datetime
from decimal import Decimal

from django.db import transaction

from households.choices import HouseholdStatus, PovertyCause, Relation, WorkPlace
from households.idnumber import id_check_digit
from households.models import Household
from households.services import (
    help_measure_add,
    helper_assign,
    helper_create,
    household_register,
    household_set_status,
    income_record_save,
    living_conditions_record,
    visit_record,
)
from households.services.medical import hospital_expense_save
from villages.choices import AreaLevel
from villages.demo import VILLAGE_A_CODE, VILLAGE_B_CODE
from villages.models import Area

SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗普白施鲁方刀"
GIVEN = ["国华", "建明", "秀英", "玉兰", "德寿", "正发", "金凤", "志强", "有福", "春梅", "文光", "桂芳", "永平", "丽萍", "家顺", "海燕"]
CAUSES = [PovertyCause.ILLNESS, PovertyCause.LACK_FUNDS, PovertyCause.LACK_SKILLS, PovertyCause.DISABILITY,
          PovertyCause.EDUCATION, PovertyCause.LACK_LABOUR, PovertyCause.POOR_TRANSPORT, PovertyCause.DISASTER]


def _name(index: int) -> str:
    return SURNAMES[index % len(SURNAMES)] + GIVEN[(index * 7) % len(GIVEN)]


def _id_number(region: str, birth: datetime.date, order: int, male: bool) -> str:
    sequence = (order * 2 + (1 if male else 0)) % 1000
    body = f"{region}{birth:%Y%m%d}{sequence:03d}"
    return body + id_check_digit(body)


def _members(index: int) -> list[dict]:
    region = "530427"
    head_birth = datetime.date(1958 + index % 25, 1 + index % 12, 1 + index % 27)
    members = [{
        "name": _name(index), "id_number": _id_number(region, head_birth, index, True), "relation": Relation.HEAD,
        "health_status": "chronic" if index % 5 == 0 else "healthy", "labour_capacity": "full" if index % 6 else "partial",
        "ethnicity": "彝族" if index % 3 == 0 else ("傣族" if index % 3 == 1 else "汉族"), "education_level": "primary",
        "has_medical_insurance": True, "has_serious_illness_insurance": True, "work_place": WorkPlace.IN_TOWNSHIP if index % 4 == 1 else WorkPlace.OUT_TOWNSHIP if index % 4 == 3 else "",
        "work_months": 6 if index % 2 else 0,
    }]
    spouse_birth = head_birth.replace(year=head_birth.year + 2)
    members.append({
        "name": _name(index + 101)[0] + GIVEN[(index * 3 + 2) % len(GIVEN)], "id_number": _id_number(region, spouse_birth, index, False),
        "relation": Relation.WIFE, "health_status": "disabled" if index % 4 == 3 else "healthy",
        "disability_category": "physical" if index % 4 == 3 else "", "disability_grade": 3 if index % 4 == 3 else None,
        "labour_capacity": "partial", "has_medical_insurance": True, "has_serious_illness_insurance": True,
        "ethnicity": members[0]["ethnicity"], "education_level": "illiterate",
    })
    if index % 3 != 2:
        child_birth = datetime.date(2005 + index % 10, 1 + (index * 5) % 12, 1 + (index * 3) % 27)
        members.append({
            "name": members[0]["name"][0] + GIVEN[(index * 5 + 1) % len(GIVEN)], "id_number": _id_number(region, child_birth, index + 500, index % 2 == 0),
            "relation": Relation.SON if index % 2 == 0 else Relation.DAUGHTER, "student_status": "junior" if child_birth.year >= 2006 else "senior",
            "labour_capacity": "none", "health_status": "healthy", "has_medical_insurance": True,
            "has_serious_illness_insurance": True, "ethnicity": members[0]["ethnicity"],
        })
    return members


def _plan():
    """(area, index, richness): households per village; the two demo villages get 12 each over their groups."""
    plan = []
    index = 0
    villages = list(Area.objects.filter(code__startswith="530427", level=AreaLevel.VILLAGE).order_by("code"))
    for village in villages:
        if village.code in (VILLAGE_A_CODE, VILLAGE_B_CODE):
            groups = list(Area.objects.filter(parent=village, level=AreaLevel.GROUP).order_by("code"))
            for n in range(12):
                plan.append((groups[n % len(groups)] if groups else village, index, True))
                index += 1
        else:
            for _ in range(2):
                plan.append((village, index, False))
                index += 1
    return plan


@transaction.atomic
def load_demo_households() -> int:
    if Household.objects.filter(is_demo=True).exists():
        return 0
    created = 0
    for area, index, rich in _plan():
        other = CAUSES[(index + 3) % len(CAUSES)]
        primary = CAUSES[index % len(CAUSES)]
        household = household_register(
            actor=None, area=area, members=_members(index), is_demo=True,
            registered_on=datetime.date(2014 + index % 4, 6, 1),
            data={
                "identification_year": 2014 + index % 4, "category": "dibao" if index % 7 == 0 else "general",
                "primary_cause": primary, "other_causes": [other] if other != primary else [],
                "address": f"{area.name}{index % 40 + 1}号", "phone": f"1390877{index:04d}",
                "planned_exit_year": 2017 + index % 3,
            },
        )
        created += 1
        if index % 7 == 0:
            # 低保贫困户: the head receives 低保 (DOMAIN.md §3.12 consistency).
            household.members.filter(relation=Relation.HEAD).update(is_dibao=True)
        income_record_save(actor=None, household=household, year=2017, data={
            "wage_income": Decimal(4000 + (index * 37) % 3000), "production_income": Decimal(2500 + (index * 53) % 2000),
            "production_expense": Decimal(800), "transfer_income": Decimal(600 + (index * 11) % 900),
        })
        income_record_save(actor=None, household=household, year=2018, data={
            "wage_income": Decimal(6000 + (index * 41) % 4000), "production_income": Decimal(3500 + (index * 29) % 2500),
            "production_expense": Decimal(900), "transfer_income": Decimal(900 + (index * 13) % 900),
        })
        living_conditions_record(actor=None, household=household, year=2018, assessed_on=datetime.date(2018, 10, 15), data={
            "food_secure": True, "clothing_secure": True, "compulsory_education_secure": index % 23 != 0,
            "all_members_insured": True, "serious_illness_covered": True,
            "housing_grade": "C" if index % 11 == 0 else ("B" if index % 2 else "A"), "retrofit_completed": index % 22 == 0,
            "water_safe": index % 17 != 0, "water_difficult": False,
        })
        # 住院费用 2018 (P-HE-01): most heads were not in hospital; every sixth had a stay, one in thirty of them
        # paid more than the 10% self-pay cap.
        head = household.members.get(relation=Relation.HEAD)
        stay = {"admissions": 1, "total_cost": "8000.00", "basic_insurance_paid": "5600.00",
                "serious_illness_paid": "800.00", "medical_assistance_paid": "900.00" if index % 30 else "0.00"}
        hospital_expense_save(actor=None, household=household, member=head, year=2018,
                              data=stay if index % 6 == 0 else {"admissions": 0})
        helper = helper_create(actor=None, area=household.village, name=_name(index + 300), unit="新平县" + ["农业农村局", "教育局", "卫生健康局", "交通运输局"][index % 4])
        helper_assign(actor=None, household=household, helper=helper, start_date=datetime.date(2016, 3, 1))
        help_measure_add(actor=None, household=household, data={
            "category": ["industry", "employment", "health", "education", "housing"][index % 5],
            "measure": ["发展特色种植（柑橘）", "转移就业（公益性岗位）", "大病保险与医疗救助", "雨露计划职业教育补助", "危房改造补助"][index % 5],
            "year": 2018, "amount": Decimal([3000, 6000, 2000, 3000, 15000][index % 5]), "fund_source": "中央财政专项扶贫资金",
        })
        household_set_status(actor=None, household=household, to_status=HouseholdStatus.HELPED, reason="帮扶责任人与措施到位",
                             effective_date=datetime.date(2016, 3, 1))
        if rich:
            visit_record(actor=None, household=household, data={
                "visited_on": datetime.date(2018, 11, 5 + index % 20), "visitor_name": helper.name, "helper": helper,
                "content": "核实家庭收入与两不愁三保障情况，宣讲扶贫政策", "kind": "home",
            })
        if index % 4 == 1:
            household_set_status(actor=None, household=household, to_status=HouseholdStatus.EXIT_PENDING, reason="村民小组提名",
                                 effective_date=datetime.date(2017, 10, 20), workflow="demo_history")
            household_set_status(actor=None, household=household, to_status=HouseholdStatus.EXITED, reason="县级审定并公告退出",
                                 effective_date=datetime.date(2017, 12, 28), workflow="demo_history")
    return created
