"""Edit a household and its members in one step (the edit page and ``PATCH /api/v1/households/{id}/``)."""
from django.db import transaction

from households.choices import Relation
from households.models import Household, Member
from povalleviation.access import Capability, require
from povalleviation.errors import ApplicationError

from .household import household_update
from .lookups import records_refused_lookups
from .members import member_add, member_remove, member_update

ONE_HEAD = "每户必须有且只有一名户主"


def _row_error(error: ApplicationError, index: int, name: str) -> ApplicationError:
    """Say which member row was refused: field errors become ``members.<index>.<field>``, the message names the row."""
    error.field_errors = {f"members.{index}.{key}": value for key, value in error.field_errors.items()}
    label = f"第 {index + 1} 名成员{f'（{name}）' if name else ''}："
    if not error.message.startswith("第 "):
        error.message = label + error.message
        error.args = (error.message,)
    return error


@records_refused_lookups
@transaction.atomic
def household_edit(*, actor, household: Household, data: dict, members=(), expected_version: int | None = None) -> Household:
    """Change a household's own fields and its members together: everything is saved, or nothing.

    ``members`` lists the members to add, change or remove, in the order the caller shows them (a refusal names
    the row and its field errors are keyed ``members.<index>.<field>``):

    - ``{"id": None, **fields}`` adds a member;
    - ``{"id": pk, **fields}`` changes a registered member of this household (fields not given stay as they are);
    - ``{"id": pk, "removal": {"status": …, "left_date": …, "reason": …}}`` is 自然减少 (死亡、婚出、迁出 …).

    Members not listed stay as they are. ``expected_version`` is the version the caller showed; if someone saved
    the household since, nothing is saved (409). The rules of the single services hold (freeze, one person one
    household, ID checks); a member who becomes 户主 is saved after the others, so the old head has already been
    changed away and the one-head rule holds at every step. Each change writes its ``HouseholdEvent`` and audit row.
    """
    household = Household.objects.select_for_update().get(pk=household.pk)
    require(actor, Capability.HOUSEHOLD_EDIT, household.area_code)
    household_update(actor=actor, household=household, data=data, expected_version=expected_version)
    registered = {m.pk: m for m in Member.objects.filter(household=household, is_registered=True)}
    seen, changes = set(), []
    for index, entry in enumerate(members):
        member_id = entry.get("id")
        if member_id:
            if member_id not in registered:
                message = f"第 {index + 1} 名成员不是本户的在册成员（可能已减少），请刷新页面后重试"
                raise ApplicationError(message, field_errors={f"members.{index}.id": message})
            if member_id in seen:
                message = f"第 {index + 1} 名成员在本次修改中出现了两次"
                raise ApplicationError(message, field_errors={f"members.{index}.id": message})
            seen.add(member_id)
        relation = entry.get("relation") or (registered[member_id].relation if member_id else "")
        removing = entry.get("removal") is not None
        changes.append((removing, relation == Relation.HEAD and not removing, index, entry))
    # Non-heads first (the old head changed away), then the new head, then removals (a head cannot be removed).
    for _removing, _head, index, entry in sorted(changes, key=lambda item: item[:3]):
        member_id = entry.get("id")
        fields = {k: v for k, v in entry.items() if k not in ("id", "removal")}
        try:
            if entry.get("removal") is not None:
                removal = entry["removal"]
                member_remove(actor=actor, member=registered[member_id], status=removal.get("status") or "",
                              left_date=removal.get("left_date"), reason=(removal.get("reason") or "").strip())
            elif member_id:
                member_update(actor=actor, member=registered[member_id], data=fields)
            else:
                member_add(actor=actor, household=household, data=fields)
        except ApplicationError as error:
            name = fields.get("name") or (registered[member_id].name if member_id else "")
            _row_error(error, index, name)
            raise
    heads = Member.objects.filter(household=household, is_registered=True, relation=Relation.HEAD).count()
    if heads != 1:
        raise ApplicationError(ONE_HEAD, field_errors={"members": ONE_HEAD})
    return Household.objects.get(pk=household.pk)
