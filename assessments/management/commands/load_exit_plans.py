"""Load the exit-plan tables printed in the seed documents (fixtures/exit_plans/*.csv).

Each table file has one row per area and measure: 区划代码, 区域, 指标 (贫困户/贫困人口/贫困村/贫困乡/贫困县),
单位 (户/人/万人/个), 基数年份, 规划期末, 基数, 此前已退出, 基数口径, 依据, then one column per plan year.
An empty cell means the document states no figure. Persons in 万人 are kept at the printed precision.
Missing areas come from areas.csv (real 统计用区划代码, DOMAIN.md §2.3). Loading twice changes nothing.
"""
import csv
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from assessments.plans.services import exit_plans_load
from povalleviation.errors import ApplicationError
from villages.choices import level_of_code
from villages.models import Area

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "exit_plans"
MEASURES = {"贫困户": "households", "贫困人口": "persons", "贫困村": "villages", "贫困乡": "townships", "贫困县": "counties"}
UNITS = {"户", "人", "万人", "个"}
YEAR_COLUMN = re.compile(r"^\d{4}$")


def _number(text: str, *, unit: str, where: str):
    text = (text or "").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation as error:
        raise CommandError(f"{where}：“{text}”不是数字") from error
    if value < 0 or (unit != "万人" and value != value.to_integral_value()):
        raise CommandError(f"{where}：“{text}”不是有效的{unit}数")
    return value if unit == "万人" else int(value)


def _figure_name(measure: str, unit: str) -> str:
    return "persons_wan" if unit == "万人" else MEASURES[measure]


def read_areas(path: Path) -> list[tuple[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return [(row["区划代码"].strip(), row["名称"].strip()) for row in csv.DictReader(handle)]


def read_table(path: Path):
    """→ (bases, plans): dicts keyed by area (and year) with the service's field names; plus the rows as read."""
    bases, plans, rows = {}, {}, []
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        years = [int(name) for name in reader.fieldnames if YEAR_COLUMN.match(name)]
        for line, row in enumerate(reader, start=2):
            where = f"{path.name} 第 {line} 行"
            measure, unit = row["指标"].strip(), row["单位"].strip()
            if measure not in MEASURES or unit not in UNITS or (unit == "万人" and measure != "贫困人口"):
                raise CommandError(f"{where}：不认识的指标或单位“{measure}/{unit}”")
            code, name = row["区划代码"].strip(), _figure_name(measure, unit)
            if level_of_code(code) is None:
                raise CommandError(f"{where}：区划代码“{code}”格式不正确")
            base = bases.setdefault(code, {
                "area": code, "base_year": int(row["基数年份"]), "end_year": int(row["规划期末"]),
                "label": row["基数口径"].strip(), "source": row["依据"].strip(),
            })
            if (base["base_year"], base["end_year"]) != (int(row["基数年份"]), int(row["规划期末"])):
                raise CommandError(f"{where}：同一区域的基数年份或规划期末不一致")
            base_value = _number(row["基数"], unit=unit, where=where)
            if base_value is not None:
                base[name] = base_value
            prior = _number(row["此前已退出"], unit=unit, where=where)
            if prior is not None:
                base[f"prior_exited_{MEASURES[measure]}"] = int(prior * 10000) if unit == "万人" else prior
            yearly = {}
            for year in years:
                value = _number(row[str(year)], unit=unit, where=where)
                if value is None:
                    continue
                yearly[year] = value
                plan = plans.setdefault((code, year), {"area": code, "year": year, "source": row["依据"].strip()})
                plan[name] = value
            rows.append({"area": code, "area_name": row["区域"].strip(), "measure": measure, "unit": unit,
                         "base": base_value, "yearly": yearly})
    return list(bases.values()), list(plans.values()), rows


def table_checks(rows) -> list[str]:
    """The document's own arithmetic: each row's years against its base (DOMAIN.md §7.1, §7.2 checks)."""
    notes = []
    for row in rows:
        if row["base"] is None or not row["yearly"]:
            continue
        total = sum(row["yearly"].values())
        mark = "✓" if total == row["base"] else "✗"
        notes.append(f"{row['area_name']} {row['measure']}：各年计划合计 {total}{row['unit']}，基数 {row['base']}{row['unit']} {mark}")
    return notes


class Command(BaseCommand):
    help = "载入政策文件中的脱贫计划表（新乡市附件2、焦作市附表、新平县2018年目标），缺少的区域按国家区划代码补建。"

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="计划表 CSV 路径或 fixtures/exit_plans/ 下的文件名（默认全部）")

    def handle(self, *args, **options):
        files = [Path(name) if Path(name).exists() else FIXTURE_DIR / name for name in options["files"]] or sorted(
            path for path in FIXTURE_DIR.glob("*.csv") if path.name != "areas.csv"
        )
        areas = read_areas(FIXTURE_DIR / "areas.csv")
        bases, plans = [], []
        for path in files:
            if not path.exists():
                raise CommandError(f"找不到计划表文件：{path}")
            table_bases, table_plans, rows = read_table(path)
            bases += table_bases
            plans += table_plans
            for note in table_checks(rows):
                self.stdout.write(f"  {note}")
        needed = set()
        for code in {row["area"] for row in bases + plans}:
            needed |= {code, *Area(code=code, level=level_of_code(code)).ancestor_codes()}
        try:
            result = exit_plans_load(actor=None, areas=[a for a in areas if a[0] in needed], bases=bases, plans=plans)
        except ApplicationError as error:
            raise CommandError(error.message) from error
        for message in result.skipped:
            self.stderr.write(message)
        self.stdout.write(
            f"脱贫计划表已载入：新建区域 {result.areas_created}，基数 {result.bases_saved}，"
            f"计划 {result.plans_created}，未变 {result.unchanged}，未覆盖 {len(result.skipped)}。"
        )
