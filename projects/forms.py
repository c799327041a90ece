"""Forms of the 项目库 pages; they collect input, the services decide."""
from django import forms

from .choices import BenefitMechanism, ObjectionChannel, ProjectCategory, PublicityKind
from .models import FundSource

DATE = forms.DateInput(attrs={"type": "date"})


class ProjectForm(forms.Form):
    area = forms.ChoiceField(label="实施地点（县、乡镇或行政村）")
    # The version the page showed (editing): a save over someone else's is refused with 409.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    name = forms.CharField(label="项目名称", max_length=200)
    category = forms.ChoiceField(label="项目类别", choices=ProjectCategory.choices)
    year = forms.IntegerField(label="计划年度", min_value=2013, max_value=2100)
    responsible_unit = forms.CharField(label="责任单位", max_length=100)
    description = forms.CharField(label="建设内容", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    planned_start = forms.DateField(label="计划开工日期", widget=DATE)
    planned_finish = forms.DateField(label="计划完工日期", widget=DATE)
    expected_households = forms.IntegerField(label="预计受益户数", min_value=0)
    expected_persons = forms.IntegerField(label="预计受益人数", min_value=0)
    benefit_mechanism = forms.ChoiceField(label="带贫机制", choices=BenefitMechanism.choices)
    benefit_note = forms.CharField(label="带贫机制说明", max_length=300, required=False)
    household_numbers = forms.CharField(label="受益建档立卡户（户编号，每行一个）", required=False,
                                        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices
        self.sources = list(FundSource.objects.all())
        for source in self.sources:
            self.fields[f"budget_{source.code}"] = forms.DecimalField(
                label=f"预算：{source.name}（元）", max_digits=14, decimal_places=2, min_value=0, required=False)

    def budget_fields(self):
        return [self[f"budget_{s.code}"] for s in self.sources]

    def budget(self):
        return [{"source": s, "amount": self.cleaned_data[f"budget_{s.code}"]} for s in self.sources
                if self.cleaned_data.get(f"budget_{s.code}")]

    def household_number_list(self):
        return [n.strip() for n in self.cleaned_data.get("household_numbers", "").replace("，", ",").replace(",", "\n").split()
                if n.strip()]


class PublicityForm(forms.Form):
    kind = forms.ChoiceField(label="公示类型", choices=PublicityKind.choices)
    published_on = forms.DateField(label="发布日期", widget=DATE)
    ends_on = forms.DateField(label="公示截止日期（不填为 7 天）", widget=DATE, required=False)
    location = forms.CharField(label="公示地点", max_length=200)


class ObjectionForm(forms.Form):
    channel = forms.ChoiceField(label="渠道", choices=ObjectionChannel.choices)
    received_on = forms.DateField(label="收到日期", widget=DATE)
    complainant = forms.CharField(label="异议人（可不填）", max_length=100, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 2}))
