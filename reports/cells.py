"""One table cell of a report's PDF tables: the value (— when missing) and whether it is a number (right-aligned).

Shared by ``reports.rendering`` (section 9) and ``reports.rendering_tables`` (sections 10–12)."""


def cell(value, num=True):
    return {"value": "—" if value is None else value, "num": num}
