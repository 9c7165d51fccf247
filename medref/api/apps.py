from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "medref.api"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.core import checks

        from medref.api.cdshooks.auth import check_issuers_file

        checks.register(check_issuers_file, checks.Tags.security)
