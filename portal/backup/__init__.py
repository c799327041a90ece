"""Encrypted backups of the whole system: one archive holding a PostgreSQL custom-format dump, the media files
(signed reports and other stored files) and a manifest with SHA-256 of every part, encrypted with age.

``archive.create_backup`` writes one; ``restore.restore_backup`` verifies and restores one; ``rotation`` decides
which archives to keep. The commands ``backup``/``restore`` and the nightly Celery task call these.
"""


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator (Chinese)."""
