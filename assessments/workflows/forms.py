"""Forms of the workflow pages. They only parse input; the services decide."""

from django import forms
from django.utils import timezone

from assessments.workflows.models import ObjectionChannel
from households.choices import MonitoringFlag

DATE = forms.DateInput(attrs={"type": "date"})


class TransitionForm(forms.Form):
    """Common to every step decision: the version the page showed, the step it showed and a note."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    step = forms.CharField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label="意见", widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )


class MeetingForm(TransitionForm):
    """民主评议 record (DOMAIN.md §5.1 step 2)."""

    meeting_date = forms.DateField(label="评议日期", widget=DATE)
    participants = forms.CharField(
        label="参会人员", max_length=500, help_text="村两委、驻村工作队、村民代表等"
    )
    attendance = forms.IntegerField(label="参会人数", min_value=0)
    votes_for = forms.IntegerField(label="赞成票", min_value=0)
    votes_against = forms.IntegerField(label="反对票", min_value=0)
    minutes = forms.CharField(label="会议记录", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)

    def details(self) -> dict:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "meeting_date",
                "participants",
                "attendance",
                "votes_for",
                "votes_against",
                "minutes",
            )
        }


class ReasonForm(TransitionForm):
    note = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class PublicityOpenForm(TransitionForm):
    location = forms.CharField(label="公示地点", max_length=200, initial="村务公开栏")
    start_date = forms.DateField(label="公示开始日期", widget=DATE)


class ObjectionForm(forms.Form):
    channel = forms.ChoiceField(label="渠道", choices=[("", "请选择")] + list(ObjectionChannel.choices))
    complainant = forms.CharField(label="反映人（可不填）", max_length=100, required=False)
    content = forms.CharField(label="异议内容", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ObjectionResolveForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label="处理结果",
        choices=[("0", "异议不成立"), ("1", "异议成立（退回村级重新评议）")],
        coerce=lambda value: value == "1",
    )
    resolution = forms.CharField(label="处理意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class ExplainForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    explanation = forms.CharField(label="核实说明", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class NominationForm(forms.Form):
    year = forms.IntegerField(label="退出年度", min_value=2013)
    note = forms.CharField(
        label="提名理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="将在村内公示中显示，例如“务工收入稳定，两不愁三保障达标”",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"] = forms.IntegerField(
            label="退出年度", min_value=2013, max_value=timezone.localdate().year
        )


class ReturnProposalForm(forms.Form):
    note = forms.CharField(
        label="返贫原因",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="如因病、因灾、因学等，写明事实",
    )


class MonitoringForm(forms.Form):
    flag = forms.ChoiceField(label="监测标识", choices=MonitoringFlag.choices, required=False)
    reason = forms.CharField(label="原因", widget=forms.Textarea(attrs={"rows": 2}), max_length=300)


class AreaApplyForm(forms.Form):
    year = forms.IntegerField(label="退出年度", min_value=2013)
    note = forms.CharField(label="申请说明", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
