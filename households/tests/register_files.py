"""A county's existing register as a workbook: the template's four sheets (户信息, 成员信息, 收入信息, 帮扶措施)
and four households as a county keeps them. Used by the register import tests and the cross-app report test."""
import io

from openpyxl import Workbook

from households.imports.columns import (
    HOUSEHOLD_COLUMNS,
    HOUSEHOLD_SHEET,
    INCOME_COLUMNS,
    INCOME_SHEET,
    MEASURE_COLUMNS,
    MEASURE_SHEET,
    MEMBER_COLUMNS,
    MEMBER_SHEET,
)
from households.tests.import_files import household_row, member_row, person_id


def register_file(households, members, incomes=(), measures=(), rename=None) -> bytes:
    """A workbook with the template's four sheets; rows keyed by header (missing keys are blank). ``rename`` gives
    the file's own names of template headers, as a county's register or a national export calls them."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, columns, rows in ((HOUSEHOLD_SHEET, HOUSEHOLD_COLUMNS, households), (MEMBER_SHEET, MEMBER_COLUMNS, members),
                                 (INCOME_SHEET, INCOME_COLUMNS, incomes), (MEASURE_SHEET, MEASURE_COLUMNS, measures)):
        sheet = workbook.create_sheet(title)
        headers = [column.header for column in columns]
        sheet.append([(rename or {}).get(header, header) for header in headers])
        for row in rows:
            sheet.append([row.get(header) for header in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def family(person: int, **household_columns):
    """A household of two (head ``person``, spouse ``person + 1``)."""
    return (household_row(person, **household_columns),
            [member_row(person, head=person), member_row(person + 1, head=person, name=f"配偶{person}", relation="配偶", odd=False)])


def register():
    """Four households as a county keeps them: one exited in 2016 (year only), one exited on a known date and
    returned in 2018, one still poor (written the way exports write it), one exited in 2017 and monitored."""
    exited, exited_members = family(0, 识别年度=2014, 贫困户状态="已脱贫", 脱贫年度=2016, 帮扶责任人="李帮扶",
                                    帮扶责任人单位="县农业农村局", 帮扶责任人电话="0871-1234567", 收入年度=2016,
                                    工资性收入=8000, 生产经营性收入=3000, 生产经营性支出=1000, 财产性收入=0,
                                    转移性收入=1001, 人均纯收入=5500.5)
    returned, returned_members = family(2, 识别年度=2015, 贫困户状态="返贫户", 脱贫年度="2016-12-20", 返贫年度=2018)
    poor, poor_members = family(4, 识别年度=2014, 贫困户状态="未脱贫", 计划脱贫年度=2019)
    monitored, monitored_members = family(6, 识别年度=2014, 贫困户状态="已脱贫", 脱贫年度=2017, 监测标识="脱贫监测户")
    incomes = [
        {"户主身份证号": person_id(2), "年度": 2016, "工资性收入": 6000, "生产经营性收入": 1200.5, "生产经营性支出": 200,
         "财产性收入": 0, "转移性收入": 0, "计算人数": 3, "人均纯收入": 2333.5},
        {"户主身份证号": person_id(4), "年度": 2017, "工资性收入": 1001, "生产经营性收入": 0, "生产经营性支出": 0,
         "财产性收入": 0, "转移性收入": 0, "计算人数": 8},
    ]
    measures = [
        {"户主身份证号": person_id(0), "年度": 2015, "措施类别": "产业", "具体措施": "发放核桃苗 200 株", "金额（元）": 1200},
        {"户主身份证号": person_id(0), "年度": 2016, "措施类别": "教育扶贫", "具体措施": "雨露计划补助", "金额（元）": 3000,
         "资金来源": "财政专项扶贫资金", "责任单位": "县教育局"},
    ]
    return ([exited, returned, poor, monitored], [*exited_members, *returned_members, *poor_members, *monitored_members],
            incomes, measures)
