"""Amounts of money in 元, rounded to the fen the way a 台账 does it: 四舍五入 (ROUND_HALF_UP).

Python's Decimal rounds half to even by default (1001 元 ÷ 8 = 125.125 → 125.12); a register, a calculator
and PostgreSQL's ``round(numeric, 2)`` give 125.13. Every division of money goes through ``yuan`` so the
pages, the stored figures and the SQL paths agree. ROUND_HALF_UP in Decimal rounds ties away from zero, as
PostgreSQL's ``round`` does, so negative amounts (a loss-making year) agree too.
"""
from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")


def yuan(value) -> Decimal:
    """``value`` (Decimal, int or a decimal string) rounded half up to the fen."""
    return Decimal(value if isinstance(value, Decimal) else str(value)).quantize(FEN, rounding=ROUND_HALF_UP)


def per_head(amount, persons) -> Decimal:
    """An amount shared among ``persons`` (> 0), to the fen: 1001 元 ÷ 8 = 125.13."""
    return yuan(Decimal(amount) / Decimal(persons))
