"""Writing medication lists: validation in one place, and recording a check of a list."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from medref.checker.engine import CheckResult
from medref.lists.changes import PairFinding
from medref.lists.models import (
    KEEP_CHECKS,
    MAX_LISTS_PER_USER,
    MAX_MEDICINE_LENGTH,
    MAX_MEDICINES,
    MAX_NAME,
    ListCheck,
    MedicationList,
)

# The check page's separators (medref.checker.views), so a list pasted from there reads the
# same; not imported, so that a list page never depends on the check page's module.
_SPLIT = re.compile(r"[,\n;]+")


def split_medicines(raw: str) -> list[str]:
    return [part.strip() for part in _SPLIT.split(raw or "") if part.strip()]


def clean_name(name: str) -> str:
    name = " ".join((name or "").replace("\x00", "").split())
    if not name:
        raise ValidationError("Give the list a name.")
    if len(name) > MAX_NAME:
        raise ValidationError(f"A list name can be at most {MAX_NAME} characters.")
    return name


def clean_medicines(medicines: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for raw in medicines:
        name = " ".join((raw or "").replace("\x00", "").split())
        if not name or name.casefold() in seen:  # the same medicine twice adds nothing
            continue
        if len(name) > MAX_MEDICINE_LENGTH:
            raise ValidationError(
                f"Each medicine name can be at most {MAX_MEDICINE_LENGTH} characters."
            )
        seen.add(name.casefold())
        out.append(name)
    if len(out) > MAX_MEDICINES:
        raise ValidationError(f"A list can hold at most {MAX_MEDICINES} medicines.")
    return out


@transaction.atomic
def create_list(*, name: str, medicines: Iterable[str], by) -> MedicationList:
    name, medicines = clean_name(name), clean_medicines(medicines)
    if MedicationList.objects.filter(user=by).count() >= MAX_LISTS_PER_USER:
        raise ValidationError(
            f"You can keep at most {MAX_LISTS_PER_USER} lists. Delete one to make room."
        )
    return MedicationList.objects.create(user=by, name=name, medicines=medicines)


def _own(medication_list: MedicationList, by) -> None:
    # Callers look lists up with visible_to(); this is a backstop.
    if medication_list.user_id != by.pk:
        raise PermissionError("not your list")


@transaction.atomic
def edit_list(
    *,
    medication_list: MedicationList,
    by,
    name: str | None = None,
    medicines: Iterable[str] | None = None,
) -> MedicationList:
    _own(medication_list, by)
    if name is not None:
        medication_list.name = clean_name(name)
    if medicines is not None:
        medication_list.medicines = clean_medicines(medicines)
    medication_list.save(update_fields=["name", "medicines", "updated_at"])
    return medication_list


def add_medicine(*, medication_list: MedicationList, medicine: str, by) -> MedicationList:
    names = split_medicines(medicine)
    if not names:
        raise ValidationError("Type the name of a medicine, food or drink to add.")
    return edit_list(
        medication_list=medication_list, by=by, medicines=[*medication_list.medicines, *names]
    )


def remove_medicine(*, medication_list: MedicationList, position: int, by) -> MedicationList:
    medicines = list(medication_list.medicines)
    if not 0 <= position < len(medicines):
        raise ValidationError("That medicine is no longer on the list.")
    del medicines[position]
    return edit_list(medication_list=medication_list, by=by, medicines=medicines)


@transaction.atomic
def delete_list(*, medication_list: MedicationList, by) -> None:
    _own(medication_list, by)
    medication_list.delete()


def pair_findings(result: CheckResult) -> list[PairFinding]:
    return [PairFinding(f.slugs, f.drugs, f.severity) for f in result.findings]


@transaction.atomic
def record_check(*, medication_list: MedicationList, result: CheckResult, by) -> ListCheck:
    """Keep what this check found, so the next visit can say what the knowledge base changed."""
    _own(medication_list, by)
    check = ListCheck.objects.create(
        medication_list=medication_list,
        knowledge_base_version=result.knowledge_base_version,
        medicines=list(medication_list.medicines),
        findings=[f.as_dict() for f in pair_findings(result)],
    )
    stale = medication_list.checks.order_by("-checked_at", "-id").values_list("id", flat=True)[
        KEEP_CHECKS:
    ]
    ListCheck.objects.filter(id__in=list(stale)).delete()
    return check
