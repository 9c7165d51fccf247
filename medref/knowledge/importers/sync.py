"""Make a table's rows match what an import wants, in one place.

Every writer used to hand-write the same loop: create what is new, update what differs, count what
is unchanged, remove what the input no longer holds, and fill the summary. `sync_rows` is that
loop once, with the two exceptions the writers need: rows that must not be touched (`keep`, e.g.
documents changed through the editorial workflow) and a check before removal (`guard`, e.g.
`refuse_mass_removal`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping, Sequence
from typing import Any, TypeVar

from django.db import models
from django.db.models.signals import pre_save

from medref.knowledge.importers.base import Summary

Key = Hashable
M = TypeVar("M", bound=models.Model)


def delete_rows(model: type[models.Model]) -> Callable[[list[models.Model]], int]:
    """The default removal: delete the stale rows, in batches small enough for SQLite's limit on
    query parameters."""

    def remove(rows: list[models.Model]) -> int:
        ids = [row.pk for row in rows]
        for start in range(0, len(ids), 500):
            model.objects.filter(pk__in=ids[start : start + 500]).delete()
        return len(ids)

    return remove


def _key_of(row: models.Model, key: str | tuple[str, ...]) -> Key:
    if isinstance(key, str):
        return getattr(row, key)
    return tuple(getattr(row, name) for name in key)


def _value(values: Any, name: str) -> Any:
    return getattr(values, name) if isinstance(values, models.Model) else values[name]


def _checked(model: type[models.Model], rows: Iterable[models.Model]) -> None:
    # bulk_create and bulk_update send no pre_save signal, so send it here: the length check
    # under every write (medref/config/lengths.py) then still guards what an import writes.
    for row in rows:
        pre_save.send(sender=model, instance=row, raw=False, using=None, update_fields=None)


def sync_rows(
    model: type[M],
    wanted: Mapping[Key, Mapping[str, Any] | M],
    *,
    key: str | tuple[str, ...],
    fields: Sequence[str] = (),
    existing: Iterable[M] | Mapping[Key, M] | None = None,
    summary: Summary,
    label: str,
    defaults: Mapping[str, Any] | None = None,
    compare: Sequence[str] | None = None,
    differs: Callable[[Key, M], bool] | None = None,
    keep: Collection[Key] = (),
    keep_reason: str = "",
    guard: Callable[[int, int], None] | None = None,
    remove: Callable[[list[M]], int] | None | bool = True,
) -> dict[Key, M]:
    """Make `model`'s rows in `existing` match `wanted`, and return every wanted row by key.

    - `wanted` maps a key to the row's values: a dict of field values, or an unsaved instance
      (its `fields` are read from it, and it is inserted as it is when new).
    - `key` names the field(s) that make the key; a new row built from a dict gets them from the
      key, plus `defaults` (e.g. the source).
    - `existing`: the rows the import owns (a queryset, or a mapping by key); default all rows.
    - A held row whose `compare` fields (default `fields`) differ from the wanted values, or for
      which `differs(key, row)` says so, gets all of `fields` written (one bulk update).
    - Keys in `keep` are left exactly as they are and counted as skipped with `keep_reason`.
    - Held rows that are not wanted are stale: `guard(existing_count, stale_count)` runs first
      (it raises to refuse), then `remove(rows)` removes them and returns how many to count as
      removed. `remove=True` deletes them; `remove=None` leaves them alone (rows other sources
      may share).

    Counts go to `summary` under `label`: read (every wanted key), added, updated, unchanged,
    removed, and skipped.
    """
    if existing is None:
        existing = model.objects.all()
    held = (
        dict(existing) if isinstance(existing, Mapping) else {_key_of(r, key): r for r in existing}
    )
    compared = tuple(fields if compare is None else compare)
    if remove is True:
        remove = delete_rows(model)

    stale = [row for k, row in held.items() if k not in wanted]
    if stale and guard is not None:
        guard(len(held), len(stale))

    result: dict[Key, M] = {}
    fresh: list[M] = []
    changed: list[M] = []
    unchanged = 0
    for k, values in wanted.items():
        row = held.get(k)
        if row is not None and k in keep:
            summary.skipped[(label, keep_reason)] += 1
            result[k] = row
            continue
        if row is None:
            if isinstance(values, models.Model):
                row = values
            else:
                key_values = {key: k} if isinstance(key, str) else dict(zip(key, k, strict=True))
                row = model(**key_values, **(defaults or {}), **values)
            fresh.append(row)
        elif any(getattr(row, f) != _value(values, f) for f in compared) or (
            differs is not None and differs(k, row)
        ):
            for f in fields:
                setattr(row, f, _value(values, f))
            changed.append(row)
        else:
            unchanged += 1
        result[k] = row

    removed = remove(stale) if stale and remove else 0
    _checked(model, fresh)
    _checked(model, changed)
    model.objects.bulk_create(fresh, batch_size=1000)
    if changed:
        model.objects.bulk_update(changed, list(fields), batch_size=500)

    summary.read[label] += len(wanted)
    summary.unchanged[label] += unchanged
    # A count that stayed zero adds no entry, as the hand-written loops did.
    for counter, n in (
        (summary.added, len(fresh)),
        (summary.updated, len(changed)),
        (summary.removed, removed),
    ):
        if n:
            counter[label] += n
    return result
