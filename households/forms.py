"""Forms of the household pages. They parse and show errors; the services decide."""
from django import forms
from django.utils import timezone

from households.choices import (
    RETIRED_VALUES,
    DisabilityCategory,
    EducationLevel,
    HealthStatus,
    HouseholdCategory,
    HousingGrade,
    LabourCapacity,
    MeasureCategory,
    MeasureStatus,
    MemberStatus,
    MonitoringFlag,
    PovertyCause,
    Relation,
    StudentStatus,
    TekunKind,
    VisitKind,
    WorkPlace,
    grouped_relation_choices,
    offered_choices,
)
from households.idnumber import IdNumberError, validate_id_number

YES_NO_UNKNOWN = [("", "未评估"), ("true", "是"), ("false", "否")]


def _year_choices():
    this_year = timezone.localdate().year
    return [(year, f"{year} 年") for year in range(this_year, 2012, -1)]


def year_field():
    """年度: this year back to 2013, the list made when the form is (choices from a callable)."""
    return forms.TypedChoiceField(label="年度", coerce=int, choices=_year_choices)


def _not_after_today(value, what: str):
    if value > timezone.localdate():
        raise forms.ValidationError(f"{what}不能晚于今天")
    return value


class HouseholdForm(forms.Form):
    area = forms.ChoiceField(label="所在村（组）")
    address = forms.CharField(label="住址", max_length=200, required=False)
    phone = forms.RegexField(label="联系电话", regex=r"^[0-9+\- ]{5,20}$", required=False,
                             error_messages={"invalid": "请输入有效的电话号码"})
    identification_year = forms.TypedChoiceField(label="识别年度", coerce=int, choices=())
    category = forms.ChoiceField(label="贫困户属性", choices=HouseholdCategory.choices)
    primary_cause = forms.ChoiceField(label="主要致贫原因", choices=[("", "请选择")] + PovertyCause.choices)
    other_causes = forms.MultipleChoiceField(label="其他致贫原因", choices=PovertyCause.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    other_cause_note = forms.CharField(label="其他原因说明", max_length=100, required=False)
    monitoring_flag = forms.ChoiceField(label="监测标识", choices=MonitoringFlag.choices, required=False)
    planned_exit_year = forms.TypedChoiceField(label="计划脱贫年度", coerce=int, empty_value=None, required=False, choices=())
    is_relocated = forms.BooleanField(label="易地扶贫搬迁户", required=False)
    is_zhiguo_minzu = forms.BooleanField(label="直过民族户", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "请选择")] + list(area_choices)
        self.fields["identification_year"].choices = [("", "请选择")] + _year_choices()
        this_year = timezone.localdate().year
        self.fields["planned_exit_year"].choices = [("", "未定")] + [(y, f"{y} 年") for y in range(2014, this_year + 3)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("primary_cause") and cleaned.get("primary_cause") in (cleaned.get("other_causes") or []):
            self.add_error("other_causes", "其他致贫原因不能与主要致贫原因重复")
        return cleaned

    def household_data(self):
        data = {name: self.cleaned_data[name] for name in (
            "address", "phone", "identification_year", "category", "primary_cause", "other_causes", "other_cause_note",
            "monitoring_flag", "planned_exit_year", "is_relocated", "is_zhiguo_minzu",
        )}
        data["monitoring_flag"] = data["monitoring_flag"] or ""
        return data


class MemberForm(forms.Form):
    member_id = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=40,
                                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text", "class": "mono"}))
    # GB/T 4761 codes under their groups (户主, 配偶, 子, 女, …).
    relation = forms.ChoiceField(label="与户主关系", choices=[("", "请选择")] + grouped_relation_choices())
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    education_level = forms.ChoiceField(label="文化程度", choices=EducationLevel.choices, required=False)
    student_status = forms.ChoiceField(label="在校生状况", choices=StudentStatus.choices, required=False)
    health_status = forms.ChoiceField(label="健康状况", choices=HealthStatus.choices)
    disability_category = forms.ChoiceField(label="残疾类别", choices=DisabilityCategory.choices, required=False)
    disability_grade = forms.TypedChoiceField(label="残疾等级", coerce=int, empty_value=None, required=False,
                                              choices=[("", "无")] + [(i, f"{i}级") for i in range(1, 5)])
    labour_capacity = forms.ChoiceField(label="劳动能力", choices=offered_choices(LabourCapacity))
    work_place = forms.ChoiceField(label="务工地点", choices=offered_choices(WorkPlace), required=False)
    work_months = forms.IntegerField(label="务工月数", min_value=0, max_value=12, required=False,
                                     error_messages={"max_value": "务工月数应在 0 到 12 之间", "min_value": "务工月数应在 0 到 12 之间"})
    is_dibao = forms.BooleanField(label="享受低保", required=False)
    tekun = forms.ChoiceField(label="特困供养", choices=TekunKind.choices, required=False)
    has_medical_insurance = forms.BooleanField(label="基本医疗保险", required=False)
    has_serious_illness_insurance = forms.BooleanField(label="大病保险", required=False)
    DELETE = forms.BooleanField(label="删除此行", required=False)

    # Fields whose enumeration may have retired values (``RETIRED_VALUES``): not offered, but a member who has
    # one keeps it, shown with its label, until someone chooses a current value (the edit page posts it back).
    RETIRED_FIELDS = {"labour_capacity": LabourCapacity, "work_place": WorkPlace}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, enum in self.RETIRED_FIELDS.items():
            retired = RETIRED_VALUES.get(enum, set())
            kept = [value for value in (self.initial.get(name), self.data.get(self.add_prefix(name)) if self.is_bound
                                        else None) if value in retired]
            if kept:
                field = self.fields[name]
                field.choices = [*field.choices, (str(kept[0]), enum(kept[0]).label)]

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        try:
            return validate_id_number(raw, today=timezone.localdate()).number
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.code) from error

    def member_data(self):
        data = {name: self.cleaned_data.get(name) for name in (
            "name", "id_number", "relation", "ethnicity", "education_level", "student_status", "health_status",
            "disability_category", "disability_grade", "labour_capacity", "work_place", "work_months", "is_dibao", "tekun",
            "has_medical_insurance", "has_serious_illness_insurance",
        )}
        for name in ("ethnicity", "education_level", "student_status", "disability_category", "work_place", "tekun"):
            data[name] = data[name] or ""
        data["work_months"] = data["work_months"] or 0
        return data


class BaseMemberFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        live = [f for f in self.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")]
        if not live:
            raise forms.ValidationError("请至少登记一名成员（户主）")
        heads = [f for f in live if f.cleaned_data.get("relation") == Relation.HEAD]
        if len(heads) != 1:
            raise forms.ValidationError("每户必须有且只有一名户主")
        seen = {}
        for index, form in enumerate(live):
            number = form.cleaned_data.get("id_number")
            if number in seen:
                form.add_error("id_number", f"与第 {seen[number] + 1} 名成员的身份证号重复")
            seen.setdefault(number, index)


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=0, min_num=1, validate_min=True,
                                      can_delete=False)


class MemberRemoveForm(forms.Form):
    """成员自然减少 (死亡、婚出、迁出 …): the reason and the date the person left."""

    status = forms.ChoiceField(label="减少原因", choices=[("", "请选择")] + [c for c in MemberStatus.choices if c[0] != "active"])
    left_date = forms.DateField(label="减少日期", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label="说明", max_length=200, required=False)


def _nullable_bool(label):
    return forms.TypedChoiceField(label=label, choices=YES_NO_UNKNOWN, required=False,
                                  coerce=lambda v: {"true": True, "false": False}.get(v), empty_value=None)


class IncomeForm(forms.Form):
    year = year_field()
    wage_income = forms.DecimalField(label="工资性收入（元）", min_value=0, decimal_places=2, initial=0)
    production_income = forms.DecimalField(label="生产经营性收入（元）", min_value=0, decimal_places=2, initial=0)
    production_expense = forms.DecimalField(label="生产经营性支出（元）", min_value=0, decimal_places=2, initial=0)
    property_income = forms.DecimalField(label="财产性收入（元）", min_value=0, decimal_places=2, initial=0)
    transfer_income = forms.DecimalField(label="转移性收入（元）", min_value=0, decimal_places=2, initial=0)
    dibao_income = forms.DecimalField(label="其中：低保金（元）", min_value=0, decimal_places=2, initial=0)
    pension_income = forms.DecimalField(label="其中：养老金（元）", min_value=0, decimal_places=2, initial=0)
    eco_compensation_income = forms.DecimalField(label="其中：生态补偿金（元）", min_value=0, decimal_places=2, initial=0)

    def clean(self):
        cleaned = super().clean()
        parts = sum((cleaned.get(n) or 0) for n in ("dibao_income", "pension_income", "eco_compensation_income"))
        if cleaned.get("transfer_income") is not None and parts > cleaned["transfer_income"]:
            self.add_error("transfer_income", "转移性收入不能小于其中各项之和")
        return cleaned


class LivingConditionsForm(forms.Form):
    year = year_field()
    assessed_on = forms.DateField(label="评估日期", widget=forms.DateInput(attrs={"type": "date"}))
    food_secure = _nullable_bool("不愁吃")
    clothing_secure = _nullable_bool("不愁穿")
    compulsory_education_secure = _nullable_bool("义务教育有保障")
    education_note = forms.CharField(label="义务教育说明", max_length=200, required=False)
    all_members_insured = _nullable_bool("全员参加基本医疗保险")
    serious_illness_covered = _nullable_bool("大病保险覆盖")
    housing_grade = forms.ChoiceField(label="住房鉴定等级", choices=HousingGrade.choices, required=False)
    housing_area_m2 = forms.DecimalField(label="住房面积（平方米）", min_value=0, decimal_places=1, required=False)
    retrofit_completed = forms.BooleanField(label="危房改造或搬迁已完成", required=False)
    water_safe = _nullable_bool("饮水安全")
    water_difficult = _nullable_bool("饮水困难")
    note = forms.CharField(label="备注", max_length=300, required=False)

    def clean_assessed_on(self):
        return _not_after_today(self.cleaned_data["assessed_on"], "评估日期")


class HelpMeasureForm(forms.Form):
    category = forms.ChoiceField(label="措施类别", choices=[("", "请选择")] + MeasureCategory.choices)
    measure = forms.CharField(label="具体措施", max_length=200)
    year = year_field()
    amount = forms.DecimalField(label="金额（元）", min_value=0, decimal_places=2, initial=0)
    fund_source = forms.CharField(label="资金来源", max_length=100, required=False)
    responsible_unit = forms.CharField(label="责任单位", max_length=100, required=False)
    status = forms.ChoiceField(label="状态", choices=MeasureStatus.choices, initial=MeasureStatus.IN_EFFECT)


class HelperForm(forms.Form):
    name = forms.CharField(label="帮扶责任人姓名", max_length=50)
    unit = forms.CharField(label="工作单位", max_length=100)
    position = forms.CharField(label="职务", max_length=50, required=False)
    phone = forms.CharField(label="联系电话", max_length=20, required=False)
    start_date = forms.DateField(label="结对日期", widget=forms.DateInput(attrs={"type": "date"}))


class VisitForm(forms.Form):
    visited_on = forms.DateField(label="走访日期", widget=forms.DateInput(attrs={"type": "date"}))
    visitor_name = forms.CharField(label="走访人", max_length=50)
    kind = forms.ChoiceField(label="方式", choices=VisitKind.choices)
    content = forms.CharField(label="走访内容", widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label="发现的问题", widget=forms.Textarea(attrs={"rows": 2}), required=False)
    photo = forms.ImageField(label="照片（可选）", required=False)

    def clean_visited_on(self):
        return _not_after_today(self.cleaned_data["visited_on"], "走访日期")


class StatusChangeForm(forms.Form):
    to_status = forms.ChoiceField(label="新状态", choices=())
    reason = forms.CharField(label="原因", max_length=300)
    effective_date = forms.DateField(label="生效日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [("", "请选择")] + list(choices)
