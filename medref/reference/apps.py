from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "medref.reference"
    default_auto_field = "django.db.models.BigAutoField"
