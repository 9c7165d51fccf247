"""Every text field's length is checked before the database sees it.

PostgreSQL refuses a value longer than a varchar's length with a DataError (a 500 page); SQLite
stores it silently. Checking in Python makes both behave the same, and a request that carries
too long a value gets a 400 naming the field instead of a server error. Forms and importers should
still say so first, with context; this is the net under them. bulk_create and update() send no
pre_save signal: the importers that use them validate their records beforehand.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse


class FieldTooLong(ValidationError):
    pass


def check_text_lengths(sender, instance, raw: bool = False, update_fields=None, **kwargs) -> None:
    """pre_save receiver: refuse a str longer than its CharField's or TextField's max_length."""
    if raw:  # loaddata: fixtures are trusted as they are
        return
    for field in sender._meta.concrete_fields:
        if not isinstance(field, models.CharField | models.TextField) or not field.max_length:
            continue
        if update_fields is not None and field.name not in update_fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(value, str) and len(value) > field.max_length:
            raise FieldTooLong(
                f"{sender._meta.verbose_name} {field.verbose_name}: {len(value):,} characters, "
                f"at most {field.max_length:,} allowed"
            )


class FieldTooLongMiddleware:
    """Turn a FieldTooLong that escaped a view into a 400 with its one-line reason."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, FieldTooLong):
            return None
        from medref.api.errors import error_response

        reason = f"too long: {exception.messages[0]}"
        # Machine clients get their interface's error shape ({"detail"} or an OperationOutcome).
        answer = error_response(request, 400, reason)
        if answer is not None:
            return answer
        return HttpResponse(reason, status=400, content_type="text/plain; charset=utf-8")
