"""Two helpers for writing tens of thousands of rows in one transaction.

``InstanceBuilder`` builds unsaved instances positionally (``Model.__init__``'s fast path) for
``bulk_create``. ``bulk_update_by_pk`` replaces ``QuerySet.bulk_update`` for large updates: Django's
``bulk_update`` writes one ``CASE WHEN pk = … THEN …`` per field, so each batch costs rows² comparisons
(re-importing 70,000 members ran for over nine minutes); ``UPDATE … FROM (VALUES …)`` joins on the primary
key instead and stays linear. Values go through each field's ``get_db_prep_save``, like ``bulk_update``.
"""
from django.db import connection

BATCH_SIZE = 2000


class InstanceBuilder:
    """Unsaved instances built in field order, as ``Model.from_db`` does: about a third faster than keyword
    arguments for the rows of one file. Only models whose defaults are immutable values may use it."""

    IMMUTABLE = (str, int, float, bool, type(None))

    def __init__(self, model, **constants):
        self.model = model
        fields = model._meta.concrete_fields
        self.names = [field.attname for field in fields]
        self.defaults = {field.attname: None if field.primary_key else field.get_default() for field in fields}
        if not all(isinstance(value, self.IMMUTABLE) for value in self.defaults.values()):
            raise TypeError(f"{model.__name__} has a mutable default; build it with keyword arguments")
        self.defaults.update(constants)

    def __call__(self, values: dict):
        merged = self.defaults | values
        return self.model(*[merged[name] for name in self.names])


def bulk_update_by_pk(objects: list, field_names: list[str], *, batch_size: int = BATCH_SIZE) -> int:
    """``UPDATE table SET f = v.f, … FROM (VALUES (pk, …), …) AS v WHERE table.pk = v.pk`` in batches."""
    if not objects:
        return 0
    meta = objects[0]._meta
    quote = connection.ops.quote_name
    pk = meta.pk
    fields = [meta.get_field(name) for name in field_names]
    columns = [pk, *fields]
    aliases = ", ".join(quote(field.column) for field in columns)
    assignments = ", ".join(
        f"{quote(field.column)} = v.{quote(field.column)}::{field.cast_db_type(connection)}" for field in fields
    )
    row_placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start:start + batch_size]
            params = []
            for instance in batch:
                for field in columns:
                    params.append(field.get_db_prep_save(getattr(instance, field.attname), connection))
            sql = (
                f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
                f"FROM (VALUES {', '.join([row_placeholder] * len(batch))}) AS v({aliases}) "
                f"WHERE t.{quote(pk.column)} = v.{quote(pk.column)}::{pk.cast_db_type(connection)}"
            )
            cursor.execute(sql, params)
            updated += cursor.rowcount
    return updated
