"""What an area code says by itself (DOMAIN.md §2.3): a 12-digit code is its area's significant prefix padded
with zeros (省 2, 市 4, 县 6, 乡镇 9, 村 12 digits); a 村民小组 code has 15 digits."""
from .choices import PREFIX_LENGTH, AreaLevel


def county_code(code: str) -> str:
    """The code of the county (县) an area code lies in: 530427101201 → 530427000000."""
    return code[: PREFIX_LENGTH[AreaLevel.COUNTY]].ljust(12, "0")


def area_prefix(code: str, level: str | None = None) -> str:
    """An area code's significant prefix: the codes of the area and every area below it start with it.

    With ``level`` it is the code cut at that level's length (``Area.scope_prefix``); without, it is read from
    the code alone by dropping the zero padding (530427000000 → 530427, 530427101000 → 530427101). Both give the
    same prefix for a well-formed code; a code longer than 12 digits is its own prefix.
    """
    if level is not None:
        return code[: PREFIX_LENGTH[level]]
    if len(code) > 12:
        return code
    trimmed = code.rstrip("0")
    for length in (2, 4, 6, 9, 12):
        if len(trimmed) <= length:
            return code[:length]
    return code
