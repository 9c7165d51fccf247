from django.apps import AppConfig
from django.db.models.signals import pre_save


class ConfigConfig(AppConfig):
    """Project-wide guards that belong to no one domain."""

    name = "medref.config"
    label = "medref_config"

    def ready(self) -> None:
        from medref.config.lengths import check_text_lengths

        pre_save.connect(check_text_lengths, dispatch_uid="medref.config.lengths")
