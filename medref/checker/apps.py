from django.apps import AppConfig


class CheckerConfig(AppConfig):
    name = "medref.checker"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from medref.checker.repository import knowledge_changed as rebuild
        from medref.knowledge.models import knowledge_changed

        # Every committed import or publication rebuilds this process's index and writes the
        # snapshot that every other process picks up on its next request.
        knowledge_changed.connect(rebuild, dispatch_uid="medref-checker-rebuild")
