"""CDS Hooks feedback (CDS Hooks 2.0.1 "Feedback"): what clinicians did with medref's cards.

A card's feedback names only the card's uuid, so medref remembers the finding behind each card
it issues (`IssuedCard`, no patient data, forgotten after `CARD_MEMORY_DAYS`) and copies the
finding onto each feedback it stores. `override_summary` is what `medref cds feedback` prints:
per finding, how often cards were accepted or overridden, and with which reasons.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import DatabaseError, transaction

from medref.api.cdshooks.medications import BadRequest, array, obj, text

logger = logging.getLogger(__name__)
CARD_MEMORY_DAYS = 30  # feedback comes within minutes or days of a card; a month is ample
MAX_FEEDBACK = 100  # feedback items in one POST; a client sends one per user action


def remember_cards(service: str, issued: list[tuple[str, str, str, str]]) -> None:
    """Record (card uuid, kind, finding, severity) for the finding cards just returned."""
    from medref.api.models import IssuedCard

    if not issued:
        return
    cutoff = datetime.now(UTC) - timedelta(days=CARD_MEMORY_DAYS)
    try:
        with transaction.atomic():
            IssuedCard.objects.bulk_create(
                [
                    IssuedCard(
                        uuid=uuid.UUID(u), service=service, kind=k, finding=f[:300], severity=s
                    )
                    for u, k, f, s in issued
                ]
            )
            IssuedCard.objects.filter(issued_at__lt=cutoff).delete()
    except DatabaseError:
        # Bookkeeping for feedback must never cost the clinician the decision support itself
        # (e.g. SQLite busy under load): answer anyway; that card's feedback stays unattributed.
        logger.warning("could not remember %d issued CDS card(s)", len(issued), exc_info=True)


def _timestamp(value, where: str) -> datetime:
    raw = text(value, where)
    if not raw:
        raise BadRequest(f"{where} is required (ISO 8601 date and time in UTC)")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise BadRequest(f"{where}: {raw[:40]!r} is not an ISO 8601 date and time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _one(item, where: str, service: str):
    from medref.api.models import CardFeedback

    if not isinstance(item, dict):
        raise BadRequest(f"{where} must be a JSON object")
    card = text(item.get("card"), f"{where}.card")
    if not card:
        raise BadRequest(f"{where}.card is required (the card's uuid)")
    outcome = text(item.get("outcome"), f"{where}.outcome")
    if outcome not in ("accepted", "overridden"):
        raise BadRequest(f"{where}.outcome must be 'accepted' or 'overridden'")
    accepted = []
    for n, suggestion in enumerate(
        array(item.get("acceptedSuggestions"), f"{where}.acceptedSuggestions")
    ):
        at = f"{where}.acceptedSuggestions[{n}]"
        sid = text(obj(suggestion, at).get("id"), f"{at}.id") if suggestion is not None else None
        if not sid:
            raise BadRequest(f"{at}.id is required (the suggestion's uuid)")
        accepted.append(sid[:100])
    if outcome == "accepted" and not accepted:
        raise BadRequest(f"{where}.acceptedSuggestions is required when the outcome is accepted")
    reason = obj(item.get("overrideReason"), f"{where}.overrideReason") or {}
    coding = obj(reason.get("reason"), f"{where}.overrideReason.reason") or {}
    at = f"{where}.overrideReason.reason"
    return CardFeedback(
        service=service,
        card_uuid=card[:100],
        outcome=outcome,
        accepted_suggestions=accepted,
        reason_system=(text(coding.get("system"), f"{at}.system") or "")[:300],
        reason_code=(text(coding.get("code"), f"{at}.code") or "")[:100],
        reason_display=(text(coding.get("display"), f"{at}.display") or "")[:300],
        user_comment=(text(reason.get("userComment"), f"{where}.overrideReason.userComment") or "")[
            :2000
        ],
        outcome_at=_timestamp(item.get("outcomeTimestamp"), f"{where}.outcomeTimestamp"),
    )


@transaction.atomic
def record_feedback(*, service: str, body) -> int:
    """Validate every feedback item first, then store them all; returns how many."""
    from medref.api.models import CardFeedback, IssuedCard

    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    items = body.get("feedback")
    if not isinstance(items, list) or not items:
        raise BadRequest("feedback is required and must be a non-empty list")
    if len(items) > MAX_FEEDBACK:
        raise BadRequest(
            f"feedback holds {len(items)} items; medref accepts at most {MAX_FEEDBACK}"
        )
    rows = [_one(item, f"feedback[{n}]", service) for n, item in enumerate(items)]
    ids = []
    for row in rows:
        try:
            ids.append(uuid.UUID(row.card_uuid))
        except ValueError:
            pass  # not a card medref issued; stored as it came
    issued = {str(c.uuid): c for c in IssuedCard.objects.filter(uuid__in=ids)}
    for row in rows:
        known = issued.get(row.card_uuid.lower())
        if known is not None:
            row.finding, row.severity = known.finding, known.severity
    CardFeedback.objects.bulk_create(rows)
    return len(rows)


@dataclass
class FindingFeedback:
    finding: str
    severity: str
    accepted: int = 0
    overridden: int = 0
    reasons: Counter = field(default_factory=Counter)  # reason display (or code) -> count


def override_summary(*, since: datetime | None = None) -> list[FindingFeedback]:
    """Per finding: accepted and overridden counts and the override reasons given, most
    overridden first. Feedback on cards medref no longer remembers is grouped as unknown."""
    from medref.api.models import CardFeedback

    rows = CardFeedback.objects.all()
    if since is not None:
        rows = rows.filter(outcome_at__gte=since)
    out: dict[str, FindingFeedback] = {}
    for finding, severity, outcome, code, display in rows.values_list(
        "finding", "severity", "outcome", "reason_code", "reason_display"
    ).iterator():
        name = finding or "(card not known to medref)"
        entry = out.setdefault(name, FindingFeedback(name, severity))
        if outcome == "accepted":
            entry.accepted += 1
        else:
            entry.overridden += 1
            entry.reasons[display or code or "(no reason given)"] += 1
    return sorted(out.values(), key=lambda f: (-f.overridden, f.finding))


def print_summary(*, console, days: int | None = None) -> None:
    """`medref cds feedback`: the override summary as a table."""
    from rich.table import Table

    since = datetime.now(UTC) - timedelta(days=days) if days else None
    rows = override_summary(since=since)
    if not rows:
        console.print(
            "No CDS Hooks feedback has been received"
            + (f" in the last {days} days." if days else ".")
        )
        return
    table = Table(title="CDS Hooks feedback per finding" + (f" (last {days} days)" if days else ""))
    for column in ("finding", "severity", "accepted", "overridden", "override reasons"):
        table.add_column(
            column, justify="right" if column in ("accepted", "overridden") else "left"
        )
    for row in rows:
        reasons = "; ".join(f"{reason}: {count}" for reason, count in row.reasons.most_common())
        table.add_row(
            row.finding, row.severity or "-", str(row.accepted), str(row.overridden), reasons or "-"
        )
    console.print(table)
