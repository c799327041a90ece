"""Who is recorded as having done something, and where."""
from povalleviation.access import covers


def saved_user(actor):
    """``actor`` when it is a saved user, otherwise ``None`` (for a ``created_by``/``recorded_by``… column).

    Services take ``actor=None`` when the installation itself acts (management commands, demo loaders, Celery
    tasks), and may be handed an anonymous or not yet saved user; neither can be stored in a foreign key to
    users, so the column is left empty and the row reads as done by the system.
    """
    return actor if getattr(actor, "pk", None) else None


def actor_area_code(actor, capability) -> str:
    """The area of the actor's first active post granting ``capability`` (where an auditor finds the event);
    empty for the installation itself or a user without such a post."""
    if not getattr(actor, "pk", None):
        return ""
    for post in actor.active_posts():
        if covers(actor, capability, post.area.code):
            return post.area.code
    return ""
