"""Filters of the audit log, shared by the auditor's page and ``/api/v1/audit-events/``.

Every value is validated (dates, digits, no NUL characters): a bad value is a Chinese form error, never a 500.
"""
import datetime

import django_filters
from django import forms
from django.core.validators import ProhibitNullCharactersValidator, RegexValidator
from django.db.models import Q
from django.utils import timezone

from .choices import AuditOutcome
from .models import AuditEvent

NUL_MESSAGE = "不能包含空字符。"
DATE_ERRORS = {"invalid": "请输入有效的日期，格式为 YYYY-MM-DD。"}
ACTION_PATTERN = RegexValidator(r"^[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?$", "操作代码只能包含小写字母、数字、下划线和点，如 user.login 或 user.*。")
AREA_PATTERN = RegexValidator(r"^[0-9]{2,15}$", "区域代码应为 2 至 15 位数字（代码前缀即可）。")


class AuditFilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            # Django's own message for NUL characters is badly translated; say it plainly.
            field.validators = [
                ProhibitNullCharactersValidator(message=NUL_MESSAGE) if isinstance(v, ProhibitNullCharactersValidator) else v
                for v in field.validators
            ]

    def clean(self):
        cleaned = super().clean()
        for name in ("date_from", "date_to"):
            day = cleaned.get(name)
            if day and not 1900 <= day.year <= 9998:
                self.add_error(name, "日期超出范围（1900 至 9998 年）。")
                cleaned.pop(name, None)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "截止日期不能早于起始日期。")
        return cleaned


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


class AuditEventFilter(django_filters.FilterSet):
    user = django_filters.CharFilter(label="用户名", method="filter_user", max_length=150)
    action = django_filters.CharFilter(label="操作", method="filter_action", max_length=64, validators=[ACTION_PATTERN])
    area = django_filters.CharFilter(label="区域代码", method="filter_area", max_length=15, validators=[AREA_PATTERN])
    date_from = django_filters.DateFilter(label="起始日期", method="filter_date_from", input_formats=["%Y-%m-%d"],
                                          error_messages=DATE_ERRORS)
    date_to = django_filters.DateFilter(label="截止日期", method="filter_date_to", input_formats=["%Y-%m-%d"],
                                        error_messages=DATE_ERRORS)
    outcome = django_filters.ChoiceFilter(label="结果", choices=AuditOutcome.choices, empty_label="全部",
                                          error_messages={"invalid_choice": "请选择有效的结果。"})
    q = django_filters.CharFilter(label="关键词", method="filter_keyword", max_length=100)
    object_type = django_filters.CharFilter(label="对象类型", max_length=64)
    object_id = django_filters.CharFilter(label="对象编号", max_length=64)

    class Meta:
        model = AuditEvent
        form = AuditFilterForm
        fields = []

    def filter_user(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(username__iexact=value) | Q(actor__username__iexact=value)) if value else queryset

    def filter_keyword(self, queryset, name, value):
        """Text in the summary, or an action, username or area code beginning with it."""
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(summary__contains=value) | Q(action__startswith=value) | Q(username__iexact=value)
                               | Q(actor__username=value) | Q(area_code__startswith=value))

    def filter_action(self, queryset, name, value):
        if value.endswith(".*"):
            return queryset.filter(action__startswith=value[:-1])
        return queryset.filter(action=value)

    def filter_area(self, queryset, name, value):
        # A full 12-digit code covers its area and everything below it (trailing zero segments dropped).
        from villages.models import Area

        area = Area.objects.filter(code=value).only("code", "level").first()
        return queryset.filter(area_code__startswith=area.scope_prefix if area else value)

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=_day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=_day_start(value + datetime.timedelta(days=1)))
