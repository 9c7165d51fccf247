"""WSGI entry point for gunicorn (`medref serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medref.config.settings")
application = get_wsgi_application()

if os.environ.get("MEDREF_WARM_BEFORE_FORK") == "1":
    # `medref serve` runs gunicorn with --preload: this runs once, in the master, before the
    # workers are forked (see medref.checker.repository.warm_before_fork).
    from medref.checker.repository import warm_before_fork

    warm_before_fork(application)
