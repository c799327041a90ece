"""The form of the policy pages: set or revise a parameter (always with a reason)."""
from django import forms

from assessments.policy.models import Comparator, ParameterCode


class ParameterForm(forms.Form):
    code = forms.ChoiceField(label="参数", choices=ParameterCode.choices)
    year_from = forms.IntegerField(label="起始年度", min_value=2000, max_value=2100)
    year_to = forms.IntegerField(label="截止年度（留空表示长期有效）", min_value=2000, max_value=2100, required=False)
    value = forms.DecimalField(label="数值", max_digits=16, decimal_places=4, required=False,
                               widget=forms.TextInput(attrs={"inputmode": "decimal"}))
    unit = forms.CharField(label="单位", max_length=40, required=False)
    comparator = forms.ChoiceField(label="比较方式", choices=Comparator.choices, required=False)
    price_base_year = forms.IntegerField(label="价格基年（不变价时填写）", min_value=2000, max_value=2100, required=False)
    policy_ref = forms.CharField(label="政策条目编号（如 P-VL-01）", max_length=20, required=False)
    source_citation = forms.CharField(label="来源文件与条款", max_length=300,
                                      help_text="如 002_3c24fdc0372bba72.txt §一(二)；非政策文件来源请写明依据")
    is_from_seeds = forms.BooleanField(label="数值来自政策文件（否则显示“待确认”标记）", required=False)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="设置或修改原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    # The version the page showed (edit only): a save over someone else's revision is refused with 409.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, fixed_code: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_code:
            del self.fields["code"]
        else:
            del self.fields["version"]
