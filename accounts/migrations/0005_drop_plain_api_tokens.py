"""API tokens moved to django-rest-knox (stored as digests, expiring). DRF's old token table kept every key in
clear text; it is dropped, so those keys stop existing, not merely stop working. Owners create new tokens on
账号安全."""
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_audit_append_only")]

    operations = [
        migrations.RunSQL("DROP TABLE IF EXISTS authtoken_token", reverse_sql=migrations.RunSQL.noop),
    ]
