from django.db import models


class AreaLevel(models.TextChoices):
    """Levels of the area tree (DOMAIN.md §2.1)."""

    PROVINCE = "province", "省"
    CITY = "city", "市"
    COUNTY = "county", "县"
    TOWNSHIP = "township", "乡镇"
    VILLAGE = "village", "村"
    GROUP = "group", "村民小组"


LEVEL_ORDER = [AreaLevel.PROVINCE, AreaLevel.CITY, AreaLevel.COUNTY, AreaLevel.TOWNSHIP, AreaLevel.VILLAGE, AreaLevel.GROUP]

# Length of the significant prefix of a code at each level; the rest is zero padding (DOMAIN.md §2.3).
PREFIX_LENGTH = {
    AreaLevel.PROVINCE: 2,
    AreaLevel.CITY: 4,
    AreaLevel.COUNTY: 6,
    AreaLevel.TOWNSHIP: 9,
    AreaLevel.VILLAGE: 12,
    AreaLevel.GROUP: 15,
}

# Regular expression each level's code must match: its own digits non-zero, the padding all zeros.
CODE_PATTERN = {
    AreaLevel.PROVINCE: r"^[1-9][0-9]0{10}$",
    AreaLevel.CITY: r"^[0-9]{2}([0-9][1-9]|[1-9][0-9])0{8}$",
    AreaLevel.COUNTY: r"^[0-9]{4}([0-9][1-9]|[1-9][0-9])0{6}$",
    AreaLevel.TOWNSHIP: r"^[0-9]{6}([0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})000$",
    AreaLevel.VILLAGE: r"^[0-9]{9}([0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})$",
    AreaLevel.GROUP: r"^[0-9]{12}([0-9]{2}[1-9]|[0-9][1-9][0-9]|[1-9][0-9]{2})$",
}


class PovertyCountyDesignation(models.TextChoices):
    NONE = "", "非贫困县"
    NATIONAL = "national", "国家级贫困县"
    PROVINCIAL = "provincial", "省级贫困县"


def level_of_code(code: str) -> str | None:
    """The level a well-formed code belongs to, or None."""
    import re

    for level in LEVEL_ORDER:
        if re.match(CODE_PATTERN[level], code):
            return level
    return None


def parent_code_of(code: str, level: str) -> str | None:
    """The code the parent of an area with this code and level must have."""
    index = LEVEL_ORDER.index(level)
    if index == 0:
        return None
    parent_level = LEVEL_ORDER[index - 1]
    prefix = code[: PREFIX_LENGTH[parent_level]]
    return prefix.ljust(12, "0")
