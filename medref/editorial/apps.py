from django.apps import AppConfig


class EditorialConfig(AppConfig):
    name = "medref.editorial"
    default_auto_field = "django.db.models.BigAutoField"
