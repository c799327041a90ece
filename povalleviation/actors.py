"""Who is recorded as having done something."""


def saved_user(actor):
    """``actor`` when it is a saved user, otherwise ``None`` (for a ``created_by``/``recorded_by``… column).

    Services take ``actor=None`` when the installation itself acts (management commands, demo loaders, Celery
    tasks), and may be handed an anonymous or not yet saved user; neither can be stored in a foreign key to
    users, so the column is left empty and the row reads as done by the system.
    """
    return actor if getattr(actor, "pk", None) else None
