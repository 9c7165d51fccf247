"""Top-level URL map. Each domain app owns its own URLs."""

from django.contrib import admin
from django.urls import include, path

from medref.guides import views as guide_views

urlpatterns = [
    path("", guide_views.home, name="home"),
    path("healthz", guide_views.healthz, name="healthz"),
    path("", include("medref.checker.urls")),
    path("", include("medref.guides.urls")),
    path("", include("medref.annotations.urls")),
    path("", include("medref.editorial.urls")),
    path("", include("medref.reference.urls")),
    path("accounts/", include("medref.accounts.urls")),
    path("", include("medref.api.urls")),
    path("admin/", admin.site.urls),
]
