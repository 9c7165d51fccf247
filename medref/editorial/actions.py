"""Editorial actions. Each checks the actor's role, moves a revision along
draft -> in review -> approved -> published (or back, or withdrawn), keeps every revision, and
writes the audit log. Publishing copies the revision onto the public document, sets "Last
edited" (publication date) and "Last reviewed" (the reviewer's sign-off date and team), and bumps
the knowledge-base version so the checker, guides and search follow.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from medref.domain.fields import (
    MONOGRAPH_FIELDS,
    MONOGRAPH_TEXT,
    FieldError,
    validate_monograph,
    validate_topic,
)
from medref.domain.fields import TOPIC_FIELDS as DOMAIN_TOPIC_FIELDS
from medref.editorial.models import AuditEvent, Revision, State

AUTHORS, REVIEWERS, EDITORS = "Authors", "Clinical reviewers", "Editors"
# What an edit may change, defined once in the domain.
TOPIC_FIELDS = DOMAIN_TOPIC_FIELDS
INTERACTION_TEXT = MONOGRAPH_TEXT
INTERACTION_FIELDS = MONOGRAPH_FIELDS


class NotAllowed(PermissionError):
    """The actor's role does not allow this action."""


class BadTransition(ValueError):
    """The revision is not in a state this action applies to."""


class InvalidFields(BadTransition):
    """A proposed value the knowledge base cannot hold (a severity of "catastrophic")."""

    def __init__(self, error: FieldError) -> None:
        super().__init__(str(error))
        self.field = error.field


class Conflict(BadTransition):
    """Someone published a change to the same field after this draft was started."""


def _validated(document, fields: dict, *, partial: bool) -> dict:
    check = validate_topic if _kind(document) == "topic" else validate_monograph
    try:
        return check(fields, partial=partial)
    except FieldError as exc:
        raise InvalidFields(exc) from None


def has_role(user, role: str) -> bool:
    return bool(
        user
        and user.is_authenticated
        and (user.is_superuser or user.groups.filter(name=role).exists())
    )


def _require(user, role: str, action: str) -> None:
    if not has_role(user, role):
        raise NotAllowed(f"only {role.lower()} may {action}")


def _kind(document) -> str:
    return "topic" if document._meta.model_name == "topic" else "interaction"


def editable_fields(document) -> dict:
    names = TOPIC_FIELDS if _kind(document) == "topic" else INTERACTION_FIELDS
    return {name: getattr(document, name) for name in names}


def _log(
    *,
    by,
    action: str,
    revision: Revision | None,
    document,
    from_state: str = "",
    to_state: str = "",
    note: str = "",
) -> None:
    AuditEvent.objects.create(
        actor=by if by and by.is_authenticated else None,
        actor_name=(by.get_username() if by and by.is_authenticated else "system"),
        action=action,
        revision=revision,
        document=f"{_kind(document)}: {document}"[:300],
        from_state=from_state,
        to_state=to_state,
        note=note,
    )


def _baseline(document) -> None:
    """Content that predates the workflow gets revision 1, "as imported", so history is whole."""
    if Revision.objects.for_document(document).exists():
        return
    published = getattr(document, "last_edited", None) or timezone.now().date()
    Revision.objects.create(
        **{_kind(document): document},
        number=1,
        state=State.PUBLISHED,
        fields=editable_fields(document),
        change_note="As imported from the content files",
        published_at=timezone.make_aware(
            timezone.datetime.combine(published, timezone.datetime.min.time())
        ),
    )


@transaction.atomic
def start_revision(*, document, changes: dict, change_note: str, by) -> Revision:
    """A new draft revision; the public document is untouched until it is published."""
    _require(by, AUTHORS, "write drafts")
    if not change_note.strip():
        raise BadTransition("a change note is required")
    _baseline(document)
    allowed = set(editable_fields(document))
    unknown = set(changes) - allowed
    if unknown:
        raise BadTransition(f"not editable: {', '.join(sorted(unknown))}")
    changes = _validated(document, changes, partial=True)
    number = (Revision.objects.for_document(document).aggregate(n=Max("number"))["n"] or 0) + 1
    base = Revision.objects.for_document(document).filter(state=State.PUBLISHED).first()
    revision = Revision.objects.create(
        **{_kind(document): document},
        number=number,
        state=State.DRAFT,
        fields={**editable_fields(document), **changes},
        change_note=change_note.strip(),
        author=by,
        base_number=base.number if base else None,
    )
    _log(
        by=by,
        action="draft created",
        revision=revision,
        document=document,
        to_state=State.DRAFT,
        note=change_note,
    )
    return revision


def _move(
    revision: Revision, *, allowed_from: tuple[str, ...], to: str, by, action: str, note: str = ""
) -> None:
    if revision.state not in allowed_from:
        raise BadTransition(
            f"cannot {action} a revision that is {revision.get_state_display().lower()}"
        )
    before = revision.state
    revision.state = to
    _log(
        by=by,
        action=action,
        revision=revision,
        document=revision.document,
        from_state=before,
        to_state=to,
        note=note,
    )


@transaction.atomic
def submit_for_review(*, revision: Revision, by) -> Revision:
    _require(by, AUTHORS, "submit drafts for review")
    _move(
        revision,
        allowed_from=(State.DRAFT,),
        to=State.IN_REVIEW,
        by=by,
        action="submitted for review",
    )
    revision.save(update_fields=["state"])
    return revision


@transaction.atomic
def approve(*, revision: Revision, review_note: str, reviewer_team: str, by) -> Revision:
    """The clinical sign-off: a reviewer, not the author, confirms clinical accuracy."""
    _require(by, REVIEWERS, "sign off clinical accuracy")
    if revision.author_id == by.pk:
        raise NotAllowed("a reviewer cannot sign off their own revision")
    if not review_note.strip() or not reviewer_team.strip():
        raise BadTransition("a review note and the reviewing team are required")
    _move(
        revision,
        allowed_from=(State.IN_REVIEW,),
        to=State.APPROVED,
        by=by,
        action="clinically approved",
        note=review_note,
    )
    revision.reviewed_by, revision.reviewer_team = by, reviewer_team.strip()
    revision.review_note, revision.reviewed_at = review_note.strip(), timezone.now()
    revision.save(
        update_fields=["state", "reviewed_by", "reviewer_team", "review_note", "reviewed_at"]
    )
    return revision


@transaction.atomic
def send_back(*, revision: Revision, review_note: str, by) -> Revision:
    _require(by, REVIEWERS, "send revisions back")
    _move(
        revision,
        allowed_from=(State.IN_REVIEW,),
        to=State.DRAFT,
        by=by,
        action="sent back to the author",
        note=review_note,
    )
    revision.review_note = review_note
    revision.save(update_fields=["state", "review_note"])
    return revision


@transaction.atomic
def withdraw(*, revision: Revision, by) -> Revision:
    if not (has_role(by, EDITORS) or (has_role(by, AUTHORS) and revision.author_id == by.pk)):
        raise NotAllowed("only its author or an editor may withdraw a revision")
    _move(
        revision,
        allowed_from=(State.DRAFT, State.IN_REVIEW, State.APPROVED),
        to=State.WITHDRAWN,
        by=by,
        action="withdrawn",
    )
    revision.save(update_fields=["state"])
    return revision


@transaction.atomic
def publish(*, revision: Revision, by) -> Revision:
    """Make an approved revision the public version."""
    _require(by, EDITORS, "publish")
    document = revision.document
    document.refresh_from_db()  # the copy held by the revision may predate another publication
    # Checked again at the last door: nothing the checker cannot read is ever made public.
    fields = _validated(document, revision.fields, partial=False)
    changes = _changes_to_apply(revision, fields)
    _move(revision, allowed_from=(State.APPROVED,), to=State.PUBLISHED, by=by, action="published")
    now = timezone.now()
    Revision.objects.for_document(revision.document).filter(state=State.PUBLISHED).exclude(
        pk=revision.pk
    ).update(state=State.SUPERSEDED)
    revision.published_by, revision.published_at = by, now
    revision.save(update_fields=["state", "published_by", "published_at"])
    for name, value in changes.items():
        setattr(document, name, value)
    document.last_edited = now.date()
    document.review_status = "reviewed"
    if _kind(document) == "topic":
        document.last_reviewed = revision.reviewed_at.date()
        document.reviewed_by = revision.reviewer_team
        document.status = "published"
    else:
        document.reviewed_at = revision.reviewed_at.date()
        document.reviewed_by = revision.reviewer_team
        document.status = "published"
    document.save()
    _changed()
    return revision


def _changes_to_apply(revision: Revision, fields: dict) -> dict:
    """The fields this revision changed from the version it started from. When another revision
    was published in between, only those fields are applied (so its changes stay), and a field
    both changed differently is refused: no silent lost update."""
    if revision.base_number is None:
        return fields
    docs = Revision.objects.for_document(revision.document)
    base = docs.filter(number=revision.base_number).first()
    current = docs.filter(state=State.PUBLISHED).first()
    if base is None or current is None or current.number == base.number:
        return fields
    mine = {k: v for k, v in fields.items() if base.fields.get(k) != v}
    theirs = {k for k, v in current.fields.items() if base.fields.get(k) != v}
    clash = sorted(k for k in mine if k in theirs and current.fields.get(k) != mine[k])
    if clash:
        raise Conflict(
            f"revision {current.number} changed {', '.join(clash)} after this draft was started "
            f"from revision {base.number}; start a new draft from the published version"
        )
    return mine


@transaction.atomic
def retire(*, document, note: str, by) -> None:
    _require(by, EDITORS, "retire pages")
    before = document.status
    document.status = "retired"
    document.save(update_fields=["status"])
    Revision.objects.for_document(document).filter(state=State.PUBLISHED).update(
        state=State.RETIRED
    )
    _log(
        by=by,
        action="retired",
        revision=None,
        document=document,
        from_state=before,
        to_state="retired",
        note=note,
    )
    _changed()


def _changed() -> None:
    from medref.knowledge.models import KnowledgeBaseState
    from medref.reference.search import rebuild_index

    KnowledgeBaseState.bump()
    rebuild_index()
