"""The upgrade recomputes 人均纯收入 stored half to even before 四舍五入 (households.money)."""
from decimal import Decimal

import pytest
from django.db import connection

from conftest import VILLAGE_A
from households.models import IncomeRecord
from households.services import income_record_save
from households.tests.factories import member_data, register_household
from villages.models import Area

pytestmark = pytest.mark.django_db


def _household_of_eight(actor):
    return register_household(actor=actor, area=Area.objects.get(code=VILLAGE_A), sequence=300, head_name="杨八",
                              members=[member_data(300, name="杨八")])


def test_the_upgrade_recomputes_figures_stored_half_even(village_cadre_a):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("households.migrations.0005_income_per_capita_half_up")
    household = _household_of_eight(village_cadre_a)
    record = income_record_save(actor=village_cadre_a, household=household, year=2018,
                                data={"wage_income": "1001", "member_count": 8})
    other = income_record_save(actor=village_cadre_a, household=household, year=2017,
                               data={"wage_income": "1000", "member_count": 8})
    IncomeRecord.objects.filter(pk=record.pk).update(per_capita_net_income=Decimal("125.12"))  # as saved before
    with connection.schema_editor() as editor:
        migration.recompute(apps, editor)
    assert IncomeRecord.objects.get(pk=record.pk).per_capita_net_income == Decimal("125.13")
    assert IncomeRecord.objects.get(pk=other.pk).per_capita_net_income == Decimal("125.00")
