from django.apps import AppConfig


class ListsConfig(AppConfig):
    name = "medref.lists"
    default_auto_field = "django.db.models.BigAutoField"
