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
    COLUMNS_BY_SHEET,
    HOUSEHOLD_SHEET,
    INCOME_AMOUNT_KEYS,
    INCOME_SHEET,
    MEASURE_SHEET,
    MEMBER_SHEET,
    NO,
    YES,
    Column,
    Kind,
    column_by_key,
)


def _labelled(sheet: str, key: str):
    column = column_by_key(sheet, key)
    if column.kind == Kind.YES_NO:
        return lambda instance: YES if getattr(instance, key) else NO
    return lambda instance: column.label_for(getattr(instance, key))


def _plain(key: str, attribute: str | None = None):
    """The raw value (numbers stay numbers in the workbook; None becomes an empty cell)."""
    path = (attribute or key).split("__")

    def value(instance):
        for name in path:
            instance = getattr(instance, name, None)  # an annotation the queryset does not carry is blank
            if instance is None:
                return ""
        return instance

    return value


def _blank(instance) -> str:
    return ""


def _dehydrate(base, sheet: str, column: Column, attributes: dict, blank: tuple):
    """How a column is written: the resource's own ``dehydrate_<key>``, a blank cell, the label of an
    enumeration, or the raw value (of ``attributes[key]`` when the model names it otherwise)."""
    method = f"dehydrate_{column.key}"
    if hasattr(base, method):
        return method
    if column.key in blank:
        return _blank
    if column.kind in (Kind.CHOICE, Kind.YES_NO):
        return _labelled(sheet, column.key)
    return _plain(column.key, attributes.get(column.key))


def _sheet_resource(name: str, base, sheet: str, model, *, attributes: dict | None = None, blank: tuple = ()):
    """The resource of one sheet: a read-only field per template column, with its header, in the template's order."""
    fields = {
        column.key: Field(attribute=column.key, column_name=column.header, readonly=True,
                          dehydrate_method=_dehydrate(base, sheet, column, attributes or {}, blank))
        for column in COLUMNS_BY_SHEET[sheet]
    }
    meta = type("Meta", (), {"model": model, "fields": tuple(fields), "export_order": tuple(fields)})
    return type(base)(name, (base,), {"__module__": __name__, "__qualname__": name, "__doc__": base.__doc__,
                                      "Meta": meta, **fields})


class _MaskingResource(resources.ModelResource):
    def __init__(self, *, mask_id_numbers: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.mask_id_numbers = mask_id_numbers

    def id_text(self, number) -> str:
        if not number:
            return ""
        return mask_id_number(number) if self.mask_id_numbers else number

    def dehydrate_head_id_number(self, row) -> str:
        return self.id_text(getattr(row, "head_id_number", ""))


class _HouseholdRows(_MaskingResource):
    """户信息: one row per household, the template's columns."""

    def dehydrate_phone(self, household) -> str:
        return mask_phone(household.phone) if self.mask_id_numbers else household.phone

    def dehydrate_other_causes(self, household) -> str:
        return "、".join(household.other_cause_labels())


class _MemberRows(_MaskingResource):
    """成员信息: one row per registered member, linked to its household by 户编号 and 户主身份证号."""

    def dehydrate_id_number(self, member) -> str:
        return self.id_text(member.id_number)


class _IncomeRows(_MaskingResource):
    """收入信息: one row per household and year (households.IncomeRecord), linked by 户编号 and 户主身份证号."""


class _MeasureRows(_MaskingResource):
    """帮扶措施: one row per help measure (households.HelpMeasure), linked by 户编号 and 户主身份证号."""


# Rows of the other sheets reach the household's number through their household.
_LINKED = {"household_number": "household__household_number"}

# Incomes go on the 收入信息 sheet (every year); the one-year columns of 户信息 stay blank.
HouseholdResource = _sheet_resource(
    "HouseholdResource", _HouseholdRows, HOUSEHOLD_SHEET, Household, attributes={"exit_year": "exit_date__year"},
    blank=("income_year", *INCOME_AMOUNT_KEYS, "stated_per_capita"),
)
MemberResource = _sheet_resource("MemberResource", _MemberRows, MEMBER_SHEET, Member, attributes=_LINKED)
IncomeResource = _sheet_resource("IncomeResource", _IncomeRows, INCOME_SHEET, IncomeRecord,
                                 attributes={**_LINKED, "stated_per_capita": "per_capita_net_income"})
MeasureResource = _sheet_resource("MeasureResource", _MeasureRows, MEASURE_SHEET, HelpMeasure, attributes=_LINKED)
