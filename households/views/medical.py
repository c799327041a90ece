"""登记住院费用: one member's hospital costs of a year, from the household page (DOMAIN.md §3.4 基本医疗有保障)."""
from django import forms
from django.utils import timezone

from households.forms import year_field
from households.models import HospitalExpense
from households.services.medical import hospital_expense_save

from .edit import HouseholdActionView


class HospitalExpenseForm(forms.Form):
    year = year_field()
    member = forms.TypedChoiceField(label="成员", coerce=int, choices=())
    admissions = forms.IntegerField(label="住院次数", min_value=0, max_value=365, initial=1,
                                    help_text="本年未住院请填 0，费用均填 0")
    total_cost = forms.DecimalField(label="住院总费用（元）", min_value=0, decimal_places=2, initial=0)
    basic_insurance_paid = forms.DecimalField(label="基本医保报销（元）", min_value=0, decimal_places=2, initial=0)
    serious_illness_paid = forms.DecimalField(label="大病保险报销（元）", min_value=0, decimal_places=2, initial=0)
    medical_assistance_paid = forms.DecimalField(label="医疗救助（元）", min_value=0, decimal_places=2, initial=0)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = [(m.pk, m.name) for m in members]


class HospitalExpenseView(HouseholdActionView):
    """登记住院费用; the page also lists what is recorded, with each member's 住院自付比例."""

    form_class = HospitalExpenseForm
    title = "登记住院费用"
    template_name = "households/hospital_expense.html"

    def form_kwargs(self, household):
        return {"members": list(household.members.filter(is_registered=True).order_by("id"))}

    def initial(self, household):
        return {"year": timezone.localdate().year}

    def extra_context(self, household) -> dict:
        expenses = HospitalExpense.objects.filter(household=household).select_related("member").order_by("-year", "member_id")
        return {"expenses": expenses}

    def perform(self, request, household, data):
        data = dict(data)
        member = household.members.get(pk=data.pop("member"))
        year = data.pop("year")
        record = hospital_expense_save(actor=request.user, household=household, member=member, year=year, data=data)
        ratio = f"，住院自付比例 {record.self_pay_ratio}%" if record.self_pay_ratio is not None else "（本年未住院）"
        return f"已保存 {member.name} {year} 年住院费用{ratio}"
