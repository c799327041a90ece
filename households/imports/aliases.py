"""The alias tables of the household import: other names of template columns, and other labels of the values
of choice columns (the labels of the national 扶贫开发信息系统 exports and of counties' own registers).

The tables are data, one JSON file each under ``households/fixtures/import_aliases/``, shown on the template
help page (``/households/imports/help/``). A value table looks like::

    {"column": "relation", "title": "与户主关系", "note": "…", "aliases": {"之子": "20", "长子": "22", …}}

``column`` is the key of a template column (``columns.Column.key``) of kind CHOICE, ``sheet`` (optional) the sheet
of that column when the key is used on several sheets; each alias maps to one of that column's stored values (a
test checks every one). The template's own labels are always read first; an alias never shadows one.
"""
import json
from functools import lru_cache
from pathlib import Path

ALIAS_DIRECTORY = Path(__file__).resolve().parent.parent / "fixtures" / "import_aliases"
HEADERS_FILE = "headers.json"
_LABEL_TRANSLATION = str.maketrans({"(": "（", ")": "）", " ": None, "\u3000": None})


def normalise_label(text: str) -> str:
    """How a label is compared: half-width brackets as full-width, no spaces."""
    return text.translate(_LABEL_TRANSLATION)


@lru_cache(maxsize=1)
def _tables() -> tuple[dict, dict]:
    headers, values = {}, {}
    for path in sorted(ALIAS_DIRECTORY.glob("*.json")):
        document = json.loads(path.read_text(encoding="utf-8"))
        if path.name == HEADERS_FILE:
            headers = document
        else:
            values[(document.get("sheet", ""), document["column"])] = document
    return headers, values


def header_table() -> dict:
    """{"title", "note", "sheets": {sheet: {alias: template header}}}."""
    return _tables()[0]


def value_tables() -> list[dict]:
    """Every value table ({"column", "sheet", "title", "note", "aliases"}), in file order."""
    return list(_tables()[1].values())


@lru_cache(maxsize=64)
def value_aliases(key: str, sheet: str = "") -> dict[str, str]:
    """Normalised alias → stored value, for the choice column ``key`` of ``sheet`` ({} when it has no table)."""
    tables = _tables()[1]
    table = tables.get((sheet, key)) or tables.get(("", key))
    if table is None:
        return {}
    return {normalise_label(alias): value for alias, value in table["aliases"].items()}
