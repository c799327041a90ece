"""Demo accounts: one per role, posted in the demo county. All share settings.DEMO_PASSWORD.

Accounts that need a second factor (county level and above, the three administrators) come with an
authenticator already bound to the fixed secret listed here and in README.md, so a newcomer can sign in
(``oathtool --totp -b SECRET`` or an authenticator app). Demo accounts are refused in production mode
(their password is), so these published secrets never guard real data.
"""
from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Post, User
from accounts.otp import TOTP_DEVICE_NAME, hex_key_from_base32, requires_second_factor
from povalleviation.roles import Role
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
    ("security_xinping", "郑安全", "新平县扶贫开发办公室信息中心", Role.SECURITY_ADMIN, COUNTY_CODE, True),
    ("auditadmin_xinping", "钱审管", "新平县扶贫开发办公室信息中心", Role.AUDIT_ADMIN, COUNTY_CODE, True),
]

# Fixed TOTP secrets (base32, SHA-1, 6 digits, 30 s) of the demo accounts that need a second factor.
DEMO_TOTP_SECRETS = {
    "county_xinping": "P77BQCX4IB75BHEP5UDHUIHUMCRWU2N7",
    "city_yuxi": "CQ3I2FCPHQB4OA5HQHDDZPP74YAMTE6I",
    "office_xinping": "6Y2VR34ZZJNSWA5O2QISEH4Q3WUXIULS",
    "auditor_xinping": "IEINUHJKGEWPMISORULQD6HVFHSWCJE6",
    "admin_xinping": "FSENIUXZMQCDIEJF3LGS4WAAYFLSTVK3",
    "security_xinping": "UG6VQMJFAQ7D7HKKHBPGIWBZ3LVYIXBI",
    "auditadmin_xinping": "7LSFBEVE25SI3VVRZDXMLZYHOINAGR4D",
}


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
        _bind_demo_authenticator(user)
    return created


def _bind_demo_authenticator(user):
    secret = DEMO_TOTP_SECRETS.get(user.username)
    if secret is None:
        return
    user.forget_access_cache()
    assert requires_second_factor(user), f"{user.username} needs no second factor; drop its demo secret"
    key = hex_key_from_base32(secret)
    if not TOTPDevice.objects.filter(user=user, confirmed=True, key=key).exists():
        TOTPDevice.objects.filter(user=user).delete()
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, key=key, confirmed=True)
