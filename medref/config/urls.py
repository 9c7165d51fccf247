"""Top-level URL map. Each domain app owns its own URLs."""

from django.contrib import admin
from django.urls import include, path

from medref.config import views as site_views
from medref.guides import views as guide_views

urlpatterns = [
    path("", guide_views.home, name="home"),
    path("healthz", guide_views.healthz, name="healthz"),
    path("favicon.ico", site_views.favicon, name="favicon"),
    path("about/", site_views.about, name="about"),
    path("contact/", site_views.contact, name="contact"),
    path("contact/report/", site_views.report_problem, name="report-problem"),
    path("privacy/", site_views.privacy, name="privacy"),
    path("", include("medref.checker.urls")),
    path("", include("medref.guides.urls")),
    path("", include("medref.annotations.urls")),
    path("", include("medref.lists.urls")),
    path("", include("medref.editorial.urls")),
    path("accounts/", include("medref.accounts.urls")),
    path("", include("medref.api.urls")),
    path("admin/", admin.site.urls),
]

# Branded error pages; API paths get the API's own error bodies (see medref.config.views).
handler404 = "medref.config.views.not_found"
handler500 = "medref.config.views.server_error"
