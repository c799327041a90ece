"""django-import-export resources of the household export: the columns of the import template, in order,
with Chinese headers, enumerations written as their labels, and ID numbers and phones masked by default
(``idnumber.mask_id_number``: first 6 and last 4 characters; ``personal_data.mask_phone``).

Both resources expect the queryset to carry ``head_id_number`` (the registered head's ID number),
annotated by ``households.imports.export``.
"""
from import_export import resources
from import_export.fields import Field

from households.idnumber import mask_id_number
from households.models import HelpMeasure, Household, IncomeRecord, Member
from povalleviation.personal_data import mask_phone

from .columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_SHEET,
    INCOME_COLUMNS,
    INCOME_SHEET,
    MEASURE_COLUMNS,
    MEASURE_SHEET,
    MEMBER_SHEET,
    NO,
    YES,
    Kind,
    column_by_key,
)


def _labelled(sheet: str, key: str):
    column = column_by_key(sheet, key)
    if column.kind == Kind.YES_NO:
        return lambda instance: YES if getattr(instance, key) else NO
    return lambda instance: column.label_for(getattr(instance, key))


def _plain(sheet: str, key: str, attribute: str | None = None):
    """The raw value (numbers stay numbers in the workbook; None becomes an empty cell)."""
    path = (attribute or key).split("__")

    def value(instance):
        for name in path:
            instance = getattr(instance, name, None)  # an annotation the queryset does not carry is blank
            if instance is None:
                return ""
        return instance

    return value


def _field(sheet: str, key: str, dehydrate) -> Field:
    return Field(attribute=key, column_name=column_by_key(sheet, key).header, dehydrate_method=dehydrate, readonly=True)


class _MaskingResource(resources.ModelResource):
    def __init__(self, *, mask_id_numbers: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.mask_id_numbers = mask_id_numbers

    def id_text(self, number) -> str:
        if not number:
            return ""
        return mask_id_number(number) if self.mask_id_numbers else number


class HouseholdResource(_MaskingResource):
    """户信息: one row per household, the template's columns."""

    household_number = _field(HOUSEHOLD_SHEET, "household_number", _plain(HOUSEHOLD_SHEET, "household_number"))
    area_code = _field(HOUSEHOLD_SHEET, "area_code", _plain(HOUSEHOLD_SHEET, "area_code"))
    head_name = _field(HOUSEHOLD_SHEET, "head_name", _plain(HOUSEHOLD_SHEET, "head_name"))
    head_id_number = _field(HOUSEHOLD_SHEET, "head_id_number", "dehydrate_head_id_number")
    address = _field(HOUSEHOLD_SHEET, "address", _plain(HOUSEHOLD_SHEET, "address"))
    phone = _field(HOUSEHOLD_SHEET, "phone", "dehydrate_phone")
    identification_year = _field(HOUSEHOLD_SHEET, "identification_year", _plain(HOUSEHOLD_SHEET, "identification_year"))
    category = _field(HOUSEHOLD_SHEET, "category", _labelled(HOUSEHOLD_SHEET, "category"))
    primary_cause = _field(HOUSEHOLD_SHEET, "primary_cause", _labelled(HOUSEHOLD_SHEET, "primary_cause"))
    other_causes = _field(HOUSEHOLD_SHEET, "other_causes", "dehydrate_other_causes")
    planned_exit_year = _field(HOUSEHOLD_SHEET, "planned_exit_year", _plain(HOUSEHOLD_SHEET, "planned_exit_year"))
    is_relocated = _field(HOUSEHOLD_SHEET, "is_relocated", _labelled(HOUSEHOLD_SHEET, "is_relocated"))
    is_zhiguo_minzu = _field(HOUSEHOLD_SHEET, "is_zhiguo_minzu", _labelled(HOUSEHOLD_SHEET, "is_zhiguo_minzu"))
    status = _field(HOUSEHOLD_SHEET, "status", _labelled(HOUSEHOLD_SHEET, "status"))
    exit_year = _field(HOUSEHOLD_SHEET, "exit_year", _plain(HOUSEHOLD_SHEET, "exit_year", "exit_date__year"))
    return_year = _field(HOUSEHOLD_SHEET, "return_year", _plain(HOUSEHOLD_SHEET, "return_year", "return_year"))
    monitoring_flag = _field(HOUSEHOLD_SHEET, "monitoring_flag", _labelled(HOUSEHOLD_SHEET, "monitoring_flag"))
    helper_name = _field(HOUSEHOLD_SHEET, "helper_name", _plain(HOUSEHOLD_SHEET, "helper_name"))
    helper_unit = _field(HOUSEHOLD_SHEET, "helper_unit", _plain(HOUSEHOLD_SHEET, "helper_unit"))
    helper_phone = _field(HOUSEHOLD_SHEET, "helper_phone", _plain(HOUSEHOLD_SHEET, "helper_phone"))
    # Incomes go on the 收入信息 sheet (every year); the one-year columns of 户信息 stay blank.
    income_year = _field(HOUSEHOLD_SHEET, "income_year", lambda household: "")
    wage_income = _field(HOUSEHOLD_SHEET, "wage_income", lambda household: "")
    production_income = _field(HOUSEHOLD_SHEET, "production_income", lambda household: "")
    production_expense = _field(HOUSEHOLD_SHEET, "production_expense", lambda household: "")
    property_income = _field(HOUSEHOLD_SHEET, "property_income", lambda household: "")
    transfer_income = _field(HOUSEHOLD_SHEET, "transfer_income", lambda household: "")
    stated_per_capita = _field(HOUSEHOLD_SHEET, "stated_per_capita", lambda household: "")

    class Meta:
        model = Household
        fields = tuple(column.key for column in HOUSEHOLD_COLUMNS)
        export_order = fields

    def dehydrate_head_id_number(self, household) -> str:
        return self.id_text(getattr(household, "head_id_number", ""))

    def dehydrate_phone(self, household) -> str:
        return mask_phone(household.phone) if self.mask_id_numbers else household.phone

    def dehydrate_other_causes(self, household) -> str:
        return "、".join(household.other_cause_labels())


class MemberResource(_MaskingResource):
    """成员信息: one row per registered member, linked to its household by 户编号 and 户主身份证号."""

    household_number = _field(MEMBER_SHEET, "household_number", _plain(MEMBER_SHEET, "household_number", "household__household_number"))
    head_id_number = _field(MEMBER_SHEET, "head_id_number", "dehydrate_head_id_number")
    name = _field(MEMBER_SHEET, "name", _plain(MEMBER_SHEET, "name"))
    id_number = _field(MEMBER_SHEET, "id_number", "dehydrate_id_number")
    relation = _field(MEMBER_SHEET, "relation", _labelled(MEMBER_SHEET, "relation"))
    ethnicity = _field(MEMBER_SHEET, "ethnicity", _plain(MEMBER_SHEET, "ethnicity"))
    education_level = _field(MEMBER_SHEET, "education_level", _labelled(MEMBER_SHEET, "education_level"))
    student_status = _field(MEMBER_SHEET, "student_status", _labelled(MEMBER_SHEET, "student_status"))
    health_status = _field(MEMBER_SHEET, "health_status", _labelled(MEMBER_SHEET, "health_status"))
    labour_capacity = _field(MEMBER_SHEET, "labour_capacity", _labelled(MEMBER_SHEET, "labour_capacity"))
    work_place = _field(MEMBER_SHEET, "work_place", _labelled(MEMBER_SHEET, "work_place"))
    work_months = _field(MEMBER_SHEET, "work_months", _plain(MEMBER_SHEET, "work_months"))
    is_dibao = _field(MEMBER_SHEET, "is_dibao", _labelled(MEMBER_SHEET, "is_dibao"))
    tekun = _field(MEMBER_SHEET, "tekun", _labelled(MEMBER_SHEET, "tekun"))
    has_medical_insurance = _field(MEMBER_SHEET, "has_medical_insurance", _labelled(MEMBER_SHEET, "has_medical_insurance"))
    has_serious_illness_insurance = _field(MEMBER_SHEET, "has_serious_illness_insurance", _labelled(MEMBER_SHEET, "has_serious_illness_insurance"))

    class Meta:
        model = Member
        fields = (
            "household_number", "head_id_number", "name", "id_number", "relation", "ethnicity", "education_level",
            "student_status", "health_status", "labour_capacity", "work_place", "work_months", "is_dibao", "tekun",
            "has_medical_insurance", "has_serious_illness_insurance",
        )
        export_order = fields

    def dehydrate_head_id_number(self, member) -> str:
        return self.id_text(getattr(member, "head_id_number", ""))

    def dehydrate_id_number(self, member) -> str:
        return self.id_text(member.id_number)


class _LinkedResource(_MaskingResource):
    """Rows of a household's yearly records, linked to the household by 户编号 and 户主身份证号."""

    def dehydrate_head_id_number(self, record) -> str:
        return self.id_text(getattr(record, "head_id_number", ""))


class IncomeResource(_LinkedResource):
    """收入信息: one row per household and year (households.IncomeRecord)."""

    household_number = _field(INCOME_SHEET, "household_number", _plain(INCOME_SHEET, "household_number", "household__household_number"))
    head_id_number = _field(INCOME_SHEET, "head_id_number", "dehydrate_head_id_number")
    year = _field(INCOME_SHEET, "year", _plain(INCOME_SHEET, "year"))
    wage_income = _field(INCOME_SHEET, "wage_income", _plain(INCOME_SHEET, "wage_income"))
    production_income = _field(INCOME_SHEET, "production_income", _plain(INCOME_SHEET, "production_income"))
    production_expense = _field(INCOME_SHEET, "production_expense", _plain(INCOME_SHEET, "production_expense"))
    property_income = _field(INCOME_SHEET, "property_income", _plain(INCOME_SHEET, "property_income"))
    transfer_income = _field(INCOME_SHEET, "transfer_income", _plain(INCOME_SHEET, "transfer_income"))
    member_count = _field(INCOME_SHEET, "member_count", _plain(INCOME_SHEET, "member_count"))
    stated_per_capita = _field(INCOME_SHEET, "stated_per_capita", _plain(INCOME_SHEET, "stated_per_capita", "per_capita_net_income"))

    class Meta:
        model = IncomeRecord
        fields = tuple(column.key for column in INCOME_COLUMNS)
        export_order = fields


class MeasureResource(_LinkedResource):
    """帮扶措施: one row per help measure (households.HelpMeasure)."""

    household_number = _field(MEASURE_SHEET, "household_number", _plain(MEASURE_SHEET, "household_number", "household__household_number"))
    head_id_number = _field(MEASURE_SHEET, "head_id_number", "dehydrate_head_id_number")
    year = _field(MEASURE_SHEET, "year", _plain(MEASURE_SHEET, "year"))
    category = _field(MEASURE_SHEET, "category", _labelled(MEASURE_SHEET, "category"))
    measure = _field(MEASURE_SHEET, "measure", _plain(MEASURE_SHEET, "measure"))
    amount = _field(MEASURE_SHEET, "amount", _plain(MEASURE_SHEET, "amount"))
    fund_source = _field(MEASURE_SHEET, "fund_source", _plain(MEASURE_SHEET, "fund_source"))
    responsible_unit = _field(MEASURE_SHEET, "responsible_unit", _plain(MEASURE_SHEET, "responsible_unit"))
    status = _field(MEASURE_SHEET, "status", _labelled(MEASURE_SHEET, "status"))

    class Meta:
        model = HelpMeasure
        fields = tuple(column.key for column in MEASURE_COLUMNS)
        export_order = fields

