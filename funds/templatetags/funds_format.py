"""Formatting of fractions as percentages for the fund pages."""
from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def percent(value):
    """0.35714 → "35.71 %"; None → "—"."""
    if value is None or value == "":
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.01'))} %"


@register.filter
def bar_width(value):
    """A bar length 0–100 for a fraction."""
    if value is None:
        return 0
    return max(0, min(100, int(Decimal(value) * 100)))
