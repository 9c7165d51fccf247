from django.apps import AppConfig


class SourcesConfig(AppConfig):
    name = "medref.sources"
    default_auto_field = "django.db.models.BigAutoField"
