"""Turn malformed request bodies into clear 400s instead of server errors.

A body nested thousands of levels deep makes Python's JSON parser raise RecursionError, and bytes
that are not UTF-8 raise UnicodeDecodeError; both are the client's fault, not ours. Bodies over
MEDREF_MAX_BODY_BYTES are already refused by Django (RequestDataTooBig; medref.api.errors makes it
a 413 on the API paths).
"""

from __future__ import annotations

from django.http import JsonResponse


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, RecursionError):
            return JsonResponse({"detail": "the request body is nested too deeply"}, status=400)
        if isinstance(exception, UnicodeDecodeError):
            return JsonResponse({"detail": "the request is not valid UTF-8"}, status=400)
        return None
