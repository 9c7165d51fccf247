from django.apps import AppConfig


class VocabConfig(AppConfig):
    name = "medref.vocab"
    default_auto_field = "django.db.models.BigAutoField"
