"""Forms of the oversight pages; they collect input, the services decide. Service refusals are put back on the
form field they name (``apply_errors``), so the user keeps what he typed and sees why."""
from django import forms
from django.conf import settings
from django.utils import timezone

from .choices import ComplaintChannel, EscalationKind, SourceKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def apply_errors(form, error):
    """Attach an ``ApplicationError`` to the fields it names; the rest becomes a form-level error."""
    placed = False
    for name, message in error.field_errors.items():
        if name in form.fields:
            form.add_error(name, message)
            placed = True
    if not placed:
        form.add_error(None, error.message)


class InspectionForm(forms.Form):
    title = forms.CharField(label="检查名称", max_length=200)
    source_kind = forms.ChoiceField(label="问题来源", choices=SourceKind.choices)
    document_number = forms.CharField(label="反馈文号", max_length=100, required=False)
    issuer_area = forms.ChoiceField(label="组织单位所在区域")
    issuer_unit = forms.CharField(label="组织单位", max_length=100)
    area = forms.ChoiceField(label="被检查区域")
    started_on = forms.DateField(label="检查开始日期", widget=DATE)
    ended_on = forms.DateField(label="检查结束日期", widget=DATE)
    feedback_on = forms.DateField(label="反馈日期", widget=DATE)
    default_deadline = forms.DateField(label="默认整改时限（不填为反馈后 90 天）", widget=DATE, required=False)
    qualitative_summary = forms.CharField(label="督查报告：定性分析", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    quantitative_summary = forms.CharField(label="督查报告：定量分析", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, issuer_choices=(), area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_area"].choices = issuer_choices
        self.fields["area"].choices = area_choices

    def clean(self):
        data = super().clean()
        if data.get("started_on") and data.get("ended_on") and data["ended_on"] < data["started_on"]:
            self.add_error("ended_on", "检查结束日期不能早于开始日期")
        return data


class ItemRowForm(forms.Form):
    """One 具体问题 row: its 大类 and 条 (rows with the same 大类 and 条 form one finding)."""

    category = forms.CharField(label="问题大类", max_length=60)
    finding = forms.CharField(label="问题条目（条）", max_length=500)
    problem = forms.CharField(label="具体问题", widget=forms.Textarea(attrs={"rows": 2}))
    area = forms.ChoiceField(label="责任区域")
    responsible_unit = forms.CharField(label="整改责任单位", max_length=100)
    responsible_person = forms.CharField(label="责任人", max_length=50)
    deadline = forms.DateField(label="整改时限（不填用默认）", widget=DATE, required=False)
    measures = forms.CharField(label="整改重点与措施", widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—")] + list(area_choices)


class BaseItemFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if not any(form.has_changed() and not form.errors for form in self.forms):
            raise forms.ValidationError("请至少填写一个具体问题。")


ItemFormSet = forms.formset_factory(ItemRowForm, formset=BaseItemFormSet, extra=3, max_num=200)


def item_formset_class(rows) -> type:
    """The item formset with ``rows`` blank rows (``?rows=`` on the page, 1–50; default 3)."""
    extra = int(rows) if str(rows).isdigit() and 1 <= int(rows) <= 50 else 3
    return forms.formset_factory(ItemRowForm, formset=BaseItemFormSet, extra=extra, max_num=200)


class ProgressForm(forms.Form):
    text = forms.CharField(label="整改进展", widget=forms.Textarea(attrs={"rows": 3}))
    evidence = forms.FileField(label="佐证材料（可选，20MB 以内）", required=False)

    def clean_evidence(self):
        evidence = self.cleaned_data.get("evidence")
        if evidence and evidence.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError("佐证材料不能超过 20MB")
        return evidence


class SubmitForm(forms.Form):
    summary = forms.CharField(label="整改情况说明", widget=forms.Textarea(attrs={"rows": 3}))


class VerifyForm(forms.Form):
    passed = forms.TypedChoiceField(label="对账结果", choices=[("1", "对账通过"), ("0", "退回重新整改")],
                                    coerce=lambda v: v == "1", widget=forms.RadioSelect, initial="1")
    note = forms.CharField(label="对账意见（退回时必填）", max_length=500, required=False)


class CloseForm(forms.Form):
    note = forms.CharField(label="销号意见", max_length=500, required=False)


class ReopenForm(forms.Form):
    reason = forms.CharField(label="重新整改理由", max_length=500)


class DeadlineForm(forms.Form):
    deadline = forms.DateField(label="新的整改时限", widget=DATE)
    reason = forms.CharField(label="调整理由", max_length=300)


class EscalationForm(forms.Form):
    kind = forms.ChoiceField(label="方式", choices=EscalationKind.choices)
    escalated_on = forms.DateField(label="日期", widget=DATE)
    target = forms.CharField(label="约谈/通报对象", max_length=100)
    note = forms.CharField(label="说明", max_length=500, required=False)


class ComplaintForm(forms.Form):
    channel = forms.ChoiceField(label="渠道", choices=ComplaintChannel.choices)
    received_at = forms.DateTimeField(label="受理时间", widget=DATETIME,
                                      input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"])
    area = forms.ChoiceField(label="受理区域")
    content = forms.CharField(label="反映内容", widget=forms.Textarea(attrs={"rows": 4}))
    complainant_name = forms.CharField(label="反映人姓名（可不填）", max_length=50, required=False)
    complainant_phone = forms.RegexField(label="联系电话（可不填）", regex=r"^[0-9\-+ ]{5,20}$", required=False,
                                         error_messages={"invalid": "电话号码只能包含数字、空格、+ 和 -"})
    household_number = forms.CharField(label="涉及建档立卡户编号（可不填）", max_length=20, required=False)
    reply_deadline = forms.DateField(label="答复期限（不填：信访 60 天，其他渠道 15 天）", widget=DATE, required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now():
            raise forms.ValidationError("受理时间不能晚于当前时间")
        return value


class AssignForm(forms.Form):
    area = forms.ChoiceField(label="交办区域")
    handling_unit = forms.CharField(label="承办单位", max_length=100)
    note = forms.CharField(label="交办意见", max_length=300, required=False)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices


class NoteForm(forms.Form):
    note = forms.CharField(label="说明", max_length=300, required=False)


class ReplyForm(forms.Form):
    reply_text = forms.CharField(label="答复内容", widget=forms.Textarea(attrs={"rows": 3}))


class ReplyDeadlineForm(forms.Form):
    reply_deadline = forms.DateField(label="新的答复期限", widget=DATE)
    reason = forms.CharField(label="调整理由", max_length=300)
