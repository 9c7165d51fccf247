"""Metered access to topic pages for anonymous visitors.

The visitor holds only a signed random id (cookie `medref_visitor`); which pages they read, and
when, is kept on the server in MeterEntry. A missing, forged or altered cookie gets a fresh id and
so a fresh allowance, never an unlimited one. Re-reading a page already counted in the window is
free. Signed-in users are never metered. Crawlers get nothing extra unless the operator sets
MEDREF_METER_EXEMPT_CRAWLERS.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from medref.accounts.models import MeterEntry

COOKIE = "medref_visitor"
SALT = "medref.accounts.meter"
# User agents of the major search-engine crawlers. Anyone can claim these, which is why the
# exemption is off unless the operator turns it on (see the README).
CRAWLER_UA = re.compile(r"googlebot|bingbot|duckduckbot|yandexbot|baiduspider|applebot", re.I)


@dataclass
class Meter:
    metered: bool  # False for signed-in users and exempt crawlers
    allowed: bool
    remaining: int  # pages left after this one
    allowance: int
    new_visitor: str | None = None  # set when the response must carry a new cookie


def _visitor(request: HttpRequest) -> tuple[uuid.UUID, bool]:
    raw = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    try:
        return uuid.UUID(raw), False
    except (TypeError, ValueError):
        return uuid.uuid4(), True


def known_visitor(request: HttpRequest) -> uuid.UUID | None:
    """The visitor id from a valid cookie; None when there is none (no new id is made)."""
    visitor, fresh = _visitor(request)
    return None if fresh else visitor


def _unmetered(request: HttpRequest) -> bool:
    if request.user.is_authenticated:
        return True
    return settings.MEDREF_METER_EXEMPT_CRAWLERS and bool(
        CRAWLER_UA.search(request.headers.get("User-Agent", ""))
    )


def readable_topics(request: HttpRequest) -> set[uuid.UUID] | None:
    """Topics this reader may see in full without using up allowance: None means all of them
    (not metered); otherwise the ones already counted in the current window, which re-reading is
    free for. Anything else, such as a search snippet, may show only what a locked page shows."""
    if _unmetered(request):
        return None
    visitor = known_visitor(request)
    if visitor is None:
        return set()
    window_start = timezone.now() - timedelta(days=settings.MEDREF_FREE_PAGES_DAYS)
    return set(
        MeterEntry.objects.filter(visitor=visitor, first_read_at__gte=window_start).values_list(
            "topic_uid", flat=True
        )
    )


def meter_topic(request: HttpRequest, topic) -> Meter:
    allowance = settings.MEDREF_FREE_PAGES
    if _unmetered(request):
        return Meter(metered=False, allowed=True, remaining=allowance, allowance=allowance)
    visitor, fresh = _visitor(request)
    now = timezone.now()
    window_start = now - timedelta(days=settings.MEDREF_FREE_PAGES_DAYS)
    with transaction.atomic():
        entries = MeterEntry.objects.select_for_update().filter(visitor=visitor)
        read = {e.topic_uid: e for e in entries}
        in_window = {uid for uid, e in read.items() if e.first_read_at >= window_start}
        if topic.uid in in_window:
            allowed, used = True, len(in_window)
        elif len(in_window) < allowance:
            stale = read.get(topic.uid)
            # Read before, outside the window: counts again from now. `medref meter prune` may
            # have deleted the old entry meanwhile; then it is recorded afresh.
            if stale is None or not MeterEntry.objects.filter(pk=stale.pk).update(
                first_read_at=now
            ):
                try:
                    with transaction.atomic():
                        MeterEntry.objects.create(
                            visitor=visitor, topic_uid=topic.uid, first_read_at=now
                        )
                except IntegrityError:
                    pass  # the same visitor's parallel request recorded it first
            allowed, used = True, len(in_window) + 1
        else:
            allowed, used = False, len(in_window)
    return Meter(
        metered=True,
        allowed=allowed,
        remaining=max(0, allowance - used),
        allowance=allowance,
        new_visitor=str(visitor) if fresh else None,
    )


def prune_ledger(*, dry_run: bool = False) -> int:
    """Delete ledger entries older than the metering window: they no longer count towards any
    allowance (a page read again is simply recorded afresh), so keeping them only grows the table
    and keeps a reading history we have no use for. Returns how many there were."""
    cutoff = timezone.now() - timedelta(days=settings.MEDREF_FREE_PAGES_DAYS)
    old = MeterEntry.objects.filter(first_read_at__lt=cutoff)
    if dry_run:
        return old.count()
    deleted, _ = old.delete()
    return deleted


def set_visitor_cookie(response: HttpResponse, meter: Meter) -> None:
    if meter.new_visitor:
        response.set_signed_cookie(
            COOKIE,
            meter.new_visitor,
            salt=SALT,
            max_age=settings.MEDREF_FREE_PAGES_DAYS * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        )


HCP_COOKIE = "medref_hcp"


def hcp_confirmed(request: HttpRequest) -> bool:
    return request.COOKIES.get(HCP_COOKIE) == "1" or request.user.is_authenticated
