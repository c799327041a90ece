"""Demo area tree: 新平彝族傣族自治县 (530427) from fixtures/xinping_areas.csv, with 村民小组 under the
villages the demo uses. Loading twice changes nothing."""
import csv
from pathlib import Path

from django.conf import settings

from villages.models import Area
from villages.services import areas_load

AREAS_FILE = Path(settings.BASE_DIR) / "fixtures" / "xinping_areas.csv"
COUNTY_CODE = "530427000000"
TOWNSHIP_CODE = "530427204000"  # 老厂乡
VILLAGE_A_CODE = "530427204202"  # 太和村委会
VILLAGE_B_CODE = "530427204209"  # 勐炳村委会
# 村民小组 under the two demo villages (the seed names 太桥村委会's 19 groups; names here are illustrative).
GROUP_NAMES = ["上寨村民小组", "中寨村民小组", "下寨村民小组", "新村村民小组"]
POOR_VILLAGES = {VILLAGE_A_CODE, VILLAGE_B_CODE}
POOR_TOWNSHIPS = {"530427204000", "530427201000", "530427104000"}


def load_demo_areas():
    with open(AREAS_FILE, encoding="utf-8-sig", newline="") as handle:
        rows = [(number, row) for number, row in enumerate(csv.DictReader(handle), start=2)]
    for village_code in (VILLAGE_A_CODE, VILLAGE_B_CODE):
        for index, name in enumerate(GROUP_NAMES, start=1):
            rows.append((0, {"code": f"{village_code}{index:03d}", "name": name, "level": "group"}))
    result = areas_load(actor=None, rows=rows, is_demo=True)
    if not result.ok:
        raise RuntimeError("；".join(result.errors))
    # Designations named in 002_3c24fdc0372bba72.txt §前言 (3 贫困乡 摘帽 by end-2017; the county is a poor county).
    Area.objects.filter(code=COUNTY_CODE).update(poverty_county_designation="national", planned_exit_year=2018)
    Area.objects.filter(code__in=POOR_TOWNSHIPS, is_poor_township=False).update(is_poor_township=True)
    Area.objects.filter(code__in=POOR_VILLAGES, is_poor_village=False).update(
        is_poor_village=True, poor_village_designation_year=2014, planned_exit_year=2019
    )
    return result
