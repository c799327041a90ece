"""The form of the recompute page: start a run for a county and a year."""
from django import forms
from django.utils import timezone


class RecomputeForm(forms.Form):
    area = forms.ChoiceField(label="县")
    year = forms.IntegerField(label="年度", min_value=2013)

    def __init__(self, *args, area_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = list(area_choices)
        self.fields["year"].widget.attrs["max"] = timezone.localdate().year

    def clean_year(self):
        year = self.cleaned_data["year"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(f"年度不能晚于 {timezone.localdate().year} 年")
        return year
