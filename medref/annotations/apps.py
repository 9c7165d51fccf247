from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "medref.annotations"
    default_auto_field = "django.db.models.BigAutoField"
