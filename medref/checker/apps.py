from django.apps import AppConfig


class CheckerConfig(AppConfig):
    name = "medref.checker"
    default_auto_field = "django.db.models.BigAutoField"
