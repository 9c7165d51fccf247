from django.apps import AppConfig


class GuidesConfig(AppConfig):
    name = "medref.guides"
    default_auto_field = "django.db.models.BigAutoField"
