"""Read-only admin views of CDS Hooks feedback and the finding cards it refers to."""

from django.contrib import admin

from medref.api.models import CardFeedback, IssuedCard


class _ReadOnly(admin.ModelAdmin):
    """Feedback is what EHRs reported; nobody edits it by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CardFeedback)
class CardFeedbackAdmin(_ReadOnly):
    list_display = ("outcome_at", "service", "finding", "severity", "outcome", "reason_display")
    list_filter = ("outcome", "service", "severity")
    search_fields = ("finding", "card_uuid", "reason_code", "reason_display")
    date_hierarchy = "outcome_at"


@admin.register(IssuedCard)
class IssuedCardAdmin(_ReadOnly):
    list_display = ("issued_at", "service", "finding", "severity", "kind")
    list_filter = ("service", "severity", "kind")
    search_fields = ("finding", "uuid")
