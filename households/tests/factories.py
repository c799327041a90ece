"""Deterministic test data built through the services: valid ID numbers from a sequence, never random."""
from households.idnumber import id_check_digit
from households.services import household_register


def make_id_number(sequence: int, *, region: str = "530427", birth: str = "19800101", odd: bool = True) -> str:
    """A valid GB 11643 number: region + birth date + 3-digit sequence (odd = male) + check digit."""
    order = (sequence * 2 + (1 if odd else 0)) % 1000
    body = f"{region}{birth}{order:03d}"
    return body + id_check_digit(body)


def member_data(sequence: int, *, name: str, relation: str = "02", **extra) -> dict:
    data = {
        "name": name, "id_number": make_id_number(sequence, birth=extra.pop("birth", "19800101"), odd=extra.pop("odd", True)),
        "relation": relation, "labour_capacity": "full", "health_status": "healthy", "has_medical_insurance": True,
    }
    data.update(extra)
    return data


def register_household(*, actor, area, sequence: int, head_name: str = "张三", members: list | None = None, **data):
    household_data = {"identification_year": 2016, "primary_cause": "ILLNESS", "category": "general", **data}
    return household_register(
        actor=actor, area=area, data=household_data,
        members=members or [member_data(sequence, name=head_name)],
    )
