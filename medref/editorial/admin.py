"""Read-only admin views of revisions and the audit log; changes go through the workflow."""

from django.contrib import admin

from medref.editorial.models import AuditEvent, Revision


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "state", "author", "created_at", "reviewer_team", "published_at")
    list_filter = ("state",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(RevisionAdmin):
    list_display = ("at", "actor_name", "action", "document", "from_state", "to_state")
    list_filter = ("action",)
