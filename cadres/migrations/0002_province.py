"""The province this deployment serves (settings ZHUCUN_PROVINCE_CODE / _NAME): the root of the tree,
needed before the first provincial account (``create_account --scope 13``) and the first roster."""

from django.conf import settings
from django.db import migrations


def create_province(apps, schema_editor):  # type: ignore[no-untyped-def]
    Region = apps.get_model("cadres", "Region")
    Region.objects.get_or_create(
        code=settings.ZHUCUN_PROVINCE_CODE, defaults={"name": settings.ZHUCUN_PROVINCE_NAME, "level": "province"}
    )


class Migration(migrations.Migration):
    dependencies = [("cadres", "0001_initial")]
    operations = [migrations.RunPython(create_province, migrations.RunPython.noop)]
