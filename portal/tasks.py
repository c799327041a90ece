"""Celery tasks of the composition root: the nightly encrypted backup (beat entry "nightly-backup")."""
import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(name="portal.tasks.nightly_backup_task", acks_late=False)
def nightly_backup_task():
    """Write one archive into BACKUP_DIR and apply the rotation; not retried (the next night runs anyway)."""
    from portal.backup.run import backup_and_rotate

    result, deleted = backup_and_rotate()
    logger.info("nightly backup written: %s (%.1f s), %d old archives deleted", result.path.name, result.seconds,
                len(deleted))
    return {"archive": result.path.name, "seconds": round(result.seconds, 1), "deleted": [p.name for p in deleted]}
