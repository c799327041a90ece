"""Number formats of the report: 万元 amounts, percentages from fractions, a dash for missing values."""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template

register = template.Library()
DASH = "—"


def _decimal(value):
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _scaled(value, scale, template):
    """The value times ``scale``, rounded half-up to 2 decimals, put into ``template``; a dash when missing."""
    number = _decimal(value)
    if number is None:
        return DASH
    return template.format((number * scale).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@register.filter
def wan(value):
    """元 → 万元 with 2 decimals."""
    return _scaled(value, Decimal("0.0001"), "{:,}")


@register.filter
def pct(value):
    """A fraction (0.1343) → 13.43%."""
    return _scaled(value, 100, "{}%")


@register.filter
def pct_value(value):
    """A value already in percent ("1.23") → 1.23%."""
    number = _decimal(value)
    return DASH if number is None else f"{number}%"


@register.filter
def dash(value):
    return DASH if value is None or value == "" else value


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key)
