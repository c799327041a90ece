"""Excel import and export of 建档立卡户 (two sheets: 户信息, 成员信息).

Pipeline: ``jobs.import_job_create`` stores the upload and queues ``households.tasks.validate_import_task``
on commit → ``validation.validate_workbook`` reads the file with python-calamine (``reader``), checks every
cell and row, links the sheets and matches the database in a few set-based queries (``existing``), and
keeps every error (``errors``) plus a marked copy of the file (``errorfile``) → the uploader confirms →
``commit_import_task`` runs ``pipeline.import_workbook``: validation again and ``commit.commit_plans``
(bulk inserts and updates, events, audit) in one transaction, all rows or none.

``columns`` defines the sheets once for the template (``template``), the reader and the export
(``resources`` for django-import-export, ``export`` for the scoped download). ``generator`` writes the
deterministic benchmark file.
"""
