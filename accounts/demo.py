"""Demo accounts: one per role, posted in the demo county. All share settings.DEMO_PASSWORD."""
from django.conf import settings
from django.db import transaction

from accounts.choices import Role
from accounts.models import Post, User
from villages.demo import COUNTY_CODE, TOWNSHIP_CODE, VILLAGE_A_CODE, VILLAGE_B_CODE
from villages.models import Area

CITY_CODE = "530400000000"

DEMO_USERS = [
    # username, full name, unit, role, area code, is_staff
    ("cadre_taihe", "李村信", "太和村委会", Role.VILLAGE_CADRE, VILLAGE_A_CODE, False),
    ("cadre_mengbing", "王村信", "勐炳村委会", Role.VILLAGE_CADRE, VILLAGE_B_CODE, False),
    ("secretary_taihe", "赵书记", "县农业农村局（驻太和村）", Role.FIRST_SECRETARY, VILLAGE_A_CODE, False),
    ("township_laochang", "张乡审", "老厂乡人民政府", Role.TOWNSHIP_OFFICER, TOWNSHIP_CODE, False),
    ("county_xinping", "刘县审", "新平县扶贫开发办公室", Role.COUNTY_OFFICER, COUNTY_CODE, False),
    ("city_yuxi", "陈市审", "玉溪市扶贫开发办公室", Role.CITY_OFFICER, CITY_CODE, False),
    ("office_xinping", "杨领导小组", "新平县脱贫攻坚领导小组办公室", Role.LEADING_GROUP_OFFICE, COUNTY_CODE, False),
    ("auditor_xinping", "周审计", "新平县审计局", Role.AUDITOR, COUNTY_CODE, False),
    ("admin_xinping", "吴管理", "新平县扶贫开发办公室信息中心", Role.SYSTEM_ADMIN, COUNTY_CODE, True),
]


@transaction.atomic
def load_demo_users():
    created = 0
    for username, full_name, unit, role, area_code, is_staff in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, unit=unit, is_demo=True, is_staff=is_staff)
            user.set_password(settings.DEMO_PASSWORD)
            user.full_clean()
            user.save()
            created += 1
        Post.objects.get_or_create(user=user, area=Area.objects.get(code=area_code), role=role)
    return created
