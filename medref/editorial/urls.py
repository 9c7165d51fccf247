from django.urls import path

from medref.editorial import views

urlpatterns = [
    path("editorial/", views.dashboard, name="editorial"),
    path("editorial/audit/", views.audit_log, name="editorial-audit"),
    path("editorial/topics/<slug:slug>/", views.edit_topic, name="editorial-topic"),
    path("editorial/topics/<slug:slug>/retire/", views.retire_topic, name="editorial-retire"),
    path("editorial/interactions/<int:pk>/", views.edit_interaction, name="editorial-interaction"),
    path("editorial/revisions/<int:pk>/", views.revision_page, name="editorial-revision"),
    path(
        "editorial/revisions/<int:pk>/<slug:action>/",
        views.revision_action,
        name="editorial-action",
    ),
    path("editorial/diff/<int:a>/<int:b>/", views.diff_page, name="editorial-diff"),
]
