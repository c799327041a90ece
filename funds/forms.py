"""Forms of the fund pages; the services decide."""
from django import forms

from projects.models import FundSource

from .choices import AllocationMethod, DelayCause

DATE = forms.DateInput(attrs={"type": "date"})


class AllocationForm(forms.Form):
    source = forms.ModelChoiceField(label="资金来源", queryset=FundSource.objects.all())
    area = forms.ChoiceField(label="接收区域")
    year = forms.IntegerField(label="资金年度", min_value=2013, max_value=2100)
    amount = forms.DecimalField(label="下达金额（元）", max_digits=14, decimal_places=2, min_value=0.01)
    document_number = forms.CharField(label="下达文号", max_length=100)
    allocated_on = forms.DateField(label="下达日期", widget=DATE)
    method = forms.ChoiceField(label="分配方式", choices=AllocationMethod.choices)
    note = forms.CharField(label="备注", max_length=300, required=False)
    published_on = forms.DateField(label="分配结果公开日期（报账前须公开）", widget=DATE, required=False)
    publication_place = forms.CharField(label="公开方式或地点", max_length=200, required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices


class PublishForm(forms.Form):
    published_on = forms.DateField(label="公开日期", widget=DATE)
    place = forms.CharField(label="公开方式或地点", max_length=200, help_text="如：县人民政府网站、乡镇公开栏")
    # The version the page showed: a save over someone else's change is refused with 409.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class DelayForm(forms.Form):
    cause = forms.ChoiceField(label="延误原因", choices=DelayCause.choices)
    responsible_unit = forms.CharField(label="责任单位（不填：财政部门或项目责任单位）", max_length=100, required=False)
    recorded_on = forms.DateField(label="认定日期", widget=DATE)
    note = forms.CharField(label="情况说明", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class FundingForm(forms.Form):
    project_number = forms.CharField(label="项目编号", max_length=24)
    amount = forms.DecimalField(label="安排金额（元）", max_digits=14, decimal_places=2, min_value=0.01)


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(label="金额（元）", max_digits=14, decimal_places=2, min_value=0.01)
    paid_on = forms.DateField(label="支付日期", widget=DATE)
    voucher_number = forms.CharField(label="凭证号", max_length=60)
    payee = forms.CharField(label="收款单位", max_length=100, required=False)
    note = forms.CharField(label="摘要", max_length=300, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label="Excel 文件（.xlsx）")
