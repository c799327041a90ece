"""Verifications started on a default chain recorded the chain's source as an internal note; they now read the
document the default chain follows, as new ones do."""
from django.db import migrations

OLD = "默认流程（DOMAIN.md §5）"
NEW = "默认流程（新发〔2016〕9号《关于打赢脱贫攻坚战的实施意见》第三部分第（四）项）"


def cite_the_document(apps, schema_editor):
    apps.get_model("assessments", "Verification").objects.filter(chain_source=OLD).update(chain_source=NEW)


def back(apps, schema_editor):
    apps.get_model("assessments", "Verification").objects.filter(chain_source=NEW).update(chain_source=OLD)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0005_snapshot_relation_codes")]

    operations = [migrations.RunPython(cite_the_document, back)]
