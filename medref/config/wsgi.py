"""WSGI entry point for gunicorn (`medref serve`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "medref.config.settings")
application = get_wsgi_application()
