"""One backup run as the command and the nightly task do it: write an archive, then apply the rotation."""
from pathlib import Path

from django.conf import settings

from .archive import BackupResult, create_backup
from .rotation import prune


def backup_and_rotate(*, unencrypted: bool = False, output_dir: Path | None = None) -> tuple[BackupResult, list[Path]]:
    result = create_backup(output_dir=output_dir, unencrypted=unencrypted)
    deleted = prune(result.path.parent, daily=settings.BACKUP_KEEP_DAILY, weekly=settings.BACKUP_KEEP_WEEKLY,
                    monthly=settings.BACKUP_KEEP_MONTHLY)
    return result, deleted
